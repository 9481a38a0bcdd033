package feed

// This file is the one place where the output of gorilla/feeds is
// completed with what it cannot express (see LIBRARIES.md, section 1):
//
// Atom: a feed id other than its link, several feed links (rel="self"
// with its type, rel="alternate", rel="hub"), entry <published>, an
// entry's two links (rel="alternate" to the original article where it has
// one, rel="related" to its page here), and <category term label>
// elements (gorilla writes a bare string).
// RSS: <atom:link rel="self"> and the hub, <guid isPermaLink="false">,
// the original article as <link>, dc:creator for the outlet (RSS <author>
// must be an e-mail address), one <category> per theme, and no invalid
// managingEditor or <source>.
// JSON Feed: feed_url, hubs, plain-text summaries, tags, dates (no
// date_published where the article states no date).

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"time"

	"github.com/gorilla/feeds"
)

type atomCategory struct {
	XMLName xml.Name `xml:"category"`
	Term    string   `xml:"term,attr"`
	Label   string   `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	XMLName xml.Name `xml:"entry"`
	*feeds.AtomEntry
	Categories []atomCategory `xml:"category"`
}

type atomDoc struct {
	XMLName xml.Name `xml:"feed"`
	Lang    string   `xml:"xml:lang,attr,omitempty"`
	*feeds.AtomFeed
	Links   []feeds.AtomLink `xml:"link"`
	Entries []atomEntry      `xml:"entry"`
}

// renderAtom renders ch as Atom 1.0.
func (c *Corpus) renderAtom(s *Snapshot, ch channel) ([]byte, error) {
	return atomXML(c.gorillaFeed(s, ch), ch.id, ch.self(FormatAtom), c.opts.Hub, func(i int, ae *feeds.AtomEntry) []atomCategory {
		e := ch.entries[i]
		if !e.Published.IsZero() {
			ae.Published = e.Published.Format(time.RFC3339)
		}
		ae.Links = []feeds.AtomLink{{Href: e.URL(), Rel: "alternate", Type: "text/html"}}
		if o := e.Original(); o != "" {
			ae.Links = []feeds.AtomLink{{Href: o, Rel: "alternate", Type: "text/html"}, {Href: e.URL(), Rel: "related", Type: "text/html"}}
		}
		return atomCategories(s, e)
	})
}

// atomXML renders f as Atom 1.0 with the feed id, a rel="self" link to
// self, a rel="alternate" link to f's page and, when hub is set, the
// WebSub hub; entry completes each entry and returns its categories.
func atomXML(f *feeds.Feed, id, self, hub string, entry func(i int, ae *feeds.AtomEntry) []atomCategory) ([]byte, error) {
	af := (&feeds.Atom{Feed: f}).AtomFeed()
	af.Id = id
	doc := atomDoc{
		Lang:     "en",
		AtomFeed: af,
		Links: []feeds.AtomLink{
			{Href: self, Rel: "self", Type: "application/atom+xml"},
			{Href: f.Link.Href, Rel: "alternate", Type: "text/html"},
		},
	}
	if hub != "" {
		doc.Links = append(doc.Links, feeds.AtomLink{Href: hub, Rel: "hub"})
	}
	for i, ae := range af.Entries {
		doc.Entries = append(doc.Entries, atomEntry{AtomEntry: ae, Categories: entry(i, ae)})
	}
	return marshalXML(doc)
}

// AtomFeed is an Atom feed of documents that are not articles of the
// corpus: the digest archive's issues.
type AtomFeed struct {
	// ID is the feed's permanent id (see Snapshot.TagURI).
	ID string
	// Title names the feed; it is also the author of every entry.
	Title string
	// Self is the feed's own URL, Home the page it belongs to.
	Self, Home string
	// Updated is when the feed last changed.
	Updated time.Time
	// Entries are the feed's entries, newest first.
	Entries []AtomEntry
}

// AtomEntry is one entry of an AtomFeed.
type AtomEntry struct {
	// ID is the entry's permanent id (see Snapshot.TagURI).
	ID string
	// Title and Summary are plain text.
	Title, Summary string
	// Link is the entry's page.
	Link string
	// Content is HTML.
	Content string
	// Published and Updated are the entry's dates.
	Published, Updated time.Time
}

// RenderAtom renders f as Atom 1.0, as the corpus's feeds are rendered.
func RenderAtom(f AtomFeed) ([]byte, error) {
	title := xmlClean(f.Title)
	gf := &feeds.Feed{
		Title:   title,
		Link:    &feeds.Link{Href: f.Home},
		Author:  &feeds.Author{Name: title},
		Updated: f.Updated,
		Created: f.Updated,
	}
	for _, e := range f.Entries {
		gf.Items = append(gf.Items, &feeds.Item{
			Id:          e.ID,
			Title:       xmlClean(e.Title),
			Link:        &feeds.Link{Href: e.Link},
			Description: html.EscapeString(xmlClean(e.Summary)),
			Content:     xmlClean(e.Content),
			Created:     e.Published,
			Updated:     e.Updated,
		})
	}
	return atomXML(gf, f.ID, f.Self, "", func(i int, ae *feeds.AtomEntry) []atomCategory {
		ae.Published = f.Entries[i].Published.UTC().Format(time.RFC3339)
		ae.Links[0].Type = "text/html"
		return nil
	})
}

func atomCategories(s *Snapshot, e *Entry) []atomCategory {
	var out []atomCategory
	for _, id := range e.Class.Themes {
		out = append(out, atomCategory{Term: id, Label: xmlClean(themeName(s, id))})
	}
	return out
}

// themeName returns the display name of a theme id, or the id if unknown.
func themeName(s *Snapshot, id string) string {
	for _, t := range s.Taxonomy.Themes {
		if t.ID == id {
			return t.Name
		}
	}
	return id
}

type rssCategory struct {
	XMLName xml.Name `xml:"category"`
	Domain  string   `xml:"domain,attr,omitempty"`
	Name    string   `xml:",chardata"`
}

type rssAtomLink struct {
	XMLName xml.Name `xml:"atom:link"`
	Href    string   `xml:"href,attr"`
	Rel     string   `xml:"rel,attr"`
	Type    string   `xml:"type,attr,omitempty"`
}

type rssItem struct {
	XMLName xml.Name `xml:"item"`
	*feeds.RssItem
	Creator    string        `xml:"dc:creator,omitempty"`
	Categories []rssCategory `xml:"category"`
}

type rssChannel struct {
	XMLName xml.Name `xml:"channel"`
	*feeds.RssFeed
	Links []rssAtomLink `xml:"atom:link"`
	Items []rssItem     `xml:"item"`
}

type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	ContentNS string     `xml:"xmlns:content,attr"`
	AtomNS    string     `xml:"xmlns:atom,attr"`
	DCNS      string     `xml:"xmlns:dc,attr"`
	Channel   rssChannel `xml:"channel"`
}

// renderRSS renders ch as RSS 2.0.
func (c *Corpus) renderRSS(s *Snapshot, ch channel) ([]byte, error) {
	rf := (&feeds.Rss{Feed: c.gorillaFeed(s, ch)}).RssFeed()
	rf.ManagingEditor = ""
	rf.Language = "en"
	doc := rssDoc{
		Version:   "2.0",
		ContentNS: "http://purl.org/rss/1.0/modules/content/",
		AtomNS:    "http://www.w3.org/2005/Atom",
		DCNS:      "http://purl.org/dc/elements/1.1/",
		Channel: rssChannel{
			RssFeed: rf,
			Links:   []rssAtomLink{{Href: ch.self(FormatRSS), Rel: "self", Type: "application/rss+xml"}},
		},
	}
	if c.opts.Hub != "" {
		doc.Channel.Links = append(doc.Channel.Links, rssAtomLink{Href: c.opts.Hub, Rel: "hub"})
	}
	for i, ri := range rf.Items {
		e := ch.entries[i]
		item := rssItem{RssItem: ri, Creator: ri.Author}
		ri.Author = ""
		if o := e.Original(); o != "" {
			ri.Link = o
		}
		for _, id := range e.Class.Themes {
			item.Categories = append(item.Categories, rssCategory{Domain: c.opts.BaseURL + "/themes/", Name: xmlClean(themeName(s, id))})
		}
		doc.Channel.Items = append(doc.Channel.Items, item)
	}
	return marshalXML(doc)
}

// jsonDoc is a JSON Feed whose "items" is there even when empty: JSON Feed
// 1.1 requires it, and gorilla/feeds leaves an empty one out (omitempty).
// The field shadows the embedded one, and comes last as it did.
type jsonDoc struct {
	*feeds.JSONFeed
	Items []*feeds.JSONItem `json:"items"`
}

// renderJSON renders ch as JSON Feed 1.1.
func (c *Corpus) renderJSON(s *Snapshot, ch channel) ([]byte, error) {
	jf := (&feeds.JSON{Feed: c.gorillaFeed(s, ch)}).JSONFeed()
	jf.FeedUrl = ch.self(FormatJSON)
	jf.Language = "en"
	if c.opts.Hub != "" {
		jf.Hubs = []*feeds.JSONHub{{Type: "WebSub", Url: c.opts.Hub}}
	}
	for i, it := range jf.Items {
		e := ch.entries[i]
		it.Summary = xmlClean(s.summaries[e.ID]) // JSON Feed summaries are plain text
		it.ExternalUrl = e.Original()            // the article on its outlet's site, when stated
		published, updated := e.Date.UTC(), entryUpdated(e).UTC()
		it.PublishedDate, it.ModifiedDate = &published, &updated
		if e.Undated() {
			it.PublishedDate = nil // Date is when it was first seen, not published
		}
		for _, id := range e.Class.Themes {
			it.Tags = append(it.Tags, xmlClean(themeName(s, id)))
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // content_html is a JSON string: no need for \u003c
	enc.SetIndent("", "  ")
	out := jsonDoc{JSONFeed: jf, Items: jf.Items}
	if out.Items == nil {
		out.Items = []*feeds.JSONItem{} // "items": [], not null
	}
	if err := enc.Encode(out); err != nil {
		return nil, fmt.Errorf("render json feed: %w", err)
	}
	return b.Bytes(), nil
}

type opmlOutline struct {
	XMLName  xml.Name      `xml:"outline"`
	Type     string        `xml:"type,attr,omitempty"`
	Text     string        `xml:"text,attr"`
	Title    string        `xml:"title,attr"`
	XMLURL   string        `xml:"xmlUrl,attr,omitempty"`
	HTMLURL  string        `xml:"htmlUrl,attr,omitempty"`
	Outlines []opmlOutline `xml:"outline"`
}

type opmlDoc struct {
	XMLName  xml.Name      `xml:"opml"`
	Version  string        `xml:"version,attr"`
	Title    string        `xml:"head>title"`
	Outlines []opmlOutline `xml:"body>outline"`
}

// renderOPML lists the main feed, then the theme feeds in an outline of
// their own: a reader subscribes to one or the other, since every theme
// feed's entries are also in the main feed.
func renderOPML(title string, main channel, themes []channel) ([]byte, error) {
	feed := func(ch channel) opmlOutline {
		return opmlOutline{Type: "rss", Text: ch.title, Title: ch.title, XMLURL: ch.self(FormatAtom), HTMLURL: ch.home}
	}
	byTheme := xmlClean(title) + " by theme"
	doc := opmlDoc{Version: "2.0", Title: xmlClean(title) + " feeds", Outlines: []opmlOutline{
		feed(main),
		{Text: byTheme, Title: byTheme},
	}}
	for _, ch := range themes {
		doc.Outlines[1].Outlines = append(doc.Outlines[1].Outlines, feed(ch))
	}
	return marshalXML(doc)
}

func marshalXML(v any) ([]byte, error) {
	b, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("render xml: %w", err)
	}
	out := make([]byte, 0, len(xml.Header)+len(b)+1)
	out = append(out, xml.Header...)
	out = append(out, b...)
	return append(out, '\n'), nil
}
