package web

import (
	"net/http"
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
	raw, err := os.ReadFile(filepath.Join("..", "..", "seeds", "003_9b9c189b77a28c48.txt"))
	if err != nil {
		t.Fatal(err)
	}
	c := openCorpusWith(t, feed.Options{BaseURL: "https://example.org/kdigest/", IncludeIrrelevant: true},
		map[string][]byte{"weird id ä#?.txt": append([]byte("Extra words to differ Lachin corridor talks.\n\n"), raw...)})
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
