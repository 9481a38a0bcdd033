package theme

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// referenceTokenize is the plain statement of what tokenize does: lower
// the text, split it into runs of letters and digits, drop a lone "s",
// stem the rest. tokenize must agree with it on every input.
func referenceTokenize(s string) []string {
	var out []string
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for _, w := range words {
		if w != "s" {
			out = append(out, referenceStem(w))
		}
	}
	return out
}

func referenceStem(w string) string {
	if len(w) <= 3 {
		return w
	}
	for _, suf := range []string{"ings", "ing", "ers", "er", "ies", "es", "ed", "s"} {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 3 {
			base := w[:len(w)-len(suf)]
			if suf == "ies" {
				base += "y"
			}
			if suf == "es" && !strings.HasSuffix(base, "s") && !strings.HasSuffix(base, "x") && !strings.HasSuffix(base, "ch") && !strings.HasSuffix(base, "sh") {
				base = w[:len(w)-1]
			}
			return strings.TrimSuffix(base, "e")
		}
	}
	return strings.TrimSuffix(w, "e")
}

var tokenizeCases = []string{
	"",
	"Nagorno-Karabakh",
	"Azerbaijan's peacekeepers were peacekeeping; the peacekeeper left.",
	"“We agreed on the ceasefires,” Aliyev told REPORTERS after 3 hours of talks.",
	"Ceasefires, taxes, churches, wishes, boxes, cities, meetings, rulers, voted",
	"ÇAĞRI in İstanbul — Ереван, Баку: ԵՐԵՎԱՆ 2026",
	"ǅemal and ǈuba met ΣΟΦΙΑ at Straße 12½",
	"bad \xff bytes\x00 and s s 's",
	"A B C D  ies es ed ing ings",
}

func TestTokenizeMatchesReference(t *testing.T) {
	for _, s := range tokenizeCases {
		got, want := tokenize(s), referenceTokenize(s)
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("tokenize(%q)\n got %q\nwant %q", s, got, want)
		}
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range tokenizeCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, want := tokenize(s), referenceTokenize(s)
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("tokenize(%q)\n got %q\nwant %q", s, got, want)
		}
	})
}

// TestAnalyzeIsClassifyAndFingerprint checks that the shared tokenization
// of Analyze gives what the two separate calls give.
func TestAnalyzeIsClassifyAndFingerprint(t *testing.T) {
	tax := defaultTaxonomy(t)
	for _, a := range seedArticles(t) {
		res, p := tax.Analyze(a)
		if want := tax.Classify(a); !reflect.DeepEqual(res, want) {
			t.Errorf("%s: Analyze result %+v, want %+v", a.ID, res, want)
		}
		if want := Fingerprint(a); !reflect.DeepEqual(p, want) {
			t.Errorf("%s: Analyze fingerprint differs from Fingerprint", a.ID)
		}
	}
}
