package digest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
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
// or a network error (which go-mail does not mark temporary).
func IsTemporary(err error) bool {
	var t tempError
	return errors.As(err, &t)
}

// SMTPConfig is the parsed --smtp URL.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	// TLS is "starttls" (mandatory), "implicit" (smtps) or "none".
	TLS string
	// Timeout bounds each message; default 30 s.
	Timeout time.Duration
	// RootCAs, if set, replaces the system roots (tests with a private CA).
	TLSConfig *tls.Config
}

// ParseSMTPURL reads smtp://user:pass@host:587 (STARTTLS required),
// smtps://user:pass@host:465 (implicit TLS) and ?tls=none, which is allowed
// only for a loopback relay.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return SMTPConfig{}, fmt.Errorf("smtp url: %w", err)
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

// smtpSender keeps one go-mail client per run and redials when the link
// drops, which go-mail does not do by itself.
type smtpSender struct {
	cfg    SMTPConfig
	client *gomail.Client
	dialed bool
}

// NewSMTPSender returns a sender for the configured relay. It dials lazily.
func NewSMTPSender(cfg SMTPConfig) (Sender, error) {
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(cfg.Timeout)}
	switch cfg.TLS {
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "implicit":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	tc := cfg.TLSConfig
	if tc == nil {
		tc = &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	}
	opts = append(opts, gomail.WithTLSConfig(tc))
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
		if cfg.TLS == "none" {
			// PLAIN over a plain link is refused except to loopback; the
			// URL check already limited tls=none to loopback.
			opts[len(opts)-3] = gomail.WithSMTPAuth(gomail.SMTPAuthPlainNoEnc)
		}
	}
	client, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp client: %w", err)
	}
	return &smtpSender{cfg: cfg, client: client}, nil
}

func (s *smtpSender) Send(ctx context.Context, m *gomail.Msg) error {
	if !s.dialed {
		if err := s.client.DialWithContext(ctx); err != nil {
			return classify(fmt.Errorf("connect to %s:%d: %w", s.cfg.Host, s.cfg.Port, err))
		}
		s.dialed = true
	}
	err := classify(s.client.Send(m))
	if IsTemporary(err) {
		// The link may be gone (go-mail does not reconnect): redial on the
		// next try.
		s.client.Close()
		s.dialed = false
	}
	return err
}

// classify marks 4xx replies and network errors temporary.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		if se.IsTemp() || se.ErrorCode()/100 == 4 {
			return tempError{err}
		}
		if se.ErrorCode() == 0 {
			return tempError{err}
		}
		return err
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, net.ErrClosed) || errors.Is(err, os.ErrDeadlineExceeded) || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "connection refused") {
		return tempError{err}
	}
	return err
}

func (s *smtpSender) Close() error {
	if !s.dialed {
		return nil
	}
	s.dialed = false
	return s.client.Close()
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
