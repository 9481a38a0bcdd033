package feed

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/feeds"
	"golang.org/x/sync/errgroup"
)

// Media types of the rendered documents.
const (
	TypeAtom = "application/atom+xml; charset=utf-8"
	TypeRSS  = "application/rss+xml; charset=utf-8"
	TypeJSON = "application/feed+json; charset=utf-8"
	TypeOPML = "text/x-opml; charset=utf-8"
)

// Paths of the main documents, as Snapshot.Document takes them.
const (
	PathAtom = "feed.atom"
	PathRSS  = "feed.rss"
	PathJSON = "feed.json"
	PathOPML = "feeds.opml"
)

// Feed formats, by the extension of their paths.
const (
	FormatAtom = "atom"
	FormatRSS  = "rss"
	FormatJSON = "json"
)

// ThemeFeedPath returns the path of a theme's feed in format (FormatAtom,
// FormatRSS or FormatJSON), e.g. "themes/{id}.rss".
func ThemeFeedPath(id, format string) string { return themeDoc(id) + "." + format }

// themeDoc is the path of a theme's feeds without the format's extension.
func themeDoc(id string) string { return "themes/" + id }

// channel is one feed to render: the main feed or a theme's, in every
// format.
type channel struct {
	id      string // the feed's permanent tag: URI
	title   string
	base    string // the feeds' URL without the format's extension
	home    string // the HTML page it belongs to
	doc     string // the documents' path without the format's extension
	updated time.Time
	entries []*Entry
}

// self is the channel's own URL in format.
func (ch channel) self(format string) string { return ch.base + "." + format }

// sources lists what the channel's documents are made of besides its
// updated time: its entries, then the visible entries of each one's story
// ("Also reported by"). Entries never change: an article, or its story,
// that changes gets a new entry. So a channel with the same sources and
// updated time as in the last snapshot renders to the same bytes.
func (ch channel) sources(s *Snapshot) []*Entry {
	out := slices.Clone(ch.entries)
	for _, e := range ch.entries {
		if g := s.story(e.Story); len(g) > 1 {
			out = append(out, g...)
		}
	}
	return out
}

// rendered is what a channel's documents were rendered from.
type rendered struct {
	updated time.Time
	sources []*Entry
}

// renderedFrom returns what the channel id's documents were made of in s,
// when s has them.
func (s *Snapshot) renderedFrom(id string) (rendered, bool) {
	if s == nil {
		return rendered{}, false
	}
	r, ok := s.rendered[id]
	return r, ok
}

// render renders the documents of s, in parallel: the OPML list, and each
// channel's feeds in every format unless the channel's sources are those
// it had in prev, whose documents it then keeps. A document whose bytes
// did not change keeps its previous Modified time.
func (c *Corpus) render(s *Snapshot, prev *Snapshot) error {
	main := c.mainChannel(s)
	channels := []channel{main}
	var themes []channel
	for _, t := range s.Taxonomy.Themes {
		ch := c.themeChannel(s, main, t.ID, t.Name)
		channels = append(channels, ch)
		themes = append(themes, ch)
	}
	type job struct {
		path, ctype string
		render      func() ([]byte, error)
	}
	jobs := []job{{PathOPML, TypeOPML, func() ([]byte, error) { return renderOPML(c.opts.Title, main, themes) }}}
	s.docs = map[string]*Document{}
	s.rendered = make(map[string]rendered, len(channels))
	for _, ch := range channels {
		formats := []job{
			{ch.doc + "." + FormatAtom, TypeAtom, func() ([]byte, error) { return c.renderAtom(s, ch) }},
			{ch.doc + "." + FormatRSS, TypeRSS, func() ([]byte, error) { return c.renderRSS(s, ch) }},
			{ch.doc + "." + FormatJSON, TypeJSON, func() ([]byte, error) { return c.renderJSON(s, ch) }},
		}
		now := rendered{updated: ch.updated, sources: ch.sources(s)}
		s.rendered[ch.id] = now
		if was, ok := prev.renderedFrom(ch.id); ok && was.updated.Equal(now.updated) && slices.Equal(was.sources, now.sources) {
			for _, f := range formats {
				s.docs[f.path] = prev.docs[f.path]
			}
			continue
		}
		jobs = append(jobs, formats...)
	}
	docs := make([]*Document, len(jobs))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, j := range jobs {
		g.Go(func() error {
			body, err := j.render()
			if err != nil {
				return fmt.Errorf("render %s: %w", j.path, err)
			}
			docs[i] = c.document(prev, j.path, j.ctype, body)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, j := range jobs {
		s.docs[j.path] = docs[i]
	}
	return nil
}

func (c *Corpus) mainChannel(s *Snapshot) channel {
	ch := channel{
		id:      c.tag.tag("feed"),
		title:   xmlClean(c.opts.Title),
		base:    c.opts.BaseURL + "/feed",
		home:    c.opts.BaseURL + "/",
		doc:     "feed",
		entries: s.visible[:min(len(s.visible), c.opts.Size)],
	}
	// With no entry, the feed is as new as the articles' last change.
	ch.updated = lastUpdate(ch.entries, s.Changed)
	return ch
}

func (c *Corpus) themeChannel(s *Snapshot, main channel, id, name string) channel {
	all := s.ThemeEntries(id)
	ch := channel{
		id:      c.tag.tag("theme/" + pathEscape(id)),
		title:   xmlClean(c.opts.Title + ": " + name),
		base:    ThemeURL(c.opts.BaseURL, id),
		home:    ThemeURL(c.opts.BaseURL, id),
		doc:     themeDoc(id),
		entries: all[:min(len(all), c.opts.Size)],
	}
	ch.updated = lastUpdate(ch.entries, main.updated)
	return ch
}

// lastUpdate is the updated time of a feed of entries: the latest of
// theirs, or none when there are none. A feed changes when one of the
// entries it carries does; an edit of an article older than all of them
// leaves it as it is.
func lastUpdate(entries []*Entry, none time.Time) time.Time {
	if len(entries) == 0 {
		return none
	}
	var last time.Time
	for _, e := range entries {
		// An entry that came in later than its date (an older article
		// added now) changes the feed then too.
		for _, u := range []time.Time{entryUpdated(e), e.FirstSeen} {
			if u.After(last) {
				last = u
			}
		}
	}
	return last
}

// entryUpdated is an entry's Atom updated time: its date, or when its
// content last changed if that is later.
func entryUpdated(e *Entry) time.Time {
	if e.Edited() && e.Updated.After(e.Date) {
		return e.Updated
	}
	return e.Date
}

// gorillaFeed is the channel as gorilla/feeds models it; what gorilla
// cannot express is added afterwards by the extend* functions in extend.go.
func (c *Corpus) gorillaFeed(s *Snapshot, ch channel) *feeds.Feed {
	f := &feeds.Feed{
		Title:       ch.title,
		Link:        &feeds.Link{Href: ch.home},
		Description: "News articles: " + ch.title,
		Author:      &feeds.Author{Name: ch.title},
		Updated:     ch.updated,
		Created:     ch.updated,
	}
	for _, e := range ch.entries {
		author := e.Outlet()
		if author == "" {
			author = c.opts.Title
		}
		title := xmlClean(e.Title)
		if title == "" {
			title = e.ID
		}
		item := &feeds.Item{
			Id:          e.GUID(),
			IsPermaLink: "false",
			Title:       title,
			Link:        &feeds.Link{Href: e.URL()},
			Author:      &feeds.Author{Name: xmlClean(author)},
			Description: html.EscapeString(xmlClean(s.summaries[e.ID])),
			Content:     contentHTML(s, e),
			Created:     e.Date,
			Updated:     entryUpdated(e),
		}
		f.Items = append(f.Items, item)
	}
	return f
}

// contentHTML is the entry's body as escaped paragraphs, then the other
// outlets that reported the same story, linked to their pages here.
// maxAlso bounds the "Also reported by" list of one entry.
const maxAlso = 10

func contentHTML(s *Snapshot, e *Entry) string {
	var b strings.Builder
	if e.Undated() {
		// Readers show the entry's date as its publication date: say what it is.
		b.WriteString("<p><em>The article states no date; " + e.DateText(nil) + ".</em></p>")
	}
	for _, p := range s.bodies[e.ID] {
		b.WriteString("<p>")
		b.WriteString(html.EscapeString(xmlClean(p)))
		b.WriteString("</p>")
	}
	var links []string
	for _, o := range s.AlsoReportedBy(e) {
		if len(links) == maxAlso {
			break
		}
		links = append(links, fmt.Sprintf(`<a href="%s">%s</a>`, html.EscapeString(o.URL()), html.EscapeString(xmlClean(o.Outlet()))))
	}
	if len(links) > 0 {
		b.WriteString("<p>Also reported by ")
		b.WriteString(strings.Join(links, ", "))
		b.WriteString(".</p>")
	}
	return b.String()
}

// document wraps a rendered body with its ETag and Modified.
func (c *Corpus) document(prev *Snapshot, path, ctype string, body []byte) *Document {
	var last *Document
	if prev != nil {
		last = prev.docs[path]
	} else if st := c.savedStamps[path]; st != nil {
		// The last run published path: the same bytes keep its
		// Last-Modified, which the saved copy was served with.
		last = &Document{Body: body, ETag: st.ETag, ContentType: st.ContentType, Modified: st.Modified}
	}
	return NewDocument(body, ctype, c.now(), last)
}

// NewDocument makes a Document of body, rendered at now: its ETag, and
// Modified now to the second, unless prev has the same bytes, which is
// then returned as it is (its Modified and gzip copy stay).
func NewDocument(body []byte, ctype string, now time.Time, prev *Document) *Document {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	if prev != nil && prev.ETag == etag && prev.ContentType == ctype {
		return prev
	}
	modified := now.Truncate(time.Second)
	if prev != nil && !modified.After(prev.Modified) {
		// Changed within the second of the previous bytes: a later
		// Last-Modified, or If-Modified-Since would answer 304 for them.
		modified = prev.Modified.Add(time.Second)
	}
	return &Document{
		Body:        body,
		ETag:        etag,
		Modified:    modified,
		ContentType: ctype,
	}
}
