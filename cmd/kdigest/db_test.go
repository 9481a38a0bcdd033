package main

import (
	"context"
	"database/sql"
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

// TestDamagedDatabaseRefused checks that an existing database that is
// empty, truncated or not a database stops every command that opens it,
// with an error naming the file, and is left as it was: only a missing
// file makes a new database.
func TestDamagedDatabaseRefused(t *testing.T) {
	good := t.TempDir()
	if code, _, stderr := runKdigest(t, nil, "subscribers", "add", "--data", good, "ann@example.org"); code != exitOK {
		t.Fatalf("subscribers add: exit %d: %s", code, stderr)
	}
	whole, err := os.ReadFile(filepath.Join(good, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(whole) < 4*pageSize {
		t.Fatalf("the database has %d bytes, too few pages to cut one in half", len(whole))
	}
	damages := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "is empty (0 bytes)"},
		{"cut in its header", whole[:50], "is truncated (50 bytes"},
		{"cut in half", whole[:len(whole)/2], "the file is damaged"},
		{"not a database", []byte(strings.Repeat("hello, world\n", 2000)), "is not a SQLite database"},
		{"header wiped", append(make([]byte, 100), whole[100:]...), "is not a SQLite database"},
	}
	commands := [][]string{
		{"subscribers", "list"},
		{"digests"},
		{"digest", "--dry-run"},
		{"build", "--out", "OUT"},
		{"serve", "--addr", "127.0.0.1:0"},
		{"backup", "OUT/backup.db"},
	}
	for _, d := range damages {
		for _, cmd := range commands {
			t.Run(d.name+"/"+cmd[0], func(t *testing.T) {
				data := t.TempDir()
				path := filepath.Join(data, dbFile)
				if err := os.WriteFile(path, d.data, 0o644); err != nil {
					t.Fatal(err)
				}
				out := t.TempDir()
				args := append([]string{}, cmd...)
				for i := range args {
					args[i] = strings.Replace(args[i], "OUT", out, 1)
				}
				args = append(args, "--data", data, "--seeds", "../../seeds", "--digest-schedule", "off")
				code, _, stderr := runKdigest(t, nil, args...)
				if code != exitFailure || !strings.Contains(stderr, path) || !strings.Contains(stderr, d.want) {
					t.Errorf("exit %d, stderr %q; want 1, the file %s and %q", code, stderr, path, d.want)
				}
				after, err := os.ReadFile(path)
				if err != nil || string(after) != string(d.data) {
					t.Errorf("the damaged file was changed (%d bytes, was %d): %v", len(after), len(d.data), err)
				}
			})
		}
	}
}

// TestBackup checks kdigest backup: a copy that opens with the same
// subscribers, restored as README says; an existing file refused unless
// --force; no database, no copy.
func TestBackup(t *testing.T) {
	data := t.TempDir()
	if code, _, stderr := runKdigest(t, nil, "subscribers", "add", "--data", data, "ann@example.org", "bob@example.org"); code != exitOK {
		t.Fatalf("subscribers add: exit %d: %s", code, stderr)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "kdigest-backup.db")
	code, stdout, stderr := runKdigest(t, nil, "backup", "--data", data, file)
	if code != exitOK || !strings.Contains(stdout, "backed up") {
		t.Fatalf("backup: exit %d: %s%s", code, stdout, stderr)
	}
	if left, _ := filepath.Glob(file + ".tmp-*"); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// Restore into a new data folder, as README says, and read it.
	restored := t.TempDir()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(restored, dbFile), string(b))
	code, stdout, stderr = runKdigest(t, nil, "subscribers", "list", "--data", restored)
	if code != exitOK || !strings.Contains(stdout, "ann@example.org") || !strings.Contains(stdout, "bob@example.org") {
		t.Errorf("restored list: exit %d: %s%s", code, stdout, stderr)
	}

	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"existing file", []string{"backup", "--data", data, file}, exitFailure, "exists: choose another name, or give --force"},
		{"existing file, forced", []string{"backup", "--data", data, "--force", file}, exitOK, ""},
		{"the database itself", []string{"backup", "--data", data, "--force", filepath.Join(data, dbFile)}, exitFailure, "is the database itself"},
		{"no database", []string{"backup", "--data", filepath.Join(dir, "none"), filepath.Join(dir, "other.db")}, exitFailure, "nothing to back up"},
		{"folder that does not exist", []string{"backup", "--data", data, filepath.Join(dir, "no", "such", "x.db")}, exitFailure, "no/such"},
		{"no file", []string{"backup", "--data", data}, exitUsage, "want one FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runKdigest(t, nil, tt.args...)
			if code != tt.wantCode || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.wantCode, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "none")); err == nil {
		t.Errorf("backup without a database created the data folder")
	}
}

// TestNewerDatabaseNamed: a database written by a newer release (an
// operator rolled back) stops every command with an error naming the
// file and what to do, and is left as it was.
func TestNewerDatabaseNamed(t *testing.T) {
	for _, component := range []string{"feed", "digest"} {
		t.Run(component, func(t *testing.T) {
			data := t.TempDir()
			if code, _, stderr := runKdigest(t, nil, "digest", "--dry-run", "--data", data, "--seeds", "../../seeds"); code != exitOK {
				t.Fatalf("digest --dry-run: exit %d: %s", code, stderr)
			}
			path := filepath.Join(data, dbFile)
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			if res, err := db.Exec(`UPDATE schema_version SET version = 99 WHERE component = ?`, component); err != nil {
				t.Fatal(err)
			} else if n, _ := res.RowsAffected(); n != 1 {
				t.Fatalf("no schema_version row of %s", component)
			}
			db.Close()
			code, _, stderr := runKdigest(t, nil, "digest", "--dry-run", "--data", data, "--seeds", "../../seeds")
			if code != exitFailure || !strings.Contains(stderr, path) || !strings.Contains(stderr, "newer release") {
				t.Errorf("exit %d, stderr %q; want 1, the file %s and \"newer release\"", code, stderr, path)
			}
		})
	}
}
