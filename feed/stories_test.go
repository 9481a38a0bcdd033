package feed

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStoriesAreCachedWhileTheCorpusIsUnchanged checks that a restart with
// the same articles reuses the saved grouping, that a change groups again,
// and that an unreadable saved grouping is computed again.
func TestStoriesAreCachedWhileTheCorpusIsUnchanged(t *testing.T) {
	const id = "001_3d14f15a5a4da934"
	f := newFixture(t, seedFiles(t)...)
	first := f.open(t)
	first.Close() // the grouping saved
	e, _ := first.Snapshot().Article(id)
	if e.Story != id {
		t.Fatalf("story of %s = %q, want its own", id, e.Story)
	}

	// Tamper with the saved grouping: a restart must show it, proving
	// that nothing was grouped again.
	db := openDB(t, f.dbPath)
	if _, err := db.Exec(`UPDATE stories SET groups = '{"` + id + `":"tampered"}'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	c := f.open(t)
	if e, _ := c.Snapshot().Article(id); e.Story != "tampered" {
		t.Errorf("story after restart = %q, want the saved one", e.Story)
	}

	// A new article changes the key: everything is grouped again.
	f.write(t, "zzz_new.txt", "Talks resumed in Brussels on the peace treaty between Armenia and Azerbaijan.\n")
	mustApply(t, c, "zzz_new.txt")
	if e, _ := c.Snapshot().Article(id); e.Story != id {
		t.Errorf("story after a change = %q, want %q", e.Story, id)
	}

	// A saved grouping that cannot be read is a cache miss, not an error.
	db = openDB(t, f.dbPath)
	if _, err := db.Exec(`UPDATE stories SET groups = 'not json'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if e, _ := f.open(t).Snapshot().Article(id); e.Story != id {
		t.Errorf("story with an unreadable cache = %q, want %q", e.Story, id)
	}
}

// TestStoriesNotSavedIsOnlyAWarning checks that a grouping that cannot be
// saved leaves the change applied and says so in the log.
func TestStoriesNotSavedIsOnlyAWarning(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	var logs bytes.Buffer
	c := f.open(t, func(o *Options) { o.Log = slog.New(slog.NewTextHandler(&logs, nil)) })
	c.Close() // the first grouping saved
	if _, err := c.db.Exec(`DROP TABLE stories`); err != nil {
		t.Fatal(err)
	}
	f.write(t, "zzz_new.txt", "Talks resumed in Brussels on the peace treaty between Armenia and Azerbaijan.\n")
	mustApply(t, c, "zzz_new.txt")
	if _, ok := c.Snapshot().Article("zzz_new"); !ok {
		t.Error("the new article is missing after a failed save of the stories")
	}
	c.Close() // the logs written
	if !bytes.Contains(logs.Bytes(), []byte("stories not saved")) {
		t.Errorf("no warning about the stories in the log:\n%s", logs.Bytes())
	}
}

// TestStoriesAfterRestartUseSavedFingerprints checks that a change after a
// restart groups with the fingerprints saved in the database (a restart
// does not load them), that a record saved without its fingerprint keeps
// the stored one, and that an unreadable fingerprint is computed again.
func TestStoriesAfterRestartUseSavedFingerprints(t *testing.T) {
	const orig = "001_3d14f15a5a4da934"
	f := newFixture(t, seedFiles(t)...)
	raw, err := os.ReadFile(filepath.Join(f.dir, orig+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	f.write(t, "zzz_copy.txt", string(raw))
	f.open(t)

	tests := []struct {
		name   string
		before func(t *testing.T, c *Corpus) // after the restart, before the change
	}{
		{"saved fingerprints", func(*testing.T, *Corpus) {}},
		{"record saved without its fingerprint", func(t *testing.T, c *Corpus) {
			f.remove(t, "zzz_copy.txt")
			mustApply(t, c, "zzz_copy.txt")
			f.write(t, "zzz_copy.txt", string(raw))
			mustApply(t, c, "zzz_copy.txt")
		}},
		{"unreadable fingerprint", func(t *testing.T, c *Corpus) {
			if _, err := c.db.Exec(`UPDATE prints SET print = x'0102' WHERE id = 'zzz_copy'`); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for i, tt := range tests {
		for _, ahead := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/read ahead=%v", tt.name, ahead), func(t *testing.T) {
				c := f.open(t)
				tt.before(t, c)
				if ahead {
					c.ReadAhead(context.Background())
				}
				name := fmt.Sprintf("zzz_other%d_%v.txt", i, ahead)
				f.write(t, name, "A football club won the national cup on Sunday in a match watched by thousands.\n")
				mustApply(t, c, name)
				if e, _ := c.Snapshot().Article("zzz_copy"); e.Story != orig {
					t.Errorf("story of the copy = %q, want %q", e.Story, orig)
				}
			})
		}
	}
}

// TestReadAhead checks that ReadAhead after a warm start reads every
// fingerprint the first change needs, and that when it cannot read them
// it says so and the change reads them itself.
func TestReadAhead(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	f.open(t)

	c := f.open(t) // warm: the saved stories hold, no fingerprint is read
	c.ReadAhead(context.Background())
	c.ReadAhead(context.Background()) // a second call while one reads starts no other
	c.mu.Lock()
	got := c.takePreloaded()
	c.mu.Unlock()
	if n := len(c.Snapshot().Entries); len(got) != n {
		t.Errorf("read ahead %d fingerprints, want the %d of the corpus", len(got), n)
	}

	var logs bytes.Buffer
	c = f.open(t, func(o *Options) { o.Log = slog.New(slog.NewTextHandler(&logs, nil)) })
	if _, err := c.db.Exec(`ALTER TABLE prints RENAME COLUMN print TO unreadable`); err != nil {
		t.Fatal(err)
	}
	c.ReadAhead(context.Background())
	c.mu.Lock()
	got = c.takePreloaded()
	c.mu.Unlock()
	if got != nil || !strings.Contains(logs.String(), "fingerprints not read ahead") {
		t.Errorf("unreadable table: read %d, log %q; want nothing read and a warning", len(got), logs.String())
	}
	if _, err := c.db.Exec(`ALTER TABLE prints RENAME COLUMN unreadable TO print`); err != nil {
		t.Fatal(err)
	}
	f.write(t, "zzz_new.txt", "Armenian and Azerbaijani negotiators met in Brussels on Monday for border talks.\n")
	mustApply(t, c, "zzz_new.txt")
	if _, ok := c.Snapshot().Article("zzz_new"); !ok {
		t.Error("the change after a failed read-ahead did not publish its article")
	}
}
