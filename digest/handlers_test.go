package digest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/digest"
)

// mux mounts the digest's routes as the web server does.
func mux(d *digest.Digest) http.Handler {
	m := http.NewServeMux()
	for pattern, h := range d.Routes() {
		m.Handle(pattern, h)
	}
	return m
}

type response struct {
	code   int
	body   string
	header http.Header
}

// do sends a request to srv, with form as an urlencoded body when set.
func do(t *testing.T, srv *httptest.Server, method, path string, form url.Values) response {
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
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{code: res.StatusCode, body: string(b), header: res.Header}
}

// newWebEnv is a test env with the digest's routes served over HTTP.
func newWebEnv(t *testing.T) (*env, *digest.Digest, *httptest.Server) {
	t.Helper()
	e := newEnv(t)
	d := e.digest(t)
	srv := httptest.NewServer(mux(d))
	t.Cleanup(srv.Close)
	return e, d, srv
}

func TestSubscribeDoubleOptIn(t *testing.T) {
	e, d, srv := newWebEnv(t)

	res := do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {"  Dana <Dana@Example.ORG> "}})
	if res.code != http.StatusAccepted {
		t.Fatalf("POST /subscribe = %d %q, want 202", res.code, res.body)
	}
	if got := subscriberList(t, d); got != "" {
		t.Fatalf("subscribed before confirming: %q", got)
	}
	msgs := e.smtp.messages()
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "dana@example.org" {
		t.Fatalf("confirmation messages = %+v, want one to dana@example.org", msgs)
	}
	p := parseMessage(t, msgs[0].Data)
	if !strings.HasPrefix(p.Subject, "Confirm your subscription") {
		t.Errorf("confirmation subject = %q", p.Subject)
	}
	if p.Header.Get("Auto-Submitted") != "auto-generated" || p.Header.Get("X-Mailer") != "" {
		t.Errorf("confirmation headers = %v", p.Header)
	}
	link := regexp.MustCompile(`https://kdigest\.example\.org/subscribe/confirm\?t=\S+`).FindString(p.Text)
	if link == "" {
		t.Fatalf("no confirmation link in %q", p.Text)
	}
	confirm := strings.TrimPrefix(link, baseURL)

	// The token is bound to its purpose: it does not unsubscribe, and an
	// unsubscribe token does not confirm.
	tok := strings.TrimPrefix(confirm, "/subscribe/confirm?t=")
	if res := do(t, srv, http.MethodPost, "/unsubscribe?t="+tok, nil); res.code != http.StatusBadRequest {
		t.Errorf("confirm token at /unsubscribe = %d, want 400", res.code)
	}
	unsub := unsubscribeToken(t, d.UnsubscribeURL("dana@example.org"))
	if res := do(t, srv, http.MethodGet, "/subscribe/confirm?t="+url.QueryEscape(unsub), nil); res.code != http.StatusBadRequest {
		t.Errorf("unsubscribe token at /subscribe/confirm = %d, want 400", res.code)
	}
	if res := do(t, srv, http.MethodGet, "/subscribe/confirm?t="+flip(tok, 2), nil); res.code != http.StatusBadRequest {
		t.Errorf("altered confirm token = %d, want 400", res.code)
	}
	if got := subscriberList(t, d); got != "" {
		t.Fatalf("bad tokens subscribed: %q", got)
	}

	res = do(t, srv, http.MethodGet, confirm, nil)
	if res.code != http.StatusOK || !strings.Contains(res.body, "dana@example.org") {
		t.Fatalf("GET %s = %d %q", confirm, res.code, res.body)
	}
	if got := subscriberList(t, d); got != "dana@example.org" {
		t.Errorf("subscribers = %q, want dana@example.org", got)
	}
	// Following the link twice is harmless.
	if res := do(t, srv, http.MethodGet, confirm, nil); res.code != http.StatusOK {
		t.Errorf("second confirm = %d, want 200", res.code)
	}
}

func TestSubscribeConfirmExpires(t *testing.T) {
	e, d, srv := newWebEnv(t)
	do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {"eve@example.org"}})
	msgs := e.smtp.messages()
	if len(msgs) != 1 {
		t.Fatalf("got %d confirmation messages, want 1", len(msgs))
	}
	link := regexp.MustCompile(`/subscribe/confirm\?t=\S+`).FindString(parseMessage(t, msgs[0].Data).Text)
	e.clock.Advance(8 * 24 * time.Hour)
	if res := do(t, srv, http.MethodGet, link, nil); res.code != http.StatusBadRequest {
		t.Errorf("confirm after 8 days = %d, want 400", res.code)
	}
	if got := subscriberList(t, d); got != "" {
		t.Errorf("an expired link subscribed %q", got)
	}
}

func TestSubscribeErrors(t *testing.T) {
	tests := []struct {
		name  string
		email string
		down  bool
		want  int
	}{
		{"bad address", "not an address", false, http.StatusBadRequest},
		{"no domain dot", "ann@example", false, http.StatusBadRequest},
		{"mail server down", "ann@example.org", true, http.StatusServiceUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			addr := e.smtp.Addr
			if tc.down {
				addr = deadAddress(t)
			}
			d := e.digestAt(t, addr)
			srv := httptest.NewServer(mux(d))
			defer srv.Close()
			if res := do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {tc.email}}); res.code != tc.want {
				t.Errorf("POST /subscribe = %d, want %d", res.code, tc.want)
			}
			if got := subscriberList(t, d); got != "" {
				t.Errorf("subscribers = %q, want none", got)
			}
		})
	}
}

func TestSubscribeRateLimit(t *testing.T) {
	e, _, srv := newWebEnv(t)
	for i := range 5 {
		if res := do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {"x@example.org"}}); res.code != http.StatusAccepted {
			t.Fatalf("post %d = %d, want 202", i+1, res.code)
		}
	}
	res := do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {"x@example.org"}})
	if res.code != http.StatusTooManyRequests || res.header.Get("Retry-After") == "" {
		t.Errorf("post 6 = %d (Retry-After %q), want 429 with Retry-After", res.code, res.header.Get("Retry-After"))
	}
	if got := e.smtp.accepted(); got != 5 {
		t.Errorf("confirmation emails = %d, want 5", got)
	}
	e.clock.Advance(time.Hour)
	if res := do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {"x@example.org"}}); res.code != http.StatusAccepted {
		t.Errorf("post an hour later = %d, want 202", res.code)
	}
}
