package web

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kdigest/kdigest/feed"
)

// Two changes of the corpus within one second (the watcher applies a file
// 150 ms after it lands: a scraper writing a few files a second does it)
// give the feed two different bodies: the second gets a later
// Last-Modified, so a reader or cache that revalidates with
// If-Modified-Since alone gets the new feed, not 304.
func TestSameSecondChangeIsModified(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "seeds")
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "a.txt"), review4Article("Ministers meet in Brussels"), 0o644)
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: filepath.Join(tmp, "k.db")}).EscapedPath()+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	now := testNow.Add(100 * time.Millisecond)
	ctx := context.Background()
	c, err := feed.Open(ctx, db, feed.Options{Dir: dir, BaseURL: testBase, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if err := c.Rescan(ctx); err != nil {
		t.Fatal(err)
	}
	h, err := NewServer(Options{Snapshot: c.Snapshot, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	first, body1 := do(t, h, http.MethodGet, "/feed.atom", nil)
	lm := first.Header.Get("Last-Modified")

	now = testNow.Add(700 * time.Millisecond) // the same second
	os.WriteFile(filepath.Join(dir, "b.txt"), review4Article("Foreign ministers agree on the border commission"), 0o644)
	if err := c.Apply(ctx, "b.txt"); err != nil {
		t.Fatal(err)
	}
	_, body2 := do(t, h, http.MethodGet, "/feed.atom", nil)
	if string(body1) == string(body2) {
		t.Fatal("the feed did not change")
	}
	resp, _ := do(t, h, http.MethodGet, "/feed.atom", map[string]string{"If-Modified-Since": lm})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("If-Modified-Since %s after the feed changed: status %d, want 200 (Last-Modified now %s)", lm, resp.StatusCode, resp.Header.Get("Last-Modified"))
	}
}
