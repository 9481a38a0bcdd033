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
	s, bodies, err := c.build(ctx, nil, nil)
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

// build builds the snapshot of the records and failures, without storing
// it, with the stories of the index. fresh holds the bodies of the
// articles the change parsed; changed, when not nil, names every article
// whose record or story changed since the current snapshot, whose other
// entries are then kept as they are (see entries). It returns the bodies
// of the entries its feeds carry.
func (c *Corpus) build(ctx context.Context, fresh map[string]*parsed, changed map[string]bool) (*Snapshot, map[string][]string, error) {
	prev := c.snap.Load()
	entries := c.entries(prev, changed)
	bodies, err := c.feedBodies(ctx, entries, fresh)
	if err != nil {
		return nil, nil, err
	}
	s := &Snapshot{
		Scanned:  c.now(),
		Entries:  entries,
		Failed:   make(map[string]string, len(c.failed)),
		Taxonomy: c.opts.Taxonomy,
		Title:    c.opts.Title,
		BaseURL:  c.opts.BaseURL,
		tag:      c.tag.tag,
		byID:     make(map[string]*Entry, len(entries)),
		stories:  make(map[string][]*Entry, len(entries)),
		byTheme:  map[string][]*Entry{},
		body:     func(id string) ([]string, error) { return readBody(context.WithoutCancel(ctx), c.db, id) },
	}
	if prev != nil {
		s.Version = prev.Version + 1
	}
	for name, f := range c.failed {
		s.Failed[name] = f.reason
	}
	for _, e := range entries {
		s.byID[e.ID] = e
		if c.visible(e) {
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

// visible reports whether feeds, pages and digests show e: no copy, and
// relevant unless the corpus includes every article.
func (c *Corpus) visible(e *Entry) bool {
	return e.CopyOf == "" && (c.opts.IncludeIrrelevant || e.Class.Relevant)
}

// entries returns the entries of a new snapshot, newest first: a copy of
// each present, parsed record's entry with its story (older snapshots keep
// their own). With changed (see build), the previous snapshot's entries
// of the other articles are kept, and only the changed ones are made and
// merged in: a change costs a pass over the entries, not a sort of them
// and a copy of each.
func (c *Corpus) entries(prev *Snapshot, changed map[string]bool) []*Entry {
	var made []*Entry
	add := func(r *record) {
		if r == nil || r.removed || r.entry == nil {
			return
		}
		e := *r.entry
		e.Story, e.CopyOf = c.stories.Story(e.ID), c.stories.CopyOf(e.ID)
		if e.Story == "" {
			e.Story = e.ID
		}
		made = append(made, &e)
	}
	if prev == nil || changed == nil {
		for _, r := range c.recs {
			add(r)
		}
		slices.SortFunc(made, newestFirst)
		return made
	}
	for id := range changed {
		add(c.recs[id])
	}
	slices.SortFunc(made, newestFirst)
	out := make([]*Entry, 0, len(prev.Entries)+len(made))
	i := 0
	for _, e := range prev.Entries {
		if changed[e.ID] {
			continue
		}
		for i < len(made) && newestFirst(made[i], e) < 0 {
			out = append(out, made[i])
			i++
		}
		if e.Body != nil {
			// A feed's entry: its body goes with the feeds (feedBodies).
			bare := *e
			bare.Article = c.recs[e.ID].entry.Article
			e = &bare
		}
		out = append(out, e)
	}
	return append(out, made[i:]...)
}

// feedBodies gives the entries that a feed carries (the newest Size
// visible ones, and the newest Size of each theme) their body: from the
// change's parses, else from the last snapshot's feeds, else from the
// database. The body goes on a copy of the entry and of its article, put
// in entries in its place: the record's article is shared by every
// snapshot, and an entry that leaves the feeds must not keep it. It
// returns those bodies, the ones memory keeps.
func (c *Corpus) feedBodies(ctx context.Context, entries []*Entry, fresh map[string]*parsed) (map[string][]string, error) {
	bodies := map[string][]string{}
	shown, size := 0, c.opts.Size
	perTheme := map[string]int{} // the entries each theme's feeds carry so far
	for _, t := range c.opts.Taxonomy.Themes {
		perTheme[t.ID] = 0
	}
	full := 0 // the themes whose feeds are full
	for i, e := range entries {
		if shown >= size && full == len(perTheme) {
			break
		}
		if !c.visible(e) {
			continue
		}
		carried := shown < size
		shown++
		for _, t := range e.Class.Themes {
			if n, ok := perTheme[t]; ok && n < size {
				carried = true
				perTheme[t] = n + 1
				if n+1 == size {
					full++
				}
			}
		}
		if !carried {
			continue
		}
		var b []string
		if p := fresh[e.ID]; p != nil {
			b = p.body
		} else if old, ok := c.bodies[e.ID]; ok {
			b = old
		} else {
			var err error
			if b, err = readBody(ctx, c.db, e.ID); err != nil {
				return nil, err
			}
		}
		bodies[e.ID] = b
		withBody, a := *e, *e.Article
		a.Body = b
		withBody.Article = &a
		entries[i] = &withBody
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
