package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildIntoTheSeedsFolderRefused: `kdigest build --out` naming the
// seeds folder wrote the site's index.html among the seeds, where every
// later scan read it as an article (the front page, in the feeds and the
// next digest). It is refused before anything is written.
func TestBuildIntoTheSeedsFolderRefused(t *testing.T) {
	seeds := seedsDir(t)
	before, _ := os.ReadDir(seeds)
	for _, out := range []string{seeds, seeds + string(filepath.Separator) + "."} {
		code, _, stderr := runKdigest(t, nil, "build", "--seeds", seeds, "--data", t.TempDir(), "--out", out, "--base-url", "https://news.example.org")
		if code != exitUsage || !strings.Contains(stderr, "seeds folder") {
			t.Errorf("build --out %s: exit %d, stderr %q; want 2 and a line saying it is the seeds folder", out, code, stderr)
		}
	}
	if after, _ := os.ReadDir(seeds); len(after) != len(before) {
		var names []string
		for _, e := range after {
			names = append(names, e.Name())
		}
		t.Errorf("the seeds folder now holds %v", names)
	}
}
