package feed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/kdigest/kdigest/feed/theme"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestOpenRejectsBadBaseURL(t *testing.T) {
	for _, base := range []string{"example.org", "ftp://example.org", "http://", "::"} {
		t.Run(base, func(t *testing.T) {
			f := newFixture(t)
			_, err := Open(context.Background(), openDB(t, f.dbPath), Options{Dir: f.dir, BaseURL: base})
			if !errors.Is(err, ErrBaseURL) {
				t.Errorf("Open(BaseURL %q) error = %v, want ErrBaseURL", base, err)
			}
		})
	}
}

func TestRescanMissingFolder(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	c := f.open(t)
	if err := os.RemoveAll(f.dir); err != nil {
		t.Fatal(err)
	}
	if err := c.Rescan(context.Background()); err == nil {
		t.Fatal("Rescan of a missing folder succeeded")
	}
	if err := c.Apply(context.Background(), "000_7b07c52ff58aff77.txt"); err == nil {
		t.Fatal("Apply in a missing folder succeeded")
	}
	if got, want := len(c.Snapshot().Entries), 5; got != want {
		t.Errorf("entries after failed rescan = %d, want %d", got, want)
	}
}

func TestRescanLoadsSeeds(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	f.write(t, ".hidden.txt", "Hidden file that must be ignored.\n")
	f.write(t, "notes.md", "Not a seed.\n")
	f.write(t, "backup.txt~", "Backup.\n")
	f.write(t, "draft.txt.swp", "Swap.\n")
	c := f.open(t)
	s := c.Snapshot()
	if got, want := len(s.Entries), 5; got != want {
		t.Fatalf("entries = %d, want %d", got, want)
	}
	if len(s.Failed) != 0 {
		t.Errorf("Failed = %v, want none", s.Failed)
	}
	for i := 1; i < len(s.Entries); i++ {
		if s.Entries[i-1].Date.Before(s.Entries[i].Date) {
			t.Errorf("entries not newest first at %d", i)
		}
	}
	e, ok := s.Article("001_3d14f15a5a4da934")
	if !ok {
		t.Fatal("Article(001) not found")
	}
	if got, want := e.GUID(), "tag:kdigest.example.org,2026:article/001_3d14f15a5a4da934"; got != want {
		t.Errorf("GUID = %q, want %q", got, want)
	}
	if got, want := e.URL(), testBase+"/articles/001_3d14f15a5a4da934"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
	if !e.Date.Equal(e.Published) {
		t.Errorf("dated article: Date = %v, want Published %v", e.Date, e.Published)
	}
	undated, _ := s.Article("000_7b07c52ff58aff77")
	if !undated.Date.Equal(f.clock.Now()) || !undated.FirstSeen.Equal(f.clock.Now()) {
		t.Errorf("undated article: Date %v FirstSeen %v, want both %v", undated.Date, undated.FirstSeen, f.clock.Now())
	}
	if _, ok := s.Article("../000_7b07c52ff58aff77"); ok {
		t.Error("Article found by a path")
	}
}

// entryState is what must survive a restart.
type entryState struct {
	GUID               string
	FirstSeen, Date, U time.Time
}

func states(s *Snapshot) map[string]entryState {
	out := map[string]entryState{}
	for _, e := range s.Entries {
		out[e.ID] = entryState{e.GUID(), e.FirstSeen, e.Date, e.Updated}
	}
	return out
}

func TestRestartKeepsIDsAndDates(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	before := f.open(t).Snapshot()
	f.clock.Advance(72 * time.Hour)
	c := f.open(t)
	after := c.Snapshot()
	if got, want := states(after), states(before); !mapsEqual(got, want) {
		t.Errorf("after restart:\n got %v\nwant %v", got, want)
	}
	if after.Version != 0 {
		t.Errorf("Version after a warm restart with nothing changed = %d, want 0 (no re-render)", after.Version)
	}
	if !after.Scanned.Equal(f.clock.Now()) {
		t.Errorf("Scanned = %v, want %v", after.Scanned, f.clock.Now())
	}
	if got, want := doc(t, after, PathAtom).Body, doc(t, before, PathAtom).Body; !bytes.Equal(got, want) {
		t.Error("Atom feed changed across a restart with nothing changed")
	}
}

func mapsEqual(a, b map[string]entryState) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || v.GUID != w.GUID || !v.FirstSeen.Equal(w.FirstSeen) || !v.Date.Equal(w.Date) || !v.U.Equal(w.U) {
			return false
		}
	}
	return true
}

// TestEditOutsideFeedsLeavesThem edits an article that no feed carries:
// the feeds' documents stay byte for byte the same (a reader polling them
// gets a 304), and the article's own entry is updated.
func TestEditOutsideFeedsLeavesThem(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	c := f.open(t, func(o *Options) { o.Size = 1 })
	before := c.Snapshot()
	carried := map[string]bool{before.Visible()[0].ID: true}
	for _, th := range before.Taxonomy.Themes {
		if es := before.ThemeEntries(th.ID); len(es) > 0 {
			carried[es[0].ID] = true
		}
	}
	var outside *Entry
	for _, e := range before.Visible() {
		if !carried[e.ID] && !e.Published.IsZero() {
			outside = e
		}
	}
	if outside == nil {
		t.Fatal("every dated visible entry is carried by a feed of one entry")
	}
	edited := f.clock.Advance(time.Hour)
	raw, err := os.ReadFile(filepath.Join(f.dir, outside.File))
	if err != nil {
		t.Fatal(err)
	}
	f.write(t, outside.File, string(raw)+"\nOfficials added that talks would resume next month.\n")
	mustApply(t, c, outside.File)
	after := c.Snapshot()
	if e, ok := after.Article(outside.ID); !ok || !e.Updated.Equal(edited) {
		t.Fatalf("edited entry = %v, %v; want updated %v", e, ok, edited)
	}
	for _, p := range after.Documents() {
		if p == PathOPML {
			continue
		}
		if got, was := doc(t, after, p), doc(t, before, p); got.ETag != was.ETag || !got.Modified.Equal(was.Modified) {
			t.Errorf("%s changed (ETag %s -> %s) by an edit of an article it does not carry", p, was.ETag, got.ETag)
		}
	}
}

func TestEditKeepsIDAndUpdates(t *testing.T) {
	const name = "000_7b07c52ff58aff77.txt"
	f := newFixture(t, seedFiles(t)...)
	c := f.open(t)
	old, _ := c.Snapshot().Article(idOf(name))
	oldAtom := doc(t, c.Snapshot(), PathAtom)
	edited := f.clock.Advance(time.Hour)
	raw, _ := os.ReadFile(filepath.Join(f.dir, name))
	f.write(t, name, strings.Replace(string(raw), "there is progress", "there is real progress", 1))
	mustApply(t, c, name)
	s := c.Snapshot()
	e, err := s.Full(context.Background(), idOf(name))
	if err != nil {
		t.Fatal(err)
	}
	if e.GUID() != old.GUID() {
		t.Errorf("GUID after edit = %q, want %q", e.GUID(), old.GUID())
	}
	if !e.FirstSeen.Equal(old.FirstSeen) {
		t.Errorf("FirstSeen after edit = %v, want %v", e.FirstSeen, old.FirstSeen)
	}
	if !e.Updated.Equal(edited) || !e.Edited() {
		t.Errorf("Updated after edit = %v, want %v", e.Updated, edited)
	}
	if e.Hash == old.Hash {
		t.Error("Hash unchanged after edit")
	}
	if !strings.Contains(strings.Join(e.Body, " "), "real progress") {
		t.Error("body does not carry the edit")
	}
	atom := doc(t, s, PathAtom)
	if atom.ETag == oldAtom.ETag || !atom.Modified.Equal(edited) {
		t.Errorf("Atom ETag %s Modified %v after edit; before %s", atom.ETag, atom.Modified, oldAtom.ETag)
	}
	if !bytes.Contains(atom.Body, []byte("<updated>"+edited.Format(time.RFC3339)+"</updated>")) {
		t.Error("Atom has no updated time for the edit")
	}
	// A restart keeps the edit's time.
	f.clock.Advance(time.Hour)
	e2, _ := f.open(t).Snapshot().Article(idOf(name))
	if !e2.Updated.Equal(edited) || e2.GUID() != old.GUID() {
		t.Errorf("after restart Updated %v GUID %q, want %v %q", e2.Updated, e2.GUID(), edited, old.GUID())
	}
}

func TestAddAndRemove(t *testing.T) {
	const name = "004_e430f6a57860e91a.txt"
	f := newFixture(t, seedFiles(t)[:4]...)
	var changes []uint64
	c := f.open(t, func(o *Options) { o.OnChange = func(s *Snapshot) { changes = append(changes, s.Version) } })
	changes = nil
	added := f.clock.Advance(time.Minute)
	raw, _ := os.ReadFile(filepath.Join("..", "seeds", name))
	f.write(t, name, string(raw))
	mustApply(t, c, filepath.Join(f.dir, name)) // a path works as well as a name
	e, ok := c.Snapshot().Article(idOf(name))
	if !ok {
		t.Fatal("added file not in the corpus")
	}
	if !e.FirstSeen.Equal(added) {
		t.Errorf("FirstSeen = %v, want %v", e.FirstSeen, added)
	}
	if !bytes.Contains(doc(t, c.Snapshot(), PathAtom).Body, []byte(e.GUID())) {
		t.Error("added article not in the Atom feed")
	}

	f.clock.Advance(time.Minute)
	f.remove(t, name)
	mustApply(t, c, name)
	s := c.Snapshot()
	if _, ok := s.Article(idOf(name)); ok {
		t.Error("removed file still in the corpus")
	}
	if bytes.Contains(doc(t, s, PathAtom).Body, []byte(e.GUID())) {
		t.Error("removed article still in the Atom feed")
	}
	if got, want := changes, []uint64{2, 3}; !slices.Equal(got, want) {
		t.Errorf("OnChange versions = %v, want %v", got, want)
	}

	// Added back later, it keeps its first-seen time and id.
	f.clock.Advance(time.Hour)
	f.write(t, name, string(raw))
	if err := c.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	back, ok := c.Snapshot().Article(idOf(name))
	if !ok || !back.FirstSeen.Equal(added) || back.GUID() != e.GUID() || back.Edited() {
		t.Errorf("re-added: ok %v FirstSeen %v GUID %q edited %v, want %v %q false", ok, back.FirstSeen, back.GUID(), back.Edited(), added, e.GUID())
	}
}

func TestRescanRemovesMissingFiles(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	c := f.open(t)
	f.remove(t, "002_3bb022c722742749.txt")
	if err := c.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := len(c.Snapshot().Entries), 4; got != want {
		t.Errorf("entries = %d, want %d", got, want)
	}
	// Nor does it come back after a restart.
	if got, want := len(f.open(t).Snapshot().Entries), 4; got != want {
		t.Errorf("entries after restart = %d, want %d", got, want)
	}
}

func TestIgnoredNamesApply(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	c := f.open(t)
	v := c.Snapshot().Version
	for _, name := range []string{".x.txt", "a.txt~", "a.txt.swp", "a.tmp", "a.part", "#a.txt#", ".txt"} {
		f.write(t, name, "Text that looks like an article, with a full sentence in it.\n")
		mustApply(t, c, name)
	}
	if got := c.Snapshot().Version; got != v {
		t.Errorf("Version after ignored names = %d, want %d", got, v)
	}
}

func TestBrokenFiles(t *testing.T) {
	tests := []struct {
		name, text string
	}{
		{"empty.txt", ""},
		{"binary.txt", "\x00\x01\x02\x03\x00\x00\x00binary\x00\x00\xff\xfe\x00"},
		{"large.txt", strings.Repeat("Word after word makes a long article. ", 60000)},
	}
	f := newFixture(t, seedFiles(t)...)
	for _, tt := range tests {
		f.write(t, tt.name, tt.text)
	}
	c := f.open(t)
	s := c.Snapshot()
	if got, want := len(s.Entries), 5; got != want {
		t.Errorf("entries = %d, want %d", got, want)
	}
	for _, tt := range tests {
		if s.Failed[tt.name] == "" {
			t.Errorf("Failed[%s] = %q, want a reason", tt.name, s.Failed[tt.name])
		}
	}
	// A rescan with nothing changed neither re-reports nor re-renders.
	v := s.Version
	if err := c.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := c.Snapshot().Version; got != v {
		t.Errorf("Version after unchanged rescan = %d, want %d", got, v)
	}
	// Fixing a file clears its failure; removing one forgets it.
	raw, _ := os.ReadFile(filepath.Join("..", "seeds", "003_9b9c189b77a28c48.txt"))
	f.write(t, "empty.txt", string(raw))
	mustApply(t, c, "empty.txt")
	f.remove(t, "binary.txt")
	mustApply(t, c, "binary.txt")
	s = c.Snapshot()
	if _, ok := s.Article("empty"); !ok {
		t.Error("fixed file not in the corpus")
	}
	if got, want := len(s.Failed), 1; got != want || s.Failed["large.txt"] == "" {
		t.Errorf("Failed = %v, want only large.txt", s.Failed)
	}
}

// TestFileGoneBadKeepsLastGoodVersion documents the choice: a file that was
// accepted and then fails to parse keeps its last good version in the feed
// (and is listed in Failed) until it is fixed or removed.
func TestFileGoneBadKeepsLastGoodVersion(t *testing.T) {
	const name = "001_3d14f15a5a4da934.txt"
	f := newFixture(t, seedFiles(t)...)
	c := f.open(t)
	good, _ := c.Snapshot().Article(idOf(name))
	f.clock.Advance(time.Hour)
	f.write(t, name, "")
	mustApply(t, c, name)
	s := c.Snapshot()
	kept, ok := s.Article(idOf(name))
	if !ok || kept.Hash != good.Hash || kept.Title != good.Title {
		t.Fatalf("after going bad: ok %v, want the last good version kept", ok)
	}
	if s.Failed[name] == "" {
		t.Error("bad version not reported in Failed")
	}
	// Also across a restart.
	s = f.open(t).Snapshot()
	if _, ok := s.Article(idOf(name)); !ok || s.Failed[name] == "" {
		t.Errorf("after restart: kept %v, Failed %q", ok, s.Failed[name])
	}
	// Restoring the good text clears the failure without an update.
	raw, _ := os.ReadFile(filepath.Join("..", "seeds", name))
	f.write(t, name, string(raw))
	mustApply(t, c, name)
	s = c.Snapshot()
	e, _ := s.Article(idOf(name))
	if len(s.Failed) != 0 || e.Edited() {
		t.Errorf("after restore: Failed %v, Edited %v; want none, false", s.Failed, e.Edited())
	}
}

func TestIrrelevantLeftOut(t *testing.T) {
	const text = `Local team wins the cup final

The city's football club won the national cup on Sunday, beating its rivals two goals to one in front of a full stadium.

Fans celebrated in the streets until late at night, and the coach praised the players for their determination.

The club will play in the European qualifiers next season, its first appearance in a continental competition in a decade.
`
	f := newFixture(t, seedFiles(t)...)
	f.write(t, "football.txt", text)
	s := f.open(t).Snapshot()
	e, ok := s.Article("football")
	if !ok {
		t.Fatal("irrelevant article not kept in Entries")
	}
	if e.Class.Relevant {
		t.Skip("the taxonomy finds the football article relevant; nothing to test")
	}
	if slices.Contains(s.Visible(), e) || bytes.Contains(doc(t, s, PathAtom).Body, []byte(e.GUID())) {
		t.Error("irrelevant article visible")
	}
	all := f.open(t, func(o *Options) { o.IncludeIrrelevant = true }).Snapshot()
	if got, want := len(all.Visible()), 6; got != want {
		t.Errorf("with IncludeIrrelevant: visible = %d, want %d", got, want)
	}
}

func TestSameStoryRelated(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	raw, _ := os.ReadFile(filepath.Join("..", "seeds", "003_9b9c189b77a28c48.txt"))
	copied := strings.Replace(string(raw), "News ID: 318272", "Source: Caucasus Herald", 1)
	f.write(t, "copy_of_003.txt", copied)
	s := f.open(t).Snapshot()
	orig, _ := s.Article("003_9b9c189b77a28c48")
	cp, _ := s.Article("copy_of_003")
	if orig.Story != cp.Story {
		t.Fatalf("copy story %q, original %q: want the same", cp.Story, orig.Story)
	}
	if got := s.Related(orig); len(got) != 1 || got[0] != cp {
		t.Errorf("Related(original) = %v, want the copy", got)
	}
	other, _ := s.Article("001_3d14f15a5a4da934")
	if other.Story == orig.Story {
		t.Error("001 and 003 (different Sochi meetings) grouped as one story")
	}
	if got := s.Related(other); len(got) != 0 {
		t.Errorf("Related(001) = %d entries, want 0", len(got))
	}
}

func TestContextCancelled(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	c, err := Open(context.Background(), openDB(t, f.dbPath), Options{Dir: f.dir, BaseURL: testBase, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Rescan(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Rescan(cancelled) = %v, want context.Canceled", err)
	}
	if got := len(c.Snapshot().Entries); got != 0 {
		t.Errorf("entries after a cancelled rescan = %d, want 0", got)
	}
}

func TestDatabaseFailureChangesNothing(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	db := openDB(t, f.dbPath)
	c, err := Open(context.Background(), db, Options{Dir: f.dir, BaseURL: testBase, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := c.Rescan(context.Background()); err == nil {
		t.Fatal("Rescan with a closed database succeeded")
	}
	if got := len(c.Snapshot().Entries); got != 0 {
		t.Errorf("entries after a failed save = %d, want 0", got)
	}
	if _, err := Open(context.Background(), db, Options{Dir: f.dir, BaseURL: testBase}); err == nil {
		t.Error("Open with a closed database succeeded")
	}
}

// TestUnreadableRowIsReparsed spoils one row's saved fields, its
// fingerprint or both: the row is parsed again by the first scan, and
// the corpus is as before. Open builds the story index while it reads
// the records; a row whose record cannot be read is left out of it.
func TestUnreadableRowIsReparsed(t *testing.T) {
	tests := []struct{ name, set string }{
		{"fields", `themes = 'not json'`},
		{"fingerprint", `signature = x'01'`},
		{"both", `themes = 'not json', signature = x'01'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, seedFiles(t)...)
			c := f.open(t)
			want := states(c.Snapshot())
			db := openDB(t, f.dbPath)
			if _, err := db.Exec(`UPDATE articles SET ` + tt.set + ` WHERE id = '002_3bb022c722742749'`); err != nil {
				t.Fatal(err)
			}
			c = f.open(t)
			if got := states(c.Snapshot()); !mapsEqual(got, want) {
				t.Errorf("after a bad row:\n got %v\nwant %v", got, want)
			}
			// The row's line keys were counted before it was parsed again: they
			// are counted once, not twice.
			df, docs := recount(t, c)
			if got := savedCounts(t, c); !mapsEqualInt(got, df) || c.docs != docs {
				t.Errorf("line_df after the row was parsed again differs from a recount (%d keys, want %d; docs %d, want %d)", len(got), len(df), c.docs, docs)
			}
		})
	}
}

func TestParserVersionChangeReparses(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	c := f.open(t)
	first := c.Snapshot()
	db := openDB(t, f.dbPath)
	// Save 003's title in 001's row: only a new parser version re-parses it.
	if _, err := db.Exec(`UPDATE articles SET title = (SELECT title FROM articles WHERE id = '003_9b9c189b77a28c48') WHERE id = '001_3d14f15a5a4da934'`); err != nil {
		t.Fatal(err)
	}
	stale, _ := f.open(t).Snapshot().Article("001_3d14f15a5a4da934")
	if other, _ := first.Article("003_9b9c189b77a28c48"); stale.Title != other.Title {
		t.Fatalf("same parser version: title %q, want the cached %q", stale.Title, other.Title)
	}
	fresh, _ := f.open(t, func(o *Options) { o.ParserVersion = "test-2" }).Snapshot().Article("001_3d14f15a5a4da934")
	want, _ := first.Article("001_3d14f15a5a4da934")
	if fresh.Title != want.Title || fresh.Edited() {
		t.Errorf("new parser version: title %q edited %v, want %q false", fresh.Title, fresh.Edited(), want.Title)
	}
}

func TestApplyBatchRendersOnce(t *testing.T) {
	seeds := seedFiles(t)
	f := newFixture(t, seeds[:3]...)
	c := f.open(t)
	v := c.Snapshot().Version
	for _, name := range seeds[3:] {
		raw, _ := os.ReadFile(filepath.Join("..", "seeds", name))
		f.write(t, name, string(raw))
	}
	f.remove(t, seeds[0])
	if err := c.Apply(context.Background(), seeds[3], seeds[4], seeds[0], seeds[3], ".ignored.txt"); err != nil {
		t.Fatal(err)
	}
	s := c.Snapshot()
	if got, want := s.Version, v+1; got != want {
		t.Errorf("Version after one batch = %d, want %d", got, want)
	}
	if got, want := len(s.Entries), 4; got != want {
		t.Errorf("entries = %d, want %d", got, want)
	}
}

// TestRemovedFileWithoutItsParse checks that a file removed while its row
// has no parse (a row migrated from an older release) is removed cleanly.
func TestRemovedFileWithoutItsParse(t *testing.T) {
	const name = "001_3d14f15a5a4da934.txt"
	f := newFixture(t, seedFiles(t)...)
	f.open(t)
	db := openDB(t, f.dbPath)
	if _, err := db.Exec(`UPDATE articles SET extractor = '' WHERE id = ?`, idOf(name)); err != nil {
		t.Fatal(err)
	}
	f.remove(t, name)
	c := f.open(t)
	if _, ok := c.Snapshot().Article(idOf(name)); ok {
		t.Error("the removed file is still in the corpus")
	}
	var removed bool
	if err := db.QueryRow(`SELECT removed FROM articles WHERE id = ?`, idOf(name)).Scan(&removed); err != nil || !removed {
		t.Errorf("row after the removal: removed %v, %v", removed, err)
	}
}

// TestTouchedFileKeepsItsParse checks that a change of a file's time alone
// keeps the saved parse, so a later bad version still falls back to it
// after a restart.
func TestTouchedFileKeepsItsParse(t *testing.T) {
	const name = "001_3d14f15a5a4da934.txt"
	f := newFixture(t, seedFiles(t)...)
	c := f.open(t)
	good, _ := c.Snapshot().Article(idOf(name))
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(f.dir, name), later, later); err != nil {
		t.Fatal(err)
	}
	mustApply(t, c, name)
	f.write(t, name, "")
	s := f.open(t).Snapshot()
	if kept, ok := s.Article(idOf(name)); !ok || kept.Hash != good.Hash {
		t.Errorf("after a restart with a bad file: kept %v, want the last good version", ok)
	}
	if _, err := s.Full(context.Background(), idOf(name)); err != nil {
		t.Errorf("Full of the last good version: %v", err)
	}
}

// TestChangeSavedButNotBuiltIsPublishedLater checks that a change whose
// rows were saved but whose snapshot could not be built (here: the body
// of an entry the feed now carries cannot be read) reaches the feed with
// the next scan, even though that scan finds nothing new.
func TestChangeSavedButNotBuiltIsPublishedLater(t *testing.T) {
	seeds := seedFiles(t)
	f := newFixture(t, seeds...)
	c := f.open(t, func(o *Options) { o.Size = 1 })
	first, second := c.Snapshot().Visible()[0], c.Snapshot().Visible()[1]
	c.Snapshot().bodies = nil // as if no feed carried them: bodies are read when needed
	var body string
	if err := c.db.QueryRow(`SELECT body FROM article_texts WHERE id = ?`, second.ID).Scan(&body); err != nil {
		t.Fatal(err)
	}
	if _, err := c.db.Exec(`UPDATE article_texts SET body = 'not json' WHERE id = ?`, second.ID); err != nil {
		t.Fatal(err)
	}
	f.remove(t, first.File)
	if err := c.Rescan(context.Background()); err == nil || !strings.Contains(err.Error(), "read article") {
		t.Fatalf("Rescan with an unreadable body = %v, want an error reading it", err)
	}
	if _, ok := c.Snapshot().Article(first.ID); !ok {
		t.Fatal("the failed change was published")
	}
	if _, err := c.db.Exec(`UPDATE article_texts SET body = ? WHERE id = ?`, body, second.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.Rescan(context.Background()); err != nil {
		t.Fatalf("Rescan: %v", err)
	}
	if _, ok := c.Snapshot().Article(first.ID); ok {
		t.Error("the removed article is still in the feed after the next scan")
	}
}

func TestReadSeed(t *testing.T) {
	dir := t.TempDir()
	text := strings.Repeat("Armenia and Azerbaijan. ", 100)
	path := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		size int64 // what the stat said
	}{
		{"size as stated", int64(len(text))},
		{"grew since the stat", 10},
		{"grew from empty", 0},
		{"shrank since the stat", int64(len(text)) + 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readSeed(path, tt.size)
			if err != nil || string(got) != text {
				t.Errorf("readSeed = %d bytes, %v; want the whole file, %d bytes", len(got), err, len(text))
			}
		})
	}
	if _, err := readSeed(filepath.Join(dir, "missing.txt"), 10); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("readSeed of a missing file = %v, want fs.ErrNotExist", err)
	}
	if _, err := readSeed(dir, 10); err == nil {
		t.Error("readSeed of a folder succeeded")
	}
}

// TestRestartReparsesOnlyWhatChanged marks every saved row and restarts:
// a row is parsed again (its mark gone) only when its file's content, the
// parser version or the taxonomy changed.
func TestRestartReparsesOnlyWhatChanged(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("theme", "default.toml"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := theme.Parse("other.toml", append(raw, "\n# another version of the file\n"...))
	if err != nil {
		t.Fatal(err)
	}
	const edited = "001_3d14f15a5a4da934.txt"
	tests := []struct {
		name   string
		change func(f *fixture, o *Options)
		want   int // rows parsed again
	}{
		{"nothing", func(*fixture, *Options) {}, 0},
		{"file times only", func(f *fixture, _ *Options) {
			later := time.Now().Add(time.Hour)
			if err := os.Chtimes(filepath.Join(f.dir, edited), later, later); err != nil {
				t.Fatal(err)
			}
		}, 0},
		{"one file's content", func(f *fixture, _ *Options) {
			raw, _ := os.ReadFile(filepath.Join(f.dir, edited))
			f.write(t, edited, string(raw)+"\nThe talks will go on in Geneva next week, officials said.\n")
		}, 1},
		{"parser version", func(_ *fixture, o *Options) { o.ParserVersion = "test-2" }, len(seedFiles(t))},
		{"taxonomy", func(_ *fixture, o *Options) { o.Taxonomy = other }, len(seedFiles(t))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, seedFiles(t)...)
			f.open(t).Close()
			db := openDB(t, f.dbPath)
			if _, err := db.Exec(`UPDATE articles SET title = 'MARK'`); err != nil {
				t.Fatal(err)
			}
			var opts Options
			tt.change(f, &opts)
			c := f.open(t, func(o *Options) {
				if opts.ParserVersion != "" {
					o.ParserVersion = opts.ParserVersion
				}
				if opts.Taxonomy != nil {
					o.Taxonomy = opts.Taxonomy
				}
			})
			reparsed := 0
			for _, e := range c.Snapshot().Entries {
				if e.Title != "MARK" {
					reparsed++
				}
			}
			if reparsed != tt.want {
				t.Errorf("rows parsed again = %d, want %d", reparsed, tt.want)
			}
		})
	}
}

// TestFullReadsOneRow gives the body of an entry no feed carries (memory
// keeps none) from its row, by one query that SQLite answers from the
// primary key's index.
func TestFullReadsOneRow(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	c := f.open(t, func(o *Options) { o.Size = 1 })
	s := c.Snapshot()
	var outside *Entry
	for _, e := range s.Entries {
		if _, ok := s.feedBody(e.ID); !ok {
			outside = e
			break
		}
	}
	if outside == nil {
		t.Fatal("every entry has its body in memory with feeds of 1 entry")
	}
	full, err := s.Full(context.Background(), outside.ID)
	if err != nil || len(full.Body) == 0 {
		t.Fatalf("Full(%s) = %v, %v; want its body", outside.ID, full, err)
	}
	if outside.Body != nil {
		t.Error("Full changed the snapshot's entry")
	}
	var plan strings.Builder
	rows, err := c.db.Query(`EXPLAIN QUERY PLAN `+bodyQuery, outside.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(detail + "\n")
	}
	if got := plan.String(); !strings.Contains(got, "USING INDEX") || strings.Contains(got, "SCAN") {
		t.Errorf("query plan:\n%s\nwant one search by the primary key", got)
	}
	if _, err := s.Full(context.Background(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Full of an unknown id = %v, want ErrNotFound", err)
	}
}

// TestRescanInParts scans a folder in parts of two files, as a first
// start scans one larger than scanPart, and applies it as one batch of
// changes in parts, as when a folder is copied in: each part is saved
// before the next is read, the snapshot is published once, after the
// first part's preview (the corpus is empty: a first start shows its first
// part at once), and the articles, their stories and the line statistics
// are those of a scan in one part. Parts are bounded by their files' bytes
// too.
func TestRescanInParts(t *testing.T) {
	seeds := seedFiles(t)
	var published []int // the entries of each snapshot published
	scan := func(part int, bytes int64, apply bool) (*Corpus, *Snapshot) {
		f := newFixture(t)
		published = nil
		c, err := Open(context.Background(), openDB(t, f.dbPath), Options{Dir: f.dir, BaseURL: testBase, Now: f.clock.Now, ParserVersion: "test",
			OnChange: func(s *Snapshot) {
				published = append(published, len(s.Entries))
				if multi := part != scanPart || bytes != partBytes; s.Partial != (multi && len(published) == 1) {
					t.Errorf("snapshot %d of a change in parts of %d: Partial %v", len(published), part, s.Partial)
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		c.scanPart, c.partBytes = part, bytes
		if apply {
			if err := c.Rescan(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		names := append(slices.Clone(seeds), "zz_copy.txt")
		for _, name := range seeds {
			raw, err := os.ReadFile(filepath.Join("..", "seeds", name))
			if err != nil {
				t.Fatal(err)
			}
			f.write(t, name, string(raw))
		}
		raw, _ := os.ReadFile(filepath.Join("..", "seeds", seeds[1]))
		f.write(t, "zz_copy.txt", string(raw))
		before := c.Snapshot().Version
		if apply {
			err = c.Apply(context.Background(), names...)
		} else {
			err = c.Rescan(context.Background())
		}
		if err != nil {
			t.Fatal(err)
		}
		wantVersion, wantPublished := before+2, []int{min(part, len(names)), len(names)}
		if part == scanPart && bytes == partBytes { // one part
			wantVersion, wantPublished = before+1, []int{len(names)}
		} else if bytes == 1 {
			wantPublished[0] = 1
		}
		if v := c.Snapshot().Version; v != wantVersion || !slices.Equal(published[len(published)-len(wantPublished):], wantPublished) {
			t.Errorf("a change in parts of %d files (%d bytes, apply %v): Version %d, want %d; published snapshots of %v entries, want the first part's then all: %v",
				part, bytes, apply, v, wantVersion, published, wantPublished)
		}
		return c, c.Snapshot()
	}
	_, whole := scan(scanPart, partBytes, false)
	for _, tc := range []struct {
		part  int
		bytes int64
		apply bool
	}{{2, partBytes, false}, {2, partBytes, true}, {scanPart, 1, false}} {
		apply := tc.apply
		c, parts := scan(tc.part, tc.bytes, tc.apply)
		if got, want := snapshotStories(parts), snapshotStories(whole); !storiesEqual(got, want) {
			t.Errorf("stories in parts (apply %v)\n got %v\nwant %v", apply, got, want)
		}
		if len(parts.Visible()) != len(whole.Visible()) {
			t.Errorf("visible in parts (apply %v) = %d, want %d", apply, len(parts.Visible()), len(whole.Visible()))
		}
		want, docs := recount(t, c)
		if got := savedCounts(t, c); !maps.Equal(got, want) || c.docs != docs {
			t.Errorf("line_df after a change in parts (apply %v) differs from a recount (%d keys, want %d; docs %d, want %d)", apply, len(got), len(want), c.docs, docs)
		}
		if d := doc(t, parts, PathAtom); !bytes.Contains(d.Body, []byte("<entry>")) {
			t.Errorf("the feed of a change in parts (apply %v) has no entries", apply)
		}
	}
}

// TestRescanInPartsLogsProgress checks that a scan in several parts says
// how far it is after each part but the last, and a scan in one part
// says nothing of it; either reports the change once, whole.
func TestRescanInPartsLogsProgress(t *testing.T) {
	for _, tc := range []struct {
		part int
		want []string
	}{
		{2, []string{"files=2 of=6", "files=4 of=6"}},
		{scanPart, nil},
	} {
		f := newFixture(t, seedFiles(t)...)
		f.write(t, "zz_extra.txt", "Extra report\n\nBAKU -- Negotiators of Armenia and Azerbaijan met again on the peace treaty, officials said.\n")
		var log bytes.Buffer
		c, err := Open(context.Background(), openDB(t, f.dbPath), Options{Dir: f.dir, BaseURL: testBase, Now: f.clock.Now, ParserVersion: "test",
			Log: slog.New(slog.NewTextHandler(&log, nil))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		c.scanPart = tc.part
		if err := c.Rescan(context.Background()); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, line := range strings.Split(log.String(), "\n") {
			if strings.Contains(line, "reading the seeds folder") {
				i := strings.Index(line, "files=")
				got = append(got, line[i:i+len("files=2 of=6")])
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("parts of %d: progress %q, want %q\n%s", tc.part, got, tc.want, log.String())
		}
		// The change is reported once, with the articles of every part.
		if n := strings.Count(log.String(), `msg="corpus changed" added=6 updated=0 removed=0`); n != 1 {
			t.Errorf("parts of %d: %d reports of the whole change, want 1\n%s", tc.part, n, log.String())
		}
	}
}

// TestBodiesOnlyInFeeds adds articles one by one to a corpus whose feeds
// carry one entry: after each change, only the entries a feed carries have
// their body in memory, no entry or record holds one (it did: the body was
// written on the article every snapshot shares), Full gives every body,
// and the snapshot before keeps the bodies it had.
func TestBodiesOnlyInFeeds(t *testing.T) {
	f := newFixture(t)
	f.write(t, "p0.txt", sitePage(0))
	c := f.open(t, func(o *Options) { o.Size = 1; o.IncludeIrrelevant = true })
	for i := 1; i < 4; i++ {
		old := c.Snapshot()
		f.clock.Advance(24 * time.Hour)
		name := fmt.Sprintf("p%d.txt", i)
		f.write(t, name, sitePage(i))
		mustApply(t, c, name)
		s := c.Snapshot()
		carried := map[string]bool{s.Visible()[0].ID: true}
		for _, th := range s.Taxonomy.Themes {
			if es := s.ThemeEntries(th.ID); len(es) > 0 {
				carried[es[0].ID] = true
			}
		}
		for _, e := range s.Entries {
			if _, got := s.feedBody(e.ID); got != carried[e.ID] {
				t.Errorf("after p%d: %s has a body in memory: %v, want %v (carried by a feed)", i, e.ID, got, carried[e.ID])
			}
			if e.Body != nil {
				t.Errorf("after p%d: the entry of %s holds its body", i, e.ID)
			}
			if r := c.recs[e.ID]; r.entry.Body != nil {
				t.Errorf("after p%d: the record of %s holds its body", i, e.ID)
			}
			full, err := s.Full(context.Background(), e.ID)
			if err != nil || len(full.Body) == 0 {
				t.Errorf("after p%d: Full(%s) = %v, %v; want its body", i, e.ID, full, err)
			}
		}
		// The snapshot before keeps what it had.
		if b, ok := old.feedBody(old.Visible()[0].ID); !ok || len(b) == 0 {
			t.Errorf("after p%d: the previous snapshot's feed entry %s lost its body", i, old.Visible()[0].ID)
		}
	}
}

// TestHorizon checks that while a change publishes its snapshot, the
// horizon is before the first-seen time of the articles it adds (a digest
// ending its window there leaves them to the next window, which starts
// after the snapshot has them), and that an idle corpus's horizon is now.
func TestHorizon(t *testing.T) {
	f := newFixture(t)
	var c *Corpus
	var during time.Time
	c = f.open(t, func(o *Options) {
		o.OnChange = func(*Snapshot) { during = c.Horizon() }
	})
	f.clock.Advance(time.Hour)
	f.write(t, "new.txt", "Talks resume\n\nBAKU -- Negotiators of Armenia and Azerbaijan met again on the peace treaty, officials said.\n")
	mustApply(t, c, "new.txt")
	e, ok := c.Snapshot().Article("new")
	if !ok {
		t.Fatal("no entry for new.txt")
	}
	if !during.Before(e.FirstSeen) {
		t.Errorf("horizon during the change = %s, want before the new article's first sight %s", during, e.FirstSeen)
	}
	if h := c.Horizon(); !h.Equal(f.clock.Now()) {
		t.Errorf("horizon of an idle corpus = %s, want now %s", h, f.clock.Now())
	}
}

// TestFirstPartPublishedBeforeTheNextIsRead: a first start publishes its
// first part before it reads the next one, so readers wait for one part
// only: a file of the next part written while the first is published is
// read as it is then.
func TestFirstPartPublishedBeforeTheNextIsRead(t *testing.T) {
	seeds := seedFiles(t)
	f := newFixture(t, seeds...)
	next := seeds[2] // in the second part
	const title = "Written while the first part was published"
	c, err := Open(context.Background(), openDB(t, f.dbPath), Options{Dir: f.dir, BaseURL: testBase, Now: f.clock.Now, ParserVersion: "test",
		OnChange: func(s *Snapshot) {
			if s.Partial {
				f.write(t, next, title+"\n\nYEREVAN -- Armenian and Azerbaijani negotiators met in Brussels on the peace treaty, the foreign ministers said on Monday.\n")
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	c.scanPart = 2
	if err := c.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	e, ok := c.Snapshot().Article(idOf(next))
	if !ok || e.Title != title {
		t.Errorf("%s after the scan: %v, want the title written after the first part was published", next, e)
	}
}

// TestRestartKeepsChanged: Snapshot.Changed is when the articles last
// changed, which a restart that finds nothing new does not move (the
// pages' footer and an empty digests feed show it).
func TestRestartKeepsChanged(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	before := f.open(t).Snapshot()
	f.clock.Advance(72 * time.Hour)
	after := f.open(t).Snapshot()
	if !after.Changed.Equal(before.Changed) {
		t.Errorf("Changed after a restart with nothing changed = %v, want %v", after.Changed, before.Changed)
	}
}
