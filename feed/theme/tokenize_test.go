package theme

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/kdigest/kdigest/feed/article"
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

// TestFingerprintOwnsItsShingles checks that a print shares no memory with
// fingerprint's pooled buffers: the prints of every seed, made one after
// another, equal prints made from the reference (a plain sort and copy of
// every shingle) after all of them are made.
func TestFingerprintOwnsItsShingles(t *testing.T) {
	arts := seedArticles(t)
	prints := make([]*Print, len(arts))
	for i, a := range arts {
		prints[i] = Fingerprint(a)
	}
	for i, a := range arts {
		var hs []uint32
		for _, p := range a.Body {
			for _, tok := range tokenize(p) {
				hs = append(hs, hash32(tok))
			}
		}
		var want []uint32
		for k := 0; k+shingleSize <= len(hs); k++ {
			want = append(want, mix(hs[k], 1)^mix(hs[k+1], 2)^mix(hs[k+2], 3))
		}
		slices.Sort(want)
		want = slices.Compact(want)
		if got := prints[i].Shingles; !slices.Equal(got, want) {
			t.Errorf("%s: %d shingles, want the reference's %d", a.ID, len(got), len(want))
		}
		if prints[i].Sig != signature(want) {
			t.Errorf("%s: signature differs from the reference's", a.ID)
		}
	}
}

// TestGroupIsDeterministic checks that grouping the same fingerprints
// always gives the same stories, whatever the order maps are read in:
// with B like both A and C but A unlike C, the order of comparisons
// decides the groups.
func TestGroupIsDeterministic(t *testing.T) {
	words := strings.Fields("peace treaty talks border delimitation ceasefire corridor railway prisoners mines")
	text := func(from, n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(words[(from+i*7)%len(words)] + fmt.Sprint(i) + " ")
		}
		return b.String()
	}
	a := text(0, 60)
	prints := map[string]*Print{
		"a": Fingerprint(&article.Article{Body: []string{a}}),
		"b": Fingerprint(&article.Article{Body: []string{a[:len(a)/2] + text(3, 30)}}),
		"c": Fingerprint(&article.Article{Body: []string{text(3, 30) + text(5, 30)}}),
	}
	for i := range 10 {
		prints[fmt.Sprintf("x%d", i)] = Fingerprint(&article.Article{Body: []string{text(i, 40)}})
	}
	group := func() map[string]string {
		var docs []StoryDoc
		for id, p := range prints {
			docs = append(docs, StoryDoc{ID: id, Print: p})
		}
		x := BuildStoryIndex(docs)
		out := map[string]string{}
		for id := range prints {
			out[id] = x.Story(id)
		}
		return out
	}
	want := group()
	for range 20 {
		if got := group(); !reflect.DeepEqual(got, want) {
			t.Fatalf("grouping gave %v, then %v", want, got)
		}
	}
}

func TestSortUint32(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var buf []uint32 // reused across sizes, as fingerprint does
	for _, n := range []int{0, 1, 5, 127, 128, 129, 1000, 5000, 300} {
		s := make([]uint32, n)
		for i := range s {
			s[i] = r.Uint32()
			if i%10 == 0 && i > 0 {
				s[i] = s[i-1] // some duplicates
			}
		}
		want := slices.Clone(s)
		slices.Sort(want)
		buf = sortUint32(s, buf)
		if !slices.Equal(s, want) {
			t.Errorf("sortUint32 of %d values is not sorted", n)
		}
	}
}

func TestKeyFilter(t *testing.T) {
	var f keyFilter
	for _, k := range []string{"peace", "a", "ceasefire"} {
		f.add(k)
	}
	tests := []struct {
		tok  string
		want bool
	}{
		{"peace", true}, {"pearl", true}, {"a", true}, {"ab", false},
		{"ceasefire", true}, {"border", false}, {"", false}, {"p", false},
		{"peaces", false}, {"pea", false}, // the start of a key, another length
		{"ceasefires", true}, // lengths from 7 on are one

	}
	for _, tt := range tests {
		if got := f.may(tt.tok); got != tt.want {
			t.Errorf("may(%q) = %v, want %v", tt.tok, got, tt.want)
		}
	}
}
