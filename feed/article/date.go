package article

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // usZones' rules, wherever the binary runs
)

// dateLabel matches a metadata line that states a date, and captures its
// label and the text after it. Labels are those news sites commonly use.
var dateLabel = mustLineRe(`(?i)^(?:[-•*]\s*)?(published(?: date| on| at)?|posted(?: on| at)?|date(?: published)?|first published|updated(?: on| at)?|last updated|modified(?: date| on)?|last modified|created(?: on)?|released|veröffentlicht(?: am)?|erstellt am|aktualisiert(?: am)?|publié le|mis à jour le|publicado(?: el)?|опубликовано|обновлено|дата публикации)\s*[:|\-–—]?\s*(.+)$`)

// labelRank orders labels: Published beats the others, Modified comes last.
func labelRank(label string) int {
	l := strings.ToLower(label)
	switch {
	case strings.HasPrefix(l, "published"), strings.HasPrefix(l, "first published"), strings.HasPrefix(l, "released"),
		strings.HasPrefix(l, "veröffentlicht"), strings.HasPrefix(l, "erstellt"), strings.HasPrefix(l, "publié"),
		strings.HasPrefix(l, "publicado"), strings.HasPrefix(l, "опубликовано"), strings.HasPrefix(l, "дата"):
		return 0
	case strings.HasPrefix(l, "posted"), strings.HasPrefix(l, "date"), strings.HasPrefix(l, "created"):
		return 1
	case strings.HasPrefix(l, "updated"), strings.HasPrefix(l, "last updated"), strings.HasPrefix(l, "aktualisiert"),
		strings.HasPrefix(l, "mis à jour"), strings.HasPrefix(l, "обновлено"):
		return 3
	default: // modified
		return 4
	}
}

var (
	isoDateTime = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?)?\b`)
	clockTime   = regexp.MustCompile(`(?i)\b(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?\s*([ap]\.?m\.?)?(?:\b|$)`)
	militaryGMT = regexp.MustCompile(`\b([01]\d|2[0-3])([0-5]\d)\s*(?:GMT|UTC|Z)\b`)
	zoneName    = regexp.MustCompile(`\b(GMT|UTC)\s*(?:([+-])\s*(\d{1,2})(?::?(\d{2}))?)?|([+-]\d{2}):?(\d{2})\b|\b(MSK|AMT|AZT|GET|CET|CEST|EET|EEST|BST|EST|EDT|PST|PDT|TRT)\b`)
	numericDate = regexp.MustCompile(`\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b`)
	wordToken   = regexp.MustCompile(`[\p{L}]+|\d+`)
)

// usZone is a time of day followed by one of the United States' zone names
// that follow daylight saving ("8:21 am ET"); alone, "CT" or "MT" is more
// often a state than a zone, so only a time before it makes it one.
var usZone = regexp.MustCompile(`\d[:.]\d{2}\s*(?:(?i:[ap]\.?m\.?)\s*)?(ET|CT|MT|PT)\b`)

// usZones are the places whose time usZone's names stand for, in summer
// and winter alike, loaded once.
var usZones = sync.OnceValue(func() map[string]*time.Location {
	out := map[string]*time.Location{}
	for name, place := range map[string]string{"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver", "PT": "America/Los_Angeles"} {
		if loc, err := time.LoadLocation(place); err == nil { // embedded: it cannot fail
			out[name] = loc
		}
	}
	return out
})

// fixedZones are abbreviations with one unambiguous offset in hours.
var fixedZones = map[string]float64{
	"MSK": 3, "AMT": 4, "AZT": 4, "GET": 4, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
	"BST": 1, "EST": -5, "EDT": -4, "PST": -8, "PDT": -7, "TRT": 3,
}

var months = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
	"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
	"sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
	"dec": 12, "december": 12,
	// German, French and Russian (genitive) names, common on regional sites.
	"januar": 1, "februar": 2, "märz": 3, "juni": 6, "juli": 7, "oktober": 10, "dezember": 12,
	"janvier": 1, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "août": 8,
	"septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
	"января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
	"августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
}

// gluedYear is a year with the time glued to it, as a page's text
// dump joins a date and a time shown apart: "20195:45".
var gluedYear = regexp.MustCompile(`\b((?:19|20)\d\d)(\d{1,2}:\d\d)\b`)

// stamp is a date read from the text with the precision it was given in.
type stamp struct {
	t         time.Time
	precision Precision
	// zoned reports a time of day stated with its zone: an instant, not
	// a local reading (see plausible).
	zoned bool
}

// parseDate reads one date (and time, and zone, when given) from the text
// of a metadata line. It accepts the common orders of day, month and year
// and never guesses: text without a full date yields false.
func parseDate(s string) (stamp, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 120 || !hasYear(s) {
		return stamp{}, false
	}
	if strings.IndexByte(s, ':') > 0 {
		// A year glued to the time after it: "Nov 15, 20195:45 AM".
		s = gluedYear.ReplaceAllString(s, "$1 $2")
	}
	return readDate(s)
}

// readDate is parseDate on a trimmed text of at most 120 bytes, without
// the cheap test for a year that spares most lines the patterns.
func readDate(s string) (stamp, bool) {
	if m := isoDateTime.FindStringSubmatch(s); m != nil {
		return isoStamp(m)
	}
	y, mo, d, ok := dateParts(s)
	if !ok {
		return stamp{}, false
	}
	loc := zoneOf(s)
	h, mi, sec, prec := 0, 0, 0, PrecisionDate
	if m := militaryGMT.FindStringSubmatch(s); m != nil {
		h, _ = strconv.Atoi(m[1])
		mi, _ = strconv.Atoi(m[2])
		prec = PrecisionMinute
	} else if hh, mm, ss, p, ok := clockOf(numericDate.ReplaceAllString(s, " ")); ok {
		h, mi, sec, prec = hh, mm, ss, p
	}
	t := time.Date(y, mo, d, h, mi, sec, 0, loc)
	if t.Day() != d || t.Month() != mo {
		return stamp{}, false // 31 February and the like
	}
	return stamp{t: t, precision: prec, zoned: prec != PrecisionDate && loc != time.UTC}, true
}

func isoStamp(m []string) (stamp, bool) {
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	if mo < 1 || mo > 12 || d < 1 || d > 31 {
		return stamp{}, false
	}
	if m[4] == "" {
		return stamp{t: time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC), precision: PrecisionDate}, true
	}
	h, _ := strconv.Atoi(m[4])
	mi, _ := strconv.Atoi(m[5])
	prec := PrecisionMinute
	sec := 0
	if m[6] != "" {
		sec, _ = strconv.Atoi(m[6])
		prec = PrecisionSecond
	}
	loc := time.UTC
	if z := m[7]; z != "" && z != "Z" {
		sign := 1
		if z[0] == '-' {
			sign = -1
		}
		digits := strings.ReplaceAll(z[1:], ":", "")
		hh, _ := strconv.Atoi(digits[:2])
		mm, _ := strconv.Atoi(digits[2:])
		loc = fixedZone("", sign*(hh*3600+mm*60))
	}
	if h > 23 || mi > 59 || sec > 59 {
		return stamp{}, false
	}
	return stamp{t: time.Date(y, time.Month(mo), d, h, mi, sec, 0, loc), precision: prec, zoned: m[7] != ""}, true
}

// dateParts finds year, month and day: a month name with a day and a
// four-digit year in either order, or a numeric day.month.year.
func dateParts(s string) (int, time.Month, int, bool) {
	if m := numericDate.FindStringSubmatch(s); m != nil {
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		y, _ := strconv.Atoi(m[3])
		day, mon := a, b // day first, as outside the US
		if strings.Contains(s, "/") && b > 12 && a <= 12 {
			day, mon = b, a
		}
		if mon < 1 || mon > 12 || day < 1 || day > 31 {
			return 0, 0, 0, false
		}
		return y, time.Month(mon), day, true
	}
	// Drop clock times so their digits are not read as a day.
	rest := clockTime.ReplaceAllString(militaryGMT.ReplaceAllString(s, " "), " ")
	toks := wordToken.FindAllString(rest, -1)
	var (
		year, day int
		mon       time.Month
	)
	for i, t := range toks {
		// A month named twice ("Nov.November 18") gives its day by either.
		if m, ok := months[strings.ToLower(t)]; ok && (mon == 0 || m == mon && day == 0) {
			mon = m
			// The day sits right before or right after the month name.
			for _, j := range []int{i - 1, i + 1} {
				if j >= 0 && j < len(toks) && day == 0 {
					if n, err := strconv.Atoi(toks[j]); err == nil && n >= 1 && n <= 31 && len(toks[j]) <= 2 {
						day = n
					}
				}
			}
			continue
		}
		if len(t) == 4 {
			if n, err := strconv.Atoi(t); err == nil && year == 0 {
				year = n
			}
		}
	}
	if year == 0 || mon == 0 || day == 0 {
		return 0, 0, 0, false
	}
	return year, mon, day, true
}

// hasYear reports four ASCII digits in a row, which every date that
// parseDate reads has: most lines have none, and need no regular
// expression to be turned away.
func hasYear(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			if run++; run == 4 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// clockOf finds a time of day such as 10:31, 3:14 pm or 10:31:05.
func clockOf(s string) (h, m, sec int, p Precision, ok bool) {
	c := clockTime.FindStringSubmatch(s)
	if c == nil {
		return 0, 0, 0, "", false
	}
	h, _ = strconv.Atoi(c[1])
	m, _ = strconv.Atoi(c[2])
	p = PrecisionMinute
	if c[3] != "" {
		sec, _ = strconv.Atoi(c[3])
		p = PrecisionSecond
	}
	ampm := strings.ToLower(strings.ReplaceAll(c[4], ".", ""))
	switch {
	case ampm == "pm" && h < 12:
		h += 12
	case ampm == "am" && h == 12:
		h = 0
	}
	if h > 23 || m > 59 || sec > 59 {
		return 0, 0, 0, "", false
	}
	return h, m, sec, p, true
}

// zones holds one *time.Location per zone name and offset. The zones a
// page can state are a few (zoneName's), and a date keeps its zone for as
// long as its article: one time.FixedZone per date was 9.5 MB of live heap
// after a first start of 100,000 articles.
var zones sync.Map // zoneKey → *time.Location

type zoneKey struct {
	name   string
	offset int
}

// fixedZone is time.FixedZone(name, offset), made once. The name is
// cloned: a part of a page would keep the whole page in memory.
func fixedZone(name string, offset int) *time.Location {
	if loc, ok := zones.Load(zoneKey{name, offset}); ok {
		return loc.(*time.Location)
	}
	name = strings.Clone(name)
	loc, _ := zones.LoadOrStore(zoneKey{name, offset}, time.FixedZone(name, offset))
	return loc.(*time.Location)
}

// zoneOf returns the zone the text names, or UTC when it names none.
func zoneOf(s string) *time.Location {
	m := zoneName.FindStringSubmatch(s)
	if m == nil {
		if u := usZone.FindStringSubmatch(s); u != nil && usZones()[u[1]] != nil {
			return usZones()[u[1]]
		}
		return time.UTC
	}
	switch {
	case m[1] != "" && m[2] == "":
		return fixedZone(m[1], 0)
	case m[1] != "":
		h, _ := strconv.Atoi(m[3])
		mm, _ := strconv.Atoi(m[4])
		off := h*3600 + mm*60
		if m[2] == "-" {
			off = -off
		}
		return fixedZone(m[1]+m[2]+m[3], off)
	case m[5] != "":
		h, _ := strconv.Atoi(m[5])
		mm, _ := strconv.Atoi(m[6])
		off := h*3600 + mm*60
		if h < 0 {
			off = h*3600 - mm*60
		}
		return fixedZone("", off)
	default:
		return fixedZone(m[7], int(fixedZones[m[7]]*3600))
	}
}

// earliest is the first year a date is believed.
const earliest = 1995

// plausible reports a stated date within [1995, now]; a zero now skips
// the future check. A day, or a time read without its zone, may be up to
// a day ahead (a zone ahead of the clock's); a time with its zone is an
// instant, and may be an hour ahead at most (clocks that disagree).
func plausible(st stamp, now time.Time) bool {
	if st.t.Year() < earliest {
		return false
	}
	slack := 24 * time.Hour
	if st.zoned {
		slack = time.Hour
	}
	return now.IsZero() || !st.t.After(now.Add(slack))
}
