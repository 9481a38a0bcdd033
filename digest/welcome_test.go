package digest_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/digest"
)

// confirmationTo subscribes addr by the form and returns the token of the
// confirmation email the relay got (sent by d's queue, drained here).
func confirmationTo(t *testing.T, e *env, d *digest.Digest, post func(url.Values) response, addr string) string {
	t.Helper()
	if res := post(url.Values{"email": {addr}}); res.code != http.StatusAccepted {
		t.Fatalf("POST /subscribe = %d %s", res.code, res.body)
	}
	if _, err := d.SendDueConfirmations(context.Background()); err != nil {
		t.Fatal(err)
	}
	msgs := waitConfirmations(t, e, 1)
	return confirmToken(t, msgs[len(msgs)-1])
}

// welcomesTo counts the welcome messages the relay accepted for addr.
func welcomesTo(t *testing.T, e *env, addr string) int {
	t.Helper()
	n := 0
	for _, m := range e.smtp.messages() {
		if len(m.To) == 1 && m.To[0] == addr && strings.HasPrefix(parseMessage(t, m.Data).Subject, "Welcome to") {
			n++
		}
	}
	return n
}

// TestWelcomeWhenTheRelayHangs: the confirm POST answers at once while the
// relay sits in DATA on the welcome message, which is queued, pending, and
// sent once the relay answers.
func TestWelcomeWhenTheRelayHangs(t *testing.T) {
	e, _, srv := newWebEnv(t)
	const addr = "wes@example.org"
	do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {addr}})
	tok := confirmToken(t, waitConfirmations(t, e, 1)[0])
	started, release := e.smtp.blockData(addr)
	defer release()
	start := time.Now()
	res := do(t, srv, http.MethodPost, "/subscribe/confirm", url.Values{"t": {tok}})
	if took := time.Since(start); res.code != http.StatusOK || took > 2*time.Second {
		t.Fatalf("POST /subscribe/confirm = %d after %s, want 200 at once", res.code, took)
	}
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the welcome message never reached the relay")
	}
	if rows := queued(t, e, "welcome", addr); len(rows) != 1 || rows[0].Status != "pending" {
		t.Errorf("while the relay hangs: %+v, want one pending welcome", rows)
	}
	release()
	deadline := time.Now().Add(10 * time.Second)
	for rows := queued(t, e, "welcome", addr); len(rows) != 1 || rows[0].Status != "sent"; rows = queued(t, e, "welcome", addr) {
		if time.Now().After(deadline) {
			t.Fatalf("after the relay answered: %+v, want one sent welcome", rows)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := welcomesTo(t, e, addr); n != 1 {
		t.Errorf("%s got %d welcome messages, want 1", addr, n)
	}
}

// TestWelcomeOnceAcrossRestarts: a welcome the relay put off is sent by
// the next process on the same database, with the Message-ID it was queued
// with, and neither a later restart nor the same link posted again sends
// another.
func TestWelcomeOnceAcrossRestarts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const addr = "rex@example.org"
	d := e.digest(t)
	srv := newSite(t, e, d) // no sender running: the test drives it
	post := func(f url.Values) response { return do(t, srv, http.MethodPost, "/subscribe", f) }
	tok := confirmationTo(t, e, d, post, addr)
	e.smtp.failRcpt(addr, 421, 4) // every try of the first pass
	if res := do(t, srv, http.MethodPost, "/subscribe/confirm", url.Values{"t": {tok}}); res.code != http.StatusOK {
		t.Fatalf("confirm = %d %s", res.code, res.body)
	}
	if _, err := d.SendDueConfirmations(ctx); err != nil {
		t.Fatal(err)
	}
	rows := queued(t, e, "welcome", addr)
	if len(rows) != 1 || rows[0].Status != "pending" || rows[0].Attempts != 4 || !strings.Contains(rows[0].LastError, "421") {
		t.Fatalf("after a pass the relay refused for now: %+v, want one pending welcome after 4 attempts", rows)
	}

	// Two restarts: each a new process on the same database file.
	for i := range 2 {
		e.clock.Advance(5 * time.Minute)
		db := openDB(t, e.dbPath)
		d2, err := digest.New(ctx, db, e.corpus.Snapshot, e.dialer(t, e.smtp.Addr), e.options())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d2.SendDueConfirmations(ctx); err != nil {
			t.Fatal(err)
		}
		if n := welcomesTo(t, e, addr); n != 1 {
			t.Fatalf("after restart %d: %d welcome messages, want 1", i+1, n)
		}
	}
	var got parsedMessage
	for _, m := range e.smtp.messages() {
		if p := parseMessage(t, m.Data); strings.HasPrefix(p.Subject, "Welcome to") {
			got = p
		}
	}
	if id := got.Header.Get("Message-Id"); id != rows[0].MessageID {
		t.Errorf("welcome Message-ID = %s, want %s, as queued", id, rows[0].MessageID)
	}
	if rows := queued(t, e, "welcome", addr); len(rows) != 1 || rows[0].Status != "sent" || rows[0].Attempts != 5 {
		t.Errorf("after the restarts: %+v, want one sent welcome after 5 attempts", rows)
	}
	if res := do(t, srv, http.MethodPost, "/subscribe/confirm", url.Values{"t": {tok}}); res.code != http.StatusGone {
		t.Errorf("the link posted again = %d, want 410", res.code)
	}
	if _, err := d.SendDueConfirmations(ctx); err != nil || welcomesTo(t, e, addr) != 1 {
		t.Errorf("after the link was posted again: %d welcome messages (%v), want 1", welcomesTo(t, e, addr), err)
	}
}

// TestWelcomeNotSent: a welcome the relay refuses for good, or to an
// address that left before it went, is recorded and dropped, never tried
// again; the subscription stands in the first case.
func TestWelcomeNotSent(t *testing.T) {
	tests := []struct {
		name       string
		before     func(t *testing.T, e *env, d *digest.Digest, addr string) // between the confirmation and the pass
		status     string
		attempts   int
		lastError  string
		subscribed bool
	}{
		{"refused for good", func(t *testing.T, e *env, d *digest.Digest, addr string) { e.smtp.failRcpt(addr, 550, -1) },
			"failed", 1, "550", true},
		{"unsubscribed first", func(t *testing.T, e *env, d *digest.Digest, addr string) {
			if err := d.Unsubscribe(context.Background(), addr); err != nil {
				t.Fatal(err)
			}
		}, "void", 0, "", false},
		// As when an unsubscribe lands between the pass's read of due
		// emails and the send.
		{"gone when sent", func(t *testing.T, e *env, d *digest.Digest, addr string) {
			if _, err := e.db.Exec(`DELETE FROM subscribers WHERE email = ?`, addr); err != nil {
				t.Fatal(err)
			}
		}, "void", 0, "not subscribed", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			const addr = "una@example.org"
			d := e.digest(t)
			srv := newSite(t, e, d)
			post := func(f url.Values) response { return do(t, srv, http.MethodPost, "/subscribe", f) }
			tok := confirmationTo(t, e, d, post, addr)
			if res := do(t, srv, http.MethodPost, "/subscribe/confirm", url.Values{"t": {tok}}); res.code != http.StatusOK {
				t.Fatalf("confirm = %d %s", res.code, res.body)
			}
			tc.before(t, e, d, addr)
			for range 2 { // the second pass, a day later, tries nothing
				if _, err := d.SendDueConfirmations(ctx); err != nil {
					t.Fatal(err)
				}
				e.clock.Advance(24 * time.Hour)
			}
			rows := queued(t, e, "welcome", addr)
			if len(rows) != 1 || rows[0].Status != tc.status || rows[0].Attempts != tc.attempts || !strings.Contains(rows[0].LastError, tc.lastError) {
				t.Errorf("welcome rows = %+v, want one %s after %d attempts, error with %q", rows, tc.status, tc.attempts, tc.lastError)
			}
			if n := welcomesTo(t, e, addr); n != 0 {
				t.Errorf("%d welcome messages arrived, want 0", n)
			}
			if _, err := d.Subscriber(ctx, addr); (err == nil) != tc.subscribed {
				t.Errorf("subscriber after the welcome was dropped: %v, want subscribed %v", err, tc.subscribed)
			}
		})
	}
}
