package theme

import (
	"math"
	"sort"

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
}

// paragraphs returns the title, the lede and the rest of the body, in order.
func (t *Taxonomy) paragraphs(a *article.Article) []paragraph {
	out := make([]paragraph, 0, len(a.Body)+1)
	if a.Title != "" && !a.TitleSynthesized {
		out = append(out, paragraph{t.aliases.canonical(tokenize(a.Title)), titleWeight})
	}
	for i, b := range a.Body {
		w := bodyWeight
		if i == 0 {
			w = ledeWeight
		}
		out = append(out, paragraph{t.aliases.canonical(tokenize(b)), w})
	}
	return out
}

// Classify scores the article against every theme and the topic. It is
// deterministic: the same article always gets the same result.
func (t *Taxonomy) Classify(a *article.Article) Result {
	paras := t.paragraphs(a)
	r := Result{Scores: map[string]float64{}, Matches: map[string][]string{}}
	best, bestScore := -1, 0.0
	for i, th := range t.Themes {
		score, matched := score(paras, t.terms[i])
		if score == 0 {
			continue
		}
		r.Scores[th.ID] = round(score)
		r.Matches[th.ID] = matched
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	r.Relevance = round(t.relevance(paras))
	r.Relevant = r.Relevance >= t.minRelevance && bestScore >= t.minTheme
	if !r.Relevant {
		r.Themes = []string{}
		return r
	}
	for _, th := range t.Themes {
		if s := r.Scores[th.ID]; s >= t.minScore && s >= 0.4*bestScore {
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

// score sums, over paragraphs, the weights of the terms each paragraph
// holds, counting a term once per paragraph. It returns the matched terms
// in taxonomy order.
func score(paras []paragraph, m *matcher) (float64, []string) {
	terms := m.terms
	seen := make([]bool, len(terms))
	hit := make([]bool, len(terms))
	total := 0.0
	for _, p := range paras {
		for _, ti := range m.find(p.tokens, seen) {
			total += terms[ti].weight * p.weight
			hit[ti] = true
		}
	}
	var matched []string
	for i, h := range hit {
		if h && terms[i].weight > 0 {
			matched = append(matched, terms[i].text)
		}
	}
	return math.Max(total, 0), matched
}

// relevance is the weighted share of paragraphs about the conflict: one
// naming the conflict itself, or both parties (or one party, at half, when
// the article names both somewhere), damped when the mentions are few and
// lowered by the vocabulary of look-alike subjects.
func (t *Taxonomy) relevance(paras []paragraph) float64 {
	anchors, sideA, sideB, neg := t.anchors, t.sideA, t.sideB, t.negative
	type hits struct{ anchor, a, b bool }
	per := make([]hits, len(paras))
	var anyA, anyB bool
	negative, total := 0.0, 0.0
	for i, p := range paras {
		per[i] = hits{
			anchor: len(anchors.find(p.tokens, make([]bool, len(anchors.terms)))) > 0,
			a:      len(sideA.find(p.tokens, make([]bool, len(sideA.terms)))) > 0,
			b:      len(sideB.find(p.tokens, make([]bool, len(sideB.terms)))) > 0,
		}
		anyA, anyB = anyA || per[i].a, anyB || per[i].b
		for _, ni := range neg.find(p.tokens, make([]bool, len(neg.terms))) {
			negative += neg.terms[ni].weight * p.weight
		}
		total += p.weight
	}
	if total == 0 {
		return 0
	}
	about := 0.0
	for i, h := range per {
		switch {
		case h.anchor, h.a && h.b:
			about += paras[i].weight
		case (h.a || h.b) && anyA && anyB:
			about += paras[i].weight / 2
		}
	}
	share := about / total
	// Fewer than three weighted mentions is a passing reference.
	damp := math.Min(1, about/3)
	return share * damp / (1 + negative/4)
}

func round(x float64) float64 { return math.Round(x*100) / 100 }
