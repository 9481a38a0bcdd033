// Package dbmigrate holds what the corpus's and the ledger's migrations
// share: they keep their versions in one schema_version table, one row
// per component, and two processes (serve, and a digest started with it)
// may migrate one database at once.
package dbmigrate

import (
	"context"
	"database/sql"
	"errors"
)

// Applied takes the database's write lock for tx, so that no other
// process migrates meanwhile, and reports whether component's schema is
// at version v or later already (another process made it). The lock is
// taken with a write first: a transaction that read first cannot take it
// once another process has written, and fails with SQLITE_BUSY instead
// of waiting.
func Applied(ctx context.Context, tx *sql.Tx, component string, v int) (bool, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = version WHERE component = ?`, component); err != nil {
		return false, err
	}
	var version int
	err := tx.QueryRowContext(ctx, `SELECT version FROM schema_version WHERE component = ?`, component).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return version >= v, err
}
