package main

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// slowSMTP is an SMTP server on loopback that takes a while to accept each
// message and records who got one.
type slowSMTP struct {
	delay time.Duration
	mu    sync.Mutex
	got   map[string]int
	first chan struct{}
	once  sync.Once
}

func (b *slowSMTP) NewSession(*smtp.Conn) (smtp.Session, error) { return &slowSession{b: b}, nil }

type slowSession struct {
	b  *slowSMTP
	to []string
}

func (s *slowSession) AuthPlain(string, string) error            { return nil }
func (s *slowSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *slowSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *slowSession) Reset()                                    { s.to = nil }
func (s *slowSession) Logout() error                             { return nil }
func (s *slowSession) Data(r io.Reader) error {
	io.Copy(io.Discard, r)
	time.Sleep(s.b.delay)
	s.b.mu.Lock()
	for _, t := range s.to {
		s.b.got[t]++
	}
	s.b.mu.Unlock()
	s.b.once.Do(func() { close(s.b.first) })
	return nil
}

func startSMTP(t *testing.T, delay time.Duration) (*slowSMTP, string) {
	t.Helper()
	b := &slowSMTP{delay: delay, got: map[string]int{}, first: make(chan struct{})}
	srv := smtp.NewServer(b)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return b, ln.Addr().String()
}

// TestShutdownDuringDigest stops the service (as SIGTERM does) while the
// digest is going out through a slow mail server: the ledger stays
// consistent, and the next start finishes the digest with no duplicate.
func TestShutdownDuringDigest(t *testing.T) {
	mail, addr := startSMTP(t, 150*time.Millisecond)
	seeds, data := seedsDir(t), t.TempDir()
	recipients := []string{"a@example.org", "b@example.org", "c@example.org", "d@example.org", "e@example.org", "f@example.org"}
	env := map[string]string{"KDIGEST_DATA": data}
	if code, _, stderr := runKdigest(t, env, append([]string{"subscribers", "add"}, recipients...)...); code != exitOK {
		t.Fatal(stderr)
	}
	args := []string{"--addr", "127.0.0.1:0", "--seeds", seeds, "--data", data, "--smtp", "smtp://" + addr + "?tls=none",
		"--from", "digest@example.org", "--window", "87600h", "--log-level", "error"}

	// First run: every second is a slot; stop right after the first message.
	c := testConfig(t, append(args, "--digest-schedule", "* * * * * *")...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, env2(), c, nil) }()
	select {
	case <-mail.first:
	case <-time.After(10 * time.Second):
		t.Fatal("the digest never started sending")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	sentFirst := deliveries(t, data)
	mail.mu.Lock()
	gotFirst := len(mail.got)
	mail.mu.Unlock()
	if sentFirst["sent"] != gotFirst {
		t.Errorf("ledger says %d sent, the server got %d", sentFirst["sent"], gotFirst)
	}
	if sentFirst["sent"] == 0 || sentFirst["sent"] == len(recipients) {
		t.Fatalf("deliveries after the stop = %v; want some sent and some pending", sentFirst)
	}

	// Second start (schedule far away): the interrupted digest is resumed.
	c = testConfig(t, append(args, "--digest-schedule", "0 8 1 1 *")...)
	ctx, cancel = context.WithCancel(context.Background())
	go func() { done <- serve(ctx, env2(), c, nil) }()
	deadline := time.Now().Add(15 * time.Second)
	for deliveries(t, data)["sent"] < len(recipients) {
		if time.Now().After(deadline) {
			t.Fatalf("digest not finished after restart: %v", deliveries(t, data))
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	mail.mu.Lock()
	defer mail.mu.Unlock()
	for _, r := range recipients {
		if n := mail.got[r]; n != 1 {
			t.Errorf("%s got the digest %d times, want once", r, n)
		}
	}
}

func env2() env { return env{getenv: os.Getenv, stdout: io.Discard, stderr: io.Discard} }

// deliveries counts the ledger's deliveries by status.
func deliveries(t *testing.T, data string) map[string]int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, dbFile)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT status, COUNT(*) FROM deliveries GROUP BY status`)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return map[string]int{}
		}
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		out[s] = n
	}
	if err := rows.Err(); err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	return out
}
