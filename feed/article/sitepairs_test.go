package article

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestSiteNotesAcrossPages parses two pages of one site with the line
// statistics of both, as inspect and serve do: the note the site closes
// every page with, a sentence of nine to eleven words, is a template line
// and not the text's last paragraph.
func TestSiteNotesAcrossPages(t *testing.T) {
	tests := []struct {
		name, note string
		lasts      [2]string
	}{
		{"disclaimer", "The views expressed in this article are solely the author's own.",
			[2]string{"spoke on condition of anonymity.", "scheduled for late November."}},
		{"reprint", "Materials may be reproduced only with a link to the source.",
			[2]string{"spoke on condition of anonymity.", "scheduled for late November."}},
		{"typo", "Found a mistake? Select it and press Ctrl+Enter to tell us.",
			[2]string{"spoke on condition of anonymity.", "scheduled for late November."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var raws [2][]byte
			ev := Evidence{LineDF: map[uint64]int{}, Docs: len(raws)}
			for i := range raws {
				name := filepath.Join("testdata", "sitepairs", tt.name+"_"+strconv.Itoa(i+1)+".txt")
				raw, err := os.ReadFile(name)
				if err != nil {
					t.Fatal(err)
				}
				raws[i] = raw
				keys := LineKeys(name, raw)
				slices.Sort(keys)
				for _, k := range slices.Compact(keys) {
					ev.LineDF[k]++
				}
			}
			for i, raw := range raws {
				a, err := Parse(tt.name+".txt", raw, ev)
				if err != nil {
					t.Fatal(err)
				}
				if slices.Contains(a.Body, tt.note) {
					t.Errorf("page %d: body holds the site's note %q", i+1, tt.note)
				}
				if got := a.Body[len(a.Body)-1]; !strings.HasSuffix(got, tt.lasts[i]) {
					t.Errorf("page %d: body ends %q, want …%q", i+1, got, tt.lasts[i])
				}
			}
		})
	}
}
