package digest

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/kdigest/kdigest/feed"
	"github.com/kdigest/kdigest/feed/theme"
)

// Issue is one digest's content, ready for the templates.
type Issue struct {
	ID       string
	Name     string // the newsletter's name
	Subject  string
	Period   string // "16–22 Nov 2026"
	Since    time.Time
	Cutoff   time.Time
	Articles int // articles, counting every outlet's report
	Stories  int // items, one per story
	Overview string
	Sections []Section
	Quiet    bool // nothing new: the "quiet week" note

	BaseURL     string
	FeedURL     string
	WebURL      string // the "view in browser" copy
	Unsubscribe string // per recipient; "" in the web copy
	Links       []string

	articleIDs []string
}

// Section is one theme of an issue.
type Section struct {
	theme.Theme
	Items   []Item
	More    int
	MoreURL string
}

// Heading is the section's title with its item count, e.g. "Humanitarian (3)"
// or "Summits and talks (10+4)" when some items did not fit.
func (s Section) Heading() string {
	if s.More > 0 {
		return fmt.Sprintf("%s (%d+%d)", s.Name, len(s.Items), s.More)
	}
	return fmt.Sprintf("%s (%d)", s.Name, len(s.Items))
}

// Item is one story: the newest report, with the other outlets under it.
type Item struct {
	Title   string
	URL     string
	Outlet  string
	Date    string
	Summary string
	Also    []Also
	Ref     int // footnote number in the text part
}

// Also is another outlet's report of the same story.
type Also struct {
	Outlet string
	URL    string
	Ref    int
}

func outletOf(e *feed.Entry) string {
	if o := e.Outlet(); o != "" {
		return o
	}
	return "Unknown outlet"
}

// buildIssue selects the visible entries first seen in (since, cutoff],
// groups them one item per story under their primary theme in taxonomy
// order, newest first, and fills in the links.
func (d *Digest) buildIssue(snap *feed.Snapshot, id string, since, cutoff time.Time) *Issue {
	is := &Issue{
		ID: id, Name: d.opts.Name, Since: since, Cutoff: cutoff,
		BaseURL: d.opts.BaseURL, FeedURL: d.opts.BaseURL + "/feed.atom",
		WebURL: d.opts.BaseURL + "/digests/" + url.PathEscape(id),
	}
	var fresh []*feed.Entry
	for _, e := range snap.Since(since) {
		if !e.FirstSeen.After(cutoff) {
			fresh = append(fresh, e)
		}
	}
	for _, e := range fresh {
		is.articleIDs = append(is.articleIDs, e.ID)
	}
	is.Articles = len(fresh)
	var counts []string
	for _, fs := range snap.Sections(fresh) {
		sec := Section{Theme: fs.Theme}
		if !fs.Other() {
			sec.MoreURL = d.opts.BaseURL + "/themes/" + url.PathEscape(fs.Theme.ID)
		}
		for i, lead := range fs.Leads {
			if i == d.opts.PerTheme {
				sec.More = len(fs.Leads) - i
				break
			}
			sec.Items = append(sec.Items, d.item(snap, lead, is))
		}
		is.Sections = append(is.Sections, sec)
		is.Stories += len(fs.Leads)
		counts = append(counts, fmt.Sprintf("%d %s", len(fs.Leads), strings.ToLower(fs.Theme.Name)))
	}
	is.Overview = strings.Join(counts, " · ")
	is.Period = period(since, cutoff, d.opts.Location)
	is.Quiet = is.Articles == 0
	noun := "articles"
	if is.Articles == 1 {
		noun = "article"
	}
	if is.Quiet {
		is.Subject = fmt.Sprintf("%s, %s: a quiet week", d.opts.Name, is.Period)
	} else {
		is.Subject = fmt.Sprintf("%s, %s: %d new %s", d.opts.Name, is.Period, is.Articles, noun)
	}
	return is
}

// item builds one story's item: the lead report, then the story's other
// outlets (new in this issue or seen before) as "Also reported by".
func (d *Digest) item(snap *feed.Snapshot, lead *feed.Entry, is *Issue) Item {
	ref := func(u string) int {
		is.Links = append(is.Links, u)
		return len(is.Links)
	}
	it := Item{
		Title: lead.Title, URL: d.opts.BaseURL + "/articles/" + url.PathEscape(lead.ID),
		Outlet: outletOf(lead), Date: lead.Date.In(d.opts.Location).Format("2 Jan 2006"), Summary: lead.Summary,
	}
	it.Ref = ref(it.URL)
	for _, o := range snap.AlsoReportedBy(lead) {
		u := d.opts.BaseURL + "/articles/" + url.PathEscape(o.ID)
		it.Also = append(it.Also, Also{Outlet: outletOf(o), URL: u, Ref: ref(u)})
	}
	return it
}

// period formats a date range compactly: "16–22 Nov 2026",
// "28 Oct – 3 Nov 2026", "29 Dec 2025 – 4 Jan 2026".
func period(since, cutoff time.Time, loc *time.Location) string {
	a, b := since.In(loc), cutoff.In(loc)
	switch {
	case a.Year() != b.Year():
		return a.Format("2 Jan 2006") + " – " + b.Format("2 Jan 2006")
	case a.Month() != b.Month():
		return a.Format("2 Jan") + " – " + b.Format("2 Jan 2006")
	case a.Day() != b.Day():
		return fmt.Sprintf("%d–%s", a.Day(), b.Format("2 Jan 2006"))
	}
	return b.Format("2 Jan 2006")
}
