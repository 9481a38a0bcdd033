package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The hub URL's password is masked in the log (TestHubPasswordNotLogged)
// and by "kdigest config"; the public feeds advertise the hub URL
// without it.
func TestHubPasswordNotInFeeds(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := runKdigest(t, nil, "build", "--seeds", seedsDir(t), "--data", t.TempDir(), "--out", out,
		"--base-url", "https://kdigest.example.org", "--websub-hub", "https://ann:s3cret@hub.example.org/publish")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range []string{"feed.atom", "feed.rss", "feed.json", "themes/summits.atom"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		if i := strings.Index(string(b), "s3cret"); i >= 0 {
			t.Errorf("%s publishes the hub's password: %s", f, b[max(0, i-40):i+30])
		}
	}
}
