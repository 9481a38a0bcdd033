package digest

import (
	"slices"
	"testing"

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
