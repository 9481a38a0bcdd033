package feed

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestThemeListsShared: entries with the same themes in the same order,
// parsed or loaded from the database, share one list.
func TestThemeListsShared(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	// Copies of a seed under other names have its themes.
	b, err := os.ReadFile(filepath.Join("..", "seeds", seedFiles(t)[0]))
	if err != nil {
		t.Fatal(err)
	}
	raw := string(b)
	f.write(t, "copy_a.txt", raw+"\n\nA line of its own.\n")
	f.write(t, "copy_b.txt", raw+"\n\nAnother line of its own.\n")
	for _, reopen := range []bool{false, true} {
		c := f.open(t)
		a, _ := c.Snapshot().Article("copy_a")
		b, _ := c.Snapshot().Article("copy_b")
		if a == nil || b == nil || len(a.Class.Themes) == 0 || !slices.Equal(a.Class.Themes, b.Class.Themes) {
			t.Fatalf("reopened %v: copies' themes %v and %v, want the same, not none", reopen, a, b)
		}
		if &a.Class.Themes[0] != &b.Class.Themes[0] {
			t.Errorf("reopened %v: the same themes %v are two lists", reopen, a.Class.Themes)
		}
	}
}
