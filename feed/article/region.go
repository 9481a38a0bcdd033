package article

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// class is how likely a line is to be article text, as in jusText.
type class int8

const (
	classBad      class = iota // furniture, metadata, templates
	classShort                 // too short to judge alone
	classNearGood              // prose-like but weak
	classGood                  // prose
)

// features fills in what the extractor scores a line on: its words, stop
// words and capitals, how many corpus documents share it, how often it
// repeats in the page.
func (p *page) features(ev Evidence) {
	counts := make(map[uint64]int, len(p.lines))
	for i := range p.lines {
		l := &p.lines[i]
		l.key = lineKey(l.text)
		counts[l.key]++
		l.words, l.stops, l.caps = textStats(l.text)
		// Chinese and Japanese are written without spaces: count a word
		// for every three characters.
		if runes := utf8.RuneCountInString(l.text); l.words*12 < runes {
			l.words = max(l.words, runes/3)
		}
	}
	shared := 0
	for i := range p.lines {
		l := &p.lines[i]
		l.rep = counts[l.key]
		if ev.Docs >= 2 && ev.LineDF != nil {
			l.df = ev.LineDF[l.key]
			if l.df >= 2 {
				shared++
			}
		}
	}
	// A page whose lines nearly all recur elsewhere is a copy of another
	// file, not a page of a site's template: the frequencies say nothing
	// of which of its lines are chrome.
	p.copied = len(p.lines) > 0 && shared*10 >= len(p.lines)*9
	var words, stops int
	for _, l := range p.lines {
		words += l.words
		stops += l.stops
	}
	// A language without a stop-word list is judged on shape alone.
	p.noStops = words == 0 || stops*25 < words
}

// template reports a line that several documents of the corpus share: a
// site's navigation, footer or section names. A long sentence is never a
// template for repeating alone: wire copy repeats real sentences across
// outlets.
func (p *page) template(l *line) bool {
	if p.copied || l.df < 2 {
		return false
	}
	return !(l.words >= 12 && endsSentence(l.text))
}

// stopDensity is the share of a line's words that are stop words.
func (l *line) stopDensity() float64 {
	if l.words == 0 {
		return 0
	}
	return float64(l.stops) / float64(l.words)
}

// classify gives each line its class alone, then revises short and
// near-good lines by their neighbours, as jusText does.
func (p *page) classifyLines() {
	good := 0
	for i := range p.lines {
		c := p.initialClass(&p.lines[i])
		p.lines[i].class = c
		if c == classGood {
			good++
		}
	}
	// A short page of plain sentences has no line good enough alone: its
	// near-good lines are the best it has.
	if good == 0 {
		for i := range p.lines {
			if p.lines[i].class == classNearGood {
				p.lines[i].class = classGood
			}
		}
	}
	p.reviseByContext()
}

func (p *page) initialClass(l *line) class {
	switch l.kind {
	case kindChrome, kindEnd, kindJunk, kindCaption, kindMeta:
		return classBad
	}
	if p.template(l) {
		return classBad
	}
	n := len(l.text)
	sentence := endsSentence(l.text)
	if l.rep > 1 && !sentence && l.words < 12 {
		return classBad // a menu item or a headline shown twice
	}
	if l.kind == kindTeaser && l.words < 40 {
		return classShort
	}
	if n < 50 || l.words < 6 {
		return classShort
	}
	d := l.stopDensity()
	if p.noStops {
		switch {
		case sentence && (n >= 100 || l.words >= 12):
			return classGood
		case sentence || n >= 150:
			return classNearGood
		}
		return classBad
	}
	switch {
	case d >= 0.30 && (n >= 150 || sentence && n >= 80):
		return classGood
	case d >= 0.22 && (sentence || n >= 120):
		return classNearGood
	case d >= 0.15 && n >= 120, d >= 0.08 && sentence && l.words >= 8:
		return classNearGood
	}
	return classBad
}

// reviseByContext is jusText's context pass: a short line between good
// lines is good, between bad ones bad; a near-good line next to a good one
// is good. The page's edges count as bad.
func (p *page) reviseByContext() {
	ls := p.lines
	// neighbour returns the class of the nearest line from i in direction
	// dir that is neither short nor, with skipNear, near-good.
	neighbour := func(i, dir int, skipNear bool) class {
		for j := i + dir; j >= 0 && j < len(ls); j += dir {
			c := ls[j].class
			if c == classShort || skipNear && c == classNearGood {
				continue
			}
			return c
		}
		return classBad
	}
	revised := make([]class, len(ls))
	for i := range ls {
		c := ls[i].class
		revised[i] = c
		switch c {
		case classShort:
			prev, next := neighbour(i, -1, true), neighbour(i, 1, true)
			switch {
			case prev == classGood && next == classGood:
				revised[i] = classGood
			case prev == classBad && next == classBad:
				revised[i] = classBad
			case prev == classBad && neighbour(i, -1, false) == classNearGood,
				next == classBad && neighbour(i, 1, false) == classNearGood:
				revised[i] = classGood
			default:
				revised[i] = classBad
			}
		case classNearGood:
			prev, next := neighbour(i, -1, true), neighbour(i, 1, true)
			if prev == classBad && next == classBad {
				revised[i] = classBad
			} else {
				revised[i] = classGood
			}
		}
	}
	for i := range ls {
		ls[i].class = revised[i]
	}
}

// furniturePhrases mark a sentence as the site talking about itself
// rather than the story: newsletters, apps, social accounts, cookies,
// affiliate links, comment rules, copyright.
var furniturePhrases = newPhraseSet(
	"newsletter", "sign up", "signup", "subscribe", "follow us", "follow @", "like us on",
	"click here", "cookie", "affiliate", "trademark", "all rights reserved", "terms of use", "terms of service",
	"privacy policy", "comment section", "comments section", "comment policy", "community guidelines", "leave a comment",
	"post a comment", "rewritten, or redistributed", "redistributed", "download the app", "our app", "your inbox",
	"in your inbox", "read more", "learn more", "you may also", "recommended links",
	"purchase something through", "javascript", "your browser", "log in", "sign in", "register now", "share this",
	"listen back", "watch live", "email us", "contact us", "tip us", "send us", "the best deals", "free trial",
)

// furniture reports a line in which the site talks about itself.
func furniture(s string) bool {
	return len(s) < 400 && furniturePhrases.in(asciiLower(s))
}

// region returns the main text as the lines [start, end) whose scores
// have the greatest sum (Body Text Extraction's maximum-sum run): good
// lines count for their words, the rest against. start is -1 when the page
// has no line worth keeping.
func (p *page) region() (start, end int) {
	best, sum := 0.0, 0.0
	start, end = -1, -1
	from := 0
	for i := range p.lines {
		v := p.lineScore(&p.lines[i])
		if sum <= 0 {
			sum, from = 0, i
		}
		sum += v
		if sum > best {
			best, start, end = sum, from, i+1
		}
	}
	return start, end
}

func (p *page) lineScore(l *line) float64 {
	switch {
	case l.kind == kindEnd:
		return -25
	case l.class == classGood && furniture(l.text):
		return -3
	case l.class == classGood:
		return float64(l.words)
	case p.template(l):
		return -float64(4 + l.words)
	}
	return -float64(2 + l.words/2)
}

// fallbackStart is the first line with a sentence in it, for a page where
// no line scored as prose: a page with a paragraph of prose is never
// rejected.
func (p *page) fallbackStart() int {
	for i, l := range p.lines {
		switch l.kind {
		case kindChrome, kindEnd, kindJunk, kindCaption, kindMeta:
			continue
		}
		if endsSentence(l.text) && moreWords(l.text, 3) {
			return i
		}
	}
	return -1
}

// keep returns the article's paragraphs among lines [start, end): the good
// ones, in order, each once.
func (p *page) keep(start, end int) []string {
	// The text's edges hold the site's own sentences: newsletters,
	// comment rules, affiliate notices.
	for end > start+1 && (p.lines[end-1].class != classGood || furniture(p.lines[end-1].text)) {
		end--
	}
	for start < end-1 && (p.lines[start].class != classGood || furniture(p.lines[start].text)) {
		start++
	}
	start = p.trimLead(start, end)
	var out []string
	seen := map[uint64]bool{}
	var firstKey uint64
	for i := start; i < end; i++ {
		l := &p.lines[i]
		if l.class != classGood && !(i == start && start == end-1) || furniture(l.text) && l.words < 40 && end-start > 1 {
			continue
		}
		text := trimSeparator(l.text)
		if text == "" || !hasLetter(text) {
			continue
		}
		if seen[l.key] {
			// A standfirst shown again where the text begins: keep the
			// copy in the article's flow.
			if l.key == firstKey && len(out) > 0 {
				out = append(out[1:], text)
				firstKey = 0
			}
			continue
		}
		if len(out) == 0 {
			firstKey = l.key
		}
		seen[l.key] = true
		out = append(out, text)
	}
	return out
}

// trimLead moves the start of the text [start, end) past a lead-in that
// is not the article's: a standfirst or a caption parted from the text by
// a byline, a date or a photo credit, or teasers above a paragraph that
// opens with a dateline. What it drops is short, a few sentences at most.
func (p *page) trimLead(start, end int) int {
	const (
		maxLead     = 70  // words before a byline or a date
		maxDateline = 150 // words before a dateline: a summary in bullets
	)
	words, good := 0, 0
	for i := start; i < end && i < start+12 && words <= maxDateline; i++ {
		l := &p.lines[i]
		if l.class != classGood {
			continue
		}
		if i > start && good <= 4 {
			if _, place, _ := splitDateline(l.text); place != "" {
				return i // the dateline opens the story
			}
			if words <= maxLead && p.partedByMeta(i) {
				return i
			}
		}
		good++
		words += l.words
	}
	return start
}

// partedByMeta reports a good line i whose nearest good line above is
// parted from it by a byline, a date or a photo credit.
func (p *page) partedByMeta(i int) bool {
	meta := false
	for j := i - 1; j >= 0; j-- {
		l := &p.lines[j]
		if l.class == classGood {
			return meta
		}
		switch {
		case l.kind == kindMeta, l.kind == kindCaption, creditLineRe.MatchString(l.text):
			meta = true
		}
	}
	return false
}

// creditLineRe is a photo credit or a lone "By" on a line of its own.
var creditLineRe = regexp.MustCompile(`(?i)^(?:by|\(?(?:image|photo|photograph|picture)s?\s*(?::|by|credit)[^)]*\)?|.{0,60}\|\s*getty images|.{0,40}(?:getty images|/ ?reuters|/ ?ap|/ ?afp))$`)

// contentWords returns the lower-cased words of s that are not stop
// words, three letters or more.
func contentWords(s string) []string {
	var out []string
	for _, w := range strings.Fields(s) {
		w = strings.Trim(w, `.,;:!?"'“”‘’«»()[]…—–-|`)
		if len(w) < 3 {
			continue
		}
		w = lowerWord(w)
		if !stopWords[w] {
			out = append(out, w)
		}
	}
	return out
}
