package article

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// An outlet's name is rarely stated once, in a labelled field: a page
// shows it in its furniture many times over, in phrases every site uses
// ("About X", "Follow X", "X homepage", "© 2019 X"), in its headline's
// suffix, in an author's bio ("a reporter for X"), in the lede of an
// agency's own story ("..., X reports."), in its staff's mail addresses.
// Each such phrase is a vote for a name; the name with most votes is the
// outlet when it has enough of them. A section name ("Information",
// "Menu") never gets a vote of its own.

// nameRe is an outlet's name inside a phrase: up to five words, each
// beginning with a capital or a digit ("The Hollywood Reporter", "9to5Mac",
// "Sportsnet.ca", "ProFootballTalk"), the first one in lower case when a
// digit or a capital follows ("my6sense", "eBay").
const nameRe = `((?:[Tt]he\s+)?(?:[\p{Lu}\d]|\p{Ll}+[\d\p{Lu}])[\p{L}\d.&'’+-]*(?:\s+(?:[\p{Lu}\d][\p{L}\d.&'’+-]*|of|on|and|by|de|du|la|for)){0,4})`

var (
	// sitePrefix is furniture naming the site after a verb that only a
	// site's own name follows: "About X", "Follow X online:", "Subscribe
	// to X newsletters", "Why you can trust X".
	sitePrefix = regexp.MustCompile(`^(?i:about|contact|follow|support|subscribe to|advertise (?:with|on|in)|work (?:at|for|with)|careers at|jobs at|why you can trust|welcome to|sign up to|(?:keep|stay) up to date with|stay (?:connected|in touch) with)\s+` + nameRe + `(?:['’]s)?(?i:\s+(?:newsletters?|online|on (?:facebook|twitter|instagram|youtube|linkedin|social media)|apps?|my homepage|via email|by email|staff|customer support|feedback|magazine|news ?letter))?\s*[:.!]?$`)
	// siteWeakPrefix is furniture that names the site, or sometimes a
	// section or a person: "Search X", "More from X", "Popular on X".
	siteWeakPrefix = regexp.MustCompile(`^(?i:search|more from|popular on|continue to|inside|sign up for|latest from|the latest from|read more from)\s+` + nameRe + `\s*[:.!]?$`)
	// siteSuffixRe is furniture naming the site before a word of
	// navigation: "Vox homepage", "Dawgs By Nature main menu".
	siteSuffixRe = regexp.MustCompile(`^` + nameRe + `\s+(?i:homepage|home page|main menu|worldwide|logo|masthead)\s*[:.]?$`)
	// siteAppRe is the site's app, or a section's: "The Hill Apps".
	siteAppRe = regexp.MustCompile(`^` + nameRe + `\s+(?i:apps?)$`)
	// bioRe is an author's bio or credit naming the outlet they write for.
	bioRe = regexp.MustCompile(`(?i:\b(?:reporter|writer|editor|correspondent|contributor|columnist|producer|journalist|intern|anchor|editor-in-chief)\s+(?:at|for|with)\s+)` + nameRe)
	// bylineOutlet is a byline or a credit ending with the outlet: "By Jill
	// Disis, CNN Business", "Andy Sahadeo | Fox News", "Eric Song, IGN Staff".
	bylineOutlet = regexp.MustCompile(`^(?i:by\s+)?\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*){1,3}\s*(?:,|\|)\s*` + nameRe + `$`)
	// reportsRe is an agency's or a site's own credit in its lede: "...,
	// Azernews reports." or "X reports via Armenian media".
	reportsRe = regexp.MustCompile(`(?:(?:^|,\s+|—\s+)` + nameRe + `\s+(?:reports|informs)(?:\s+via\b|\s+citing\b|\s*[.,]|$)|\breported by ` + nameRe + ` via\b)`)
	// copyrightRe is a copyright line; the name follows the years.
	copyrightRe = regexp.MustCompile(`(?i)^(?:©|\(c\)|copyright)\s*(?:©\s*|copyright\s*|\(c\)\s*)*((?:\d{4}(?:\s*[-–]\s*\d{4})?)?)\s*,?\s*(?:by\s+)?(.{2,80}?)(?:[.,]?\s+all rights reserved\b.*)?$`)
	// mailDomain is a mail address's domain, the site's own for its staff.
	mailDomain = regexp.MustCompile(`[\w.+-]+@((?:[a-z0-9-]+\.)+[a-z]{2,6})\b`)
	// legalSuffix is a company's legal form and what follows it.
	legalSuffix = regexp.MustCompile(`(?i)(?:,?\s+(?:pty\.?\s+)?(?:llc|l\.l\.c|inc|incorporated|ltd|limited|plc|gmbh|ag|s\.a|sa|srl|bv|corp|corporation|co|pvt)\b\.?.*)$`)
	// siteInParens is a site's address after its name: "(www.albawaba.com)".
	siteInParens = regexp.MustCompile(`\s*\((?:www\.)?[\w-]+\.[\w.]+\)`)
	// corporateTail is a word that turns a site's name into its company's.
	corporateTail = regexp.MustCompile(`(?i)\s+(?:media|group|communications|network|interactive|holdings|company|publishing|publications|enterprises|newspapers|digital|entertainment|broadcasting)$`)
	// domainTail is the top-level domain of a name written as an address.
	domainTail = regexp.MustCompile(`(?i)\.(?:com|net|org|info|news|co\.uk|co|ca|az|am|ru|ge|tr|uk|de|fr|in|au)$`)
	// nameTail is a word a phrase adds after a site's name.
	nameTail = regexp.MustCompile(`(?i)\s+(?:staff|newsletters?|magazine|online|news ?letter|by email|via email|on (?:youtube|facebook|twitter|instagram|linkedin))$`)
)

// The first and last words that the phrases need: a cheap test before
// their regular expressions.
var (
	prefixVerbs = map[string]bool{"about": true, "contact": true, "follow": true, "support": true, "subscribe": true,
		"advertise": true, "work": true, "careers": true, "jobs": true, "why": true, "welcome": true, "sign": true,
		"keep": true, "stay": true}
	weakVerbs = map[string]bool{"search": true, "more": true, "popular": true, "continue": true, "inside": true,
		"sign": true, "latest": true, "the": true, "read": true}
	suffixWords = map[string]bool{"homepage": true, "page": true, "menu": true, "worldwide": true, "logo": true,
		"masthead": true, "app": true, "apps": true}
	roleWords = newPhraseSet("reporter", "writer", "editor", "correspondent", "contributor", "columnist", "producer",
		"journalist", "intern", "anchor")
)

// notNames are words the phrases capture that name no site.
var notNames = map[string]bool{
	"us": true, "our": true, "the": true, "me": true, "this": true, "more": true, "all": true, "now": true,
	"home": true, "menu": true, "search": true, "information": true, "news": true, "newsletter": true,
	"newsletters": true, "privacy": true, "terms": true, "cookies": true, "help": true, "faq": true,
	"subscribe": true, "today": true, "here": true, "free": true, "app": true, "apps": true, "live": true,
	"google": true, "facebook": true, "twitter": true, "instagram": true, "youtube": true, "linkedin": true,
	"apple": true, "amazon": true, "microsoft": true, "all rights reserved": true, "rights reserved": true,
	"email": true, "e-mail": true, "rss": true, "top": true, "video": true, "videos": true, "photos": true,
	"sections": true, "section": true, "editions": true, "edition": true, "site": true, "website": true,
	"us on facebook": true, "podcasts": true, "podcast": true, "jobs": true, "careers": true, "contact": true,
	"about": true, "advertise": true, "advertising": true, "account": true, "my account": true, "sign in": true,
	"log in": true, "register": true, "tv": true, "weather": true, "sports": true, "business": true,
	"politics": true, "world": true, "opinion": true, "entertainment": true, "lifestyle": true, "health": true,
	"technology": true, "tech": true, "science": true, "travel": true, "culture": true, "local": true,
	"inc": true, "llc": true, "ltd": true, "log out": true, "discussion": true,
}

// notFirst are words a name never begins with.
var notFirst = map[string]bool{
	"us": true, "our": true, "my": true, "your": true, "we": true, "all": true, "more": true, "see": true,
	"log": true, "full": true, "toggle": true, "back": true, "open": true, "close": true, "skip": true, "this": true, "these": true, "free": true, "new": true, "get": true, "a": true,
}

// freeMail are mail domains that name no outlet.
var freeMail = map[string]bool{
	"gmail.com": true, "yahoo.com": true, "hotmail.com": true, "outlook.com": true, "aol.com": true,
	"icloud.com": true, "mail.ru": true, "yandex.ru": true, "protonmail.com": true, "example.com": true,
}

// vote weights: a phrase that names the site outright counts most.
const (
	votePhrase    = 2.0 // site furniture, a title suffix, a "Source:" label
	voteCopyright = 1.5 // a copyright holder: often the company, not the site
	voteCredit    = 1.5 // a byline's or a bio's outlet, an agency's own credit
	voteWeak      = 1.0 // a mail domain, a copyright holder less its corporate word
	outletQuorum  = 1.5 // the votes a name needs to be believed
	maxRepeats    = 1.0 // what repetitions of one kind of vote add at most
)

// Kinds of vote: a name gets a kind's full weight once, and little for
// each repetition, so that a site's newsletter list or a section's menu
// repeated in header and footer cannot outvote names seen in varied
// furniture.
const (
	voteTitle = 1 << iota
	voteSitePrefix
	voteSiteWeak
	voteSiteSuffix
	voteCopy
	voteBio
	voteByline
	voteReports
	voteMail
	voteSource
	voteBullet
	voteCorp
	voteLogo
)

// outletVote is the evidence for one name.
type outletVote struct {
	name  string // as first written with the most weight
	score float64
	best  float64 // the largest single vote, which chose name
	again float64 // what repeated kinds of vote have added
	first int     // index of the first vote
	kinds int     // the kinds of vote it has had
	lines []int   // the lines that voted for it
	// phrase is the name as mentions find it in a line (outletPhrase).
	phrase string
	// company is the copyright holder's whole name that a short name
	// was cut from ("Healthline Media" for "Healthline"), or "".
	company string
}

// outletBallot collects the votes of one page.
type outletBallot struct {
	votes map[string]*outletVote
	n     int
	line  int // the line voting, -1 for none
}

// outletPhrase folds a name for finding it in a line: case, a leading
// "the", spaces, a web address's top-level domain.
func outletPhrase(s string) string {
	s = strings.ToLower(singleSpaced(s))
	s = strings.TrimPrefix(s, "the ")
	s = strings.TrimRight(s, ".")
	if !strings.Contains(s, " ") && strings.Contains(s, ".") {
		// An address whose stem is a section's name ("News.az") keeps its
		// domain: it is a site's name, and not the section's.
		if stem := strings.TrimPrefix(domainTail.ReplaceAllString(s, ""), "www."); !notNames[stem] {
			s = stem
		}
	}
	return s
}

// OutletKey folds an outlet's name for comparison: "AzerNews",
// "Azernews" and "azernews.az" are one outlet.
func OutletKey(s string) string { return outletKey(s) }

// outletKey folds a name for comparison: its phrase without spaces, so
// that "India Post", "IndiaPost" and "indiapost.com" are one name.
func outletKey(s string) string {
	s = strings.ReplaceAll(outletPhrase(s), " ", "")
	if len(s) > 5 && strings.HasPrefix(s, "the") {
		s = s[3:] // "TheHill.com" is "The Hill"
	}
	return s
}

// add votes w of the given kind for name, cleaned; a name that cannot be
// one is ignored.
func (b *outletBallot) add(name string, w float64, kind int) {
	name = cleanOutlet(name)
	if name == "" {
		return
	}
	k := outletKey(name)
	if notNames[outletPhrase(name)] || k == "" {
		return
	}
	if b.votes == nil {
		b.votes = map[string]*outletVote{}
	}
	v := b.votes[k]
	if v == nil {
		v = &outletVote{first: b.n, phrase: outletPhrase(name)}
		b.votes[k] = v
	}
	b.n++
	if v.kinds&kind != 0 {
		w = min(0.25, maxRepeats-v.again) // the same kind of evidence again
		if kind == voteByline {
			w = 0 // a label every item of a list carries ("X | Paid Program")
		}
		v.again += w
	}
	v.kinds |= kind
	v.score += w
	if b.line >= 0 {
		v.lines = append(v.lines, b.line)
	}
	// The spelling of the strongest vote wins; "The X" over "X" at equal
	// weight, as the site writes its own name. A logo's text is often
	// cased for display ("News.az" for "NEWS.AZ"): its spelling counts as
	// a weak vote's.
	if kind == voteLogo {
		w = min(w, voteWeak)
	}
	if w > v.best || w == v.best && strings.HasPrefix(name, "The ") && !strings.HasPrefix(v.name, "The ") {
		v.name, v.best = name, w
	}
}

// cleanOutlet trims what a phrase captured around a name and rejects what
// cannot be one: lower-case words, sentences, addresses, photo credits.
func cleanOutlet(s string) string {
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), ".,;:|-–—!?\"'“”‘’ "))
	s = nameTail.ReplaceAllString(s, "")
	if s == "" || !hasLetter(s) {
		return ""
	}
	if utf8.RuneCountInString(s) > 50 || wordCount(s) > 5 {
		if !institution.MatchString(s) {
			return ""
		}
	}
	r, _ := utf8.DecodeRuneInString(s)
	if !unicode.IsUpper(r) && !unicode.IsDigit(r) && !strings.Contains(s, ".") && !brandShaped(s) {
		return ""
	}
	l := strings.ToLower(s)
	first, _, _ := strings.Cut(l, " ")
	// "New" opens a menu's labels ("New Releases"), and the names of
	// three words or more of a place ("New York Post").
	if notFirst[first] && !(first == "new" && wordCount(s) >= 3) {
		return ""
	}
	for _, w := range strings.Fields(s) {
		if len(w) >= 3 && strings.Trim(w, "0123456789") == "" {
			return "" // a postcode or a year: an address, not a name
		}
	}
	if strings.ContainsAny(s, "@/\\") || strings.Contains(l, "photo") || strings.Contains(l, "image") ||
		strings.Contains(l, "getty") || strings.Contains(l, "shutterstock") || strings.HasPrefix(l, "http") {
		return ""
	}
	return s
}

// outlet names the site whose page this is from the votes its lines cast,
// or "" when no name has a quorum. start is the first line of the main
// text and end the line after it, at the headline's line (-1 for none),
// body the article's paragraphs, titleSite the suffix cut from the
// headline, if any.
func (p *page) outlet(start, end, at int, body []string, titleSite string) string {
	b := outletBallot{line: -1}
	if titleSite != "" {
		b.add(titleSite, votePhrase, voteTitle)
	}
	logo := p.logo(start, at)
	if logo >= 0 {
		b.line = logo
		b.add(p.lines[logo].text, voteCredit, voteLogo)
	}
	for i := range p.lines {
		l := &p.lines[i]
		b.line = i
		if l.kind == kindPara && l.class == classGood && !l.furniture() {
			// The article's own sentences name other organisations; a
			// sentence left out of it may be its author's bio. One in
			// which the site talks about itself is furniture.
			if len(l.text) <= 300 && roleWords.in(l.lower) && (i < start || i >= end || !slices.Contains(body, l.text)) {
				bioVotes(&b, l.text)
			}
			continue
		}
		p.lineVotes(&b, i, start, end)
	}
	b.line = -1
	// An agency's own story credits it in the lede's first sentences.
	for _, para := range body[:min(2, len(body))] {
		para = para[:min(len(para), 400)]
		if strings.Contains(para, " report") || strings.Contains(para, " inform") {
			for _, m := range reportsRe.FindAllStringSubmatch(para, 2) {
				b.add(m[1]+m[2], votePhrase, voteReports)
			}
		}
	}
	// Or credits its own staff at the end, in the text or under it:
	// "Associated Press writers Jane Doe in Yerevan and John Roe in Baku
	// contributed."
	staff := func(para string) {
		if strings.Contains(para, " contributed") {
			for _, m := range staffCredit.FindAllStringSubmatch(para, 2) {
				b.add(m[1], votePhrase, voteBio)
			}
		}
	}
	for _, para := range body[max(0, len(body)-3):] {
		staff(para)
	}
	for i := end; i < min(len(p.lines), end+5); i++ {
		staff(p.lines[i].text)
	}
	// Or, for an agency or a broadcaster, names its own people on the
	// spot: "An AFP team in Ganja saw …", "The BBC's Jane Doe in Baku
	// says …".
	for _, para := range body[:min(12, len(body))] {
		if onTheSpot.in(para) {
			for _, m := range ownPeople.FindAllStringSubmatch(para, 2) {
				name := m[1] + m[2]
				if agencies[strings.ToLower(name)] != "" {
					b.add(name, voteCredit, voteReports)
				}
			}
		}
	}
	// Or opens it with its address, as a dateline: "PanARMENIAN.Net - ...".
	if len(body) > 0 {
		if m := addressCredit.FindStringSubmatch(body[0]); m != nil {
			b.add(m[1], votePhrase, voteReports)
		}
	}
	if len(b.votes) == 0 {
		return ""
	}
	p.companySites(&b, logo)
	p.mentions(&b)
	var win *outletVote
	for _, v := range b.votes {
		if win == nil || v.score > win.score || v.score == win.score && v.first < win.first {
			win = v
		}
	}
	if win.score < outletQuorum {
		return ""
	}
	return win.name
}

// lineVotes adds the votes of line i, a line of furniture; the text
// runs from line start to before line end.
func (p *page) lineVotes(b *outletBallot, i, start, end int) {
	l := &p.lines[i]
	t := l.text
	if len(t) > 300 {
		return
	}
	lower := l.lower
	if len(t) <= 120 {
		first, _, _ := strings.Cut(lower, " ")
		last := lower[strings.LastIndexByte(lower, ' ')+1:]
		switch {
		case prefixVerbs[first]:
			if m := sitePrefix.FindStringSubmatch(t); m != nil {
				b.add(m[1], votePhrase, voteSitePrefix)
				break
			}
			fallthrough
		case weakVerbs[first]:
			if m := siteWeakPrefix.FindStringSubmatch(t); m != nil {
				b.add(m[1], voteWeak, voteSiteWeak)
			}
		case suffixWords[strings.TrimRight(last, ":.")]:
			if m := siteSuffixRe.FindStringSubmatch(t); m != nil {
				b.add(m[1], votePhrase, voteSiteSuffix)
			} else if m := siteAppRe.FindStringSubmatch(t); m != nil {
				b.add(m[1], voteWeak, voteSiteSuffix)
			}
		}
		if strings.HasPrefix(first, "source") || strings.HasPrefix(lower, "- source") || strings.HasPrefix(lower, "• source") {
			if m := sourceLabel.FindStringSubmatch(t); m != nil {
				b.add(m[1], votePhrase, voteSource)
			}
		} else if k := strings.LastIndex(lower, "| source"); k > 0 && l.kind == kindMeta {
			// The last field of a metadata line: "Last Updated : Nov 20,
			// 2019 01:41 PM IST | Source: Moneycontrol.com".
			if m := sourceLabel.FindStringSubmatch(strings.TrimSpace(t[k+1:])); m != nil {
				b.add(m[1], votePhrase, voteSource)
			}
		}
		if i := strings.Index(lower, "updates from "); i >= 0 {
			b.add(t[i+len("updates from "):], votePhrase, voteSource)
		}
		if (l.kind == kindMeta || l.kind == kindShort || l.kind == kindCaption) && strings.ContainsAny(t, ",|") {
			if m := bylineOutlet.FindStringSubmatch(t); m != nil {
				b.add(m[1], voteCredit, voteByline)
			}
		}
	}
	var reserved []string // "NEWS.AZ. All Rights Reserved.": most lines lack the phrase
	if strings.Contains(lower, "all right") {
		reserved = rightsReserved.FindStringSubmatch(t)
	}
	if strings.HasPrefix(lower, "©") || strings.HasPrefix(lower, "copyright") || strings.HasPrefix(lower, "(c)") {
		copyrightVotes(b, t, false)
	} else if reserved != nil {
		b.add(reserved[1], voteCopyright, voteCopy)
	} else if k := strings.Index(lower, "| ©"); k > 0 {
		copyrightVotes(b, t[k+2:], false)
	} else if k := inlineCopyright(lower); k > 0 && i >= end {
		// Under the text: the same notice closing a photo's caption in it
		// ("Pashinyan in Yerevan, May 2024. © 2024 Reuters") credits the
		// photo's agency.
		copyrightVotes(b, t[k:], true)
	}
	if roleWords.in(lower) {
		bioVotes(b, t)
	}
	if strings.IndexByte(t, '@') > 0 {
		for _, m := range mailDomain.FindAllStringSubmatch(lower, 3) {
			d := strings.TrimPrefix(m[1], "www.")
			if !freeMail[d] && strings.Count(d, ".") == 1 {
				b.add(strings.ToUpper(d[:1])+d[1:], voteWeak, voteMail)
			}
		}
	}
	// The site in a metadata block at the head: "- Anadolu Agency".
	if l.kind == kindBullet && len(t) <= 60 && i < start+3 && nearMeta(p.lines, i) {
		item := t[bulletLen(t):]
		if outletWords.MatchString(item) && wordCount(item) <= 5 {
			b.add(item, votePhrase, voteBullet)
		}
	}
}

// logoLines is how far into a page its logo is looked for: a page opens
// with its site's name, after at most a few skip links and menu words.
const logoLines = 6

// logoRe is a line that is a name and nothing else.
var logoRe = regexp.MustCompile(`^` + nameRe + `$`)

// logo finds the line that is the site's logo as text: the first line
// of the page's head that is a name alone, within its first lines and
// above the headline and the main text. It returns -1 for none.
func (p *page) logo(start, at int) int {
	end := start
	if at >= 0 && at < end {
		end = at
	}
	for i := range min(end, logoLines) {
		t := strings.TrimSpace(p.lines[i].text)
		if len(t) > 40 || !logoRe.MatchString(t) {
			continue
		}
		if name := cleanOutlet(t); name == "" || notNames[outletPhrase(name)] || wordCount(name) > 4 {
			continue
		}
		if !brandShaped(t) {
			return -1 // a menu's first word, most likely: the head has no logo line
		}
		return i
	}
	return -1
}

// brandShaped reports a name shaped as a brand rather than a menu's
// word: an address ("Sportsnet.ca"), or a word with a capital or a digit
// inside ("MoreBikes", "9to5Mac"). A menu's words ("Metro", "Auto News")
// are plain words.
func brandShaped(s string) bool {
	if strings.Contains(s, ".") {
		return true
	}
	for _, w := range strings.Fields(s) {
		for i, r := range w {
			if i > 0 && (unicode.IsDigit(r) || unicode.IsUpper(r) && strings.ToUpper(w) != w) {
				return true // "9to5Mac", "KRON4", "MoreBikes"; not "NEWS"
			}
		}
	}
	return false
}

// bioVotes adds the votes of an author's bio or credit in t.
func bioVotes(b *outletBallot, t string) {
	for _, m := range bioRe.FindAllStringSubmatch(t, 2) {
		b.add(m[1], voteCredit, voteBio)
	}
}

// nearMeta reports a line within three lines of a metadata label.
func nearMeta(ls []line, i int) bool {
	for k := max(0, i-3); k < min(len(ls), i+4); k++ {
		if ls[k].kind == kindMeta {
			return true
		}
	}
	return false
}

// copyrightVotes votes for the holder of a copyright line. A holder
// named plainly after a year is most likely the site ("© 2019 Newsweek");
// one with a legal form is often its company ("Hearst Communications,
// Inc."), and counts less; a holder with neither is often a photo's
// ("© Reuters") and counts least. The name less a corporate word ("Vox
// Media" -> "Vox") gets a weak vote too. inline is a notice closing a
// line after a sentence, where a news agency's, even with a year ("…
// May 2024. © 2024 Reuters"), credits a photo or a story it sold.
func copyrightVotes(b *outletBallot, t string, inline bool) {
	m := copyrightRe.FindStringSubmatch(t)
	if m == nil {
		return
	}
	year, name := m[1] != "", m[2]
	// The holder ends where the notice's next clause begins.
	for _, sep := range []string{" | ", " / ", ". ", " - ", " – ", ", a ", " all rights", " All Rights", " ALL RIGHTS", " All rights", " alle rechte", " Alle Rechte", " is a ", " and/or", " :", "·", " under "} {
		if i := strings.Index(name, sep); i > 0 {
			name = name[:i]
		}
	}
	name = siteInParens.ReplaceAllString(name, "")
	plain := legalSuffix.ReplaceAllString(name, "")
	legal := plain != name
	name = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(plain), ".,"))
	// A year written after the name: "Telegraph Media Group Limited
	// 2019", "The Anti-June Cleaver 2011-2019".
	for isYearTail(name) {
		name, year = strings.TrimRight(name[:len(name)-4], " -–"), true
	}
	name = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(name, "Copyright "), "copyright "))
	if name == "" {
		return
	}
	if (inline || !year && !legal) && agencies[strings.ToLower(name)] != "" {
		return // a wire photo's or story's credit, not the site's notice
	}
	w := voteWeak
	switch {
	case year && !legal:
		w = votePhrase
	case year || legal:
		w = voteCopyright
	}
	// A holder with a corporate word ("Healthline Media", "Snopes Media
	// Group") is the site's company: the site is the name less those
	// words, and the company's whole name is weak evidence. companySites
	// gives the whole name its weight back when the page never writes the
	// short one alone.
	short := shortName(name)
	if short == name {
		b.add(name, w, voteCopy)
		return
	}
	b.add(name, voteWeak, voteCopy)
	b.add(short, w, voteCorp)
	if v := b.votes[outletKey(cleanOutlet(short))]; v != nil && v.kinds == voteCorp {
		v.company = name
	}
}

// shortName is a company's name less its corporate words ("Snopes Media
// Group" is "Snopes"), or the name itself when cutting one would leave a
// word that joins it to the next ("Guardian News &", "Dow Jones &").
func shortName(name string) string {
	short := name
	for {
		s := corporateTail.ReplaceAllString(short, "")
		if s == short || danglingJoin.MatchString(s) {
			return short
		}
		short = s
	}
}

// danglingJoin is a name's last word that joins it to a word cut after it.
var danglingJoin = regexp.MustCompile(`(?i)(?:^|\s)(?:&|and|\+|of|for|the|und|et|y|e)$|[,&+-]$`)

// companySites hands the votes of a company's short name, a copyright
// holder less its corporate words that nothing else voted for ("CBS" of
// "CBS Interactive", "NYP" of "NYP Holdings, Inc."), to the site the
// page names after the company: its logo, when the logo's name begins
// with the company's ("CBSSports.com"), or else a name the page writes
// alone on lines of its furniture whose initials spell the company's
// ("New York Post"). Failing both, a short name that is no site's gives
// the notice's weight back to the whole name. logo is the logo's line,
// -1 for none.
func (p *page) companySites(b *outletBallot, logo int) {
	logoKey := ""
	if logo >= 0 {
		logoKey = outletKey(cleanOutlet(p.lines[logo].text))
	}
	var companies []string
	for k, v := range b.votes {
		if v.kinds == voteCorp {
			companies = append(companies, k)
		}
	}
	slices.Sort(companies) // the same ballot whatever the map's order
	for _, k := range companies {
		v := b.votes[k]
		if lv := b.votes[logoKey]; lv != nil && len(logoKey) > len(k) && strings.HasPrefix(logoKey, k) {
			lv.score += v.score
			delete(b.votes, k)
			continue
		}
		if i := p.spelledOut(v.name); i >= 0 {
			delete(b.votes, k)
			b.line = i
			b.add(p.lines[i].text, v.score, voteCorp)
			b.line = -1
			continue
		}
		// A short name the page never writes alone, or a single short
		// word, is no site's: its corporate word belongs to the name ("OC
		// Media", "International Crisis Group", "Cable News Network"). The
		// whole name takes the notice's weight back, the short one keeps a
		// weak vote.
		if cv := b.votes[outletKey(cleanOutlet(v.company))]; cv != nil && v.score > voteWeak && (shortWord(v.name) || !p.writesAlone(v.phrase, cv.phrase)) {
			cv.score += v.score - voteWeak
			v.score = voteWeak
		}
	}
}

// shortWord reports a name of one word of at most four letters ("OC",
// "CBS"), which a page writing it alone may mean otherwise.
func shortWord(name string) bool {
	return !strings.Contains(name, " ") && utf8.RuneCountInString(name) <= 4
}

// writesAlone reports whether a line of the page names short (a phrase)
// outside the whole name it was cut from ("Healthline" in "Subscribe to
// Healthline newsletters", not in "Healthline Media does not provide
// medical advice").
func (p *page) writesAlone(short, whole string) bool {
	for i := range p.lines {
		lower := strings.ToLower(p.lines[i].text)
		if !strings.Contains(lower, short) {
			continue
		}
		if containsWord(strings.ReplaceAll(lower, whole, ""), short) {
			return true
		}
	}
	return false
}

// spelledOut returns the first line of the page's furniture that is a
// name alone whose words' initials spell acronym ("New York Post" for
// "NYP"), or -1. A name that is no acronym (two to five capitals) has
// none. The site's name stands in its head and again in its foot: a name
// written once, or only among a menu's labels ("Caucasus Herald" /
// "South Caucasus News" / "Politics"), is a section's, whatever its
// initials.
func (p *page) spelledOut(acronym string) int {
	if len(acronym) < 2 || len(acronym) > 5 || strings.IndexFunc(acronym, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return -1
	}
	first, key, seen := -1, "", 0
	for i := range p.lines {
		l := &p.lines[i]
		if l.words != len(acronym) || l.class == classGood || len(l.text) > 60 || !logoRe.MatchString(l.text) || p.menuItem(i) {
			continue
		}
		if first >= 0 {
			if outletKey(l.text) == key {
				seen++
			}
			continue
		}
		initials := make([]byte, 0, len(acronym))
		for w := range strings.FieldsSeq(l.text) {
			initials = append(initials, w[0])
		}
		if string(initials) == acronym {
			first, key, seen = i, outletKey(l.text), 1
		}
	}
	if seen < 2 {
		return -1
	}
	return first
}

// menuItem reports a line between two labels of a menu: short names
// alone, of three words at most.
func (p *page) menuItem(i int) bool {
	label := func(j int) bool {
		return j >= 0 && j < len(p.lines) && p.lines[j].words <= 3 && logoRe.MatchString(p.lines[j].text)
	}
	return label(i-1) && label(i+1)
}

// inlineCopyright returns where a site's copyright notice begins inside
// a line of furniture, or -1: a "©" that closes the line after the end of
// a sentence ("… affiliated sites. ©The Anti-June Cleaver 2011-2019") or
// after the word copyright ("IPSO Regulated Copyright ©2019 Express
// Newspapers."). A credit inside a phrase ("Sports data © STATS 2018")
// is some other holder's. l is the line's asciiLower.
func inlineCopyright(l string) int {
	k := strings.LastIndex(l, "©")
	if k < 2 || len(l)-k > 100 {
		return -1
	}
	before := strings.TrimRight(l[:k], " ")
	if strings.HasSuffix(before, "copyright") || endsSentence(before) && len(before) < k {
		return k
	}
	return -1
}

// isYearTail reports a name ending in a four-digit year, after a space
// or the dash of a range of years.
func isYearTail(s string) bool {
	n := len(s)
	if n < 5 || s[n-5] != ' ' && s[n-5] != '-' && !strings.HasSuffix(s[:n-4], "–") {
		return false
	}
	for _, c := range s[n-4:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// mentions adds, for each name that has a vote, a little for every
// short line of the page that is that name alone (a site's logo, header
// and footer) and less for every line of furniture that names it ("WSJ
// Pro", "Watch KRON4 News Online"), so that the name a page repeats
// outweighs one named once.
func (p *page) mentions(b *outletBallot) {
	type cand struct {
		v           *outletVote
		key, phrase string
		bonus       float64
	}
	cs := make([]cand, 0, len(b.votes))
	for k, v := range b.votes {
		if len(k) >= 2 {
			cs = append(cs, cand{v: v, key: k, phrase: v.phrase})
		}
	}
	for li, l := range p.lines {
		if len(l.text) > 200 || l.kind == kindPara && l.class == classGood {
			continue
		}
		t := strings.TrimSpace(l.text)
		exact := outletKey(t)
		lower := strings.ToLower(t)
	names:
		for i := range cs {
			c := &cs[i]
			for _, from := range c.v.lines {
				if from == li {
					continue names // the line's own vote
				}
			}
			switch {
			case exact == c.key:
				c.bonus += 0.75
			case containsWord(lower, c.phrase):
				c.bonus += 0.2
			}
		}
	}
	for _, c := range cs {
		c.v.score += min(c.bonus, 2)
	}
}

// containsWord reports whether s holds w with no letter or digit on
// either side.
func containsWord(s, w string) bool {
	for off := 0; ; {
		i := strings.Index(s[off:], w)
		if i < 0 {
			return false
		}
		i += off
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+len(w):])
		if !isWordRune(before) && !isWordRune(after) {
			return true
		}
		off = i + 1
	}
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// rightsReserved is a notice that begins with its holder: "NEWS.AZ. All
// Rights Reserved."
var rightsReserved = regexp.MustCompile(`^` + nameRe + `[.,]?\s+(?i:all rights reserved)`)

// addressCredit is a site's address opening its lede, as a dateline:
// "PanARMENIAN.Net - Verified video footage ...".
var addressCredit = regexp.MustCompile(`^([\p{L}\d][\p{L}\d-]*(?:\.[\p{L}]{2,6})+)\s+(?:-|–|—)\s+\S`)

// ownPeople is an outlet's team or correspondent on the spot: "An AFP
// team in Ganja", "The BBC's Jane Doe in Baku", "a Reuters
// correspondent in Yerevan".
var ownPeople = regexp.MustCompile(`\b(?:[Aa]n?|[Tt]he)\s+(?:(\p{Lu}[\p{L}-]+(?:\s+\p{Lu}[\p{L}-]+)?)\s+(?:team|reporters?|correspondents?|journalists?|crew)|(\p{Lu}[\p{L}-]+(?:\s+\p{Lu}[\p{L}-]+)?)['’]s\s+\p{Lu}[\p{L}-]+\s+\p{Lu}[\p{L}-]+)\s+in\s+\p{Lu}`)

// onTheSpot finds the phrases ownPeople begins with for a known agency
// ("AFP team", "BBC's "): the expression is run only on a paragraph
// holding one.
var onTheSpot = func() *phraseSet {
	var cues []string
	seen := map[string]bool{}
	for _, name := range agencies {
		if seen[name] {
			continue
		}
		seen[name] = true
		for _, tail := range []string{" team", "'s ", "’s ", " correspondent", " reporter", " journalist", " crew"} {
			cues = append(cues, name+tail)
		}
	}
	return newPhraseSet(cues...)
}()

// staffCredit is an outlet's credit to its own staff closing a story:
// "Associated Press writers Jane Doe in Yerevan … contributed".
var staffCredit = regexp.MustCompile(`(?:^|[.!?]["”’]?\s*)` + nameRe + `\s+(?:staff\s+)?(?:writers?|reporters?|correspondents?)\s+\p{Lu}[^.]{0,200}?\bcontributed\b`)

// institution is an official body's whole name, longer than a site's:
// "Ministry of Foreign Affairs of the Republic of Armenia", "The Prime
// Minister of the Republic of Armenia", "Embassy of the United States in
// Baku". Its words are capitalised, or join them.
var institution = regexp.MustCompile(`^(?:The\s+)?(?:Ministry|Embassy|Consulate|Office|Department|Government|Presidency|President|Prime\s+Minister|Permanent\s+Mission|Mission|Delegation|Parliament|National\s+Assembly|Council|Administration)\s+(?:of|for)(?:\s+(?:\p{Lu}[\p{L}’'.-]*|of|the|and|for|in|to|at|&)){1,9}$`)

// sourceLabel is a "Source: X" line.
var sourceLabel = regexp.MustCompile(`(?i)^(?:[-•*]\s*)?source\s*:\s*(.{2,60})$`)
