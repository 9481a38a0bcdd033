//go:build unix

package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestFirstStartThatCannotWriteLeavesNoDatabase checks that a first
// start whose database cannot be written (a full disk, a quota: here a
// file size limit of 0) fails without leaving an empty kdigest.db: the
// next start, once there is room, would refuse that file as a database
// whose subscribers and digests are lost, and make the operator remove it.
func TestFirstStartThatCannotWriteLeavesNoDatabase(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Skip(err)
	}
	full := syscall.Rlimit{Cur: 0, Max: old.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &full); err != nil {
		t.Skip(err)
	}
	db, err := openDB(ctx, data)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	if err == nil {
		db.Close()
		t.Fatal("openDB wrote a database past a file size limit of 0")
	}
	if _, err := os.Stat(filepath.Join(data, dbFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after the failed first start, stat %s: %v; want no file", dbFile, err)
	}
	// With room again, the start makes the database.
	db, err = openDB(ctx, data)
	if err != nil {
		t.Fatalf("openDB once the disk has room: %v", err)
	}
	db.Close()
}
