package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/kdigest/kdigest/feed"
)

// Build writes the site as static files into dir: every page and feed the
// handler serves for snap, fetched in-process. Pages go to PATH/index.html
// so links without extensions work on any static host.
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
	written := map[string]bool{} // the article folders this build writes
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, p, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return 0, fmt.Errorf("build %s: status %d", p, rec.Code)
		}
		if err := writeFile(dir, p, !docs[p], rec.Result().Body); err != nil {
			return 0, err
		}
		if id, ok := strings.CutPrefix(p, "/articles/"); ok {
			id, _ = url.PathUnescape(id)
			written[id] = true
		}
	}
	return len(paths), pruneArticles(filepath.Join(dir, "articles"), written)
}

// pruneArticles removes the pages of articles a previous build wrote into
// the same folder and this one did not (their seed was removed, or they
// are no longer shown): a rebuild publishes what serve serves, no more.
// Only ID/index.html and the folder it leaves empty are removed.
func pruneArticles(dir string, written map[string]bool) error {
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
