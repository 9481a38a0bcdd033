package digest_test

import (
	"context"
	"testing"
	"time"

	"github.com/kdigest/kdigest/digest"
)

// TestLastSentWithinOneSecond checks that the ledger orders times by when
// they are, not by their text: of two runs in one second, at 08:00:00 and
// 08:00:00.5, the last is the second ("…00Z" sorted after "…00.5Z" when
// times were written with as many digits as they needed).
func TestLastSentWithinOneSecond(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	subscribe(t, d, "ann@example.org")
	ctx := context.Background()
	if rep, err := d.Run(ctx, digest.RunOptions{}); err != nil || rep.Sent != 1 {
		t.Fatalf("first run = %+v, %v", rep, err)
	}
	e.clock.Advance(500 * time.Millisecond)
	if _, err := d.Run(ctx, digest.RunOptions{}); err != nil {
		t.Fatalf("second run: %v", err)
	}
	last, err := d.LastSent(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(500 * time.Millisecond); !last.Equal(want) {
		t.Errorf("LastSent = %v, want %v", last.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
	}
}
