package feed

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/kdigest/kdigest/feed/article"
	"github.com/kdigest/kdigest/feed/theme"
)

// load reads the saved records and the story index. Rows parsed by another
// parser or taxonomy keep their saved entry until Rescan parses them again.
func (c *Corpus) load(ctx context.Context) error {
	recs, err := c.loadRecords(ctx)
	if err != nil {
		return err
	}
	c.recs = make(map[string]*record, len(recs))
	for _, r := range recs {
		c.recs[r.id] = r
	}
	if c.docs, err = countDocs(ctx, c.db); err != nil {
		return err
	}
	return c.loadStories(ctx)
}

// newEntry builds r's entry from its article and classification, without
// its story or body. Only the classification's verdict is kept (see
// Entry.Class).
func (c *Corpus) newEntry(r *record, a *article.Article, cl theme.Result) *Entry {
	cl.Scores, cl.Matches = nil, nil
	a.ID = r.id
	a.Body, a.Warnings = nil, nil // in the database, read when shown
	// A parse's fields are substrings of the file's whole decoded text:
	// copies let that text go (at 10,000 articles, about 45 MB kept).
	for _, f := range []*string{&a.Title, &a.Source, &a.Agency, &a.URL, &a.Dateline, &a.Summary, (*string)(&a.PublishedPrecision)} {
		*f = strings.Clone(*f)
	}
	e := &Entry{
		Article:   a,
		Class:     cl,
		File:      r.file,
		Hash:      r.hash,
		FirstSeen: r.firstSeen,
		Updated:   r.updated,
		Date:      a.Published,
		GUID:      c.tag.tag("article/" + pathEscape(r.id)),
		URL:       c.opts.BaseURL + "/articles/" + pathEscape(r.id),
	}
	if e.Date.IsZero() {
		e.Date = r.firstSeen
	}
	return e
}

// publish builds a new snapshot from the records and stores it.
func (c *Corpus) publish(ctx context.Context) error {
	s, bodies, err := c.build(ctx, c.recs, c.failed, nil)
	if err != nil {
		return err
	}
	c.bodies = bodies
	c.store(s)
	return nil
}

// store makes s the current snapshot and announces it.
func (c *Corpus) store(s *Snapshot) {
	prev := c.snap.Swap(s)
	if prev != nil && c.opts.OnChange != nil {
		c.opts.OnChange(s)
	}
}

// build builds the snapshot of recs and failed, without storing it, with
// the stories of the index. fresh holds the bodies of the articles the
// change parsed; it returns the bodies of the entries its feeds carry.
func (c *Corpus) build(ctx context.Context, recs map[string]*record, failed map[string]failure, fresh map[string]*parsed) (*Snapshot, map[string][]string, error) {
	prev := c.snap.Load()
	entries := make([]*Entry, 0, len(recs))
	for _, r := range recs {
		if r.removed || r.entry == nil {
			continue
		}
		e := *r.entry // a copy: older snapshots keep their own story ids
		e.Story, e.CopyOf = c.stories.Story(e.ID), c.stories.CopyOf(e.ID)
		if e.Story == "" {
			e.Story = e.ID
		}
		entries = append(entries, &e)
	}
	slices.SortFunc(entries, newestFirst)
	s := &Snapshot{
		Scanned:  c.now(),
		Entries:  entries,
		Failed:   make(map[string]string, len(failed)),
		Taxonomy: c.opts.Taxonomy,
		Title:    c.opts.Title,
		BaseURL:  c.opts.BaseURL,
		tag:      c.tag.tag,
		byID:     make(map[string]*Entry, len(entries)),
		stories:  map[string][]*Entry{},
		byTheme:  map[string][]*Entry{},
		body:     func(id string) ([]string, error) { return readBody(context.WithoutCancel(ctx), c.db, id) },
	}
	if prev != nil {
		s.Version = prev.Version + 1
	}
	for name, f := range failed {
		s.Failed[name] = f.reason
	}
	for _, e := range entries {
		s.byID[e.ID] = e
		if e.CopyOf == "" && (c.opts.IncludeIrrelevant || e.Class.Relevant) {
			s.visible = append(s.visible, e)
			s.stories[e.Story] = append(s.stories[e.Story], e)
			for _, t := range e.Class.Themes {
				s.byTheme[t] = append(s.byTheme[t], e)
			}
		}
	}
	for story, es := range s.stories {
		if len(es) < 2 {
			delete(s.stories, story) // a story of one: nothing related
		}
	}
	bodies, err := c.feedBodies(ctx, s, fresh)
	if err != nil {
		return nil, nil, err
	}
	docs, err := c.render(s, prev)
	if err != nil {
		return nil, nil, err
	}
	s.docs = docs
	for p := range docs {
		s.paths = append(s.paths, p)
	}
	slices.Sort(s.paths)
	return s, bodies, nil
}

// feedBodies gives the entries of s that a feed carries their body: from
// the change's parses, else from the last snapshot's feeds, else from the
// database. It returns those bodies, the ones memory keeps. The body goes
// on the entry's own copy of its article: the record's article is shared
// by every snapshot, and an entry that leaves the feeds must not keep it.
func (c *Corpus) feedBodies(ctx context.Context, s *Snapshot, fresh map[string]*parsed) (map[string][]string, error) {
	bodies := map[string][]string{}
	give := func(e *Entry) error {
		if e.Body != nil {
			return nil // given already, in another feed
		}
		var b []string
		if p := fresh[e.ID]; p != nil {
			b = p.body
		} else if old, ok := c.bodies[e.ID]; ok {
			b = old
		} else {
			var err error
			if b, err = readBody(ctx, c.db, e.ID); err != nil {
				return err
			}
		}
		bodies[e.ID] = b
		a := *e.Article
		a.Body = b
		e.Article = &a
		return nil
	}
	for _, e := range s.visible[:min(len(s.visible), c.opts.Size)] {
		if err := give(e); err != nil {
			return nil, err
		}
	}
	for _, t := range s.Taxonomy.Themes {
		es := s.ThemeEntries(t.ID)
		for _, e := range es[:min(len(es), c.opts.Size)] {
			if err := give(e); err != nil {
				return nil, err
			}
		}
	}
	return bodies, nil
}

// newestFirst orders entries by Date, newest first, then by id.
func newestFirst(a, b *Entry) int {
	if d := b.Date.Compare(a.Date); d != 0 {
		return d
	}
	return cmp.Compare(a.ID, b.ID)
}
