package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

func backupCommand() *command {
	var force bool
	return &command{
		name:    "backup",
		args:    "[--force] FILE",
		summary: "copy the database (articles, subscribers, digests) to FILE, safely while serve runs",
		help: `Backup writes a consistent copy of the database (DATA/kdigest.db) to FILE with
SQLite's VACUUM INTO, which is safe while serve runs, then checks the copy.
The copy is written beside FILE under a temporary name and renamed into
place, so FILE is never half written. An existing FILE is refused unless
--force is given.

The token secret (DATA/secret) signs the links in mails already sent; it is
not in the database and never changes: keep a copy of it once.

To restore: stop the service; copy FILE to DATA/kdigest.db and delete
DATA/kdigest.db-wal and DATA/kdigest.db-shm if they are there; start it.`,
		settings: groupService,
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&force, "force", false, "replace FILE if it exists")
		},
		run: func(ctx context.Context, e env, c *config, args []string) int {
			if len(args) != 1 {
				fmt.Fprintln(e.stderr, "kdigest backup: want one FILE to write")
				return exitUsage
			}
			start := time.Now()
			size, err := backup(ctx, c.Data, args[0], force)
			if err != nil {
				fmt.Fprintf(e.stderr, "kdigest backup: %v\n", err)
				return exitFailure
			}
			fmt.Fprintf(e.stdout, "backed up %s to %s (%.1f MB) in %s\n", filepath.Join(c.Data, dbFile), args[0],
				float64(size)/1e6, time.Since(start).Round(time.Millisecond))
			return exitOK
		},
	}
}

// backup copies the database of dataDir to dst with VACUUM INTO, through a
// temporary file beside dst that is checked before it is renamed into
// place, and returns the copy's size.
func backup(ctx context.Context, dataDir, dst string, force bool) (int64, error) {
	src := filepath.Join(dataDir, dbFile)
	if _, err := os.Stat(src); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, fmt.Errorf("no database at %s: nothing to back up", src)
		}
		return 0, fmt.Errorf("database %s: %w", src, err)
	}
	if st, err := os.Stat(dst); err == nil {
		// The database reached another way (a link, a bind mount): a
		// copy renamed over it would cut the running service off its file.
		if db, err := os.Stat(src); err == nil && os.SameFile(st, db) {
			return 0, fmt.Errorf("%s is the database itself", dst)
		}
		switch {
		case st.IsDir():
			return 0, fmt.Errorf("%s is a folder: name the backup file, such as %s", dst, filepath.Join(dst, "kdigest-backup.db"))
		case !st.Mode().IsRegular():
			return 0, fmt.Errorf("%s exists and is not a regular file: choose another name", dst)
		case !force:
			return 0, fmt.Errorf("%s exists: choose another name, or give --force to replace it", dst)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return 0, fmt.Errorf("backup file %s: %w", dst, err)
	}
	if abs, err := filepath.Abs(dst); err == nil {
		if same, _ := filepath.Abs(src); same == abs {
			return 0, fmt.Errorf("%s is the database itself", dst)
		}
	}
	db, err := openDB(ctx, dataDir)
	if err != nil {
		return 0, err
	}
	defer db.Close()

	tmp := fmt.Sprintf("%s.tmp-%d", dst, os.Getpid())
	os.Remove(tmp) // left by a backup killed with this pid, if any
	// The copy holds every subscriber's address: readable by the owner
	// alone, as the data folder is. VACUUM INTO writes into an empty file.
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	f.Close()
	defer os.Remove(tmp)
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return 0, dbError(src, fmt.Errorf("back up %s: %w", src, err))
	}
	if err := checkBackup(ctx, tmp); err != nil {
		return 0, err
	}
	st, err := os.Stat(tmp)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	return st.Size(), nil
}

// checkBackup runs SQLite's quick check on a fresh copy, read-only.
func checkBackup(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		return fmt.Errorf("check the backup %s: %w", path, err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check(1)`).Scan(&res); err != nil {
		return fmt.Errorf("check the backup %s: %w", path, err)
	}
	if res != "ok" {
		return fmt.Errorf("check the backup %s: %s", path, res)
	}
	return nil
}
