package feed

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"time"
	"unique"

	"github.com/kdigest/kdigest/feed/article"
	"github.com/kdigest/kdigest/feed/theme"
)

// load reads the saved records and the story index. Rows parsed by another
// parser or taxonomy keep their saved entry until Rescan parses them again.
// The index is built from its saved edges on another core while the
// records are read.
func (c *Corpus) load(ctx context.Context) error {
	// Read first: a write by another process while the rows are read
	// leaves it behind, and the next change reads them again.
	gen, err := readGeneration(ctx, c.db)
	if err != nil {
		return err
	}
	c.gen = gen
	docs, bad, edges, saved, err := c.readStories(ctx)
	if err != nil {
		return err
	}
	var x *theme.StoryIndex
	var xerr error
	built := make(chan struct{})
	go func() {
		defer close(built)
		x, xerr = theme.LoadStoryIndex(docs, edges)
	}()
	// A record takes its id and hash from its doc: one copy of each.
	byID := make(map[string]int, len(docs))
	for i, d := range docs {
		byID[d.ID] = i
	}
	recs, err := c.loadRecords(ctx, func(r *record) {
		if i, ok := byID[r.id]; ok && docs[i].Hash == r.hash {
			r.id, r.hash = docs[i].ID, docs[i].Hash
		}
	})
	<-built
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
	n := len(docs)
	if docs = c.present(docs, bad); len(docs) < n {
		// A doc left out was in the index built: build it again.
		x, xerr = theme.LoadStoryIndex(docs, edges)
	}
	return c.loadStories(ctx, docs, edges, saved, x, xerr)
}

// newEntry builds r's entry from its article and classification, without
// its story or body. Only the classification's verdict is kept (see
// Entry.Class).
func (c *Corpus) newEntry(r *record, a *article.Article, cl theme.Result) *Entry {
	cl.Scores, cl.Matches = nil, nil
	a.ID = r.id
	// In the database, read when shown: the body, and the summary (200
	// bytes an article, 20 MB at 100,000), which only the feeds and the
	// pages and digests that list an article show (Snapshot.Summaries).
	a.Body, a.Warnings, a.Summary = nil, nil, ""
	c.share(a, &cl)
	return &Entry{
		Article:   a,
		Class:     cl,
		File:      r.file,
		Hash:      r.hash,
		FirstSeen: r.firstSeen,
		Updated:   r.updated,
		Date:      entryDate(a.Published, r.firstSeen),
		addr:      c.addr,
	}
}

// entryDate is an entry's Date: when it was published, else when it was
// first seen.
func entryDate(published, firstSeen time.Time) time.Time {
	if published.IsZero() {
		return firstSeen
	}
	return published
}

// detach copies the fields an entry keeps of a parse that are its own:
// they are substrings of the file's whole decoded text, and copies let
// that text go (at 10,000 articles, about 45 MB kept). newEntry shares
// the others.
func detach(a *article.Article) {
	for _, f := range []*string{&a.Title, &a.URL} {
		*f = strings.Clone(*f)
	}
}

// share makes the fields that many articles have the same value of (the
// outlet, agency, dateline, precision and themes) point to the copy of
// each value that unique.Make keeps: instead of a copy per article, a few
// per value (unique forgets a value between collections when no handle
// holds it, and the next article makes a copy again).
func (c *Corpus) share(a *article.Article, cl *theme.Result) {
	for _, f := range []*string{&a.Source, &a.Agency, &a.Dateline, (*string)(&a.PublishedPrecision), &cl.Theme} {
		*f = unique.Make(*f).Value()
	}
	if len(cl.Themes) == 0 {
		return
	}
	// The list itself: most articles share theirs with thousands (10 MB
	// of lists at 100,000 articles). Its readers never change it.
	key := strings.Join(cl.Themes, "\x00")
	if ts, ok := c.themeLists.Load(key); ok {
		cl.Themes = ts.([]string)
		return
	}
	for i, t := range cl.Themes {
		cl.Themes[i] = unique.Make(t).Value()
	}
	ts, _ := c.themeLists.LoadOrStore(key, slices.Clip(cl.Themes))
	cl.Themes = ts.([]string)
}

// publish builds a new snapshot from the records and stores it.
func (c *Corpus) publish(ctx context.Context) error {
	s, err := c.build(ctx, nil, nil)
	if err != nil {
		return err
	}
	c.store(ctx, s)
	return nil
}

// preview publishes what a first start has saved of the folder so far,
// its first part: a reader sees articles after seconds, not after the
// whole folder (a minute at 100,000 files). The change is still
// unpublished: its last part publishes it all, and reports its tally.
// A preview that cannot be built is left out.
func (c *Corpus) preview(ctx context.Context) {
	s, err := c.build(ctx, nil, nil)
	if err != nil {
		c.opts.Log.Warn("the first articles could not be published before the rest", "err", err)
		return
	}
	s.Partial = true
	c.store(ctx, s)
	c.opts.Log.Info("published the first articles read; the rest of the seeds folder follows", "articles", len(s.Entries))
}

// store makes s the current snapshot and announces it, then saves the
// documents it rendered anew for the next start (SavedDocuments). The
// saved copy only speeds a restart: a failure to save it is logged, and
// the next start serves nothing before the corpus is loaded.
func (c *Corpus) store(ctx context.Context, s *Snapshot) {
	prev := c.snap.Swap(s)
	if prev != nil && c.opts.OnChange != nil {
		c.opts.OnChange(s)
	}
	if !c.opts.SaveDocuments {
		return
	}
	ctx = context.WithoutCancel(ctx) // a stop during the save would leave none
	if len(s.Entries) == 0 {
		// Nothing worth serving before the load (a first start stopped
		// before its first part): a restart answers 503 until it is loaded.
		c.dropDocuments(ctx)
		c.docsSaved = false
		return
	}
	if !c.docsSaved {
		prev = nil // the saved copy is not prev's: save every document
	}
	if err := c.saveDocuments(ctx, prev, s); err != nil {
		c.opts.Log.Warn("the feeds a restart serves at once could not be saved", "err", err)
		c.dropDocuments(ctx)
		c.docsSaved = false
		return
	}
	c.docsSaved = true
}

// build builds the snapshot of the records and failures, without storing
// it, with the stories of the index. fresh holds the bodies of the
// articles the change parsed. changed, when not nil, names every article
// whose record or story changed since the current snapshot: the new
// snapshot is then the current one with the entries of those articles
// made again, so that a change costs a pass over each list, not a sort
// of the corpus.
func (c *Corpus) build(ctx context.Context, fresh map[string]*parsed, changed map[string]bool) (*Snapshot, error) {
	prev := c.snap.Load()
	if prev == nil {
		changed = nil
	}
	var made []*Entry
	add := func(r *record) {
		if r == nil || r.removed || r.entry == nil {
			return
		}
		story, copyOf := c.stories.Story(r.id), c.stories.CopyOf(r.id)
		if story == "" {
			story = r.id
		}
		if r.entry.Story != story || r.entry.CopyOf != copyOf {
			// A new entry: snapshots share entries, and older ones
			// keep theirs.
			e := *r.entry
			e.Story, e.CopyOf = story, copyOf
			r.entry = &e
		}
		made = append(made, r.entry)
	}
	if changed == nil {
		for _, r := range c.recs {
			add(r)
		}
	} else {
		for id := range changed {
			add(c.recs[id])
		}
	}
	slices.SortFunc(made, newestFirst)
	var shown []*Entry // the visible ones of made
	for _, e := range made {
		if c.visible(e) {
			shown = append(shown, e)
		}
	}
	// Each list of the new snapshot is the previous one's, less the
	// entries of changed articles, merged with the entries made.
	var old Snapshot
	var gone []*Entry // sorted newest first, as made and shown
	if changed != nil {
		old = *prev
		for id := range changed {
			if e, ok := prev.Article(id); ok {
				gone = append(gone, e)
			}
		}
		slices.SortFunc(gone, newestFirst)
	}
	now := c.now()
	s := &Snapshot{
		Scanned:  now,
		Changed:  now,
		Entries:  merge(old.Entries, gone, made, newestFirst),
		Failed:   make(map[string]string, len(c.failed)),
		Taxonomy: c.opts.Taxonomy,
		Title:    c.opts.Title,
		BaseURL:  c.opts.BaseURL,
		tag:      c.tag.tag,
		byID:     merge(old.byID, sortedClone(gone, byID), sortedClone(made, byID), byID),
		visible:  merge(old.visible, gone, shown, newestFirst),
		byStory:  merge(old.byStory, sortedClone(gone, byStory), sortedClone(shown, byStory), byStory),
		byTheme:  make(map[string][]*Entry, len(c.opts.Taxonomy.Themes)),
		body:     func(ctx context.Context, id string) ([]string, error) { return readBody(ctx, c.db, id) },
		summary: func(ctx context.Context, ids []string) (map[string]string, error) {
			return readSummaries(ctx, c.db, ids)
		},
	}
	if prev != nil {
		s.Version = prev.Version + 1
	} else if last := c.lastChange(); !last.IsZero() {
		// The first snapshot of this process (Open): the articles last
		// changed when their records did, not at this start.
		s.Changed = last
	}
	for name, f := range c.failed {
		s.Failed[name] = f.reason
	}
	for _, t := range c.opts.Taxonomy.Themes {
		var in []*Entry
		for _, e := range shown {
			if slices.Contains(e.Class.Themes, t.ID) {
				in = append(in, e)
			}
		}
		if es := merge(old.byTheme[t.ID], gone, in, newestFirst); len(es) > 0 {
			s.byTheme[t.ID] = es
		}
	}
	var err error
	if s.bodies, s.summaries, err = c.feedTexts(ctx, s, prev, fresh); err != nil {
		return nil, err
	}
	if err := c.render(s, prev); err != nil {
		return nil, err
	}
	for p := range s.docs {
		s.paths = append(s.paths, p)
	}
	slices.Sort(s.paths)
	return s, nil
}

// lastChange returns the latest time a record was first seen or updated
// (zero with none): when the saved articles last changed.
func (c *Corpus) lastChange() time.Time {
	var last time.Time
	for _, r := range c.recs {
		for _, t := range []time.Time{r.firstSeen, r.updated} {
			if t.After(last) {
				last = t
			}
		}
	}
	return last
}

// merge returns the entries of sorted less those of gone, with those of
// add merged in. The three are sorted by order, under which no two
// entries are equal (ids break ties). It finds where each entry goes or
// leaves by binary search and copies the runs between, so a change of a
// few entries costs a copy of the list's pointers, not a comparison for
// each of them. sorted is left as it is.
func merge(sorted, gone, add []*Entry, order func(a, b *Entry) int) []*Entry {
	out := make([]*Entry, 0, len(sorted)+len(add))
	for len(gone) > 0 || len(add) > 0 {
		// The next entry to take out or put in, in order; one taken out
		// before one put in at its place.
		if len(gone) == 0 || (len(add) > 0 && order(add[0], gone[0]) < 0) {
			i, _ := slices.BinarySearchFunc(sorted, add[0], order)
			out = append(append(out, sorted[:i]...), add[0])
			sorted, add = sorted[i:], add[1:]
			continue
		}
		i, found := slices.BinarySearchFunc(sorted, gone[0], order)
		out = append(out, sorted[:i]...)
		sorted = sorted[i:]
		if found && sorted[0] == gone[0] {
			sorted = sorted[1:]
		}
		gone = gone[1:]
	}
	return append(out, sorted...)
}

func sortedClone(es []*Entry, order func(a, b *Entry) int) []*Entry {
	es = slices.Clone(es)
	slices.SortFunc(es, order)
	return es
}

// visible reports whether feeds, pages and digests show e: no copy, and
// relevant unless the corpus includes every article.
func (c *Corpus) visible(e *Entry) bool {
	return e.CopyOf == "" && (c.opts.IncludeIrrelevant || e.Class.Relevant)
}

// feedTexts returns the bodies and summaries of the entries that s's feeds
// carry (the newest Size visible ones, and the newest Size of each
// theme): from the change's parses, else from the previous snapshot, else
// from the database. They are the only ones memory keeps.
func (c *Corpus) feedTexts(ctx context.Context, s, prev *Snapshot, fresh map[string]*parsed) (map[string][]string, map[string]string, error) {
	bodies, summaries := map[string][]string{}, map[string]string{}
	var unread []string // the summaries to read
	carry := func(es []*Entry) error {
		for _, e := range es[:min(len(es), c.opts.Size)] {
			if _, ok := bodies[e.ID]; ok {
				continue
			}
			var b []string
			if p := fresh[e.ID]; p != nil {
				b, summaries[e.ID] = p.body, p.summary
			} else if old, ok := prev.feedBody(e.ID); ok && sameArticle(prev, e) {
				b, summaries[e.ID] = old, prev.summaries[e.ID]
			} else {
				var err error
				if b, err = readBody(ctx, c.db, e.ID); err != nil {
					return err
				}
				unread = append(unread, e.ID)
			}
			bodies[e.ID] = b
		}
		return nil
	}
	if err := carry(s.visible); err != nil {
		return nil, nil, err
	}
	for _, t := range c.opts.Taxonomy.Themes {
		if err := carry(s.byTheme[t.ID]); err != nil {
			return nil, nil, err
		}
	}
	read, err := readSummaries(ctx, c.db, unread)
	if err != nil {
		return nil, nil, err
	}
	maps.Copy(summaries, read)
	return bodies, summaries, nil
}

// newestFirst orders entries by Date, newest first, then by id.
func newestFirst(a, b *Entry) int {
	if d := b.Date.Compare(a.Date); d != 0 {
		return d
	}
	return cmp.Compare(a.ID, b.ID)
}

// byID orders entries by id.
func byID(a, b *Entry) int { return cmp.Compare(a.ID, b.ID) }

// byStory orders entries by story, then newest first.
func byStory(a, b *Entry) int {
	if d := cmp.Compare(a.Story, b.Story); d != 0 {
		return d
	}
	return newestFirst(a, b)
}

// sameArticle reports whether prev's entry of e's id comes from the same
// parse as e (a story change copies the entry, not its article).
func sameArticle(prev *Snapshot, e *Entry) bool {
	pe, ok := prev.Article(e.ID)
	return ok && pe.Article == e.Article
}
