package digest

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Unfinished returns when the newest digest (one-offs and resends
// included) that still has deliveries to make was made: pending ones, or
// ones in doubt not yet tried once more. Zero when none has. The service
// resumes them at start, and retries them for a while after a run left
// some.
func (d *Digest) Unfinished(ctx context.Context) (time.Time, error) {
	var created sql.NullString
	if err := d.db.QueryRowContext(ctx, `SELECT MAX(created) FROM digests WHERE status = 'sending'`).Scan(&created); err != nil {
		return time.Time{}, fmt.Errorf("unfinished digests: %w", err)
	}
	return parseTime(created.String), nil
}
