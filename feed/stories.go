package feed

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/kdigest/kdigest/feed/theme"
)

// Grouping every article into stories compares fingerprints across the
// whole corpus: half a second for 10,000 articles, and most of a restart
// when nothing changed. The last grouping is therefore kept in the
// database with a key of its input, and reused while the key matches.

// storiesSchema holds the one saved grouping.
const storiesSchema = `
CREATE TABLE IF NOT EXISTS stories (
	slot   INTEGER PRIMARY KEY CHECK (slot = 1),
	key    TEXT NOT NULL,
	groups BLOB NOT NULL
)`

// grouping is a grouping of articles into stories and the key of what it
// was computed from.
type grouping struct {
	key string
	// stories maps an article id to its story id, for articles that share
	// their story; an article missing here is a story of its own.
	stories map[string]string
	saved   bool // whether it is the grouping in the database
}

// story returns the story of the article id.
func (g *grouping) story(id string) string {
	if s, ok := g.stories[id]; ok {
		return s
	}
	return id
}

// groupingKey identifies the input of a grouping: each grouped article's
// id, content hash and parser version, which together decide its
// fingerprint. The parser version names the binary, so a binary with
// another grouping algorithm never reuses a saved grouping.
func groupingKey(entries []*Entry, recs map[string]*record) string {
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	slices.Sort(ids)
	h := sha256.New()
	for _, id := range ids {
		r := recs[id]
		for _, part := range [...]string{id, "\x00", r.hash, "\x00", r.parser, "\n"} {
			io.WriteString(h, part)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// group computes the grouping of the records of entries, whose
// fingerprints are loaded.
func group(key string, entries []*Entry, recs map[string]*record) *grouping {
	prints := make(map[string]*theme.Print, len(entries))
	for _, e := range entries {
		prints[e.ID] = recs[e.ID].print
	}
	g := &grouping{key: key, stories: map[string]string{}}
	for id, story := range theme.Group(prints) {
		if story != id {
			g.stories[id] = story
		}
	}
	return g
}

// loadGrouping reads the saved grouping; none saved (or one that cannot be
// read, which is only a cache) gives nil.
func loadGrouping(ctx context.Context, db *sql.DB) (*grouping, error) {
	var key string
	var blob []byte
	err := db.QueryRowContext(ctx, `SELECT key, groups FROM stories WHERE slot = 1`).Scan(&key, &blob)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load stories: %w", err)
	}
	g := &grouping{key: key, saved: true}
	if json.Unmarshal(blob, &g.stories) != nil {
		return nil, nil
	}
	return g, nil
}

// saveGrouping replaces the saved grouping with g.
func saveGrouping(ctx context.Context, db *sql.DB, g *grouping) error {
	blob, err := json.Marshal(g.stories)
	if err != nil {
		return fmt.Errorf("save stories: %w", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO stories (slot, key, groups) VALUES (1, ?, ?)
		ON CONFLICT (slot) DO UPDATE SET key = excluded.key, groups = excluded.groups`, g.key, blob); err != nil {
		return fmt.Errorf("save stories: %w", err)
	}
	return nil
}

// assignStories sets each entry's story: from the last grouping when the
// corpus's fingerprints are the same, else from a new grouping, which
// saveStories saves once the snapshot is stored.
func (c *Corpus) assignStories(ctx context.Context, entries []*Entry, recs map[string]*record) error {
	key := groupingKey(entries, recs)
	if c.groups == nil || c.groups.key != key {
		if err := c.loadPrints(ctx, entries, recs); err != nil {
			return err
		}
		c.groups = group(key, entries, recs)
	}
	for _, e := range entries {
		e.Story = c.groups.story(e.ID)
	}
	return nil
}

// saveStories saves a grouping that is not saved yet. It is called after
// the records are written, not while a snapshot is built, so that building
// never waits for the database. A failure is logged: the grouping is only
// a cache.
func (c *Corpus) saveStories(ctx context.Context) {
	if c.groups == nil || c.groups.saved {
		return
	}
	if err := saveGrouping(ctx, c.db, c.groups); err != nil {
		c.opts.Log.Warn("stories not saved; the next start groups them again", "err", err)
		return
	}
	c.groups.saved = true
}

// loadPrints gives the records of entries that have no fingerprint in
// memory their saved one, from ReadAhead when it ran, else from the
// database. A missing or unreadable one is computed again.
func (c *Corpus) loadPrints(ctx context.Context, entries []*Entry, recs map[string]*record) error {
	saved := c.takePreloaded()
	var missing []*record
	for _, e := range entries {
		if r := recs[e.ID]; r.print == nil {
			if p := saved[e.ID]; p != nil {
				r.print = p
				continue
			}
			missing = append(missing, r)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	want := make(map[string]bool, len(missing))
	for _, r := range missing {
		want[r.id] = true
	}
	saved, err := readPrints(ctx, c.db, want)
	if err != nil {
		return err
	}
	parallel(len(missing), func(i int) {
		r := missing[i]
		p := saved[r.id]
		if p == nil {
			p = theme.Fingerprint(r.art)
		}
		r.print = p
	})
	return nil
}

// ReadAhead reads, in the background, the saved fingerprints that a start
// whose saved stories spared it grouping left in the database, so that
// the first change finds them in memory: reading 10,000 of them takes
// 0.4 s, which an added file would otherwise wait for. Call it once the
// first scan is done and the feeds are served: it holds the database's
// one connection while it reads. The reader touches no record; the next
// change takes what it read, and Close waits for it. A corpus with every
// fingerprint in memory reads nothing.
func (c *Corpus) ReadAhead(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.preloaded != nil {
		return
	}
	want := map[string]bool{}
	for _, e := range c.snap.Load().Entries {
		if c.recs[e.ID].print == nil {
			want[e.ID] = true
		}
	}
	if len(want) == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	ch := make(chan map[string]*theme.Print, 1)
	c.preloaded = ch
	go func() {
		prints, err := readPrints(ctx, c.db, want)
		if err != nil {
			c.opts.Log.Warn("fingerprints not read ahead; the next change reads them", "err", err)
		}
		ch <- prints
	}()
}

// takePreloaded waits for ReadAhead's reader, if one ran, and returns what it
// read (nil when it did not run or failed). The caller holds c.mu.
func (c *Corpus) takePreloaded() map[string]*theme.Print {
	if c.preloaded == nil {
		return nil
	}
	prints := <-c.preloaded
	c.preloaded = nil
	return prints
}

// readPrints reads the saved fingerprints of the wanted ids; one missing
// or unreadable is left out.
func readPrints(ctx context.Context, db *sql.DB, want map[string]bool) (map[string]*theme.Print, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, print FROM prints`)
	if err != nil {
		return nil, fmt.Errorf("load fingerprints: %w", err)
	}
	defer rows.Close()
	out := make(map[string]*theme.Print, len(want))
	for rows.Next() {
		var id string
		var blob sql.RawBytes // decoded (copied) before the next row
		if err := rows.Scan(&id, &blob); err != nil {
			return nil, fmt.Errorf("load fingerprints: %w", err)
		}
		if !want[id] {
			continue
		}
		if p, ok := decodePrint(blob); ok {
			out[id] = p
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load fingerprints: %w", err)
	}
	return out, nil
}
