package theme

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/kdigest/kdigest/feed/article"
)

// analyzeInput is one article of the analysis goldens and benchmark.
type analyzeInput struct {
	a    *article.Article
	date time.Time
}

// devsetPages are the real pages of ../shared (outside the repository),
// used when they are there.
var devsetPages = []string{"../../../shared/devset/pages/*.txt", "../../../shared/devset-karabakh/pages/*.txt"}

// pageFiles returns the text files of the globs, sorted.
func pageFiles(t testing.TB, globs ...string) []string {
	t.Helper()
	var out []string
	for _, g := range globs {
		m, err := filepath.Glob(g)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	slices.Sort(out)
	return out
}

// rawArticle makes an article of a page without feed/article, so that the
// goldens pin the analysis only, not the extractor: its first non-blank
// line is the title (synthesized for every third page), each other one a
// paragraph.
func rawArticle(t testing.TB, i int, path string) *article.Article {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a := &article.Article{ID: strings.TrimSuffix(strings.TrimLeft(path, "./"), ".txt")}
	for _, line := range strings.Split(string(raw), "\n") {
		switch line = strings.TrimSpace(line); {
		case line == "":
		case a.Title == "":
			a.Title, a.TitleSynthesized = line, i%3 == 2
		default:
			a.Body = append(a.Body, line)
		}
	}
	return a
}

// fileInputs returns the pages of the globs, made into articles by
// makeArticle, all of one date (only their texts keep their stories apart).
func fileInputs(t testing.TB, makeArticle func(testing.TB, int, string) *article.Article, globs ...string) []analyzeInput {
	t.Helper()
	var out []analyzeInput
	for i, f := range pageFiles(t, globs...) {
		out = append(out, analyzeInput{a: makeArticle(t, i, f)})
	}
	return out
}

// generatedInputs makes n articles from the taxonomy's own vocabulary (its
// terms and alias variants, in every casing, inflected, hyphenated and
// possessive) among ordinary and non-ASCII words, over 60 days, with
// reworded reports and exact copies of earlier ones so that stories form.
func generatedInputs(t testing.TB, n int) []analyzeInput {
	t.Helper()
	var f fileFormat
	if _, err := toml.Decode(string(defaultFile), &f); err != nil {
		t.Fatal(err)
	}
	var vocab []string
	for canon, variants := range f.Aliases {
		vocab = append(vocab, canon)
		vocab = append(vocab, variants...)
	}
	for _, m := range []map[string]float64{f.Topic.Anchors, f.Topic.SideA, f.Topic.SideB, f.Topic.Negative} {
		for k := range m {
			vocab = append(vocab, k)
		}
	}
	for _, th := range f.Themes {
		for k := range th.Terms {
			vocab = append(vocab, k)
		}
	}
	slices.Sort(vocab) // map order must not change the corpus
	vocab = slices.Compact(vocab)
	plain := strings.Fields(`the a of and in on to said officials talks after before was were has have
		it its that this with for from by at as about meeting minister president government week report
		statement people city region new first last two three 2020 2023 12 1994 state country mr ms dr
		Ереван Баку İstanbul Straße Ülke naïve café Łódź ΣΟΦΙΑ 中文 x y s`)
	suffixes := []string{"", "", "", "s", "es", "'s", "’s", "ing", "ed", "er", "ers", "ies", "-based", "ings"}
	seps := []string{" ", " ", " ", " ", ", ", "; ", " — ", ". ", " (", ") ", "-", " \"", "\" ", "/"}
	r := rand.New(rand.NewPCG(12, 12))
	word := func() string {
		var w string
		if r.IntN(3) == 0 {
			w = vocab[r.IntN(len(vocab))]
		} else {
			w = plain[r.IntN(len(plain))]
		}
		if r.IntN(4) == 0 {
			w += suffixes[r.IntN(len(suffixes))]
		}
		switch r.IntN(8) {
		case 0:
			w = strings.ToUpper(w)
		case 1, 2:
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		return w
	}
	paragraph := func() string {
		var b strings.Builder
		for i := range 4 + r.IntN(60) {
			if i > 0 {
				b.WriteString(seps[r.IntN(len(seps))])
			}
			b.WriteString(word())
		}
		return b.String()
	}
	start := time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)
	out := make([]analyzeInput, 0, n)
	for i := range n {
		a := &article.Article{ID: fmt.Sprintf("gen/%04d", i)}
		in := analyzeInput{a: a, date: start.Add(time.Duration(r.IntN(60*24)) * time.Hour)}
		switch k := r.IntN(10); {
		case k == 0 && i > 0: // an exact copy
			prev := out[r.IntN(i)]
			a.Title, a.TitleSynthesized, a.Body = prev.a.Title, prev.a.TitleSynthesized, prev.a.Body
			in.date = prev.date
		case k <= 3 && i > 0: // the same story reworded: most paragraphs kept
			prev := out[r.IntN(i)]
			a.Title = paragraph()
			for _, p := range prev.a.Body {
				if r.IntN(4) > 0 {
					a.Body = append(a.Body, p)
				} else {
					a.Body = append(a.Body, paragraph())
				}
			}
			in.date = prev.date.Add(time.Duration(r.IntN(5*24)-48) * time.Hour)
		default:
			if r.IntN(5) > 0 {
				a.Title = paragraph()
			}
			a.TitleSynthesized = r.IntN(6) == 0
			for range r.IntN(15) {
				a.Body = append(a.Body, paragraph())
			}
		}
		out = append(out, in)
	}
	return out
}

// analysisLine is one article's golden line: the result in brief, its
// story, and a hash of everything Analyze returned (every score, match,
// shingle and the signature), so that any change shows.
func analysisLine(t testing.TB, id string, r Result, p *Print, story string) string {
	t.Helper()
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	h.Write(js)
	binary.Write(h, binary.LittleEndian, p.Shingles)
	binary.Write(h, binary.LittleEndian, p.Sig[:])
	return fmt.Sprintf("%s theme=%s rel=%v relevant=%v themes=%s shingles=%d story=%s sum=%x",
		id, r.Theme, r.Relevance, r.Relevant, strings.Join(r.Themes, ","), len(p.Shingles), story, h.Sum(nil)[:8])
}

// TestAnalyzeGolden pins what Analyze returns (themes, scores, matches,
// relevance, shingles and signature) and the stories BuildStoryIndex makes
// of the prints, over generated articles, the seeds and labelled texts,
// and the real pages of ../shared/devset when present, so that a change
// meant to make analysis cheaper provably changes nothing.
func TestAnalyzeGolden(t *testing.T) {
	tax := defaultTaxonomy(t)
	cases := []struct {
		name     string
		inputs   func(testing.TB) []analyzeInput
		optional bool // skipped when the pages are absent
	}{
		{"generated", func(t testing.TB) []analyzeInput { return generatedInputs(t, 2000) }, false},
		{"files", func(t testing.TB) []analyzeInput {
			return fileInputs(t, rawArticle, "../../seeds/*.txt", "testdata/labelled/*.txt")
		}, false},
		{"devset", func(t testing.TB) []analyzeInput { return fileInputs(t, rawArticle, devsetPages...) }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inputs := c.inputs(t)
			if len(inputs) == 0 {
				if c.optional {
					t.Skip("no pages in ../shared")
				}
				t.Fatal("no inputs")
			}
			results := make([]Result, len(inputs))
			docs := make([]StoryDoc, len(inputs))
			for i, in := range inputs {
				var p *Print
				results[i], p = tax.Analyze(in.a)
				docs[i] = StoryDoc{ID: in.a.ID, Date: in.date, Print: p}
			}
			x := BuildStoryIndex(docs)
			var b strings.Builder
			for i, d := range docs {
				b.WriteString(analysisLine(t, d.ID, results[i], d.Print, x.Story(d.ID)) + "\n")
			}
			golden := filepath.Join("testdata", "analyze-"+c.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			gotLines, wantLines := strings.Split(b.String(), "\n"), strings.Split(string(want), "\n")
			if len(gotLines) != len(wantLines) {
				t.Fatalf("%d analyses, %s has %d", len(gotLines)-1, golden, len(wantLines)-1)
			}
			bad := 0
			for i := range gotLines {
				if gotLines[i] != wantLines[i] {
					if bad++; bad <= 10 {
						t.Errorf("analysis differs from %s:\n got %s\nwant %s", golden, gotLines[i], wantLines[i])
					}
				}
			}
			if bad > 10 {
				t.Errorf("... %d analyses differ in all", bad)
			}
		})
	}
}

// parsedArticle is an article as the corpus analyses it: parsed by
// feed/article.
func parsedArticle(t testing.TB, _ int, path string) *article.Article { return parseArticle(t, path) }

// BenchmarkAnalyze runs Analyze over realistic articles, reporting the
// time per article: the real pages of ../shared/devset parsed as the
// corpus parses them (skipped when absent), and the generated articles
// of TestAnalyzeGolden.
func BenchmarkAnalyze(b *testing.B) {
	tax := defaultTaxonomy(b)
	for _, c := range []struct {
		name   string
		inputs func(testing.TB) []analyzeInput
	}{
		{"devset", func(t testing.TB) []analyzeInput { return fileInputs(t, parsedArticle, devsetPages...) }},
		{"generated", func(t testing.TB) []analyzeInput { return generatedInputs(t, 1000) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			inputs := c.inputs(b)
			if len(inputs) == 0 {
				b.Skip("no pages in ../shared")
			}
			b.ReportAllocs()
			for b.Loop() {
				for _, in := range inputs {
					tax.Analyze(in.a)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(inputs)), "ns/article")
		})
	}
}
