package digest_test

import (
	"context"
	"testing"

	"github.com/kdigest/kdigest/digest"
)

// TestLastingTempFailuresStarveNoOne: three recipients in a row whose
// mailboxes stay full (452 to RCPT, run after run) stop a run, as a relay
// that is down does. The runs that resume it must not stop at the same
// three before those after them were tried, or those never get the
// digest, however many runs there are.
func TestLastingTempFailuresStarveNoOne(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	addrs := addresses(10)
	subscribe(t, d, addrs...)
	for _, a := range addrs[3:6] {
		e.smtp.failRcpt(a, 452, -1)
	}
	ctx := context.Background()
	rep, err := d.Run(ctx, digest.RunOptions{Kind: "scheduled"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 3 || len(rep.Failed) != 3 {
		t.Fatalf("first run = %+v, want 3 sent and a stop after 3 failures", rep)
	}
	for range 3 {
		if _, err := d.Run(ctx, digest.RunOptions{Kind: "scheduled", ResumeOnly: true}); err != nil {
			t.Fatal(err)
		}
	}
	rows := deliveries(t, e.db, rep.DigestID)
	for _, a := range addrs[6:] {
		if rows[a].Status != "sent" {
			t.Errorf("%s: %s after 3 more runs, want sent (never tried: the runs stop at %v)", a, rows[a].Status, addrs[3:6])
		}
	}
	wantOnce(t, e.smtp.byRecipient(), append(addrs[:3:3], addrs[6:]...)...)
}
