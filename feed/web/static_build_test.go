package web

import (
	"context"
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"testing"

	"github.com/kdigest/kdigest/feed"
)

// A seed whose name holds a dot (a date such as 15.11.2026) is an article
// like any other; the static build must write its page as
// articles/ID/index.html, as "kdigest help build" says, so that a static
// host serves it as HTML.
func TestBuildDottedArticleID(t *testing.T) {
	raw := briefArticle("Ministers meet in Brussels")
	c := openCorpusWith(t, feed.Options{}, map[string][]byte{"Reuters 15.11.2026.txt": raw})
	snap := c.Snapshot()
	if _, ok := snap.Article("Reuters 15.11.2026"); !ok {
		t.Fatal("no article Reuters 15.11.2026")
	}
	dir := t.TempDir()
	if _, err := Build(context.Background(), Options{Snapshot: c.Snapshot, Now: fixedNow}, dir); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "articles", "Reuters 15.11.2026", "index.html")
	if _, err := os.Stat(page); err != nil {
		st, _ := os.Stat(filepath.Join(dir, "articles", "Reuters 15.11.2026"))
		t.Errorf("page not at articles/ID/index.html: %v; articles/ID is a file: %v; a static host types it %q",
			err, st != nil && st.Mode().IsRegular(), mime.TypeByExtension(".2026"))
	}
}

// A second build into the same folder after a seed was deleted does not
// publish the deleted article's page any more.
func TestBuildRemovesPagesOfRemovedArticles(t *testing.T) {
	raw := briefArticle("Ministers meet in Brussels")
	c := openCorpusWith(t, feed.Options{}, map[string][]byte{"gone.txt": raw})
	opts := Options{Snapshot: c.Snapshot, Now: fixedNow}
	dir := t.TempDir()
	if _, err := Build(context.Background(), opts, dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(c.Dir(), "gone.txt")); err != nil {
		t.Fatal(err)
	}
	if err := c.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Snapshot().Article("gone"); ok {
		t.Fatal("gone still in the corpus")
	}
	if _, err := Build(context.Background(), opts, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "articles", "gone", "index.html")); err == nil {
		t.Error("articles/gone/index.html of a removed seed is still in the output after a rebuild")
	}
}

// briefArticle is a short relevant article of its own (not a copy of a
// seed, which the corpus would hide).
// briefArticle is a short relevant report under the headline title.
func briefArticle(title string) []byte {
	return []byte(fmt.Sprintf("%s\n\nYEREVAN -- Armenian and Azerbaijani negotiators met in Brussels on the peace treaty and the border delimitation, the foreign ministers said.\n\nThe talks on Nagorno-Karabakh will continue next week, officials of both countries said.\n", title))
}

// "kdigest build --out ." (run from the folder to publish) writes there:
// the escape check takes "." for the folder it is.
func TestBuildIntoTheCurrentFolder(t *testing.T) {
	_, snap := newHandler(t, Options{})
	dir := t.TempDir()
	t.Chdir(dir)
	if _, err := Build(context.Background(), Options{Snapshot: func() *feed.Snapshot { return snap }, Now: fixedNow}, "."); err != nil {
		t.Fatalf("Build into \".\": %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		t.Error(err)
	}
}

// TestBuildWritesOlderThemePages checks that the static build follows a
// theme's Older links, writing each older page as
// themes/ID/page/N/index.html, and removes a page a previous build wrote
// beyond the theme's last one.
func TestBuildWritesOlderThemePages(t *testing.T) {
	c := openCorpus(t)
	snap := c.Snapshot()
	n := len(snap.ThemeEntries("summits"))
	dir := t.TempDir()
	stale := filepath.Join(dir, "themes", "summits", "page", "99", "index.html")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), Options{Snapshot: c.Snapshot, Now: fixedNow, ThemePage: 1}, dir); err != nil {
		t.Fatal(err)
	}
	for page := 2; page <= n; page++ {
		if _, err := os.Stat(filepath.Join(dir, "themes", "summits", "page", fmt.Sprint(page), "index.html")); err != nil {
			t.Errorf("older page %d of %d not written: %v", page, n, err)
		}
	}
	for _, gone := range []string{stale, filepath.Join(dir, "themes", "summits", "page", fmt.Sprint(n+1), "index.html")} {
		if _, err := os.Stat(gone); err == nil {
			t.Errorf("%s is in the output, past the theme's last page", gone)
		}
	}
}
