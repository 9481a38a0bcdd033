package web

import (
	"time"

	"github.com/kdigest/kdigest/feed"
	"github.com/kdigest/kdigest/feed/theme"
)

// site is what every page's layout shows.
type site struct {
	Title       string
	Description string
	BaseURL     string
	Themes      []theme.Theme
	Articles    int
	Scanned     time.Time
	Digests     bool
}

func (s *server) site(snap *feed.Snapshot) site {
	return site{
		Title: snap.Title, Description: s.opts.Description, BaseURL: snap.BaseURL,
		Themes: snap.Taxonomy.Themes, Articles: len(snap.Visible()), Scanned: snap.Scanned,
		Digests: s.hasRoute("GET /digests"),
	}
}

// item is one article in a list.
type item struct {
	URL, Title, Outlet, Summary, Color string
	Date                               time.Time
	Undated                            bool
	Also                               []link
}

// link is another outlet's report of the same story.
type link struct{ URL, Outlet string }

func itemOf(snap *feed.Snapshot, e *feed.Entry, color string) item {
	it := item{
		URL: e.URL, Title: e.Title, Outlet: e.Outlet(), Summary: e.Summary, Color: color,
		Date: e.Date, Undated: e.Published.IsZero(),
	}
	for _, o := range snap.Related(e) {
		name := o.Outlet()
		if name == "" {
			name = "another outlet"
		}
		it.Also = append(it.Also, link{URL: o.URL, Outlet: name})
	}
	return it
}

// section is one theme on the front page.
type section struct {
	theme.Theme
	// Linked is false for the "other" section, which has no page or feed.
	Linked bool
	Items  []item
	More   int
}

// sections groups the visible entries by primary theme in taxonomy order,
// one item per story, at most perTheme each.
func sections(snap *feed.Snapshot, perTheme int) []section {
	byTheme := map[string][]*feed.Entry{}
	shown := map[string]bool{} // stories already shown
	var other []*feed.Entry
	for _, e := range snap.Visible() {
		if shown[e.Story] {
			continue
		}
		shown[e.Story] = true
		if e.Class.Theme == "" {
			other = append(other, e)
			continue
		}
		byTheme[e.Class.Theme] = append(byTheme[e.Class.Theme], e)
	}
	var out []section
	add := func(th theme.Theme, linked bool, entries []*feed.Entry) {
		if len(entries) == 0 {
			return
		}
		sec := section{Theme: th, Linked: linked}
		for i, e := range entries {
			if i == perTheme {
				sec.More = len(entries) - perTheme
				break
			}
			sec.Items = append(sec.Items, itemOf(snap, e, th.Color))
		}
		out = append(out, sec)
	}
	for _, th := range snap.Taxonomy.Themes {
		add(th, true, byTheme[th.ID])
	}
	add(theme.Theme{ID: "other", Name: "Other coverage", Description: "Articles outside the themes.", Color: "#6e7781"}, false, other)
	return out
}

// full is an article page's content.
type full struct {
	Title, Outlet, Agency, Dateline string
	Date                            time.Time
	Undated, Synthesized            bool
	Themes                          []theme.Theme
	Body                            []string
	Also                            []link
}

func fullArticle(snap *feed.Snapshot, e *feed.Entry) full {
	f := full{
		Title: e.Title, Outlet: e.Source, Agency: e.Agency, Dateline: e.Dateline, Date: e.Date,
		Undated: e.Published.IsZero(), Synthesized: e.TitleSynthesized, Body: e.Body,
		Also: itemOf(snap, e, "").Also,
	}
	for _, id := range e.Class.Themes {
		if th, ok := snap.Taxonomy.Lookup(id); ok {
			f.Themes = append(f.Themes, th)
		}
	}
	return f
}

type indexPage struct {
	Site      site
	Sections  []section
	Subscribe bool
}

type articlePage struct {
	Site    site
	Article full
}

type themePage struct {
	Site  site
	Theme theme.Theme
	Items []item
}

type notFoundPage struct {
	Site    site
	Message string
}
