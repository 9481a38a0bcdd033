package article

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The fuzz targets below hold each fast path to the plain statement of
// what it computes, so that a speed-up cannot change an extraction.

var fastPathCases = []string{
	"", " ", "© 2024 Example  News", "Menu", "Ереван и БАКУ 2025", "KELVIN \u212a", "İstanbul",
	"a\xffb", "tab\tand\vform\ffeed", "“Quoted,” he said — (AP).", "١٢٣ Arabic digits", "Published: 27.11.2021",
}

// FuzzLineKey checks lineKey against its definition: the FNV-1a hash of
// the line with letters lower-cased, digits read as 0 and each run of
// space read as one space, a rune at a time.
func FuzzLineKey(f *testing.F) {
	for _, s := range fastPathCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b strings.Builder
		space := false
		for _, r := range s {
			switch {
			case unicode.IsSpace(r):
				space = true
				continue
			case unicode.IsDigit(r):
				r = '0'
			default:
				r = unicode.ToLower(r)
			}
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
		if got, want := lineKey(s), fnv64(b.String()); got != want {
			t.Errorf("lineKey(%q) = %x, want the hash of %q, %x", s, got, b.String(), want)
		}
	})
}

// FuzzTextStats checks textStats against its statement with
// strings.Fields, strings.Trim and strings.ToLower.
func FuzzTextStats(f *testing.F) {
	for _, s := range fastPathCases {
		f.Add(s)
	}
	f.Add("The Minister AND the «President» of the Republic, it is said.")
	f.Fuzz(func(t *testing.T, s string) {
		var words, stops, caps int
		for _, w := range strings.Fields(s) {
			w = strings.Trim(w, `.,;:!?"'“”‘’«»()[]…—–-`)
			if w == "" {
				continue
			}
			words++
			if 'A' <= w[0] && w[0] <= 'Z' {
				caps++
			}
			if len(w) <= 12 && stopWords[strings.ToLower(w)] {
				stops++
			}
		}
		if gw, gs, gc := textStats(s); gw != words || gs != stops || gc != caps {
			t.Errorf("textStats(%q) = %d, %d, %d, want %d, %d, %d", s, gw, gs, gc, words, stops, caps)
		}
	})
}

// FuzzHasYear checks that hasYear, which turns lines away before the
// date patterns run, never turns away one that parseDate reads.
func FuzzHasYear(f *testing.F) {
	for _, s := range append(fastPathCases, "0314 GMT November 27, 2021", "2022-10-31T10:31:00+04:00", "31/10/2022", "Nov 27 21") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		s = strings.TrimSpace(s)
		if len(s) > 120 {
			return
		}
		if _, ok := readDate(s); ok && !hasYear(s) {
			t.Errorf("readDate(%q) reads a date, but hasYear says it has no year", s)
		}
	})
}

// clauseBreakRe is the definition clauseBreaks scans for.
var clauseBreakRe = regexp.MustCompile(`,\s|\s[—–]\s|;\s|:\s|\s(?:which|who|where|while|after|before|as|because|although|amid|during|following)\s`)

// FuzzClauseBreaks checks clauseBreaks against the starts of
// clauseBreakRe's successive matches.
func FuzzClauseBreaks(f *testing.F) {
	for _, s := range append(fastPathCases, "Aliyev, who met Putin; talks: done — after all as\tbefore", ",\t,  which which ", " –\n: as,") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want []int
		for _, m := range clauseBreakRe.FindAllStringIndex(s, -1) {
			want = append(want, m[0])
		}
		if got := clauseBreaks(s); !slices.Equal(got, want) {
			t.Errorf("clauseBreaks(%q) = %v, want %v", s, got, want)
		}
	})
}

// bulletRe and numberedRe are the definitions bulletLen and isNumbered
// scan for.
var (
	bulletRe   = regexp.MustCompile(`^[-•*–·▪►»]\s+`)
	numberedRe = regexp.MustCompile(`^(?:\d{1,2}|[a-z])[.)]\s+\S`)
)

// FuzzListItem checks bulletLen and isNumbered against bulletRe and
// numberedRe.
func FuzzListItem(f *testing.F) {
	for _, s := range append(fastPathCases, "- item", "•\t x", "» ", "–", "1. One", "12) x", "123. x", "a.  b", "b)", "1.\x00", "A. x", "1a. x", "\xff x") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := 0
		if m := bulletRe.FindStringIndex(s); m != nil {
			want = m[1]
		}
		if got := bulletLen(s); got != want {
			t.Errorf("bulletLen(%q) = %d, want %d", s, got, want)
		}
		if got, want := isNumbered(s), numberedRe.MatchString(s); got != want {
			t.Errorf("isNumbered(%q) = %v, want %v", s, got, want)
		}
	})
}

// FuzzLineRe checks that the start table of a lineRe turns away no line
// its pattern matches.
func FuzzLineRe(f *testing.F) {
	for _, s := range append(fastPathCases, "Related articles", "Share this story:", "12 comments", "[ 3 comments ]", "Menu", "Photo: AP", "Читайте также", "- Published: 1 May 2024", "ſhare", "\u212a") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range []lineRe{endMarkers, chromeLine, metaLabel, dateLabel} {
			if got, want := l.MatchString(s), l.re.MatchString(s); got != want {
				t.Errorf("%s: MatchString(%q) = %v, want %v", l.re, s, got, want)
			}
		}
	})
}

func TestLineReStarts(t *testing.T) {
	tests := []struct {
		expr, line string
		turned     bool // the table alone turns the line away
	}{
		{`(?i)^(?:related|more news)$`, "The news", true},
		{`(?i)^(?:related|more news)$`, "RElated", false},
		{`(?i)^(?:related|more news)$`, "Mo", false},
		{`(?i)^\d+ comments?$`, "12 comments", false},
		{`(?i)^\d+ comments?$`, "a1 comments", true},
		{`^a`, "ab", false}, // a match may end after one rune
		{`^.x`, "zx", false},
	}
	for _, tt := range tests {
		l := mustLineRe(tt.expr)
		turned := l.starts != nil && l.starts[tt.line[0]][tt.line[1]>>6]&(1<<(tt.line[1]&63)) == 0
		if turned != tt.turned {
			t.Errorf("%s: table turns %q away = %v, want %v", tt.expr, tt.line, turned, tt.turned)
		}
		if turned && l.re.MatchString(tt.line) {
			t.Errorf("%s: table turns away %q, which matches", tt.expr, tt.line)
		}
	}
}

func TestMustLineReUnanchored(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("mustLineRe accepted a pattern not anchored at the start")
		}
	}()
	mustLineRe(`(?i)related`)
}

// FuzzSingleSpaced checks singleSpaced against its definition.
func FuzzSingleSpaced(f *testing.F) {
	for _, s := range append(fastPathCases, " lead", "trail ", "two  spaces", "nbsp\u00a0here", "line\nend", "one two") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := singleSpaced(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("singleSpaced(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzASCIILower checks asciiLower against lowering each ASCII capital.
func FuzzASCIILower(f *testing.F) {
	for _, s := range append(fastPathCases, "ABC", "abc", "A", "aB", "Ab") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := []byte(s)
		for i, c := range want {
			if 'A' <= c && c <= 'Z' {
				want[i] = c + 'a' - 'A'
			}
		}
		if got := asciiLower(s); got != string(want) {
			t.Errorf("asciiLower(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzNamesWire checks that namesWire, which spares most paragraphs
// reportedBy, never spares one it matches.
func FuzzNamesWire(f *testing.F) {
	for _, s := range append(fastPathCases, "The Associated Press reported.", "TAſS reported", "REUTERS was told", "Azertac quoted") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if reportedBy.MatchString(s) && !namesWire(s) {
			t.Errorf("reportedBy matches %q, but namesWire says it names no wire", s)
		}
	})
}
