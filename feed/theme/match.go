package theme

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// term is one weighted word or phrase, as stemmed canonical tokens.
type term struct {
	text   string
	tokens []string
	weight float64
}

// tokenize splits text into lower-case stemmed words. Hyphens and
// apostrophes split words, so "Nagorno-Karabakh" is two tokens and
// "Azerbaijan's" loses its possessive. A word is a run of letters and
// digits (after lower-casing); tokens are substrings of s unless they had
// to be lower-cased. It runs for every paragraph of every article, hence
// the byte loop with an ASCII fast path.
func tokenize(s string) []string {
	return appendTokens(make([]string, 0, len(s)/6+1), s, &strings.Builder{})
}

// appendTokens appends the tokens of s to out. Words with capitals are
// lower-cased into lowered, so that an analysis makes one string of all
// its lower-cased words instead of one per word (most of the allocations
// of a cold start's classification were such words).
func appendTokens(out []string, s string, lowered *strings.Builder) []string {
	for i := 0; i < len(s); {
		for i < len(s) && s[i] < utf8.RuneSelf && !asciiWord[s[i]] {
			i++ // an ASCII separator
		}
		// The word at i, if any: letters and digits once lower-cased.
		start, upper := i, false
		for i < len(s) {
			c := s[i]
			if asciiLowerWord[c] {
				i++
				continue
			}
			if 'A' <= c && c <= 'Z' {
				upper = true
				i++
				continue
			}
			if c < utf8.RuneSelf {
				break
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			lr := unicode.ToLower(r)
			if !unicode.IsLetter(lr) && !unicode.IsDigit(lr) {
				break
			}
			upper = upper || lr != r
			i += size
		}
		switch {
		case i > start:
			out = appendToken(out, s[start:i], upper, lowered)
		case i < len(s): // a separator that is not ASCII
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
		}
	}
	return out
}

// appendToken appends the stem of word, lower-cased into lowered when it
// has capitals; a lone "s" (of a split "'s") is dropped.
func appendToken(out []string, word string, upper bool, lowered *strings.Builder) []string {
	if upper {
		word = lowerInto(lowered, word)
	}
	if word == "s" {
		return out
	}
	return append(out, stem(word))
}

// lowerInto writes word lower-cased, as strings.ToLower does it, to b and
// returns it as a substring of b's text: a Builder never changes the bytes
// of a string it returned, so the words stay valid as b grows or is reset.
// When word does not fit, b starts on new memory of lowerChunk bytes
// rather than growing, which would copy the words and allocate twice
// what they take.
func lowerInto(b *strings.Builder, word string) string {
	if b.Cap()-b.Len() < len(word) {
		b.Reset()
		b.Grow(max(lowerChunk, len(word)))
	}
	start := b.Len()
	for i := 0; i < len(word); i++ {
		c := word[i]
		if c >= utf8.RuneSelf {
			for _, r := range word[i:] {
				b.WriteRune(unicode.ToLower(r))
			}
			break
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()[start:]
}

// lowerChunk is the size of the pieces of memory lowerInto writes to:
// about what the capitalised words of a short article take.
const lowerChunk = 256

// asciiWord marks the ASCII letters and digits, asciiLowerWord those
// that are not capitals.
var asciiWord, asciiLowerWord = func() (word, lower [256]bool) {
	for c := '0'; c <= '9'; c++ {
		word[c], lower[c] = true, true
	}
	for c := 'a'; c <= 'z'; c++ {
		word[c], lower[c], word[c-'a'+'A'] = true, true, true
	}
	return word, lower
}()

// stem folds simple English inflections together: peacekeeper,
// peacekeepers and peacekeeping all become "peacekeep". It is deliberately
// light; the taxonomy lists irregular forms itself. A suffix is cut when
// at least three letters stay, trying the longest first among those
// sharing a last letter; a final "e" goes too.
func stem(w string) string {
	if len(w) <= 3 {
		return w
	}
	// cut reports whether w ends in suf with at least three letters before.
	cut := func(suf string) bool { return len(w)-len(suf) >= 3 && strings.HasSuffix(w, suf) }
	base := w
	switch w[len(w)-1] {
	case 's':
		switch {
		case cut("ings"):
			base = w[:len(w)-4]
		case cut("ers"):
			base = w[:len(w)-3]
		case cut("ies"):
			base = w[:len(w)-3] + "y"
		case cut("es"):
			base = w[:len(w)-2]
			if !strings.HasSuffix(base, "s") && !strings.HasSuffix(base, "x") && !strings.HasSuffix(base, "ch") && !strings.HasSuffix(base, "sh") {
				base = w[:len(w)-1] // "ceasefires" -> "ceasefire"
			}
		case cut("s"):
			base = w[:len(w)-1]
		}
	case 'g':
		if cut("ing") {
			base = w[:len(w)-3]
		}
	case 'r':
		if cut("er") {
			base = w[:len(w)-2]
		}
	case 'd':
		if cut("ed") {
			base = w[:len(w)-2]
		}
	}
	return strings.TrimSuffix(base, "e")
}

// aliases maps each variant spelling (as token sequences) to its canonical
// tokens: Khankendi to Stepanakert, Aliev to Aliyev.
type aliases struct {
	// byFirst indexes variants by their first token; longest first.
	byFirst map[string][]alias
	firsts  *keyFilter // the keys of byFirst
}

type alias struct {
	from, to []string
}

func newAliases(m map[string][]string) (*aliases, error) {
	a := &aliases{byFirst: map[string][]alias{}, firsts: &keyFilter{}}
	// In name order, so that the error below names the same two names
	// at every start.
	canons := make([]string, 0, len(m))
	for canon := range m {
		canons = append(canons, canon)
	}
	sort.Strings(canons)
	owner := map[string]string{} // a variant's words -> the name it stands for
	words := map[string]string{} // a name -> its words
	for _, canon := range canons {
		variants := m[canon]
		to := tokenize(canon)
		if len(to) == 0 {
			return nil, fmt.Errorf("alias %q has no words", canon)
		}
		for _, v := range variants {
			from := tokenize(v)
			if len(from) == 0 {
				return nil, fmt.Errorf("alias %q of %q has no words", v, canon)
			}
			// A variant of two names would become either, by the map's
			// order: a classification that changes from run to run.
			key := strings.Join(from, " ")
			words[canon] = strings.Join(to, " ")
			if prev, ok := owner[key]; ok && words[prev] != words[canon] {
				return nil, fmt.Errorf("alias %q stands for both %q and %q: keep one", v, prev, canon)
			}
			owner[key] = canon
			a.byFirst[from[0]] = append(a.byFirst[from[0]], alias{from: from, to: to})
			a.firsts.add(from[0])
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

// canonical rewrites every variant in toks to its canonical form. It
// returns toks when there is nothing to rewrite, else the rewritten
// tokens, appended to *dst (a new slice when dst is nil).
func (a *aliases) canonical(toks []string, dst *[]string) []string {
	if a == nil || len(a.byFirst) == 0 {
		return toks
	}
	first := -1
	for i, t := range toks {
		if a.variants(t) != nil {
			first = i
			break
		}
	}
	if first < 0 {
		return toks // the common case: nothing to rewrite, nothing to copy
	}
	if dst == nil {
		dst = &[]string{}
	}
	start := len(*dst)
	out := append(*dst, toks[:first]...)
	for i := first; i < len(toks); {
		matched := false
		for _, al := range a.variants(toks[i]) {
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
	*dst = out
	return out[start:len(out):len(out)]
}

// variants returns the variants that start with tok, longest first.
func (a *aliases) variants(tok string) []alias {
	if !a.firsts.may(tok) {
		return nil
	}
	return a.byFirst[tok]
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
