package web

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kdigest/kdigest/feed"
)

// TestPagesUnderBasePath crawls every page and feed of a site whose base
// URL has a path, with an article id holding a space and "ä#?": every
// link stays under the base URL and answers 200.
func TestPagesUnderBasePath(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "seeds")
	os.Mkdir(dir, 0o755)
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "seeds", "*.txt"))
	for _, s := range seeds {
		raw, _ := os.ReadFile(s)
		os.WriteFile(filepath.Join(dir, filepath.Base(s)), raw, 0o644)
	}
	raw, _ := os.ReadFile(seeds[3])
	os.WriteFile(filepath.Join(dir, "weird id ä#?.txt"), append([]byte("Extra words to differ Lachin corridor talks.\n\n"), raw...), 0o644)
	db, _ := sql.Open("sqlite", "file:"+(&url.URL{Path: filepath.Join(tmp, "k.db")}).EscapedPath())
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	c, err := feed.Open(context.Background(), db, feed.Options{Dir: dir, BaseURL: "https://example.org/kdigest/", Now: fixedNow, IncludeIrrelevant: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	c.Rescan(context.Background())
	h, err := NewServer(Options{Snapshot: c.Snapshot, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	href := regexp.MustCompile(`(?:href|action)="([^"]*)"`)
	seen := map[string]bool{}
	queue := []string{"/"}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		resp, body := do(t, h, http.MethodGet, p, nil)
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
			continue
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			continue
		}
		for _, m := range href.FindAllStringSubmatch(string(body), -1) {
			u := strings.ReplaceAll(m[1], "&amp;", "&")
			if strings.HasPrefix(u, "https://example.org/kdigest/") {
				queue = append(queue, "/"+strings.TrimPrefix(u, "https://example.org/kdigest/"))
			} else if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
				t.Errorf("%s: link %q is not under the base URL", p, u)
			}
		}
	}
	t.Logf("crawled %d paths", len(seen))
}
