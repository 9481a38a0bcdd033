package digest

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/kdigest/kdigest/feed"
	"github.com/kdigest/kdigest/feed/article"
	"github.com/kdigest/kdigest/feed/theme"
)

// Issue is one digest's content, ready for the templates. The recorded
// issue holds every theme (the archive's copy); each subscriber's message
// is its view for their themes (ForThemes).
type Issue struct {
	ID       string
	Name     string // the newsletter's name (its daily name for a daily digest)
	Cadence  string // Weekly or Daily
	Subject  string
	Period   string // "16–22 Nov 2026"
	Since    time.Time
	Cutoff   time.Time
	Articles int // articles, counting every outlet's report
	Stories  int // items, one per story
	Overview string
	Sections []Section
	Quiet    bool   // nothing new: the "quiet week" note
	Note     string // the sentence of a quiet issue

	// Themes names the themes of a subscriber's view ("Summits and talks
	// and Security"); "" when it holds every theme.
	Themes string
	// ThemeNames maps every theme id of the taxonomy to its name, so a
	// view can name chosen themes that had nothing new.
	ThemeNames map[string]string
	// Taxonomy is the themes in their order, which a view needs for a
	// section the issue itself does not have (see Item.Themes).
	Taxonomy []theme.Theme
	// PerTheme is the most items a section shows; the rest are its Rest.
	PerTheme int

	BaseURL     string
	FeedURL     string
	WebURL      string // the "view in browser" copy
	Unsubscribe string // per recipient; "" in the web copy
	Preferences string // per recipient; "" in the web copy
	Links       []string

	articleIDs []string
}

// Section is one theme of an issue.
type Section struct {
	theme.Theme
	Items []Item
	// Rest holds the stories beyond the issue's PerTheme, newest first:
	// More counts them, and a view of other themes may show some of them
	// in its own sections (see Item.Themes).
	Rest    []Item
	More    int
	MoreURL string
	// Articles counts the section's articles, every outlet's report and
	// the stories under More included.
	Articles int
}

// Stories counts the section's stories: those shown and those under More.
func (s Section) Stories() int { return len(s.Items) + s.More }

// Heading is the section's title with its story count, e.g.
// "Humanitarian (3)"; the items that did not fit are counted too, and the
// section ends with "and 4 more", so the count agrees with the overview's.
func (s Section) Heading() string { return fmt.Sprintf("%s (%d)", s.Name, s.Stories()) }

// Item is one story: the newest report, with the other outlets under it.
type Item struct {
	Title  string
	URL    string
	Outlet string
	// Date is the publication date, or "first seen 30 Nov 2026" when the
	// article states none.
	Date    string
	Summary string
	// Original is the article on its outlet's site, when the page
	// states it (a Source: line, a canonical link, a sidecar), or "".
	Original    string
	OriginalRef int // its footnote number in the text part
	Also        []Also
	Ref         int // footnote number in the text part

	// At is when the lead is new (newAt: its date, or when it was seen if
	// that was up to a day later), which orders a section's items, as the
	// issue orders its stories.
	At time.Time
	// Reports counts the story's new reports as the item shows them
	// (the lead and the other outlets' new reports).
	Reports int
	// News holds the time the window's rule dates each report Reports
	// counts by (newAt), the lead's first: a view that starts later than
	// the issue (a subscriber who switched cadence) keeps the story only
	// when one of them is after its start, and counts only those. Nil in
	// issues recorded before views had a start of their own.
	News []time.Time
	// Themes lists the sections (main themes, or feed.OtherTheme's id)
	// of the story's new reports, newest first, each once. The first is
	// the section the item sits in; a subscriber who did not choose it
	// gets the item in the section of the first one they chose.
	Themes []string
	// ThemesAt holds, for each of Themes, the time its newest report is
	// new at (newAt): a view that starts later than the issue counts a
	// theme only when it is after its start, or a report its subscriber
	// already had would bring a story of other themes into theirs. Nil
	// in issues recorded before.
	ThemesAt []time.Time
}

// ReadAt names where Original is: "Read at OUTLET", or "Read the
// original" when the outlet is not known.
func (it Item) ReadAt() string {
	if it.Outlet == "" || it.Outlet == unknownOutlet {
		return "Read the original"
	}
	return "Read at " + it.Outlet
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
	return unknownOutlet
}

// unknownOutlet names the outlet of an article that states none.
const unknownOutlet = "Unknown outlet"

// IsNew reports whether an entry is new in the window (since, cutoff]: its
// publication date is in it, or, when it states none, the time the corpus
// first saw it. An article belongs to the first digest whose window holds
// that date (see newAt for one found late); one published more than a day
// before the window is never new, even when it was only just found (it is
// in the feeds and pages, not the digest).
func IsNew(e *feed.Entry, since, cutoff time.Time) bool {
	t := newAt(e)
	return t.After(since) && !t.After(cutoff)
}

// newAt is the time IsNew dates an entry by: its publication date, or
// the time the corpus first saw it when it states none. An article first
// seen after its stated date, by up to a day, is new when it was seen: a
// scraper's lag (published 07:30, saved at 09:00, after the 08:00 digest)
// would else put it in a window already sent, and it would reach no
// digest. A date stated without a time names a whole day, so its day
// counts from its start. One seen later than that is dated a day after
// its stated date: new in the window after its date's, if that one has
// not been sent yet, else old news.
func newAt(e *feed.Entry) time.Time {
	t := e.Date
	if !e.Undated() && e.FirstSeen.After(t) {
		t = e.Date.Add(24*time.Hour - time.Nanosecond)
		if e.FirstSeen.Before(t) {
			t = e.FirstSeen
		}
	}
	return t
}

// buildIssue selects the visible entries new in (since, cutoff], groups
// them one item per story under their primary theme in taxonomy order,
// newest first, and fills in the links and the summaries (read from the
// snapshot: the corpus keeps few in memory).
func (d *Digest) buildIssue(ctx context.Context, snap *feed.Snapshot, id, cadence string, since, cutoff time.Time) (*Issue, error) {
	is := &Issue{
		ID: id, Name: d.opts.Name, Cadence: cadence, Since: since, Cutoff: cutoff,
		BaseURL: d.opts.BaseURL, FeedURL: d.opts.BaseURL + "/feed.atom",
		WebURL: d.opts.BaseURL + "/digests/" + url.PathEscape(id), ThemeNames: map[string]string{},
	}
	if cadence == Daily {
		is.Name = d.opts.DailyName
	}
	for _, t := range snap.Taxonomy.Themes {
		is.ThemeNames[t.ID] = t.Name
	}
	is.Taxonomy, is.PerTheme = snap.Taxonomy.Themes, d.opts.PerTheme
	var fresh []*feed.Entry
	for _, e := range snap.Visible() {
		if IsNew(e, since, cutoff) {
			fresh = append(fresh, e)
			is.articleIDs = append(is.articleIDs, e.ID)
		}
	}
	// Newest first by the time each is new at, as views that start later
	// than the window select by (Item.News): a story's lead is its newest
	// report for every view, not one a later view's subscriber already
	// had (a report stated at a time, before one dated that day without
	// a time and first seen later).
	slices.SortStableFunc(fresh, func(a, b *feed.Entry) int { return newAt(b).Compare(newAt(a)) })
	sections := snap.Sections(fresh)
	var leads []*feed.Entry
	for _, fs := range sections {
		leads = append(leads, fs.Leads...)
	}
	sums, err := snap.Summaries(ctx, leads)
	if err != nil {
		return nil, fmt.Errorf("digest %s: %w", id, err)
	}
	for _, fs := range sections {
		sec := Section{Theme: fs.Theme}
		if !fs.Other() {
			sec.MoreURL = feed.ThemeURL(d.opts.BaseURL, fs.Theme.ID)
		}
		for i, lead := range fs.Leads {
			it := d.item(snap, lead, sums[lead.ID])
			it.News = shownReports(snap, lead, fs.Reports[lead.ID])
			it.Reports = len(it.News)
			it.Themes, it.ThemesAt = storyThemes(snap, fs.Reports[lead.ID])
			sec.Articles += it.Reports
			if i >= d.opts.PerTheme {
				sec.Rest = append(sec.Rest, it)
				sec.More++
				continue
			}
			sec.Items = append(sec.Items, it)
		}
		is.Sections = append(is.Sections, sec)
	}
	is.Period = period(since, cutoff, d.opts.Location)
	is.finish()
	return is, nil
}

// storyThemes lists the sections of a story's reports (newest first, as
// given), each once: a subscriber of any of them gets the story, in the
// section of the first they chose (see sectionsFor); and, for each, the
// time its newest report is new at (newAt).
func storyThemes(snap *feed.Snapshot, reports []*feed.Entry) ([]string, []time.Time) {
	var ids []string
	var at []time.Time
	for _, r := range reports {
		id, t := snap.SectionOf(r), newAt(r)
		if i := slices.Index(ids, id); i < 0 {
			ids, at = append(ids, id), append(at, t)
		} else if t.After(at[i]) {
			at[i] = t
		}
	}
	return ids, at
}

// shownReports lists a story's new reports as its item shows them, by
// the time each is new at (newAt): the lead, and each other outlet of its
// "Also reported by" that has a new report (its newest). Another report
// by the lead's outlet, or by an unknown one, is shown nowhere, so the
// counts ("5 new articles") leave it out.
func shownReports(snap *feed.Snapshot, lead *feed.Entry, reports []*feed.Entry) []time.Time {
	news := []time.Time{newAt(lead)}
	for _, o := range snap.AlsoReportedBy(lead) {
		if i := slices.IndexFunc(reports, func(r *feed.Entry) bool {
			return article.OutletKey(r.Outlet()) == article.OutletKey(o.Outlet())
		}); i >= 0 {
			news = append(news, newAt(reports[i]))
		}
	}
	return news
}

// item builds one story's item: the lead report with its summary, then
// the story's other outlets (new in this issue or seen before) as "Also
// reported by".
func (d *Digest) item(snap *feed.Snapshot, lead *feed.Entry, summary string) Item {
	it := Item{
		Title: lead.Title, URL: lead.URL(),
		Outlet: outletOf(lead), Date: lead.DateText(d.opts.Location), Summary: summary,
		Original: lead.Original(), At: newAt(lead),
	}
	for _, o := range snap.AlsoReportedBy(lead) {
		it.Also = append(it.Also, Also{Outlet: outletOf(o), URL: o.URL()})
	}
	return it
}

// finish numbers the links (the text part's footnotes) and derives the
// counts, the overview, the quiet note and the subject from the sections.
// It copies the items it numbers, so a view never changes the issue it
// came from.
func (is *Issue) finish() {
	is.Links, is.Articles, is.Stories = nil, 0, 0
	ref := func(u string) int {
		is.Links = append(is.Links, u)
		return len(is.Links)
	}
	var counts []string
	for i := range is.Sections {
		sec := &is.Sections[i]
		sec.Items = slices.Clone(sec.Items)
		for j := range sec.Items {
			it := &sec.Items[j]
			it.Ref = ref(it.URL)
			if it.Original != "" {
				it.OriginalRef = ref(it.Original)
			}
			it.Also = slices.Clone(it.Also)
			for k := range it.Also {
				it.Also[k].Ref = ref(it.Also[k].URL)
			}
		}
		stories := sec.Stories()
		is.Articles += sec.Articles
		is.Stories += stories
		noun := "stories"
		if stories == 1 {
			noun = "story"
		}
		counts = append(counts, fmt.Sprintf("%s: %d %s", sec.Name, stories, noun))
	}
	is.Overview = strings.Join(counts, " · ")
	is.Quiet = quiet(is.Sections)
	span := "week"
	if is.Cadence == Daily {
		span = "day"
	}
	noun := "articles"
	if is.Articles == 1 {
		noun = "article"
	}
	switch {
	case is.Quiet && is.Themes == "":
		is.Subject = fmt.Sprintf("%s, %s: a quiet %s", is.Name, is.Period, span)
		is.Note = fmt.Sprintf("A quiet %s: no new coverage of Karabakh diplomacy since the last digest.", span)
	case is.Quiet:
		is.Subject = fmt.Sprintf("%s, %s: nothing new in %s", is.Name, is.Period, is.Themes)
		is.Note = fmt.Sprintf("A quiet %s: nothing new in your themes (%s) since the last digest.", span, is.Themes)
	case is.Themes == "":
		is.Subject = fmt.Sprintf("%s, %s: %d new %s", is.Name, is.Period, is.Articles, noun)
	default:
		is.Subject = fmt.Sprintf("%s, %s: %d new %s in %s", is.Name, is.Period, is.Articles, noun, is.Themes)
	}
}

// ForThemes returns the issue as a subscriber of the theme ids sees it:
// only those sections, with the counts, links, subject and intro redone
// and the themes named. No ids means every theme: the issue itself.
func (is Issue) ForThemes(ids []string) Issue { return is.view(ids, time.Time{}, nil) }

// view is ForThemes for a subscriber whose message starts at since (where
// their last digest ended, see recipient.Since): when that is later than
// the issue's window starts, only the stories new after it, and the
// period from it, dated in loc. A zero since is the issue's window.
func (is Issue) view(ids []string, since time.Time, loc *time.Location) Issue {
	later := is.later(since)
	if len(ids) == 0 && !later {
		return is
	}
	if len(ids) > 0 {
		var names []string
		for _, id := range ids {
			if n, ok := is.ThemeNames[id]; ok {
				names = append(names, n)
			} else {
				names = append(names, id)
			}
		}
		is.Themes = joinNames(names)
	}
	is.Sections = is.viewSections(ids, since)
	if later {
		if loc == nil {
			loc = time.UTC
		}
		is.Since, is.Period = since, period(since, is.Cutoff, loc)
	}
	is.finish()
	return is
}

// later reports whether a view starting at since starts after the issue's
// window: only then does it leave stories out.
func (is *Issue) later(since time.Time) bool { return since.After(is.Since) }

// viewSections returns the sections of a subscriber of the theme ids
// whose message starts at since (see sectionsFor). When since is after
// the issue's start, only the stories with a report new after it stay,
// each counting only those reports (see Item.News), and a section left
// with none goes. It is the selection of view, which a run also plans its
// deliveries with: planning needs which sections a message holds, not
// the whole view, which is built once per subscriber, as their message
// is.
func (is *Issue) viewSections(ids []string, since time.Time) []Section {
	if !is.later(since) {
		return is.sectionsFor(ids)
	}
	// A story is theirs by its themes with a report new after since.
	v := *is
	v.Sections = make([]Section, len(is.Sections))
	for i, s := range is.Sections {
		s.Items, s.Rest = themesFrom(s.Items, since), themesFrom(s.Rest, since)
		v.Sections[i] = s
	}
	secs := v.sectionsFor(ids)
	var out []Section
	for _, s := range secs {
		if s = s.from(since, is.PerTheme); len(s.Items) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// themesFrom returns items (a copy) with only the themes that have a
// report new after since (see Item.ThemesAt); an item recorded without
// those times keeps its themes.
func themesFrom(items []Item, since time.Time) []Item {
	out := slices.Clone(items)
	for i, it := range out {
		if len(it.ThemesAt) != len(it.Themes) {
			continue
		}
		it.Themes = nil
		for k, t := range it.ThemesAt {
			if t.After(since) {
				it.Themes = append(it.Themes, items[i].Themes[k])
			}
		}
		out[i] = it
	}
	return out
}

// sectionsFor returns the sections a subscriber of the theme ids gets, in
// the issue's order; no ids means every section. A story whose section
// they did not choose, but one of whose new reports is in a theme they
// did, is theirs in that theme's section (the newest such report's),
// among its stories by date.
func (is *Issue) sectionsFor(ids []string) []Section {
	if len(ids) == 0 {
		return is.Sections
	}
	chosen := func(id string) bool { return slices.Contains(ids, id) }
	moved := map[string][]Item{} // by the section they move to
	for _, s := range is.Sections {
		if chosen(s.ID) {
			continue
		}
		for _, it := range slices.Concat(s.Items, s.Rest) {
			if i := slices.IndexFunc(it.Themes, chosen); i >= 0 {
				moved[it.Themes[i]] = append(moved[it.Themes[i]], it)
			}
		}
	}
	order := append(slices.Clone(is.Taxonomy), feed.OtherTheme)
	if len(is.Taxonomy) == 0 { // an issue recorded before Taxonomy
		order = nil
		for _, s := range is.Sections {
			order = append(order, s.Theme)
		}
	}
	var secs []Section
	for _, th := range order {
		if !chosen(th.ID) {
			continue
		}
		i := slices.IndexFunc(is.Sections, func(s Section) bool { return s.ID == th.ID })
		if i < 0 && len(moved[th.ID]) == 0 {
			continue
		}
		var sec Section
		if i >= 0 {
			sec = is.Sections[i]
		} else {
			sec = Section{Theme: th, MoreURL: feed.ThemeURL(is.BaseURL, th.ID)}
		}
		if m := moved[th.ID]; len(m) > 0 {
			sec = sec.with(m, is.PerTheme)
		}
		secs = append(secs, sec)
	}
	return secs
}

// with returns the section with the items added among its own, newest
// first, at most perTheme shown and the rest under More.
func (s Section) with(items []Item, perTheme int) Section {
	all := slices.Concat(s.Items, s.Rest, items)
	slices.SortStableFunc(all, func(a, b Item) int { return b.At.Compare(a.At) })
	for _, it := range items {
		s.Articles += it.Reports
	}
	return s.holding(all, perTheme)
}

// from returns the section with only its stories that have a report new
// after since, each counting only those reports, at most perTheme shown
// and the rest under More.
func (s Section) from(since time.Time, perTheme int) Section {
	var kept []Item
	s.Articles = 0
	for _, it := range slices.Concat(s.Items, s.Rest) {
		n := 0
		for _, t := range it.News {
			if t.After(since) {
				n++
			}
		}
		if n == 0 {
			continue
		}
		it.Reports = n
		s.Articles += n
		kept = append(kept, it)
	}
	return s.holding(kept, perTheme)
}

// holding returns the section showing the first perTheme of items (in
// order) and counting the rest under More.
func (s Section) holding(items []Item, perTheme int) Section {
	n := min(perTheme, len(items))
	s.Items, s.Rest = items[:n:n], items[n:]
	s.More = len(s.Rest)
	return s
}

// quiet reports whether sections hold no article: a view of them is the
// quiet note.
func quiet(secs []Section) bool {
	for _, s := range secs {
		if s.Articles > 0 {
			return false
		}
	}
	return true
}

// sectionIDs returns the theme ids of sections.
func sectionIDs(secs []Section) []string {
	ids := make([]string, len(secs))
	for i, s := range secs {
		ids[i] = s.ID
	}
	return ids
}

// joinNames lists names in prose: "A", "A and B", "A, B and C".
func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
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
