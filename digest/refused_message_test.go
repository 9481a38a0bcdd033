package digest_test

import (
	"context"
	"io"
	"log"
	"net"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/kdigest/kdigest/digest"
)

// relayRefusingServer is a relay that refuses every message for good,
// with the same reply whoever it is to, while refuse is set: at RCPT TO
// with a policy code, as a relay that wants credentials kdigest lacks
// does ("Relay access denied"), or at the end of DATA, as SES does for a
// paused account or an unverified From header, or a relay whose size
// limit a digest outgrew. It accepts everything otherwise.
type relayRefusingServer struct {
	atRcpt   bool
	refuse   atomic.Bool
	accepted atomic.Int32
}

type relayRefusingSession struct{ s *relayRefusingServer }

func (x relayRefusingSession) Reset()                               {}
func (x relayRefusingSession) Logout() error                        { return nil }
func (x relayRefusingSession) Mail(string, *smtp.MailOptions) error { return nil }
func (x relayRefusingSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if x.s.atRcpt && x.s.refuse.Load() {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "<" + to + ">: Relay access denied"}
	}
	return nil
}
func (x relayRefusingSession) Data(r io.Reader) error {
	io.Copy(io.Discard, r)
	if !x.s.atRcpt && x.s.refuse.Load() {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 0, 0}, Message: "Message rejected: Sending paused for this account"}
	}
	x.s.accepted.Add(1)
	return nil
}

// TestRelayRefusalSuspendsNoOne checks that a 5xx the relay gives every
// recipient alike, to the message (the end of DATA) or to RCPT TO with a
// policy code, is treated as a refused sender is: it is about the account,
// the relay's configuration or the message, not the address, so the
// deliveries stay to be made once the operator fixes it (not failed for
// good, the whole list's digest lost), and three such digests suspend no
// one. A 5xx about the address (5.1.1 at RCPT TO) still fails for good:
// TestRecipientFaults, TestBounceSuspension.
func TestRelayRefusalSuspendsNoOne(t *testing.T) {
	for _, tt := range []struct {
		name   string
		atRcpt bool
	}{{"end of DATA", false}, {"RCPT TO 5.7.1", true}} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			relay := &relayRefusingServer{atRcpt: tt.atRcpt}
			relay.refuse.Store(true)
			srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return relayRefusingSession{relay}, nil }))
			srv.Domain, srv.ErrorLog = "mx.test", log.New(io.Discard, "", 0)
			go srv.Serve(ln)
			defer srv.Close()
			d := e.digestAt(t, ln.Addr().String())
			subscribe(t, d, three...)
			ctx := context.Background()
			var first string
			for week := range 3 {
				if week > 0 {
					e.clock.Advance(7 * 24 * 3600e9)
					addArticle(t, e, week)
				}
				rep, err := d.Run(ctx, digest.RunOptions{Kind: "scheduled"})
				if err != nil {
					t.Fatal(err)
				}
				if week == 0 {
					first = rep.DigestID
					for _, f := range rep.Failed {
						if !f.Temporary {
							t.Errorf("week 1: %s failed for good (%s), want it left for the next run", f.Recipient, f.Error)
						}
					}
				}
			}
			subs, _ := d.Subscribers(ctx)
			for _, s := range subs {
				if s.Status != digest.Active {
					t.Errorf("%s is %s (%s) after the relay refused every message, want active", s.Email, s.Status, s.Reason)
				}
			}
			// The operator fixes the relay: the refused deliveries are made.
			relay.refuse.Store(false)
			if _, err := d.Run(ctx, digest.RunOptions{Kind: "scheduled"}); err != nil {
				t.Fatal(err)
			}
			for r, row := range deliveries(t, e.db, first) {
				if row.Status != "sent" {
					t.Errorf("week 1 delivery to %s is %s (%s) after the relay was fixed, want it retried and sent", r, row.Status, row.LastError)
				}
			}
		})
	}
}

// TestRefusedMessageAboutTheAddress checks a 5xx to the end of DATA by
// its enhanced status code (RFC 3463): about the mailbox or the address
// (5.2.2 mailbox full, 5.1.1 no such user, from a relay that checks them
// late) it fails that delivery for good, as a refused RCPT TO does, and
// the others go on; about the message or the system (5.6.0, 5.3.4, no
// code) it is no one's fault and stays pending.
func TestRefusedMessageAboutTheAddress(t *testing.T) {
	for _, tt := range []struct {
		name              string
		code, subj, detal int
		failed            bool
	}{
		{"5.2.2 mailbox full", 552, 2, 2, true},
		{"5.1.1 no such user", 550, 1, 1, true},
		{"5.6.0 content refused", 554, 6, 0, false},
		{"5.3.4 message too big", 552, 3, 4, false},
		{"5.2.3 message over the mailbox's size limit", 552, 2, 3, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.digest(t)
			subscribe(t, d, three...)
			e.smtp.failData("bob@example.org", tt.code, tt.subj, tt.detal)
			rep, err := d.Run(context.Background(), digest.RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			rows := deliveries(t, e.db, rep.DigestID)
			want := "pending"
			if tt.failed {
				want = "failed"
			}
			if got := rows["bob@example.org"].Status; got != want {
				t.Errorf("bob's delivery %s, want %s (%s)", got, want, rows["bob@example.org"].LastError)
			}
			if rows["ann@example.org"].Status != "sent" || rows["cid@example.net"].Status != "sent" {
				t.Errorf("deliveries = %+v, want ann and cid sent", rows)
			}
		})
	}
}
