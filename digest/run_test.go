package digest_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/digest"
)

func TestDryRunAndPreviewChangeNothing(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	subscribe(t, d, three...)
	before := dumpLedger(t, e.db)

	var out bytes.Buffer
	rep, err := d.Run(context.Background(), digest.RunOptions{DryRun: true, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Recipients != 3 || rep.Articles != 5 || rep.Empty || rep.Sent != 0 {
		t.Errorf("dry run report = %+v", rep)
	}
	for _, want := range []string{"Dry run", "Karabakh diplomacy weekly, 16–23 Nov 2026: 5 new articles", "ann@example.org, bob@example.org, cid@example.net", "  - "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out.String())
		}
	}

	path := filepath.Join(t.TempDir(), "preview.html")
	is, err := d.Preview(context.Background(), path, digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if is.Articles != 5 {
		t.Errorf("preview articles = %d, want 5", is.Articles)
	}
	for _, p := range []string{path, strings.TrimSuffix(path, ".html") + ".txt"} {
		if b, err := os.ReadFile(p); err != nil || len(b) == 0 {
			t.Errorf("preview file %s: %v", p, err)
		}
	}
	if _, err := d.Plan(context.Background(), digest.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if after := dumpLedger(t, e.db); after != before {
		t.Errorf("dry run or preview changed the ledger:\n%s\nwant\n%s", after, before)
	}
	if got := e.smtp.accepted(); got != 0 {
		t.Errorf("dry run or preview sent %d messages", got)
	}
	// And the real run still has everything to send.
	if rep, err := d.Run(context.Background(), digest.RunOptions{}); err != nil || rep.Sent != 3 {
		t.Errorf("run after previews = %+v, %v, want 3 sent", rep, err)
	}
}

func TestPreviewFailsOnBadPath(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	_, err := d.Preview(context.Background(), filepath.Join(t.TempDir(), "missing", "p.html"), digest.RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "preview") {
		t.Errorf("Preview into a missing folder = %v, want a preview error", err)
	}
}

func TestOneOffDoesNotMoveCutoff(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	subscribe(t, d, three...)
	rep, err := d.Run(context.Background(), digest.RunOptions{To: []string{"Editor <Ed@Example.org>"}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 1 || rep.Recipients != 1 {
		t.Fatalf("one-off = %+v, want 1 sent", rep)
	}
	rows := deliveries(t, e.db, rep.DigestID)
	if rows["ed@example.org"].Status != "sent" || len(rows) != 1 {
		t.Errorf("one-off deliveries = %+v, want ed@example.org sent", rows)
	}
	// The subscribers still get the same five articles, even at the same second.
	rep2, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep2.Sent != 3 || rep2.Articles != 5 || rep2.DigestID == rep.DigestID {
		t.Errorf("subscribers' run = %+v, want 3 sent of 5 articles in a new digest", rep2)
	}
	wantOnce(t, e.smtp.byRecipient(), append([]string{"ed@example.org"}, three...)...)
	list, err := d.Digests(context.Background(), 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("Digests = %+v, %v", list, err)
	}
	kinds := list[0].Kind + "," + list[1].Kind
	if !strings.Contains(kinds, "to") || !strings.Contains(kinds, "manual") {
		t.Errorf("kinds = %s, want a one-off and a manual digest", kinds)
	}
}

func TestOneOffBadAddress(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	before := dumpLedger(t, e.db)
	_, err := d.Run(context.Background(), digest.RunOptions{To: []string{"ok@example.org", "bad address"}})
	if !errors.Is(err, digest.ErrBadAddress) {
		t.Errorf("Run with a bad --to = %v, want ErrBadAddress", err)
	}
	if after := dumpLedger(t, e.db); after != before {
		t.Errorf("a refused one-off changed the ledger")
	}
}

func TestResend(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	rep, _ := sendToThree(t, e, d)
	got, err := d.Resend(context.Background(), rep.DigestID, "Bob@Example.org", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Sent != 1 || !got.OK() {
		t.Errorf("resend = %+v, want 1 sent", got)
	}
	if n := e.smtp.byRecipient()["bob@example.org"]; n != 2 {
		t.Errorf("bob got %d messages, want 2", n)
	}
	msgs := e.smtp.messages()
	if msgs[1].To[0] != "bob@example.org" || msgs[len(msgs)-1].To[0] != "bob@example.org" {
		t.Fatalf("messages are not bob's first and resent copies: %v, %v", msgs[1].To, msgs[len(msgs)-1].To)
	}
	first, again := parseMessage(t, msgs[1].Data), parseMessage(t, msgs[len(msgs)-1].Data)
	if first.Subject != again.Subject {
		t.Errorf("resent subject = %q, want %q", again.Subject, first.Subject)
	}
	if a, b := first.Header.Get("Message-ID"), again.Header.Get("Message-ID"); a == b || a == "" {
		t.Errorf("resent Message-ID = %q, first %q: a resend on purpose must be a new message", b, a)
	}
	// To someone new, and errors.
	if got, err := d.Resend(context.Background(), rep.DigestID, "new@example.org", nil); err != nil || got.Sent != 1 {
		t.Errorf("resend to a new address = %+v, %v", got, err)
	}
	if _, err := d.Resend(context.Background(), "1999-01-01-000000", "bob@example.org", nil); !errors.Is(err, digest.ErrNotFound) {
		t.Errorf("resend of an unknown digest = %v, want ErrNotFound", err)
	}
	if _, err := d.Resend(context.Background(), rep.DigestID, "nobody", nil); !errors.Is(err, digest.ErrBadAddress) {
		t.Errorf("resend to a bad address = %v, want ErrBadAddress", err)
	}
	// A refused resend is reported, not an error.
	e.smtp.failRcpt("zed@example.org", 550, -1)
	if got, err := d.Resend(context.Background(), rep.DigestID, "zed@example.org", nil); err != nil || len(got.Failed) != 1 || got.Sent != 0 {
		t.Errorf("refused resend = %+v, %v, want one failure", got, err)
	}
}

func TestWindow(t *testing.T) {
	tests := []struct {
		name        string
		window      time.Duration
		since       time.Time
		firstSeenAt time.Duration // how long before the run the corpus saw the seeds
		wantArticle int
		wantPeriod  string
	}{
		{"default 7 days includes seeds seen 6 days ago", 0, time.Time{}, 6 * 24 * time.Hour, 5, "22–29 Nov 2026"},
		{"default 7 days excludes seeds seen 8 days ago", 0, time.Time{}, 8 * 24 * time.Hour, 0, "24 Nov – 1 Dec 2026"},
		{"window 10 days includes seeds seen 8 days ago", 10 * 24 * time.Hour, time.Time{}, 8 * 24 * time.Hour, 5, "21 Nov – 1 Dec 2026"},
		{"since overrides the window", 0, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), 20 * 24 * time.Hour, 5, "1 Nov – 13 Dec 2026"},
		{"since after the seeds", 0, t0.Add(time.Second), time.Hour, 0, "23 Nov 2026"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t) // the corpus saw the seeds at t0
			e.clock.Advance(tc.firstSeenAt)
			d := e.digest(t, func(o *digest.Options) { o.Window = tc.window })
			is, err := d.Plan(context.Background(), digest.RunOptions{Since: tc.since})
			if err != nil {
				t.Fatal(err)
			}
			if is.Articles != tc.wantArticle || is.Period != tc.wantPeriod {
				t.Errorf("articles = %d in %q, want %d in %q", is.Articles, is.Period, tc.wantArticle, tc.wantPeriod)
			}
			wantSince := e.clock.Now().Add(-tc.window)
			if tc.window == 0 {
				wantSince = e.clock.Now().Add(-7 * 24 * time.Hour)
			}
			if !tc.since.IsZero() {
				wantSince = tc.since
			}
			if !is.Since.Equal(wantSince) || !is.Cutoff.Equal(e.clock.Now()) {
				t.Errorf("window = %v to %v, want %v to %v", is.Since, is.Cutoff, wantSince, e.clock.Now())
			}
		})
	}
}

func TestQuietWeek(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	subscribe(t, d, three...)
	if _, err := d.Run(context.Background(), digest.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(7 * 24 * time.Hour)
	rep, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil || !rep.Empty || rep.Sent != 0 || !rep.OK() {
		t.Fatalf("quiet run = %+v, %v, want Empty", rep, err)
	}
	rep, err = d.Run(context.Background(), digest.RunOptions{SendEmpty: true})
	if err != nil {
		t.Fatal(err)
	}
	want := "Karabakh diplomacy weekly, 23–30 Nov 2026: a quiet week"
	if rep.Sent != 3 || rep.Empty || rep.Subject != want {
		t.Errorf("send-empty run = %+v, want 3 sent with subject %q", rep, want)
	}
	msgs := e.smtp.messages()
	p := parseMessage(t, msgs[len(msgs)-1].Data)
	if p.Subject != want || !strings.Contains(p.Text, "A quiet week") || !strings.Contains(p.HTML, "A quiet week") {
		t.Errorf("quiet message = %q\n%s", p.Subject, p.Text)
	}
}

func TestNoSubscribers(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	rep, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil || !rep.NoRecipients || rep.Sent != 0 {
		t.Errorf("run with no subscribers = %+v, %v, want NoRecipients", rep, err)
	}
	if last, err := d.LastOutcome(context.Background()); err != nil || last != nil {
		t.Errorf("LastOutcome = %+v, %v, want none recorded", last, err)
	}
}

func TestLastSentAndOutcome(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	if got, err := d.LastSent(context.Background()); err != nil || !got.IsZero() {
		t.Errorf("LastSent before any digest = %v, %v", got, err)
	}
	rep, _ := sendToThree(t, e, d)
	got, err := d.LastSent(context.Background())
	if err != nil || !got.Equal(t0) {
		t.Errorf("LastSent = %v, %v, want %v", got, err, t0)
	}
	last, err := d.LastOutcome(context.Background())
	if err != nil || last == nil || last.ID != rep.DigestID || last.Sent != 3 || last.Status != "done" || last.Articles != 5 {
		t.Errorf("LastOutcome = %+v, %v", last, err)
	}
}

// TestOneOffRetried: a one-off whose delivery failed temporarily says "will
// retry on the next run"; the next run (to the subscribers) does retry it.
// Its id is random (128 bits), not the guessable time of the subscribers'
// digests.
func TestOneOffRetried(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	subscribe(t, d, three...)
	e.smtp.failRcpt("ed@example.org", 421, 4) // every try of the first run
	rep, err := d.Run(context.Background(), digest.RunOptions{To: []string{"ed@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 0 || len(rep.Failed) != 1 || !rep.Failed[0].Temporary {
		t.Fatalf("one-off = %+v, want a temporary failure", rep)
	}
	if !regexp.MustCompile(`^to-[0-9a-f]{32}$`).MatchString(rep.DigestID) {
		t.Errorf("one-off id = %q, want to- and 32 random hex digits", rep.DigestID)
	}
	if made, err := d.Unfinished(context.Background()); err != nil || !made.Equal(t0) {
		t.Errorf("Unfinished = %v, %v, want the one-off's time, %v", made, err, t0)
	}
	rep2, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep2.Resumed) != 1 || rep2.Resumed[0].DigestID != rep.DigestID || rep2.Resumed[0].Sent != 1 || rep2.Sent != 3 || !rep2.OK() {
		t.Errorf("next run = %+v, want the one-off retried and the subscribers' digest sent", rep2)
	}
	wantOnce(t, e.smtp.byRecipient(), append([]string{"ed@example.org"}, three...)...)
	// A one-off run does not send the subscribers' unfinished digests.
	e.smtp.failRcpt("ann@example.org", 421, -1)
	e.clock.Advance(time.Hour)
	if rep, err := d.Run(context.Background(), digest.RunOptions{SendEmpty: true}); err != nil || rep.OK() {
		t.Fatalf("run with ann failing = %+v, %v", rep, err)
	}
	before := e.smtp.accepted()
	if rep, err := d.Run(context.Background(), digest.RunOptions{To: []string{"zed@example.org"}, SendEmpty: true}); err != nil || len(rep.Resumed) != 0 || rep.Sent != 1 {
		t.Errorf("one-off beside an unfinished digest = %+v, %v, want it alone", rep, err)
	}
	if got := e.smtp.accepted() - before; got != 1 {
		t.Errorf("one-off run sent %d messages, want 1", got)
	}
}

// TestResendRetried: a resend that fails temporarily is retried by the
// next run, as the command promises.
func TestResendRetried(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	rep, _ := sendToThree(t, e, d)
	e.smtp.failRcpt("new@example.org", 421, 4)
	got, err := d.Resend(context.Background(), rep.DigestID, "new@example.org", nil)
	if err != nil || len(got.Failed) != 1 || !got.Failed[0].Temporary {
		t.Fatalf("resend = %+v, %v, want a temporary failure", got, err)
	}
	next, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil || len(next.Resumed) != 1 || next.Resumed[0].Sent != 1 {
		t.Errorf("next run = %+v, %v, want the resend retried", next, err)
	}
	if n := e.smtp.byRecipient()["new@example.org"]; n != 1 {
		t.Errorf("new@example.org got %d, want 1", n)
	}
}

// TestDryRunReportsAsTheRun: the dry run and the run plan alike, so the
// dry run's report is the run's, whatever there is to send and to whom.
func TestDryRunReportsAsTheRun(t *testing.T) {
	type subscriber struct {
		addr   string
		themes []string
	}
	tests := []struct {
		name        string
		subscribers []subscriber
		since       time.Time // zero: the first digest's window, with news
		sendEmpty   bool
	}{
		{"news, no subscribers", nil, time.Time{}, false},
		{"quiet, no subscribers", nil, t0, false},
		{"news for everyone", []subscriber{{"ann@example.org", nil}, {"bob@example.org", []string{"security"}}}, time.Time{}, false},
		{"nothing new in one's themes", []subscriber{{"ann@example.org", nil}, {"bob@example.org", []string{"escalation"}}}, time.Time{}, false},
		{"nothing new in anyone's themes", []subscriber{{"bob@example.org", []string{"escalation"}}}, time.Time{}, false},
		{"quiet", []subscriber{{"ann@example.org", nil}}, t0, false},
		{"quiet, --send-empty", []subscriber{{"ann@example.org", nil}, {"bob@example.org", []string{"escalation"}}}, t0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.digest(t)
			for _, s := range tc.subscribers {
				subscribeWith(t, d, s.addr, digest.Subscription{Themes: s.themes})
			}
			o := digest.RunOptions{Since: tc.since, SendEmpty: tc.sendEmpty}
			dry := o
			dry.DryRun = true
			planned, err := d.Run(context.Background(), dry)
			if err != nil {
				t.Fatal(err)
			}
			ran, err := d.Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			type outcome struct {
				Subject                     string
				Articles, Recipients, Skip  int
				Empty, NoRecipients, Failed bool
			}
			got := outcome{planned.Subject, planned.Articles, planned.Recipients, planned.Skipped, planned.Empty, planned.NoRecipients, false}
			want := outcome{ran.Subject, ran.Articles, ran.Recipients, ran.Skipped, ran.Empty, ran.NoRecipients, len(ran.Failed) > 0}
			if got != want {
				t.Errorf("dry run reports %+v, the run %+v", got, want)
			}
			if sent := e.smtp.accepted(); sent != ran.Sent || sent != planned.Recipients {
				t.Errorf("the server accepted %d message(s); the run sent %d, the dry run planned %d", sent, ran.Sent, planned.Recipients)
			}
		})
	}
}

// TestOneOffSameAddressTwice: an address given twice to --to (the same
// mailbox spelled twice, "ed@example.org,Ed@Example.org") gets one
// message; the run used to fail with SQLite's "UNIQUE constraint failed:
// deliveries.digest_id, deliveries.recipient".
func TestOneOffSameAddressTwice(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	rep, err := d.Run(context.Background(), digest.RunOptions{To: []string{"ed@example.org", "Editor <Ed@Example.org>", "ann@example.org"}})
	if err != nil {
		t.Fatalf("Run with an address given twice: %v", err)
	}
	if rep.Sent != 2 || rep.Recipients != 2 {
		t.Errorf("one-off = %+v, want 2 recipients, 2 sent", rep)
	}
	wantOnce(t, e.smtp.byRecipient(), "ed@example.org", "ann@example.org")
}
