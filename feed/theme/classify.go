package theme

import (
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/kdigest/kdigest/feed/article"
)

// Paragraph weights: the headline and the lede say what an article is about.
const (
	titleWeight = 3.0
	ledeWeight  = 2.0
	bodyWeight  = 1.0
)

// paragraph is one weighted, tokenized part of an article.
type paragraph struct {
	tokens []string
	weight float64
	title  bool
}

// paragraphs returns the title, the lede and the rest of the body, in
// order, given the body's tokenized paragraphs; rewritten tokens go in w.
func (t *Taxonomy) paragraphs(a *article.Article, body [][]string, w *tokenWork) []paragraph {
	out := make([]paragraph, 0, len(body)+1)
	if a.Title != "" && !a.TitleSynthesized {
		title := w.add(func(b []string) []string { return appendTokens(b, a.Title, &w.lowered) })
		out = append(out, paragraph{t.aliases.canonical(title, &w.toks), titleWeight, true})
	}
	for i, toks := range body {
		weight := bodyWeight
		if i == 0 {
			weight = ledeWeight
		}
		out = append(out, paragraph{tokens: t.aliases.canonical(toks, &w.toks), weight: weight})
	}
	return out
}

// tokenWork is the working memory of one article's analysis, reused from
// article to article: every token in one slice (tokenizing a cold start's
// 10,000 articles otherwise allocates a third of what the start
// allocates), and fingerprint's word hashes, shingles and sort buffer.
// The words it had to lower-case are in lowered, which is the analysis's
// own: it is reset, not reused, for the next one.
type tokenWork struct {
	toks                      []string
	hashes, shingles, sortBuf []uint32
	lowered                   strings.Builder
}

var tokenPool = sync.Pool{New: func() any { return new(tokenWork) }}

// getTokenWork returns empty working memory; putTokenWork gives it back,
// holding no token (so no article text) while it waits.
func getTokenWork() *tokenWork { return tokenPool.Get().(*tokenWork) }

func putTokenWork(w *tokenWork) {
	clear(w.toks)
	w.toks = w.toks[:0]
	w.lowered.Reset()
	tokenPool.Put(w)
}

// add appends tokens with f and returns them as a slice of their own
// (capacity cut, so later appends cannot write over them).
func (w *tokenWork) add(f func([]string) []string) []string {
	start := len(w.toks)
	w.toks = f(w.toks)
	return w.toks[start:len(w.toks):len(w.toks)]
}

// tokenizeBody tokenizes each paragraph of the body into w.
func tokenizeBody(a *article.Article, w *tokenWork) [][]string {
	body := make([][]string, len(a.Body))
	for i, p := range a.Body {
		body[i] = w.add(func(b []string) []string { return appendTokens(b, p, &w.lowered) })
	}
	return body
}

// Analyze returns what Classify and Fingerprint return, tokenizing the
// body once for both: tokenizing is most of the cost of each.
func (t *Taxonomy) Analyze(a *article.Article) (Result, *Print) {
	w := getTokenWork()
	defer putTokenWork(w)
	body := tokenizeBody(a, w)
	return t.classify(a, body, w), fingerprint(body, w)
}

// Classify scores the article against every theme and the topic. It is
// deterministic: the same article always gets the same result.
func (t *Taxonomy) Classify(a *article.Article) Result {
	w := getTokenWork()
	defer putTokenWork(w)
	return t.classify(a, tokenizeBody(a, w), w)
}

func (t *Taxonomy) classify(a *article.Article, body [][]string, w *tokenWork) Result {
	n := len(t.Themes)
	anchorG, sideAG, sideBG, negG := n, n+1, n+2, n+3
	scores := make([]float64, n)
	hitTerms := make([][]bool, n)
	for i := range hitTerms {
		hitTerms[i] = make([]bool, len(t.index.groups[i]))
	}
	seen := make([]bool, t.index.slots)
	var touched []int

	var about, total, negative float64
	type sides struct{ anchor, a, b bool }
	per := make([]sides, 0, len(a.Body)+1)
	paras := t.paragraphs(a, body, w)
	var anyA, anyB bool
	for _, p := range paras {
		var s sides
		touched = t.index.scan(p.tokens, seen, touched, func(g, ti int) {
			w := t.index.groups[g][ti].weight
			switch g {
			case anchorG:
				s.anchor = true
			case sideAG:
				s.a = true
			case sideBG:
				s.b = true
			case negG:
				negative += w * p.weight
			default:
				scores[g] += w * p.weight
				hitTerms[g][ti] = true
			}
		})
		per = append(per, s)
		anyA, anyB = anyA || s.a, anyB || s.b
		total += p.weight
	}
	// A headline is short and often names neither party ("Talks resume in
	// Brussels"): it states the lede's subject, so a title that names
	// neither the conflict nor a side is about the conflict when the lede is.
	if len(per) > 1 && paras[0].title {
		title, lede := &per[0], per[1]
		if !title.anchor && !title.a && !title.b && (lede.anchor || lede.a && lede.b) {
			title.anchor = true
		}
	}
	for i, s := range per {
		switch {
		case s.anchor, s.a && s.b:
			about += paras[i].weight
		case (s.a || s.b) && anyA && anyB:
			about += paras[i].weight / 2
		}
	}

	r := Result{Scores: map[string]float64{}, Matches: map[string][]string{}}
	best, bestScore := -1, 0.0
	for i, th := range t.Themes {
		if scores[i] <= 0 {
			continue
		}
		r.Scores[th.ID] = round(scores[i])
		for ti, h := range hitTerms[i] {
			if h && t.index.groups[i][ti].weight > 0 {
				r.Matches[th.ID] = append(r.Matches[th.ID], t.index.groups[i][ti].text)
			}
		}
		if scores[i] > bestScore {
			best, bestScore = i, scores[i]
		}
	}
	r.Relevance = round(relevance(about, total, negative))
	r.Relevant = r.Relevance >= t.minRelevance && bestScore >= t.minTheme
	r.Themes = []string{}
	if !r.Relevant {
		return r
	}
	for i, th := range t.Themes {
		if s := scores[i]; s >= t.minScore && s >= 0.4*bestScore {
			r.Themes = append(r.Themes, th.ID)
		}
	}
	sort.SliceStable(r.Themes, func(i, j int) bool { return r.Scores[r.Themes[i]] > r.Scores[r.Themes[j]] })
	if len(r.Themes) == 0 {
		r.Themes = []string{t.Themes[best].ID}
	}
	r.Theme = r.Themes[0]
	return r
}

// relevance is the weighted share of paragraphs about the conflict (one
// naming the conflict itself or both parties, or one party at half weight
// when the article names both somewhere), damped when the mentions are few,
// and lowered by the vocabulary of look-alike subjects such as sport.
func relevance(about, total, negative float64) float64 {
	if total == 0 {
		return 0
	}
	share := about / total
	// Fewer than three weighted mentions is a passing reference.
	damp := math.Min(1, about/3)
	return share * damp / (1 + negative/4)
}

func round(x float64) float64 { return math.Round(x*100) / 100 }
