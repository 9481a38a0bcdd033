package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/kdigest/kdigest/feed"
)

// Build writes the site as static files into dir: every page and feed the
// handler serves for snap, fetched in-process. Pages go to PATH/index.html
// so links without extensions work on any static host.
func Build(ctx context.Context, h http.Handler, snap *feed.Snapshot, dir string) (int, error) {
	paths := []string{"/"}
	for _, d := range snap.Documents() {
		paths = append(paths, "/"+d)
	}
	for _, th := range snap.Taxonomy.Themes {
		paths = append(paths, "/themes/"+th.ID)
	}
	for _, e := range snap.Visible() {
		paths = append(paths, "/articles/"+url.PathEscape(e.ID))
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
		if err := writeFile(dir, p, rec.Result().Body); err != nil {
			return 0, err
		}
	}
	return len(paths), nil
}

func writeFile(dir, p string, body io.Reader) error {
	rel, err := url.PathUnescape(strings.TrimPrefix(p, "/"))
	if err != nil {
		return fmt.Errorf("build %s: %w", p, err)
	}
	if rel == "" || !strings.Contains(filepath.Base(rel), ".") {
		rel = filepath.Join(rel, "index.html")
	}
	target := filepath.Join(dir, filepath.FromSlash(rel))
	if !strings.HasPrefix(target, filepath.Clean(dir)+string(filepath.Separator)) {
		return fmt.Errorf("build %s: path escapes the output folder", p)
	}
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
