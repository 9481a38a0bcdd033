package article

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-shiori/dom"
	"github.com/markusmobius/go-htmldate"
	"github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/unicode/norm"
)

// isHTML reports a seed that is a saved web page, by its extension.
func isHTML(name string) bool {
	switch strings.ToLower(extOf(name)) {
	case ".html", ".htm":
		return true
	}
	return false
}

// htmlDateOptions ask htmldate for the date the page's metadata and markup
// state, never one found by scanning the text (which finds dates that are
// not the publication's). Its day only: with times, htmldate picks among a
// page's several stated times in map order, so one page gave 06:37 or 06:40
// from run to run; the time comes from statedTime. SkipExtensiveSearch is
// also what lets go.mod replace go-dateparser, the extensive search's only
// user, with internal/nodateparser.
var htmlDateOptions = &htmldate.Options{UseOriginalDate: true, SkipExtensiveSearch: true}

// parseHTML extracts an Article from a saved web page with go-trafilatura:
// its body, title, site name, the date its metadata states (never one
// guessed from the text) and its canonical URL.
func parseHTML(name string, raw []byte, ev Evidence) (*Article, error) {
	if len(raw) > MaxSize {
		return nil, fmt.Errorf("parse %s: %w (%d bytes, limit %d)", name, ErrTooLarge, len(raw), MaxSize)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, fmt.Errorf("parse %s: %w", name, ErrEmpty)
	}
	doc, warnings, err := parseDocument(raw)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	stated, hasTime := statedTime(doc) // before the extraction changes the tree
	res, err := trafilatura.ExtractDocument(doc, trafilatura.Options{
		EnableFallback:  true,
		ExcludeComments: true,
		HtmlDateOptions: htmlDateOptions,
	})
	if err != nil || res == nil {
		// The library reports a page it finds no text in as an error.
		return nil, fmt.Errorf("parse %s: %w", name, ErrNoText)
	}
	a := &Article{ID: ID(name), Warnings: warnings}
	a.Title = cleanField(res.Metadata.Title)
	a.Source = cleanField(res.Metadata.Sitename)
	a.Title = cutSiteSuffix(a.Title, a.Source)
	if validURL(res.Metadata.URL) {
		a.URL = res.Metadata.URL
	}
	var text strings.Builder
	blockText(&text, res.ContentNode)
	for _, para := range strings.Split(normalize([]byte(text.String())), "\n") {
		para = strings.TrimSpace(para)
		if para == "" || !hasLetter(para) {
			continue
		}
		a.Body = append(a.Body, para)
	}
	// The text may begin with the headline.
	if len(a.Body) > 0 && a.Title != "" && strings.EqualFold(a.Body[0], a.Title) {
		a.Body = a.Body[1:]
	}
	if !hasProse(a.Body) {
		return nil, fmt.Errorf("parse %s: %w", name, ErrNoText)
	}
	a.Body[0], a.Dateline, a.Agency = splitDateline(a.Body[0])
	if a.Body[0] == "" {
		a.Body = a.Body[1:]
	}
	if len(a.Body) == 0 {
		return nil, fmt.Errorf("parse %s: %w", name, ErrNoText)
	}
	d := res.Metadata.Date
	if hasTime && (d.IsZero() || stated.UTC().Format(time.DateOnly) == d.Format(time.DateOnly)) {
		d = stated
	}
	if !d.IsZero() {
		if plausible(stamp{t: d}, ev.Now) {
			a.Published, a.PublishedPrecision = d.UTC(), precisionOf(d)
		} else {
			a.Warnings = append(a.Warnings, fmt.Sprintf("ignored implausible date %s", d.Format(time.RFC3339)))
		}
	} else {
		a.Warnings = append(a.Warnings, warnNoDate)
	}
	applySidecar(a, name, ev)
	finish(a)
	return a, nil
}

// statedTime returns the publication time the page states in a standard
// meta tag (Open Graph's article:published_time, schema.org's
// datePublished) as a full RFC 3339 time, the first in document order.
func statedTime(doc *html.Node) (time.Time, bool) {
	for _, sel := range []string{`meta[property="article:published_time"]`, `meta[itemprop="datePublished"]`} {
		for _, n := range dom.QuerySelectorAll(doc, sel) {
			if t, err := time.Parse(time.RFC3339, strings.TrimSpace(dom.GetAttribute(n, "content"))); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// precisionOf guesses how much of a metadata time was stated: a time at
// midnight exactly is a bare date.
func precisionOf(t time.Time) Precision {
	switch {
	case t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0:
		return PrecisionDate
	case t.Second() == 0:
		return PrecisionMinute
	}
	return PrecisionSecond
}

// cutSiteSuffix removes a site name the page's title ends with ("Headline
// | Site"), when it is the page's site name or the page names none.
func cutSiteSuffix(title, site string) string {
	m := siteSuffix.FindStringSubmatch(title)
	if m == nil || wordCount(m[2]) > 5 {
		return title
	}
	tail := strings.ToLower(strings.TrimSpace(m[2]))
	s := strings.ToLower(site)
	if site == "" || strings.Contains(tail, s) || strings.Contains(s, tail) {
		return strings.TrimSpace(m[1])
	}
	return title
}

// blockElements are the elements whose text is a paragraph of its own.
var blockElements = map[string]bool{
	"p": true, "div": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"li": true, "blockquote": true, "pre": true, "tr": true, "br": true, "section": true, "article": true,
	"ul": true, "ol": true, "table": true, "figure": true, "figcaption": true, "head": true, "quote": true,
	"list": true, "item": true, "lb": true, "row": true, "hi": false,
}

// blockText writes the text of n with a line break around every block
// element, so each paragraph of the page is one line.
func blockText(b *strings.Builder, n *html.Node) {
	if n == nil {
		return
	}
	switch n.Type {
	case html.TextNode:
		b.WriteString(strings.ReplaceAll(n.Data, "\n", " "))
		return
	case html.ElementNode:
		if blockElements[n.Data] {
			b.WriteByte('\n')
			defer b.WriteByte('\n')
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		blockText(b, c)
	}
}

// hasProse reports a body with at least one sentence of four words or
// more, or of 40 characters in a script written without spaces.
func hasProse(body []string) bool {
	for _, p := range body {
		if moreWords(p, 3) || utf8.RuneCountInString(p) >= 40 {
			return true
		}
	}
	return false
}

// parseDocument parses a page. A byte-order mark or the page's own
// <meta charset> decides its encoding; without either, valid UTF-8 is read
// as UTF-8, and UTF-8 with a few broken bytes has them replaced (with a
// warning): a legacy encoding's high bytes almost never form valid UTF-8,
// while a detector guessing from a short page can take UTF-8 for
// Windows-1252. Anything else is left to go-trafilatura's detection.
func parseDocument(raw []byte) (*html.Node, []string, error) {
	var warnings []string
	enc, name, certain := charset.DetermineEncoding(raw, "text/html")
	valid := utf8.Valid(raw)
	fallback := "windows-1252" // what DetermineEncoding says when nothing is declared
	if valid {
		fallback = "utf-8"
	}
	switch {
	case certain || !valid && name != fallback: // a BOM, or a declared charset for bytes that are not UTF-8
		if name == "utf-8" && !valid {
			_, invalid := utf8Stats(raw)
			warnings = append(warnings, fmt.Sprintf("replaced %d invalid UTF-8 byte sequence(s)", invalid))
		}
		out, err := enc.NewDecoder().Bytes(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("decode %s: %w", name, err)
		}
		raw = out
	case valid:
	default:
		if v, invalid := utf8Stats(raw); v > 0 && v*4 >= invalid {
			raw = bytes.ToValidUTF8(raw, []byte("\uFFFD"))
			warnings = append(warnings, fmt.Sprintf("replaced %d invalid UTF-8 byte sequence(s)", invalid))
		} else {
			if isBinary(raw) {
				return nil, nil, ErrBinary
			}
			doc, err := dom.Parse(bytes.NewReader(raw))
			return doc, nil, err
		}
	}
	if isBinary(raw) {
		return nil, nil, ErrBinary
	}
	raw = bytes.TrimPrefix(raw, []byte{0xEF, 0xBB, 0xBF})
	doc, err := html.Parse(bytes.NewReader(norm.NFC.Bytes(raw)))
	return doc, warnings, err
}
