package web

import (
	"context"
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
	Changed     time.Time
	Digests     bool
}

func (s *server) site(snap *feed.Snapshot) site {
	return site{
		Title: snap.Title, Description: s.opts.Description, BaseURL: snap.BaseURL,
		Themes: snap.Taxonomy.Themes, Articles: len(snap.Visible()), Changed: snap.Changed,
		Digests: s.opts.Archive != nil,
	}
}

// item is one article in a list.
type item struct {
	URL, Title, Outlet, Summary, Color string
	Date                               time.Time
	// DateText is the date as shown: "30 Nov 2026", or "first seen 30
	// Nov 2026" when the article states none.
	DateText string
	// Original is the article on its outlet's site, or "".
	Original string
	Also     []link
}

// link is another outlet's report of the same story.
type link struct{ URL, Outlet string }

// itemOf is e in a list, with its summary (the snapshot's Summaries).
func itemOf(snap *feed.Snapshot, e *feed.Entry, summary, color string) item {
	it := item{
		URL: e.URL(), Title: e.Title, Outlet: e.Outlet(), Summary: summary, Color: color,
		Date: e.Date, DateText: e.DateText(nil), Original: e.Original(),
	}
	for _, o := range snap.AlsoReportedBy(e) {
		it.Also = append(it.Also, link{URL: o.URL(), Outlet: o.Outlet()})
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

// sections is the front page: the visible entries in the snapshot's
// sections, at most perTheme stories each.
func sections(ctx context.Context, snap *feed.Snapshot, perTheme int) ([]section, error) {
	fss := snap.Sections(snap.Visible())
	var shown []*feed.Entry
	for _, fs := range fss {
		shown = append(shown, fs.Leads[:min(len(fs.Leads), perTheme)]...)
	}
	sums, err := snap.Summaries(ctx, shown)
	if err != nil {
		return nil, err
	}
	var out []section
	for _, fs := range fss {
		sec := section{Theme: fs.Theme, Linked: !fs.Other()}
		for i, e := range fs.Leads {
			if i == perTheme {
				sec.More = len(fs.Leads) - perTheme
				break
			}
			sec.Items = append(sec.Items, itemOf(snap, e, sums[e.ID], fs.Theme.Color))
		}
		out = append(out, sec)
	}
	return out, nil
}

// full is an article page's content.
type full struct {
	Title, Outlet, Agency, Dateline string
	Date                            time.Time
	DateText, Original              string // as in item
	Undated, Synthesized            bool
	Themes                          []theme.Theme
	Body                            []string
	Also                            []link
}

func fullArticle(snap *feed.Snapshot, e *feed.Entry) full {
	f := full{
		Title: e.Title, Outlet: e.Source, Agency: e.Agency, Dateline: e.Dateline, Date: e.Date,
		DateText: e.DateText(nil), Original: e.Original(),
		Undated: e.Undated(), Synthesized: e.TitleSynthesized, Body: e.Body,
		Also: itemOf(snap, e, "", "").Also,
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
	Site      site
	Theme     theme.Theme
	Items     []item
	Subscribe bool
	// Total counts the theme's articles; Page is this page's number, of
	// Pages; Older and Newer link the pages around it, or are "".
	Total, Page, Pages int
	Older, Newer       string
}

type notFoundPage struct {
	Site    site
	Message string
}
