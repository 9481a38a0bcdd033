package feed

import (
	"encoding/json"
	"testing"
)

// TestEmptyJSONFeedHasItems checks that a JSON Feed with no entry (a theme
// nothing is in yet, a main feed of off-topic pages only) still carries
// "items", an empty array: JSON Feed 1.1 requires it, and gorilla/feeds
// leaves it out when empty, so a reader following a theme that had no
// article yet got a feed its parser may refuse.
func TestEmptyJSONFeedHasItems(t *testing.T) {
	f := newFixture(t, "004_e430f6a57860e91a.txt") // one article, so some themes have none
	s := f.open(t).Snapshot()
	empty := 0
	paths := []string{PathJSON}
	for _, th := range s.Taxonomy.Themes {
		if len(s.ThemeEntries(th.ID)) == 0 {
			empty++
		}
		paths = append(paths, ThemeFeedPath(th.ID, FormatJSON))
	}
	if empty == 0 {
		t.Fatal("every theme has an article; the test needs one without")
	}
	for _, p := range paths {
		var jf map[string]json.RawMessage
		if err := json.Unmarshal(doc(t, s, p).Body, &jf); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		var items []json.RawMessage
		raw, ok := jf["items"]
		if !ok || json.Unmarshal(raw, &items) != nil || items == nil {
			t.Errorf("%s: items = %s, want an array (JSON Feed 1.1 requires it, empty or not)", p, raw)
		}
	}
}
