package dbmigrate

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

func TestApplied(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	check := func(v int, want bool) {
		t.Helper()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		got, err := Applied(ctx, tx, "corpus", v)
		if err != nil || got != want {
			t.Errorf("Applied(corpus, %d) = %v, %v; want %v", v, got, err, want)
		}
	}
	check(1, false) // no row: nothing applied
	if _, err := db.Exec(`INSERT INTO schema_version VALUES ('corpus', 3), ('digest', 9)`); err != nil {
		t.Fatal(err)
	}
	check(3, true)
	check(2, true)
	check(4, false) // another component's version is not this one's
}
