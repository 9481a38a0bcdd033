package article

import (
	"iter"
	"regexp"
	"slices"
	"strings"
	"unicode"
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
	// A menu item, or a headline shown twice: a question may be one.
	if l.rep > 1 && (!sentence && l.words < 12 || strings.HasSuffix(l.text, "?") && l.words <= 20) {
		return classBad
	}
	if l.kind == kindTeaser && l.words < 40 {
		return classShort
	}
	if gluedTeaser(l.text) {
		return classBad
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

// gluedTeaser reports a link to another story as a page's text shows
// it: a headline in title case glued to the first words of its snippet
// ("Tape Gaffe Ends Hamlin's Title RunDenny Hamlin's championship run
// was foiled …"). A sentence of the text is not in title case, and a
// name written in camel case ("iPhone", "McKinley") is glued after a
// letter or two.
func gluedTeaser(s string) bool {
	const minHead, maxHead = 16, 160
	for i := minHead; i+1 < len(s) && i < maxHead; i++ {
		d, e := s[i], s[i+1]
		if !('A' <= d && d <= 'Z') || !('a' <= e && e <= 'z') {
			continue
		}
		head := s[:i]
		seg := head[strings.LastIndexByte(head, ' ')+1:]
		switch c := s[i-1]; {
		case c == '?' || c == '!':
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			if len(seg) < 4 {
				continue
			}
		default:
			continue
		}
		// A headline of four words or more, nearly all capitalised, over
		// a snippet of prose, mostly in lower case.
		hw, hc := capitalised(head)
		sw, sc := capitalised(s[i:])
		return hw >= 4 && hc*10 >= hw*8 && sw >= 6 && sc*2 <= sw
	}
	return false
}

// capitalised counts the words of text and those of them that begin with
// a capital or a digit.
func capitalised(text string) (words, caps int) {
	for w := range strings.FieldsSeq(text) {
		words++
		if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) || unicode.IsDigit(r) {
			caps++
		}
	}
	return words, caps
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
	"purchase something through", "javascript", "log in", "sign in", "register now", "share this",
	"listen back", "watch live", "email us", "contact us", "tip us", "send us", "the best deals", "free trial",
	"contributed reporting", "contributed to this report", "contributed to this story", "contributed to this article",
	"contributed to the report", "like this story", "share it with", "share this story", "share this article",
	"if you enjoyed this", "news tip", "our loyal readers", "let us know at",
	// Offers: "Use the code GETPRO".
	"use the code", "promo code", "coupon code", "discount code",
	// Notices about the reader's browser; a story may stream a game to it.
	"browser does not", "browser doesn't", "browser doesn’t", "browser is not supported", "browser is out of date",
	"update your browser", "upgrade your browser", "news in your browser", "news on your browser",
	// Appeals to the readers: letters, donations.
	"we'd like to hear", "we’d like to hear", "here's our email", "here’s our email", "your financial support",
	"support our journalism", "support independent journalism",
)

// storyWord is a word holding a phrase of furniture that is a story's,
// not the site's: "subscribers", "affiliated".
var storyWord = regexp.MustCompile(`\pL*subscribe(?:rs?|d)\b|\baffiliated\b`)

// furniture reports a line in which the site talks about itself; the
// answer is kept, as the region and its edges ask it of a line again.
func (l *line) furniture() bool {
	if l.furn == 0 {
		l.furn = 1
		if furniture(l.text, l.lower) {
			l.furn = 2
		}
	}
	return l.furn == 2
}

// furniture reports text in which the site talks about itself; l is its
// asciiLower.
func furniture(s, l string) bool {
	if len(s) >= 400 {
		return false
	}
	if furniturePhrases.in(l) {
		// "Subscribe" and "affiliate links" address the reader;
		// "subscribers", "oversubscribed" and "affiliated with" are a
		// story's words.
		if !strings.Contains(l, "subscribe") && !strings.Contains(l, "affiliated") || !storyWord.MatchString(l) {
			return true
		}
		if furniturePhrases.in(storyWord.ReplaceAllString(l, "")) {
			return true
		}
	}
	// "Follow X on Facebook, Twitter and Instagram."
	return strings.HasPrefix(l, "follow ") && (strings.Contains(l, "facebook") || strings.Contains(l, "twitter") || strings.Contains(l, "instagram"))
}

// region returns the main text as the lines [start, end) whose scores
// have the greatest sum (Body Text Extraction's maximum-sum run): good
// lines count for their words, the rest against. start is -1 when the page
// has no line worth keeping.
func (p *page) region() (start, end int) {
	best, sum := 0.0, 0.0
	start, end = -1, -1
	from := 0
	seen := 0.0   // good words before the line
	weight := 1.0 // of good text: less after an end marker that came after good text
	for i := range p.lines {
		l := &p.lines[i]
		v := p.lineScore(l)
		if (l.kind == kindEnd || l.copyright()) && seen >= endAfter && !p.inlineBox(i) {
			weight = min(weight, afterEnd)
			if commentsMarker(l) {
				weight = afterComments
			}
		}
		// A reader's comment under its author and date ("Jane on
		// September 12, 2018 at 4:47 pm said:") follows some text, the
		// article's, however short.
		if seen > 0 && commentHeader(l) {
			weight, v = afterComments, -25
		}
		// Under related stories, a snippet cut off with an ellipsis is
		// another story's teaser, however long: the article's own text
		// is never cut so.
		if weight < 1 && l.kind == kindTeaser && v > 0 {
			v = -float64(2 + l.words/2)
		}
		if v > 0 {
			seen += v
			// Text after comments or related stories is less likely the
			// article's: comments and teasers are prose too.
			v *= weight
		}
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

// commentsMarker reports an end marker that opens the readers' comments
// ("Top Rated Comments", "167 comments", "Leave a comment", "10 thoughts
// on “Title”"), not a link to them that a page shows beside its share
// buttons ("Comments").
func commentsMarker(l *line) bool {
	t := strings.Trim(l.lower, " .:")
	return strings.Contains(t, "comment") && !commentsLink(l) || commentsTitle.MatchString(l.text)
}

// commentHeader reports the line over a reader's comment: its author's
// name, "on", its date and "said:" ("Jane Doe on September 12, 2018 at
// 4:47 pm said:"). A sentence introducing a quote ("Speaking on 10
// November 2020, Pashinyan said:") has other words than a date's.
func commentHeader(l *line) bool {
	if l.words > 16 || !(strings.HasSuffix(l.lower, " said:") || strings.HasSuffix(l.lower, " says:") || strings.HasSuffix(l.lower, " wrote:")) || !hasYear(l.text) {
		return false
	}
	words := strings.Fields(l.text)
	on := slices.Index(words, "on")
	if on < 1 || on > 4 {
		return false
	}
	for _, w := range words[:on] {
		if r, _ := utf8.DecodeRuneInString(strings.TrimLeft(w, "([")); !unicode.IsUpper(r) {
			return false // the name: "Jane Doe", "Jane (GiveWell)"
		}
	}
	for _, w := range words[on+1 : len(words)-1] {
		w = strings.ToLower(strings.Trim(w, ".,"))
		if _, month := months[w]; !month && !strings.ContainsAny(w, "0123456789") && w != "at" && w != "am" && w != "pm" && w != "a.m" && w != "p.m" {
			return false // the date
		}
	}
	return true
}

// commentsLink reports a bare "Comments" line: a link to the readers'
// comments, not the comments themselves.
func commentsLink(l *line) bool {
	t := strings.Trim(l.lower, " .:")
	return t == "comments" || t == "comment"
}

// inlineBox reports an end marker that heads a box inside the text
// ("Related articles", "Don't miss" and a few links) rather than the end
// of it: the text goes on at once, sentence after sentence. Snippets cut
// off with an ellipsis are the box's teasers, not the text going on.
func (p *page) inlineBox(i int) bool {
	good, words := 0, 0
	for j := i + 1; j < min(len(p.lines), i+9); j++ {
		l := &p.lines[j]
		if l.kind == kindEnd {
			return false
		}
		if l.class == classGood && !l.furniture() && l.kind != kindTeaser {
			good++
			words += l.words
		}
	}
	return good >= 3 && words >= 60
}

// copyright reports a site's copyright notice ("© 2019 X. All rights
// reserved."), which closes a page's text as an end marker does: what
// follows it is the site's (other stories, its footer). A photo's credit
// ("© Reuters") states no year and reserves no rights.
func (l *line) copyright() bool {
	if l.kind != kindChrome {
		return false
	}
	if strings.Contains(l.lower, "all rights reserved") {
		return true
	}
	return (strings.HasPrefix(l.lower, "©") || strings.HasPrefix(l.lower, "copyright") || strings.HasPrefix(l.lower, "(c) ")) && hasYear(l.text)
}

const (
	// endAfter is how many words of good text make an end marker after
	// them mark the article's end.
	endAfter = 80
	// afterEnd weighs the good lines after that end marker.
	afterEnd = 0.5
	// afterComments weighs them after a marker of comments ("Top Rated
	// Comments", "167 comments", "Leave a comment"): an article's text
	// never goes on under its readers' comments.
	afterComments = 0.2
)

func (p *page) lineScore(l *line) float64 {
	switch {
	case l.kind == kindEnd && commentsLink(l):
		// A link to the comments beside the share buttons may stand
		// above the text's last paragraph.
		return -5
	case l.kind == kindEnd, l.copyright():
		return -25
	case l.class == classGood && l.furniture():
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
	for end > start+1 && (p.lines[end-1].class != classGood || p.lines[end-1].furniture()) {
		end--
	}
	for start < end-1 && (p.lines[start].class != classGood || p.lines[start].furniture()) {
		start++
	}
	end = p.trimBox(start, end)
	lead := p.trimLead(start, end)
	// A short opening sentence right before the text ("Time is not on
	// Adam Schiff's side."), under a caption or a date, is too short to be
	// judged good alone and sits next to lines that are not text: it is
	// the article's still, as a closing one is.
	// A page that shows its text several times shows that sentence as
	// often as the text.
	opening := lead == start && start > 0 && (p.sentenceLine(&p.lines[start-1]) || p.introLine(&p.lines[start-1])) &&
		p.lines[start-1].rep == p.lines[start].rep && p.opening(start-1)
	start = lead
	var out []string
	seen := map[uint64]bool{}
	var firstKey, secondKey uint64
	again := false // the text is shown again from line i
	for i := start; i < end; i++ {
		l := &p.lines[i]
		if signed := i > start && p.kept(i-1, out) && postSignature(l); !signed &&
			(l.class != classGood && !(i == start && start == end-1) || l.furniture() && l.words < 40 && end-start > 1) {
			continue
		}
		text := trimSeparator(l.text)
		if text == "" || !hasLetter(text) {
			continue
		}
		if seen[l.key] {
			// A standfirst shown again where the text begins: keep the
			// copy in the article's flow. A page that shows its whole
			// text again (the paragraph after the copy repeats too) has
			// it end where the copy begins.
			if l.key == firstKey && len(out) > 0 {
				if p.repeatsNext(i, end, secondKey) {
					again = true
					break
				}
				out = append(out[1:], text)
				firstKey = 0
			}
			continue
		}
		switch len(out) {
		case 0:
			firstKey = l.key
		case 1:
			secondKey = l.key
		}
		seen[l.key] = true
		out = append(out, text)
	}
	if again {
		end = len(p.lines) // what follows the text is its copy
	}
	// An embedded post closing the text is signed on the line after it.
	if end < len(p.lines) && p.kept(end-1, out) && postSignature(&p.lines[end]) {
		out = append(out, p.lines[end].text)
		end++
	}
	// A short closing sentence right after the text ("Colombia had lost
	// to Belgium on Monday.") is too short to be judged good alone and
	// sits at the edge, which counts as bad: it is the article's still.
	// So are a few of them under a heading in capitals ("UP NEXT" /
	// "Thunder: Host the Lakers on Friday." / "Lakers: Visit …").
	if len(out) > 0 {
		out = p.closingRun(out, end)
		// A list closing the text, under its heading: "Qualified teams"
		// / "England (Group A): 10th appearance" / "Spain (Group F): …".
		out = append(out, p.listAfter(end)...)
		// A numbered list the text's last sentence announces: "Here are
		// the offers not to miss:" / "1) …" / "2) …".
		out = append(out, p.announcedList(out, end)...)
		out = append(out, p.creditAfter(out, end)...)
	}
	if len(out) > 0 && opening {
		out = append([]string{trimSeparator(p.lines[start-1].text)}, out...)
	}
	// The author's bio closing the page is the site's, not the story's.
	if n := len(out); n > 1 && authorBio(out[n-1]) {
		out = out[:n-1]
	}
	return out
}

// trimBox moves the end of the text [start, end) above a box of the
// site's closing it: a heading of furniture that is no sentence ("Pick
// Six Newsletter", "Our daily briefing newsletter") over a pitch of a
// sentence or two ("Get the day's big stories …"). A link standing in
// the text ("Click here to get the app") heads no box.
func (p *page) trimBox(start, end int) int {
	const maxPitch = 80 // words of text under the heading
	words := 0
	for i := end - 1; i > start; i-- {
		l := &p.lines[i]
		if l.kind == kindShort && l.furniture() && !endsSentence(l.text) && l.words <= 8 {
			// The box's own lines above its heading (the site's name,
			// its motto) are no sentences either.
			for i > start+1 && p.lines[i-1].kind == kindShort && !endsSentence(p.lines[i-1].text) && p.lines[i-1].words <= 3 {
				i--
			}
			return i
		}
		if l.class == classGood && !l.furniture() {
			if words += l.words; words > maxPitch {
				break
			}
		}
	}
	return end
}

// closingRun appends to out the short closing sentences that follow the
// text's last line, end: one alone, or up to maxClosing under a heading
// in capitals.
func (p *page) closingRun(out []string, end int) []string {
	const maxClosing = 3
	if end >= len(p.lines) {
		return out
	}
	if p.closing(&p.lines[end]) {
		return append(out, trimSeparator(p.lines[end].text))
	}
	if !capsHeading(&p.lines[end]) {
		return out
	}
	run := []string{trimSeparator(p.lines[end].text)}
	for i := end + 1; i < min(len(p.lines), end+1+maxClosing) && p.closing(&p.lines[i]); i++ {
		run = append(run, trimSeparator(p.lines[i].text))
	}
	if len(run) == 1 {
		return out
	}
	return append(out, run...)
}

// listAfter returns the list that closes the text ending at line end:
// a short heading, then at least minList lines of a few words each,
// shaped alike (the same first mark: "England (Group A): 10th
// appearance", "June 9 – Tampa, FL @ Amphitheatre"). A list of links to
// other stories is shaped by no mark.
func (p *page) listAfter(end int) []string {
	const minList, maxItem = 3, 20
	if end+1+minList > len(p.lines) {
		return nil
	}
	if h := &p.lines[end]; h.kind != kindShort || h.words > 6 || endsSentence(h.text) || h.furniture() || p.template(h) {
		return nil
	}
	// An item has words: a site's contacts ("Tel: +374 10 620000",
	// "Fax: +374 10 620001") are no list of the text.
	item := func(l *line) bool {
		return (l.kind == kindShort || l.kind == kindBullet) && l.words >= 3 && l.words <= maxItem && l.rep == 1 &&
			!p.template(l) && !l.furniture() && letterWords(l.text) >= 2 && !strings.Contains(l.text, "://")
	}
	mark := firstMark(p.lines[end+1].text)
	if mark == 0 {
		return nil
	}
	var run []string
	for i := end + 1; i < len(p.lines) && item(&p.lines[i]) && firstMark(p.lines[i].text) == mark; i++ {
		run = append(run, trimSeparator(p.lines[i].text))
	}
	if len(run) < minList {
		return nil
	}
	return append([]string{trimSeparator(p.lines[end].text)}, run...)
}

// announcedList returns the numbered list that follows the text ending
// at line end when its last paragraph, the last of out, announces it with
// a colon: items numbered from 1 on, at least minList of them, each
// maybe followed by a line that is only its link (which is left out).
// The paragraph must be the text's own: a line under the text that heads
// a list ("Here are the stories our readers followed most closely this
// week:") announces other stories, and closes nothing.
func (p *page) announcedList(out []string, end int) []string {
	const minList = 3
	if len(out) == 0 || !strings.HasSuffix(out[len(out)-1], ":") || p.kept(end, out) {
		return nil
	}
	var items []string
	for i := end; i < len(p.lines); i++ {
		l := &p.lines[i]
		if len(items) > 0 && !strings.ContainsRune(l.text, ' ') && strings.HasPrefix(l.text, "http") {
			continue // the item's link
		}
		if l.kind != kindNumbered || itemNumber(l.text) != len(items)+1 {
			break
		}
		items = append(items, trimSeparator(l.text))
	}
	if len(items) < minList {
		return nil
	}
	return items
}

// storyCredit is the credit that signs a story, set apart from its text:
// in parentheses, as wire copy closes ("(Reporting by Jane Doe; Editing
// by John Roe)"), or under a label ("Contributing: Jane Doe").
var storyCredit = regexp.MustCompile(`^(?:\((?i:(?:additional )?(?:reporting|writing|editing|research) by) \p{Lu}[^()]{2,200}\)|(?i:contributing|additional reporting):\s*\p{Lu}[^:]{2,150})$`)

// creditAfter returns the story's credit when it is the line after the
// text ending at line end (or after the line that closed it): it is the
// story's signature, as a post's is. A credit written as a sentence of
// the text ("Jane Doe contributed to this report.") is furniture.
func (p *page) creditAfter(out []string, end int) []string {
	if p.kept(end, out) {
		end++
	}
	if end >= len(p.lines) || len(p.lines[end].text) > 250 || !storyCredit.MatchString(p.lines[end].text) {
		return nil
	}
	return []string{p.lines[end].text}
}

// itemNumber is the number a numbered item begins with ("12) …"), or 0.
func itemNumber(s string) int {
	n := 0
	for i := 0; i < len(s) && i < 3 && '0' <= s[i] && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// letterWords counts the words of s made of letters alone, less the
// punctuation around them.
func letterWords(s string) int {
	n := 0
	for w := range strings.FieldsSeq(s) {
		w = strings.TrimFunc(w, isWordPunct)
		if w != "" && strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) < 0 {
			n++
		}
	}
	return n
}

// firstMark returns the first rune of s that is no letter, digit, space
// or mark inside a word (".", "'", "’", "-"), or 0.
func firstMark(s string) rune {
	for _, r := range s {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), unicode.IsSpace(r), r == '.', r == '\'', r == '’', r == '-':
			continue
		}
		return r
	}
	return 0
}

// capsHeading reports a short heading in capitals inside a text ("UP
// NEXT", "POINT GUARDS BEHAVE"); a script without capitals has none.
func capsHeading(l *line) bool {
	return l.kind == kindShort && l.words >= 1 && l.words <= 5 && strings.IndexFunc(l.text, unicode.IsUpper) >= 0 &&
		strings.ToUpper(l.text) == l.text && !l.furniture()
}

// kept reports whether line i is the last of the paragraphs out.
func (p *page) kept(i int, out []string) bool {
	return i >= 0 && i < len(p.lines) && len(out) > 0 && out[len(out)-1] == trimSeparator(p.lines[i].text)
}

// postSignature reports the line that signs a post embedded in the text:
// "— Jane Doe (@janedoe) October 9, 2018". It belongs to the post above
// it, as the post belongs to the text.
func postSignature(l *line) bool {
	return l.words <= 16 && strings.Contains(l.text, "(@") && postSignatureRe.MatchString(l.text)
}

var postSignatureRe = regexp.MustCompile(`^[—–-]\s*\S.{0,80}\(@\w{1,30}\)\s+\p{L}{3,9}\.? \d{1,2}, \d{4}$`)

// repeatsNext reports whether the next good line after line i, before
// end, has the given key (0 for none).
func (p *page) repeatsNext(i, end int, key uint64) bool {
	for j := i + 1; j < end; j++ {
		if p.lines[j].class == classGood {
			return key != 0 && p.lines[j].key == key
		}
	}
	return false
}

// authorBio reports a short paragraph introducing a writer: "Julius is an
// LA Entertainment Reporter for Fox News." A sentence of the story about
// a journalist may read so too, so only the text's last paragraph is
// judged by it.
func authorBio(s string) bool {
	if wordCount(s) > 30 || !endsSentence(s) || !strings.Contains(s, " is ") || !roleWords.in(asciiLower(s)) {
		return false
	}
	m := bioRe.FindStringIndex(s)
	if m == nil {
		return false
	}
	is := strings.Index(s, " is ")
	return is > 0 && is < m[0] && wordCount(s[:is]) <= 4
}

// opening reports a line i that may open an article's text, given that
// it may close one (closing): a statement, from a capital to a full stop,
// under a line that is not text (a caption, a date, a byline) or the
// headline.
func (p *page) opening(i int) bool {
	t := strings.TrimRight(p.lines[i].text, `"'”’»)`)
	if r, _ := utf8.DecodeRuneInString(t); !unicode.IsUpper(r) || !strings.HasSuffix(t, ".") && !strings.HasSuffix(t, ":") || strings.HasSuffix(t, "...") {
		return false
	}
	return i == 0 || p.lines[i-1].class != classGood
}

// introLine reports a short line introducing the text that follows it,
// as a sentence would but ending with a colon: "Your mindset matters.
// Here's why:". A label ("Share this:") is shorter.
func (p *page) introLine(l *line) bool {
	switch l.kind {
	case kindShort, kindPara:
	default:
		return false
	}
	return l.words >= 5 && l.words < 25 && strings.HasSuffix(l.text, ":") && !p.template(l) &&
		!l.furniture() && !strings.ContainsAny(l.text, "@|") && !strings.Contains(l.text, "://") && !stampLine(l)
}

// closing reports a line that may close an article's text: a short
// sentence, not furniture, a label or a line other pages share.
func (p *page) closing(l *line) bool {
	return l.rep == 1 && p.sentenceLine(l)
}

// sentenceLine reports a short sentence that is not furniture, a label
// or a line other pages share.
func (p *page) sentenceLine(l *line) bool {
	switch l.kind {
	case kindShort, kindPara:
	default:
		return false
	}
	return l.words >= 3 && l.words < 25 && endsSentence(l.text) && !p.template(l) &&
		!l.furniture() && !strings.ContainsAny(l.text, "@|") && !strings.Contains(l.text, "://") && !stampLine(l)
}

// stampLine reports a line stating when the page was published or
// updated, with no colon after its label: "Updated at 1:23 p.m.".
func stampLine(l *line) bool {
	for _, w := range [...]string{"updated ", "published ", "posted ", "modified ", "last updated "} {
		if strings.HasPrefix(l.lower, w) {
			return strings.ContainsAny(l.text, "0123456789")
		}
	}
	return false
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

// contentWords yields the lower-cased words of s that are not stop
// words, three letters or more.
func contentWords(s string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for w := range strings.FieldsSeq(s) {
			w = trimPunct(w, isContentPunct)
			if len(w) < 3 {
				continue
			}
			w = lowerWord(w)
			if !isStop(w) && !yield(w) {
				return
			}
		}
	}
}

// isContentPunct reports the runes trimmed from a word's ends before it
// is compared: strings.Trim's cutset `.,;:!?"'“”‘’«»()[]…—–-|`.
func isContentPunct(r rune) bool {
	return r == '|' || isWordPunct(r)
}
