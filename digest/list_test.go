package digest_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/digest"
)

func TestCSVRoundTrip(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	ctx := context.Background()
	subscribe(t, d, "ann@example.org")
	subscribeWith(t, d, "bob@example.org", digest.Subscription{Themes: []string{"security", "summits"}, Frequency: digest.Daily, Consent: digest.ConsentDoubleOptIn})
	subscribeWith(t, d, "cid@example.net", digest.Subscription{Themes: []string{"humanitarian"}})
	if err := d.Pause(ctx, "cid@example.net", 4); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := d.ExportCSV(ctx, &out); err != nil {
		t.Fatal(err)
	}
	want := `email,themes,frequency,status,reason,paused_until,consent_at,consent
ann@example.org,,weekly,active,,,2026-11-23T08:00:00Z,added by the operator (kdigest subscribers add)
bob@example.org,"summits,security",daily,active,,,2026-11-23T08:00:00Z,"double opt-in (web form, confirmed by email)"
cid@example.net,humanitarian,weekly,active,,2026-12-21T08:00:00Z,2026-11-23T08:00:00Z,added by the operator (kdigest subscribers add)
`
	if out.String() != want {
		t.Errorf("export:\n%s\nwant\n%s", out.String(), want)
	}

	// Into a fresh database, at another time: the same list comes out.
	e2 := newEnv(t)
	e2.clock.Advance(30 * 24 * time.Hour)
	d2 := e2.digest(t)
	rep, err := d2.ImportCSV(ctx, strings.NewReader(out.String()), digest.ImportOptions{Name: "list.csv"})
	if err != nil || rep.Added != 3 || rep.Updated != 0 {
		t.Fatalf("import = %+v, %v, want 3 added", rep, err)
	}
	var again bytes.Buffer
	if err := d2.ExportCSV(ctx, &again); err != nil {
		t.Fatal(err)
	}
	if again.String() != out.String() {
		t.Errorf("round trip:\n%s\nwant\n%s", again.String(), out.String())
	}
	// Importing again updates, and adds nothing.
	if rep, err := d2.ImportCSV(ctx, strings.NewReader(out.String()), digest.ImportOptions{Name: "list.csv"}); err != nil || rep.Updated != 3 || rep.Added != 0 {
		t.Errorf("second import = %+v, %v, want 3 updated", rep, err)
	}
	if n := e2.smtp.accepted(); n != 0 {
		t.Errorf("import sent %d messages, want none", n)
	}
}

func TestCSVImportErrors(t *testing.T) {
	tests := []struct {
		name, csv, want string
	}{
		{"empty", "", "list.csv: invalid subscriber list: empty file"},
		{"no email column", "themes\nsummits\n", "list.csv: line 1: invalid subscriber list: no email column"},
		{"unknown column", "email,colour\na@example.org,red\n", `list.csv: line 1: invalid subscriber list: unknown column "colour"`},
		{"bad address", "email\na@example.org\nnot an address\n", "list.csv: line 3: email: invalid email address"},
		{"unknown theme", "email,themes\na@example.org,\"summits,weather\"\n", `list.csv: line 2: themes: unknown theme "weather"`},
		{"bad status", "email,status\na@example.org,bouncing\n", `list.csv: line 2: status: invalid subscriber list: "bouncing"`},
		{"bad frequency", "email,frequency\na@example.org,hourly\n", `list.csv: line 2: frequency: invalid frequency "hourly"`},
		{"bad consent time", "email,consent_at\na@example.org,yesterday\n", `list.csv: line 2: consent_at: invalid subscriber list: "yesterday"`},
		{"twice", "email\na@example.org\nA@Example.org\n", "list.csv: line 3: email: invalid subscriber list: a@example.org is on line 2 too"},
		{"short row", "email,themes\na@example.org\n", "list.csv: invalid subscriber list: record on line 2: wrong number of fields"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.digest(t)
			before := dumpLedger(t, e.db)
			_, err := d.ImportCSV(context.Background(), strings.NewReader(tc.csv), digest.ImportOptions{Name: "list.csv"})
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("import = %v, want %q...", err, tc.want)
			}
			if after := dumpLedger(t, e.db); after != before {
				t.Errorf("a refused import changed the ledger")
			}
		})
	}
}

func TestCSVImportConfirm(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	list := "email,themes,frequency\nann@example.org,security,daily\nbob@example.org,,\n"
	rep, err := d.ImportCSV(context.Background(), strings.NewReader(list), digest.ImportOptions{Name: "l.csv", Confirm: true})
	if err != nil || !slices.Equal(rep.Confirming, []string{"ann@example.org", "bob@example.org"}) || rep.Added != 0 {
		t.Fatalf("import --confirm = %+v, %v", rep, err)
	}
	if subs, _ := d.Subscribers(context.Background()); len(subs) != 0 {
		t.Errorf("import --confirm subscribed %+v before they confirmed", subs)
	}
	p, n := lastTo(t, e, "ann@example.org")
	if n != 1 || !strings.HasPrefix(p.Subject, "Confirm your subscription") {
		t.Fatalf("ann got %d message(s), last %q", n, p.Subject)
	}
	// Confirming subscribes with the themes and the frequency of the file.
	srv := newServer(t, e, d)
	for _, tc := range []struct {
		addr, frequency string
		themes          []string
	}{{"ann@example.org", digest.Daily, []string{"security"}}, {"bob@example.org", digest.Weekly, nil}} {
		p, _ := lastTo(t, e, tc.addr)
		link := regexp.MustCompile(`https://kdigest\.example\.org/subscribe/confirm\?t=\S+`).FindString(p.Text)
		confirmLink(t, srv, strings.TrimPrefix(link, baseURL))
		s, err := d.Subscriber(context.Background(), tc.addr)
		if err != nil || !slices.Equal(s.Themes, tc.themes) || s.Frequency != tc.frequency || s.Consent != digest.ConsentDoubleOptIn {
			t.Errorf("after confirming: %+v, %v; want %s, themes %v", s, err, tc.frequency, tc.themes)
		}
	}
}

// TestCSVImportConfirmBatch: import --confirm sends every row's email
// over one connection; a row the relay refuses fails alone, named by its
// line, and the rows after it still get theirs; a relay that keeps
// failing leaves the rest queued for the service.
func TestCSVImportConfirmBatch(t *testing.T) {
	const list = "email\nann@example.org\nbob@example.org\ncid@example.org\ndee@example.org\neve@example.org\n"
	all := []string{"ann@example.org", "bob@example.org", "cid@example.org", "dee@example.org", "eve@example.org"}
	tests := []struct {
		name        string
		relay       func(t *testing.T, e *env) string
		wantSent    []string
		wantErr     []string
		wantConns   int
		wantPending []string // left queued, untried, for the service
		setup       func(t *testing.T, e *env, d *digest.Digest)
	}{
		{"all taken", func(t *testing.T, e *env) string { return e.smtp.Addr }, all, nil, 1, nil, nil},
		{"one refused", func(t *testing.T, e *env) string { e.smtp.failRcpt("bob@example.org", 550, -1); return e.smtp.Addr },
			[]string{"ann@example.org", "cid@example.org", "dee@example.org", "eve@example.org"},
			[]string{"l.csv: line 3: confirmation to bob@example.org refused"}, 1, nil, nil},
		{"relay down", func(t *testing.T, e *env) string { return deadAddress(t) }, nil,
			[]string{"l.csv: line 2: confirmation to ann@example.org not sent yet", "l.csv: line 4: confirmation to cid@example.org not sent yet",
				"l.csv: line 5 on: 2 confirmation email(s) not sent yet (queued: the service sends them): the relay keeps failing"},
			0, []string{"dee@example.org", "eve@example.org"}, nil},
		{"one rate-limited", func(t *testing.T, e *env) string { return e.smtp.Addr },
			[]string{"ann@example.org", "bob@example.org", "dee@example.org", "eve@example.org"},
			[]string{"l.csv: line 4: too many confirmation emails"}, 1, nil,
			func(t *testing.T, e *env, d *digest.Digest) {
				for range 3 { // the most an address gets in a day
					if err := d.SendConfirmation(context.Background(), "cid@example.org", nil); err != nil {
						t.Fatal(err)
					}
					e.clock.Advance(time.Minute)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.digestAt(t, tc.relay(t, e))
			conns := 0
			if tc.setup != nil {
				tc.setup(t, e, d)
				conns = e.smtp.connections()
			}
			rep, err := d.ImportCSV(context.Background(), strings.NewReader(list), digest.ImportOptions{Name: "l.csv", Confirm: true})
			if rep == nil || !slices.Equal(rep.Confirming, tc.wantSent) {
				t.Errorf("confirming = %+v, want %v", rep, tc.wantSent)
			}
			for _, want := range tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("error = %v, want it to say %q", err, want)
				}
			}
			if len(tc.wantErr) == 0 && err != nil {
				t.Errorf("error = %v, want none", err)
			}
			if got := e.smtp.connections() - conns; got != tc.wantConns {
				t.Errorf("the relay had %d connection(s), want %d", got, tc.wantConns)
			}
			for _, addr := range tc.wantSent {
				if _, n := lastTo(t, e, addr); n != 1 {
					t.Errorf("%s got %d message(s), want 1", addr, n)
				}
			}
			for _, addr := range tc.wantPending {
				if rows := confirmations(t, e, addr); len(rows) != 1 || rows[0].Status != "pending" || rows[0].Attempts != 0 {
					t.Errorf("%s queue = %+v, want one pending, untried", addr, rows)
				}
			}
		})
	}
}

func TestBounceSuspension(t *testing.T) {
	tests := []struct {
		name          string
		refusals      []bool // per digest: does the relay refuse the address for good?
		wantSuspended bool
	}{
		{"three in a row", []bool{true, true, true}, true},
		{"two in a row", []bool{true, true}, false},
		{"broken by a delivery", []bool{true, true, false, true, true}, false},
		{"three after a delivery", []bool{false, true, true, true}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.digest(t)
			const bad = "gone@example.org"
			subscribe(t, d, bad, "ok@example.org")
			for i, refuse := range tc.refusals {
				if refuse {
					e.smtp.failRcpt(bad, 550, -1)
				} else {
					e.smtp.acceptRcpt(bad)
				}
				rep, err := d.Run(context.Background(), digest.RunOptions{SendEmpty: true})
				if err != nil {
					t.Fatal(err)
				}
				if rep.Recipients != 2 {
					t.Fatalf("digest %d went to %d recipients, want 2 (none suspended yet)", i+1, rep.Recipients)
				}
				e.clock.Advance(7 * 24 * time.Hour)
			}
			s, err := d.Subscriber(context.Background(), bad)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Status == digest.Suspended; got != tc.wantSuspended {
				t.Fatalf("suspended = %v (%+v), want %v", got, s, tc.wantSuspended)
			}
			e.smtp.acceptRcpt(bad)
			rep, err := d.Run(context.Background(), digest.RunOptions{SendEmpty: true})
			if err != nil {
				t.Fatal(err)
			}
			if !tc.wantSuspended {
				if rep.Recipients != 2 {
					t.Errorf("next digest went to %d, want 2", rep.Recipients)
				}
				return
			}
			if !strings.Contains(s.Reason, "3 digests in a row") || !strings.Contains(s.Reason, "550") {
				t.Errorf("reason = %q, want the count and the last error", s.Reason)
			}
			if rep.Recipients != 1 || rep.Sent != 1 {
				t.Errorf("digest after suspension = %+v, want ok@ alone", rep)
			}
			// Subscribing again makes it active.
			if _, err := d.Subscribe(context.Background(), bad); err != nil {
				t.Errorf("subscribe a suspended address: %v", err)
			}
			if s, _ := d.Subscriber(context.Background(), bad); s.Status != digest.Active || s.Reason != "" {
				t.Errorf("after subscribing again: %+v", s)
			}
		})
	}
}

// acceptRcpt makes RCPT TO rcpt succeed again.
func (s *mailServer) acceptRcpt(rcpt string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.rcptErr, rcpt)
}

// newServer serves d's routes on the env's site and runs d's
// confirmation sender.
func newServer(t *testing.T, e *env, d *digest.Digest) *httptest.Server {
	t.Helper()
	srv := newSite(t, e, d)
	runConfirmations(t, d)
	return srv
}

// confirmLink follows a confirmation link (path and query) as a reader
// does: it opens the page and presses Confirm.
func confirmLink(t *testing.T, srv *httptest.Server, link string) {
	t.Helper()
	if res := do(t, srv, http.MethodGet, link, nil); res.code != http.StatusOK || !strings.Contains(res.body, ">Confirm</button>") {
		t.Fatalf("confirm %s = %d\n%s", link, res.code, res.body)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if res := do(t, srv, http.MethodPost, "/subscribe/confirm", url.Values{"t": {u.Query().Get("t")}}); res.code != http.StatusOK {
		t.Fatalf("press Confirm on %s = %d\n%s", link, res.code, res.body)
	}
}

func TestTokenPurposes(t *testing.T) {
	e, d, srv := newWebEnv(t)
	const addr = "ann@example.org"
	subscribe(t, d, addr)
	prefs := unsubscribeToken(t, d.PreferencesURL(addr))
	unsub := unsubscribeToken(t, d.UnsubscribeURL(addr))
	do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {addr}, "themes": {"security"}})
	confirm := confirmToken(t, waitMail(t, e, 1)[0])
	q := url.QueryEscape
	tests := []struct {
		name, method, path string
		form               url.Values
	}{
		{"preferences token cannot confirm", http.MethodGet, "/subscribe/confirm?t=" + q(prefs), nil},
		{"preferences token cannot unsubscribe in one click", http.MethodPost, "/unsubscribe?t=" + q(prefs), nil},
		{"unsubscribe token cannot show preferences", http.MethodGet, "/preferences?t=" + q(unsub), nil},
		{"unsubscribe token cannot change themes", http.MethodPost, "/preferences", url.Values{"t": {unsub}, "action": {"save"}, "themes": {"security"}, "frequency": {"weekly"}}},
		{"unsubscribe token cannot pause", http.MethodPost, "/preferences", url.Values{"t": {unsub}, "action": {"pause"}, "weeks": {"4"}}},
		{"confirm token cannot change themes", http.MethodPost, "/preferences", url.Values{"t": {confirm}, "action": {"save"}, "themes": {"security"}}},
		{"altered preferences token", http.MethodPost, "/preferences", url.Values{"t": {flip(prefs, 3)}, "action": {"unsubscribe"}}},
		{"no token", http.MethodPost, "/preferences", url.Values{"action": {"unsubscribe"}}},
	}
	before := dumpLedger(t, e.db)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if res := do(t, srv, tc.method, tc.path, tc.form); res.code != http.StatusBadRequest {
				t.Errorf("%s %s = %d, want 400", tc.method, tc.path, res.code)
			}
		})
	}
	if after := dumpLedger(t, e.db); after != before {
		t.Errorf("a token of another purpose changed the ledger:\n%s\nwas\n%s", after, before)
	}
	// The right token does change them.
	res := do(t, srv, http.MethodPost, "/preferences", url.Values{"t": {prefs}, "action": {"unsubscribe"}})
	if res.code != http.StatusOK {
		t.Errorf("unsubscribe with the preferences token = %d", res.code)
	}
	if _, err := d.Subscriber(context.Background(), addr); !errors.Is(err, digest.ErrNoSubscriber) {
		t.Errorf("after unsubscribing: %v", err)
	}
	if res := do(t, srv, http.MethodGet, "/preferences?t="+q(prefs), nil); res.code != http.StatusOK || !strings.Contains(res.body, "Not subscribed") {
		t.Errorf("preferences of an address that left = %d\n%s", res.code, res.body)
	}
}

func TestWelcomeMessage(t *testing.T) {
	next := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	e := newEnv(t)
	d := e.digest(t, func(o *digest.Options) {
		o.Next = func(freq string) time.Time {
			if freq == digest.Daily {
				return next.Add(-6 * 24 * time.Hour)
			}
			return next
		}
	})
	srv := newServer(t, e, d)
	res := do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {"dana@example.org"}, "themes": {"security", "humanitarian"}})
	if res.code != http.StatusAccepted {
		t.Fatalf("subscribe = %d %s", res.code, res.body)
	}
	waitMail(t, e, 1)
	confirmation, _ := lastTo(t, e, "dana@example.org")
	link := regexp.MustCompile(`https://kdigest\.example\.org/subscribe/confirm\?t=\S+`).FindString(confirmation.Text)
	confirmLink(t, srv, strings.TrimPrefix(link, baseURL))
	waitMail(t, e, 2) // the welcome is queued, and sent by the sender loop

	s, err := d.Subscriber(context.Background(), "dana@example.org")
	if err != nil || !slices.Equal(s.Themes, []string{"security", "humanitarian"}) || s.Consent != digest.ConsentDoubleOptIn || !s.Created.Equal(t0) {
		t.Fatalf("subscriber = %+v, %v", s, err)
	}
	p, n := lastTo(t, e, "dana@example.org")
	if n != 2 || p.Subject != "Welcome to Karabakh diplomacy weekly" {
		t.Fatalf("dana got %d messages, last %q; want the confirmation and the welcome", n, p.Subject)
	}
	text := strings.Join(strings.Fields(p.Text), " ")
	for _, want := range []string{
		"subscribed at dana@example.org to Karabakh diplomacy weekly: Ceasefire and peacekeepers and Humanitarian.",
		"Next: Monday 30 November, 08:00 UTC.",
		"The latest in your themes",
		baseURL + "/articles/",
		"-- ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("welcome lacks %q:\n%s", want, p.Text)
		}
	}
	// Its latest items are of the chosen themes: the one security story.
	if got := strings.Count(p.Text, "\n* "); got != 1 {
		t.Errorf("welcome lists %d items, want 1 (the security story)\n%s", got, p.Text)
	}
	// Its preferences link works.
	tok := prefsToken(t, p.Text)
	if res := do(t, srv, http.MethodGet, "/preferences?t="+url.QueryEscape(tok), nil); res.code != http.StatusOK || !strings.Contains(res.body, "dana@example.org") {
		t.Errorf("welcome's preferences link = %d", res.code)
	}
	if lu := p.Header.Get("List-Unsubscribe"); !strings.HasPrefix(lu, "<"+baseURL+"/unsubscribe?t=") {
		t.Errorf("welcome List-Unsubscribe = %q", lu)
	}
	// A second confirmation is refused and sends no second welcome.
	if res := do(t, srv, http.MethodPost, "/subscribe/confirm", url.Values{"t": {strings.TrimPrefix(link, baseURL+"/subscribe/confirm?t=")}}); res.code != http.StatusGone {
		t.Errorf("second confirmation = %d, want 410", res.code)
	}
	if _, err := d.SendDueConfirmations(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, n := lastTo(t, e, "dana@example.org"); n != 2 {
		t.Errorf("dana got %d messages after confirming twice, want 2", n)
	}
	if rows := queued(t, e, "welcome", "dana@example.org"); len(rows) != 1 || rows[0].Status != "sent" {
		t.Errorf("welcome rows = %+v, want one sent", rows)
	}
}

func TestListUnsubscribeMailto(t *testing.T) {
	tests := []struct {
		name, mailto, want string
	}{
		{"none: the one-click URL alone", "", `^<https://kdigest\.example\.org/unsubscribe\?t=[^>]+>$`},
		{"an address someone reads", "Unsubscribe <unsub@kdigest.example.org>",
			`^<https://kdigest\.example\.org/unsubscribe\?t=[^>]+>, <mailto:unsub@kdigest\.example\.org\?subject=unsubscribe>$`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.digest(t, func(o *digest.Options) {
				if tc.mailto != "" {
					a, err := mail.ParseAddress(tc.mailto)
					if err != nil {
						t.Fatal(err)
					}
					o.UnsubscribeMailto = a
				}
			})
			subscribe(t, d, "ann@example.org")
			if _, err := d.Run(context.Background(), digest.RunOptions{}); err != nil {
				t.Fatal(err)
			}
			p, _ := lastTo(t, e, "ann@example.org")
			if lu := p.Header.Get("List-Unsubscribe"); !regexp.MustCompile(tc.want).MatchString(lu) {
				t.Errorf("List-Unsubscribe = %q, want %s", lu, tc.want)
			}
		})
	}
}

func TestMigrateOldLedger(t *testing.T) {
	e := newEnv(t)
	db := openDB(t, filepath.Join(t.TempDir(), "old.db"))
	// The ledger as the release before versioning wrote it.
	if _, err := db.Exec(`
		CREATE TABLE digests (id TEXT PRIMARY KEY, kind TEXT NOT NULL, created TEXT NOT NULL, since TEXT NOT NULL, cutoff TEXT NOT NULL,
			subject TEXT NOT NULL, article_ids TEXT NOT NULL, html TEXT NOT NULL, text TEXT NOT NULL, issue TEXT NOT NULL, status TEXT NOT NULL);
		CREATE TABLE deliveries (digest_id TEXT NOT NULL REFERENCES digests(id), recipient TEXT NOT NULL, status TEXT NOT NULL,
			attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '', message_id TEXT NOT NULL DEFAULT '', updated TEXT NOT NULL,
			PRIMARY KEY (digest_id, recipient));
		CREATE TABLE subscribers (email TEXT PRIMARY KEY, created TEXT NOT NULL);
		INSERT INTO subscribers VALUES ('old@example.org', '2025-01-02T03:04:05Z');
		INSERT INTO digests VALUES ('2026-11-16-080000', 'scheduled', '2026-11-16T08:00:00Z', '2026-11-09T08:00:00Z', '2026-11-16T08:00:00Z',
			's', '[]', '', '', '{}', 'done');`); err != nil {
		t.Fatal(err)
	}
	d, err := digest.New(context.Background(), db, e.corpus.Snapshot, e.dialer(t, e.smtp.Addr), e.options())
	if err != nil {
		t.Fatal(err)
	}
	s, err := d.Subscriber(context.Background(), "old@example.org")
	if err != nil || s.Status != digest.Active || s.Frequency != digest.Weekly || s.Themes != nil || !strings.HasPrefix(s.Consent, "unknown") {
		t.Errorf("old subscriber = %+v, %v", s, err)
	}
	var version int
	if err := db.QueryRow(`SELECT version FROM schema_version WHERE component = 'digest'`).Scan(&version); err != nil || version < 2 {
		t.Errorf("schema version = %d, %v", version, err)
	}
	// The old digest is weekly: the next window starts at its cutoff.
	is, err := d.Plan(context.Background(), digest.RunOptions{})
	if err != nil || !is.Since.Equal(time.Date(2026, 11, 16, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("next window starts %v (%v)", is.Since, err)
	}
	// Opening again changes nothing.
	if _, err := digest.New(context.Background(), db, e.corpus.Snapshot, e.dialer(t, e.smtp.Addr), e.options()); err != nil {
		t.Errorf("second open: %v", err)
	}
	if _, err := db.Exec(`UPDATE schema_version SET version = 99 WHERE component = 'digest'`); err != nil {
		t.Fatal(err)
	}
	if _, err := digest.New(context.Background(), db, e.corpus.Snapshot, e.dialer(t, e.smtp.Addr), e.options()); !errors.Is(err, digest.ErrNewerSchema) {
		t.Errorf("a newer ledger = %v, want ErrNewerSchema", err)
	}
}
