package theme

import (
	"fmt"
	"strings"
	"unicode"
)

// term is one weighted word or phrase, as stemmed canonical tokens.
type term struct {
	text   string
	tokens []string
	weight float64
}

// tokenize splits text into lower-case stemmed words. Hyphens and
// apostrophes split words, so "Nagorno-Karabakh" is two tokens and
// "Azerbaijan's" loses its possessive.
func tokenize(s string) []string {
	s = strings.ToLower(s) // once, so words below are substrings, not copies
	out := make([]string, 0, len(s)/6+1)
	start := -1
	flush := func(end int) {
		if start >= 0 {
			if w := s[start:end]; w != "s" {
				out = append(out, stem(w))
			}
			start = -1
		}
	}
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
	return out
}

// stem folds simple English inflections together: peacekeeper,
// peacekeepers and peacekeeping all become "peacekeep". It is deliberately
// light; the taxonomy lists irregular forms itself.
func stem(w string) string {
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
				base = w[:len(w)-1] // "ceasefires" -> "ceasefire"
				return strings.TrimSuffix(base, "e")
			}
			return strings.TrimSuffix(base, "e")
		}
	}
	return strings.TrimSuffix(w, "e")
}

// aliases maps each variant spelling (as token sequences) to its canonical
// tokens: Khankendi to Stepanakert, Aliev to Aliyev.
type aliases struct {
	// byFirst indexes variants by their first token; longest first.
	byFirst map[string][]alias
}

type alias struct {
	from, to []string
}

func newAliases(m map[string][]string) (*aliases, error) {
	a := &aliases{byFirst: map[string][]alias{}}
	for canon, variants := range m {
		to := tokenize(canon)
		if len(to) == 0 {
			return nil, fmt.Errorf("alias %q has no words", canon)
		}
		for _, v := range variants {
			from := tokenize(v)
			if len(from) == 0 {
				return nil, fmt.Errorf("alias %q of %q has no words", v, canon)
			}
			a.byFirst[from[0]] = append(a.byFirst[from[0]], alias{from: from, to: to})
		}
	}
	for k, list := range a.byFirst {
		// Longest variant first, then by text, so matching is deterministic.
		sortAliases(list)
		a.byFirst[k] = list
	}
	return a, nil
}

func sortAliases(list []alias) {
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && less(list[j], list[j-1]); j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
}

func less(a, b alias) bool {
	if len(a.from) != len(b.from) {
		return len(a.from) > len(b.from)
	}
	return strings.Join(a.from, " ") < strings.Join(b.from, " ")
}

// canonical rewrites every variant in toks to its canonical form.
func (a *aliases) canonical(toks []string) []string {
	if a == nil || len(a.byFirst) == 0 {
		return toks
	}
	first := -1
	for i, t := range toks {
		if _, ok := a.byFirst[t]; ok {
			first = i
			break
		}
	}
	if first < 0 {
		return toks // the common case: nothing to rewrite, nothing to copy
	}
	out := make([]string, 0, len(toks))
	for i := 0; i < len(toks); {
		matched := false
		for _, al := range a.byFirst[toks[i]] {
			if hasPrefix(toks[i:], al.from) {
				out = append(out, al.to...)
				i += len(al.from)
				matched = true
				break
			}
		}
		if !matched {
			out = append(out, toks[i])
			i++
		}
	}
	return out
}

func hasPrefix(toks, p []string) bool {
	if len(p) > len(toks) {
		return false
	}
	for i := range p {
		if toks[i] != p[i] {
			return false
		}
	}
	return true
}
