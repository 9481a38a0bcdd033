package theme

import (
	"hash/fnv"
	"slices"
	"sort"
	"strings"

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
func Fingerprint(a *article.Article) Print {
	var toks []string
	for _, b := range a.Body {
		toks = append(toks, tokenize(b)...)
	}
	set := map[uint32]struct{}{}
	for i := 0; i+shingleSize <= len(toks); i++ {
		set[hash32(strings.Join(toks[i:i+shingleSize], " "))] = struct{}{}
	}
	if len(toks) > 0 && len(toks) < shingleSize {
		set[hash32(strings.Join(toks, " "))] = struct{}{}
	}
	p := Print{Shingles: make([]uint32, 0, len(set))}
	for s := range set {
		p.Shingles = append(p.Shingles, s)
	}
	slices.Sort(p.Shingles)
	for i := range p.Sig {
		p.Sig[i] = ^uint32(0)
	}
	for _, s := range p.Shingles {
		for i := range p.Sig {
			if h := mix(s, uint32(i)); h < p.Sig[i] {
				p.Sig[i] = h
			}
		}
	}
	return p
}

func hash32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
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

// Similar reports whether two fingerprints are of the same story.
func Similar(a, b Print) bool {
	if len(a.Shingles) == 0 || len(b.Shingles) == 0 {
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

func intersect(a, b []uint32) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
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
// which is the smallest article id of the group. It is deterministic.
func Group(prints map[string]Print) map[string]string {
	ids := make([]string, 0, len(prints))
	for id := range prints {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	parent := make([]int, len(ids))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
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
	rows := numHashes / bands
	buckets := map[uint64][]int{}
	for band := 0; band < bands; band++ {
		clear(buckets)
		for i, id := range ids {
			p := prints[id]
			if len(p.Shingles) == 0 {
				continue
			}
			key := uint64(band)
			for r := 0; r < rows; r++ {
				key = key*1000003 + uint64(p.Sig[band*rows+r])
			}
			buckets[key] = append(buckets[key], i)
		}
		for _, members := range buckets {
			// Compare each member with one representative of each group
			// already in the bucket, not with every member: a bucket of
			// near-copies then costs one comparison per member.
			var reps []int
			for _, m := range members {
				joined := false
				for _, r := range reps {
					if find(m) == find(r) {
						joined = true
						break
					}
					if Similar(prints[ids[m]], prints[ids[r]]) {
						union(m, r)
						joined = true
						break
					}
				}
				if !joined {
					reps = append(reps, m)
				}
			}
		}
	}
	out := make(map[string]string, len(ids))
	for i, id := range ids {
		out[id] = ids[find(i)]
	}
	return out
}
