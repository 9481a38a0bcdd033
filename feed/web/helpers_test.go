package web

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kdigest/kdigest/feed"

	_ "modernc.org/sqlite"
)

// testBase is the base URL of every test corpus.
const testBase = "https://kdigest.example.org"

// testNow is the fixed clock of every test: goldens depend on it.
var testNow = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }

// openCorpus copies the project's seeds into a temp folder, opens a corpus
// over them with SQLite in the same folder and the fixed clock, and scans.
func openCorpus(t testing.TB) *feed.Corpus {
	t.Helper()
	return openCorpusWith(t, feed.Options{}, nil)
}

// openCorpusWith is openCorpus with corpus options (Dir is set here, and
// BaseURL and Now when they are not) and extra seed files by name.
func openCorpusWith(t testing.TB, opts feed.Options, extra map[string][]byte) *feed.Corpus {
	t.Helper()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "seeds")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	seeds, err := filepath.Glob(filepath.Join("..", "..", "seeds", "*.txt"))
	if err != nil || len(seeds) == 0 {
		t.Fatalf("seeds: %v (found %d)", err, len(seeds))
	}
	for _, s := range seeds {
		raw, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(s)), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, raw := range extra {
		if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dsn := "file:" + (&url.URL{Path: filepath.Join(tmp, "kdigest.db")}).EscapedPath() +
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	opts.Dir = dir
	if opts.BaseURL == "" {
		opts.BaseURL = testBase
	}
	if opts.Now == nil {
		opts.Now = fixedNow
	}
	c, err := feed.Open(ctx, db, opts)
	if err != nil {
		t.Fatalf("open corpus: %v", err)
	}
	t.Cleanup(c.Close) // before the database closes
	if err := c.Rescan(ctx); err != nil {
		t.Fatalf("rescan: %v", err)
	}
	return c
}

// newHandler builds the site's handler over a fresh corpus; opts may set
// anything but Snapshot and Now.
func newHandler(t testing.TB, opts Options) (http.Handler, *feed.Snapshot) {
	t.Helper()
	c := openCorpus(t)
	opts.Snapshot = c.Snapshot
	opts.Now = fixedNow
	h, err := NewServer(opts)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	return h, c.Snapshot()
}

// do sends one request to h in-process and returns the response with its
// body read.
func do(t testing.TB, h http.Handler, method, target string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	resp := rec.Result()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}
