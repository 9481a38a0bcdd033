package feed

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestFeedsCarryTheirSummaries: entries keep no summary; the snapshot
// keeps those of the entries its feeds carry, from the parse, the last
// snapshot or the database. Every item of every JSON Feed has its summary
// after a first start, after an edit (the others' come from the last
// snapshot), and after a restart (from the database), and Summaries gives
// each entry's, carried or not.
func TestFeedsCarryTheirSummaries(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	small := func(o *Options) { o.Size = 2 }
	check := func(when string, c *Corpus) {
		t.Helper()
		s := c.Snapshot()
		for _, e := range s.Entries {
			if e.Summary != "" {
				t.Errorf("%s: entry %s keeps its summary", when, e.ID)
			}
		}
		for _, p := range s.Documents() {
			if !strings.HasSuffix(p, ".json") {
				continue
			}
			var jf struct {
				Items []struct {
					ID      string `json:"id"`
					Summary string `json:"summary"`
				} `json:"items"`
			}
			if err := json.Unmarshal(doc(t, s, p).Body, &jf); err != nil {
				t.Fatalf("%s: %s: %v", when, p, err)
			}
			for _, it := range jf.Items {
				if it.Summary == "" {
					t.Errorf("%s: %s: item %s has no summary", when, p, it.ID)
				}
			}
		}
		sums, err := s.Summaries(context.Background(), s.Entries)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range s.Entries {
			if sums[e.ID] == "" {
				t.Errorf("%s: Summaries has none for %s", when, e.ID)
			}
		}
	}
	c := f.open(t, small)
	check("first start", c)
	f.write(t, "000_edited.txt", "Ministers meet in Brussels\n\nBRUSSELS -- Armenian and Azerbaijani foreign ministers met in Brussels on the peace treaty and the border delimitation, officials said.\n\nThe talks on Nagorno-Karabakh continue next week.\n")
	mustApply(t, c, "000_edited.txt")
	check("after a change", c)
	check("after a restart", f.open(t, small))
}
