package feed

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/feed/article"
	"github.com/kdigest/kdigest/feed/theme"
)

func testEntry(id, story, source, themeID string, day int) *Entry {
	return &Entry{
		Article: &article.Article{ID: id, Source: source},
		Class:   theme.Result{Theme: themeID},
		Story:   story,
		Date:    time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC),
	}
}

func ids(es []*Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

// TestSectionsAndAlsoReportedBy checks the one rule that pages, feeds and
// the digest share: one item per story under its newest report's theme,
// in taxonomy order then "other"; "Also reported by" lists each other
// outlet once, never the item's own, never an unknown one.
func TestSectionsAndAlsoReportedBy(t *testing.T) {
	tax, err := theme.Default()
	if err != nil {
		t.Fatal(err)
	}
	first, second := tax.Themes[0].ID, tax.Themes[1].ID
	a1 := testEntry("a1", "a1", "Reuters", second, 9)
	a2 := testEntry("a2", "a1", "AP", first, 8)      // same story, other theme: the lead's theme wins
	a3 := testEntry("a3", "a1", "Reuters", first, 7) // the lead's own outlet
	a4 := testEntry("a4", "a1", "", first, 6)        // unknown outlet
	a5 := testEntry("a5", "a1", "AP", first, 5)      // AP again
	b1 := testEntry("b1", "b1", "TASS", "", 8)
	c1 := testEntry("c1", "c1", "Azertac", first, 4)
	visible := []*Entry{a1, a2, b1, a3, a4, a5, c1}
	s := &Snapshot{Taxonomy: tax, visible: visible, byStory: sortedClone(visible, byStory)}

	var got []string
	for _, sec := range s.Sections(visible) {
		got = append(got, sec.Theme.ID+":"+strings.Join(ids(sec.Leads), ","))
		if sec.Other() != (sec.Theme.ID == "other") {
			t.Errorf("section %s: Other() = %v", sec.Theme.ID, sec.Other())
		}
	}
	want := []string{first + ":c1", second + ":a1", "other:b1"}
	if !slices.Equal(got, want) {
		t.Errorf("sections = %v, want %v", got, want)
	}
	if got := ids(s.Sections(visible)[1].Reports["a1"]); !slices.Equal(got, []string{"a1", "a2", "a3", "a4", "a5"}) {
		t.Errorf("reports of a1 = %v", got)
	}
	tests := []struct {
		e    *Entry
		want []string
	}{
		{a1, []string{"a2"}},
		{a2, []string{"a1"}},
		{a4, []string{"a1", "a2"}},
		{b1, nil},
	}
	for _, tt := range tests {
		if got := ids(s.AlsoReportedBy(tt.e)); !slices.Equal(got, tt.want) {
			t.Errorf("AlsoReportedBy(%s) = %v, want %v", tt.e.ID, got, tt.want)
		}
	}
}
