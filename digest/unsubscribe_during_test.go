package digest_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kdigest/kdigest/digest"
)

// TestUnsubscribedDuringDeliveryGetsNothingMore: someone who unsubscribes
// while their own delivery is being tried (a relay that answers 4xx and
// the backoff between tries, or one whose final reply never comes) gets
// nothing from a later run: the outcome of that try must not bring the
// delivery back to pending or in doubt, which the next run sends.
func TestUnsubscribedDuringDeliveryGetsNothingMore(t *testing.T) {
	t.Run("temporary", func(t *testing.T) {
		e := newEnv(t)
		e.smtp.failRcpt("bob@example.org", 421, -1)
		var d *digest.Digest
		var once sync.Once
		d = e.digest(t, func(o *digest.Options) {
			o.Sleep = func(ctx context.Context, _ time.Duration) error {
				once.Do(func() { // bob unsubscribes between two tries
					if err := d.Unsubscribe(context.Background(), "bob@example.org"); err != nil {
						t.Error(err)
					}
				})
				return ctx.Err()
			}
		})
		subscribe(t, d, three...)
		if _, err := d.Run(context.Background(), digest.RunOptions{}); err != nil {
			t.Fatal(err)
		}
		e.smtp.failRcpt("bob@example.org", 250, 0) // the relay takes bob's mail again
		e.clock.Advance(time.Hour)
		if _, err := d.Run(context.Background(), digest.RunOptions{}); err != nil {
			t.Fatal(err)
		}
		if got := e.smtp.byRecipient()["bob@example.org"]; got != 0 {
			t.Errorf("bob, who unsubscribed during his delivery's retries, got %d messages, want 0", got)
		}
	})
	t.Run("in doubt", func(t *testing.T) {
		e := newEnv(t)
		d := e.digestTuned(t, func(c *digest.SMTPConfig) { c.DataTimeout = 500 * time.Millisecond })
		subscribe(t, d, three...)
		started, release := e.smtp.blockData("bob@example.org")
		defer release()
		done := make(chan error, 1)
		go func() {
			_, err := d.Run(context.Background(), digest.RunOptions{})
			done <- err
		}()
		<-started // the relay has bob's message and does not answer yet
		if err := d.Unsubscribe(context.Background(), "bob@example.org"); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		release()
		e.clock.Advance(time.Hour)
		if _, err := d.Run(context.Background(), digest.RunOptions{}); err != nil {
			t.Fatal(err)
		}
		if got := e.smtp.byRecipient()["bob@example.org"]; got != 1 {
			t.Errorf("bob, who unsubscribed while his delivery was in flight, got %d messages, want 1 (the one in flight)", got)
		}
	})
}
