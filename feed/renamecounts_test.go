package feed

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestRenameInOneBatchKeepsLineStatistics checks that a seed renamed to a
// name with the same id (a.txt to a.TXT: kept as it is; x.txt to x.html:
// parsed again), delivered by the watcher as one batch of both names,
// leaves line_df and the document count equal to a recount: the old
// record's keys are taken out once, not once for the removal and once
// more for its replacement.
func TestRenameInOneBatchKeepsLineStatistics(t *testing.T) {
	for _, names := range [][2]string{{"a.txt", "a.TXT"}, {"a.txt", "a.html"}} {
		t.Run(names[0]+"->"+names[1], func(t *testing.T) {
			f := newFixture(t)
			for i := range 4 {
				f.write(t, "p"+string(rune('0'+i))+".txt", page(i))
			}
			f.write(t, names[0], page(9))
			c := f.open(t)
			check := func(step string) { t.Helper(); checkCounts(t, c, step) }
			check("first scan")
			if err := os.Rename(filepath.Join(f.dir, names[0]), filepath.Join(f.dir, names[1])); err != nil {
				t.Fatal(err)
			}
			if err := c.Apply(context.Background(), names[0], names[1]); err != nil { // the watcher's batch
				t.Fatal(err)
			}
			if _, ok := c.Snapshot().Article("a"); !ok {
				t.Fatalf("a not served after the rename: %v", c.Snapshot().Failed)
			}
			check("rename")
		})
	}
}
