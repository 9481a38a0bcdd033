package article

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Parse extracts an Article from one raw seed file. The name gives the
// article's ID (the base name without extension), picks the extractor (a
// .html or .htm file is a web page, anything else raw text) and names the
// file in errors. ev is what the caller knows beyond the file's bytes: the
// clock (a stated date after ev.Now is rejected; a zero Now skips that
// check), the corpus's line statistics and the file's sidecar.
func Parse(name string, raw []byte, ev Evidence) (*Article, error) {
	return Read(name, raw).Parse(ev)
}

// File is one seed file read for extraction: a text file decoded once,
// for its LineKeys and its Parse.
type File struct {
	name     string
	raw      []byte // an HTML page's bytes, which go-trafilatura reads
	text     string
	warnings []string
	err      error // why the bytes are not text
}

// Read decodes a seed file's bytes (see Parse for what name means); an
// HTML page is kept as it is.
func Read(name string, raw []byte) *File {
	if isHTML(name) {
		return &File{name: name, raw: raw}
	}
	text, warnings, err := decode(raw)
	return &File{name: name, text: text, warnings: warnings, err: err}
}

// Name returns the file's name, as Read was given it.
func (f *File) Name() string { return f.name }

// Parse is the package's Parse of the file, with ev as its evidence.
func (f *File) Parse(ev Evidence) (*Article, error) {
	name := f.name
	if isHTML(name) {
		return parseHTML(name, f.raw, ev)
	}
	if f.err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, f.err)
	}
	warnings := slices.Clone(f.warnings)
	p := newPage(f.text, ev)
	start, end := p.region()
	if start < 0 {
		if start = p.fallbackStart(); start < 0 {
			return nil, fmt.Errorf("parse %s: %w", name, ErrNoText)
		}
		end = start + 1
	}
	a := &Article{ID: ID(name), Warnings: warnings}
	a.Body = p.keep(start, end)
	if len(a.Body) == 0 {
		return nil, fmt.Errorf("parse %s: %w", name, ErrNoText)
	}
	a.Body[0], a.Dateline, a.Agency = splitDateline(a.Body[0])
	if a.Body[0] == "" {
		a.Body = a.Body[1:]
	}
	if len(a.Body) == 0 {
		return nil, fmt.Errorf("parse %s: %w", name, ErrNoText)
	}
	if a.Agency == "" {
		a.Agency = p.agency(a.Body)
	}
	title, site, at := p.headline(start, a.Body)
	if title == "" {
		title, at = p.leadHeadline(start, a.Body)
	}
	a.Title = title
	p.date(a, ev.Now, at, start)
	a.Source = p.outlet(start, end, at, a.Body, site)
	if a.Title != "" {
		a.Body = dropTitleRepeats(a.Body, a.Title)
	}
	if len(a.Body) == 0 {
		return nil, fmt.Errorf("parse %s: %w", name, ErrNoText)
	}
	a.URL = p.statedURL()
	applySidecar(a, name, ev)
	finish(a)
	if n := p.count(kindCaption); n > 0 {
		a.Warnings = append(a.Warnings, fmt.Sprintf("removed %d photo caption(s)", n))
	}
	return a, nil
}

// urlLabel is a line stating the page's original address, as scrapers
// write it: "Source: https://…", "Original: …", "URL: …".
var urlLabel = regexp.MustCompile(`(?i)^(?:[-•*]\s*)?(?:source|original|url|original url|original link|source url|link|permalink|canonical)\s*:\s*(https?://\S+)$`)

// statedURL returns the original address the page states on a line of
// its own, or "".
func (p *page) statedURL() string {
	for _, l := range p.lines {
		if len(l.text) > 1000 || !strings.Contains(l.text, "http") {
			continue
		}
		if m := urlLabel.FindStringSubmatch(l.text); m != nil && validURL(m[1]) {
			return m[1]
		}
	}
	return ""
}

// finish derives what every extractor's article needs from its body and
// title: the summary, a title made from the lede when there is none, and
// the word count.
func finish(a *Article) {
	a.Summary = summarize(a.Body)
	if a.Title == "" {
		a.Title = synthesizeTitle(a.Summary)
		a.TitleSynthesized = true
		a.Warnings = append(a.Warnings, "no headline found: title synthesized from the lede")
	}
	a.Words = 0
	for _, para := range a.Body {
		a.Words += wordCount(para)
	}
	if a.Words < 40 {
		a.Warnings = append(a.Warnings, fmt.Sprintf("short body: %d words", a.Words))
	}
}

// ID returns the stable article id for a file name: its base name without
// the extension.
func ID(name string) string {
	base := filepath.Base(name)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// page is the classified lines of one file.
type page struct {
	lines []line
	// copied is true when nearly every line recurs in other documents.
	copied bool
	// noStops is true when the page's language has no stop-word list.
	noStops bool
}

func newPage(text string, ev Evidence) *page {
	ls := splitLines(text)
	for i := range ls {
		ls[i].lower = asciiLower(ls[i].text)
		ls[i].kind = classify(ls[i].text, ls[i].lower)
	}
	p := &page{lines: ls}
	p.markCaptions()
	p.features(ev)
	p.classifyLines()
	return p
}

// markCaptions makes a caption of a line with a photo's credit right
// under it: "Swedish police officer" / "- Copyright Fredrik Persson/AP",
// or a pull quote over "Photograph: AFP via Getty".
func (p *page) markCaptions() {
	for i := 0; i+1 < len(p.lines); i++ {
		l, next := &p.lines[i], &p.lines[i+1]
		switch l.kind {
		case kindPara, kindShort, kindTeaser:
		default:
			continue
		}
		// A credit is a few words: the pattern is not run on longer lines.
		if !next.gapBefore && next.kind != kindMeta && !moreWords(next.text, 12) && !strings.EqualFold(next.text, "by") && creditLineRe.MatchString(next.text) {
			l.kind = kindCaption
		}
	}
}

func (p *page) count(k kind) int {
	n := 0
	for _, l := range p.lines {
		if l.kind == k {
			n++
		}
	}
	return n
}

// foldHash is a 64-bit FNV-1a hash of strings.ToLower(s), computed
// without the lower-cased copy: ASCII a byte at a time, the rest a rune
// at a time as strings.ToLower maps it (an invalid byte becomes U+FFFD).
func foldHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			var buf [utf8.UTFMax]byte
			for _, r := range s[i:] {
				for _, b := range utf8.AppendRune(buf[:0], unicode.ToLower(r)) {
					h = (h ^ uint64(b)) * 1099511628211
				}
			}
			return h
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

// fnv64 is the 64-bit FNV-1a hash of s.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}

// dropTitleRepeats removes body paragraphs that only repeat the headline.
func dropTitleRepeats(body []string, title string) []string {
	out := body[:0]
	for _, b := range body {
		if !strings.EqualFold(b, title) {
			out = append(out, b)
		}
	}
	return out
}

// date sets Published from the best labelled date on the page: Published
// before Posted before Updated before Modified, the first of a rank wins.
// Without a label, a date next to the headline (line at; -1 for none) or,
// lacking one, just above the main text (line start) counts: the date a
// page prints under its headline or in its byline. A date anywhere else
// (a page header's today, a caption's, the body's) never does.
func (p *page) date(a *Article, now time.Time, at, start int) {
	var (
		best     stamp
		bestRank = 99
	)
	consider := func(text string, rank int) {
		if rank >= bestRank {
			return
		}
		st, ok := parseDate(text)
		if !ok || rank >= bestRank {
			return
		}
		if !plausible(st, now) {
			a.Warnings = append(a.Warnings, fmt.Sprintf("ignored implausible date %q", strings.TrimSpace(text)))
			return
		}
		best, bestRank = st, rank
	}
	for _, l := range p.lines {
		if l.kind != kindMeta {
			continue
		}
		if m := dateLabel.FindStringSubmatch(l.text); m != nil {
			consider(m[2], labelRank(m[1]))
			continue
		}
		if byline.MatchString(l.text) {
			if k := strings.IndexAny(l.text, ",|–—"); k > 0 {
				consider(l.text[k:], 1)
			}
			continue
		}
	}
	// The headline may be shown twice (page title, then heading): its
	// date sits by either copy, the chosen one's first.
	for _, h := range p.copiesOf(at, start) {
		for _, i := range p.nearHeadline(h, start) {
			if l := &p.lines[i]; bestRank == 99 && datedLine(l) {
				consider(l.text, 2)
			}
		}
	}
	if bestRank == 99 {
		a.Warnings = append(a.Warnings, warnNoDate)
		return
	}
	a.Published, a.PublishedPrecision = best.t, best.precision
}

// copiesOf lists line at and the other lines above start that repeat it;
// just -1 when at is.
func (p *page) copiesOf(at, start int) []int {
	out := []int{at}
	if at < 0 {
		return out
	}
	for j := 0; j < min(start, len(p.lines)); j++ {
		if j != at && p.lines[j].key == p.lines[at].key {
			out = append(out, j)
		}
	}
	return out
}

// nearHeadline lists the lines where a page prints its article's date,
// nearest first: the ten below the headline and the three above it.
// Without a headline, the lines just above the main text.
func (p *page) nearHeadline(at, start int) []int {
	var out []int
	if at < 0 {
		for i := start - 1; i >= max(0, start-6); i-- {
			out = append(out, i)
		}
		return out
	}
	last := min(len(p.lines), at+11)
	for d := 1; d <= 10; d++ {
		if i := at + d; i < last {
			out = append(out, i)
		}
		if i := at - d; i >= 0 && d <= 3 {
			out = append(out, i)
		}
	}
	return out
}

// datedLine reports a line that may hold an article's date: short, not a
// sentence of the text, a caption or an embedded post's signature.
func datedLine(l *line) bool {
	if l.words > 20 || len(l.text) > 160 || l.kind == kindCaption || l.kind == kindChrome || l.kind == kindEnd {
		return false
	}
	if l.kind == kindPara && l.words > 8 || strings.Contains(l.text, "(@") || strings.HasPrefix(l.text, "—") {
		return false
	}
	return true
}
