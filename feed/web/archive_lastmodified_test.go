package web

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/kdigest/kdigest/feed"
)

type stubArchive struct{ issues []Issue }

func (a *stubArchive) Issues(ctx context.Context, limit int) ([]Issue, error) { return a.issues, nil }
func (a *stubArchive) Issue(ctx context.Context, id string) (*Issue, error) {
	for i := range a.issues {
		if a.issues[i].ID == id {
			return &a.issues[i], nil
		}
	}
	return nil, ErrNoIssue
}

// TestArchiveFeedLastModifiedNeverGoesBack: the first digest is made at
// 09:30 and listed once sent; the corpus changed at 10:00 meanwhile, and a
// reader polled /digests.atom then. Its next conditional poll
// (If-Modified-Since only, as many readers send) must get the new issue,
// not a 304.
func TestArchiveFeedLastModifiedNeverGoesBack(t *testing.T) {
	c := openCorpus(t)
	snap := *c.Snapshot()
	snap.Scanned = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	arch := &stubArchive{}
	h, err := NewServer(Options{Snapshot: func() *feed.Snapshot { return &snap }, Now: fixedNow, Archive: arch})
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := do(t, h, http.MethodGet, "/digests.atom", nil)
	lm := resp.Header.Get("Last-Modified")
	t.Logf("empty archive: %d, Last-Modified %s", resp.StatusCode, lm)

	arch.issues = []Issue{{ID: "2026-11-23", Name: "Weekly", Subject: "Karabakh diplomacy, 16–22 Nov", Period: "16–22 Nov 2026",
		Created: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC), Articles: 3}}
	resp, _ = do(t, h, http.MethodGet, "/digests.atom", map[string]string{"If-Modified-Since": lm})
	t.Logf("after the first issue: %d, Last-Modified %s", resp.StatusCode, resp.Header.Get("Last-Modified"))
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/digests.atom answered %d to If-Modified-Since %s although its content changed (the first issue); Last-Modified went back to %s",
			resp.StatusCode, lm, resp.Header.Get("Last-Modified"))
	}
}

// TestArchiveSlashRedirects checks that the archive's addresses with a
// trailing slash redirect to theirs, as an article's and a theme's do.
func TestArchiveSlashRedirects(t *testing.T) {
	c := openCorpus(t)
	arch := &stubArchive{issues: []Issue{{ID: "1", Name: "Weekly", Subject: "Karabakh diplomacy, 16–22 Nov",
		Created: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC), Articles: 3}}}
	h, err := NewServer(Options{Snapshot: c.Snapshot, Now: fixedNow, Archive: arch})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"/digests/": "/digests", "/digests/1/": "/digests/1"} {
		resp, _ := do(t, h, http.MethodGet, path, nil)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != c.Snapshot().BaseURL+want {
			t.Errorf("GET %s = %d to %q, want 301 to %s", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
}
