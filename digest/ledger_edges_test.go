package digest_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/digest"
	"github.com/kdigest/kdigest/schedule"
)

// TestUnsubscribeCancelsInDoubtRetry checks that a subscriber whose
// delivery is in doubt (the relay took it and never answered) and who then
// unsubscribes does not get the once-more try.
func TestUnsubscribeCancelsInDoubtRetry(t *testing.T) {
	e := newEnv(t)
	e.smtp.dropAfterData("bob@example.org")
	d := e.digest(t)
	subscribe(t, d, three...)
	rep, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil || len(rep.Failed) != 1 || !rep.Failed[0].InDoubt {
		t.Fatalf("first run = %+v, %v, want bob in doubt", rep, err)
	}
	if err := d.Unsubscribe(context.Background(), "bob@example.org"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Run(context.Background(), digest.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := e.smtp.byRecipient()["bob@example.org"]; got != 1 {
		t.Errorf("bob (unsubscribed after the first try) got %d messages, want 1", got)
	}
	t.Logf("bob's delivery after unsubscribing: %+v", deliveries(t, e.db, rep.DigestID)["bob@example.org"])
}

// TestUnsubscribeDuringRunIsHonoured checks that a subscriber who
// unsubscribes while a run sends to others (a slow relay, thousands of
// recipients) does not get the digest afterwards.
func TestUnsubscribeDuringRunIsHonoured(t *testing.T) {
	e := newEnv(t)
	started, release := e.smtp.blockData("ann@example.org")
	defer release()
	d := e.digest(t)
	subscribe(t, d, three...)
	done := make(chan error, 1)
	go func() {
		_, err := d.Run(context.Background(), digest.RunOptions{})
		done <- err
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the run never reached ann's DATA")
	}
	if err := d.Unsubscribe(context.Background(), "cid@example.net"); err != nil {
		t.Fatal(err)
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := e.smtp.byRecipient()["cid@example.net"]; got != 0 {
		t.Errorf("cid unsubscribed (and the unsubscribe page said so) before the run reached him, got %d messages, want 0", got)
	}
}

// TestQuietRunIsNoMissedSlot checks that a scheduled run with nothing to
// send is recorded, so that the scheduler's catch-up after a restart does
// not take its slot for a missed one and send a digest off schedule.
func TestQuietRunIsNoMissedSlot(t *testing.T) {
	e := newEnv(t) // t0 is Monday 2026-11-23 08:00 UTC
	d := e.digest(t)
	subscribe(t, d, three...)
	if _, err := d.Run(context.Background(), digest.RunOptions{Kind: "scheduled"}); err != nil {
		t.Fatal(err)
	}
	// Monday 30 Nov 08:00: the scheduled run; nothing new.
	e.clock.Advance(7 * 24 * time.Hour)
	rep, err := d.Run(context.Background(), digest.RunOptions{Kind: "scheduled"})
	if err != nil || !rep.Empty {
		t.Fatalf("quiet run = %+v, %v", rep, err)
	}
	// Tuesday: an article arrives. Wednesday 2 Dec 10:00: the service restarts (a deploy).
	e.clock.Advance(26 * time.Hour)
	raw, _ := os.ReadFile(filepath.Join(e.seeds, "000_7b07c52ff58aff77.txt"))
	os.WriteFile(filepath.Join(e.seeds, "100_new.txt"), []byte("Aliyev and Pashinyan meet in Brussels for peace talks\n\n"+strings.ReplaceAll(string(raw), "Moscow", "Brussels")), 0o644)
	if err := e.corpus.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(24 * time.Hour)
	before := e.smtp.accepted()
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan string, 4)
	s, err := schedule.NewScheduler(schedule.SchedulerOptions{
		Spec: "0 8 * * MON", Location: time.UTC, Now: e.clock.Now,
		Run: func(ctx context.Context) error {
			ran <- "run"
			_, err := d.Run(ctx, digest.RunOptions{Kind: "scheduled", Wait: true})
			return err
		},
		Last:    d.LastSent,
		Pending: d.Unfinished,
	})
	if err != nil {
		t.Fatal(err)
	}
	stopped := make(chan struct{})
	go func() { s.Run(ctx); close(stopped) }()
	select {
	case <-ran:
		time.Sleep(2 * time.Second) // let it send
	case <-time.After(2 * time.Second):
	}
	cancel()
	<-stopped
	if got := e.smtp.accepted() - before; got != 0 {
		t.Errorf("a restart on Wednesday after a quiet Monday sent %d messages off schedule (a catch-up of a slot that was not missed), want 0", got)
	}
}

// TestConfirmationClaimedOnce checks that a confirmation email is sent
// once when two processes find it due: "subscribers import --confirm"
// still sending after 5 minutes (a slow relay, a long list), and the
// service's sender, which then finds the rest of the import's emails due.
func TestConfirmationClaimedOnce(t *testing.T) {
	e := newEnv(t)
	cli := e.digest(t)
	svc := e.digest(t)
	var b strings.Builder
	b.WriteString("email\n")
	for _, a := range addresses(5) {
		b.WriteString(a + "\n")
	}
	started, release := e.smtp.blockData("r01@example.org")
	defer release()
	done := make(chan error, 1)
	go func() {
		_, err := cli.ImportCSV(context.Background(), strings.NewReader(b.String()), digest.ImportOptions{Name: "list.csv", Confirm: true})
		done <- err
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the import never reached r01's DATA")
	}
	e.clock.Advance(6 * time.Minute) // the import is slow; the service's loop wakes
	if _, err := svc.SendDueConfirmations(context.Background()); err != nil {
		t.Fatal(err)
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for a, n := range e.smtp.byRecipient() {
		if n != 1 {
			t.Errorf("%s got %d confirmation emails, want 1", a, n)
		}
	}
}

// TestInterruptedResendIsResumed checks that a resend stopped before it
// was sent (the process dies, or its sender cannot be opened) is made by
// the next run, as README says: the pending delivery and the digest's
// "sending" are one write.
func TestInterruptedResendIsResumed(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	rep, _ := sendToThree(t, e, d)
	broken, err := digest.New(context.Background(), e.db, e.corpus.Snapshot,
		func() (digest.Sender, error) { return nil, os.ErrDeadlineExceeded }, e.options())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := broken.Resend(context.Background(), rep.DigestID, "dan@example.org", nil); err == nil {
		t.Fatal("resend with a broken sender succeeded")
	}
	t.Logf("dan's delivery after the interrupted resend: %+v", deliveries(t, e.db, rep.DigestID)["dan@example.org"])
	if _, err := d.Run(context.Background(), digest.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := e.smtp.byRecipient()["dan@example.org"]; got != 1 {
		t.Errorf("dan got %d messages after the next run, want 1 (the pending resend)", got)
	}
}

// TestConfirmIsOneWrite checks that confirming a subscription, marking the
// link used and queuing the welcome are one write: when it fails (an
// error page), posting the link again subscribes and welcomes once.
func TestConfirmIsOneWrite(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const addr = "rex@example.org"
	d := e.digest(t)
	srv := newSite(t, e, d)
	post := func(f url.Values) response { return do(t, srv, http.MethodPost, "/subscribe", f) }
	tok := confirmationTo(t, e, d, post, addr)
	// The write after the subscription fails once.
	if _, err := e.db.Exec(`CREATE TABLE fail_once (n INTEGER); INSERT INTO fail_once VALUES (1);
		CREATE TRIGGER fail_confirm BEFORE UPDATE OF status ON confirmations
		WHEN NEW.status = 'confirmed' AND (SELECT n FROM fail_once) = 1
		BEGIN SELECT RAISE(ABORT, 'disk I/O error (simulated)'); END;`); err != nil {
		t.Fatal(err)
	}
	if res := do(t, srv, http.MethodPost, "/subscribe/confirm", url.Values{"t": {tok}}); res.code != http.StatusInternalServerError {
		t.Fatalf("confirm with the failing write = %d, want 500", res.code)
	} else if !strings.Contains(res.body, "could not be completed") || !strings.Contains(res.body, "try again") {
		t.Errorf("the error page does not say the request failed and to try again:\n%s", res.body)
	}
	e.db.Exec(`UPDATE fail_once SET n = 0`)
	_, err := d.Subscriber(ctx, addr)
	t.Logf("subscribed after the error page: %v", err == nil)
	// The reader tries the link again, as the error page invites.
	res := do(t, srv, http.MethodPost, "/subscribe/confirm", url.Values{"t": {tok}})
	t.Logf("second post of the link = %d", res.code)
	if _, err := d.SendDueConfirmations(ctx); err != nil {
		t.Fatal(err)
	}
	if n := welcomesTo(t, e, addr); n != 1 {
		t.Errorf("welcome messages to %s = %d, want 1 (sent once per confirmation)", addr, n)
	}
}

// TestWindowEndsAtHorizon checks that a digest's window ends at the
// corpus's horizon when it is before now: articles first seen by a change
// still in progress are left to the next window, which starts there.
func TestWindowEndsAtHorizon(t *testing.T) {
	e := newEnv(t)
	horizon := e.clock.Now().Add(-time.Minute)
	d := e.digest(t, func(o *digest.Options) { o.Horizon = func() time.Time { return horizon } })
	is, err := d.Plan(context.Background(), digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !is.Cutoff.Equal(horizon) {
		t.Errorf("window ends at %s, want the horizon %s (now is %s)", is.Cutoff, horizon, e.clock.Now())
	}
}
