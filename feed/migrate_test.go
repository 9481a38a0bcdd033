package feed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// releaseFixture is a fixture whose database is testdata/name, written by
// an earlier release from the seeds as its README says, and whose folder
// holds the files it had when that release closed it: the seeds but 004,
// and copy_of_001.txt, a copy of 001.
func releaseFixture(t *testing.T, name string) *fixture {
	t.Helper()
	f := newFixture(t)
	old, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.dbPath, old, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, s := range seedFiles(t) {
		if s == "004_e430f6a57860e91a.txt" {
			continue // removed before the release closed its database
		}
		raw, _ := os.ReadFile(filepath.Join("..", "seeds", s))
		f.write(t, s, string(raw))
		if s == "001_3d14f15a5a4da934.txt" {
			f.write(t, "copy_of_001.txt", string(raw))
		}
	}
	return f
}

// TestMigrateRelease opens a database written by the release before the
// plain-column schema (testdata/release-f67d202.db, see its README) and
// checks that it is upgraded in place: every id keeps its first-seen time,
// the removed article stays removed and keeps its date when it comes back,
// and the rows are parsed again into plain columns.
func TestMigrateRelease(t *testing.T) {
	f := releaseFixture(t, "release-f67d202.db")
	db := openDB(t, f.dbPath)
	firstSeen := map[string]time.Time{}
	rows, err := db.Query(`SELECT id, first_seen, removed FROM articles`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var ns int64
		var removed bool
		if err := rows.Scan(&id, &ns, &removed); err != nil {
			t.Fatal(err)
		}
		firstSeen[id] = time.Unix(0, ns).UTC()
	}
	rows.Close()
	if len(firstSeen) != 6 {
		t.Fatalf("the release's database has %d rows, want 6", len(firstSeen))
	}
	db.Close()

	f.clock.Advance(400 * 24 * time.Hour) // the upgrade runs in a later year
	c := f.open(t)
	s := c.Snapshot()
	if len(s.Entries) != 5 {
		t.Fatalf("entries after the upgrade = %d, want 5", len(s.Entries))
	}
	for _, e := range s.Entries {
		if want := "tag:kdigest.example.org,2026:article/" + e.ID; e.GUID() != want {
			t.Errorf("GUID after the upgrade = %q, want the release's %q", e.GUID(), want)
		}
	}
	for _, e := range s.Entries {
		if want := firstSeen[e.ID]; !e.FirstSeen.Equal(want) {
			t.Errorf("%s first seen %v, want the release's %v", e.ID, e.FirstSeen, want)
		}
	}
	if _, ok := s.Article("004_e430f6a57860e91a"); ok {
		t.Error("the removed article is back after the upgrade")
	}
	if e, _ := s.Article("copy_of_001"); e == nil || e.CopyOf != "001_3d14f15a5a4da934" {
		t.Errorf("copy_of_001 CopyOf = %v, want 001_3d14f15a5a4da934", e)
	}
	var version int
	if err := c.db.QueryRow(`SELECT version FROM schema_version WHERE component = 'feed'`).Scan(&version); err != nil || version != len(migrations) {
		t.Errorf("schema version = %d, %v; want %d", version, err, len(migrations))
	}
	for _, table := range []string{"prints", "stories", "articles_old"} {
		var n int
		c.db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = ?`, table).Scan(&n)
		if n != 0 {
			t.Errorf("table %s left after the upgrade", table)
		}
	}
	var title string
	if err := c.db.QueryRow(`SELECT title FROM articles WHERE id = '000_7b07c52ff58aff77'`).Scan(&title); err != nil || title == "" {
		t.Errorf("title column after the rescan = %q, %v", title, err)
	}

	raw, _ := os.ReadFile(filepath.Join("..", "seeds", "004_e430f6a57860e91a.txt"))
	f.write(t, "004_e430f6a57860e91a.txt", string(raw))
	mustApply(t, c, "004_e430f6a57860e91a.txt")
	if e, ok := c.Snapshot().Article("004_e430f6a57860e91a"); !ok || !e.FirstSeen.Equal(firstSeen[e.ID]) {
		t.Errorf("004 back: %v, first seen %v, want %v", ok, e, firstSeen["004_e430f6a57860e91a"])
	}
}

// TestMigrateTwiceAndNewer checks that opening a migrated database runs no
// migration again, and that a database of a newer release is refused.
func TestMigrateTwiceAndNewer(t *testing.T) {
	f := newFixture(t, seedFiles(t)[:2]...)
	f.open(t)
	f.open(t)
	db := openDB(t, f.dbPath)
	if err := migrate(context.Background(), db, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("migrate again: %v", err)
	}
	if _, err := db.Exec(`UPDATE schema_version SET version = 99 WHERE component = 'feed'`); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), db, Options{Dir: f.dir, BaseURL: testBase})
	if err == nil || !errors.Is(err, ErrNewerSchema) {
		t.Errorf("Open of a newer database = %v, want ErrNewerSchema", err)
	}
}

// TestMigrateTexts opens a database of the release before article_texts
// (testdata/release-37d2939.db, see its README) and checks that it is
// upgraded in place without parsing anything again: every body, line key
// and fingerprint moves to article_texts, the stories and line statistics
// stay as they were, and a rescan of the same files keeps the saved rows.
func TestMigrateTexts(t *testing.T) {
	f := releaseFixture(t, "release-37d2939.db")
	type row struct {
		body, story, copyOf string
		print, lines        []byte
	}
	db := openDB(t, f.dbPath)
	before := map[string]row{}
	rows, err := db.Query(`SELECT id, body, story, copy_of, print, lines FROM articles WHERE removed = 0`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var r row
		if err := rows.Scan(&id, &r.body, &r.story, &r.copyOf, &r.print, &r.lines); err != nil {
			t.Fatal(err)
		}
		before[id] = r
	}
	rows.Close()
	var version string
	if err := db.QueryRow(`SELECT extractor FROM articles LIMIT 1`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	// A mark only a parse would undo.
	if _, err := db.Exec(`UPDATE articles SET title = 'MARK' WHERE id = '000_7b07c52ff58aff77'`); err != nil {
		t.Fatal(err)
	}
	df := savedCounts(t, &Corpus{db: db})
	db.Close()
	if len(before) != 5 || len(df) == 0 {
		t.Fatalf("the release's database has %d present rows and %d line counts, want 5 and some", len(before), len(df))
	}

	c := f.open(t, func(o *Options) { o.ParserVersion = version })
	if err := c.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := c.Snapshot()
	if e, _ := s.Article("000_7b07c52ff58aff77"); e == nil || e.Title != "MARK" {
		t.Errorf("000 after the upgrade and a rescan = %v, want its saved title MARK (nothing parsed again)", e)
	}
	for id, want := range before {
		full, err := s.Full(context.Background(), id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		body, _ := json.Marshal(full.Body)
		if string(body) != want.body {
			t.Errorf("%s body after the upgrade = %s, want %s", id, body, want.body)
		}
		var sig, shingles, lines []byte
		if err := c.db.QueryRow(`SELECT a.signature, t.shingles, t.lines FROM articles a JOIN article_texts t ON t.id = a.id WHERE a.id = ?`, id).Scan(&sig, &shingles, &lines); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(append(sig, shingles...), want.print) || !bytes.Equal(lines, want.lines) {
			t.Errorf("%s: fingerprint or line keys changed by the upgrade", id)
		}
		if got := snapshotStories(s)[id]; got != [2]string{want.story, want.copyOf} {
			t.Errorf("%s story after the upgrade = %v, want %v", id, got, [2]string{want.story, want.copyOf})
		}
	}
	if got := savedCounts(t, c); !maps.Equal(got, df) {
		t.Error("line statistics changed by the upgrade")
	}
	var free int
	if err := c.db.QueryRow(`PRAGMA freelist_count`).Scan(&free); err != nil || free != 0 {
		t.Errorf("free pages after the upgrade = %d, %v; want 0 (the old tables' pages given back)", free, err)
	}
	for _, col := range []string{"body", "print", "lines", "warnings"} {
		var n int
		c.db.QueryRow(`SELECT count(*) FROM pragma_table_info('articles') WHERE name = ?`, col).Scan(&n)
		if n != 0 {
			t.Errorf("articles.%s left after the upgrade", col)
		}
	}
}
