package feed

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
)

// TestTwoProcessesMigrate: `kdigest serve` and a `kdigest digest` started
// together on a new (or just upgraded) database both bring the corpus's
// tables up to date: the second finds the work done instead of failing
// on it. Each opens the file with its own connection, as two processes.
func TestTwoProcessesMigrate(t *testing.T) {
	for round := range 10 {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("corpus%d.db", round))
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			db := openDB(t, path)
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = migrate(context.Background(), db, slog.New(slog.DiscardHandler))
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
