package digest_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kdigest/kdigest/digest"
	"github.com/kdigest/kdigest/feed"

	_ "modernc.org/sqlite"
)

// baseURL is the public base of every test digest.
const baseURL = "https://kdigest.example.org"

// fromAddr is the sender of every test digest.
var fromAddr = &mail.Address{Name: "Karabakh digest", Address: "digest@kdigest.example.org"}

// t0 is the fixed instant of the tests: the corpus first sees the seeds
// then, and the first digest is made then.
var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// clock is the one fake: a settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openDB opens the SQLite database at path as cmd does.
func openDB(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	db, err := openSQLite(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func openSQLite(path string) (*sql.DB, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// freshDates moves the two dated seeds' publication into the week before
// t0, so that all five are new in the first digest; copyOldSeeds keeps
// them as published (2021 and 2022).
var freshDates = strings.NewReplacer(
	"Published Date: 10:31 | 31 October 2022", "Published Date: 06:31 | 23 November 2026",
	"Published: 0314 GMT November 27, 2021", "Published: 0314 GMT November 23, 2026")

// copySeeds copies the project's five seed files into dir, all of them
// published (or first seen) in the week before t0.
func copySeeds(dir string) error { return copySeedFiles(dir, true) }

// copyOldSeeds copies the project's five seed files as they are: two
// published years ago, three undated.
func copyOldSeeds(dir string) error { return copySeedFiles(dir, false) }

func copySeedFiles(dir string, fresh bool) error {
	names, err := filepath.Glob(filepath.Join("..", "seeds", "*.txt"))
	if err != nil || len(names) == 0 {
		return fmt.Errorf("no seeds found (%v)", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, n := range names {
		raw, err := os.ReadFile(n)
		if err != nil {
			return err
		}
		if fresh {
			raw = []byte(freshDates.Replace(string(raw)))
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(n)), raw, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// openCorpus opens the corpus on db and scans the seeds folder.
func openCorpus(ctx context.Context, db *sql.DB, seeds string, now func() time.Time) (*feed.Corpus, error) {
	c, err := feed.Open(ctx, db, feed.Options{Dir: seeds, BaseURL: baseURL, Now: now})
	if err != nil {
		return nil, err
	}
	return c, c.Rescan(ctx)
}

// env is one test's world: a database, a corpus of the five seeds, an SMTP
// server and a clock.
type env struct {
	dir    string
	dbPath string
	seeds  string
	db     *sql.DB
	clock  *clock
	corpus *feed.Corpus
	smtp   *mailServer
	sleeps *sleepLog
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	dir := tb.TempDir()
	e := &env{dir: dir, dbPath: filepath.Join(dir, "kdigest.db"), seeds: filepath.Join(dir, "seeds"),
		clock: &clock{t: t0}, sleeps: &sleepLog{}}
	if err := copySeeds(e.seeds); err != nil {
		tb.Fatal(err)
	}
	e.db = openDB(tb, e.dbPath)
	c, err := openCorpus(context.Background(), e.db, e.seeds, e.clock.Now)
	if err != nil {
		tb.Fatal(err)
	}
	e.corpus = c
	tb.Cleanup(c.Close) // before the database closes
	e.smtp = startMailServer(tb, "127.0.0.1:0")
	return e
}

// secret is the fixed token secret of the tests.
var secret = []byte("0123456789abcdef0123456789abcdef")

// options are the digest options of a test env; mods adjust them.
func (e *env) options(mods ...func(*digest.Options)) digest.Options {
	o := digest.Options{BaseURL: baseURL, From: fromAddr, Secret: secret, Sleep: e.sleeps.sleep, Now: e.clock.Now,
		LockFile: filepath.Join(e.dir, "digest.lock")}
	for _, m := range mods {
		m(&o)
	}
	return o
}

// digest makes a Digest on the env's database sending to the env's server.
func (e *env) digest(tb testing.TB, mods ...func(*digest.Options)) *digest.Digest {
	tb.Helper()
	return e.digestAt(tb, e.smtp.Addr, mods...)
}

// digestAt makes a Digest sending to the SMTP server at addr.
func (e *env) digestAt(tb testing.TB, addr string, mods ...func(*digest.Options)) *digest.Digest {
	tb.Helper()
	d, err := digest.New(context.Background(), e.db, e.corpus.Snapshot, e.dialer(tb, addr), e.options(mods...))
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// dialer returns the dial function for an SMTP server at addr.
func (e *env) dialer(tb testing.TB, addr string) func() (digest.Sender, error) {
	tb.Helper()
	cfg, err := digest.ParseSMTPURL("smtp://" + addr + "?tls=none&timeout=5s")
	if err != nil {
		tb.Fatal(err)
	}
	return func() (digest.Sender, error) { return digest.NewSMTPSender(cfg) }
}

// subscribe adds addresses and fails the test on error.
func subscribe(tb testing.TB, d *digest.Digest, addrs ...string) {
	tb.Helper()
	for _, a := range addrs {
		if _, err := d.Subscribe(context.Background(), a); err != nil {
			tb.Fatal(err)
		}
	}
}

// addresses returns n subscriber addresses in alphabetical order.
func addresses(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("r%02d@example.org", i)
	}
	return out
}

// sleepLog records the backoff waits instead of waiting.
type sleepLog struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleepLog) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepLog) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// delivery is one row of the deliveries table.
type deliveryRow struct {
	Recipient, Status, LastError, MessageID string
	Attempts                                int
}

// deliveries reads a digest's deliveries by recipient.
func deliveries(tb testing.TB, db *sql.DB, id string) map[string]deliveryRow {
	tb.Helper()
	rows, err := db.Query(`SELECT recipient, status, attempts, last_error, message_id FROM deliveries WHERE digest_id = ?`, id)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	out := map[string]deliveryRow{}
	for rows.Next() {
		var r deliveryRow
		if err := rows.Scan(&r.Recipient, &r.Status, &r.Attempts, &r.LastError, &r.MessageID); err != nil {
			tb.Fatal(err)
		}
		out[r.Recipient] = r
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// dumpLedger returns every row of the digest's tables as text, to show
// that an operation changed nothing.
func dumpLedger(tb testing.TB, db *sql.DB) string {
	tb.Helper()
	var b strings.Builder
	for _, table := range []string{"digests", "deliveries", "subscribers"} {
		rows, err := db.Query(`SELECT * FROM ` + table + ` ORDER BY 1, 2`)
		if err != nil {
			tb.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %v\n", table, vals)
		}
		rows.Close()
	}
	return b.String()
}

// parsedMessage is a received email taken apart.
type parsedMessage struct {
	Header  mail.Header
	Subject string
	Parts   []string // content types of the alternative parts, in order
	Text    string
	HTML    string
}

// parseMessage reads a multipart/alternative message with net/mail and
// mime/multipart, decoding each part.
func parseMessage(tb testing.TB, raw []byte) parsedMessage {
	tb.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		tb.Fatalf("read message: %v\n%s", err, raw)
	}
	p := parsedMessage{Header: m.Header}
	p.Subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		tb.Fatalf("subject: %v", err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		tb.Fatalf("content type: %v", err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		var r io.Reader = m.Body
		if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			r = quotedprintable.NewReader(r)
		}
		body, err := io.ReadAll(r)
		if err != nil {
			tb.Fatalf("body: %v", err)
		}
		p.Parts = []string{mt}
		p.Text = strings.ReplaceAll(string(body), "\r\n", "\n")
		return p
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("part: %v", err)
		}
		var r io.Reader = part // quoted-printable is decoded by NextPart
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			r = base64.NewDecoder(base64.StdEncoding, part)
		}
		body, err := io.ReadAll(r)
		if err != nil {
			tb.Fatalf("part body: %v", err)
		}
		ct := part.Header.Get("Content-Type")
		p.Parts = append(p.Parts, ct)
		pt, _, _ := mime.ParseMediaType(ct)
		switch pt {
		case "text/plain":
			p.Text = strings.ReplaceAll(string(body), "\r\n", "\n")
		case "text/html":
			p.HTML = strings.ReplaceAll(string(body), "\r\n", "\n")
		}
	}
	return p
}
