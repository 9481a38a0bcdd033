package web

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/feed"
)

// TestPageCache renders a page once per snapshot: again for a new one,
// keeping Modified when the bytes did not change; for a request that
// still holds an older snapshot, it serves the page kept when that is the
// snapshot's, and otherwise renders it without keeping it.
func TestPageCache(t *testing.T) {
	old := &feed.Snapshot{Version: 1}
	cur := &feed.Snapshot{Version: 2}
	next := &feed.Snapshot{Version: 3}
	var c pageCache
	renders := 0
	page := func(body string, at time.Time) func(*feed.Snapshot, *feed.Document) (*feed.Document, error) {
		return func(_ *feed.Snapshot, prev *feed.Document) (*feed.Document, error) {
			renders++
			return feed.NewDocument([]byte(body), htmlType, at, prev), nil
		}
	}
	t0 := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	steps := []struct {
		name        string
		snap        *feed.Snapshot
		key, body   string
		wantRenders int
		wantBody    string
		wantMod     time.Time
	}{
		{"first", cur, "index", "a", 1, "a", t0},
		{"same snapshot", cur, "index", "b", 1, "a", t0},
		{"other page", cur, "theme/x", "x", 2, "x", t0.Add(2 * time.Minute)},
		{"older snapshot", old, "index", "old", 3, "old", t0.Add(3 * time.Minute)},
		{"still kept", cur, "index", "b", 3, "a", t0},
		{"new snapshot, same bytes", next, "index", "a", 4, "a", t0},
		{"a page still of the older snapshot", cur, "theme/x", "z", 4, "x", t0.Add(2 * time.Minute)},
		{"new snapshot, a page not rendered since", next, "theme/x", "y", 5, "y", t0.Add(7 * time.Minute)},
	}
	for i, st := range steps {
		// Step i renders at t0 + i minutes.
		d, err := c.get(st.snap, st.key, page(st.body, t0.Add(time.Duration(i)*time.Minute)))
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if renders != st.wantRenders || string(d.Body) != st.wantBody || !d.Modified.Equal(st.wantMod) {
			t.Errorf("%s: renders %d, body %q, modified %v; want %d, %q, %v", st.name, renders, d.Body, d.Modified, st.wantRenders, st.wantBody, st.wantMod)
		}
	}
}

// TestPagesServedAsDocuments serves the front page and a theme page with
// an ETag, 304 and gzip, and a change of the corpus shows at once.
func TestPagesServedAsDocuments(t *testing.T) {
	c := openCorpus(t)
	h, err := NewServer(Options{Snapshot: c.Snapshot, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/themes/summits"} {
		first, body := do(t, h, http.MethodGet, path, nil)
		etag := first.Header.Get("ETag")
		if first.StatusCode != http.StatusOK || etag == "" || first.Header.Get("Cache-Control") != pageCacheControl {
			t.Fatalf("%s: status %d, ETag %q, Cache-Control %q", path, first.StatusCode, etag, first.Header.Get("Cache-Control"))
		}
		again, _ := do(t, h, http.MethodGet, path, map[string]string{"If-None-Match": etag})
		if again.StatusCode != http.StatusNotModified {
			t.Errorf("%s with its ETag: status %d, want 304", path, again.StatusCode)
		}
		gz, _ := do(t, h, http.MethodGet, path, map[string]string{"Accept-Encoding": "gzip"})
		if gz.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: no gzip", path)
		}
		head, hb := do(t, h, http.MethodHead, path, nil)
		if head.StatusCode != http.StatusOK || len(hb) != 0 || head.Header.Get("Content-Length") != first.Header.Get("Content-Length") {
			t.Errorf("%s HEAD: status %d, %d body bytes, length %q", path, head.StatusCode, len(hb), head.Header.Get("Content-Length"))
		}
		if !strings.Contains(string(body), "</html>") {
			t.Errorf("%s: not a whole page", path)
		}
	}
	_, before := do(t, h, http.MethodGet, "/", nil)
	const title = "Armenian and Azerbaijani foreign ministers agree on a summit in Brussels"
	text := title + "\n\nBRUSSELS -- The foreign ministers of Armenia and Azerbaijan agreed on Monday to hold a summit on the peace treaty in Brussels next month, the European Union said.\n\nThe summit will discuss the border delimitation and the opening of transport links, officials said.\n"
	if err := os.WriteFile(filepath.Join(c.Dir(), "zz_new.txt"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(context.Background(), "zz_new.txt"); err != nil {
		t.Fatal(err)
	}
	_, after := do(t, h, http.MethodGet, "/", nil)
	if strings.Contains(string(before), title) || !strings.Contains(string(after), title) {
		t.Errorf("the front page does not follow the change: before %v, after %v", strings.Contains(string(before), title), strings.Contains(string(after), title))
	}
}
