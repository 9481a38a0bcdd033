package theme

import (
	"cmp"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/kdigest/kdigest/feed/article"
)

// Story grouping: two articles report the same story when their word
// 3-shingles overlap enough (Jaccard similarity, or containment for a short
// wire report inside a longer one). MinHash signatures with LSH banding find
// the candidate pairs, so grouping 10,000 articles compares only pairs that
// share a band, and exact shingle sets confirm each candidate.
const (
	shingleSize = 3
	numHashes   = 64
	bands       = 32 // rows per band = numHashes / bands = 2
	// sameStory is the Jaccard similarity above which two texts report the
	// same story. Reports of one event by two outlets share quotes and
	// phrasing; different events told with the same background paragraph
	// stay well below it.
	sameStory = 0.22
	// maxBucket is the most members of an LSH bucket that are compared.
	maxBucket = 50
	// contained is the share of the shorter text's shingles found in the
	// longer one above which the shorter is a copy or excerpt of it.
	contained = 0.6
)

// Print is an article's same-story fingerprint.
type Print struct {
	// Shingles is the sorted set of hashed word 3-shingles of the body.
	Shingles []uint32
	// Sig is the MinHash signature of Shingles.
	Sig [numHashes]uint32
}

// Fingerprint computes the article's fingerprint from its body. Headlines
// are left out: outlets title the same story differently.
func Fingerprint(a *article.Article) *Print {
	w := getTokenWork()
	defer putTokenWork(w)
	return fingerprint(tokenizeBody(a, w), w)
}

// fingerprint computes the fingerprint of a body's tokenized paragraphs;
// shingles run across paragraph breaks. The work is done in the
// analysis's reused memory s and only the result is allocated: a cold start fingerprints
// every article, and garbage of the result's size would leave the
// long-lived prints scattered over half-empty memory.
func fingerprint(body [][]string, s *tokenWork) *Print {
	hs := s.hashes[:0]
	for _, toks := range body {
		for _, t := range toks {
			hs = append(hs, hash32(t))
		}
	}
	s.hashes = hs
	sh := s.shingles[:0]
	if n := len(hs) - shingleSize + 1; n > 0 {
		for i := range n {
			sh = append(sh, mix(hs[i], 1)^mix(hs[i+1], 2)^mix(hs[i+2], 3))
		}
	} else if len(hs) > 0 {
		h := uint32(0)
		for i, x := range hs {
			h ^= mix(x, uint32(i+1))
		}
		sh = append(sh, h)
	}
	s.shingles = sh
	s.sortBuf = sortUint32(sh, s.sortBuf)
	p := &Print{}
	if sh = slices.Compact(sh); len(sh) > 0 {
		p.Shingles = slices.Clone(sh)
	}
	p.Sig = signature(p.Shingles)
	return p
}

// binBits is log2(numHashes): the bits of a hash that pick its bin.
const binBits = 6

// signature is the one-permutation MinHash of a set of shingles: each
// shingle, hashed once more, falls in one of numHashes bins by its top
// bits, and a bin keeps the smallest of the rest. Two sets agree in a bin
// with a probability of their Jaccard similarity, as with numHashes
// hash functions, for one hash per shingle instead of numHashes: a
// third of a second less over the 10,000 articles of a cold start.
//
// A bin no shingle fell in (a short text) borrows the value of the next
// filled bin to its right, raised by its distance, so that two texts agree
// there only when they agree in that bin (rotation densification,
// Shrivastava and Li, 2014).
func signature(shingles []uint32) (sig [numHashes]uint32) {
	const low = 32 - binBits
	for i := range sig {
		sig[i] = ^uint32(0)
	}
	filled := uint64(0)
	for _, s := range shingles {
		h := mix(s, 0) // the bins must not follow the order of the shingles
		bin, v := h>>low, h&(1<<low-1)
		if v < sig[bin] {
			sig[bin] = v
		}
		filled |= 1 << bin
	}
	if filled == 0 || filled == ^uint64(0) {
		return sig
	}
	for i := range sig {
		if filled&(1<<i) != 0 {
			continue
		}
		for d := 1; d < numHashes; d++ {
			if j := (i + d) % numHashes; filled&(1<<j) != 0 {
				sig[i] = sig[j] + uint32(d)<<low
				break
			}
		}
	}
	return sig
}

// sortUint32 sorts s in place: a radix sort, a byte at a time, for
// the long lists of a fingerprint, where it is three times as fast as
// slices.Sort. It works in buf, grown as needed and returned for reuse.
func sortUint32(s, buf []uint32) []uint32 {
	if len(s) < 128 {
		slices.Sort(s)
		return buf
	}
	if cap(buf) < len(s) {
		buf = make([]uint32, len(s))
	}
	buf = buf[:len(s)]
	src, dst := s, buf
	for shift := 0; shift < 32; shift += 8 {
		var count [257]int
		for _, v := range src {
			count[(v>>shift)&0xff+1]++
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		for _, v := range src {
			b := (v >> shift) & 0xff
			dst[count[b]] = v
			count[b]++
		}
		src, dst = dst, src
	}
	// Four passes: the sorted values are back in s.
	return buf
}

// hash32 is FNV-1a, inlined to avoid allocating a hasher per word.
func hash32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// mix derives the i-th hash function of a shingle (a murmur3 finalizer
// over the shingle and a per-function seed).
func mix(x, seed uint32) uint32 {
	x ^= seed*0x9e3779b9 + 0x7f4a7c15
	x ^= x >> 16
	x *= 0x85ebca6b
	x ^= x >> 13
	x *= 0xc2b2ae35
	x ^= x >> 16
	return x
}

// similar reports whether two fingerprints are of the same story.
func similar(a, b *Print) bool {
	if len(a.Shingles) == 0 || len(b.Shingles) == 0 {
		return false
	}
	// The signatures estimate the Jaccard similarity for the price of 64
	// comparisons; far below the thresholds, skip the exact count.
	same := 0
	for i := range a.Sig {
		if a.Sig[i] == b.Sig[i] {
			same++
		}
	}
	excerpt := maybeContained(a, b)
	if same*100 < numHashes*12 && !excerpt {
		return false
	}
	// The pair met in an LSH bucket, so its signatures agree more than
	// its texts do. The smallest shingles of each text are an unbiased
	// sample of both (shingles are hashes): far below the threshold there
	// too, skip the exact count, which costs ten times as much. A short
	// text is its own sample, and cheap to count exactly.
	long := len(a.Shingles) >= sampleSize && len(b.Shingles) >= sampleSize
	if long && !excerpt && sampleMatches(a.Shingles, b.Shingles) < minSampleMatches {
		return false
	}
	inter := intersect(a.Shingles, b.Shingles)
	union := len(a.Shingles) + len(b.Shingles) - inter
	if float64(inter)/float64(union) >= sameStory {
		return true
	}
	small := min(len(a.Shingles), len(b.Shingles))
	return small >= 20 && float64(inter)/float64(small) >= contained
}

// maybeContained reports a pair whose sizes differ enough that one could be
// an excerpt of the other (which the signature estimate does not show), and
// whose sampled shingles say it may be.
func maybeContained(a, b *Print) bool {
	small, big := a.Shingles, b.Shingles
	if len(small) > len(big) {
		small, big = big, small
	}
	if len(small)*3 >= len(big) || len(small) < 20 {
		return false
	}
	// Look up 32 evenly spaced shingles of the smaller text in the larger.
	const samples = 32
	found := 0
	for k := 0; k < samples; k++ {
		x := small[k*len(small)/samples]
		if _, ok := slices.BinarySearch(big, x); ok {
			found++
		}
	}
	return found*2 >= samples // within reach of the contained threshold
}

// sampleSize is the size of the bottom-k sample sampleMatches compares.
const sampleSize = 128

// minSampleMatches is the fewest matches in the sample of a pair that may
// be of one story: a pair at the sameStory threshold averages 28 of 128
// and has fewer than 17 about once in a thousand, while a pair at a
// Jaccard of 0.07 (two reports that share a stock phrase or two) reaches
// 17 about once in two hundred (TestSampleFilterAtThreshold).
const minSampleMatches = 17

// sampleMatches counts, among the sampleSize smallest shingles of the union
// of a and b (sorted sets of hashes, each at least sampleSize long), those
// in both: a bottom-k estimate of their Jaccard similarity, times
// sampleSize.
func sampleMatches(a, b []uint32) int {
	return shared(a[:min(len(a), sampleSize)], b[:min(len(b), sampleSize)], sampleSize)
}

// intersect counts the elements of two sorted sets that are in both.
func intersect(a, b []uint32) int { return shared(a, b, len(a)+len(b)) }

// shared counts the elements in both of two sorted sets among the first
// limit elements of their union.
func shared(a, b []uint32, limit int) int {
	n, i, j := 0, 0, 0
	for k := 0; k < limit && i < len(a) && j < len(b); k++ {
		switch {
		case a[i] == b[j]:
			n++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return n
}

// Group assigns a story id to every article: articles reporting the same
// story (directly or through a chain of similar reports) share the id,
// which is the smallest article id of the group. It is deterministic, and
// it compares candidate pairs on every CPU.
func Group(prints map[string]*Print) map[string]string {
	ids := make([]string, 0, len(prints))
	for id := range prints {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	ps := make([]*Print, len(ids))
	for i, id := range ids {
		ps[i] = prints[id]
	}
	parent := make([]int, len(ids))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		ra, rb := find(a), find(b)
		if ra == rb {
			return
		}
		if ra < rb { // the smaller index (smaller id) becomes the root
			parent[rb] = ra
		} else {
			parent[ra] = rb
		}
	}
	// Identical signatures are copies: group them directly, and let only
	// one of them take part in the banding below.
	bySig := map[[numHashes]uint32]int{}
	var distinct []int
	for i, p := range ps {
		if len(p.Shingles) == 0 {
			continue
		}
		if first, ok := bySig[p.Sig]; ok {
			if similar(ps[first], p) {
				union(first, i)
				continue
			}
		} else {
			bySig[p.Sig] = i
		}
		distinct = append(distinct, i)
	}
	buckets := bandBuckets(ps, distinct)
	known := comparePairs(ps, buckets)
	sim := func(a, b int) bool {
		if a > b {
			a, b = b, a
		}
		if k, ok := slices.BinarySearchFunc(known, pairKey(a, b), func(r pairResult, key uint64) int {
			return cmp.Compare(r.key, key)
		}); ok {
			return known[k].similar
		}
		return similar(ps[a], ps[b])
	}
	for _, members := range buckets {
		// Compare each member with the root of each group already in
		// the bucket, not with every member. Two groups merge only
		// when their roots are similar, so a chain of pairwise
		// overlaps cannot snowball into one giant story.
		var roots []int
		for _, m := range members {
			rm := find(m)
			joined := false
			for _, r := range roots {
				rr := find(r)
				if rm == rr {
					joined = true
					break
				}
				if sim(rm, rr) {
					union(rm, rr)
					joined = true
					break
				}
			}
			if !joined {
				roots = append(roots, rm)
			}
		}
	}
	out := make(map[string]string, len(ids))
	for i, id := range ids {
		out[id] = ids[find(i)]
	}
	return out
}

// bandBuckets returns the LSH buckets of the members, band after band,
// each band's buckets ordered by their first member, each bucket's members
// in ascending order. Buckets of one member, and crowded ones, are left
// out: a crowded bucket comes from a shingle common to many texts
// ("officials said on"), not from shared stories, and reports of one story
// meet in some small bucket of another band.
func bandBuckets(ps []*Print, members []int) [][]int {
	const rows = numHashes / bands
	var out [][]int
	byKey := map[uint64][]int{}
	for band := 0; band < bands; band++ {
		clear(byKey)
		for _, i := range members {
			key := uint64(band)
			for r := 0; r < rows; r++ {
				key = key*1000003 + uint64(ps[i].Sig[band*rows+r])
			}
			byKey[key] = append(byKey[key], i)
		}
		start := len(out)
		for _, b := range byKey {
			if len(b) > 1 && len(b) <= maxBucket {
				out = append(out, b)
			}
		}
		slices.SortFunc(out[start:], func(a, b []int) int { return cmp.Compare(a[0], b[0]) })
	}
	return out
}

// pairResult is whether the prints of one pair are similar.
type pairResult struct {
	key     uint64 // pairKey of the pair
	similar bool
}

func pairKey(a, b int) uint64 { return uint64(a)<<32 | uint64(b) }

// comparePairs compares every pair of members of each bucket, each pair
// once, on every CPU, and returns the results sorted by key. Group then
// looks most of its comparisons up instead of making them one by one.
func comparePairs(ps []*Print, buckets [][]int) []pairResult {
	n := 0
	for _, b := range buckets {
		n += len(b) * (len(b) - 1) / 2
	}
	keys := make([]uint64, 0, n)
	for _, b := range buckets {
		for x, i := range b {
			for _, j := range b[x+1:] {
				keys = append(keys, pairKey(i, j))
			}
		}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	out := make([]pairResult, len(keys))
	workers := max(1, min(runtime.GOMAXPROCS(0), len(keys)/256))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < len(keys); k += workers {
				a, b := int(keys[k]>>32), int(uint32(keys[k]))
				out[k] = pairResult{keys[k], similar(ps[a], ps[b])}
			}
		}()
	}
	wg.Wait()
	return out
}
