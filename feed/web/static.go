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
	"strconv"
	"strings"

	"github.com/kdigest/kdigest/feed"
)

// Build writes the site as static files into dir: every page and feed a
// server of opts serves for one snapshot (opts.Snapshot's, taken once, so
// a change during the build cannot mix two), fetched in-process, a theme's
// older pages included. Pages go to PATH/index.html so links without
// extensions work on any static host. It returns how many files it wrote.
func Build(ctx context.Context, opts Options, dir string) (int, error) {
	if opts.Snapshot == nil {
		return 0, ErrNoSnapshot
	}
	snap := opts.Snapshot()
	opts.Snapshot = func() *feed.Snapshot { return snap }
	s, h, err := newServer(opts)
	if err != nil {
		return 0, err
	}
	return build(ctx, h, snap, func(id string) int { return s.themePages(snap, id) }, dir)
}

// build writes what h serves for snap into dir, each theme in as many
// pages as pages says.
func build(ctx context.Context, h http.Handler, snap *feed.Snapshot, pages func(theme string) int, dir string) (int, error) {
	paths := []string{"/"}
	docs := map[string]bool{} // the documents keep their name; pages are PATH/index.html
	for _, d := range snap.Documents() {
		paths = append(paths, "/"+d)
		docs["/"+d] = true
	}
	older := map[string]map[string]bool{} // by theme, the older pages it writes
	for _, th := range snap.Taxonomy.Themes {
		paths = append(paths, feed.ThemeURL("", th.ID))
		older[th.ID] = map[string]bool{}
		for n := 2; n <= pages(th.ID); n++ {
			paths = append(paths, themePageURL("", th.ID, n))
			older[th.ID][strconv.Itoa(n)] = true
		}
	}
	written := map[string]bool{} // the article folders this build writes
	for _, e := range snap.Visible() {
		paths = append(paths, "/articles/"+url.PathEscape(e.ID))
		written[e.ID] = true
	}
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
		if err := writeFile(dir, p, !docs[p], rec.Body); err != nil {
			return 0, err
		}
	}
	if err := prune(filepath.Join(dir, "articles"), written); err != nil {
		return 0, err
	}
	for id, pages := range older {
		if err := prune(filepath.Join(dir, "themes", id, "page"), pages); err != nil {
			return 0, err
		}
	}
	return len(paths), nil
}

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
