package article

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// kind is what a line of a scraped page appears to be.
type kind int

const (
	kindPara     kind = iota // a sentence-shaped paragraph
	kindShort                // short, headline-like, no closing punctuation
	kindMeta                 // a metadata label: Published, News ID, By ...
	kindBullet               // a "- x" or "• x" item
	kindTeaser               // a snippet cut off with an ellipsis
	kindCaption              // a photo caption
	kindChrome               // site furniture: share buttons, cookie notice, copyright
	kindEnd                  // a marker after which the article is over
	kindJunk                 // no letters at all
	kindNumbered             // "1. ..." or "2) ..."
)

// line is one non-empty line of the page.
type line struct {
	text string
	// lower is text with its ASCII letters lower-cased (asciiLower), for
	// the phrase tests that every line goes through.
	lower string
	kind  kind
	// gapBefore is true when a blank line precedes it.
	gapBefore bool

	key                uint64 // lineKey of text
	words, stops, caps int    // textStats of text
	df                 int    // corpus documents holding the line
	rep                int    // times the line occurs in the page
	class              class
	furn               uint8 // furniture(): 0 not yet known, 1 no, 2 yes
}

var (
	// endMarkers open the part of a page that follows an article: comment
	// forms, related stories, newsletter boxes, tags, captchas.
	endMarkers = mustLineRe(`(?i)^(?:leave a (?:reply|comment)|post a comment|add (?:a |new )?comment|\d+\s+comments?|comments?(?: \(\d+\))?|you (?:may|might) also (?:like|be interested in)|also on [\p{L} ]+|related(?: articles?| posts?| news| stories| content| topics| coverage| reading)?|more (?:stories|news|articles)|most (?:read|popular|viewed|shared)|trending(?: now)?|recommended(?: for you)?|latest (?:news|stories|articles)|popular (?:posts|stories|news)|sign up for (?:our|the)? ?newsletters?.*|subscribe to (?:our|the) newsletter.*|newsletter|share(?: this| the| on| via)?(?: article| story| post| page)?:?|tags?:.*|topics?:|filed under.*|about the author|security key:?|captcha.*|page generated in .*|back to top|previous (?:article|post|story)|next (?:article|post|story)|top stories|editor'?s picks?|don'?t miss|more great [\p{L}]+ stories|popular on [\p{L}. ]+|sharing is caring!?|related (?:links|content|roundup)\b.*|top rated comments|\[ ?\d+ comments? ?\]|elsewhere on [\p{L}. ]+|вам также может быть интересно|читайте также|похожие новости|você pode gostar\.*|leia também|lesen sie auch|mehr zum thema|à lire aussi|lire aussi|te puede interesar|también te puede interesar)\.?:?$`)

	// commentsTitle heads the readers' comments under the post they are
	// on, as blogs title them: "10 thoughts on “Business Focus”", "One
	// response to "Talks resume"". The line ends on the title's closing
	// quote (maybe with a colon): prose may begin the same way ("One
	// response to “the Tbilisi format” came from Moscow, …").
	commentsTitle = mustLineRe(`(?i)^(?:\d+|one|no)\s+(?:thoughts?|responses?|repl(?:y|ies)|comments?|reactions?)\s+(?:on|to)\s+(?:["“„«][^"“”„«»]{1,200}["”»]|['‘][^‘’]{1,200}['’])\s*:?$`)

	// chromeLine matches a whole short line of site furniture.
	chromeLine = mustLineRe(`(?i)^(?:share|tweet|email|print|facebook|twitter|whatsapp|telegram|linkedin|reddit|vk|copy link|menu|search|home|skip to (?:main )?content|loading\.*|click here\b.*|follow us\b.*|join us on\b.*|subscribe\b.*|log ?in|sign ?in|register|advertisement|(?:photo|image|video|source|credit)s?\s*:\s*\S+|(?:read (?:more|also|next)|see also|more from [\p{L} ]+)\s*:?)$`)

	// metaLabel matches metadata lines that are not prose.
	metaLabel = mustLineRe(`(?i)^(?:[-•*]\s*)?(?:news id|article id|id|published(?: date| on| at)?|posted(?: on| at| by)?|date(?: published)?|first published|updated(?: on| at)?|last updated|modified(?: date| on)?|last modified|created(?: on)?|reading time|read time|views?|hits|author|written by|source|section|category|categories|print version|\d+ min(?:ute)?s? read)\s*[:|]`)

	// byline matches "By Jane Doe", possibly with a role or a date after it.
	byline = regexp.MustCompile(`^(?i:by)\s+\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*){0,3}(?:\s*(?:,|\||and|&|-|–|—)\s*.{0,60})?$`)

	// handleByline is an author's name and social handle on a line of
	// their own: "Jane Doe @janedoe".
	handleByline = regexp.MustCompile(`^\p{Lu}[\p{L}.'’-]+(?:\s+\p{Lu}[\p{L}.'’-]*){1,3}\s+@\w{2,30}$`)

	// captionHead and captionTail match photo credits at either end of a
	// line; people placed with (C), (L), (R) are found by isCaption.
	captionHead = regexp.MustCompile(`(?i)^(?:(?:file )?photos?\s*[:/|]|(?:file|pool)\s*(?:photo)?\s*[-–—:]|(?:photo|picture|image) (?:by|credit|courtesy)\b)`)
	captionTail = regexp.MustCompile(`(?i)(?:\((?:(?:ap|afp|reuters|getty|epa|tass|sputnik) )?(?:photo|image|picture)\b[^)]*\)|\b(?:AP|AFP|Reuters|Getty|EPA|TASS|Sputnik) Photo\b[^.]*|/\s*(?:AP|AFP|Reuters|Getty Images|EPA)\)?)\s*$`)
)

// classify decides the kind of one line, s, given lower, its
// asciiLower.
func classify(s, lower string) kind {
	if !hasLetter(s) {
		if len(s) <= 40 && isBareDate(s) {
			return kindMeta // "19.11.2019, 08:57"
		}
		return kindJunk
	}
	// Length gates keep the regular expressions off long paragraphs, where
	// they cannot match anyway and would cost most of the parse.
	n := len(s)
	switch {
	case n <= 100 && endMarkers.MatchString(s), n <= 300 && commentsTitle.MatchString(s):
		return kindEnd
	case n <= 80 && chromeLine.MatchString(s), n <= 400 && isChrome(lower):
		return kindChrome
	// A label is followed by ":" or "|"; a date line has a year.
	case n <= 200 && (strings.ContainsAny(s, ":|") && metaLabel.MatchString(s) || hasYear(s) && dateLabel.MatchString(s) && isDateLine(s)):
		return kindMeta
	case n <= 150 && byline.MatchString(s) && wordCount(s) <= 14 && !endsSentence(s):
		return kindMeta
	case n <= 80 && strings.IndexByte(s, '@') > 0 && handleByline.MatchString(s):
		return kindMeta
	case isCaption(s, lower):
		return kindCaption
	case isTeaser(s):
		return kindTeaser
	case isNumbered(s):
		return kindNumbered
	case bulletLen(s) > 0:
		return kindBullet
	case isBareDate(s):
		return kindMeta
	case isSentence(s):
		return kindPara
	}
	return kindShort
}

// chromePhrases are furniture wherever they appear in a line.
var chromePhrases = newPhraseSet(
	"your email address will not be published", "required fields are marked", "get notified of the latest",
	"all rights reserved", "privacy policy", "terms of use", "terms of service", "terms and conditions",
	"enable javascript", "your browser does not support", "page generated in", "refresh captcha", "captcha refresh",
)

// phraseSet finds any of its phrases in a text in one pass: the text is
// read once, and only where two bytes begin some phrase is a phrase
// compared. Every line of every article is searched for the chrome
// phrases; a strings.Contains per phrase cost a fifth of a parse.
type phraseSet struct {
	starts  [1 << 16]uint16 // 1 + index in byStart of the phrases with these first two bytes
	byStart [][]string
}

func newPhraseSet(phrases ...string) *phraseSet {
	ps := &phraseSet{}
	for _, p := range phrases {
		k := uint16(p[0])<<8 | uint16(p[1])
		if ps.starts[k] == 0 {
			ps.byStart = append(ps.byStart, nil)
			ps.starts[k] = uint16(len(ps.byStart))
		}
		ps.byStart[ps.starts[k]-1] = append(ps.byStart[ps.starts[k]-1], p)
	}
	return ps
}

// in reports whether s contains one of the phrases.
func (ps *phraseSet) in(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		n := ps.starts[uint16(s[i])<<8|uint16(s[i+1])]
		if n == 0 {
			continue
		}
		for _, p := range ps.byStart[n-1] {
			if strings.HasPrefix(s[i:], p) {
				return true
			}
		}
	}
	return false
}

// isChrome reports furniture found by phrase: copyright and cookie notices,
// comment-form and newsletter text. l is the line's asciiLower.
func isChrome(l string) bool {
	if strings.HasPrefix(l, "©") || strings.HasPrefix(l, "copyright") || strings.HasPrefix(l, "security key") {
		return true
	}
	if chromePhrases.in(l) || shareButtons(l) {
		return true
	}
	if strings.Contains(l, "cookie") {
		for _, w := range []string{"use", "accept", "consent", "policy", "setting", "continu", "reject"} {
			if strings.Contains(l, w) {
				return true
			}
		}
	}
	return false
}

// shareWords are the labels of a page's share buttons.
var shareWords = map[string]bool{
	"share": true, "tweet": true, "email": true, "e-mail": true, "print": true, "facebook": true, "twitter": true,
	"whatsapp": true, "telegram": true, "linkedin": true, "reddit": true, "pinterest": true, "pin": true, "pint": true,
	"flipboard": true, "pocket": true, "messenger": true, "sms": true, "vk": true, "copy": true, "link": true,
}

// shareButtons reports a line of share buttons' labels and little else
// ("Whatsapp Facebook Pint Baixar"): three words of two to eight, the
// first and all but one of them labels. l is the line's asciiLower.
func shareButtons(l string) bool {
	first, _, _ := strings.Cut(l, " ")
	if len(l) > 80 || !shareWords[strings.Trim(first, ",|·•/")] {
		return false // most lines: a label opens a row of buttons
	}
	words, labels := 0, 0
	for w := range strings.FieldsSeq(l) {
		words++
		if shareWords[strings.Trim(w, ",|·•/")] {
			labels++
		}
	}
	return words >= 2 && words <= 8 && labels >= 3 && labels >= words-1
}

// positionMarkers place people in a photo: "Putin (C)", "Aliyev (L-R)".
var positionMarkers = map[string]bool{
	"c": true, "l": true, "r": true, "l-r": true, "r-l": true, "center": true, "centre": true, "left": true,
	"right": true, "front": true, "back": true, "top": true, "bottom": true, "2nd l": true, "2nd r": true,
	"second left": true, "second right": true,
}

// isCaption reports a photo caption: people placed with (C), (L), (R), or a
// photo credit at the start or end of the line. lower is s's asciiLower.
func isCaption(s, lower string) bool {
	rest := s
	for {
		i := strings.IndexByte(rest, '(')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], ')')
		if j < 0 {
			break
		}
		if j <= 14 && positionMarkers[strings.ToLower(rest[i+1:i+j])] {
			return true
		}
		rest = rest[i+j:]
	}
	// The head pattern starts with one of these letters; most lines do not.
	if c := s[0] | 0x20; (c == 'f' || c == 'p' || c == 'i') && captionHead.MatchString(s[:min(len(s), 48)]) {
		return true
	}
	tail := s[max(0, len(s)-80):]
	lower = lower[len(s)-len(tail):]
	// The tail pattern needs one of these; most lines have none. (Their
	// letters have no case outside ASCII, so asciiLower finds them all.)
	if !strings.Contains(lower, "photo") && !strings.Contains(lower, "image") && !strings.Contains(lower, "picture") && !strings.Contains(tail, "/") {
		return false
	}
	return captionTail.MatchString(tail)
}

// bulletLen is the length of the bullet that s begins with ("- ", "• "
// and the like: a mark, then space), or 0.
func bulletLen(s string) int {
	r, n := utf8.DecodeRuneInString(s)
	if !strings.ContainsRune("-•*–·▪►»", r) || n == len(s) || !asciiSpace(s[n]) {
		return 0
	}
	for n < len(s) && asciiSpace(s[n]) {
		n++
	}
	return n
}

// isNumbered reports a numbered item: one or two digits or a lower-case
// letter, "." or ")", space, then text ("1. ...", "b) ...").
func isNumbered(s string) bool {
	n := 0
	for n < len(s) && n < 3 && '0' <= s[n] && s[n] <= '9' {
		n++
	}
	switch {
	case n == 0 && s != "" && 'a' <= s[0] && s[0] <= 'z':
		n = 1
	case n == 0 || n == 3:
		return false
	}
	if n == len(s) || s[n] != '.' && s[n] != ')' {
		return false
	}
	s = s[n+1:]
	if s == "" || !asciiSpace(s[0]) {
		return false
	}
	s = strings.TrimLeft(s, " \t\n\f\r")
	return s != ""
}

// isDateLine reports a labelled line whose value holds a full date.
func isDateLine(s string) bool {
	m := dateLabel.FindStringSubmatch(s)
	if m == nil {
		return false
	}
	_, ok := parseDate(m[2])
	return ok && wordCount(m[2]) <= 16 // "Nov. 19, 2019 8:21 am ET / Original Nov. 19, 2019 8:02 am ET"
}

// isBareDate reports a short line that is only a date and maybe a time.
func isBareDate(s string) bool {
	if moreWords(s, 8) || endsSentence(s) && strings.Count(s, " ") > 6 {
		return false
	}
	_, ok := parseDate(s)
	return ok
}

// isTeaser reports a snippet cut off with an ellipsis.
func isTeaser(s string) bool {
	return strings.HasSuffix(s, "…") || strings.HasSuffix(s, "...") || strings.HasSuffix(s, "[…]") || strings.HasSuffix(s, "[...]")
}

// isSentence reports prose: enough words, closing punctuation or length.
func isSentence(s string) bool {
	if moreWords(s, 24) {
		return true
	}
	return moreWords(s, 5) && endsSentence(s)
}

// endsSentence reports text ending in sentence punctuation, possibly
// followed by closing quotes or brackets.
func endsSentence(s string) bool {
	s = strings.TrimRight(s, `"'”’»)]* `)
	r, _ := utf8.DecodeLastRuneInString(s)
	return r == '.' || r == '!' || r == '?' || r == '…' || r == '。' || r == '！' || r == '？'
}

// singleSpaced returns strings.Join(strings.Fields(s), " "): its words
// with one space between them. The text of a page's lines is so already,
// and is returned as it is, without building it again.
func singleSpaced(s string) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' ') || c != ' ' && unicode.IsSpace(rune(c)) {
				return strings.Join(strings.Fields(s), " ")
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			return strings.Join(strings.Fields(s), " ")
		}
		i += size
	}
	return s
}

// foldsToASCII are the letters outside ASCII that a (?i) pattern takes
// for ASCII ones: the Kelvin sign for k, the long s for s.
const foldsToASCII = "\u212a\u017f"

// asciiLower lowers the ASCII letters of s, enough to match it against
// ASCII phrases, and much cheaper than strings.ToLower on text with
// typographic quotes and dashes. A phrase without k or s is in it exactly
// when a (?i) pattern finds the phrase in s: those are the only ASCII
// letters that fold to other letters (foldsToASCII); any phrase is, when s
// holds neither of those.
func asciiLower(s string) string {
	var b strings.Builder // one copy, where []byte(s) and back made two
	done := 0             // s[:done] is written
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			if done == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[done:i])
			b.WriteByte(c + 'a' - 'A')
			done = i + 1
		}
	}
	if done == 0 {
		return s // no capitals: no copy
	}
	b.WriteString(s[done:])
	return b.String()
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// moreWords reports whether s has more than n space-separated words,
// reading no further than the word after the n-th.
func moreWords(s string, n int) bool {
	in := false
	for i := 0; i < len(s); i++ {
		space := s[i] == ' ' || s[i] == '\t' || s[i] == '\n'
		if !space && !in {
			if n == 0 {
				return true
			}
			n--
		}
		in = !space
	}
	return false
}

// wordCount counts space-separated words without allocating.
func wordCount(s string) int {
	// Without branches, which text mispredicts at every word: a word
	// starts at each non-space byte after a space.
	n, prev := 0, uint8(0)
	for i := 0; i < len(s); i++ {
		in := wordByte[s[i]]
		n += int(in &^ prev)
		prev = in
	}
	return n
}

// wordByte is 1 for the bytes that are not word separators.
var wordByte = func() (t [256]uint8) {
	for i := range t {
		t[i] = 1
	}
	t[' '], t['\t'], t['\n'] = 0, 0, 0
	return t
}()

// splitLines turns normalised text into non-empty lines, joining lines that
// were hard-wrapped inside a paragraph.
func splitLines(text string) []line {
	out := make([]line, 0, strings.Count(text, "\n")+1)
	width := wrapWidth(text)
	gap := false
	last := 0 // length in runes of the last text line
	for r := range strings.SplitSeq(text, "\n") {
		r = trimSeparator(r)
		if r == "" || !hasLetter(r) && len(r) <= 3 {
			gap = true
			continue
		}
		// In a hard-wrapped page, a line as long as the page's lines are
		// was broken for width: the next one goes on with its paragraph,
		// capital or not ("... between Azerbaijani" / "President Ilham").
		full := width > 0 && last*4 >= width*3
		last = utf8.RuneCountInString(r)
		if n := len(out); n > 0 && !gap && wrapped(out[n-1].text, r, full) {
			out[n-1].text += " " + r
			continue
		}
		// A sentence broken by its links, each on a line of its own
		// ("Shares of construction goods giant" / "Home Depot" / "are
		// dropping ..."): the lower-case part after a link joins it, and
		// the link the sentence before it.
		if n := len(out); n > 1 && !gap && !out[n-1].gapBefore && startsLower(r) && moreWords(r, 3) &&
			wordCount(out[n-1].text) <= 4 && !endsSentence(out[n-1].text) && !endsSentence(out[n-2].text) {
			out[n-2].text += " " + out[n-1].text + " " + r
			out = out[:n-1]
			continue
		}
		out = append(out, line{text: r, gapBefore: gap})
		gap = false
	}
	return out
}

// wrapWidth is the width in runes a page was hard-wrapped at, or 0 when
// it was not: the median length of the lines that break a sentence before
// a lower-case word on the next line, when at least minWrapped do.
func wrapWidth(text string) int {
	const minWrapped = 3
	var lengths []int
	prev := ""
	for r := range strings.SplitSeq(text, "\n") {
		r = strings.TrimSpace(r)
		if prev != "" && r != "" && startsLower(r) && !endsSentence(prev) && moreWords(prev, 5) {
			lengths = append(lengths, utf8.RuneCountInString(prev))
		}
		prev = r
	}
	if len(lengths) < minWrapped {
		return 0
	}
	slices.Sort(lengths)
	return lengths[len(lengths)/2]
}

func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

// trimSeparator removes surrounding space and a stray "-" or "|" (or
// dash or bullet) that the page's layout left at the end of a line.
func trimSeparator(s string) string {
	s = strings.TrimSpace(s)
	t := strings.TrimRight(s, "-|–—•")
	if t != s && (t == "" || strings.HasSuffix(t, " ")) {
		return strings.TrimSpace(t)
	}
	return s
}

// wrapped reports a line break inside a sentence: the previous line stops
// mid-sentence and this one continues in lower case, or after a word a
// sentence cannot end on, or after a line filled to the page's width
// (full).
func wrapped(prev, next string, full bool) bool {
	if endsSentence(prev) || wordCount(prev) < 6 || bulletLen(next) > 0 || isNumbered(next) {
		return false
	}
	if full || startsLower(next) {
		return true
	}
	prev = strings.TrimRightFunc(prev, unicode.IsSpace)
	last := prev[strings.LastIndexFunc(prev, unicode.IsSpace)+1:]
	return weakTail[strings.ToLower(last)]
}
