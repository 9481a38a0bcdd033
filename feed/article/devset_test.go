package article

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// devsetOut, when set, is a folder the devset test writes its output to
// (text.json, karabakh.json) in the shape of `kdigest inspect --json`, so
// ../shared/devset/score.py can score the same output.
var devsetOut = flag.String("devset.out", "", "write the devset outputs as inspect JSON into this folder")

// devsetDir is ../shared/devset seen from the repository's root.
const devsetDir = "../../../shared/devset"

// floors are the scores the extractor has reached on a devset, less a
// small margin: TestDevset fails when one drops below its floor. Raise
// them as the extractor improves. Fields are right/annotated fractions.
type floors struct {
	bodyF1, title, first, last, source, date, clean float64
	// firstSplit is the first paragraph's floor with the annotation's
	// dateline split off, as the product's contract splits it.
	firstSplit float64
	rejected   int // at most
}

func TestDevset(t *testing.T) {
	if testing.Short() {
		t.Skip("devset scoring is not short")
	}
	tests := []struct {
		name, dir, ext string
		floor          floors
	}{
		{name: "text", dir: devsetDir, ext: ".txt",
			floor: floors{bodyF1: 0.955, title: 0.90, first: 0.75, firstSplit: 0.87, last: 0.82, source: 0.76, date: 0.94, clean: 0.98, rejected: 0}},
		{name: "html", dir: devsetDir, ext: ".html",
			floor: floors{bodyF1: 0.95, title: 0.70, first: 0.56, firstSplit: 0.69, last: 0.70, source: 0.90, date: 0.93, clean: 0.71, rejected: 0}},
		{name: "karabakh", dir: filepath.Join(devsetDir, "..", "devset-karabakh"), ext: ".txt",
			floor: floors{title: 0.97, first: 0.97, firstSplit: 0.97, last: 0.99, source: 0.95, date: 0.97, clean: 0.97}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var expected []map[string]any
			raw, err := os.ReadFile(filepath.Join(tt.dir, "expected.json"))
			if os.IsNotExist(err) {
				t.Skipf("no devset at %s", tt.dir)
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &expected); err != nil {
				t.Fatal(err)
			}
			pages := "pages"
			if tt.ext == ".html" {
				pages = "html"
			}
			outs := parseDevset(t, filepath.Join(tt.dir, pages), tt.ext, expected)
			if *devsetOut != "" {
				writeDevsetOut(t, filepath.Join(*devsetOut, tt.name+".json"), outs)
			}
			s := scoreDevset(expected, outs)
			t.Logf("%s: %s", tt.name, s)
			f := tt.floor
			check := func(field string, got, floor float64) {
				if got < floor {
					t.Errorf("%s %s = %.3f, below its floor %.3f", tt.name, field, got, floor)
				}
			}
			check("body_f1", s.f1, f.bodyF1)
			check("title", s.frac("title"), f.title)
			check("body_first", s.frac("body_first"), f.first)
			if n := s.total["body_first"]; n > 0 {
				check("body_first with its dateline split", float64(s.firstSplit)/float64(n), f.firstSplit)
			}
			check("body_last", s.frac("body_last"), f.last)
			check("source", s.frac("source"), f.source)
			check("date", s.frac("date"), f.date)
			check("clean", s.frac("clean"), f.clean)
			if s.rejected > f.rejected {
				t.Errorf("%s rejected %d pages, more than %d", tt.name, s.rejected, f.rejected)
			}
		})
	}
}

// devsetNow is the clock the devset is parsed with.
var devsetNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// devOut is one page's extraction, or its error.
type devOut struct {
	file string
	a    *Article
	err  error
}

// parseDevset parses the page of every expected entry (its "file", with ext
// in place of .txt), with the line statistics of all those pages as
// evidence, as the corpus would.
func parseDevset(t testing.TB, dir, ext string, expected []map[string]any) []devOut {
	t.Helper()
	names := make([]string, len(expected))
	raws := make([][]byte, len(expected))
	df := map[uint64]int{}
	for i, e := range expected {
		names[i] = strings.TrimSuffix(e["file"].(string), ".txt") + ext
		raw, err := os.ReadFile(filepath.Join(dir, names[i]))
		if err != nil {
			t.Fatal(err)
		}
		raws[i] = raw
		for _, k := range LineKeys(names[i], raw) {
			df[k]++
		}
	}
	outs := make([]devOut, len(expected))
	for i := range expected {
		a, err := Parse(names[i], raws[i], Evidence{Now: devsetNow, LineDF: df, Docs: len(expected)})
		outs[i] = devOut{file: expected[i]["file"].(string), a: a, err: err}
	}
	return outs
}

func writeDevsetOut(t *testing.T, path string, outs []devOut) {
	t.Helper()
	var list []map[string]any
	for _, o := range outs {
		obj := map[string]any{"file": o.file}
		if o.err != nil {
			obj["error"] = o.err.Error()
		} else {
			b, _ := json.Marshal(o.a)
			if err := json.Unmarshal(b, &obj); err != nil {
				t.Fatal(err)
			}
			obj["file"] = o.file
		}
		list = append(list, obj)
	}
	b, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// devScore is the outcome of scoreDevset: right and annotated per field,
// the body shingle F1 with its precision and recall, and rejected pages.
type devScore struct {
	fields   []string // in the order first counted
	right    map[string]int
	total    map[string]int
	f1, p, r float64
	rejected int
	misses   []string
	// firstSplit counts the first paragraphs that are right once the
	// annotation's dateline is split off as extraction splits it (see
	// README, "Extraction on real pages"): score.py keeps the dateline.
	firstSplit int
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *devScore) count(field string, ok bool, detail string) {
	if _, seen := s.total[field]; !seen {
		s.fields = append(s.fields, field)
	}
	s.total[field]++
	if ok {
		s.right[field]++
	} else {
		s.misses = append(s.misses, field+": "+detail)
	}
}

func (s *devScore) frac(field string) float64 {
	if s.total[field] == 0 {
		return 1
	}
	return float64(s.right[field]) / float64(s.total[field])
}

// String is score.py's summary line (less relevance, which is not this
// package's) plus the number of rejected pages.
func (s *devScore) String() string {
	var b strings.Builder
	b.WriteString("fields:")
	ok, all := 0, 0
	for _, f := range s.fields {
		fmt.Fprintf(&b, " %s %d/%d", f, s.right[f], s.total[f])
		ok, all = ok+s.right[f], all+s.total[f]
	}
	fmt.Fprintf(&b, " body_f1 %.3f (p %.3f r %.3f) | total %d/%d | rejected %d | body_first with its dateline split %d/%d",
		s.f1, s.p, s.r, ok, all, s.rejected, s.firstSplit, s.total["body_first"])
	return b.String()
}

// scoreDevset is a port of ../shared/devset/score.py: the same fields, the
// same normalisation, the benchmark's 4-word shingle body measure.
func scoreDevset(expected []map[string]any, outs []devOut) *devScore {
	s := &devScore{right: map[string]int{}, total: map[string]int{}}
	var rows [][3]float64
	str := func(e map[string]any, k string) string { v, _ := e[k].(string); return v }
	for i, e := range expected {
		o := outs[i]
		if o.err != nil {
			s.rejected++
			for _, k := range [][2]string{{"title", "title"}, {"date", "published"}, {"source", "source"}, {"dateline", "dateline"}, {"body_first", "body_first"}, {"body_last", "body_last"}, {"clean", "file"}} {
				if _, ok := e[k[1]]; ok {
					s.count(k[0], false, o.file+": "+o.err.Error())
				}
			}
			if _, ok := e["body_text"]; ok {
				rows = append(rows, [3]float64{0, 0, 1})
			}
			continue
		}
		a := o.a
		nbody := make([]string, len(a.Body))
		for k, p := range a.Body {
			nbody[k] = scoreNorm(p)
		}
		if v, ok := e["title"]; ok {
			if want, _ := v.(string); want != "" {
				s.count("title", scoreNorm(a.Title) == scoreNorm(want), fmt.Sprintf("%s: got %q want %q", o.file, a.Title, want))
			} else {
				t := strings.TrimSpace(a.Title)
				ok := a.TitleSynthesized && len(t) > 0 && utf8.RuneCountInString(a.Title) <= 110 && !strings.ContainsAny(lastRune(t), ",;:-—")
				if dl := str(e, "dateline"); dl != "" && strings.HasPrefix(strings.ToUpper(scoreNorm(a.Title)), strings.ToUpper(scoreNorm(dl))) {
					ok = false
				}
				s.count("title", ok, fmt.Sprintf("%s: synthesized=%v %q", o.file, a.TitleSynthesized, a.Title))
			}
		}
		if _, ok := e["published"]; ok {
			s.count("date", sameDate(str(e, "published"), a), fmt.Sprintf("%s: got %v want %s", o.file, a.Published, str(e, "published")))
		}
		if bt, ok := e["body_text"].(string); ok {
			rows = append(rows, shingleMatch(bt, strings.Join(a.Body, "\n")))
		}
		if _, ok := e["source"]; ok {
			s.count("source", strings.ToLower(scoreNorm(a.Source)) == strings.ToLower(scoreNorm(str(e, "source"))), fmt.Sprintf("%s: got %q want %q", o.file, a.Source, str(e, "source")))
		}
		if _, ok := e["dateline"]; ok {
			s.count("dateline", strings.ToUpper(scoreNorm(a.Dateline)) == strings.ToUpper(scoreNorm(str(e, "dateline"))), o.file)
		}
		var firsts []string
		if any, ok := e["body_first_any"].([]any); ok && len(any) > 0 {
			for _, f := range any {
				firsts = append(firsts, f.(string))
			}
		} else if f := str(e, "body_first"); f != "" {
			firsts = []string{f}
		}
		if len(firsts) > 0 {
			ok, split := false, false
			for _, f := range firsts {
				ok = ok || len(nbody) > 0 && strings.HasPrefix(nbody[0], runeHead(scoreNorm(f), 60))
				// The same paragraph under the product's contract: its
				// dateline goes to the dateline field, not the body.
				rest, _, _ := splitDateline(f)
				split = split || len(nbody) > 0 && strings.HasPrefix(nbody[0], runeHead(scoreNorm(rest), 60))
			}
			got := ""
			if len(nbody) > 0 {
				got = runeHead(nbody[0], 80)
			}
			s.count("body_first", ok, fmt.Sprintf("%s: got %q want %q", o.file, got, firsts[0]))
			s.firstSplit += btoi(split)
		}
		if last := str(e, "body_last"); last != "" {
			wants := []string{runeTail(scoreNorm(last), 60)}
			if alt := str(e, "body_last_alt"); alt != "" {
				wants = append(wants, runeTail(scoreNorm(alt), 60))
			}
			ok := false
			n := len(nbody)
			for _, w := range wants {
				ok = ok || n > 0 && (strings.HasSuffix(nbody[n-1], w) || n > 1 && strings.HasSuffix(nbody[n-2], w) && w != wants[0])
			}
			got := ""
			if n > 0 {
				got = runeTail(nbody[n-1], 80)
			}
			s.count("body_last", ok, fmt.Sprintf("%s: got %q want %q", o.file, got, last))
		}
		joined := strings.Join(nbody, "\n")
		var bad []string
		bps, _ := e["boilerplate"].([]any)
		for _, b := range bps {
			nb := scoreNorm(b.(string))
			if utf8.RuneCountInString(nb) <= 3 {
				for _, p := range nbody {
					if p == nb || strings.HasSuffix(p, " "+nb) {
						bad = append(bad, nb)
						break
					}
				}
			} else if strings.Contains(joined, nb) {
				bad = append(bad, nb)
			}
		}
		s.count("clean", len(bad) == 0, fmt.Sprintf("%s: boilerplate left: %q", o.file, bad))
	}
	s.p, s.r, s.f1 = prf(rows)
	return s
}

var (
	scoreQuotes = strings.NewReplacer("\u2018", "'", "\u2019", "'", "\u201c", `"`, "\u201d", `"`, "\u2013", "-", "\u2014", "-", "\u00a0", " ")
	scoreToken  = regexp.MustCompile(`[\p{L}\p{N}_]+`)
)

// scoreNorm is score.py's norm: NFKC, plain quotes and dashes, one space.
func scoreNorm(s string) string {
	return strings.Join(strings.Fields(scoreQuotes.Replace(norm.NFKC.String(s))), " ")
}

func lastRune(s string) string {
	_, n := utf8.DecodeLastRuneInString(s)
	return s[len(s)-n:]
}

func runeHead(s string, n int) string {
	r := []rune(s)
	return string(r[:min(n, len(r))])
}

func runeTail(s string, n int) string {
	r := []rune(s)
	return string(r[max(0, len(r)-n):])
}

// sameDate compares a day of the form 2006-01-02 with the article's
// published time as it prints (RFC 3339, in its own zone).
func sameDate(want string, a *Article) bool {
	if want == "" {
		return a.Published.IsZero()
	}
	if a.Published.IsZero() {
		return false
	}
	return strings.HasPrefix(a.Published.Format(time.RFC3339), want)
}

// shingleMatch is the benchmark's measure: multisets of 4-token shingles,
// returning true and false positives and false negatives, as fractions of
// their sum.
func shingleMatch(want, got string) [3]float64 {
	sh := func(text string) map[string]int {
		tok := scoreToken.FindAllString(text, -1)
		m := map[string]int{}
		for i := 0; i < max(1, len(tok)-3); i++ {
			if i < len(tok) {
				m[strings.Join(tok[i:min(i+4, len(tok))], "\x00")]++
			}
		}
		return m
	}
	a, b := sh(want), sh(got)
	var tp, fp, fn float64
	for k, x := range a {
		y := b[k]
		tp += float64(min(x, y))
		fn += float64(max(0, x-y))
	}
	for k, y := range b {
		fp += float64(max(0, y-a[k]))
	}
	sum := tp + fp + fn
	if sum == 0 {
		return [3]float64{}
	}
	return [3]float64{tp / sum, fp / sum, fn / sum}
}

// prf averages precision over the pages with output and recall over the
// pages with a truth, as score.py does, and returns both and their F1.
func prf(rows [][3]float64) (p, r, f float64) {
	var ps, rs []float64
	for _, row := range rows {
		tp, fp, fn := row[0], row[1], row[2]
		if tp+fp > 0 {
			if fp == 0 && fn == 0 {
				ps = append(ps, 1)
			} else {
				ps = append(ps, tp/(tp+fp))
			}
		}
		if tp+fn > 0 {
			if fp == 0 && fn == 0 {
				rs = append(rs, 1)
			} else {
				rs = append(rs, tp/(tp+fn))
			}
		}
	}
	mean := func(xs []float64) float64 {
		sum := 0.0
		for _, x := range xs {
			sum += x
		}
		return sum / float64(max(len(xs), 1))
	}
	p, r = mean(ps), mean(rs)
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}
