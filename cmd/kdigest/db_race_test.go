package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// TestTwoProcessesCreateTheDatabase: `kdigest serve` and a command started
// with it on a new data folder both find no database and make one. Both
// must end with the one database, neither failing on the other's lock nor
// removing the file the other is making.
func TestTwoProcessesCreateTheDatabase(t *testing.T) {
	ctx := context.Background()
	for round := range 30 {
		data := filepath.Join(t.TempDir(), fmt.Sprint(round))
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			wg.Go(func() {
				db, err := openDB(ctx, data)
				if err == nil {
					_, err = db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS t (x)`)
					db.Close()
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, process %d: %v", round, i, err)
			}
		}
	}
}
