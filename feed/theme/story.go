package theme

import (
	"slices"

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
