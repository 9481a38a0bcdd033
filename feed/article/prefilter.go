package article

import (
	"regexp"
	"regexp/syntax"
)

// lineRe is a regular expression anchored at the start of a line, with
// the pairs of ASCII bytes a match can begin with. Most lines of a page
// begin with a pair that none of the phrases of a long pattern such as
// endMarkers does, and the table turns them away at the cost of a lookup,
// where the matcher costs about a microsecond per line. The table is
// computed from the pattern, so the two cannot disagree.
type lineRe struct {
	re *regexp.Regexp
	// starts[a] has bit b set when a match may begin with bytes a, b;
	// nil when the pattern may match any line.
	starts *[128][2]uint64
}

// mustLineRe compiles expr, which must be anchored at the start of the
// text (^ without (?m), or \A).
func mustLineRe(expr string) lineRe {
	re := regexp.MustCompile(expr)
	parsed, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		panic(err) // unreachable: MustCompile has parsed it
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		panic(err)
	}
	if prog.StartCond()&syntax.EmptyBeginText == 0 {
		panic("article: line pattern not anchored at the start: " + expr)
	}
	return lineRe{re: re, starts: startPairs(prog)}
}

// MatchString reports whether s matches the pattern.
func (l lineRe) MatchString(s string) bool {
	if l.starts != nil && len(s) >= 2 && s[0] < 0x80 && s[1] < 0x80 && l.starts[s[0]][s[1]>>6]&(1<<(s[1]&63)) == 0 {
		return false
	}
	return l.re.MatchString(s)
}

// FindStringSubmatch is the pattern's FindStringSubmatch, which the
// table may spare too.
func (l lineRe) FindStringSubmatch(s string) []string {
	if !l.MatchString(s) {
		return nil
	}
	return l.re.FindStringSubmatch(s)
}

// startPairs computes lineRe.starts for prog: for each instruction that
// can read the first rune, and each instruction that can read the next
// one after it, the pairs of ASCII bytes they accept. Conditions on empty
// strings (\b, $) are taken as met, which can only let more pairs in. It
// is nil when a match may end before a second rune.
func startPairs(prog *syntax.Prog) *[128][2]uint64 {
	var t [128][2]uint64
	first, end := readers(prog, uint32(prog.Start))
	if end {
		return nil
	}
	for _, f := range first {
		second, end := readers(prog, f.Out)
		for a := rune(0); a < 128; a++ {
			if !accepts(f, a) {
				continue
			}
			for b := rune(0); b < 128; b++ {
				ok := end
				for _, g := range second {
					ok = ok || accepts(g, b)
				}
				if ok {
					t[a][b>>6] |= 1 << (b & 63)
				}
			}
		}
	}
	return &t
}

// accepts reports whether the rune-reading instruction in reads r.
func accepts(in *syntax.Inst, r rune) bool {
	switch in.Op {
	case syntax.InstRuneAny:
		return true
	case syntax.InstRuneAnyNotNL:
		return r != '\n'
	}
	return in.MatchRune(r)
}

// readers returns the instructions that read the next rune when prog is
// at pc, and whether it can reach a match without reading one.
func readers(prog *syntax.Prog, pc uint32) (out []*syntax.Inst, match bool) {
	seen := map[uint32]bool{}
	var walk func(pc uint32)
	walk = func(pc uint32) {
		if seen[pc] {
			return
		}
		seen[pc] = true
		switch in := &prog.Inst[pc]; in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			walk(in.Out)
			walk(in.Arg)
		case syntax.InstCapture, syntax.InstNop, syntax.InstEmptyWidth:
			walk(in.Out)
		case syntax.InstMatch:
			match = true
		case syntax.InstFail:
		default: // InstRune, InstRune1, InstRuneAny, InstRuneAnyNotNL
			out = append(out, in)
		}
	}
	walk(pc)
	return out, match
}
