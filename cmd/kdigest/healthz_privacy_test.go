package main

import (
	"io"
	"net"

	"encoding/json"
	"github.com/emersion/go-smtp"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// README: a one-off (--to) "gets a random id instead: it is not listed in
// /digests or /digests.atom, and only its recipients, who have the link,
// can open its page". /healthz, public on the site's port, must not name
// a one-off's id or subject.
func TestOneOffIDNotInHealthz(t *testing.T) {
	env, data := outboxEnv(t)
	code, stdout, stderr := runKdigest(t, env, "digest", "--to", "carol@example.org")
	if code != exitOK {
		t.Fatalf("digest --to: exit %d: %s%s", code, stdout, stderr)
	}
	m := regexp.MustCompile(`Sent digest (\S+) `).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no digest id in %q", stdout)
	}
	oneOff := m[1]
	base := startServe(t, env["KDIGEST_SEEDS"], "--data", data)
	if list := get(t, base+"/digests"); strings.Contains(list, oneOff) {
		t.Fatalf("/digests lists the one-off")
	}
	var health struct {
		LastDigest struct {
			ID, Kind, Subject string
		} `json:"last_digest"`
	}
	if err := json.Unmarshal([]byte(get(t, base+"/healthz")), &health); err != nil {
		t.Fatal(err)
	}
	if health.LastDigest.ID == oneOff {
		resp, err := http.Get(base + "/digests/" + health.LastDigest.ID)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		t.Errorf("/healthz shows the one-off's id %q (kind %q, subject %q); with it anyone opens its page: GET /digests/%s = %d",
			oneOff, health.LastDigest.Kind, health.LastDigest.Subject, oneOff, resp.StatusCode)
	}
}

// refusingSMTP refuses every recipient as relays do, naming the address.
type refusingSMTP struct{}

func (refusingSMTP) NewSession(*smtp.Conn) (smtp.Session, error) { return refusingSession{}, nil }

type refusingSession struct{}

func (refusingSession) AuthPlain(string, string) error       { return nil }
func (refusingSession) Mail(string, *smtp.MailOptions) error { return nil }
func (refusingSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<" + to + ">: Recipient address rejected: User unknown"}
}
func (refusingSession) Reset()                 {}
func (refusingSession) Logout() error          { return nil }
func (refusingSession) Data(r io.Reader) error { return nil }

// A refused delivery's reply names the subscriber; /healthz, public on the
// site's port (README's proxy passes "location /"), must not show it as
// the last digest's last_error.
func TestSubscriberAddressNotInHealthz(t *testing.T) {
	srv := smtp.NewServer(refusingSMTP{})
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	env, data := outboxEnv(t) // subscriber ann@example.org
	env["KDIGEST_SMTP"] = "smtp://" + ln.Addr().String() + "?tls=none&timeout=5s"
	code, stdout, stderr := runKdigest(t, env, "digest")
	t.Logf("digest: exit %d\n%s%s", code, stdout, stderr)
	base := startServe(t, env["KDIGEST_SEEDS"], "--data", data)
	if h := get(t, base+"/healthz"); strings.Contains(h, "ann@example.org") {
		t.Errorf("/healthz shows a subscriber's address:\n%s", h)
	}
}
