package feed

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kdigest/kdigest/feed/article"
)

func TestIsSeed(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"a.txt", true},
		{"A.TXT", true},
		{"a.Txt", true},
		{"page.html", true},
		{"page.htm", true},
		{"PAGE.HTML", true},
		{"dir/a.txt", true},
		{"a.md", false},
		{"a", false},
		{".txt", false},
		{".a.txt", false},
		{"#a.txt#", false},
		{"a.txt~", false},
		{"a.txt.swp", false},
		{"a.txt.tmp", false},
		{"a.html.part", false},
		{"a.json", false},
	}
	for _, tt := range tests {
		if got := IsSeed(tt.name); got != tt.want {
			t.Errorf("IsSeed(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestReadSeedLimit reads through the size limit whatever the stat said:
// a file that says 0 bytes (as /proc files do) and has more.
func TestReadSeedLimit(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		size    int   // the file's real size
		stated  int64 // what the stat said
		wantErr error
	}{
		{"at the limit, stated 0", article.MaxSize, 0, nil},
		{"over the limit, stated 0", article.MaxSize + 100, 0, article.ErrTooLarge},
		{"over the limit, stated small", article.MaxSize + 1, 10, article.ErrTooLarge},
		{"over the limit, stated", article.MaxSize + 1, article.MaxSize + 1, article.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "a.txt")
			if err := os.WriteFile(path, bytes.Repeat([]byte("a"), tt.size), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := readSeed(path, tt.stated)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("readSeed err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && len(got) != tt.size {
				t.Errorf("readSeed = %d bytes, want %d", len(got), tt.size)
			}
		})
	}
}

// TestSeedLinks follows a link only into the seeds folder; a link out is
// ignored and logged once, a loop fails alone, a dangling link is a
// missing file.
func TestSeedLinks(t *testing.T) {
	seeds := seedFiles(t)
	f := newFixture(t, seeds[1:]...)
	raw, err := os.ReadFile(filepath.Join("..", "seeds", seeds[0]))
	if err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(outside, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(f.dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.dir, "sub", "inner.txt"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"out.txt":    outside,
		"up.txt":     "", // relative, up and out: set below
		"in.txt":     filepath.Join("sub", "inner.txt"),
		"loop.txt":   "loop2.txt",
		"loop2.txt":  "loop.txt",
		"dead.txt":   "nowhere.txt",
		"folder.txt": "sub",
	}
	up, err := filepath.Rel(f.dir, outside)
	if err != nil {
		t.Fatal(err)
	}
	links["up.txt"] = up
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(f.dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	var log bytes.Buffer
	c := f.open(t, func(o *Options) { o.Log = slog.New(slog.NewTextHandler(&log, nil)) })
	if err := c.Rescan(context.Background()); err != nil {
		t.Fatalf("second Rescan: %v", err)
	}
	s := c.Snapshot()
	for _, id := range []string{"out", "up", "dead", "folder", "loop", "loop2"} {
		if _, ok := s.Article(id); ok {
			t.Errorf("%s is served", id)
		}
	}
	if _, ok := s.Article("in"); !ok {
		t.Error("a link to a file inside the folder is not served")
	}
	for _, name := range seeds[1:] {
		if _, ok := s.Article(idOf(name)); !ok {
			t.Errorf("%s is not served next to the loop", name)
		}
	}
	for _, name := range []string{"loop.txt", "loop2.txt"} {
		if !strings.Contains(s.Failed[name], "too many links") {
			t.Errorf("Failed[%s] = %q, want the loop", name, s.Failed[name])
		}
	}
	if len(s.Failed) != 2 {
		t.Errorf("Failed = %v, want the two loop links only", s.Failed)
	}
	for _, name := range []string{"out.txt", "up.txt"} {
		if n := strings.Count(log.String(), "file="+name); n != 1 {
			t.Errorf("%s logged %d times over two scans, want once:\n%s", name, n, log.String())
		}
	}

	// A batch with a loop in it applies its other files.
	f.write(t, seeds[0], string(raw))
	if err := c.Apply(context.Background(), "loop.txt", seeds[0], "out.txt"); err != nil {
		t.Fatalf("Apply of a batch with a loop: %v", err)
	}
	s = c.Snapshot()
	if _, ok := s.Article(idOf(seeds[0])); !ok {
		t.Errorf("%s, applied with a loop, is not served", seeds[0])
	}
	if _, ok := s.Article("out"); ok {
		t.Error("out.txt is served after Apply")
	}
	if n := strings.Count(log.String(), "file=out.txt"); n != 1 {
		t.Errorf("out.txt logged %d times, want once", n)
	}

	// A file that was served and is replaced by a link out leaves.
	f.remove(t, "in.txt")
	if err := os.Symlink(outside, filepath.Join(f.dir, "in.txt")); err != nil {
		t.Fatal(err)
	}
	mustApply(t, c, "in.txt")
	if _, ok := c.Snapshot().Article("in"); ok {
		t.Error("in.txt, now a link out of the folder, is still served")
	}
}

// TestSeedsFolderIsALink reads a seeds folder that is itself a link:
// links inside it that point into its target are inside.
func TestSeedsFolderIsALink(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	if err := os.Symlink(seedFiles(t)[0], filepath.Join(f.dir, "again.txt")); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "seeds")
	if err := os.Symlink(f.dir, link); err != nil {
		t.Fatal(err)
	}
	f.dir = link
	s := f.open(t).Snapshot()
	if len(s.Entries) != len(seedFiles(t))+1 || len(s.Failed) != 0 {
		t.Errorf("entries %d, Failed %v; want %d, none", len(s.Entries), s.Failed, len(seedFiles(t))+1)
	}
}

// TestSameIDTwoFiles keeps an article id with the first file in name
// order (a.html before a.txt); the other is listed in Failed until the
// first leaves.
func TestSameIDTwoFiles(t *testing.T) {
	seeds := seedFiles(t)
	f := newFixture(t, seeds[0])
	raw, err := os.ReadFile(filepath.Join("..", "seeds", seeds[1]))
	if err != nil {
		t.Fatal(err)
	}
	id := idOf(seeds[0])
	page := id + ".html"
	f.write(t, page, "<html><body><p>"+strings.ReplaceAll(string(raw), "\n\n", "</p><p>")+"</p></body></html>")
	c := f.open(t)
	s := c.Snapshot()
	if e, ok := s.Article(id); !ok || e.File != page {
		t.Fatalf("article %s: ok %v, file %v; want %s", id, ok, e, page)
	}
	if !strings.Contains(s.Failed[seeds[0]], page) {
		t.Errorf("Failed[%s] = %q, want it to name %s", seeds[0], s.Failed[seeds[0]], page)
	}
	mustApply(t, c, seeds[0])
	s = c.Snapshot()
	if e, _ := s.Article(id); e.File != page || !strings.Contains(s.Failed[seeds[0]], page) {
		t.Errorf("after Apply of the txt: article of %s, Failed %v", e.File, s.Failed)
	}
	f.remove(t, page)
	mustApply(t, c, page)
	s = c.Snapshot()
	if e, ok := s.Article(id); !ok || e.File != seeds[0] || len(s.Failed) != 0 {
		t.Errorf("after the page left: article %v, Failed %v; want the txt's", e, s.Failed)
	}
}
