package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kdigest/kdigest/feed/web"
)

// TestHealthDegradedWhileWritesFail fills the database for real (SQLite's
// max_page_count: the next write that needs a page fails with "database or
// disk is full", as on a full disk) and checks that /healthz says
// "degraded" with 503 while the corpus and the ledger cannot save, and
// "ok" again once a write succeeds.
func TestHealthDegradedWhileWritesFail(t *testing.T) {
	ctx := context.Background()
	seeds := t.TempDir()
	c := testConfig(t, "--seeds", seeds, "--data", t.TempDir())
	e := env{getenv: os.Getenv, stdout: io.Discard, stderr: io.Discard}
	svc, err := openService(ctx, e, c, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if err := svc.scan(ctx); err != nil {
		t.Fatal(err)
	}
	dig, err := openDigest(ctx, e, c, svc, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := web.NewServer(web.Options{Snapshot: svc.corpus.Snapshot, Status: func() map[string]any { return svc.health(map[string]any{}) }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	health := func() (int, string, storageStatus) {
		t.Helper()
		resp, err := http.Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Status  string
			Storage storageStatus
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body.Status, body.Storage
	}
	if code, status, _ := health(); code != http.StatusOK || status != "ok" {
		t.Fatalf("before: /healthz %d %q, want 200 ok", code, status)
	}

	full := func(on bool) {
		t.Helper()
		n := 1 << 30
		if on {
			if err := svc.db.QueryRow(`PRAGMA page_count`).Scan(&n); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.db.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, n)); err != nil {
			t.Fatal(err)
		}
	}

	// The corpus cannot save a new article.
	full(true)
	writeFile(t, filepath.Join(seeds, "new-1.txt"), newArticle(1)+strings.Repeat("The talks went on. ", 2000))
	if err := svc.corpus.Rescan(ctx); err == nil {
		t.Fatal("the corpus saved a change on a full database")
	}
	code, status, st := health()
	if code != http.StatusServiceUnavailable || status != "degraded" || !strings.Contains(st.Error, "full") || st.Since.IsZero() {
		t.Errorf("while the corpus cannot save: /healthz %d %q %+v, want 503 degraded and the error", code, status, st)
	}

	// Space returns: the next change is saved, and health is ok again.
	full(false)
	if err := svc.corpus.Rescan(ctx); err != nil {
		t.Fatalf("rescan once space returned: %v", err)
	}
	if code, status, st := health(); code != http.StatusOK || status != "ok" || !st.OK {
		t.Errorf("after a saved change: /healthz %d %q %+v, want 200 ok", code, status, st)
	}

	// The ledger: subscribers cannot be added once the pages are used up.
	full(true)
	var subErr error
	for i := 0; i < 5000 && subErr == nil; i++ {
		_, subErr = dig.d.Subscribe(ctx, fmt.Sprintf("reader-%04d-%s@example.org", i, strings.Repeat("x", 40)))
	}
	if subErr == nil {
		t.Fatal("5000 subscribers fit in a full database")
	}
	if code, status, _ := health(); code != http.StatusServiceUnavailable || status != "degraded" {
		t.Errorf("while the ledger cannot save: /healthz %d %q, want 503 degraded (subscribe: %v)", code, status, subErr)
	}
	full(false)
	if _, err := dig.d.Subscribe(ctx, "ann@example.org"); err != nil {
		t.Fatal(err)
	}
	if code, status, _ := health(); code != http.StatusOK || status != "ok" {
		t.Errorf("after a saved subscriber: /healthz %d %q, want 200 ok", code, status)
	}

	// An error that is not the storage's (a duplicate) changes nothing.
	if _, err := dig.d.Subscribe(ctx, "ann@example.org"); err == nil {
		t.Fatal("a duplicate subscriber was accepted")
	}
	if code, _, _ := health(); code != http.StatusOK {
		t.Errorf("after a refused duplicate: /healthz %d, want 200", code)
	}
}
