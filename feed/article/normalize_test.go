package article

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// referenceNormalize is the plain statement of normalize, rune by rune;
// normalize, with its fast paths, must agree with it on every input.
func referenceNormalize(s string) string {
	s = norm.NFC.String(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == '\n', r == '\u2028', r == '\u2029':
			b.WriteByte('\n')
			space = false
		case r == '\t', r == '\f', r == '\v', unicode.Is(unicode.Zs, r):
			if !space {
				b.WriteByte(' ')
				space = true
			}
		case isInvisible(r):
		default:
			b.WriteRune(r)
			space = false
		}
	}
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n")
}

var normalizeCases = []string{
	"",
	"plain text",
	"  two\t\tspaces \u00a0and\u2007figure\u202Fnarrow  \r\nCRLF\rCR\u2028LS\u2029PS",
	"zero\u200bwidth\u00adsoft\ufeffbom \x01control\x7fdel \u0085nel",
	"“Quotes” — dashes… e\u0301 composed",
	"bad \xff\xfe bytes \xed\xa0\x80 surrogate",
	"trailing space \n  leading space",
}

func TestNormalizeMatchesReference(t *testing.T) {
	for _, s := range normalizeCases {
		if got, want := normalize([]byte(s)), referenceNormalize(s); got != want {
			t.Errorf("normalize(%q)\n got %q\nwant %q", s, got, want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range normalizeCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := normalize([]byte(s)), referenceNormalize(s); got != want {
			t.Errorf("normalize(%q)\n got %q\nwant %q", s, got, want)
		}
	})
}

// FuzzFoldHash checks that foldHash is the hash of the lower-cased text,
// so that paragraphs differing only in case are found as repeats.
func FuzzFoldHash(f *testing.F) {
	for _, s := range []string{"", "Armenia and AZERBAIJAN", "Ереван и БАКУ", "KELVIN \u212a", "İstanbul", "a\xffb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := foldHash(s), fnv64(strings.ToLower(s)); got != want {
			t.Errorf("foldHash(%q) = %x, want the hash of %q, %x", s, got, strings.ToLower(s), want)
		}
		if foldHash(s) != foldHash(strings.ToUpper(s)) && strings.ToLower(strings.ToUpper(s)) == strings.ToLower(s) {
			t.Errorf("foldHash(%q) differs from that of its upper case", s)
		}
	})
}

// FuzzWordCount checks the branch-free wordCount against the plain
// statement: a word starts at each byte other than a space, tab or line
// feed that follows one of them or the start.
func FuzzWordCount(f *testing.F) {
	for _, s := range []string{"", " ", "one", " two  words ", "a\tb\nc", "end.\n\nNext — para", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, in := 0, false
		for i := 0; i < len(s); i++ {
			space := s[i] == ' ' || s[i] == '\t' || s[i] == '\n'
			if !space && !in {
				want++
			}
			in = !space
		}
		if got := wordCount(s); got != want {
			t.Errorf("wordCount(%q) = %d, want %d", s, got, want)
		}
	})
}
