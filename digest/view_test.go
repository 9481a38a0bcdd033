package digest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/feed/theme"
)

// TestViewFromStart: a view that starts later than its issue keeps the
// stories with a report new after its start, counts only those reports,
// shows at most PerTheme and counts the rest under More, drops a section
// left empty, and states its own period; a view from the issue's start
// (or none) is the issue's.
func TestViewFromStart(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 12, 0, 0, 0, time.UTC) }
	item := func(title string, news ...int) Item {
		it := Item{Title: title, At: day(news[0]), Reports: len(news), Themes: []string{"summits"}}
		for _, d := range news {
			it.News = append(it.News, day(d))
		}
		return it
	}
	tax := []theme.Theme{{ID: "summits", Name: "Summits"}, {ID: "security", Name: "Security"}}
	is := Issue{Name: "Weekly", Cadence: Weekly, PerTheme: 2, Taxonomy: tax, ThemeNames: map[string]string{"summits": "Summits", "security": "Security"},
		Since: day(16).Add(-12 * time.Hour), Cutoff: day(23).Add(-4 * time.Hour), Period: "16–23 Nov 2026",
		Sections: []Section{
			// s1 has two new reports, one of them (the 18th) before a
			// view from the 19th.
			{Theme: tax[0], Items: []Item{item("s1", 22, 18), item("s2", 21)}, Rest: []Item{item("s3", 20), item("s4", 17)}, More: 2, Articles: 5},
			{Theme: tax[1], Items: []Item{item("c1", 18)}, Articles: 1},
		}}
	is.Sections[0].Items[0].Themes = []string{"summits", "security"} // s1 has a report in security too
	is.finish()
	type shown struct {
		id       string
		items    []string
		more     int
		articles int
	}
	sections := func(v Issue) []shown {
		var out []shown
		for _, s := range v.Sections {
			sh := shown{id: s.ID, more: s.More, articles: s.Articles}
			for _, it := range s.Items {
				sh.items = append(sh.items, it.Title)
			}
			out = append(out, sh)
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		chosen  []string
		since   time.Time
		want    []shown
		subject string
	}{
		{"the issue's start", nil, is.Since, []shown{{"summits", []string{"s1", "s2"}, 2, 5}, {"security", []string{"c1"}, 0, 1}},
			"Weekly, 16–23 Nov 2026: 6 new articles"},
		{"no start", nil, time.Time{}, []shown{{"summits", []string{"s1", "s2"}, 2, 5}, {"security", []string{"c1"}, 0, 1}},
			"Weekly, 16–23 Nov 2026: 6 new articles"},
		{"from the 19th", nil, day(19), []shown{{"summits", []string{"s1", "s2"}, 1, 3}},
			"Weekly, 19–23 Nov 2026: 3 new articles"},
		{"from the 21st, security chosen", []string{"security"}, day(21), []shown{{"security", []string{"s1"}, 0, 1}},
			"Weekly, 21–23 Nov 2026: 1 new article in Security"},
		{"from after the last", nil, day(22), nil,
			"Weekly, 22–23 Nov 2026: a quiet week"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := is.view(tc.chosen, tc.since, time.UTC)
			if got := sections(v); !slices.EqualFunc(got, tc.want, func(a, b shown) bool {
				return a.id == b.id && slices.Equal(a.items, b.items) && a.more == b.more && a.articles == b.articles
			}) {
				t.Errorf("sections = %+v, want %+v", got, tc.want)
			}
			if v.Subject != tc.subject {
				t.Errorf("subject = %q, want %q", v.Subject, tc.subject)
			}
			// Planning selects as the view does.
			if got := sectionIDs(is.viewSections(tc.chosen, tc.since)); !slices.Equal(got, sectionIDs(v.Sections)) {
				t.Errorf("viewSections = %v, view holds %v", got, sectionIDs(v.Sections))
			}
		})
	}
	// The issue itself is untouched by its views.
	if got := sections(is); got[0].more != 2 || got[0].articles != 5 || is.Sections[0].Items[0].Reports != 2 || !strings.HasPrefix(is.Subject, "Weekly, 16–23 Nov 2026: 6") {
		t.Errorf("the issue changed: %+v, %q", got, is.Subject)
	}
	// A recipient with nothing new after their start is left out.
	planned, skipped := planDeliveries(&is, []recipient{{Email: "a@example.org", Since: day(22)}, {Email: "b@example.org", Since: day(19)}}, false)
	if len(planned) != 1 || planned[0].Email != "b@example.org" || !slices.Equal(planned[0].Held, []string{"summits"}) || skipped != 1 {
		t.Errorf("planned %+v, %d left out; want b holding summits, a left out", planned, skipped)
	}
}
