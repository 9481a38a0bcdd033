package digest_test

import (
	"context"
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
