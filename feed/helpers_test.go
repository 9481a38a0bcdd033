package feed

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// testBase is the base URL of every test corpus.
const testBase = "https://kdigest.example.org"

// clock is the one fake: a settable time that workers may read concurrently.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// openDB opens (or reopens) the SQLite database at path as cmd does,
// creating it with cmd's 16 KiB pages.
func openDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	file := "file:" + (&url.URL{Path: path}).EscapedPath()
	if _, err := os.Stat(path); err != nil {
		db, err := sql.Open("sqlite", file)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("PRAGMA page_size = 16384; PRAGMA journal_mode = WAL"); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	db, err := sql.Open("sqlite", file+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// fixture is a seeds folder and a database in a temp dir.
type fixture struct {
	dir    string
	dbPath string
	clock  *clock
	last   *Corpus // the corpus open opened last
}

func newFixture(t testing.TB, seeds ...string) *fixture {
	t.Helper()
	tmp := t.TempDir()
	f := &fixture{dir: filepath.Join(tmp, "seeds"), dbPath: filepath.Join(tmp, "kdigest.db"), clock: newClock()}
	if err := os.Mkdir(f.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, s := range seeds {
		raw, err := os.ReadFile(filepath.Join("..", "seeds", s))
		if err != nil {
			t.Fatal(err)
		}
		f.write(t, s, string(raw))
	}
	return f
}

// seedFiles lists the project's seed files.
func seedFiles(t testing.TB) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join("..", "seeds", "*.txt"))
	if err != nil || len(m) == 0 {
		t.Fatalf("no seeds: %v", err)
	}
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

func (f *fixture) write(t testing.TB, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(f.dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) remove(t testing.TB, name string) {
	t.Helper()
	if err := os.Remove(filepath.Join(f.dir, name)); err != nil {
		t.Fatal(err)
	}
}

// open opens a corpus over the fixture (a fresh *sql.DB each time, as a
// restart would) and rescans it. The corpus it opened before is closed
// first, as a stopping service closes it.
func (f *fixture) open(t testing.TB, mod ...func(*Options)) *Corpus {
	t.Helper()
	if f.last != nil {
		f.last.Close()
	}
	opts := Options{Dir: f.dir, BaseURL: testBase, Now: f.clock.Now, ParserVersion: "test"}
	for _, m := range mod {
		m(&opts)
	}
	c, err := Open(context.Background(), openDB(t, f.dbPath), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := c.Rescan(context.Background()); err != nil {
		t.Fatalf("Rescan: %v", err)
	}
	f.last = c
	t.Cleanup(c.Close)
	return c
}

func mustApply(t testing.TB, c *Corpus, name string) {
	t.Helper()
	if err := c.Apply(context.Background(), name); err != nil {
		t.Fatalf("Apply(%s): %v", name, err)
	}
}

func doc(t testing.TB, s *Snapshot, path string) *Document {
	t.Helper()
	d, ok := s.Document(path)
	if !ok {
		t.Fatalf("no document %s", path)
	}
	return d
}

// openAnother opens a second corpus over the fixture, with its own
// database handle, and scans, as another process (kdigest digest or
// build beside serve) would.
func (f *fixture) openAnother(t testing.TB) *Corpus {
	t.Helper()
	c, err := Open(context.Background(), openDB(t, f.dbPath), Options{Dir: f.dir, BaseURL: testBase, Now: f.clock.Now, ParserVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if err := c.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c
}
