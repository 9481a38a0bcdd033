package feed

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/kdigest/kdigest/feed/article"
	"github.com/kdigest/kdigest/feed/theme"
)

// Entry is one article of the corpus with what the corpus knows about it.
// Its Article's Body and Summary are empty: memory does not keep them for
// every article (Snapshot.Full, Snapshot.Summaries).
type Entry struct {
	*article.Article
	// Class is the article's themes and relevance. Its Scores and Matches
	// are nil: the corpus keeps the verdict of the classification, not
	// its workings (kdigest inspect shows those).
	Class theme.Result
	// Story is the id shared by every article reporting the same event.
	Story string
	// CopyOf is the id of the article this one is an exact copy of (the
	// same file content under another name), or "". Feeds, pages and
	// digests show only entries that are no copy.
	CopyOf string
	// File is the seed file's base name.
	File string
	// Hash is the hex SHA-256 of the raw file.
	Hash string
	// FirstSeen is when the corpus first saw this article id; it survives restarts.
	FirstSeen time.Time
	// Updated is when the article's content last changed (FirstSeen if never).
	Updated time.Time
	// Date is Published when the text states one, else FirstSeen.
	Date time.Time
	// addr makes its GUID and URL: one per corpus, not two strings an
	// article (13 MB at 100,000).
	addr *entryAddr
}

// entryAddr is what an entry's addresses are made of: the corpus's base
// URL and feed id.
type entryAddr struct {
	base string
	tag  FeedID
}

// GUID is the entry's permanent id in every feed, a tag: URI such as
// "tag:example.org,2026:article/001"; it never changes for the same ID.
func (e *Entry) GUID() string {
	if e.addr == nil {
		return ""
	}
	return e.addr.tag.tag("article/" + pathEscape(e.ID))
}

// URL is the absolute address of the entry's page on this server ("" for
// an entry no corpus holds, as inspect's). The address of the article
// on its outlet's site is Original.
func (e *Entry) URL() string {
	if e.addr == nil {
		return ""
	}
	return e.addr.base + "/articles/" + pathEscape(e.ID)
}

// Edited reports whether the article's content changed after it was first seen.
func (e *Entry) Edited() bool { return e.Updated.After(e.FirstSeen) }

// Undated reports whether the article states no date, so that Date is
// when the corpus first saw it.
func (e *Entry) Undated() bool { return e.Published.IsZero() }

// DateText is how pages, feeds and the digest state e's date: "30 Nov
// 2026", or "first seen 30 Nov 2026" when the article states no date (see
// Undated). The day is the one in loc, or, when loc is nil or the
// article states a day without a time, in the zone the date was stated in.
func (e *Entry) DateText(loc *time.Location) string {
	t := e.Date
	// A stated day without a time is that day wherever the reader is:
	// moving its midnight into loc would show the day before or after.
	if loc != nil && e.PublishedPrecision != article.PrecisionDate {
		t = t.In(loc)
	}
	if e.Undated() {
		return "first seen " + t.Format("2 Jan 2006")
	}
	return t.Format("2 Jan 2006")
}

// ThemeURL is the address of the page of the theme id on the site at
// base (a BaseURL): the one rule for it, which the feeds, the pages and
// the digest's "and N more" links share.
func ThemeURL(base, id string) string { return base + "/themes/" + pathEscape(id) }

// Original is the address of the article on its outlet's site, when the
// page or its sidecar states one, else "". (URL is its page here.)
func (e *Entry) Original() string { return e.Article.URL }

// Outlet names who reported the entry: its source, else its wire agency,
// else "".
func (e *Entry) Outlet() string {
	if e.Source != "" {
		return e.Source
	}
	return e.Agency
}

// Document is one rendered feed or listing, ready to serve.
type Document struct {
	// Body is the rendered bytes.
	Body []byte
	// ETag is a strong entity tag (quoted) derived from Body.
	ETag string
	// Modified is the Last-Modified time of the document: when its bytes
	// last changed, to the second.
	Modified time.Time
	// ContentType is the media type with charset.
	ContentType string

	gzipOnce sync.Once
	gzip     []byte
}

// Gzip returns Body compressed with gzip. It compresses on the first
// call only: a change re-renders every feed, and most are never asked
// for before the next one, so compressing them all up front cost most
// of a change's time.
func (d *Document) Gzip() []byte {
	d.gzipOnce.Do(func() {
		var gz bytes.Buffer
		w, _ := gzip.NewWriterLevel(&gz, gzip.DefaultCompression) // the level is valid; best compression cost 5x the time for 2% less
		w.Write(d.Body)                                           // writes to a bytes.Buffer cannot fail
		w.Close()
		d.gzip = gz.Bytes()
	})
	return d.gzip
}

// Snapshot is an immutable view of the corpus after one change: every entry
// and every rendered feed. Readers hold it without locks.
type Snapshot struct {
	// Version increases by one with each change.
	Version uint64
	// Scanned is when the corpus last finished a scan or change.
	Scanned time.Time
	// Changed is when the snapshot was made: its articles' last change
	// (a scan that changed nothing moves Scanned, not Changed). The first
	// snapshot of a start has its records' latest first-seen or update
	// time, not the start's (a removal is not dated there).
	Changed time.Time
	// Entries holds every parsed article, relevant or not, newest first by Date.
	Entries []*Entry
	// Failed maps a seed file name to why it could not be parsed.
	Failed map[string]string
	// Taxonomy is the taxonomy the entries were classified with.
	Taxonomy *theme.Taxonomy
	// Title is the feeds' title, e.g. "Karabakh diplomacy".
	Title string
	// BaseURL is the absolute base of every link, without a trailing slash.
	BaseURL string
	// Partial reports a first start's preview: the articles of the first
	// part of a large folder, published while the rest is read.
	Partial bool

	tag  func(specific string) string
	byID []*Entry // every entry, by id
	docs map[string]*Document
	// rendered holds, by channel id, what its documents were made of.
	rendered map[string]rendered
	visible  []*Entry
	byTheme  map[string][]*Entry // visible entries by theme id, newest first
	byStory  []*Entry            // visible entries by story, then newest first
	paths    []string            // document paths in a stable order
	// bodies holds the bodies of the entries the feeds carry, the only
	// ones memory keeps; body reads the others from the database.
	bodies map[string][]string
	body   func(ctx context.Context, id string) ([]string, error)
	// summaries holds the summaries of the same entries; summary reads
	// the others'.
	summaries map[string]string
	summary   func(ctx context.Context, ids []string) (map[string]string, error)
}

// ErrNotFound reports an article id the snapshot does not hold.
var ErrNotFound = errors.New("article not found")

// Article returns the entry with the given id. Ids are looked up, never
// used as paths. Its Body is nil (call Full for the text) and its Summary
// empty (Summaries).
func (s *Snapshot) Article(id string) (*Entry, bool) {
	i, ok := slices.BinarySearchFunc(s.byID, id, func(e *Entry, id string) int { return cmp.Compare(e.ID, id) })
	if !ok {
		return nil, false
	}
	return s.byID[i], true
}

// feedBody returns the body of the entry id when s's feeds carry it.
func (s *Snapshot) feedBody(id string) ([]string, bool) {
	if s == nil {
		return nil, false
	}
	b, ok := s.bodies[id]
	return b, ok
}

// Summaries returns the summaries of entries, by id. Entries keep none
// (an Article's Summary is empty): memory keeps those of the entries the
// feeds carry, and the others cost one query by primary key. A page or a
// digest asks for those it lists.
func (s *Snapshot) Summaries(ctx context.Context, entries []*Entry) (map[string]string, error) {
	out := make(map[string]string, len(entries))
	var missing []string
	for _, e := range entries {
		if sum, ok := s.summaries[e.ID]; ok {
			out[e.ID] = sum
		} else {
			missing = append(missing, e.ID)
		}
	}
	if len(missing) == 0 || s.summary == nil {
		return out, nil
	}
	read, err := s.summary(ctx, missing)
	if err != nil {
		return nil, err
	}
	maps.Copy(out, read)
	return out, nil
}

// Full returns the entry with the given id with its body, which memory
// keeps only for what the feeds carry: others cost one indexed query.
func (s *Snapshot) Full(ctx context.Context, id string) (*Entry, error) {
	e, ok := s.Article(id)
	if !ok {
		return nil, fmt.Errorf("article %q: %w", id, ErrNotFound)
	}
	body, ok := s.feedBody(id)
	if !ok && s.body != nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var err error
		if body, err = s.body(ctx, id); err != nil {
			return nil, err
		}
	}
	// Copies of the entry and its article: the snapshot's stay without
	// the body, which memory does not keep.
	a := *e.Article
	a.Body = body
	full := *e
	full.Article = &a
	return &full, nil
}

// TagURI returns the permanent tag: URI of specific under the corpus's
// tag authority, e.g. TagURI("digest/12"), for ids of documents rendered
// outside the corpus (the digest archive's feed).
func (s *Snapshot) TagURI(specific string) string { return s.tag(specific) }

// Document returns a rendered document by its path without the leading
// slash: "feed.atom", "feed.rss", "feed.json", "feeds.opml",
// "themes/{id}.atom".
func (s *Snapshot) Document(path string) (*Document, bool) {
	d, ok := s.docs[path]
	return d, ok
}

// Documents returns the paths of every rendered document, sorted; a static
// build writes each of them.
func (s *Snapshot) Documents() []string { return s.paths }

// Visible returns the entries that go into feeds, pages and digests
// (relevant ones unless the corpus includes irrelevant ones), newest first.
func (s *Snapshot) Visible() []*Entry { return s.visible }

// story returns the visible entries of the story id, newest first.
func (s *Snapshot) story(id string) []*Entry {
	i, _ := slices.BinarySearchFunc(s.byStory, id, func(e *Entry, id string) int { return cmp.Compare(e.Story, id) })
	j := i
	for j < len(s.byStory) && s.byStory[j].Story == id {
		j++
	}
	return s.byStory[i:j:j]
}

// Related returns the other visible entries of e's story, newest first.
func (s *Snapshot) Related(e *Entry) []*Entry {
	group := s.story(e.Story)
	if len(group) < 2 {
		return nil
	}
	out := make([]*Entry, 0, len(group)-1)
	for _, o := range group {
		if o.ID != e.ID {
			out = append(out, o)
		}
	}
	return out
}

// AlsoReportedBy returns, for the "Also reported by" line of e, the other
// visible reports of e's story by other outlets: newest first, one per
// outlet, never e's own outlet, and none whose outlet is unknown.
func (s *Snapshot) AlsoReportedBy(e *Entry) []*Entry {
	var out []*Entry
	seen := map[string]bool{article.OutletKey(e.Outlet()): true, "": true}
	for _, o := range s.story(e.Story) {
		k := article.OutletKey(o.Outlet())
		if o.ID == e.ID || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, o)
	}
	return out
}

// ThemeEntries returns the visible entries classified under the theme id,
// newest first. The slice is the snapshot's: read it, do not change it.
func (s *Snapshot) ThemeEntries(id string) []*Entry { return slices.Clip(s.byTheme[id]) }

// OtherTheme is the section of the visible entries outside every theme.
// It has no page and no feed.
var OtherTheme = theme.Theme{ID: theme.OtherID, Name: "Other coverage", Description: "Articles outside the themes.", Color: "#6e7781"}

// Section is one theme's stories among some entries: the front page's,
// or an issue's of the digest.
type Section struct {
	// Theme is the section's theme, or OtherTheme.
	Theme theme.Theme
	// Leads holds one entry per story, the story's newest among the
	// entries given, newest first.
	Leads []*Entry
	// Reports maps a lead's id to its story's entries among those given,
	// the lead first.
	Reports map[string][]*Entry
}

// Other reports whether the section is OtherTheme's.
func (sec Section) Other() bool { return sec.Theme.ID == OtherTheme.ID }

// Sections groups entries (visible ones, newest first) by the primary theme
// of each story's lead, one item per story, in taxonomy order, then the
// entries outside every theme under OtherTheme. Sections with no story are
// left out.
func (s *Snapshot) Sections(entries []*Entry) []Section {
	byTheme := map[string]*Section{}
	leads := map[string]*Entry{} // story -> lead
	for _, e := range entries {
		if lead, ok := leads[e.Story]; ok {
			sec := byTheme[s.SectionOf(lead)]
			sec.Reports[lead.ID] = append(sec.Reports[lead.ID], e)
			continue
		}
		leads[e.Story] = e
		id := s.SectionOf(e)
		sec := byTheme[id]
		if sec == nil {
			sec = &Section{Reports: map[string][]*Entry{}}
			byTheme[id] = sec
		}
		sec.Leads = append(sec.Leads, e)
		sec.Reports[e.ID] = []*Entry{e}
	}
	var out []Section
	for _, th := range append(slices.Clone(s.Taxonomy.Themes), OtherTheme) {
		if sec := byTheme[th.ID]; sec != nil {
			sec.Theme = th
			out = append(out, *sec)
		}
	}
	return out
}

// SectionOf is the section id of an entry: its primary theme, or
// OtherTheme's when it has none in the taxonomy.
func (s *Snapshot) SectionOf(e *Entry) string {
	if _, ok := s.Taxonomy.Lookup(e.Class.Theme); !ok || e.Class.Theme == "" {
		return OtherTheme.ID
	}
	return e.Class.Theme
}
