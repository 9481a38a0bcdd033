package digest

import (
	"context"

	gomail "github.com/wneessen/go-mail"
)

// attempt sends the message build makes, over sender, retrying temporary
// failures with the configured backoff, at most MaxAttempts tries in all:
// the one retry rule of digest deliveries and confirmation emails. It
// returns the tries made and the last Send error: nil (accepted), in doubt
// (never retried here: see IsInDoubt), temporary (still failing after the
// tries, or ctx ended) or permanent. buildErr reports a message that could
// not be built; nothing was sent then.
func (d *Digest) attempt(ctx context.Context, sender Sender, to string, build func() (*gomail.Msg, error)) (tries int, sendErr, buildErr error) {
	for try := 1; try <= d.opts.MaxAttempts; try++ {
		m, err := build()
		if err != nil {
			return tries, nil, err
		}
		tries++
		sendErr = sender.Send(ctx, m)
		if sendErr == nil || IsInDoubt(sendErr) || !IsTemporary(sendErr) {
			return tries, sendErr, nil
		}
		d.opts.Log.Warn("digest: temporary failure", "to", to, "attempt", try, "err", sendErr)
		if try == d.opts.MaxAttempts || d.opts.Sleep(ctx, d.opts.Backoff(try)) != nil {
			break
		}
	}
	return tries, sendErr, nil
}
