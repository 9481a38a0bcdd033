package theme

// index finds the terms of every group (each theme, then the topic's
// anchors, sides and negative terms) in one pass over a paragraph's tokens.
type index struct {
	groups  [][]term
	byFirst map[string][]ref
	firsts  *keyFilter // the keys of byFirst
	offset  []int      // offset[g] is group g's first slot in a flat seen-set
	slots   int
}

// ref is one term of one group.
type ref struct{ group, term, slot int }

func newIndex(groups [][]term) *index {
	ix := &index{groups: groups, byFirst: map[string][]ref{}, firsts: &keyFilter{}}
	for g, terms := range groups {
		ix.offset = append(ix.offset, ix.slots)
		for t, tm := range terms {
			ix.byFirst[tm.tokens[0]] = append(ix.byFirst[tm.tokens[0]], ref{g, t, ix.slots + t})
			ix.firsts.add(tm.tokens[0])
		}
		ix.slots += len(terms)
	}
	return ix
}

// scan calls hit once for every distinct term found in toks. seen must
// have ix.slots entries, all false; it is left all false.
func (ix *index) scan(toks []string, seen []bool, touched []int, hit func(group, term int)) []int {
	touched = touched[:0]
	for i, tok := range toks {
		if !ix.firsts.may(tok) {
			continue
		}
		for _, r := range ix.byFirst[tok] {
			if seen[r.slot] || !hasPrefix(toks[i:], ix.groups[r.group][r.term].tokens) {
				continue
			}
			seen[r.slot] = true
			touched = append(touched, r.slot)
			hit(r.group, r.term)
		}
	}
	for _, s := range touched {
		seen[s] = false
	}
	return touched
}

// keyFilter answers, faster than a map lookup, whether a token may be one
// of a set of keys: it remembers their first two bytes and, for those, the
// lengths of the keys (up to 6, then "7 or more"). Most tokens of a text
// are no term of the taxonomy, and every token of every article is looked
// up; the first two bytes alone let two thirds of a real page's tokens
// through.
type keyFilter struct {
	lengths [1 << 16]uint8 // by start2, a bit per length
}

func (f *keyFilter) add(k string) { f.lengths[start2(k)] |= lengthBit(k) }

// may reports false when k is surely not a key.
func (f *keyFilter) may(k string) bool { return f.lengths[start2(k)]&lengthBit(k) != 0 }

// lengthBit is the bit of k's length: bit n for a length n below 7, else
// bit 7.
func lengthBit(k string) uint8 { return 1 << min(len(k), 7) }

// start2 is the first two bytes of s (zero for those s lacks).
func start2(s string) uint16 {
	switch len(s) {
	case 0:
		return 0
	case 1:
		return uint16(s[0]) << 8
	}
	return uint16(s[0])<<8 | uint16(s[1])
}
