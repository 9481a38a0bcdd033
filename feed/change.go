package feed

import (
	"context"
	"maps"
)

// change is what one Rescan or Apply does to the corpus, gathered before
// anything is written so that a failed write leaves memory untouched.
type change struct {
	save                    []*record          // records to write
	visible                 bool               // whether entries differ, not just file times
	failed                  map[string]failure // failures to record
	forgot                  []string           // failures to clear
	added, updated, removed int
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
	ch.visible = ch.visible || o.visible
	for name, f := range o.failed {
		ch.fail(name, f)
	}
	ch.forgot = append(ch.forgot, o.forgot...)
	ch.added += o.added
	ch.updated += o.updated
	ch.removed += o.removed
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

// commit writes ch to the database and, once it is written, to memory,
// publishing a new snapshot when anything a reader can see changed. What
// must survive a restart (each article's id, hash and first-seen time) is
// written while the snapshot is built, and the snapshot is published only
// once it is saved; the caches that spare the next start some work (the
// parsed articles, fingerprints and stories) are written after that, in
// the background (see saveCaches). A failed write leaves memory and the
// current snapshot as they were.
func (c *Corpus) commit(ctx context.Context, ch *change) error {
	c.waitCaches()
	rows := newRows(ch.save)
	saved := make(chan error, 1)
	go func() { saved <- writeMeta(ctx, c.db, rows) }()

	recs, failed := c.recs, c.failed
	if len(ch.save) > 0 {
		recs = maps.Clone(c.recs)
		for _, r := range ch.save {
			recs[r.id] = r
		}
	}
	if len(ch.forgot) > 0 || len(ch.failed) > 0 {
		failed = maps.Clone(c.failed)
		for _, name := range ch.forgot {
			delete(failed, name)
		}
		maps.Copy(failed, ch.failed)
	}
	// A change saved whose snapshot could not be built (see below) is
	// published by the next commit, whatever that one changes.
	visible := ch.visible || len(ch.forgot) > 0 || len(ch.failed) > 0 || c.unpublished
	var snap *Snapshot
	var buildErr error
	if visible {
		snap, buildErr = c.build(ctx, recs, failed)
	}
	if err := <-saved; err != nil {
		return err
	}
	c.recs, c.failed = recs, failed
	defer c.saveCaches(ctx, rows)
	if buildErr != nil {
		// The rows are saved and memory follows them; only the snapshot
		// is behind.
		c.unpublished = true
		return buildErr
	}
	if !visible {
		c.touch()
		return nil
	}
	if ch.visible {
		c.opts.Log.Info("corpus changed", "added", ch.added, "updated", ch.updated,
			"removed", ch.removed, "failed", len(c.failed))
	}
	c.store(snap)
	c.unpublished = false
	return nil
}

// saveCaches writes, in the background, the parsed articles and
// fingerprints of rows, then a new grouping into stories. They are caches:
// on a cold start of 10,000 articles they are most of what is written,
// and the feed need not wait for them. Until they are written the rows
// say they have no parse, so a crash in between costs the next start a
// parse, never a stale article. The next commit, and Close, wait for
// them; a failure is logged.
func (c *Corpus) saveCaches(ctx context.Context, rows []row) {
	if len(rows) == 0 && (c.groups == nil || c.groups.saved) {
		return // a rescan that found nothing new
	}
	ctx = context.WithoutCancel(ctx)
	done := make(chan struct{})
	c.caching = done
	go func() {
		defer close(done)
		err := encodeRows(c.codec, rows)
		if err == nil {
			err = writeCaches(ctx, c.db, rows)
		}
		if err != nil {
			c.opts.Log.Warn("parse cache not saved; the next start parses these articles again", "err", err)
		}
		c.saveStories(ctx)
		if c.opts.OnSaved != nil {
			c.opts.OnSaved()
		}
	}()
}

// waitCaches waits for the caches of the last commit to be written. The
// caller holds c.mu.
func (c *Corpus) waitCaches() {
	if c.caching != nil {
		<-c.caching
		c.caching = nil
	}
}

// Close waits until everything published is saved, caches included. It
// does not close the database, which belongs to the caller; call it
// before closing the database.
func (c *Corpus) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waitCaches()
	c.takePreloaded()
}

// touch publishes the current snapshot again with a new scan time.
func (c *Corpus) touch() {
	s := *c.snap.Load()
	s.Scanned = c.now()
	c.snap.Store(&s)
}
