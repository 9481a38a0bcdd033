package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The database holds every subscriber's address and the data folder is
// made 0750 (the token secret 0600); the backup of it must not be
// readable by every local user.
func TestBackupNotWorldReadable(t *testing.T) {
	data := t.TempDir()
	if code, _, stderr := runKdigest(t, nil, "subscribers", "add", "--data", data, "ann@example.org"); code != exitOK {
		t.Fatalf("subscribers add: exit %d: %s", code, stderr)
	}
	file := filepath.Join(t.TempDir(), "kdigest-backup.db")
	if code, _, stderr := runKdigest(t, nil, "backup", "--data", data, file); code != exitOK {
		t.Fatalf("backup: exit %d: %s", code, stderr)
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm()&0o007 != 0 {
		t.Errorf("backup mode = %v: every local user can read the subscribers", st.Mode().Perm())
	}
}

// The same database reached through a symbolic link (or a bind mount) is
// still the database: --force must not rename a copy over the live file.
func TestBackupRefusesTheDatabaseThroughALink(t *testing.T) {
	data := t.TempDir()
	if code, _, stderr := runKdigest(t, nil, "subscribers", "add", "--data", data, "ann@example.org"); code != exitOK {
		t.Fatalf("subscribers add: exit %d: %s", code, stderr)
	}
	link := filepath.Join(t.TempDir(), "data-link")
	if err := os.Symlink(data, link); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(filepath.Join(data, dbFile))
	code, _, stderr := runKdigest(t, nil, "backup", "--data", data, "--force", filepath.Join(link, dbFile))
	after, _ := os.Stat(filepath.Join(data, dbFile))
	if code != exitFailure || !strings.Contains(stderr, "is the database itself") {
		t.Errorf("backup over the database through a link: exit %d, stderr %q; want 1 and \"is the database itself\" (database file replaced: %v)",
			code, stderr, !os.SameFile(before, after))
	}
}

// A folder given as FILE (`kdigest backup /backups`) is refused, and the
// message says why: it used to say "exists: ... give --force to replace
// it", and with --force said the same again, so the operator was sent
// round in a circle.
func TestBackupToAFolderSaysItIsAFolder(t *testing.T) {
	data := t.TempDir()
	if code, _, stderr := runKdigest(t, nil, "subscribers", "add", "--data", data, "ann@example.org"); code != exitOK {
		t.Fatalf("subscribers add: exit %d: %s", code, stderr)
	}
	dir := t.TempDir()
	for _, args := range [][]string{{"backup", "--data", data, dir}, {"backup", "--data", data, "--force", dir}} {
		code, _, stderr := runKdigest(t, nil, args...)
		if code != exitFailure || !strings.Contains(stderr, "is a folder") || strings.Contains(stderr, "--force") {
			t.Errorf("%v: exit %d, stderr %q; want 1 and a message saying %s is a folder, not to give --force", args, code, stderr, dir)
		}
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Errorf("the folder is gone: %v", err)
	}
}
