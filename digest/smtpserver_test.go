package digest_test

import (
	"errors"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// receivedMessage is one message the test server accepted.
type receivedMessage struct {
	From string
	To   []string
	Data []byte
}

// mailServer is a real SMTP server on loopback that records what it
// accepts and misbehaves on request, per recipient.
type mailServer struct {
	Addr string
	srv  *smtp.Server
	ln   net.Listener

	mu       sync.Mutex
	msgs     []receivedMessage
	count    int                          // accepted messages, kept or not
	discard  bool                         // count messages without keeping them
	rcptErr  map[string][]*smtp.SMTPError // answers to RCPT, consumed in order; the last stays
	rcptDrop map[string]int               // drop the link at RCPT this many times
	ackDrop  map[string]int               // accept the data, then drop the link before replying
	ackDelay map[string]time.Duration     // accept the data, then wait this long before replying
	blockAt  map[string]chan struct{}     // DATA waits until the channel is closed
	dataErr  map[string]*smtp.SMTPError   // the answer to the end of DATA, refusing the message
	inData   chan string                  // receives the recipient when DATA blocks
	sessions int
}

// startMailServer listens on addr ("127.0.0.1:0" for any port) and serves
// until the test ends.
func startMailServer(tb testing.TB, addr string) *mailServer {
	tb.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	s := &mailServer{Addr: ln.Addr().String(), ln: ln,
		rcptErr: map[string][]*smtp.SMTPError{}, rcptDrop: map[string]int{}, ackDrop: map[string]int{}, ackDelay: map[string]time.Duration{},
		blockAt: map[string]chan struct{}{}, dataErr: map[string]*smtp.SMTPError{}, inData: make(chan string, 1)}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		s.mu.Lock()
		s.sessions++
		s.mu.Unlock()
		return &session{s: s, conn: c}, nil
	}))
	s.srv.Domain = "mx.test"
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	go s.srv.Serve(ln)
	tb.Cleanup(func() { s.srv.Close() })
	return s
}

// deadAddress returns a loopback address where nothing listens, so a
// connection is refused; a server can be started there later.
func deadAddress(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// failRcpt makes RCPT TO rcpt answer with code (421 or 550 ...) times times,
// or always when times < 0.
func (s *mailServer) failRcpt(rcpt string, code int, times int) {
	e := &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 1, 1}, Message: "test refusal"}
	if code/100 == 4 {
		e.EnhancedCode = smtp.EnhancedCode{4, 7, 1}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if times < 0 {
		s.rcptErr[rcpt] = []*smtp.SMTPError{e}
		return
	}
	for range times {
		s.rcptErr[rcpt] = append(s.rcptErr[rcpt], e)
	}
	s.rcptErr[rcpt] = append(s.rcptErr[rcpt], nil)
}

// failData refuses rcpt's messages at the end of DATA with code and the
// enhanced status code class.subject.detail, as a relay that checks the
// mailbox late does ("552 5.2.2 Mailbox full").
func (s *mailServer) failData(rcpt string, code, subject, detail int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dataErr[rcpt] = &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, subject, detail}, Message: "test refusal"}
}

// dropAtRcpt closes the link instead of answering RCPT TO rcpt, times
// times: the message cannot have been delivered.
func (s *mailServer) dropAtRcpt(rcpt string, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcptDrop[rcpt] = times
}

// slowAck keeps rcpt's messages and answers the end of DATA only after d,
// as a relay that stores slowly does.
func (s *mailServer) slowAck(rcpt string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ackDelay[rcpt] = d
}

// dropAfterData keeps rcpt's message but closes the link before the reply,
// once: the client cannot know it was delivered.
func (s *mailServer) dropAfterData(rcpt string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ackDrop[rcpt] = 1
}

// blockData makes the server keep rcpt's message and then wait, before
// replying, until release is called; started reports when it waits.
func (s *mailServer) blockData(rcpt string) (started <-chan string, release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.blockAt[rcpt] = ch
	s.mu.Unlock()
	var once sync.Once
	return s.inData, func() { once.Do(func() { close(ch) }) }
}

// messages returns the accepted messages in order.
func (s *mailServer) messages() []receivedMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]receivedMessage(nil), s.msgs...)
}

// accepted returns how many messages were accepted.
// connections counts the SMTP sessions the server has had.
func (s *mailServer) connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

func (s *mailServer) accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// byRecipient counts accepted messages per recipient.
func (s *mailServer) byRecipient() map[string]int {
	out := map[string]int{}
	for _, m := range s.messages() {
		for _, r := range m.To {
			out[r]++
		}
	}
	return out
}

// session is one SMTP connection.
type session struct {
	s    *mailServer
	conn *smtp.Conn
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s := x.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rcptDrop[to] > 0 {
		s.rcptDrop[to]--
		x.conn.Conn().Close()
		return errors.New("link dropped by the test")
	}
	if q := s.rcptErr[to]; len(q) > 0 {
		e := q[0]
		if len(q) > 1 {
			s.rcptErr[to] = q[1:]
		}
		if e != nil {
			return e
		}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	s := x.s
	rcpt := strings.Join(x.to, ",")
	s.mu.Lock()
	ack := s.ackDrop[rcpt] > 0
	if ack {
		s.ackDrop[rcpt]--
	}
	block := s.blockAt[rcpt]
	delete(s.blockAt, rcpt)
	delay := s.ackDelay[rcpt]
	refuse := s.dataErr[rcpt]
	s.mu.Unlock()

	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if refuse != nil {
		return refuse
	}
	s.mu.Lock()
	s.count++
	if !s.discard {
		s.msgs = append(s.msgs, receivedMessage{From: x.from, To: append([]string(nil), x.to...), Data: data})
	}
	s.mu.Unlock()
	if block != nil {
		s.inData <- rcpt
		<-block
	}
	time.Sleep(delay)
	if ack {
		x.conn.Conn().Close()
	}
	return nil
}
