package feed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
)

// change is what one Rescan or Apply does to the corpus, gathered before
// anything is written so that a failed write leaves memory untouched.
type change struct {
	save    []*record          // records to write
	parsed  map[string]*parsed // what the parses of save add, by id
	visible bool               // whether entries differ, not just file times
	failed  map[string]failure // failures to record
	forgot  []string           // failures to clear
	tally
}

// tally counts the articles a change added, updated and removed.
type tally struct{ added, updated, removed int }

func (t *tally) add(o tally) {
	t.added += o.added
	t.updated += o.updated
	t.removed += o.removed
}

func (ch *change) remove(r *record) {
	gone := *r
	gone.removed = true
	ch.save = append(ch.save, &gone)
	ch.visible = true
	ch.removed++
}

// merge adds o's work to ch.
func (ch *change) merge(o *change) {
	ch.save = append(ch.save, o.save...)
	for id, p := range o.parsed {
		ch.parse(id, p)
	}
	ch.visible = ch.visible || o.visible
	for name, f := range o.failed {
		ch.fail(name, f)
	}
	ch.forgot = append(ch.forgot, o.forgot...)
	ch.tally.add(o.tally)
}

func (ch *change) parse(id string, p *parsed) {
	if ch.parsed == nil {
		ch.parsed = map[string]*parsed{}
	}
	ch.parsed[id] = p
}

func (ch *change) forget(name string) { ch.forgot = append(ch.forgot, name) }

func (ch *change) fail(name string, f failure) {
	if ch.failed == nil {
		ch.failed = map[string]failure{}
	}
	ch.failed[name] = f
}

// collect turns read outcomes into a change, logging each newly failed file.
func (c *Corpus) collect(outs []outcome) *change {
	ch := &change{}
	for _, o := range outs {
		if o.rec == nil && o.err == nil {
			continue // not read: the context ended first
		}
		if o.err != nil {
			f := failure{reason: o.err.Error(), hash: o.hash}
			if old, ok := c.failed[o.name]; !ok || old != f {
				c.opts.Log.Warn("seed file not usable", "file", o.name, "err", o.err)
				ch.fail(o.name, f)
			}
			continue
		}
		if _, bad := c.failed[o.name]; bad {
			ch.forget(o.name)
		}
		old := c.recs[o.id]
		ch.save = append(ch.save, o.rec)
		if o.parsed != nil {
			ch.parse(o.id, o.parsed)
		}
		switch {
		case old == nil:
			ch.added++
		case old.removed:
			ch.added++
		case old.hash != o.rec.hash || old.entry != o.rec.entry:
			ch.updated++
		default:
			continue // only the file's time changed
		}
		ch.visible = true
	}
	return ch
}

// olds returns the records that the records ch saves replace (nil for a
// new article).
func (c *Corpus) olds(ch *change) []*record {
	olds := make([]*record, len(ch.save))
	for i, r := range ch.save {
		olds[i] = c.recs[r.id]
	}
	return olds
}

// commit writes ch to the database in one transaction (the rows, the
// line statistics and the story index's changes) and then to memory,
// publishing a new snapshot when anything a reader can see changed and
// publish is true (else the next commit publishes it). A failed write
// leaves memory and the current snapshot as they were.
func (c *Corpus) commit(ctx context.Context, ch *change, publish bool) error {
	// The articles whose entries the snapshot makes anew; nil for all,
	// when the current snapshot is behind memory or the stories reload.
	var changed map[string]bool
	if !c.unpublished && !c.storiesStale {
		changed = map[string]bool{}
	}
	if c.storiesStale {
		if err := c.reloadStories(ctx); err != nil {
			return err
		}
		c.storiesStale = false
	}
	olds := c.olds(ch)
	delta, err := c.updateStories(ch.save, ch.parsed)
	var docs int
	gen := c.gen
	// A change that saves no row (failures only) writes nothing: another
	// process's corpus need not read the tables again for it.
	if err == nil && len(ch.save) > 0 {
		err = inTx(ctx, c.db, "save articles", func(tx *sql.Tx) error {
			// The first write takes SQLite's write lock: from here no other
			// process changes the tables until this one commits.
			g, err := bumpGeneration(ctx, tx)
			if err != nil {
				return err
			}
			if g != c.gen+1 {
				return fmt.Errorf("save articles: %w", errStale)
			}
			gen = g
			// The counts read the saved line keys the rows are about to replace.
			if docs, err = saveCounts(ctx, tx, olds, ch.save, ch.parsed); err != nil {
				return err
			}
			if err := saveRows(ctx, tx, ch.save, ch.parsed); err != nil {
				return err
			}
			return saveStories(ctx, tx, c.stories, delta)
		})
	}
	if err != nil {
		// The index holds the change the database refused: rebuild it
		// from what the database holds, now or before the next change.
		if lerr := c.reloadStories(context.WithoutCancel(ctx)); lerr != nil {
			c.storiesStale = true
		}
		return err
	}
	c.docs += docs
	c.gen = gen
	for _, r := range ch.save {
		c.recs[r.id] = r
	}
	for _, name := range ch.forgot {
		delete(c.failed, name)
	}
	maps.Copy(c.failed, ch.failed)
	// A change saved whose snapshot could not be built (see below) is
	// published by the next commit, whatever that one changes.
	visible := ch.visible || len(ch.forgot) > 0 || len(ch.failed) > 0 || c.unpublished
	if visible && !publish {
		c.unpublished = true
		c.held.add(ch.tally)
		return nil
	}
	if !visible {
		c.touch()
		if len(ch.save) > 0 {
			c.keepDocuments(ctx) // the rows moved the generation, not the feeds
		}
		return nil
	}
	if changed != nil {
		for _, r := range ch.save {
			changed[r.id] = true
		}
		for _, id := range delta.ids {
			changed[id] = true
		}
	}
	snap, err := c.build(ctx, ch.parsed, changed)
	if err != nil {
		// The rows are saved and memory follows them; only the snapshot
		// is behind.
		c.unpublished = true
		return err
	}
	if t := c.held; ch.visible || t != (tally{}) {
		t.add(ch.tally)
		c.opts.Log.Info("corpus changed", "added", t.added, "updated", t.updated,
			"removed", t.removed, "failed", len(c.failed))
	}
	c.store(ctx, snap)
	c.unpublished, c.held = false, tally{}
	return nil
}

// errStale reports a change that found the corpus's tables written by
// another process since this corpus read them: its memory is read again
// and the change made again (see retry).
var errStale = errors.New("the corpus was changed by another process")

// generationKey is the feed_settings row of the tables' generation.
const generationKey = "generation"

// bumpGeneration moves the corpus tables' generation on, in tx, and
// returns the new one. Every write of those tables does it first.
func bumpGeneration(ctx context.Context, tx *sql.Tx) (int64, error) {
	var g int64
	err := tx.QueryRowContext(ctx, `INSERT INTO feed_settings (key, value) VALUES (?, '1')
		ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
		RETURNING CAST(value AS INTEGER)`, generationKey).Scan(&g)
	if err != nil {
		return 0, fmt.Errorf("save articles: generation: %w", err)
	}
	return g, nil
}

// readGeneration returns the corpus tables' generation (0 before the first write).
func readGeneration(ctx context.Context, db *sql.DB) (int64, error) {
	var g int64
	err := db.QueryRowContext(ctx, `SELECT CAST(value AS INTEGER) FROM feed_settings WHERE key = ?`, generationKey).Scan(&g)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("load articles: generation: %w", err)
	}
	return g, nil
}

// retry runs a change, and when another process wrote the corpus's
// tables since this corpus read them, reads them again and runs the
// change once more: the records, line counts and stories it compares
// with are then the database's.
func (c *Corpus) retry(ctx context.Context, change func() error) error {
	err := change()
	if !errors.Is(err, errStale) {
		return err
	}
	c.opts.Log.Info("the corpus was changed by another process (kdigest digest or build beside serve): reading it again")
	if err := c.reload(ctx); err != nil {
		return err
	}
	return change()
}

// reload reads the saved records and stories again, as Open does, and
// publishes them.
func (c *Corpus) reload(ctx context.Context) error {
	if err := c.load(ctx); err != nil {
		return err
	}
	c.storiesStale = false
	if err := c.publish(ctx); err != nil {
		c.unpublished = true // the next commit builds from every record
		return err
	}
	c.unpublished, c.held = false, tally{}
	return nil
}

// Close waits for the change in progress, if any (every write is done
// when the change that made it returns), and releases the corpus's
// prepared statement. Callers stop using the corpus before they close the
// database.
func (c *Corpus) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.shingles.Close()
}

// touch publishes the current snapshot again with a new scan time.
func (c *Corpus) touch() {
	s := *c.snap.Load()
	s.Scanned = c.now()
	c.snap.Store(&s)
}
