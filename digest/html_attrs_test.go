package digest_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/kdigest/kdigest/digest"
)

// TestNoDuplicateAttributes: a tag with the same attribute twice
// keeps only the first (HTML's parsing rules; x/net/html drops it too);
// the footer's class="muted" (its dark-mode colour) is lost, leaving
// #5c6370 text on the #1c1f23 dark card (contrast 2.7:1).
func TestNoDuplicateAttributes(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	path := filepath.Join(t.TempDir(), "p.html")
	if _, err := d.Preview(context.Background(), path, digest.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	for _, tag := range regexp.MustCompile(`<[a-z]+[^>]*>`).FindAllString(string(b), -1) {
		if n := len(regexp.MustCompile(`\sclass="`).FindAllString(tag, -1)); n > 1 {
			t.Errorf("tag has %d class attributes; browsers keep the first:\n%s", n, tag)
		}
	}
}
