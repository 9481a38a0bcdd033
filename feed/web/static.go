package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/kdigest/kdigest/feed"
)

// Build writes the site as static files into dir: every page and feed the
// handler serves for snap, fetched in-process, a theme's older pages
// found by following its "Older" links (rel="next"). Pages go to
// PATH/index.html so links without extensions work on any static host.
func Build(ctx context.Context, h http.Handler, snap *feed.Snapshot, dir string) (int, error) {
	paths := []string{"/"}
	docs := map[string]bool{} // the documents keep their name; pages are PATH/index.html
	for _, d := range snap.Documents() {
		paths = append(paths, "/"+d)
		docs["/"+d] = true
	}
	for _, th := range snap.Taxonomy.Themes {
		paths = append(paths, "/themes/"+th.ID)
	}
	for _, e := range snap.Visible() {
		paths = append(paths, "/articles/"+url.PathEscape(e.ID))
	}
	written := map[string]bool{}          // the article folders this build writes
	older := map[string]map[string]bool{} // by theme, the older pages it writes
	for i := 0; i < len(paths); i++ {
		p := paths[i]
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, p, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return 0, fmt.Errorf("build %s: status %d", p, rec.Code)
		}
		body := rec.Body.Bytes()
		if err := writeFile(dir, p, !docs[p], bytes.NewReader(body)); err != nil {
			return 0, err
		}
		if id, ok := strings.CutPrefix(p, "/articles/"); ok {
			id, _ = url.PathUnescape(id)
			written[id] = true
		}
		if rest, ok := strings.CutPrefix(p, "/themes/"); ok && !docs[p] {
			if th, n, ok := strings.Cut(rest, "/page/"); ok {
				if older[th] == nil {
					older[th] = map[string]bool{}
				}
				older[th][n] = true
			}
			if m := nextPage.FindSubmatch(body); m != nil {
				if next, ok := strings.CutPrefix(html.UnescapeString(string(m[1])), snap.BaseURL); ok {
					paths = append(paths, next)
				}
			}
		}
	}
	if err := prune(filepath.Join(dir, "articles"), written); err != nil {
		return 0, err
	}
	for _, th := range snap.Taxonomy.Themes {
		if err := prune(filepath.Join(dir, "themes", th.ID, "page"), older[url.PathEscape(th.ID)]); err != nil {
			return 0, err
		}
	}
	return len(paths), nil
}

// nextPage finds a theme page's link to its older page.
var nextPage = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)

// prune removes the pages a previous build wrote into the folder dir, one
// NAME/index.html each (the articles, a theme's older pages), and this
// one did not (their seed was removed, or they are no longer shown): a
// rebuild publishes what serve serves, no more. Only NAME/index.html and
// the folder it leaves empty are removed.
func prune(dir string, written map[string]bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // no articles folder: nothing was built before
	}
	for _, e := range entries {
		if !e.IsDir() || written[e.Name()] {
			continue
		}
		page := filepath.Join(dir, e.Name(), "index.html")
		if err := os.Remove(page); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("build: remove %s: %w", page, err)
		}
		os.Remove(filepath.Join(dir, e.Name())) // only when empty
	}
	return nil
}

// writeFile writes body as the file of the path p in dir: PATH/index.html
// for a page (an article id may hold a dot), the path itself for a feed.
func writeFile(dir, p string, page bool, body io.Reader) error {
	rel, err := url.PathUnescape(strings.TrimPrefix(p, "/"))
	if err != nil {
		return fmt.Errorf("build %s: %w", p, err)
	}
	if page {
		rel = path.Join(rel, "index.html")
	}
	rel = filepath.FromSlash(rel)
	if !filepath.IsLocal(rel) {
		return fmt.Errorf("build %s: path escapes the output folder", p)
	}
	target := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fmt.Errorf("build %s: %w", p, err)
	}
	f, err := os.Create(target)
	if err != nil {
		return fmt.Errorf("build %s: %w", p, err)
	}
	if _, err := io.Copy(f, body); err != nil {
		f.Close()
		return fmt.Errorf("build %s: %w", p, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("build %s: %w", p, err)
	}
	return nil
}
