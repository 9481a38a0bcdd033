package digest_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/kdigest/kdigest/digest"
)

// senderRefusingServer is a relay that refuses the sender (MAIL FROM) for
// good while refuse is set, as SES does for an unverified From address or a
// relay for a sender it does not know, and accepts everything otherwise.
type senderRefusingServer struct {
	refuse   atomic.Bool
	accepted atomic.Int32
}

type refusingSession struct{ s *senderRefusingServer }

func (x refusingSession) Reset()        {}
func (x refusingSession) Logout() error { return nil }
func (x refusingSession) Mail(string, *smtp.MailOptions) error {
	if x.s.refuse.Load() {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Email address is not verified"}
	}
	return nil
}
func (x refusingSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (x refusingSession) Data(r io.Reader) error {
	io.Copy(io.Discard, r)
	x.s.accepted.Add(1)
	return nil
}

// TestRefusedSenderSuspendsNoOne checks that a 5xx to MAIL FROM, which is
// about the sender (the relay's configuration), not any recipient, leaves
// the deliveries to be made once the operator fixes the relay, and counts
// against no address: three such digests suspend no one.
func TestRefusedSenderSuspendsNoOne(t *testing.T) {
	e := newEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	relay := &senderRefusingServer{}
	relay.refuse.Store(true)
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return refusingSession{relay}, nil }))
	srv.Domain, srv.ErrorLog = "mx.test", log.New(io.Discard, "", 0)
	go srv.Serve(ln)
	defer srv.Close()
	d := e.digestAt(t, ln.Addr().String())
	subscribe(t, d, three...)
	ctx := context.Background()
	var first string
	for week := range 3 {
		// A new article each week, so that each week has a digest.
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
			t.Logf("week 1: %d sent, failures %+v", rep.Sent, rep.Failed)
		}
	}
	subs, _ := d.Subscribers(ctx)
	for _, s := range subs {
		if s.Status != digest.Active {
			t.Errorf("%s is %s (%s) after the relay refused the sender address, want active", s.Email, s.Status, s.Reason)
		}
	}
	// The operator fixes the relay: the refused deliveries are never made.
	relay.refuse.Store(false)
	if _, err := d.Run(ctx, digest.RunOptions{Kind: "scheduled"}); err != nil {
		t.Fatal(err)
	}
	for r, row := range deliveries(t, e.db, first) {
		if row.Status != "sent" {
			t.Errorf("week 1 delivery to %s is %s after the relay was fixed, want it retried and sent", r, row.Status)
		}
	}
}

// addArticle adds a new undated article n to the env's seeds and rescans.
func addArticle(t *testing.T, e *env, n int) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(e.seeds, "004_e430f6a57860e91a.txt"))
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(e.seeds, fmt.Sprintf("2%d0_week.txt", n))
	body := strings.ReplaceAll(string(raw), "Thursday", "Monday") + fmt.Sprintf("\n\nWeek %d: Putin repeated the offer in Sochi.\n", n)
	if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.corpus.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
}
