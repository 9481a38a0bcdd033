package digest

import "context"

// Unfinished reports whether a digest (one-offs and resends included) still
// has deliveries to make: pending ones, or ones in doubt not yet tried once
// more. The service resumes them at start.
func (d *Digest) Unfinished(ctx context.Context) (bool, error) {
	recs, err := d.unfinished(ctx)
	return len(recs) > 0, err
}
