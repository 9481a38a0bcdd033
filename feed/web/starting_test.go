package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/kdigest/kdigest/feed"
)

// TestStartingServesTheSavedFeeds checks that while a restart loads its
// corpus, each saved feed is answered as the site answers it (same bytes
// and ETag, gzip, a conditional request's 304), and every other path,
// pages, forms and /healthz, 503 with Retry-After.
func TestStartingServesTheSavedFeeds(t *testing.T) {
	snap := openCorpus(t).Snapshot()
	docs := map[string]*feed.Document{}
	for _, p := range snap.Documents() {
		docs[p], _ = snap.Document(p)
	}
	site, err := NewServer(Options{Snapshot: func() *feed.Snapshot { return snap }})
	if err != nil {
		t.Fatal(err)
	}
	starting := Starting(docs)
	do := func(h http.Handler, method, path string, header ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for _, path := range []string{"/feed.atom", "/feed.rss", "/feed.json", "/feeds.opml", "/themes/summits.atom", "/themes/humanitarian.json"} {
		for _, enc := range []string{"", "gzip"} {
			want, got := do(site, "GET", path, "Accept-Encoding", enc), do(starting, "GET", path, "Accept-Encoding", enc)
			if got.Code != http.StatusOK || got.Body.String() != want.Body.String() || got.Header().Get("ETag") != want.Header().Get("ETag") ||
				got.Header().Get("Last-Modified") != want.Header().Get("Last-Modified") || got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
				t.Errorf("%s (%q): starting answers %d %q %q, the site %d %q %q", path, enc,
					got.Code, got.Header().Get("ETag"), got.Header().Get("Content-Type"), want.Code, want.Header().Get("ETag"), want.Header().Get("Content-Type"))
			}
			if w := do(starting, "GET", path, "Accept-Encoding", enc, "If-None-Match", want.Header().Get("ETag")); w.Code != http.StatusNotModified {
				t.Errorf("%s (%q) with the site's ETag: %d, want 304", path, enc, w.Code)
			}
		}
	}
	for _, req := range [][2]string{{"GET", "/"}, {"GET", "/articles/001_3d14f15a5a4da934"}, {"GET", "/themes/summits"},
		{"POST", "/subscribe"}, {"POST", "/feed.atom"}, {"GET", "/themes/nosuch.atom"}, {"GET", "/digests"}} {
		w := do(starting, req[0], req[1])
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
			t.Errorf("%s %s while starting: %d, Retry-After %q; want 503 with Retry-After", req[0], req[1], w.Code, w.Header().Get("Retry-After"))
		}
	}
	if w := do(Starting(nil), "GET", "/feed.atom"); w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("/feed.atom with nothing saved: %d, want 503 with Retry-After", w.Code)
	}
	w := do(starting, "GET", "/healthz")
	var health struct{ Status string }
	if err := json.Unmarshal(w.Body.Bytes(), &health); w.Code != http.StatusServiceUnavailable || err != nil || health.Status != "starting" {
		t.Errorf("/healthz while starting: %d %q (%v), want 503 and status \"starting\"", w.Code, w.Body, err)
	}
}
