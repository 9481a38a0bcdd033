package web

import (
	"context"
	"net/http"
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
	now := testNow.Add(100 * time.Millisecond)
	c := openCorpusWith(t, feed.Options{Now: func() time.Time { return now }}, nil)
	h, err := NewServer(Options{Snapshot: c.Snapshot, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	first, body1 := do(t, h, http.MethodGet, "/feed.atom", nil)
	lm := first.Header.Get("Last-Modified")

	now = testNow.Add(700 * time.Millisecond) // the same second
	if err := os.WriteFile(filepath.Join(c.Dir(), "b.txt"), briefArticle("Foreign ministers agree on the border commission"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(context.Background(), "b.txt"); err != nil {
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
