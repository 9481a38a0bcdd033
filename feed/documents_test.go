package feed

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestSavedDocumentsAreTheLastPublished checks that after a change the
// database holds every document of the published snapshot, byte for byte
// with its ETag, type and Last-Modified, for the same options; that other
// options (another title, base URL or feed size) find none; and that a
// database without the table has none.
func TestSavedDocumentsAreTheLastPublished(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	c := f.open(t, func(o *Options) { o.SaveDocuments = true })
	f.clock.Advance(time.Hour)
	f.write(t, "added.txt", storyReport("Azatutyun", 3))
	mustApply(t, c, "added.txt")
	opts := Options{Dir: f.dir, BaseURL: testBase, ParserVersion: "test"}
	saved, err := SavedDocuments(context.Background(), c.db, opts)
	if err != nil {
		t.Fatal(err)
	}
	s := c.Snapshot()
	if len(saved) != len(s.Documents()) {
		t.Errorf("%d documents saved, the snapshot has %d", len(saved), len(s.Documents()))
	}
	for _, p := range s.Documents() {
		want, got := doc(t, s, p), saved[p]
		if got == nil {
			t.Errorf("%s not saved", p)
			continue
		}
		if !bytes.Equal(got.Body, want.Body) || got.ETag != want.ETag || got.ContentType != want.ContentType || !got.Modified.Equal(want.Modified) {
			t.Errorf("%s saved as %s %s %v (%d bytes), published as %s %s %v (%d bytes)", p,
				got.ETag, got.ContentType, got.Modified, len(got.Body), want.ETag, want.ContentType, want.Modified, len(want.Body))
		}
	}
	for name, mod := range map[string]func(*Options){
		"title":    func(o *Options) { o.Title = "Another title" },
		"base URL": func(o *Options) { o.BaseURL = "https://elsewhere.example.org" },
		"size":     func(o *Options) { o.Size = 7 },
		"version":  func(o *Options) { o.ParserVersion = "other" },
	} {
		o := opts
		mod(&o)
		if docs, err := SavedDocuments(context.Background(), c.db, o); err != nil || len(docs) != 0 {
			t.Errorf("another %s: %d saved documents (%v), want none", name, len(docs), err)
		}
	}
	empty := openDB(t, t.TempDir()+"/empty.db")
	if docs, err := SavedDocuments(context.Background(), empty, opts); err != nil || docs != nil {
		t.Errorf("a database without the table: %v, %v; want none", docs, err)
	}
}

// TestFailedSaveLeavesNoStaleDocuments checks that when the documents of
// a change cannot be saved, the change stands, a warning says so, and the
// saved copy is cleared rather than left a change behind.
func TestFailedSaveLeavesNoStaleDocuments(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	var log bytes.Buffer
	c := f.open(t, func(o *Options) { o.Log, o.SaveDocuments = slog.New(slog.NewTextHandler(&log, nil)), true })
	if _, err := c.db.Exec(`CREATE TRIGGER refuse BEFORE INSERT ON feed_documents BEGIN SELECT RAISE(ABORT, 'disk says no'); END`); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	f.write(t, "added.txt", storyReport("Azatutyun", 3))
	mustApply(t, c, "added.txt")
	if _, ok := c.Snapshot().Article("added"); !ok {
		t.Fatal("the change did not stand")
	}
	if !strings.Contains(log.String(), "could not be saved") || !strings.Contains(log.String(), "disk says no") {
		t.Errorf("no warning of the failed save:\n%s", log.String())
	}
	saved, err := SavedDocuments(context.Background(), c.db, Options{Dir: f.dir, BaseURL: testBase, ParserVersion: "test"})
	if err != nil || len(saved) != 0 {
		t.Errorf("after a failed save %d documents are saved (%v), want none", len(saved), err)
	}
}

// TestDocumentsSavedOnlyWhenAsked checks that a corpus opened for one job
// (kdigest digest, build) leaves the saved documents of the service as
// they are.
func TestDocumentsSavedOnlyWhenAsked(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	c := f.open(t)
	saved, err := SavedDocuments(context.Background(), c.db, Options{Dir: f.dir, BaseURL: testBase, ParserVersion: "test"})
	if err != nil || len(saved) != 0 {
		t.Errorf("a corpus without SaveDocuments saved %d documents (%v)", len(saved), err)
	}
}
