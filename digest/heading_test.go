package digest

import (
	"strings"
	"testing"
)

// TestSectionCountsAgree: a section with stories beyond PerTheme is
// counted whole everywhere a subscriber reads its count (the heading, the
// HTML list of sections, the overview), and the HTML states the counts
// once (the list of sections), not again in an overview line above it.
func TestSectionCountsAgree(t *testing.T) {
	ts, err := loadTemplates(nil)
	if err != nil {
		t.Fatal(err)
	}
	is := sampleIssue(false) // one item shown, one more
	is.Overview = "Theme: 2 stories"
	sec := is.Sections[0]
	if got, want := sec.Heading(), "Theme (2)"; got != want {
		t.Errorf("Heading() = %q, want %q", got, want)
	}
	html, text, err := ts.render(is)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html, `>Theme</a> <span class="muted" style="color:#5c6370;">(2)</span>`) {
		t.Errorf("HTML list of sections lacks the whole count (2):\n%s", html)
	}
	if strings.Contains(html, "(1+1)") || strings.Contains(text, "(1+1)") {
		t.Error("a count is split as (1+1)")
	}
	if n := strings.Count(html, is.Overview); n != 1 {
		t.Errorf("HTML states the overview %d times, want once (the hidden preheader)", n)
	}
	if !strings.Contains(text, "Theme (2)\n---------") || !strings.Contains(text, "(Theme: 2 stories)") {
		t.Errorf("text part's heading or overview lacks the whole count:\n%s", text)
	}
}
