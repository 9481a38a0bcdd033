package article

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// datelineRe matches a dateline opening the lede: a place in capitals,
// or two joined by a slash, optionally a region or date after a comma
// and a credit in parentheses, then a dash: "MOSCOW (RFE/RL) — ",
// "BAKU, Azerbaijan (AP) - ", "YEREVAN/BAKU (Reuters) - ". A hyphen with
// a letter on both sides joins a word ("NATO-led", "COVID-19"): it is no
// dateline's dash.
var datelineRe = regexp.MustCompile(`^(\p{Lu}[\p{Lu}.'’ /-]{1,40}?\p{Lu}\.?)((?:,\s*[^()—–]{1,40}?)?)\s*(?:\(([^)]{1,40})\))?(?:\s*(?:—|–|--)\s*|\s+-\s*|-\s+)`)

// splitDateline removes a dateline from the first paragraph and returns the
// rest, the place and the credit in parentheses (an agency), if any.
func splitDateline(first string) (rest, place, agency string) {
	m := datelineRe.FindStringSubmatchIndex(first)
	if m == nil {
		return splitWireCredit(first)
	}
	place = strings.TrimSpace(first[m[2]:m[3]])
	// A dateline place is a short all-capitals name, not a sentence opener
	// such as "A" or an acronym glued to a hyphenated word.
	if utf8.RuneCountInString(place) < 3 || wordCount(place) > 4 || strings.ToUpper(place) != place {
		return first, "", ""
	}
	rest = strings.TrimSpace(first[m[1]:])
	// A lede is a sentence: a heading in capitals after the dash ("THE
	// POINT -- NOW ON YOUTUBE!") has no dateline.
	if rest == "" || strings.ToUpper(rest) == rest && strings.ToLower(rest) != rest {
		return first, "", ""
	}
	if m[6] >= 0 {
		agency = canonicalAgency(first[m[6]:m[7]])
	}
	return rest, place, agency
}

// wireCreditRe is a dateline that a news agency closes with its own name
// rather than a dash, as the agencies of the region write it: "YEREVAN,
// NOVEMBER 10, ARMENPRESS. ", "MOSCOW, November 10. /TASS/. ", "Baku,
// November 10, AZERTAC. ", "BAKU, Azerbaijan, Nov. 10. Trend: ",
// "Yerevan /Mediamax/. ". The place is the first of up to three
// capitalised words; the name stands between slashes, in capitals before
// a full stop, or before a colon. splitWireCredit checks the name.
var wireCreditRe = regexp.MustCompile(`^(\p{Lu}[\p{L}'’-]*(?:\s\p{Lu}[\p{L}'’-]*){0,2})(?:,([^/:()]{1,40}?))?[,.]?\s*(?:/([^/\s]{2,20})/\s*\.?|(\p{Lu}[\p{Lu}-]+)\s*\.|(\p{Lu}[\p{L}-]+)\s*:)\s+`)

// splitWireCredit is splitDateline for a dateline closed by an agency's
// name (wireCreditRe): a known agency's, as it writes it, after a date or
// between slashes, so that a sentence's word ("WASHINGTON, a new trend:
// …") is none.
func splitWireCredit(first string) (rest, place, agency string) {
	// The name is within the line's first words: most lines have no
	// slash, colon or capitals before a full stop there.
	if head := first[:min(len(first), 90)]; !strings.ContainsAny(head, "/:") && !capsStop(head) {
		return first, "", ""
	}
	m := wireCreditRe.FindStringSubmatchIndex(first)
	if m == nil {
		return first, "", ""
	}
	var credit string
	for g := 3; g <= 5; g++ {
		if m[2*g] >= 0 {
			credit = first[m[2*g]:m[2*g+1]]
		}
	}
	slashed := m[6] >= 0
	if a, ok := agencies[strings.ToLower(credit)]; !ok || credit != a && credit != strings.ToUpper(credit) && credit != titleWords(strings.ToLower(credit)) {
		return first, "", ""
	}
	if !slashed && (m[4] < 0 || strings.IndexAny(first[m[4]:m[5]], "0123456789") < 0) {
		return first, "", "" // no date before the name
	}
	rest = strings.TrimSpace(first[m[1]:])
	if rest == "" || strings.ToUpper(rest) == rest && strings.ToLower(rest) != rest {
		return first, "", ""
	}
	return rest, first[m[2]:m[3]], canonicalAgency(credit)
}

// capsStop reports two ASCII capitals before a full stop in s, maybe
// with a space between ("ARMENPRESS.", "AZERTAC .").
func capsStop(s string) bool {
	for i := strings.IndexByte(s, '.'); i >= 0; {
		j := i - 1
		if j >= 0 && s[j] == ' ' {
			j--
		}
		if j >= 1 && 'A' <= s[j] && s[j] <= 'Z' && 'A' <= s[j-1] && s[j-1] <= 'Z' {
			return true
		}
		k := strings.IndexByte(s[i+1:], '.')
		if k < 0 {
			return false
		}
		i += 1 + k
	}
	return false
}

// titleWords capitalises the first letter of each word of s.
func titleWords(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		r, n := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToUpper(r)) + w[n:]
	}
	return strings.Join(words, " ")
}

// agencies maps the spellings of wire services to their usual short names.
var agencies = map[string]string{
	"ap": "AP", "associated press": "AP", "the associated press": "AP",
	"reuters": "Reuters", "thomson reuters": "Reuters",
	"afp": "AFP", "agence france-presse": "AFP", "agence france presse": "AFP",
	"rfe/rl": "RFE/RL", "radio free europe/radio liberty": "RFE/RL", "radio free europe": "RFE/RL", "azatutyun": "RFE/RL",
	"tass": "TASS", "itar-tass": "TASS", "interfax": "Interfax", "ria novosti": "RIA Novosti", "ria": "RIA Novosti",
	"sputnik": "Sputnik", "xinhua": "Xinhua", "anadolu": "Anadolu Agency", "anadolu agency": "Anadolu Agency", "aa": "Anadolu Agency",
	"apa": "APA", "trend": "Trend", "armenpress": "Armenpress", "arka": "Arka", "mediamax": "Mediamax",
	"azertac": "AZERTAC", "news.am": "News.am", "dpa": "dpa", "efe": "EFE", "ansa": "ANSA", "bloomberg": "Bloomberg",
	"upi": "UPI", "irna": "IRNA", "kyodo": "Kyodo", "yonhap": "Yonhap", "pap": "PAP", "bbc": "BBC", "cnn": "CNN",
}

// canonicalAgency returns the short name of a wire credit, or the credit as
// written when it is not a known service.
func canonicalAgency(s string) string {
	s = strings.TrimSpace(strings.Trim(s, "()[]"))
	if a, ok := agencies[strings.ToLower(s)]; ok {
		return a
	}
	return s
}

var (
	// creditLine is a wire credit on a line of its own: "(Reuters)",
	// "— AP", "Reporting by ...; Editing by ..." (Reuters' sign-off).
	creditLine     = regexp.MustCompile(`(?i)^(?:\(([^)]{2,40})\)|[—–]\s*([\p{L}/ .-]{2,40}))$`)
	reportedBy     = regexp.MustCompile(`(?i)\b(` + strings.Join(wireNames, "|") + `)\s+(?:news agency\s+)?(?:reported|said in a report|was told|quoted)\b`)
	reutersSignoff = regexp.MustCompile(`(?i)^\(?reporting by\b.*(?:editing by|writing by)\b`)
)

// agency finds a wire credit other than the dateline's: a credit line, a
// Reuters sign-off, or "The Associated Press reported" in the text.
func (p *page) agency(body []string) string {
	for _, l := range p.lines {
		// The patterns begin with these; most lines do not.
		if strings.HasPrefix(l.text, "(") || strings.HasPrefix(l.text, "—") || strings.HasPrefix(l.text, "–") {
			if m := creditLine.FindStringSubmatch(l.text); m != nil {
				c := m[1] + m[2]
				if a, ok := agencies[strings.ToLower(strings.TrimSpace(c))]; ok {
					return a
				}
			}
		}
		if strings.HasPrefix(l.lower, "reporting by") || strings.HasPrefix(l.lower, "(reporting by") {
			if reutersSignoff.MatchString(l.text) {
				return "Reuters"
			}
		}
	}
	for _, b := range body {
		// The regular expression is costly; most paragraphs lack its verbs.
		if !mayCredit(b) || !namesWire(b) {
			continue
		}
		if m := reportedBy.FindStringSubmatch(b); m != nil {
			return canonicalAgency(m[1])
		}
	}
	return ""
}

// outletWords mark a name as an outlet's in a list of metadata bullets.
var outletWords = regexp.MustCompile(`(?i)\b(?:agency|news|press|post|times|tv|radio|daily|media|journal|herald|gazette|tribune|service|network|online|mirror|review|weekly|telegraph|observer|monitor|report|info|24|today|express|chronicle|courier|dispatch|wire|insider|standard|guardian|independent|mail|star|sun|voice|world news)\b`)

// wireNames are the wire services reportedBy finds, in lower case; none
// holds a character special to a regular expression.
var wireNames = []string{
	"the associated press", "associated press", "reuters", "agence france-presse", "afp",
	"radio free europe/radio liberty", "rfe/rl", "tass", "interfax", "ria novosti", "xinhua",
	"anadolu agency", "armenpress", "apa", "azertac",
}

// namesWire is a cheap test for the names reportedBy needs: s names one
// of wireNames, in any case.
func namesWire(s string) bool {
	if strings.ContainsAny(s, foldsToASCII) {
		return true // asciiLower would miss its name: let the pattern judge
	}
	l := asciiLower(s)
	for _, n := range wireNames {
		if strings.Contains(l, n) {
			return true
		}
	}
	return false
}

// mayCredit is a cheap test for the verbs reportedBy needs.
func mayCredit(s string) bool {
	return strings.Contains(s, "reported") || strings.Contains(s, "in a report") || strings.Contains(s, "was told") || strings.Contains(s, "quoted")
}
