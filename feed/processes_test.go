package feed

import (
	"testing"
	"time"
)

// TestTwoProcessesShareTheCorpus opens two corpora on one database, as
// `kdigest serve` and a `kdigest digest` (or `build`) run beside it do:
// each scans the seeds folder and writes the corpus's tables. A file the
// second process saved first, and the service applies after it, must be
// counted once in line_df, keep the first-seen time it was saved with
// (a digest of the second process may have announced it by that time),
// and the service must serve it.
func TestTwoProcessesShareTheCorpus(t *testing.T) {
	f := newFixture(t)
	for i := range 4 {
		f.write(t, "p"+string(rune('0'+i))+".txt", page(i))
	}
	service := f.open(t)
	f.clock.Advance(time.Hour)
	f.write(t, "new.txt", page(7))
	// kdigest digest: its own database handle, its own scan.
	cli := f.openAnother(t)
	seen, ok := cli.Snapshot().Article("new")
	if !ok {
		t.Fatal("the second process did not read new.txt")
	}
	// The service's watcher applies the file after it.
	f.clock.Advance(time.Hour)
	mustApply(t, service, "new.txt")
	e, ok := service.Snapshot().Article("new")
	if !ok {
		t.Fatal("the service does not serve new.txt")
	}
	if !e.FirstSeen.Equal(seen.FirstSeen) {
		t.Errorf("first seen = %s, want %s, as the other process saved it", e.FirstSeen, seen.FirstSeen)
	}
	want, docs := recount(t, service)
	if got := savedCounts(t, service); !mapsEqualInt(got, want) {
		t.Errorf("line_df differs from a recount of the rows (%d keys, want %d)", len(got), len(want))
	}
	if service.docs != docs {
		t.Errorf("documents counted = %d, want %d", service.docs, docs)
	}
	// And the service's own later changes keep it right.
	f.write(t, "p1.txt", page(1)+"A new footer line\n")
	mustApply(t, service, "p1.txt")
	want, docs = recount(t, service)
	if got := savedCounts(t, service); !mapsEqualInt(got, want) || service.docs != docs {
		t.Errorf("after an edit: line_df differs from a recount (%d keys, want %d; docs %d, want %d)", len(got), len(want), service.docs, docs)
	}
}
