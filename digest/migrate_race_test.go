package digest_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/kdigest/kdigest/digest"
)

// TestTwoProcessesMigrate: `kdigest serve` and a `kdigest digest` started
// together on a new (or just upgraded) database both bring the ledger up
// to date. The second must find the work done, not fail on it ("duplicate
// column"): each opens the file with its own connection, as two processes.
func TestTwoProcessesMigrate(t *testing.T) {
	e := newEnv(t)
	for round := range 20 {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("ledger%d.db", round))
		// The file exists, in WAL mode, before the processes start, as
		// kdigest's openDB makes it (createDB): three connections
		// switching a new file to WAL at once is no migration's race.
		if _, err := openDB(t, path).Exec(`PRAGMA user_version = 0`); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			db := openDB(t, path)
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = digest.New(context.Background(), db, e.corpus.Snapshot, nil, e.options())
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, process %d: %v", round, i, err)
			}
		}
	}
}
