package digest_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kdigest/kdigest/digest"
)

// runConfirmations runs d's confirmation sender until the test ends, and
// waits for it then.
func runConfirmations(t *testing.T, d *digest.Digest) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.SendConfirmations(ctx)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Error("SendConfirmations did not return after its context ended")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

type response struct {
	code   int
	body   string
	header http.Header
}

// do sends a request to srv, with form as an urlencoded body when set.
func do(t *testing.T, srv *httptest.Server, method, path string, form url.Values) response {
	t.Helper()
	return doWith(t, srv, method, path, form, nil)
}

// doWith is do with request headers.
func doWith(t *testing.T, srv *httptest.Server, method, path string, form url.Values, header map[string]string) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{code: res.StatusCode, body: string(b), header: res.Header}
}

// newWebEnv is a test env with the digest's routes served over HTTP and
// its confirmation sender running.
func newWebEnv(t *testing.T) (*env, *digest.Digest, *httptest.Server) {
	t.Helper()
	e := newEnv(t)
	d := e.digest(t)
	srv := newSite(t, e, d)
	runConfirmations(t, d)
	return e, d, srv
}

// waitMail waits until the test SMTP server has accepted n messages and
// returns them.
func waitMail(t *testing.T, e *env, n int) []receivedMessage {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs := e.smtp.messages()
		if len(msgs) >= n {
			return msgs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages arrived, want %d", len(msgs), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitConfirmations waits until n confirmation emails have arrived (other
// mail, such as welcome messages, aside) and returns them.
func waitConfirmations(t *testing.T, e *env, n int) []receivedMessage {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var out []receivedMessage
		for _, m := range e.smtp.messages() {
			if strings.HasPrefix(parseMessage(t, m.Data).Subject, "Confirm your subscription") {
				out = append(out, m)
			}
		}
		if len(out) >= n {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d confirmation emails arrived, want %d", len(out), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var confirmLinkRE = regexp.MustCompile(`https://kdigest\.example\.org/subscribe/confirm\?t=(\S+)`)

// confirmToken returns the token of the confirmation link in a message.
func confirmToken(t *testing.T, m receivedMessage) string {
	t.Helper()
	text := parseMessage(t, m.Data).Text
	match := confirmLinkRE.FindStringSubmatch(text)
	if match == nil {
		t.Fatalf("no confirmation link in %q", text)
	}
	tok, err := url.QueryUnescape(match[1])
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// confirmationRow is the queue's record of one confirmation email.
type confirmationRow struct {
	Status, LastError, MessageID string
	Attempts                     int
}

// confirmations reads the queue's rows of confirmation emails for addr,
// oldest first.
func confirmations(t *testing.T, e *env, addr string) []confirmationRow {
	t.Helper()
	return queued(t, e, "confirm", addr)
}

// queued reads the queue's rows of a kind (confirm, welcome) for addr,
// oldest first.
func queued(t *testing.T, e *env, kind, addr string) []confirmationRow {
	t.Helper()
	rows, err := e.db.Query(`SELECT status, last_error, message_id, attempts FROM confirmations WHERE kind = ? AND email = ? ORDER BY created`, kind, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []confirmationRow
	for rows.Next() {
		var r confirmationRow
		if err := rows.Scan(&r.Status, &r.LastError, &r.MessageID, &r.Attempts); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// waitStatus waits until addr's only confirmation has status want.
func waitStatus(t *testing.T, e *env, addr, want string) confirmationRow {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		rows := confirmations(t, e, addr)
		if len(rows) == 1 && rows[0].Status == want {
			return rows[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("confirmations of %s = %+v, want one %s", addr, rows, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSubscribeDoubleOptIn(t *testing.T) {
	e, d, srv := newWebEnv(t)

	res := do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {"  Dana <Dana@Example.ORG> "}})
	if res.code != http.StatusAccepted || !strings.Contains(res.body, "Check your inbox") {
		t.Fatalf("POST /subscribe = %d %q, want 202", res.code, res.body)
	}
	msgs := waitMail(t, e, 1)
	if len(msgs[0].To) != 1 || msgs[0].To[0] != "dana@example.org" {
		t.Fatalf("confirmation messages = %+v, want one to dana@example.org", msgs)
	}
	if got := subscriberList(t, d); got != "" {
		t.Fatalf("subscribed before confirming: %q", got)
	}
	p := parseMessage(t, msgs[0].Data)
	if !strings.HasPrefix(p.Subject, "Confirm your subscription") {
		t.Errorf("confirmation subject = %q", p.Subject)
	}
	if p.Header.Get("Auto-Submitted") != "auto-generated" || p.Header.Get("X-Mailer") != "" {
		t.Errorf("confirmation headers = %v", p.Header)
	}
	if row := waitStatus(t, e, "dana@example.org", "sent"); p.Header.Get("Message-Id") != row.MessageID {
		t.Errorf("Message-ID = %q, want the queue's %q", p.Header.Get("Message-Id"), row.MessageID)
	}
	tok := confirmToken(t, msgs[0])

	// The token is bound to its purpose: it does not unsubscribe, and an
	// unsubscribe token does not confirm.
	if res := do(t, srv, http.MethodPost, "/unsubscribe?t="+url.QueryEscape(tok), nil); res.code != http.StatusBadRequest {
		t.Errorf("confirm token at /unsubscribe = %d, want 400", res.code)
	}
	unsub := unsubscribeToken(t, d.UnsubscribeURL("dana@example.org"))
	for _, bad := range []string{unsub, flip(tok, 2), flip(tok, len(tok)-3), ""} {
		if res := do(t, srv, http.MethodGet, "/subscribe/confirm?t="+url.QueryEscape(bad), nil); res.code != http.StatusBadRequest {
			t.Errorf("GET confirm with %q = %d, want 400", bad, res.code)
		}
		if res := do(t, srv, http.MethodPost, "/subscribe/confirm", url.Values{"t": {bad}}); res.code != http.StatusBadRequest {
			t.Errorf("POST confirm with %q = %d, want 400", bad, res.code)
		}
	}

	// Opening the link, as a mail scanner does, subscribes no one: it
	// shows a button that posts the token.
	link := "/subscribe/confirm?t=" + url.QueryEscape(tok)
	res = do(t, srv, http.MethodGet, link, nil)
	form := regexp.MustCompile(`<form method="post" action="https://kdigest\.example\.org/subscribe/confirm"><input type="hidden" name="t" value="([^"]+)"><button type="submit">Confirm</button></form>`).FindStringSubmatch(res.body)
	if res.code != http.StatusOK || form == nil || html.UnescapeString(form[1]) != tok {
		t.Fatalf("GET %s = %d %q, want a Confirm button posting the token", link, res.code, res.body)
	}
	if res := do(t, srv, http.MethodHead, link, nil); res.code != http.StatusOK {
		t.Errorf("HEAD %s = %d, want 200", link, res.code)
	}
	if got := subscriberList(t, d); got != "" {
		t.Fatalf("GET or HEAD of the link subscribed %q", got)
	}

	res = do(t, srv, http.MethodPost, "/subscribe/confirm", url.Values{"t": {tok}})
	if res.code != http.StatusOK || !strings.Contains(res.body, "dana@example.org") {
		t.Fatalf("POST confirm = %d %q", res.code, res.body)
	}
	if got := subscriberList(t, d); got != "dana@example.org" {
		t.Errorf("subscribers = %q, want dana@example.org", got)
	}
	// The link works once.
	if res := do(t, srv, http.MethodPost, "/subscribe/confirm", url.Values{"t": {tok}}); res.code != http.StatusGone {
		t.Errorf("second POST confirm = %d, want 410", res.code)
	}
	if res := do(t, srv, http.MethodGet, link, nil); res.code != http.StatusGone || strings.Contains(res.body, "<form") {
		t.Errorf("GET of a used link = %d %q, want 410 without a button", res.code, res.body)
	}
}

// TestConfirmLinkAfterUnsubscribe: links mailed before an unsubscribe,
// used or not, never subscribe the address again.
func TestConfirmLinkAfterUnsubscribe(t *testing.T) {
	e, d, srv := newWebEnv(t)
	for range 2 {
		if res := do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {"fay@example.org"}}); res.code != http.StatusAccepted {
			t.Fatalf("POST /subscribe = %d", res.code)
		}
		e.clock.Advance(time.Minute) // another token
	}
	msgs := waitConfirmations(t, e, 2)
	first, second := confirmToken(t, msgs[0]), confirmToken(t, msgs[1])
	if first == second {
		t.Fatal("two requests got the same link")
	}
	if res := do(t, srv, http.MethodPost, "/subscribe/confirm", url.Values{"t": {first}}); res.code != http.StatusOK {
		t.Fatalf("confirm = %d", res.code)
	}
	if res := do(t, srv, http.MethodPost, d.UnsubscribeURL("fay@example.org")[len(baseURL):], nil); res.code != http.StatusOK {
		t.Fatalf("one-click unsubscribe = %d", res.code)
	}
	for name, tok := range map[string]string{"used": first, "unused": second} {
		if res := do(t, srv, http.MethodPost, "/subscribe/confirm", url.Values{"t": {tok}}); res.code != http.StatusGone {
			t.Errorf("%s link after unsubscribe = %d, want 410", name, res.code)
		}
	}
	if got := subscriberList(t, d); got != "" {
		t.Errorf("subscribers = %q, want none", got)
	}
	// A new request works as the first did.
	do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {"fay@example.org"}})
	third := confirmToken(t, waitConfirmations(t, e, 3)[2])
	if res := do(t, srv, http.MethodPost, "/subscribe/confirm", url.Values{"t": {third}}); res.code != http.StatusOK {
		t.Errorf("a new link after unsubscribe = %d, want 200", res.code)
	}
}

func TestSubscribeConfirmExpires(t *testing.T) {
	e, d, srv := newWebEnv(t)
	do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {"eve@example.org"}})
	tok := confirmToken(t, waitMail(t, e, 1)[0])
	e.clock.Advance(8 * 24 * time.Hour)
	if res := do(t, srv, http.MethodGet, "/subscribe/confirm?t="+url.QueryEscape(tok), nil); res.code != http.StatusBadRequest {
		t.Errorf("GET confirm after 8 days = %d, want 400", res.code)
	}
	if res := do(t, srv, http.MethodPost, "/subscribe/confirm", url.Values{"t": {tok}}); res.code != http.StatusBadRequest {
		t.Errorf("POST confirm after 8 days = %d, want 400", res.code)
	}
	if got := subscriberList(t, d); got != "" {
		t.Errorf("an expired link subscribed %q", got)
	}
}

func TestSubscribeErrors(t *testing.T) {
	tests := []struct {
		name  string
		email string
	}{
		{"bad address", "not an address"},
		{"no domain dot", "ann@example"},
		{"empty", ""},
	}
	e, d, srv := newWebEnv(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if res := do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {tc.email}}); res.code != http.StatusBadRequest {
				t.Errorf("POST /subscribe = %d, want 400", res.code)
			}
		})
	}
	if got := subscriberList(t, d); got != "" {
		t.Errorf("subscribers = %q, want none", got)
	}
	if n, err := d.SendDueConfirmations(context.Background()); err != nil || !n.IsZero() {
		t.Errorf("SendDueConfirmations = %v, %v; want nothing queued", n, err)
	}
	if got := e.smtp.accepted(); got != 0 {
		t.Errorf("%d emails sent, want none", got)
	}
}

// TestSubscribeWhenTheRelayHangs: the visitor's answer does not wait for
// the mail server; the email goes when the relay answers.
func TestSubscribeWhenTheRelayHangs(t *testing.T) {
	e, _, srv := newWebEnv(t)
	started, release := e.smtp.blockData("hung@example.org")
	defer release()
	start := time.Now()
	res := do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {"hung@example.org"}})
	if took := time.Since(start); res.code != http.StatusAccepted || took > 2*time.Second {
		t.Fatalf("POST /subscribe = %d after %s, want 202 at once", res.code, took)
	}
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the confirmation email never reached the relay")
	}
	if rows := confirmations(t, e, "hung@example.org"); len(rows) != 1 || rows[0].Status != "pending" {
		t.Errorf("while the relay hangs: %+v, want one pending", rows)
	}
	release()
	waitStatus(t, e, "hung@example.org", "sent")
}

// TestConfirmationSenderShutdown: when its context ends while the relay
// sits on the reply, the sender finishes (StopGrace), records the email
// in doubt, and returns: its owner's wait ends.
func TestConfirmationSenderShutdown(t *testing.T) {
	e := newEnv(t)
	d := e.digestTuned(t, func(c *digest.SMTPConfig) { c.StopGrace = 200 * time.Millisecond })
	srv := newSite(t, e, d)
	stop := runConfirmations(t, d)
	started, release := e.smtp.blockData("gus@example.org")
	defer release()
	do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {"gus@example.org"}})
	<-started
	start := time.Now()
	stop()
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the sender took %s to stop", took)
	}
	if rows := confirmations(t, e, "gus@example.org"); len(rows) != 1 || rows[0].Status != "in_doubt" || rows[0].Attempts != 1 {
		t.Errorf("after shutdown: %+v, want one in doubt after 1 attempt", rows)
	}
}

// TestConfirmationRetried: a relay that is down gets the email's tries
// with backoff, then the email waits confirmRetry and goes when the relay
// is back, with the Message-ID it was queued with.
func TestConfirmationRetried(t *testing.T) {
	e := newEnv(t)
	addr := deadAddress(t)
	d := e.digestAt(t, addr)
	srv := newSite(t, e, d) // no sender running: the test drives it
	ctx := context.Background()
	if res := do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {"hal@example.org"}}); res.code != http.StatusAccepted {
		t.Fatalf("POST /subscribe with the relay down = %d, want 202", res.code)
	}
	next, err := d.SendDueConfirmations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(5 * time.Minute); !next.Equal(want) {
		t.Errorf("next try = %s, want %s", next, want)
	}
	rows := confirmations(t, e, "hal@example.org")
	if len(rows) != 1 || rows[0].Status != "pending" || rows[0].Attempts != 4 || !strings.Contains(rows[0].LastError, "connect") {
		t.Fatalf("after a pass with the relay down: %+v, want pending after 4 attempts", rows)
	}
	if got, want := fmt.Sprint(e.sleeps.waits()), "[1s 2s 4s]"; got != want {
		t.Errorf("backoff = %s, want %s", got, want)
	}

	relay := startMailServer(t, addr)
	if _, err := d.SendDueConfirmations(ctx); err != nil || relay.accepted() != 0 {
		t.Fatalf("a pass before the retry is due sent %d (%v), want 0", relay.accepted(), err)
	}
	e.clock.Advance(5 * time.Minute)
	next, err = d.SendDueConfirmations(ctx)
	if err != nil || !next.IsZero() {
		t.Fatalf("pass = %v, %v; want nothing left", next, err)
	}
	msgs := relay.messages()
	if len(msgs) != 1 || parseMessage(t, msgs[0].Data).Header.Get("Message-Id") != rows[0].MessageID {
		t.Fatalf("relay got %d messages, want 1 with Message-ID %s", len(msgs), rows[0].MessageID)
	}
	if row := confirmations(t, e, "hal@example.org")[0]; row.Status != "sent" || row.Attempts != 5 {
		t.Errorf("after the relay came back: %+v, want sent after 5 attempts", row)
	}
}

func TestConfirmationFailures(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(e *env) string // returns the relay address
		advance  time.Duration
		status   string
		attempts int
	}{
		{"refused", func(e *env) string { e.smtp.failRcpt("ida@example.org", 550, -1); return e.smtp.Addr }, 0, "failed", 1},
		{"given up after a day", func(e *env) string { return deadAddress(t) }, 25 * time.Hour, "failed", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.digestAt(t, tc.setup(e))
			srv := newSite(t, e, d)
			do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {"ida@example.org"}})
			e.clock.Advance(tc.advance)
			if _, err := d.SendDueConfirmations(context.Background()); err != nil {
				t.Fatal(err)
			}
			if rows := confirmations(t, e, "ida@example.org"); len(rows) != 1 || rows[0].Status != tc.status || rows[0].Attempts != tc.attempts {
				t.Errorf("confirmations = %+v, want one %s after %d attempts", rows, tc.status, tc.attempts)
			}
			// Once its link has expired, the row goes.
			e.clock.Advance(8 * 24 * time.Hour)
			if _, err := d.SendDueConfirmations(context.Background()); err != nil {
				t.Fatal(err)
			}
			if rows := confirmations(t, e, "ida@example.org"); len(rows) != 0 {
				t.Errorf("after expiry: %+v, want none", rows)
			}
		})
	}
}

// TestSubscribeRateLimitPerClient: 5 requests an hour per client, counted
// for the visitor behind the trusted proxy, not for the proxy.
func TestSubscribeRateLimitPerClient(t *testing.T) {
	e, _, srv := newWebEnv(t)
	from := func(ip string) map[string]string { return map[string]string{"X-Forwarded-For": "10.9.9.9, " + ip} }
	post := func(i int, ip string) response {
		return doWith(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {fmt.Sprintf("p%d@example.org", i)}}, from(ip))
	}
	// Mistyped addresses, refused, do not use up the allowance.
	for range 6 {
		if res := doWith(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {"p0@example"}}, from("198.51.100.7")); res.code != http.StatusBadRequest {
			t.Fatalf("a mistyped address = %d, want 400", res.code)
		}
	}
	for i := range 5 {
		if res := post(i, "198.51.100.7"); res.code != http.StatusAccepted {
			t.Fatalf("post %d = %d, want 202", i+1, res.code)
		}
	}
	res := post(5, "198.51.100.7")
	if res.code != http.StatusTooManyRequests || res.header.Get("Retry-After") != "720" {
		t.Errorf("post 6 = %d (Retry-After %q), want 429 with Retry-After 720", res.code, res.header.Get("Retry-After"))
	}
	// Another visitor behind the same proxy is not held back; an IPv6
	// visitor's neighbours in its /64 share its allowance.
	if res := post(6, "203.0.113.9"); res.code != http.StatusAccepted {
		t.Errorf("another client = %d, want 202", res.code)
	}
	for i := range 5 {
		post(10+i, "2001:db8:1:2::"+strconv.Itoa(i+1))
	}
	if res := post(20, "2001:db8:1:2:ffff::1"); res.code != http.StatusTooManyRequests {
		t.Errorf("sixth from one IPv6 /64 = %d, want 429", res.code)
	}
	if res := post(21, "2001:db8:1:3::1"); res.code != http.StatusAccepted {
		t.Errorf("the next /64 = %d, want 202", res.code)
	}
	// The allowance refills at 5 an hour: one more after 12 minutes.
	e.clock.Advance(12 * time.Minute)
	if res := post(7, "198.51.100.7"); res.code != http.StatusAccepted {
		t.Errorf("12 minutes later = %d, want 202", res.code)
	}
	if res := post(8, "198.51.100.7"); res.code != http.StatusTooManyRequests {
		t.Errorf("and then = %d, want 429", res.code)
	}
	waitMail(t, e, 13)
}

// TestSubscribeRateLimitPerAddress is the 13 confirmations to one
// address from 9 clients: 3 a day reach it.
func TestSubscribeRateLimitPerAddress(t *testing.T) {
	e, _, srv := newWebEnv(t)
	post := func(ip string) response {
		return doWith(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {"victim@example.org"}},
			map[string]string{"X-Forwarded-For": ip})
	}
	// Twice in one second is one email (the same link).
	post("192.0.2.100")
	var codes []int
	for i := range 9 {
		res := post(fmt.Sprintf("192.0.2.%d", i+1))
		codes = append(codes, res.code)
		if want := strconv.Itoa(86400 - 60*i); res.code == http.StatusTooManyRequests && res.header.Get("Retry-After") != want {
			t.Errorf("request %d: Retry-After = %q, want %s (the oldest email's age out)", i+1, res.header.Get("Retry-After"), want)
		}
		e.clock.Advance(time.Minute)
	}
	if got, want := fmt.Sprint(codes), "[202 202 202 429 429 429 429 429 429]"; got != want {
		t.Errorf("answers = %s, want %s", got, want)
	}
	waitMail(t, e, 3)
	time.Sleep(100 * time.Millisecond) // nothing more arrives
	if got := e.smtp.byRecipient()["victim@example.org"]; got != 3 {
		t.Errorf("victim got %d confirmations, want 3", got)
	}
	e.clock.Advance(24 * time.Hour)
	if res := post("192.0.2.1"); res.code != http.StatusAccepted {
		t.Errorf("a day later = %d, want 202", res.code)
	}
}

// TestCrossSitePosts: a form posted from another site changes nothing;
// the one-click unsubscribe, which mail providers post from theirs, works.
func TestCrossSitePosts(t *testing.T) {
	e, d, srv := newWebEnv(t)
	subscribe(t, d, "jo@example.org")
	evil := map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
	oldBrowser := map[string]string{"Origin": "https://evil.example"}
	tests := []struct {
		name   string
		path   string
		form   url.Values
		header map[string]string
		want   int
	}{
		{"subscribe cross-site", "/subscribe", url.Values{"email": {"kim@example.org"}}, evil, http.StatusForbidden},
		{"subscribe, Origin only", "/subscribe", url.Values{"email": {"kim@example.org"}}, oldBrowser, http.StatusForbidden},
		{"subscribe same-site", "/subscribe", url.Values{"email": {"kim@example.org"}}, map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"confirm cross-site", "/subscribe/confirm", url.Values{"t": {"x"}}, evil, http.StatusForbidden},
		{"subscribe from the public origin", "/subscribe", url.Values{"email": {"lee@example.org"}}, map[string]string{"Origin": baseURL}, http.StatusAccepted},
		{"subscribe same-origin", "/subscribe", url.Values{"email": {"max@example.org"}}, map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusAccepted},
		{"subscribe without browser headers", "/subscribe", url.Values{"email": {"ned@example.org"}}, nil, http.StatusAccepted},
		{"one-click unsubscribe cross-site", d.UnsubscribeURL("jo@example.org")[len(baseURL):], url.Values{"List-Unsubscribe": {"One-Click"}}, evil, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if res := doWith(t, srv, http.MethodPost, tc.path, tc.form, tc.header); res.code != tc.want {
				t.Errorf("POST %s = %d %q, want %d", tc.path, res.code, res.body, tc.want)
			}
		})
	}
	if got := subscriberList(t, d); got != "" {
		t.Errorf("subscribers = %q, want jo unsubscribed", got)
	}
	msgs := waitMail(t, e, 3)
	for _, m := range msgs {
		if m.To[0] == "kim@example.org" {
			t.Errorf("a cross-site post sent a confirmation to kim")
		}
	}
}

// TestMethodNotAllowed: the site answers a method a path does not have
// with 405 and the methods it has.
func TestMethodNotAllowed(t *testing.T) {
	_, _, srv := newWebEnv(t)
	tests := []struct {
		method, path, allow string
	}{
		{http.MethodPut, "/unsubscribe?t=x", "GET, HEAD, POST"},
		{http.MethodDelete, "/unsubscribe", "GET, HEAD, POST"},
		{http.MethodOptions, "/subscribe", "POST"},
		{http.MethodPut, "/subscribe", "POST"},
		{http.MethodGet, "/subscribe", "POST"},
		{http.MethodPatch, "/subscribe/confirm", "GET, HEAD, POST"},
	}
	for _, tc := range tests {
		res := do(t, srv, tc.method, tc.path, nil)
		if res.code != http.StatusMethodNotAllowed || res.header.Get("Allow") != tc.allow {
			t.Errorf("%s %s = %d, Allow %q; want 405, Allow %q", tc.method, tc.path, res.code, res.header.Get("Allow"), tc.allow)
		}
	}
}

// TestSendConfirmation is "subscribers import --confirm": the email is
// queued and sent at once; one the relay does not take says so, and stays
// queued for the service when the failure is temporary.
func TestSendConfirmation(t *testing.T) {
	tests := []struct {
		name    string
		relay   func(e *env) string
		wantErr string
		status  string
	}{
		{"sent", func(e *env) string { return e.smtp.Addr }, "", "sent"},
		{"refused", func(e *env) string { e.smtp.failRcpt("kai@example.org", 550, -1); return e.smtp.Addr }, "confirmation to kai@example.org refused", "failed"},
		{"relay down", func(e *env) string { return deadAddress(t) }, "not sent yet (queued: the service tries again)", "pending"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.digestAt(t, tc.relay(e))
			err := d.SendConfirmation(context.Background(), "kai@example.org", []string{"security"})
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("SendConfirmation = %v, want %q", err, tc.wantErr)
			}
			if rows := confirmations(t, e, "kai@example.org"); len(rows) != 1 || rows[0].Status != tc.status {
				t.Errorf("queue = %+v, want one %s", rows, tc.status)
			}
		})
	}
	// The service does not pick an email up while the command is sending it.
	e := newEnv(t)
	d := e.digestAt(t, deadAddress(t))
	d.SendConfirmation(context.Background(), "kai@example.org", nil)
	if next, err := d.SendDueConfirmations(context.Background()); err != nil || !next.Equal(t0.Add(5*time.Minute)) {
		t.Errorf("service pass = %v, %v; want the email due at %s", next, err, t0.Add(5*time.Minute))
	}
	if rows := confirmations(t, e, "kai@example.org"); rows[0].Attempts != 4 {
		t.Errorf("attempts = %d, want 4 (the command's, none by the service yet)", rows[0].Attempts)
	}
}
