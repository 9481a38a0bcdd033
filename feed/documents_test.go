package feed

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
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
		"release":  func(o *Options) { o.Release = "kdigest revision 2222222" },
		"feed id":  func(o *Options) { o.FeedID = "other.example.org,2027" },
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

// TestSavedDocumentsNotBehindTheRows checks that a restart is not served
// documents older than the articles' rows: while serve is stopped, a
// `kdigest build` (or digest) scans the folder into the same database and
// saves a change, here a takedown (a file removed). The saved feeds,
// written by the service before, still carry the removed article, and a
// restart served it again until its corpus was loaded. A crash between a
// change's commit and the documents' save leaves the same gap.
func TestSavedDocumentsNotBehindTheRows(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	f.write(t, "takedown.txt", storyReport("Azatutyun", 28))
	service := f.open(t, func(o *Options) { o.SaveDocuments = true })
	if !bytes.Contains(doc(t, service.Snapshot(), "feed.atom").Body, []byte("/articles/takedown")) {
		t.Fatal("the feed does not carry takedown.txt to begin with")
	}
	service.Close()
	// kdigest build, serve stopped: its own handle, its own scan.
	f.remove(t, "takedown.txt")
	f.clock.Advance(time.Hour)
	cli := f.openAnother(t)
	if _, ok := cli.Snapshot().Article("takedown"); ok {
		t.Fatal("the other process still shows takedown.txt")
	}
	saved, err := SavedDocuments(context.Background(), openDB(t, f.dbPath), Options{Dir: f.dir, BaseURL: testBase, ParserVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if d := saved["feed.atom"]; d != nil && bytes.Contains(d.Body, []byte("/articles/takedown")) {
		t.Errorf("a restart would serve a feed.atom that still carries the removed article (saved before the other process's change)")
	}
}

// TestSavedDocumentsFollowTheStoredFeedID checks that a restart does not
// serve feeds whose ids are not the ones it will serve: `kdigest build
// --feed-id` stores a new feed id, which a serve without --feed-id then
// uses, but the documents saved under the old one were served first.
func TestSavedDocumentsFollowTheStoredFeedID(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	service := f.open(t, func(o *Options) { o.SaveDocuments = true })
	service.Close()
	cli, err := Open(context.Background(), openDB(t, f.dbPath), Options{Dir: f.dir, BaseURL: testBase, Now: f.clock.Now, ParserVersion: "test", FeedID: "other.example.org,2027"})
	if err != nil {
		t.Fatal(err)
	}
	cli.Close()
	saved, err := SavedDocuments(context.Background(), openDB(t, f.dbPath), Options{Dir: f.dir, BaseURL: testBase, ParserVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if d := saved["feed.atom"]; d != nil && !bytes.Contains(d.Body, []byte("tag:other.example.org,2027:")) {
		t.Errorf("a restart would serve a feed.atom with the old feed id; the stored one is other.example.org,2027:\n%.300s", d.Body)
	}
}

// TestSaveAfterAFailedSaveIsWhole checks that the save after a failed one
// (which cleared the saved copy) writes every document again, not only
// those the change rendered anew: else a restart served a few feeds and
// answered 503 for the rest, or, of a theme feed the change did not
// touch, nothing at all.
func TestSaveAfterAFailedSaveIsWhole(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	c := f.open(t, func(o *Options) { o.SaveDocuments = true })
	if _, err := c.db.Exec(`CREATE TRIGGER refuse BEFORE INSERT ON feed_documents BEGIN SELECT RAISE(ABORT, 'disk says no'); END`); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	f.write(t, "added.txt", storyReport("Azatutyun", 3))
	mustApply(t, c, "added.txt")
	if _, err := c.db.Exec(`DROP TRIGGER refuse`); err != nil { // the disk has room again
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	f.write(t, "added2.txt", storyReport("News.am", 4))
	mustApply(t, c, "added2.txt")
	saved, err := SavedDocuments(context.Background(), c.db, Options{Dir: f.dir, BaseURL: testBase, ParserVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(saved) != 0 && len(saved) != len(c.Snapshot().Documents()) {
		t.Errorf("%d of the snapshot's %d documents are saved after the save that followed a failed one", len(saved), len(c.Snapshot().Documents()))
	}
}

// TestSavedDocumentsKeptAfterATimeOnlyChange checks that a change that
// saves rows but leaves the feeds as they are (a file's time moved:
// touch, rsync -a, a git checkout) keeps the saved feeds servable: its
// rows move the tables' generation, and the documents, not saved again
// since nothing in them changed, stayed under the old one, so the next
// restart served nothing before its corpus loaded.
func TestSavedDocumentsKeptAfterATimeOnlyChange(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	c := f.open(t, func(o *Options) { o.SaveDocuments = true })
	name := seedFiles(t)[0]
	later := f.clock.Advance(time.Hour)
	if err := os.Chtimes(filepath.Join(f.dir, name), later, later); err != nil {
		t.Fatal(err)
	}
	mustApply(t, c, name)
	saved, err := SavedDocuments(context.Background(), c.db, Options{Dir: f.dir, BaseURL: testBase, ParserVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(saved) != len(c.Snapshot().Documents()) {
		t.Errorf("after a change of a file's time, %d of the snapshot's %d documents would be served by a restart", len(saved), len(c.Snapshot().Documents()))
	}
}

// TestNoDocumentsSavedOfAnEmptyCorpus checks that the feeds of a corpus
// with no article are not saved: a first start stopped before its first
// part is saved restarts answering 503 until it is loaded, not with empty
// feeds a reader would cache.
func TestNoDocumentsSavedOfAnEmptyCorpus(t *testing.T) {
	f := newFixture(t)
	c := f.open(t, func(o *Options) { o.SaveDocuments = true })
	saved, err := SavedDocuments(context.Background(), c.db, Options{Dir: f.dir, BaseURL: testBase, ParserVersion: "test"})
	if err != nil || len(saved) != 0 {
		t.Errorf("an empty corpus saved %d documents (%v), want none", len(saved), err)
	}
}

// TestRestartKeepsLastModified checks that a restart over unchanged
// articles publishes its feeds with the Last-Modified the last run gave
// the same bytes, not the time of the restart: the saved copy is served
// with it while the corpus loads, and a reader revalidating with
// If-Modified-Since alone must not get the whole feed again (and a new
// Last-Modified) once the corpus is loaded, after every restart.
func TestRestartKeepsLastModified(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	save := func(o *Options) { o.SaveDocuments = true }
	before := f.open(t, save).Snapshot()
	f.clock.Advance(time.Hour)
	after := f.open(t, save).Snapshot()
	for _, p := range before.Documents() {
		was, now := doc(t, before, p), doc(t, after, p)
		if now.ETag != was.ETag {
			t.Fatalf("%s changed over a restart of unchanged articles: %s, was %s", p, now.ETag, was.ETag)
		}
		if !now.Modified.Equal(was.Modified) {
			t.Errorf("%s: Last-Modified %v after the restart, %v before, for the same bytes", p, now.Modified, was.Modified)
		}
	}
}
