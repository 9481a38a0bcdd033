package article

import (
	"strings"
	"testing"
)

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

func TestLeadIn(t *testing.T) {
	const story = "Armenia and Azerbaijan resumed talks on the peace treaty in Brussels on Monday, officials said in statements to the press.\n\n" +
		"The foreign ministers are to meet again next month, a spokesman for the European Union said on Tuesday evening in a statement.\n"
	tests := []struct {
		name, text, first string
	}{
		{"standfirst parted by a byline", "Talks resume in Brussels\n\nThe talks were the first since the summer, and both sides called them useful.\n\nBy Anna Petrosyan\n\nNovember 18, 2019\n\n" + story,
			"Armenia and Azerbaijan resumed talks"},
		{"teaser above a dateline", "Talks resume in Brussels\n\nA storm closes the mountain road to the border for a third day running.\n\nBRUSSELS (AP) — " + story,
			"Armenia and Azerbaijan resumed talks"},
		{"a lede with no byline after it stays", "Talks resume in Brussels\n\nThe talks were the first since the summer, and both sides called them useful.\n\n" + story,
			"The talks were the first since the summer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse("x.txt", []byte(tt.text), Evidence{})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(a.Body[0], tt.first) {
				t.Errorf("body starts %q, want %q", a.Body[0], tt.first)
			}
		})
	}
}
