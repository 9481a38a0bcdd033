package article

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// maxSummary is the longest summary, in characters, before cutting.
	maxSummary = 300
	// maxTitle is the longest synthesized title, in characters.
	maxTitle = 110
)

// sentenceEnd finds a sentence boundary: closing punctuation and optional
// closing quotes, then a space and a capital, digit or opening quote.
var sentenceEnd = regexp.MustCompile(`[.!?…]["'”’»)]*\s+["'“‘«(]?[\p{Lu}\d]`)

// summarize returns the lede: the first paragraph, cut at a sentence
// boundary (or else a word boundary) to at most about maxSummary characters.
func summarize(body []string) string {
	if len(body) == 0 {
		return ""
	}
	lede := body[0]
	// A very short first paragraph (a one-line quote) says little alone.
	if utf8.RuneCountInString(lede) < 80 && len(body) > 1 {
		lede += " " + body[1]
	}
	if utf8.RuneCountInString(lede) <= maxSummary {
		return lede
	}
	cut := ""
	// A boundary past maxSummary is of no use: search only as far as one
	// could be, plus the few characters a match looks ahead.
	for _, m := range sentenceEnd.FindAllStringIndex(runePrefix(lede, maxSummary+16), -1) {
		end := m[0] + strings.IndexAny(lede[m[0]:], " ")
		if utf8.RuneCountInString(lede[:end]) > maxSummary {
			break
		}
		cut = lede[:end]
	}
	if utf8.RuneCountInString(cut) >= 80 {
		return cut
	}
	return cutWords(lede, maxSummary-1) + "…"
}

// runePrefix returns the first n runes of s (all of s when shorter).
func runePrefix(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// cutWords returns the longest prefix of s of at most n characters that
// ends at a word boundary.
func cutWords(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	cut := string(runes[:n])
	if i := strings.LastIndex(cut, " "); i > 0 && runes[n] != ' ' {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:—–-")
}

var (
	// weekday drops "on Tuesday" and the like, which headlines leave out.
	weekday = regexp.MustCompile(`(?i),?\s+(?:on|last|this)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b,?`)
	// attribution is a closing "..., officials said." dropped from headlines.
	attribution = regexp.MustCompile(`(?i),\s+(?:according to [^,]{2,60}|[^,]{2,60}?\s+(?:said|says|told [^,]{2,30}|announced|reported|added|noted|stated)(?: on \w+| in a statement)?)\s*[.!]?["”’]*$`)
	// aside is a parenthesis, dropped from headlines.
	aside = regexp.MustCompile(`\s*\([^)]*\)`)
	// weakTail are words a headline must not end on.
	weakTail = map[string]bool{
		"a": true, "an": true, "the": true, "of": true, "to": true, "in": true, "on": true, "at": true,
		"for": true, "with": true, "by": true, "and": true, "or": true, "but": true, "from": true,
		"his": true, "her": true, "its": true, "their": true, "that": true, "this": true, "is": true,
		"was": true, "as": true, "into": true, "about": true, "has": true, "have": true, "had": true,
		"be": true, "been": true, "will": true, "would": true, "said": true, "than": true, "between": true,
		"if": true, "when": true, "could": true, "can": true, "should": true, "may": true, "might": true,
		"after": true, "before": true, "since": true, "because": true, "while": true, "amid": true,
		"over": true, "under": true, "who": true, "which": true, "where": true, "not": true, "are": true, "were": true,
	}
)

// synthesizeTitle makes a headline from the lede's first sentence: asides
// and weekdays dropped, cut at a clause boundary (or a word boundary) to at
// most maxTitle characters, with no trailing punctuation.
func synthesizeTitle(lede string) string {
	s := lede
	if m := sentenceEnd.FindStringIndex(s); m != nil {
		_, size := utf8.DecodeRuneInString(s[m[0]:]) // "…" is three bytes
		s = s[:m[0]+size]
	}
	s = attribution.ReplaceAllString(s, "")
	// The patterns need a "(" and a weekday's "day": skip them without.
	if strings.IndexByte(s, '(') >= 0 {
		s = aside.ReplaceAllString(s, "")
	}
	if strings.Contains(asciiLower(s), "day") {
		s = weekday.ReplaceAllString(s, "")
	}
	s = singleSpaced(s)
	if utf8.RuneCountInString(s) > maxTitle {
		best := ""
		for _, at := range clauseBreaks(s) {
			if utf8.RuneCountInString(s[:at]) > maxTitle {
				break
			}
			best = s[:at]
		}
		if utf8.RuneCountInString(best) >= 40 {
			s = best
		} else {
			s = cutPhrase(s, maxTitle)
		}
	}
	return trimTitle(s)
}

// clauseWords open a clause; a long sentence can be cut into a headline
// before one.
var clauseWords = []string{"which", "who", "where", "while", "after", "before", "as", "because", "although", "amid", "during", "following"}

// clauseBreaks returns where a long sentence can be cut into a headline:
// before ", ", "; ", ": ", a dash between spaces or a clause word
// (clauseWords) between spaces. A break's characters are not part of the
// next one. (A scan, not a regular expression: run at every byte of a
// lede, one cost a tenth of a parse.)
func clauseBreaks(s string) []int {
	var out []int
	for i := 0; i < len(s); {
		n := clauseBreakLen(s[i:])
		if n == 0 {
			i++
			continue
		}
		out = append(out, i)
		i += n
	}
	return out
}

// clauseBreakLen is the length of the clause break that s begins with,
// or 0.
func clauseBreakLen(s string) int {
	if len(s) < 2 {
		return 0
	}
	switch c := s[0]; {
	case c == ',' || c == ';' || c == ':':
		if asciiSpace(s[1]) {
			return 2
		}
		return 0
	case !asciiSpace(c):
		return 0
	}
	rest := s[1:]
	for _, w := range clauseWords {
		if len(rest) > len(w) && strings.HasPrefix(rest, w) && asciiSpace(rest[len(w)]) {
			return 1 + len(w) + 1
		}
	}
	for _, dash := range []string{"—", "–"} {
		if len(rest) > len(dash) && strings.HasPrefix(rest, dash) && asciiSpace(rest[len(dash)]) {
			return 1 + len(dash) + 1
		}
	}
	return 0
}

// asciiSpace reports the bytes \s matches in a regular expression.
func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// phraseStart are words that open a phrase: a headline cut before one
// ends on a whole phrase ("... a political resolution"), where a cut
// elsewhere can end inside one ("... resolution of the Nagorno-Karabakh").
var phraseStart = map[string]bool{
	"of": true, "for": true, "in": true, "on": true, "at": true, "with": true, "by": true,
	"from": true, "to": true, "and": true, "or": true, "but": true, "as": true, "into": true,
	"about": true, "against": true, "after": true, "before": true, "amid": true, "during": true,
	"over": true, "under": true, "between": true, "that": true, "which": true, "who": true,
	"while": true, "because": true, "since": true, "until": true, "without": true,
}

// cutPhrase returns the longest prefix of s of at most n characters that
// ends before a word opening a phrase, so no phrase is cut in two; when
// none is at least 40 characters long, it cuts at a word boundary.
func cutPhrase(s string, n int) string {
	words := strings.Fields(s)
	best, length := "", 0
	for i, w := range words {
		if i > 0 && length >= 40 && phraseStart[strings.ToLower(w)] {
			best = strings.Join(words[:i], " ")
		}
		length += utf8.RuneCountInString(w) + 1
		if length-1 > n {
			break
		}
	}
	if best == "" {
		return cutWords(s, n)
	}
	return best
}

// trimTitle removes trailing punctuation and weak words.
func trimTitle(s string) string {
	for {
		s = strings.TrimRight(s, " .,;:!?…—–-\"'“”‘’")
		i := strings.LastIndex(s, " ")
		if i < 0 || !weakTail[strings.ToLower(s[i+1:])] {
			return s
		}
		s = s[:i]
	}
}

// siteSuffix splits "Headline | Site" and "Headline - Site": a short tail
// after a separator names the site.
var siteSuffix = regexp.MustCompile(`^(.{12,}?)\s+(?:\||-|–|—|::|·|»)\s+([^|–—·»]{2,40})$`)

// headline picks the title among the headline-shaped lines above the main
// text: the one sharing most content words with the lede, nearer the text
// breaking ties, a headline shown twice preferred. It returns the title and
// any site name cut from its end, or "" when no line will do, and the
// index of its line (-1 for none).
func (p *page) headline(start int, body []string) (title, site string, at int) {
	at = -1
	lede := map[string]bool{}
	n := 0
	for _, b := range body {
		for w := range contentWords(b) {
			lede[w] = true
		}
		if n++; n == 3 {
			break
		}
	}
	// A standfirst between the headline and the text shares its words too.
	for i := max(0, start-8); i < start; i++ {
		if l := &p.lines[i]; l.class == classGood && l.kind == kindPara {
			for w := range contentWords(l.text) {
				lede[w] = true
			}
		}
	}
	bestScore := 0.0
	crumb := p.lastCrumb(start)
	consider := func(i int, text, suffix string) {
		words, shared := 0, 0
		for w := range contentWords(text) {
			words++
			if lede[w] {
				shared++
			}
		}
		if words == 0 {
			return
		}
		dist := start - i
		if shared == 0 && dist > 3 && !p.bylineAfter(i) {
			return // far from the text, sharing nothing, and no byline under it
		}
		// Few words share little by chance: smooth the share.
		score := float64(shared)/float64(words+1) - 0.004*float64(dist)
		l := &p.lines[i]
		if l.rep > 1 && p.shownTwice(i) {
			score += 0.15 // a headline shown twice: page title and heading
		}
		if p.template(l) {
			score -= 0.4 // other pages show it too, unless as a link to this one
		}
		if p.bylineAfter(i) {
			score += 0.3
		}
		if i == crumb {
			score += 0.3 // the last crumb of the page's breadcrumbs
		}
		// A line shown twice in a row is a page's title over its heading,
		// which no list of links or menu repeats.
		if doubled := p.doubled(i); !doubled && p.inList(i) {
			score -= 0.2
		} else if !doubled && p.inMenu(i) {
			score -= 0.3
		}
		if agencies[strings.ToLower(text)] != "" || creditTeam.MatchString(text) {
			score -= 0.5 // a credit: "The Associated Press", "CTV News Digital Team"
		}
		if twoSentences(text) {
			score -= 0.3 // a caption or a teaser
		}
		if i > 0 && mediaLabel(&p.lines[i-1]) {
			score -= 0.3 // a video's title under its label
		}
		if personLine.MatchString(text) || strings.ContainsAny(text, "@") || strings.Contains(text, "://") || p.bylineUnder(i) || p.underBy(i) {
			score -= 0.5 // a byline, an address
		}
		if score > bestScore || title == "" && score > -0.05 {
			bestScore, title, site, at = score, text, suffix, i
		}
	}
	for i := max(0, start-60); i < start; i++ {
		l := &p.lines[i]
		if !p.headlineShaped(l) && !p.shortHeadline(i, lede) && i != crumb || l.furniture() || i == start-1 && len(body) > 0 && trimSeparator(l.text) == body[0] {
			continue // the site's furniture, or the line opening the text ("Here's why:")
		}
		text := trimSeparator(l.text)
		consider(i, text, "")
		if m := siteSuffix.FindStringSubmatch(text); m != nil && wordCount(m[2]) <= 5 {
			consider(i, m[1], m[2])
		}
	}
	if k := at - 1; at > 0 && site == "" && p.overDek(k, at, lede) {
		return trimSeparator(p.lines[k].text), "", k
	}
	return title, site, at
}

// overDek reports line k as the headline over line i, its dek: a
// standfirst under a headline shares the lede's words more than the
// headline does, being longer. k is a short headline-shaped line, not in
// a list of links, sharing a word with the lede; i is longer by half.
func (p *page) overDek(k, i int, lede map[string]bool) bool {
	head, dek := &p.lines[k], &p.lines[i]
	if !p.headlineShaped(head) || head.words < 3 || dek.words < 8 || 2*dek.words < 3*head.words ||
		p.template(head) || p.inMenu(k) || twoSentences(head.text) {
		return false
	}
	if k > 0 && p.listItem(k-1) {
		return false // one of a list of links to other stories
	}
	for w := range contentWords(head.text) {
		if lede[w] {
			return true
		}
	}
	return false
}

// listItem reports a line that may be one of a list of links: a
// headline-shaped line of a few words, not an address.
func (p *page) listItem(j int) bool {
	l := &p.lines[j]
	return p.headlineShaped(l) && l.words >= 4 && !strings.Contains(l.text, "://")
}

// bylineUnder reports line i as a byline without its "By" between a
// headline and its date: a name and an outlet ("Jane Doe, The Daily
// Planet") under a headline-shaped line, over a date line.
func (p *page) bylineUnder(i int) bool {
	return i > 0 && i+1 < len(p.lines) && p.lines[i+1].kind == kindMeta && p.headlineShaped(&p.lines[i-1]) &&
		nameAndOutlet.MatchString(p.lines[i].text)
}

// nameAndOutlet is a name of two to four capitalised words, a comma and
// up to four more capitalised words.
var nameAndOutlet = regexp.MustCompile(`^\p{Lu}[\p{L}.'’-]+(?:\s+\p{Lu}[\p{L}.'’-]*){1,3},\s*\p{Lu}[\p{L}.&'’-]*(?:\s+\p{Lu}[\p{L}.&'’-]*){0,3}$`)

// personLine is a byline without its "By": a name and a role.
var personLine = regexp.MustCompile(`^\p{Lu}[\p{L}.'’-]+(?:\s+\p{Lu}[\p{L}.'’-]*){1,3}\s*[,|]\s*[\p{L} ]*(?i:writer|reporter|editor|correspondent|staff|contributor|columnist|producer)s?$`)

// gluedSentence is a sentence's end with the next one glued to it, as a
// caption and its credit are in a page's text.
var gluedSentence = regexp.MustCompile(`\p{Ll}{2}[.!?]["”’]?\p{Lu}\p{Ll}`)

// twoSentences reports text holding a sentence boundary, other than the
// full stop of an abbreviation ("Rep. Ilhan Omar", "U.S. Senate").
func twoSentences(text string) bool {
	if gluedSentence.MatchString(text) {
		return true // "The road isn't easy.Kathrin Ziegler/Getty"
	}
	for _, m := range sentenceEnd.FindAllStringIndex(text, -1) {
		if m[1] >= len(text)-1 {
			continue
		}
		word := text[strings.LastIndexByte(text[:m[0]], ' ')+1 : m[0]]
		if text[m[0]] == '.' && (len(word) <= 3 && word != "" && unicode.IsUpper([]rune(word)[0]) || strings.Contains(word, ".")) {
			continue
		}
		return true
	}
	return false
}

// headlineShaped reports a line that could be a headline: a few words,
// no closing full stop, not furniture and not a site's template.
func (p *page) headlineShaped(l *line) bool {
	switch l.kind {
	case kindChrome, kindEnd, kindJunk, kindCaption, kindMeta, kindBullet, kindTeaser:
		return false
	}
	if l.words < 3 || l.words > 30 || len(l.text) > 250 || tableRow(l.text) {
		return false
	}
	t := strings.TrimRight(l.text, `"'”’») `)
	return !strings.HasSuffix(t, ".") || strings.HasSuffix(t, "...")
}

// tableRow reports a line that is more than half numbers: a row of a table
// of scores or prices ("Palm Bay 18 22 13 17 — 70"), not a headline.
func tableRow(s string) bool {
	words, numbers := 0, 0
	for w := range strings.FieldsSeq(s) {
		words++
		if strings.Trim(w, "0123456789.,:%$€£-–—()") == "" && strings.ContainsAny(w, "0123456789") {
			numbers++
		}
	}
	return numbers*2 > words
}

// bylineAfter reports a byline or a date within three lines after line i,
// where a headline's metadata sits: a labelled line, or a short line that
// reads as a date ("Monday November 18, 2019 7:45 am PST by Jane Doe").
func (p *page) bylineAfter(i int) bool {
	for j := i + 1; j < min(len(p.lines), i+4); j++ {
		l := &p.lines[j]
		if l.kind == kindMeta || loneBy(l) {
			return true
		}
		if l.kind == kindShort && l.words <= 15 {
			if _, ok := parseDate(l.text); ok {
				return true
			}
		}
	}
	return false
}

// mediaLabel reports a label over a video or a podcast player: the
// line under it is the clip's title.
func mediaLabel(l *line) bool {
	switch strings.Trim(l.lower, " :▶►") {
	case "video", "watch", "watch video", "play video", "watch now", "listen", "podcast", "audio":
		return true
	}
	return false
}

// lastCrumb returns the line above start, near a breadcrumb trail,
// that repeats the trail's last crumb ("Messages » Self-esteem » Only
// Who Loves…" under "Only Who Loves…"): the page's own title, even cut
// short with an ellipsis. It returns -1 for none.
func (p *page) lastCrumb(start int) int {
	for i := max(0, start-60); i < start; i++ {
		t := p.lines[i].text
		if len(t) > 200 || strings.Count(t, " » ")+strings.Count(t, " › ")+strings.Count(t, " > ") < 2 {
			continue
		}
		last := t
		for _, sep := range [...]string{" » ", " › ", " > "} {
			if k := strings.LastIndex(last, sep); k >= 0 {
				last = last[k+len(sep):]
			}
		}
		if last = strings.TrimSpace(last); last == "" {
			continue
		}
		for j := max(0, i-3); j < min(start, i+4); j++ {
			if j != i && strings.TrimSpace(p.lines[j].text) == last {
				return j
			}
		}
	}
	return -1
}

// shortHeadline reports a headline of two words ("About bugs"): over
// its date, sharing a word with the lede.
func (p *page) shortHeadline(i int, lede map[string]bool) bool {
	l := &p.lines[i]
	if l.kind != kindShort || l.words != 2 || endsSentence(l.text) || strings.ContainsAny(l.text, ":|»›/") ||
		i+1 >= len(p.lines) || p.lines[i+1].kind != kindMeta || !isBareDate(p.lines[i+1].text) {
		return false
	}
	for w := range contentWords(l.text) {
		if lede[w] {
			return true
		}
	}
	return false
}

// loneBy reports a "By" or an "Author:" on a line of its own, the
// author's name on the lines under it.
func loneBy(l *line) bool {
	if len(l.text) > 12 {
		return false
	}
	switch strings.TrimRight(strings.TrimSpace(l.lower), ":") {
	case "by", "author", "authors", "written by", "posted by":
		return true
	}
	return false
}

// underBy reports a line in the three under a lone "By" or "Author:":
// the author's name, outlet or bio, not a headline.
func (p *page) underBy(i int) bool {
	for j := i - 1; j >= max(0, i-3); j-- {
		if loneBy(&p.lines[j]) {
			return true
		}
	}
	return false
}

// inList reports a line between two other headline-shaped lines: one of a
// list of links to other stories.
func (p *page) inList(i int) bool {
	return i > 0 && i+1 < len(p.lines) && p.headlineShaped(&p.lines[i-1]) && p.headlineShaped(&p.lines[i+1]) &&
		p.lines[i-1].words >= 4 && p.lines[i+1].words >= 4
}

// doubled reports line i repeated on the line just before or after it.
func (p *page) doubled(i int) bool {
	k := p.lines[i].key
	return i > 0 && p.lines[i-1].key == k || i+1 < len(p.lines) && p.lines[i+1].key == k
}

// inMenu reports a line in a run of five or more short lines: a menu.
func (p *page) inMenu(i int) bool {
	short := func(j int) bool { return p.lines[j].kind == kindShort && p.lines[j].words <= 5 }
	if !short(i) {
		return false
	}
	lo, hi := i, i
	for lo > 0 && short(lo-1) {
		lo--
	}
	for hi+1 < len(p.lines) && short(hi+1) {
		hi++
	}
	return hi-lo+1 >= 5
}

// leadHeadline returns the text's first paragraph and its line when it
// is the headline: a page that shows nothing above its text but its
// headline has it taken for the text's start. It is one when it is
// headline-shaped (4 to 25 words, no closing punctuation, not an
// introduction ending in ":") and prose follows it. It returns "" and -1
// otherwise.
func (p *page) leadHeadline(start int, body []string) (string, int) {
	if len(body) < 2 {
		return "", -1
	}
	first, next := body[0], body[1]
	w := wordCount(first)
	if w < 4 || w > 25 || endsSentence(first) || strings.HasSuffix(first, ":") || !endsSentence(next) || wordCount(next) <= w {
		return "", -1
	}
	for i := start; i < min(len(p.lines), start+3); i++ {
		if trimSeparator(p.lines[i].text) == first {
			return first, i
		}
	}
	return "", -1
}

// creditTeam is a credit line naming a team or a desk.
var creditTeam = regexp.MustCompile(`(?i)\b(?:team|desk|staff|newsroom|bureau)$`)

// shownTwice reports a line repeated at the top of the page or right next
// to itself, as a page's title and its heading are; not a link that two
// lists show.
func (p *page) shownTwice(i int) bool {
	k := p.lines[i].key
	for j, l := range p.lines {
		if j != i && l.key == k && (j < 3 || j >= i-3 && j <= i+3) {
			return true
		}
	}
	return false
}
