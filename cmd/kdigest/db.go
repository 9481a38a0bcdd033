package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // pure Go: the binary needs no cgo.
)

// dbFile is the database's name inside the data folder.
const dbFile = "kdigest.db"

// openDB creates the data folder if needed and opens the one database every
// package shares, each owning its own tables.
func openDB(ctx context.Context, dataDir string) (*sql.DB, error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	path := filepath.Join(dataDir, dbFile)
	file := "file:" + (&url.URL{Path: path}).EscapedPath()
	if err := createDB(ctx, path, file); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", file+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)")
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// SQLite has one writer; a single connection serialises access in-process.
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return db, nil
}

// pageSize is the page size of a new database. An article's row fits in
// one page, so loading the corpus follows no overflow pages: 10,000
// articles load in 0.13 s instead of 0.21 s with the default 4 KiB.
const pageSize = 16384

// createDB creates the database file with its page size when it does not
// exist yet. The size must be set before the first write and before WAL
// mode, which the connection string of openDB would set first.
func createDB(ctx context.Context, path, file string) error {
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil // there, or an error that opening it will report
	}
	db, err := sql.Open("sqlite", file)
	if err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, fmt.Sprintf("PRAGMA page_size = %d; PRAGMA journal_mode = WAL", pageSize)); err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	return db.Close()
}

// newLogger returns the text logger every component writes to.
func newLogger(e env, c *config) *slog.Logger {
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: c.LogLevel}))
}
