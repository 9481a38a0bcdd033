package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenDB checks that a new database gets its page size and WAL mode,
// that reopening keeps them, and that a data path that is a file is an error.
func TestOpenDB(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	for range 2 {
		db, err := openDB(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		var size int
		var mode string
		if err := db.QueryRow(`PRAGMA page_size`).Scan(&size); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if size != pageSize || mode != "wal" {
			t.Errorf("page size %d, journal mode %q; want %d and wal", size, mode, pageSize)
		}
		if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS t (x)`); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}

	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := openDB(ctx, file); err == nil || !strings.Contains(err.Error(), "data folder") {
		t.Errorf("openDB on a file = %v, want a data folder error", err)
	}
}
