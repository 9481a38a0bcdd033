package digest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kdigest/kdigest/digest"
)

var three = []string{"ann@example.org", "bob@example.org", "cid@example.net"}

// wantOnce fails unless every address got exactly one message.
func wantOnce(t *testing.T, got map[string]int, addrs ...string) {
	t.Helper()
	for _, a := range addrs {
		if got[a] != 1 {
			t.Errorf("%s got %d messages, want 1", a, got[a])
		}
	}
	if len(got) != len(addrs) {
		t.Errorf("recipients = %v, want exactly %v", got, addrs)
	}
}

func TestServerRefusesConnections(t *testing.T) {
	e := newEnv(t)
	dead := deadAddress(t)
	d := e.digestAt(t, dead)
	subscribe(t, d, three...)
	rep, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || rep.Sent != 0 || len(rep.Failed) == 0 {
		t.Fatalf("report = %+v, want failures and nothing sent", rep)
	}
	for _, f := range rep.Failed {
		if !f.Temporary {
			t.Errorf("failure %+v is not temporary", f)
		}
	}
	for rcpt, row := range deliveries(t, e.db, rep.DigestID) {
		if row.Status != "pending" || row.LastError == "" || row.Attempts == 0 {
			t.Errorf("%s: %+v, want pending with the error and attempts", rcpt, row)
		}
	}
	if len(e.sleeps.waits()) == 0 {
		t.Errorf("no backoff between retries")
	}

	// The server comes up where the relay is configured; the next run
	// resumes the same digest and sends each message once.
	up := startMailServer(t, dead)
	rep2, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep2.Resumed || rep2.DigestID != rep.DigestID || rep2.Sent != 3 || !rep2.OK() {
		t.Errorf("second run = %+v, want digest %s resumed, 3 sent", rep2, rep.DigestID)
	}
	wantOnce(t, up.byRecipient(), three...)
	rep3, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil || !rep3.Empty || up.accepted() != 3 {
		t.Errorf("third run = %+v, %v (accepted %d), want Empty and nothing more sent", rep3, err, up.accepted())
	}
}

func TestRecipientFaults(t *testing.T) {
	tests := []struct {
		name       string
		fault      func(s *mailServer)
		wantSent   int
		wantStatus string // bob's delivery status
		wantOK     bool
		wantBob    int // messages bob receives
	}{
		{"421 once then success", func(s *mailServer) { s.failRcpt("bob@example.org", 421, 1) }, 3, "sent", true, 1},
		{"421 always", func(s *mailServer) { s.failRcpt("bob@example.org", 421, -1) }, 2, "pending", false, 0},
		{"550", func(s *mailServer) { s.failRcpt("bob@example.org", 550, -1) }, 2, "failed", false, 0},
		{"link dropped mid-DATA once", func(s *mailServer) { s.dropInData("bob@example.org", 1) }, 3, "sent", true, 1},
		// The server kept the message but the reply was lost: the sender
		// cannot know, so it sends again. This is the one duplicate the
		// design accepts (the message in flight).
		{"link dropped after DATA", func(s *mailServer) { s.dropAfterData("bob@example.org") }, 3, "sent", true, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.digest(t)
			subscribe(t, d, three...)
			tc.fault(e.smtp)
			rep, err := d.Run(context.Background(), digest.RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Sent != tc.wantSent || rep.OK() != tc.wantOK {
				t.Errorf("report = %+v, want %d sent, OK %v", rep, tc.wantSent, tc.wantOK)
			}
			got := e.smtp.byRecipient()
			if got["ann@example.org"] != 1 || got["cid@example.net"] != 1 || got["bob@example.org"] != tc.wantBob {
				t.Errorf("received = %v, want ann 1, bob %d, cid 1", got, tc.wantBob)
			}
			rows := deliveries(t, e.db, rep.DigestID)
			if rows["bob@example.org"].Status != tc.wantStatus {
				t.Errorf("bob's delivery = %+v, want %s", rows["bob@example.org"], tc.wantStatus)
			}
			for _, a := range []string{"ann@example.org", "cid@example.net"} {
				if rows[a].Status != "sent" || rows[a].Attempts != 1 || rows[a].MessageID == "" {
					t.Errorf("%s: %+v, want sent at the first attempt", a, rows[a])
				}
			}
			if tc.wantStatus == "sent" && rows["bob@example.org"].Attempts != 2 {
				t.Errorf("bob's attempts = %d, want 2", rows["bob@example.org"].Attempts)
			}
			if tc.wantStatus == "failed" {
				if len(rep.Failed) != 1 || rep.Failed[0].Temporary || rep.Failed[0].Attempts != 1 {
					t.Errorf("failures = %+v, want one permanent after 1 attempt", rep.Failed)
				}
				// A refused delivery is final: the next run does not retry it.
				rep2, err := d.Run(context.Background(), digest.RunOptions{})
				if err != nil || !rep2.Empty {
					t.Errorf("rerun = %+v, %v, want nothing to send", rep2, err)
				}
			}
		})
	}
}

func TestCancelledRunResumesWithoutDuplicates(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sent := 0
	d := e.digest(t, func(o *digest.Options) {
		o.OnSent = func() {
			if sent++; sent == 4 {
				cancel()
			}
		}
	})
	addrs := addresses(10)
	subscribe(t, d, addrs...)
	rep, err := d.Run(ctx, digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Interrupted || rep.Sent != 4 || rep.OK() {
		t.Fatalf("cancelled run = %+v, want interrupted after 4", rep)
	}
	if got := e.smtp.accepted(); got != 4 {
		t.Fatalf("server accepted %d, want 4", got)
	}
	// The next run (a new instance, as after a restart) finishes it.
	d2 := e.digest(t)
	rep2, err := d2.Run(context.Background(), digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep2.Resumed || rep2.Sent != 6 || rep2.DigestID != rep.DigestID {
		t.Errorf("resumed run = %+v, want 6 more of %s", rep2, rep.DigestID)
	}
	wantOnce(t, e.smtp.byRecipient(), addrs...)
	// Resumed messages are the same digest as the first ones.
	msgs := e.smtp.messages()
	first, last := parseMessage(t, msgs[0].Data), parseMessage(t, msgs[len(msgs)-1].Data)
	if first.Subject != last.Subject || len(first.HTML) != len(last.HTML) {
		t.Errorf("resumed message differs: %q (%d bytes) vs %q (%d bytes)", first.Subject, len(first.HTML), last.Subject, len(last.HTML))
	}
}

func TestBackToBackRuns(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	subscribe(t, d, three...)
	rep, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil || rep.Sent != 3 {
		t.Fatalf("first run = %+v, %v", rep, err)
	}
	e.clock.Advance(1)
	rep2, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep2.Empty || rep2.Sent != 0 || rep2.DigestID != "" {
		t.Errorf("second run = %+v, want Empty", rep2)
	}
	if got := e.smtp.accepted(); got != 3 {
		t.Errorf("server accepted %d, want 3", got)
	}
}

// runHeldAt starts d.Run in the background and returns once the server
// holds rcpt's message; release lets the run go on, done reports its end.
func runHeldAt(t *testing.T, e *env, d *digest.Digest, rcpt string) (release func(), done <-chan error) {
	t.Helper()
	started, release := e.smtp.blockData(rcpt)
	t.Cleanup(release)
	ch := make(chan error, 1)
	go func() {
		_, err := d.Run(context.Background(), digest.RunOptions{})
		ch <- err
	}()
	select {
	case <-started:
	case err := <-ch:
		t.Fatalf("run ended before reaching %s: %v", rcpt, err)
	}
	return release, ch
}

func TestSecondInstanceIsBusy(t *testing.T) {
	e := newEnv(t)
	a := e.digest(t)
	subscribe(t, a, three...)
	release, done := runHeldAt(t, e, a, "bob@example.org") // a holds the lock

	b := e.digest(t)
	if _, err := b.Run(context.Background(), digest.RunOptions{}); !errors.Is(err, digest.ErrBusy) {
		t.Errorf("second instance Run = %v, want ErrBusy", err)
	}
	if _, err := b.Resend(context.Background(), "2026-11-23-080000", "dan@example.org", nil); !errors.Is(err, digest.ErrBusy) {
		t.Errorf("second instance Resend = %v, want ErrBusy", err)
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The lock is released at the end of a run.
	e.clock.Advance(1)
	if rep, err := b.Run(context.Background(), digest.RunOptions{}); err != nil || !rep.Empty {
		t.Errorf("after the first run: %+v, %v, want Empty", rep, err)
	}
	wantOnce(t, e.smtp.byRecipient(), three...)
}

// TestLockRenewedDuringLongRun: a run that lasts longer than the lock's
// lease (slow messages) keeps the lock, so a second instance cannot resume
// the same digest under it and send the message in flight again.
func TestLockRenewedDuringLongRun(t *testing.T) {
	e := newEnv(t)
	a := e.digest(t, func(o *digest.Options) { o.OnSent = func() { e.clock.Advance(time.Minute) } })
	addrs := addresses(8)
	subscribe(t, a, addrs...)
	release, done := runHeldAt(t, e, a, "r05@example.org") // five minutes after a took the lock
	b := e.digest(t)
	_, err := b.Run(context.Background(), digest.RunOptions{})
	release()
	if !errors.Is(err, digest.ErrBusy) {
		t.Errorf("second instance during a long run = %v, want ErrBusy", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	wantOnce(t, e.smtp.byRecipient(), addrs...)
}

// TestRelayDownStopsEarly: when the relay keeps failing, the run stops
// after a few recipients instead of retrying each of them with backoff;
// everyone stays pending for the next run.
func TestRelayDownStopsEarly(t *testing.T) {
	e := newEnv(t)
	dead := deadAddress(t)
	d := e.digestAt(t, dead)
	addrs := addresses(20)
	subscribe(t, d, addrs...)
	rep, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failed) != 3 || rep.OK() {
		t.Errorf("report = %+v, want a stop after 3 temporary failures", rep)
	}
	if got, want := len(e.sleeps.waits()), 3*3; got != want {
		t.Errorf("backoff waits = %d, want %d (3 retries for each of 3 recipients)", got, want)
	}
	pending := 0
	for _, row := range deliveries(t, e.db, rep.DigestID) {
		if row.Status == "pending" {
			pending++
		}
	}
	if pending != 20 {
		t.Errorf("pending deliveries = %d, want 20", pending)
	}
}

// TestUnsubscribedBeforeResume: someone who unsubscribes while a digest is
// unfinished does not get it when the run resumes.
func TestUnsubscribedBeforeResume(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := e.digest(t, func(o *digest.Options) { o.OnSent = cancel })
	subscribe(t, d, three...)
	rep, err := d.Run(ctx, digest.RunOptions{})
	if err != nil || rep.Sent != 1 || !rep.Interrupted {
		t.Fatalf("first run = %+v, %v, want interrupted after 1", rep, err)
	}
	if err := d.Unsubscribe(context.Background(), "bob@example.org"); err != nil {
		t.Fatal(err)
	}
	d2 := e.digest(t)
	rep2, err := d2.Run(context.Background(), digest.RunOptions{})
	if err != nil || rep2.Sent != 1 || !rep2.OK() {
		t.Errorf("resumed run = %+v, %v, want 1 sent", rep2, err)
	}
	wantOnce(t, e.smtp.byRecipient(), "ann@example.org", "cid@example.net")
	list, err := d2.Digests(context.Background(), 1)
	if err != nil || len(list) != 1 || list[0].Status != "done" || list[0].Pending != 0 {
		t.Errorf("digest = %+v, %v, want done with nothing pending", list, err)
	}
}
