package feed

import (
	"bytes"
	"log/slog"
	"testing"
)

// TestStoriesAreCachedWhileTheCorpusIsUnchanged checks that a restart with
// the same articles reuses the saved grouping, that a change groups again,
// and that an unreadable saved grouping is computed again.
func TestStoriesAreCachedWhileTheCorpusIsUnchanged(t *testing.T) {
	const id = "001_3d14f15a5a4da934"
	f := newFixture(t, seedFiles(t)...)
	e, _ := f.open(t).Snapshot().Article(id)
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
	if _, err := c.db.Exec(`DROP TABLE stories`); err != nil {
		t.Fatal(err)
	}
	f.write(t, "zzz_new.txt", "Talks resumed in Brussels on the peace treaty between Armenia and Azerbaijan.\n")
	mustApply(t, c, "zzz_new.txt")
	if _, ok := c.Snapshot().Article("zzz_new"); !ok {
		t.Error("the new article is missing after a failed save of the stories")
	}
	if !bytes.Contains(logs.Bytes(), []byte("stories not saved")) {
		t.Errorf("no warning about the stories in the log:\n%s", logs.Bytes())
	}
}
