package digest_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/kdigest/kdigest/digest"
)

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    digest.SMTPConfig
		wantErr string
	}{
		{"starttls default port", "smtp://user:pw@mail.example.org", digest.SMTPConfig{Host: "mail.example.org", Port: 587, Username: "user", Password: "pw", TLS: "starttls", Timeout: 30 * time.Second}, ""},
		{"implicit tls", "smtps://mail.example.org", digest.SMTPConfig{Host: "mail.example.org", Port: 465, TLS: "implicit", Timeout: 30 * time.Second}, ""},
		{"loopback relay without tls", "smtp://127.0.0.1:2525?tls=none&timeout=2s", digest.SMTPConfig{Host: "127.0.0.1", Port: 2525, TLS: "none", Timeout: 2 * time.Second}, ""},
		{"localhost without tls", "smtp://localhost:25?tls=none", digest.SMTPConfig{Host: "localhost", Port: 25, TLS: "none", Timeout: 30 * time.Second}, ""},
		{"no tls to a remote host", "smtp://u:secret@mail.example.org?tls=none", digest.SMTPConfig{}, "loopback"},
		{"bad scheme", "http://mail.example.org", digest.SMTPConfig{}, "scheme"},
		{"no host", "smtp://:25", digest.SMTPConfig{}, "no host"},
		{"bad port", "smtp://mail.example.org:99999", digest.SMTPConfig{}, "bad port"},
		{"bad tls value", "smtp://mail.example.org?tls=maybe", digest.SMTPConfig{}, "tls must be"},
		{"bad timeout", "smtp://mail.example.org?timeout=-1s", digest.SMTPConfig{}, "bad timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := digest.ParseSMTPURL(tc.raw)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseSMTPURL(%q) = %+v, %v, want an error about %q", tc.raw, got, err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error %q shows the password", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParseSMTPURL(%q) = %+v, %v, want %+v", tc.raw, got, err, tc.want)
			}
		})
	}
}

func TestDKIMSignsListHeaders(t *testing.T) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if _, err := digest.NewDKIMSigner([]byte("not a key"), "kdigest.example.org", "s1"); err == nil {
		t.Errorf("NewDKIMSigner accepted a bad key")
	}
	signer, err := digest.NewDKIMSigner(keyPEM, "KDigest.Example.org", "s1")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	d := e.digest(t)
	subscribe(t, d, "ann@example.org")
	if rep, err := d.Run(context.Background(), digest.RunOptions{Signer: signer}); err != nil || rep.Sent != 1 {
		t.Fatalf("run = %+v, %v", rep, err)
	}
	sig := parseMessage(t, e.smtp.messages()[0].Data).Header.Get("DKIM-Signature")
	tags := map[string]string{}
	for _, kv := range strings.Split(strings.Join(strings.Fields(sig), ""), ";") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			tags[k] = v
		}
	}
	if tags["d"] != "kdigest.example.org" || tags["s"] != "s1" {
		t.Errorf("DKIM-Signature d=%q s=%q", tags["d"], tags["s"])
	}
	signed := strings.ToLower(":" + tags["h"] + ":")
	for _, h := range []string{"from", "to", "subject", "date", "message-id", "list-id", "list-unsubscribe", "list-unsubscribe-post"} {
		if !strings.Contains(signed, ":"+h+":") {
			t.Errorf("DKIM h=%q does not sign %s", tags["h"], h)
		}
	}
}

func TestProgressLines(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	addrs := addresses(40)
	subscribe(t, d, addrs...)
	var out strings.Builder
	rep, err := d.Run(context.Background(), digest.RunOptions{Progress: &out})
	if err != nil || rep.Sent != 40 {
		t.Fatalf("run = %+v, %v", rep, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 21 || lines[0] != "sending: 2/40 (2 sent, 0 failed)" || lines[20] != "done: 40 sent, 0 failed, of 40" {
		t.Errorf("progress = %q, want 20 sending lines and a done line", lines)
	}
}

// startTLSMailServer is startMailServer with a certificate for 127.0.0.1:
// STARTTLS offered, or (implicit) TLS from the first byte as on port 465.
// It returns the roots that trust the certificate.
func startTLSMailServer(tb testing.TB, implicit bool) (*mailServer, *x509.CertPool) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mx.test"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	tc := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}

	s := startMailServer(tb, "127.0.0.1:0")
	s.srv.Close() // start again, with TLS, on a new listener
	srv := smtp.NewServer(s.srv.Backend)
	srv.Domain, srv.ErrorLog, srv.TLSConfig = "mx.test", log.New(io.Discard, "", 0), tc
	var ln net.Listener
	if implicit {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", tc)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		tb.Fatal(err)
	}
	s.srv, s.ln, s.Addr = srv, ln, ln.Addr().String()
	go srv.Serve(ln)
	tb.Cleanup(func() { srv.Close() })
	return s, roots
}

// TestTLSRelays sends through STARTTLS and implicit TLS (the sender does
// the TLS of smtps itself, to keep hold of the link), and checks that a
// missing reply over TLS is in doubt too.
func TestTLSRelays(t *testing.T) {
	for _, tc := range []struct {
		name     string
		implicit bool
		scheme   string
	}{{"starttls", false, "smtp"}, {"implicit", true, "smtps"}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			srv, roots := startTLSMailServer(t, tc.implicit)
			cfg, err := digest.ParseSMTPURL(tc.scheme + "://" + srv.Addr + "?timeout=5s")
			if err != nil {
				t.Fatal(err)
			}
			cfg.TLSConfig = &tls.Config{RootCAs: roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
			cfg.DataTimeout = 300 * time.Millisecond
			d, err := digest.New(context.Background(), e.db, e.corpus.Snapshot, func() (digest.Sender, error) { return digest.NewSMTPSender(cfg) }, e.options())
			if err != nil {
				t.Fatal(err)
			}
			subscribe(t, d, three...)
			srv.slowAck("bob@example.org", time.Second)
			rep, err := d.Run(context.Background(), digest.RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Sent != 2 || len(rep.Failed) != 1 || !rep.Failed[0].InDoubt {
				t.Errorf("report = %+v, want 2 sent and bob in doubt", rep)
			}
			wantOnce(t, srv.byRecipient(), three...)
		})
	}
	// Without the relay's certificate among the roots, nothing is sent.
	e := newEnv(t)
	srv, _ := startTLSMailServer(t, false)
	cfg, _ := digest.ParseSMTPURL("smtp://" + srv.Addr + "?timeout=5s")
	d, err := digest.New(context.Background(), e.db, e.corpus.Snapshot, func() (digest.Sender, error) { return digest.NewSMTPSender(cfg) }, e.options())
	if err != nil {
		t.Fatal(err)
	}
	subscribe(t, d, "ann@example.org")
	rep, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil || rep.Sent != 0 || len(rep.Failed) != 1 || !rep.Failed[0].Temporary || !strings.Contains(rep.Failed[0].Error, "certificate") {
		t.Errorf("untrusted relay: %+v, %v, want a temporary certificate failure", rep, err)
	}
	if srv.accepted() != 0 {
		t.Errorf("an untrusted relay got %d messages", srv.accepted())
	}
}
