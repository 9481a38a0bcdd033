package article

import "testing"

func TestHeadlineShape(t *testing.T) {
	tests := []struct {
		text string
		two  bool
	}{
		{"New York man pleads guilty to threatening to kill Rep. Ilhan Omar", false},
		{"U.S. Senate passes the bill", false},
		{"Talks resume. Ministers meet in Brussels", true},
		{"Photo taken on Monday. Credit: AP", true},
	}
	for _, tt := range tests {
		if got := twoSentences(tt.text); got != tt.two {
			t.Errorf("twoSentences(%q) = %v, want %v", tt.text, got, tt.two)
		}
	}
	for _, s := range []string{"Tom Krisher, AP Auto Writer", "Jane Doe | Staff Writer"} {
		if !personLine.MatchString(s) {
			t.Errorf("%q is not read as a byline", s)
		}
	}
	if personLine.MatchString("Royal Self-Indicting Arrogance") {
		t.Error("a three-word headline is read as a byline")
	}
}
