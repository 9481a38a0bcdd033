package digest

import (
	"slices"
	"testing"
	"time"

	"github.com/kdigest/kdigest/feed"
	"github.com/kdigest/kdigest/feed/article"
	"github.com/kdigest/kdigest/feed/theme"
)

// TestPlanSelectsAsTheViewDoes: a run plans each delivery with the
// selection its message is built from (sectionsFor), so the themes a
// delivery is recorded as holding, and whether it is left out, are those
// of the view ForThemes builds when the message is sent.
func TestPlanSelectsAsTheViewDoes(t *testing.T) {
	section := func(id string, articles int) Section {
		return Section{Theme: theme.Theme{ID: id, Name: id}, Articles: articles, Items: make([]Item, articles)}
	}
	is := Issue{Name: "Weekly", Period: "16–22 Nov 2026", ThemeNames: map[string]string{}, Sections: []Section{
		section("summits", 3), section("security", 1),
	}}
	is.finish()
	chosen := [][]string{nil, {"security"}, {"escalation", "summits"}, {"security", "summits"}, {"escalation"}, {"transport", "escalation"}}
	for _, sendEmpty := range []bool{false, true} {
		var rs []recipient
		for i, c := range chosen {
			rs = append(rs, recipient{Email: string(rune('a'+i)) + "@example.org", Chosen: c})
		}
		planned, skipped := planDeliveries(&is, rs, sendEmpty)
		var want []recipient
		for _, r := range rs {
			view := is.ForThemes(r.Chosen)
			if view.Quiet && !sendEmpty {
				continue
			}
			r.Held = sectionIDs(view.Sections)
			want = append(want, r)
		}
		if !slices.EqualFunc(planned, want, func(a, b recipient) bool {
			return a.Email == b.Email && slices.Equal(a.Held, b.Held)
		}) || skipped != len(rs)-len(want) {
			t.Errorf("send-empty %v: planned %+v (%d left out), want %+v", sendEmpty, planned, skipped, want)
		}
	}
}

// TestSectionsForMovesStories: a view places a story whose section was
// not chosen in the section of the first chosen theme of its reports,
// among that section's stories by date, at most PerTheme shown and the
// rest counted under More; a section the issue lacks is made for it; a
// story with no chosen theme stays out.
func TestSectionsForMovesStories(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 12, 0, 0, 0, time.UTC) }
	item := func(title string, d int, themes ...string) Item {
		return Item{Title: title, At: day(d), Reports: 1, Themes: themes}
	}
	tax := []theme.Theme{{ID: "summits", Name: "Summits"}, {ID: "security", Name: "Security"}, {ID: "humanitarian", Name: "Humanitarian"}}
	is := Issue{PerTheme: 2, Taxonomy: tax, BaseURL: "https://example.org", Sections: []Section{
		{Theme: tax[0], Items: []Item{item("s1", 20, "summits", "security"), item("s2", 18, "summits")},
			Rest: []Item{item("s3", 16, "summits", "humanitarian")}, More: 1, Articles: 3},
		{Theme: tax[1], Items: []Item{item("c1", 19, "security"), item("c2", 15, "security")}, Articles: 2},
		{Theme: feed.OtherTheme, Items: []Item{item("o1", 17, "other", "security")}, Articles: 1},
	}}
	type shown struct {
		id           string
		items        []string
		more, counts int
	}
	for _, tc := range []struct {
		chosen []string
		want   []shown
	}{
		{nil, []shown{{"summits", []string{"s1", "s2"}, 1, 3}, {"security", []string{"c1", "c2"}, 0, 2}, {"other", []string{"o1"}, 0, 1}}},
		{[]string{"summits"}, []shown{{"summits", []string{"s1", "s2"}, 1, 3}}},
		{[]string{"security"}, []shown{{"security", []string{"s1", "c1"}, 2, 4}}},
		{[]string{"humanitarian"}, []shown{{"humanitarian", []string{"s3"}, 0, 1}}},
		{[]string{"humanitarian", "security"}, []shown{{"security", []string{"s1", "c1"}, 2, 4}, {"humanitarian", []string{"s3"}, 0, 1}}},
	} {
		var got []shown
		for _, s := range is.sectionsFor(tc.chosen) {
			sh := shown{id: s.ID, more: s.More, counts: s.Articles}
			for _, it := range s.Items {
				sh.items = append(sh.items, it.Title)
			}
			got = append(got, sh)
		}
		if !slices.EqualFunc(got, tc.want, func(a, b shown) bool {
			return a.id == b.id && slices.Equal(a.items, b.items) && a.more == b.more && a.counts == b.counts
		}) {
			t.Errorf("sectionsFor(%v) = %+v, want %+v", tc.chosen, got, tc.want)
		}
	}
	if s := is.sectionsFor([]string{"humanitarian"})[0]; s.Name != "Humanitarian" || s.MoreURL != "https://example.org/themes/humanitarian" {
		t.Errorf("a section the issue lacks: %+v", s)
	}
}

// TestItemsOrderedAsTheIssue: a story found late (published 07:30, seen
// 09:00) leads its section before one published and seen at 08:30, as the
// issue orders them (by when each is new); a section that gets another
// story moved into it for a subscriber keeps that order.
func TestItemsOrderedAsTheIssue(t *testing.T) {
	d := &Digest{opts: Options{Location: time.UTC}}
	at := func(h, m int) time.Time { return time.Date(2026, 11, 30, h, m, 0, 0, time.UTC) }
	entry := func(id string, published, seen time.Time) *feed.Entry {
		return &feed.Entry{Article: &article.Article{ID: id, Title: id, Published: published, PublishedPrecision: article.PrecisionMinute},
			FirstSeen: seen, Updated: seen, Date: published}
	}
	snap := &feed.Snapshot{}
	late := d.item(snap, entry("late", at(7, 30), at(9, 0)), "")
	onTime := d.item(snap, entry("ontime", at(8, 30), at(8, 30)), "")
	moved := d.item(snap, entry("moved", at(6, 0), at(6, 0)), "")
	sec := Section{Items: []Item{late, onTime}}.with([]Item{moved}, 10)
	var got []string
	for _, it := range sec.Items {
		got = append(got, it.Title)
	}
	if want := []string{"late", "ontime", "moved"}; !slices.Equal(got, want) {
		t.Errorf("section order %v, want %v", got, want)
	}
}
