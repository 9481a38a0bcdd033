package digest

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	texttemplate "text/template"
	"unicode/utf8"

	"github.com/kdigest/kdigest/feed/theme"
	"github.com/kdigest/kdigest/templates"
)

// Template file names, embedded and overridable.
const (
	htmlTemplate = "digest.html.tmpl"
	textTemplate = "digest.txt.tmpl"
)

// templateSet holds the parsed digest templates.
type templateSet struct {
	html *htmltemplate.Template
	text *texttemplate.Template
}

// loadTemplates parses the embedded templates, replacing each with the
// operator's file of the same name when override holds one. A template
// that does not parse is an error naming the file and line.
func loadTemplates(override fs.FS) (*templateSet, error) {
	read := func(name string) ([]byte, string, error) {
		if override != nil {
			b, err := fs.ReadFile(override, name)
			if err == nil {
				return b, name + " (from --templates)", nil
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return nil, "", fmt.Errorf("digest template %s: %w", name, err)
			}
		}
		b, err := fs.ReadFile(templates.FS, name)
		return b, name, err
	}
	hsrc, hname, err := read(htmlTemplate)
	if err != nil {
		return nil, err
	}
	tsrc, tname, err := read(textTemplate)
	if err != nil {
		return nil, err
	}
	h, err := htmltemplate.New(htmlTemplate).Funcs(htmltemplate.FuncMap{"wrap": wrap}).Parse(string(hsrc))
	if err != nil {
		return nil, fmt.Errorf("digest template %s: %w", hname, err)
	}
	t, err := texttemplate.New(textTemplate).Funcs(texttemplate.FuncMap{"wrap": wrap, "underline": underline, "join": joinOutlets, "inc": func(i int) int { return i + 1 },
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return one
			}
			return many
		}}).Parse(string(tsrc))
	if err != nil {
		return nil, fmt.Errorf("digest template %s: %w", tname, err)
	}
	ts := &templateSet{html: h, text: t}
	// A template can parse yet fail to execute (an unknown field, an HTML
	// context html/template rejects): try every branch now, not at send time.
	for _, quiet := range []bool{false, true} {
		if _, _, err := ts.render(sampleIssue(quiet)); err != nil {
			return nil, err
		}
	}
	return ts, nil
}

// CheckTemplates reports an error when the operator's templates in
// override would not load: the check New makes, for a command to make it
// before it opens anything.
func CheckTemplates(override fs.FS) error {
	_, err := loadTemplates(override)
	return err
}

// sampleIssue fills every field the templates may use.
func sampleIssue(quiet bool) *Issue {
	is := &Issue{ID: "sample", Name: "Sample", Subject: "Sample", Period: "1–7 Jan 2026", Articles: 2, Stories: 1,
		Overview: "1 sample", Quiet: quiet, BaseURL: "https://example.org", FeedURL: "https://example.org/feed.atom",
		WebURL: "https://example.org/digests/sample", Unsubscribe: "https://example.org/unsubscribe?t=x",
		Preferences: "https://example.org/preferences?t=x", Themes: "Theme", Note: "A quiet week.", Cadence: Weekly,
		Links: []string{"https://example.org/articles/a", "https://example.org/articles/b"}}
	if !quiet {
		is.Sections = []Section{{Theme: theme.Theme{ID: "t", Name: "Theme", Description: "A theme.", Color: "#123456"},
			Articles: 2, Items: []Item{{Title: "Title", URL: "https://example.org/articles/a", Outlet: "Outlet", Date: "1 Jan 2026",
				Summary: "Summary.", Ref: 1, Also: []Also{{Outlet: "Other", URL: "https://example.org/articles/b", Ref: 2}}}},
			More: 1, MoreURL: "https://example.org/themes/t"}}
	}
	return is
}

// render executes both templates for one issue.
func (ts *templateSet) render(is *Issue) (html, text string, err error) {
	var hb, tb bytes.Buffer
	if err := ts.html.Execute(&hb, is); err != nil {
		return "", "", fmt.Errorf("render %s: %w", htmlTemplate, err)
	}
	if err := ts.text.Execute(&tb, is); err != nil {
		return "", "", fmt.Errorf("render %s: %w", textTemplate, err)
	}
	return hb.String(), tb.String(), nil
}

// wrap fills text to width columns, indenting continuation lines by indent
// spaces. The caller indents the first line by the same amount ("* " or
// "  "), so it counts too.
func wrap(width, indent int, s string) string {
	var b strings.Builder
	col := indent
	for i, w := range strings.Fields(s) {
		n := utf8.RuneCountInString(w)
		if i > 0 {
			if col+1+n > width {
				b.WriteString("\n" + strings.Repeat(" ", indent))
				col = indent
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(w)
		col += n
	}
	return b.String()
}

// underline returns a line of c as long as s.
func underline(c string, s string) string {
	return strings.Repeat(c, utf8.RuneCountInString(s))
}

// joinOutlets lists other outlets with their footnote numbers.
func joinOutlets(also []Also) string {
	parts := make([]string, len(also))
	for i, a := range also {
		parts[i] = fmt.Sprintf("%s [%d]", a.Outlet, a.Ref)
	}
	return strings.Join(parts, ", ")
}
