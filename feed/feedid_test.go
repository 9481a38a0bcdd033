package feed

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseFeedID(t *testing.T) {
	tests := []struct {
		in   string
		want FeedID
		err  bool
	}{
		{in: "example.org,2026", want: FeedID{"example.org", "2026"}},
		{in: "tag:Example.ORG,2026-03", want: FeedID{"example.org", "2026-03"}},
		{in: "news@example.org,2026-03-01", want: FeedID{"news@example.org", "2026-03-01"}},
		{in: "127.0.0.1,2026", want: FeedID{"127.0.0.1", "2026"}},
		{in: "example.org", err: true},
		{in: "example.org,", err: true},
		{in: ",2026", err: true},
		{in: "example.org,26", err: true},
		{in: "example.org,2026-13", err: true},
		{in: "example.org,2026-02-30", err: true},
		{in: "exa mple.org,2026", err: true},
		{in: "example.org:8080,2026", err: true},
		{in: "-example.org,2026", err: true},
		{in: "a b@example.org,2026", err: true},
	}
	for _, tt := range tests {
		got, err := ParseFeedID(tt.in)
		if tt.err {
			if !errors.Is(err, ErrFeedID) {
				t.Errorf("ParseFeedID(%q) = %v, %v; want ErrFeedID", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseFeedID(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// TestFeedIDFixedAtFirstRun keeps every id when the base URL changes: the
// authority and date are those of the first run, stored in the database;
// --feed-id replaces them (and is stored).
func TestFeedIDFixedAtFirstRun(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	f.clock.Advance(400 * 24 * time.Hour) // 2027
	base := func(u string) func(*Options) { return func(o *Options) { o.BaseURL = u } }
	ids := func(c *Corpus) (string, string) {
		s := c.Snapshot()
		e := s.Entries[0]
		return e.GUID(), string(doc(t, s, "feed.atom").Body)
	}
	c := f.open(t, base("http://127.0.0.1:8080"))
	first, _ := ids(c)
	if want := "tag:127.0.0.1,2027:article/"; !strings.HasPrefix(first, want) {
		t.Fatalf("first run GUID = %q, want prefix %q", first, want)
	}
	c = f.open(t, base("https://news.example.org"))
	guid, atom := ids(c)
	if guid != first || !strings.Contains(atom, "<id>tag:127.0.0.1,2027:feed</id>") {
		t.Errorf("after a new base URL: GUID %q, want %q; feed id kept: %v", guid, first, strings.Contains(atom, "tag:127.0.0.1,2027:feed"))
	}
	if !strings.Contains(atom, "https://news.example.org/articles/") {
		t.Error("links do not follow the new base URL")
	}

	c = f.open(t, func(o *Options) { o.FeedID = "news.example.org,2026-12" })
	if guid, _ := ids(c); !strings.HasPrefix(guid, "tag:news.example.org,2026-12:article/") {
		t.Errorf("with FeedID: GUID %q", guid)
	}
	c = f.open(t, base("https://elsewhere.example.net"))
	if guid, _ := ids(c); !strings.HasPrefix(guid, "tag:news.example.org,2026-12:article/") {
		t.Errorf("the FeedID is not kept: GUID %q", guid)
	}
	if got := c.FeedID().String(); got != "news.example.org,2026-12" {
		t.Errorf("FeedID() = %q", got)
	}

	// A database of a release that stored no id keeps its entries' ids:
	// the base URL's host and 2026.
	if _, err := c.db.Exec(`DELETE FROM feed_settings`); err != nil {
		t.Fatal(err)
	}
	c = f.open(t, base("https://old.example.org"))
	if guid, _ := ids(c); !strings.HasPrefix(guid, "tag:old.example.org,2026:article/") {
		t.Errorf("a release's database: GUID %q, want the ids its entries had", guid)
	}
}

func TestFeedIDRejected(t *testing.T) {
	f := newFixture(t)
	_, err := Open(context.Background(), openDB(t, f.dbPath), Options{Dir: f.dir, FeedID: "example.org"})
	if !errors.Is(err, ErrFeedID) {
		t.Errorf("Open with a bad FeedID = %v, want ErrFeedID", err)
	}
	db := openDB(t, f.dbPath)
	c := f.open(t)
	c.Close()
	if _, err := db.Exec(`UPDATE feed_settings SET value = 'garbage' WHERE key = 'feed_id'`); err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), db, Options{Dir: f.dir})
	if !errors.Is(err, ErrFeedID) || !strings.Contains(err.Error(), "stored feed id") {
		t.Errorf("Open with a bad stored id = %v, want ErrFeedID naming the stored id", err)
	}
}

// TestFeedIDFromOddHost checks that a first start whose base URL's host
// cannot name tag: URIs (an IPv6 literal, a name with "_") stops with an
// error asking for --feed-id, instead of storing an id the next start
// cannot read back; with a feed id given, both starts open.
func TestFeedIDFromOddHost(t *testing.T) {
	for _, base := range []string{"http://[::1]:8080", "http://my_host.lan:8080"} {
		f := newFixture(t)
		_, err := Open(context.Background(), openDB(t, f.dbPath), Options{Dir: f.dir, BaseURL: base, Now: f.clock.Now, ParserVersion: "test"})
		if !errors.Is(err, ErrFeedID) || !strings.Contains(err.Error(), "--feed-id") {
			t.Errorf("%s: first start error = %v, want one naming --feed-id", base, err)
		}
		for i := range 2 {
			c, err := Open(context.Background(), openDB(t, f.dbPath), Options{Dir: f.dir, BaseURL: base, FeedID: "example.org,2026", Now: f.clock.Now, ParserVersion: "test"})
			if err != nil {
				t.Fatalf("%s: start %d with a feed id: %v", base, i+1, err)
			}
			c.Close()
		}
	}
}
