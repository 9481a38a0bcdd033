package digest_test

import (
	"context"
	"io"
	"log"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/kdigest/kdigest/digest"
)

// codeRefusingSession is a relay that answers RCPT TO and the end of DATA as
// refuse says (nil accepts), for the message's one recipient.
type codeRefusingSession struct {
	refuse func(to string, atData bool) error
	to     string
}

func (x *codeRefusingSession) Reset()                               {}
func (x *codeRefusingSession) Logout() error                        { return nil }
func (x *codeRefusingSession) Mail(string, *smtp.MailOptions) error { return nil }
func (x *codeRefusingSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = to
	return x.refuse(to, false)
}
func (x *codeRefusingSession) Data(r io.Reader) error {
	io.Copy(io.Discard, r)
	return x.refuse(x.to, true)
}

// startCodeRefusingRelay serves codeRefusingSessions on loopback until the test
// ends.
func startCodeRefusingRelay(t *testing.T, refuse func(to string, atData bool) error) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &codeRefusingSession{refuse: refuse}, nil }))
	srv.Domain, srv.ErrorLog = "mx.test", log.New(io.Discard, "", 0)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestSenderRefusedAtRcptSuspendsNoOne: a relay that checks the sender
// only once it has a recipient (Postfix's default, smtpd_delay_reject)
// refuses the sender's address at RCPT TO, with its code X.1.8 ("Sender
// address rejected: Domain not found"), for every recipient alike: as a
// refusal at MAIL FROM, it is the operator's to fix, and fails no one's
// delivery for good nor suspends the whole list.
func TestSenderRefusedAtRcptSuspendsNoOne(t *testing.T) {
	e := newEnv(t)
	d := e.digestAt(t, startCodeRefusingRelay(t, func(to string, atData bool) error {
		if atData {
			return nil
		}
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 8}, Message: "<digest@example.org>: Sender address rejected: Domain not found"}
	}))
	subscribe(t, d, three...)
	ctx := context.Background()
	for i := range 3 {
		rep, err := d.Run(ctx, digest.RunOptions{SendEmpty: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Failed {
			if !f.Temporary {
				t.Errorf("digest %d: %s failed for good (%s), want it left for the next run", i+1, f.Recipient, f.Error)
			}
		}
		e.clock.Advance(7 * 24 * time.Hour)
	}
	subs, err := d.Subscribers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		if s.Status != digest.Active {
			t.Errorf("%s is %s (%s) after the relay refused the sender at RCPT TO, want active", s.Email, s.Status, s.Reason)
		}
	}
}
