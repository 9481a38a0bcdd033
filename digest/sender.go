package digest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// Sender delivers one message at a time over one connection per run.
type Sender interface {
	// Send delivers m. A temporary failure (4xx reply, network error) is
	// reported with IsTemporary true; Send may be called again after it.
	Send(ctx context.Context, m *gomail.Msg) error
	// Close ends the run's connection.
	Close() error
}

// tempError marks a failure worth retrying.
type tempError struct{ err error }

func (e tempError) Error() string { return e.err.Error() }
func (e tempError) Unwrap() error { return e.err }

// IsTemporary reports whether a Send error is worth retrying: a 4xx reply,
// a 5xx reply that is not about the address (see smtpSender.refused), or a
// link that broke before the relay had the whole message.
func IsTemporary(err error) bool {
	var t tempError
	return errors.As(err, &t)
}

// inDoubtError marks a message the relay received whole but never
// acknowledged: it may have been delivered.
type inDoubtError struct{ err error }

func (e inDoubtError) Error() string { return e.err.Error() }
func (e inDoubtError) Unwrap() error { return e.err }

// IsInDoubt reports whether a Send error leaves the message in doubt: the
// relay had all of it, and its reply never came. Sending it again may make
// a copy, so a run does not retry it; a later run tries once more.
func IsInDoubt(err error) bool {
	var t inDoubtError
	return errors.As(err, &t)
}

// CheckRecipient reports whether addr (as stored: lower case, no display
// name) can be sent to: the syntax go-mail accepts (net/mail), an address
// that reads back as itself (so a quoted local part such as "m m" is
// refused once unquoted), and the lengths of RFC 5321 §4.5.3.1 (64 for
// the local part, 254 in all). The error names the address.
func CheckRecipient(addr string) error {
	a, err := mail.ParseAddress(addr)
	if err != nil {
		return fmt.Errorf("%w: %q: %v", ErrBadAddress, addr, strings.TrimPrefix(err.Error(), "mail: "))
	}
	if a.Address != addr || a.Name != "" {
		return fmt.Errorf("%w: %q does not read back as itself (quoted or with a name)", ErrBadAddress, addr)
	}
	local, _, _ := strings.Cut(addr, "@")
	if len(local) > 64 || len(addr) > 254 {
		return fmt.Errorf("%w: %q is longer than RFC 5321 allows (64 before the @, 254 in all)", ErrBadAddress, addr)
	}
	return nil
}

// SMTPConfig is the parsed --smtp URL.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	// TLS is "starttls" (mandatory), "implicit" (smtps) or "none".
	TLS string
	// Timeout bounds each SMTP command's reply; default 30 s.
	Timeout time.Duration
	// DataTimeout bounds the wait for the reply to the end of a message,
	// which a relay sends once it has stored it; default 10 minutes (RFC
	// 5321 §4.5.3.2.6, Postfix's smtp_data_done_timeout). Past it the
	// message is in doubt.
	DataTimeout time.Duration
	// StopGrace is how long the message in flight may take to finish
	// once the run's context ends; then the link is cut; default 8 s, so
	// that it fits the 10 s that docker stop waits before SIGKILL.
	StopGrace time.Duration
	// TLSConfig, if set, replaces the TLS settings (tests with a private CA).
	TLSConfig *tls.Config
}

// ParseSMTPURL reads smtp://user:pass@host:587 (STARTTLS required),
// smtps://user:pass@host:465 (implicit TLS) and ?tls=none, which is allowed
// only for a loopback relay.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole URL, and its inner error quotes the
		// part it choked on ("invalid port \":s3cret\" after host" for a
		// password holding / ? or #): neither is shown.
		return SMTPConfig{}, errors.New("smtp url: not a valid URL (percent-encode any / ? # % @ : in the user name or password)")
	}
	c := SMTPConfig{Host: u.Hostname(), Timeout: 30 * time.Second}
	switch u.Scheme {
	case "smtp":
		c.TLS, c.Port = "starttls", 587
	case "smtps":
		c.TLS, c.Port = "implicit", 465
	default:
		return SMTPConfig{}, fmt.Errorf("smtp url %q: scheme must be smtp or smtps", redact(u))
	}
	if c.Host == "" {
		return SMTPConfig{}, fmt.Errorf("smtp url %q: no host", redact(u))
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTPConfig{}, fmt.Errorf("smtp url %q: bad port %q", redact(u), p)
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	q := u.Query()
	switch q.Get("tls") {
	case "":
	case "none":
		if !isLoopback(c.Host) {
			return SMTPConfig{}, fmt.Errorf("smtp url %q: tls=none is allowed only for a loopback relay, not %s", redact(u), c.Host)
		}
		c.TLS = "none"
	default:
		return SMTPConfig{}, fmt.Errorf("smtp url %q: tls must be none or absent", redact(u))
	}
	if t := q.Get("timeout"); t != "" {
		d, err := time.ParseDuration(t)
		if err != nil || d <= 0 {
			return SMTPConfig{}, fmt.Errorf("smtp url %q: bad timeout %q", redact(u), t)
		}
		c.Timeout = d
	}
	return c, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redact hides a URL's password in messages.
func redact(u *url.URL) string {
	if _, ok := u.User.Password(); ok {
		c := *u
		c.User = url.UserPassword(u.User.Username(), "xxxxx")
		return c.String()
	}
	return u.String()
}

// smtpSender keeps one SMTP session per run and redials when the link
// drops, which go-mail does not do by itself. go-mail dials, greets,
// upgrades to TLS and authenticates; the mail transaction is written here
// because its timeouts differ by phase: every command gets Timeout, but
// the reply to the end of the message gets DataTimeout (RFC 5321
// §4.5.3.2.6: 10 minutes), and a reply that still does not come leaves
// the message in doubt rather than undelivered.
type smtpSender struct {
	cfg    SMTPConfig
	client *gomail.Client
	conn   *trackedConn // the current session's link, to abort it
	smtp   *smtp.Client // the current session, nil between sessions
}

// trackedConn remembers whether a write failed: a message whose last byte
// never left cannot have been delivered.
type trackedConn struct {
	net.Conn
	writeFailed atomic.Bool
	stopped     atomic.Bool // the send's context ended and its grace ran out: the deadline is ours
}

func (c *trackedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if err != nil {
		c.writeFailed.Store(true)
	}
	return n, err
}

// NewSMTPSender returns a sender for the configured relay. It dials lazily.
func NewSMTPSender(cfg SMTPConfig) (Sender, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.DataTimeout <= 0 {
		cfg.DataTimeout = 10 * time.Minute
	}
	if cfg.StopGrace <= 0 {
		cfg.StopGrace = 8 * time.Second
	}
	tc := cfg.TLSConfig
	if tc == nil {
		tc = &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	}
	s := &smtpSender{cfg: cfg}
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(cfg.Timeout), gomail.WithTLSConfig(tc),
		gomail.WithDialContextFunc(func(ctx context.Context, network, addr string) (net.Conn, error) {
			raw, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			s.conn = &trackedConn{Conn: raw}
			if cfg.TLS != "implicit" {
				return s.conn, nil
			}
			conn := tls.Client(s.conn, tc)
			if err := conn.HandshakeContext(ctx); err != nil {
				raw.Close()
				return nil, err
			}
			return conn, nil
		})}
	switch cfg.TLS {
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "implicit":
		opts = append(opts, gomail.WithSSL()) // the dial function above does the TLS
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if cfg.Username != "" {
		auth := gomail.SMTPAuthPlain
		if cfg.TLS == "none" {
			// PLAIN over a plain link is refused except to loopback; the
			// URL check already limited tls=none to loopback.
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	client, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp client: %w", err)
	}
	s.client = client
	return s, nil
}

// Send delivers m in one mail transaction. When ctx ends, the message in
// flight gets StopGrace to finish; then the link is cut.
func (s *smtpSender) Send(ctx context.Context, m *gomail.Msg) error {
	if s.smtp == nil {
		s.conn = nil
		c, err := s.client.DialToSMTPClientWithContext(ctx)
		if err != nil {
			if s.conn != nil {
				s.conn.Close()
			}
			return tempError{fmt.Errorf("connect to %s:%d: %w", s.cfg.Host, s.cfg.Port, err)}
		}
		s.smtp = c
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		select {
		case <-done:
			return
		case <-ctx.Done():
		}
		t := time.NewTimer(s.cfg.StopGrace)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
			s.conn.stopped.Store(true)
			s.conn.SetDeadline(time.Now()) // every read and write fails now
		}
	})
	err := s.transact(m)
	close(done)
	wg.Wait()
	var reply *textproto.Error
	if err != nil && !errors.As(err, &reply) {
		s.drop() // the link is in an unknown state: redial next time
	}
	return err
}

// transact runs MAIL, RCPT, DATA and the message, then RSET.
func (s *smtpSender) transact(m *gomail.Msg) error {
	c := s.smtp
	s.conn.writeFailed.Store(false)
	s.conn.stopped.Store(false)
	from, err := m.GetSender(false)
	if err != nil {
		return fmt.Errorf("sender address: %w", err)
	}
	rcpts, err := m.GetRecipients()
	if err != nil {
		return fmt.Errorf("recipient address: %w", err)
	}
	if err := c.UpdateDeadline(s.cfg.Timeout); err != nil {
		return tempError{err}
	}
	if err := c.Mail(from); err != nil {
		return s.refused("MAIL FROM", err)
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r); err != nil {
			// r is already "<addr>", as it goes on the wire.
			return s.refused("RCPT TO "+r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return s.refused("DATA", err)
	}
	if _, err := m.WriteTo(w); err != nil {
		return tempError{fmt.Errorf("send the message: %w", err)}
	}
	// The relay has the message; it answers once it has stored it.
	if err := c.UpdateDeadline(s.cfg.DataTimeout); err != nil {
		return tempError{err}
	}
	if err := w.Close(); err != nil {
		var reply *textproto.Error
		switch {
		case errors.As(err, &reply):
			return s.refused("end of DATA", err)
		case s.conn.writeFailed.Load():
			return tempError{fmt.Errorf("the link broke before the end of the message: %w", err)}
		case errors.Is(err, os.ErrDeadlineExceeded) && s.conn.stopped.Load():
			return inDoubtError{fmt.Errorf("stopped while waiting for the reply to the end of the message (the relay may have delivered it): %w", err)}
		case errors.Is(err, os.ErrDeadlineExceeded):
			return inDoubtError{fmt.Errorf("no reply to the end of the message within %s (the relay may have delivered it): %w", s.cfg.DataTimeout, err)}
		default:
			return inDoubtError{fmt.Errorf("the link broke while waiting for the reply to the end of the message (the relay may have delivered it): %w", err)}
		}
	}
	// Delivered. A failed RSET only means the next message redials.
	if c.UpdateDeadline(s.cfg.Timeout) != nil || c.Reset() != nil {
		s.drop()
	}
	return nil
}

// refused classifies a failed command: a 4xx reply is temporary, a 5xx
// reply about the address (to RCPT TO, or to the message with an
// addressing or mailbox status) permanent, and any other 5xx reply, or no
// reply at all (the link broke), temporary.
func (s *smtpSender) refused(cmd string, err error) error {
	err = fmt.Errorf("%s: %w", cmd, err)
	var reply *textproto.Error
	if !errors.As(err, &reply) {
		return tempError{err}
	}
	if s.smtp.Reset() != nil {
		s.drop()
	}
	// A refused recipient (RCPT TO) is about the address, unless its
	// enhanced status code (RFC 3463) says security or policy, 5.7.x:
	// "Relay access denied", "Authentication required", what a relay
	// answers every recipient when kdigest lacks its credentials. A
	// refused message (DATA, the end of DATA) is about the address only
	// when its code says so, 5.1.x or 5.2.x ("552 5.2.2 Mailbox full",
	// "550 5.1.1 No such user" from a relay that checks late); else it is
	// a paused or over-quota account, an unverified From header, a size
	// limit. Those, and a refused sender (MAIL FROM), are the relay's or
	// the operator's problem, and every recipient would get the same:
	// leave the delivery for a later run rather than fail the whole list
	// for good and count it against each address. So is a refusal whose
	// code names the sender's address, X.1.7 or X.1.8, wherever it comes:
	// a relay that delays its checks (Postfix's default) refuses the
	// sender at RCPT TO ("5.1.8 Sender address rejected: Domain not
	// found"), every recipient alike; and 5.2.3, a message over a size
	// limit, which every recipient's copy is.
	subject, detail := statusCode(reply)
	if reply.Code/100 == 4 || subject == 1 && (detail == 7 || detail == 8) || subject == 2 && detail == 3 {
		return tempError{err}
	}
	switch {
	case strings.HasPrefix(cmd, "RCPT TO") && subject != 7:
		return err
	case (cmd == "DATA" || cmd == "end of DATA") && (subject == 1 || subject == 2):
		return err
	}
	return tempError{err}
}

// statusCode returns the subject and the detail of a reply's enhanced
// status code (RFC 3463, at the start of its text: 2 and 2 of "5.2.2
// Mailbox full"), or -1 and -1 when it has none.
func statusCode(reply *textproto.Error) (subject, detail int) {
	class, rest, ok := strings.Cut(reply.Msg, ".")
	if !ok || len(class) != 1 || class[0] != byte('0'+reply.Code/100) {
		return -1, -1
	}
	sub, det, ok := strings.Cut(rest, ".")
	if !ok || len(sub) < 1 || len(sub) > 3 || det == "" || det[0] < '0' || det[0] > '9' {
		return -1, -1
	}
	det = det[:len(det)-len(strings.TrimLeft(det, "0123456789"))]
	n, err1 := strconv.Atoi(sub)
	d, err2 := strconv.Atoi(det)
	if err1 != nil || err2 != nil {
		return -1, -1
	}
	return n, d
}

// drop closes the session without QUIT.
func (s *smtpSender) drop() {
	if s.smtp != nil {
		s.smtp.Close()
		s.smtp = nil
	}
}

func (s *smtpSender) Close() error {
	if s.smtp == nil {
		return nil
	}
	c := s.smtp
	s.smtp = nil
	if c.UpdateDeadline(s.cfg.Timeout) == nil {
		c.Quit()
	}
	return c.Close()
}

// outboxSender writes each message as an .eml file: the embedded default
// when no SMTP relay is configured, so a fresh install works end to end.
type outboxSender struct {
	dir string
	log *slog.Logger
	n   int
}

// NewOutboxSender returns a sender that writes into dir (created if needed).
func NewOutboxSender(dir string, log *slog.Logger) (Sender, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &outboxSender{dir: dir, log: log}, nil
}

func (o *outboxSender) Send(ctx context.Context, m *gomail.Msg) error {
	ids := m.GetGenHeader(gomail.HeaderMessageID)
	name := "message"
	if len(ids) > 0 {
		name = strings.NewReplacer("<", "", ">", "", "@", "_at_", "/", "_").Replace(ids[0])
	}
	path := filepath.Join(o.dir, name+".eml")
	tmp := path + ".part"
	if err := m.WriteToFile(tmp); err != nil {
		return fmt.Errorf("outbox: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if o.n == 0 {
		o.log.Info("no SMTP relay configured: digest messages are written to the outbox", "dir", o.dir)
	}
	o.n++
	return nil
}

func (o *outboxSender) Close() error { return nil }
