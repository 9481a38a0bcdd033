package digest_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
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
	if len(rep2.Resumed) != 1 || rep2.Resumed[0].DigestID != rep.DigestID || rep2.Resumed[0].Sent != 3 || !rep2.Empty || !rep2.OK() {
		t.Errorf("second run = %+v, want digest %s resumed, 3 sent, and nothing new", rep2, rep.DigestID)
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
		{"link dropped at RCPT once", func(s *mailServer) { s.dropAtRcpt("bob@example.org", 1) }, 3, "sent", true, 1},
		// The server kept the message but the reply was lost: it may
		// have been delivered, so this run does not send it again.
		{"link dropped after DATA", func(s *mailServer) { s.dropAfterData("bob@example.org") }, 2, "in_doubt", false, 1},
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
	if len(rep2.Resumed) != 1 || rep2.Resumed[0].Sent != 6 || rep2.Resumed[0].DigestID != rep.DigestID {
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
	if _, err := b.Resend(context.Background(), "1", "dan@example.org", nil); !errors.Is(err, digest.ErrBusy) {
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

// TestWaitForTheLock: a run with Wait (the scheduled one) waits for the
// run that holds the lock, then runs; cancelled while waiting, it gives up.
func TestWaitForTheLock(t *testing.T) {
	e := newEnv(t)
	a := e.digest(t)
	subscribe(t, a, three...)
	release, done := runHeldAt(t, e, a, "bob@example.org")

	b := e.digest(t)
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	if _, err := b.Run(ctx, digest.RunOptions{Wait: true}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting run cancelled = %v, want the context's error", err)
	}
	waited := make(chan *digest.Report, 1)
	go func() {
		rep, err := b.Run(context.Background(), digest.RunOptions{Wait: true})
		if err != nil {
			t.Error(err)
		}
		waited <- rep
	}()
	select {
	case rep := <-waited:
		t.Fatalf("the waiting run did not wait: %+v", rep)
	case <-time.After(300 * time.Millisecond):
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if rep := <-waited; rep == nil || !rep.Empty {
		t.Errorf("run after waiting = %+v, want Empty (the first run sent everything)", rep)
	}
	wantOnce(t, e.smtp.byRecipient(), three...)
}

// TestLongRunIsNeverOvertaken: however long a run lasts (here five minutes
// of the clock, which the old 2-minute lease let lapse), a second instance
// cannot resume the same digest under it and send its recipients again.
func TestLongRunIsNeverOvertaken(t *testing.T) {
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
	if err != nil || len(rep2.Resumed) != 1 || rep2.Resumed[0].Sent != 1 || !rep2.OK() {
		t.Errorf("resumed run = %+v, %v, want 1 sent", rep2, err)
	}
	wantOnce(t, e.smtp.byRecipient(), "ann@example.org", "cid@example.net")
	list, err := d2.Digests(context.Background(), 1)
	if err != nil || len(list) != 1 || list[0].Status != "done" || list[0].Pending != 0 {
		t.Errorf("digest = %+v, %v, want done with nothing pending", list, err)
	}
}

// digestTuned makes a Digest whose SMTP settings tune adjusts.
func (e *env) digestTuned(tb testing.TB, tune func(*digest.SMTPConfig), mods ...func(*digest.Options)) *digest.Digest {
	tb.Helper()
	cfg, err := digest.ParseSMTPURL("smtp://" + e.smtp.Addr + "?tls=none&timeout=5s")
	if err != nil {
		tb.Fatal(err)
	}
	tune(&cfg)
	d, err := digest.New(context.Background(), e.db, e.corpus.Snapshot, func() (digest.Sender, error) { return digest.NewSMTPSender(cfg) }, e.options(mods...))
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// TestSlowAcknowledgement is the relay that stores the message and
// answers the final dot after the per-command timeout: the sender waits
// for that reply (up to DataTimeout), so each recipient gets one copy.
// The old client timed out and sent 4 copies per recipient.
func TestSlowAcknowledgement(t *testing.T) {
	e := newEnv(t)
	for _, a := range three {
		e.smtp.slowAck(a, 600*time.Millisecond)
	}
	d := e.digestTuned(t, func(c *digest.SMTPConfig) { c.Timeout = 200 * time.Millisecond })
	subscribe(t, d, three...)
	rep, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 3 || !rep.OK() {
		t.Errorf("report = %+v, want 3 sent", rep)
	}
	wantOnce(t, e.smtp.byRecipient(), three...)
}

// TestInDoubt: a relay that never answers the end of one message leaves
// that delivery in doubt: recorded, reported, not sent again by the same
// run, tried once more by the next run, and never after that.
func TestInDoubt(t *testing.T) {
	e := newEnv(t)
	e.smtp.slowAck("bob@example.org", 800*time.Millisecond)
	d := e.digestTuned(t, func(c *digest.SMTPConfig) { c.DataTimeout = 200 * time.Millisecond })
	subscribe(t, d, three...)
	rep, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 2 || rep.OK() || len(rep.Failed) != 1 || !rep.Failed[0].InDoubt || !rep.Failed[0].Temporary ||
		!strings.Contains(rep.Failed[0].Error, "may have delivered") {
		t.Fatalf("report = %+v, want 2 sent and bob in doubt", rep)
	}
	if got := e.smtp.byRecipient(); got["bob@example.org"] != 1 || got["ann@example.org"] != 1 || got["cid@example.net"] != 1 {
		t.Errorf("received = %v, want one each (bob's was stored, and not sent again in the run)", got)
	}
	row := deliveries(t, e.db, rep.DigestID)["bob@example.org"]
	if row.Status != "in_doubt" || row.Attempts != 1 || row.MessageID == "" {
		t.Errorf("bob's delivery = %+v, want in_doubt after 1 attempt, with its Message-ID", row)
	}
	list, _ := d.Digests(context.Background(), 1)
	if len(list) != 1 || list[0].InDoubt != 1 || list[0].Status != "sending" {
		t.Errorf("digest = %+v, want sending with 1 in doubt", list)
	}
	if made, err := d.Unfinished(context.Background()); err != nil || made.IsZero() {
		t.Errorf("Unfinished = %v, %v, want the digest's time: the in-doubt delivery is tried once more", made, err)
	}

	// The next run tries bob once more; the relay is still slow.
	rep2, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep2.Resumed) != 1 || len(rep2.Resumed[0].Failed) != 1 || !rep2.Resumed[0].Failed[0].InDoubt || rep2.Resumed[0].Failed[0].Temporary {
		t.Fatalf("second run = %+v, want bob tried once more and in doubt again", rep2)
	}
	if got := e.smtp.byRecipient()["bob@example.org"]; got != 2 {
		t.Errorf("bob got %d, want 2", got)
	}
	var ids []string
	for _, m := range e.smtp.messages() {
		if m.To[0] == "bob@example.org" {
			ids = append(ids, parseMessage(t, m.Data).Header.Get("Message-ID"))
		}
	}
	if len(ids) != 2 || ids[0] != ids[1] || ids[0] != row.MessageID {
		t.Errorf("bob's Message-IDs = %q, want the in-doubt one (%s) twice, so his mail system can tell", ids, row.MessageID)
	}
	// Tried again once: never again. The digest is done, bob stays in doubt.
	rep3, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil || len(rep3.Resumed) != 0 || !rep3.Empty {
		t.Errorf("third run = %+v, %v, want nothing resumed and nothing new", rep3, err)
	}
	if got := e.smtp.byRecipient()["bob@example.org"]; got != 2 {
		t.Errorf("bob got %d after the third run, want 2", got)
	}
	list, _ = d.Digests(context.Background(), 1)
	if len(list) != 1 || list[0].InDoubt != 1 || list[0].Status != "done" {
		t.Errorf("digest = %+v, want done with 1 in doubt", list)
	}
}

// TestInDoubtRetrySucceeds: when the once-more try of an in-doubt delivery
// is acknowledged, it is recorded sent.
func TestInDoubtRetrySucceeds(t *testing.T) {
	e := newEnv(t)
	e.smtp.dropAfterData("bob@example.org")
	d := e.digest(t)
	subscribe(t, d, three...)
	rep, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil || len(rep.Failed) != 1 || !rep.Failed[0].InDoubt {
		t.Fatalf("first run = %+v, %v, want bob in doubt", rep, err)
	}
	rep2, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil || len(rep2.Resumed) != 1 || rep2.Resumed[0].Sent != 1 || !rep2.OK() {
		t.Fatalf("second run = %+v, %v, want bob sent", rep2, err)
	}
	if row := deliveries(t, e.db, rep.DigestID)["bob@example.org"]; row.Status != "sent" || row.Attempts != 2 {
		t.Errorf("bob's delivery = %+v, want sent after 2 attempts", row)
	}
}

// TestBadStoredAddress is the '"m m"@example.org', stored as
// "m m@example.org" by an older version: that recipient fails for good,
// with an error naming the address, and everyone else gets the digest.
func TestBadStoredAddress(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	subscribe(t, d, three...)
	if _, err := e.db.Exec(`INSERT INTO subscribers (email, created) VALUES ('m m@example.org', '2026-11-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	rep, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 3 || len(rep.Failed) != 1 || rep.Failed[0].Temporary || !strings.Contains(rep.Failed[0].Error, `"m m@example.org"`) {
		t.Fatalf("report = %+v, want 3 sent and m m@example.org refused by name", rep)
	}
	wantOnce(t, e.smtp.byRecipient(), three...)
	if list, _ := d.Digests(context.Background(), 1); len(list) != 1 || list[0].Status != "done" {
		t.Errorf("digest = %+v, want done", list)
	}
	// Nor does it stop later digests.
	e.clock.Advance(time.Hour)
	if rep, err := d.Run(context.Background(), digest.RunOptions{SendEmpty: true}); err != nil || len(rep.Failed) != 1 || rep.Sent != 3 {
		t.Errorf("next digest = %+v, %v, want 3 sent and the bad address refused", rep, err)
	}
	// It can be removed as the list shows it; a new one like it cannot be added.
	if err := d.Unsubscribe(context.Background(), "m m@example.org"); err != nil {
		t.Errorf("remove as listed: %v", err)
	}
	if err := d.Unsubscribe(context.Background(), "m m@example.org"); !errors.Is(err, digest.ErrBadAddress) {
		t.Errorf("remove again = %v, want ErrBadAddress", err)
	}
	if _, err := d.Subscribe(context.Background(), `"m m"@example.org`); !errors.Is(err, digest.ErrBadAddress) {
		t.Errorf(`subscribe "m m"@example.org = %v, want ErrBadAddress`, err)
	}
}

func TestCheckRecipient(t *testing.T) {
	long := strings.Repeat("a", 65)
	tests := []struct {
		addr string
		ok   bool
	}{
		{"ann@example.org", true},
		{"ann.b+digest@sub.example.org", true},
		{"m m@example.org", false},
		{`"m m"@example.org`, false},
		{"Ann <ann@example.org>", false},
		{long + "@example.org", false},
		{strings.Repeat("a", 64) + "@example.org", true},
		{"a@" + strings.Repeat("b", 250) + ".org", false},
		{"no-at-sign", false},
	}
	for _, tc := range tests {
		err := digest.CheckRecipient(tc.addr)
		if (err == nil) != tc.ok {
			t.Errorf("CheckRecipient(%q) = %v, want ok %v", tc.addr, err, tc.ok)
		}
		if err != nil && (!errors.Is(err, digest.ErrBadAddress) || !strings.Contains(err.Error(), strconv.Quote(tc.addr))) {
			t.Errorf("CheckRecipient(%q) error %q does not name the address", tc.addr, err)
		}
	}
}

// TestShutdownCutsAHungReply: when the run's context ends while the relay
// sits on the reply to the end of a message (it would get 10 minutes),
// the message gets StopGrace, then the link is cut: the delivery is
// recorded in doubt, the rest stays pending, and Run returns.
func TestShutdownCutsAHungReply(t *testing.T) {
	e := newEnv(t)
	d := e.digestTuned(t, func(c *digest.SMTPConfig) { c.StopGrace = 200 * time.Millisecond })
	subscribe(t, d, three...)
	started, release := e.smtp.blockData("bob@example.org")
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		rep *digest.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := d.Run(ctx, digest.RunOptions{})
		done <- result{rep, err}
	}()
	<-started
	cancel()
	var r result
	select {
	case r = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !r.rep.Interrupted || r.rep.Sent != 1 || len(r.rep.Failed) != 1 || !r.rep.Failed[0].InDoubt {
		t.Errorf("report = %+v, want interrupted, ann sent, bob in doubt", r.rep)
	}
	rows := deliveries(t, e.db, r.rep.DigestID)
	if rows["bob@example.org"].Status != "in_doubt" || rows["cid@example.net"].Status != "pending" {
		t.Errorf("deliveries = %+v, want bob in doubt and cid pending", rows)
	}
	// The operator reads why: a stop, not the relay's 10 minutes.
	if got := rows["bob@example.org"].LastError; !strings.HasPrefix(got, "stopped while waiting for the reply") {
		t.Errorf("bob's last error = %q, want it to say the run was stopped", got)
	}
}

// TestRefusalNamesTheRecipientOnce checks the error an operator reads in
// "kdigest digest", the log and "kdigest digests ID": the recipient in
// angle brackets once, as on the wire, not "RCPT TO <<bob@example.org>>".
func TestRefusalNamesTheRecipientOnce(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	subscribe(t, d, three...)
	e.smtp.failRcpt("bob@example.org", 550, -1)
	rep, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failed) != 1 {
		t.Fatalf("failures = %+v, want bob's", rep.Failed)
	}
	if got := rep.Failed[0].Error; !strings.HasPrefix(got, "RCPT TO <bob@example.org>: 550") {
		t.Errorf("error = %q, want it to begin with %q", got, "RCPT TO <bob@example.org>: 550")
	}
	if got := deliveries(t, e.db, rep.DigestID)["bob@example.org"].LastError; strings.Contains(got, "<<") {
		t.Errorf("ledger's last error = %q, want the address bracketed once", got)
	}
}
