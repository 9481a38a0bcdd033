package digest

import "context"

// Unfinished reports whether a digest to the subscribers was interrupted
// and still has recipients pending; the service resumes it at start.
func (d *Digest) Unfinished(ctx context.Context) (bool, error) {
	rec, err := d.unfinished(ctx)
	return rec != nil, err
}
