package feed

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"

	"github.com/kdigest/kdigest/feed/theme"
)

// load reads the saved records and builds their entries in parallel,
// classifying those whose saved classification is of another taxonomy.
// Fingerprints are left in the database until a change needs them
// (loadPrints): a restart with an unchanged corpus reuses the saved stories.
func (c *Corpus) load(ctx context.Context) error {
	recs, err := loadRecords(ctx, c.db, c.codec, c.opts.Log)
	if err != nil {
		return err
	}
	if c.groups, err = loadGrouping(ctx, c.db); err != nil {
		return err
	}
	parallel(len(recs), func(i int) {
		if r := recs[i]; r.art != nil {
			r.entry = c.newEntry(r)
		}
	})
	c.recs = make(map[string]*record, len(recs))
	var reclassified []*record
	for _, r := range recs {
		c.recs[r.id] = r
		if r.classNew && r.art != nil {
			reclassified = append(reclassified, r)
		}
	}
	// Keep new classifications (an older table, another taxonomy) so the
	// next start reuses them.
	if err := saveClasses(ctx, c.db, reclassified); err != nil {
		return err
	}
	for _, r := range reclassified {
		r.classNew = false
	}
	return nil
}

// parallel calls f(0) ... f(n-1) on every CPU.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// newEntry builds r's entry, classified, without its story.
func (c *Corpus) newEntry(r *record) *Entry {
	// A classification made by the same taxonomy for the same parse is
	// reused: classifying every article at each start costs most of a
	// warm restart.
	if r.class == nil || r.class.Taxonomy != c.opts.Taxonomy.Hash() {
		r.class = c.verdict(c.opts.Taxonomy.Classify(r.art))
		r.classNew = true
	}
	e := &Entry{
		Article:   r.art,
		Class:     r.class.Result,
		File:      r.file,
		Hash:      r.hash,
		FirstSeen: r.firstSeen,
		Updated:   r.updated,
		Date:      r.art.Published,
		GUID:      fmt.Sprintf("tag:%s,%s:article/%s", c.host, tagDate, pathEscape(r.id)),
		URL:       c.opts.BaseURL + "/articles/" + pathEscape(r.id),
	}
	if e.Date.IsZero() {
		e.Date = r.firstSeen
	}
	return e
}

// verdict is the part of a classification the corpus keeps (see Entry.Class).
func (c *Corpus) verdict(res theme.Result) *cachedClass {
	res.Scores, res.Matches = nil, nil
	return &cachedClass{Taxonomy: c.opts.Taxonomy.Hash(), Result: res}
}

// tagDate is the date part of every tag: URI. It is fixed forever: changing
// it would change every entry id and make readers show every entry as new.
const tagDate = "2026"

// publish builds a new snapshot from the records and stores it.
func (c *Corpus) publish(ctx context.Context) error {
	s, err := c.build(ctx, c.recs, c.failed)
	if err != nil {
		return err
	}
	c.store(s)
	c.saveStories(ctx)
	return nil
}

// store makes s the current snapshot and announces it.
func (c *Corpus) store(s *Snapshot) {
	prev := c.snap.Swap(s)
	if prev != nil && c.opts.OnChange != nil {
		c.opts.OnChange(s)
	}
}

// build builds the snapshot of recs and failed, without storing it.
func (c *Corpus) build(ctx context.Context, recs map[string]*record, failed map[string]failure) (*Snapshot, error) {
	prev := c.snap.Load()
	entries := make([]*Entry, 0, len(recs))
	for _, r := range recs {
		if r.removed || r.entry == nil {
			continue
		}
		e := *r.entry // a copy: older snapshots keep their own story ids
		entries = append(entries, &e)
	}
	slices.SortFunc(entries, newestFirst)
	if err := c.assignStories(ctx, entries, recs); err != nil {
		return nil, err
	}
	s := &Snapshot{
		Scanned:  c.now(),
		Entries:  entries,
		Failed:   make(map[string]string, len(failed)),
		Taxonomy: c.opts.Taxonomy,
		Title:    c.opts.Title,
		BaseURL:  c.opts.BaseURL,
		byID:     make(map[string]*Entry, len(entries)),
		stories:  map[string][]*Entry{},
	}
	if prev != nil {
		s.Version = prev.Version + 1
	}
	for name, f := range failed {
		s.Failed[name] = f.reason
	}
	for _, e := range entries {
		s.byID[e.ID] = e
		if c.opts.IncludeIrrelevant || e.Class.Relevant {
			s.visible = append(s.visible, e)
			s.stories[e.Story] = append(s.stories[e.Story], e)
		}
	}
	docs, err := c.render(s, prev)
	if err != nil {
		return nil, err
	}
	s.docs = docs
	for p := range docs {
		s.paths = append(s.paths, p)
	}
	slices.Sort(s.paths)
	return s, nil
}

// newestFirst orders entries by Date, newest first, then by id.
func newestFirst(a, b *Entry) int {
	if d := b.Date.Compare(a.Date); d != 0 {
		return d
	}
	return cmp.Compare(a.ID, b.ID)
}

// buildVersion identifies this binary's parser: its VCS revision when built
// from a clean checkout, else the executable's size and modification time.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, dirty string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value
			}
		}
		if rev != "" && dirty != "true" {
			return "vcs:" + rev
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return "unknown"
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return "unknown"
	}
	return fmt.Sprintf("exe:%d:%d", fi.Size(), fi.ModTime().UnixNano())
}
