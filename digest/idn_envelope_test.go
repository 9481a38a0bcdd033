package digest_test

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kdigest/kdigest/digest"
)

// TestIDNRecipientGoesOutInASCII checks that a subscriber of an
// internationalised domain is mailed at the domain's ASCII form: since
// addresses are stored with the domain in Unicode (ledger migration 6
// rewrote "ann@xn--bcher-kva.de" as "ann@bücher.de"), the envelope said
// RCPT TO:<ann@bücher.de> to a relay that does not offer SMTPUTF8 (RFC
// 6531: a client may not), and relays that hold to RFC 5321 refuse it
// (Postfix: "553 5.6.7 SMTPUTF8 is required"), so a subscriber who got
// every digest before the upgrade gets none after it.
func TestIDNRecipientGoesOutInASCII(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	subscribe(t, d, "ann@xn--bcher-kva.de")
	if _, err := d.Run(context.Background(), digest.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	msgs := e.smtp.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	for _, rcpt := range msgs[0].To {
		for i := 0; i < len(rcpt); i++ {
			if rcpt[i] >= utf8.RuneSelf {
				t.Errorf("RCPT TO:<%s> to a relay without SMTPUTF8; want ann@xn--bcher-kva.de", rcpt)
				break
			}
		}
	}
}

// TestIDNSenderGoesOutInASCII: a --from address of an internationalised
// domain goes out in ASCII, in the envelope, the From header and the
// Message-ID (a relay without SMTPUTF8 takes no other), and a DKIM key
// for it signs as the domain's ASCII name.
func TestIDNSenderGoesOutInASCII(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t, func(o *digest.Options) { o.From = &mail.Address{Name: "Nouvelles", Address: "news@bücher.de"} })
	subscribe(t, d, "ann@example.org")
	if _, err := d.Run(context.Background(), digest.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	msgs := e.smtp.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	if msgs[0].From != "news@xn--bcher-kva.de" {
		t.Errorf("MAIL FROM:<%s>, want news@xn--bcher-kva.de", msgs[0].From)
	}
	head, _, _ := strings.Cut(string(msgs[0].Data), "\r\n\r\n")
	for _, h := range []string{"From:", "Message-ID:", "List-Id:"} {
		line := headerLine(head, h)
		if !strings.Contains(line, "xn--bcher-kva.de") || strings.Contains(line, "bücher") {
			t.Errorf("%q, want the domain in ASCII", line)
		}
	}
	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	s, err := digest.NewDKIMSigner(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), "Bücher.de", "k1")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Domain; got != "xn--bcher-kva.de" {
		t.Errorf("DKIM d=%s, want xn--bcher-kva.de", got)
	}
}

// headerLine returns the header field name of head, unfolded.
func headerLine(head, name string) string {
	lines := strings.Split(head, "\r\n")
	for i, l := range lines {
		if strings.HasPrefix(l, name) {
			for _, c := range lines[i+1:] {
				if !strings.HasPrefix(c, " ") && !strings.HasPrefix(c, "\t") {
					break
				}
				l += c
			}
			return l
		}
	}
	return ""
}
