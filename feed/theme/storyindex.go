package theme

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The story index keeps the corpus grouped into stories while articles
// come and go. Its one rule, shared by every path that groups:
//
//   - An exact copy of a file (the same content hash) is folded into its
//     canonical, the copy seen first (then the one with the smallest id,
//     see copyOrder): it takes that article's story and takes no other
//     part in grouping.
//   - Two canonical articles are linked by an edge when they share an LSH
//     bucket of at most maxBucket articles, their dates are at most
//     storyWindow apart and their fingerprints are similar. A crowded
//     bucket comes from a shingle common to many texts ("officials said
//     on"), not from a shared story, and comparing all its pairs would
//     cost the square of the corpus; reports of one story meet in some
//     small bucket of another band.
//   - The edges split the articles into components. Inside a component,
//     articles taken in id order join the first story (in story id order)
//     they have an edge to and whose every member is within storyWindow
//     of them; an article that joins none starts a story. A story's id is
//     its smallest article id.
//
// So a story never spans more than storyWindow, and it depends only on its
// component: a change recomputes the edges of the changed article (its
// LSH candidates) and the components it touched, never the corpus.

// storyWindow is the furthest apart the dates of two reports of one story
// may be: the Sochi summits of 2021 and 2022 share most of their phrasing.
const storyWindow = 3 * 24 * time.Hour

// StoryDoc is what the story index knows of one article.
type StoryDoc struct {
	// ID is the article id.
	ID string
	// Date is when the article was published, else when it was first seen.
	Date time.Time
	// Hash is the content hash of the file; articles with the same
	// non-empty hash are exact copies.
	Hash string
	// FirstSeen is when the article was first seen: of exact copies, the
	// first seen is the one shown (then the smallest id), so a copy that
	// comes later never takes the place of the entry readers already have.
	FirstSeen time.Time
	// Print is the fingerprint of the clean body (Fingerprint or Analyze).
	Print *Print
	// Size, for a Print given with its signature only (no Shingles), is
	// the number of its shingles. Only LoadStoryIndex takes such docs,
	// and the index must then be given the shingles' loader (Unload)
	// before any Put or Remove.
	Size int
}

// StoryEdge is an accepted pair of canonical articles of one story
// candidate: A < B. The corpus stores the edges and hands them back to
// LoadStoryIndex, so a restart compares no pair.
type StoryEdge struct{ A, B string }

// StoryChange is what one Put or Remove changed.
type StoryChange struct {
	// Stories lists, sorted, the ids whose Story or CopyOf changed, and
	// the put or removed article. It may list a few more (a copy whose
	// CopyOf changed and changed back within the one call), never fewer.
	Stories []string
	// Added and Removed are the edges that appeared and disappeared: no
	// edge is in both, so they apply in either order.
	Added, Removed []StoryEdge
}

// StoryIndex groups articles into stories and keeps the grouping up to
// date one article at a time. The zero value is not usable; call
// BuildStoryIndex or LoadStoryIndex. It is not safe for
// concurrent use.
//
// It is held for the whole corpus, so it keeps little per article: an
// entry with no copy of the caller's doc, the signature in per-band
// arrays, and the LSH buckets as sorted arrays of slots rather than a map
// (see bucket).
type StoryIndex struct {
	docs map[string]*storyEntry
	// slots holds the entries by slot, nil when free; sigs holds, per
	// band and by slot, the band's two signature values (sigVal). A slot
	// is an entry's for its whole life in the index.
	slots []*storyEntry
	sigs  [bands][]uint64
	free  []int32 // free slots
	// The LSH buckets of each band: sorted lists, by band key then slot,
	// the slots of the canonical articles bucketed when it was last
	// merged, a slot that left since marked by its complement (a
	// tombstone, which keeps its place: its entry keeps its signature
	// until the merge); recent, by band key, those bucketed since. dead
	// lists the slots with tombstones. A merge (compact) folds recent in
	// and drops the tombstones once they count mergeAt articles.
	sorted  [bands][]int32
	fence   [bands][]uint64 // the key of every fenceStep-th slot of sorted
	recent  [bands]map[uint64][]int32
	nrecent int
	dead    []int32
	// maxBucket is the most articles of a bucket whose pairs are
	// compared (the constant maxBucket; tests make it small), and
	// mergeAt when recent and dead are merged (the constant mergeAt).
	maxBucket int32
	mergeAt   int
	// byHash holds the canonical article of each content hash, and
	// copies, for a hash of two articles or more, their ids sorted by
	// copyOrder: the first is the canonical one.
	byHash map[string]*storyEntry
	copies map[string][]string
	// members lists the sorted ids of each story of two articles or more,
	// copies included. A story of one article is not listed: its article
	// is the one with the story's id (the founder), or, only while a
	// change regroups, the one strays names.
	members map[string][]string
	strays  map[string]string
	// shingles holds the shingles of the articles whose whole print the
	// index keeps: all of them until Unload; after it, only a put
	// article's, until it is linked.
	shingles map[int32][]uint32
	scratch  []int32 // size's
	// load, when set (Unload), gives the shingles of an article whose
	// print the index keeps without them; err is its first failure.
	load func(id string) ([]uint32, error)
	err  error
}

// mergeAt is the number of articles bucketed or unbucketed since the
// last merge of the sorted bucket lists at which a change merges them:
// a merge costs a copy of the lists (milliseconds at 100,000 articles),
// a change a map insert and binary searches per band.
const mergeAt = 1024

// fenceStep is the number of sorted slots per key of the fence: a
// search looks at the signatures of log2(fenceStep)+1 of them, which
// are far apart in memory, and the fence costs 8/fenceStep bytes a slot.
const fenceStep = 8

// setFence makes the fence of band b's sorted list.
func (x *StoryIndex) setFence(b int) {
	ss := x.sorted[b]
	f := x.fence[b][:0]
	for i := 0; i < len(ss); i += fenceStep {
		f = append(f, x.key(b, ss[i]))
	}
	x.fence[b] = f
}

// Where an entry's slot is in the buckets.
const (
	unbucketed uint8 = iota // in no bucket: a copy, an empty body, or not yet
	inSorted                // in the sorted lists
	inRecent                // in the recent maps
	tombstoned              // a copy or removed, with tombstones in the sorted lists
)

// storyEntry is one article in the index.
type storyEntry struct {
	id, hash, story string
	edges           []int32 // sorted slots of the canonical articles it has an edge to
	// date and firstSeen, as Unix seconds and nanoseconds: a time.Time
	// costs 24 bytes.
	dateSec, seenSec int64
	dateNs, seenNs   int32
	slot             int32
	size             int32 // the number of shingles of its print
	where            uint8
}

func (e *storyEntry) date() time.Time { return time.Unix(e.dateSec, int64(e.dateNs)) }

// Unload makes the index keep each article's signature but not its
// shingles, most of a fingerprint's memory: it asks load for them when a
// pair of articles that met in a bucket must be compared exactly, which a
// Put of one article does for a few candidates. Articles put later are
// kept so too. A failed load makes the pair unlinked and is reported by
// Err, after which the index must be rebuilt.
func (x *StoryIndex) Unload(load func(id string) ([]uint32, error)) {
	x.load = load
	x.shingles = map[int32][]uint32{} // a put article's, until it is linked
}

// lighten drops e's shingles when the index loads them on demand.
func (x *StoryIndex) lighten(e *storyEntry) {
	if x.load != nil {
		delete(x.shingles, e.slot)
	}
}

// Err reports the first failure to load shingles (see Unload), or nil.
func (x *StoryIndex) Err() error { return x.err }

// full returns e's print with its shingles.
func (x *StoryIndex) full(e *storyEntry) Print {
	p := Print{Sig: x.sig(e.slot)}
	if sh, ok := x.shingles[e.slot]; ok {
		p.Shingles = sh
		return p
	}
	var err error
	if x.load == nil {
		err = fmt.Errorf("no loader of shingles (Unload)")
	} else {
		p.Shingles, err = x.load(e.id)
	}
	if err != nil && x.err == nil {
		x.err = fmt.Errorf("story fingerprint of %s: %w", e.id, err)
	}
	return p
}

// newStoryIndex returns an empty index that compares the pairs of buckets
// of at most crowd articles.
func newStoryIndex(crowd int32) *StoryIndex {
	return &StoryIndex{
		maxBucket: crowd,
		mergeAt:   mergeAt,
		docs:      map[string]*storyEntry{},
		byHash:    map[string]*storyEntry{},
		copies:    map[string][]string{},
		members:   map[string][]string{},
		strays:    map[string]string{},
		shingles:  map[int32][]uint32{},
	}
}

// newEntry makes the entry of d in a free slot, not yet in docs.
func (x *StoryIndex) newEntry(d StoryDoc) *storyEntry {
	e := &storyEntry{id: d.ID, hash: d.Hash, story: d.ID,
		dateSec: d.Date.Unix(), dateNs: int32(d.Date.Nanosecond()),
		seenSec: d.FirstSeen.Unix(), seenNs: int32(d.FirstSeen.Nanosecond())}
	if n := len(x.free); n > 0 {
		e.slot = x.free[n-1]
		x.free = x.free[:n-1]
		x.slots[e.slot] = e
	} else {
		e.slot = int32(len(x.slots))
		x.slots = append(x.slots, e)
		for b := range bands {
			x.sigs[b] = append(x.sigs[b], 0)
		}
	}
	var sig [numHashes]uint32
	if p := d.Print; p != nil {
		sig = p.Sig
		if e.size = int32(len(p.Shingles)); e.size > 0 {
			x.shingles[e.slot] = p.Shingles
		} else if d.Size > 0 {
			e.size = int32(d.Size) // its shingles are loaded when needed
		}
	}
	for b := range bands {
		x.sigs[b][e.slot] = sigVal(&sig, b)
	}
	return e
}

// sig returns the signature of slot s.
func (x *StoryIndex) sig(s int32) (sig [numHashes]uint32) {
	for b := range bands {
		v := x.sigs[b][s]
		sig[2*b], sig[2*b+1] = uint32(v>>32), uint32(v)
	}
	return sig
}

// release frees e's slot, which e leaves: at once, or by the next merge
// when the sorted lists still hold its tombstones.
func (x *StoryIndex) release(e *storyEntry) {
	x.slots[e.slot] = nil
	delete(x.shingles, e.slot)
	if e.where != tombstoned {
		x.free = append(x.free, e.slot)
	}
}

// BuildStoryIndex groups docs from scratch. Each candidate pair is
// compared once, and each component grouped once.
func BuildStoryIndex(docs []StoryDoc) *StoryIndex { return buildStoryIndex(docs, maxBucket) }

func buildStoryIndex(docs []StoryDoc, crowd int32) *StoryIndex {
	x := newStoryIndex(crowd)
	x.add(docs)
	var unused StoryChange
	es := x.canonicalEntries()
	x.fill(es)
	x.linkAll(&unused)
	x.regroupAll(es)
	return x
}

// linkAll computes the edges of a filled index (fill) as bucket does
// for each of its articles, a band at a time: a pair that shares small
// buckets of several bands is compared in the first.
func (x *StoryIndex) linkAll(ch *StoryChange) {
	small := make([]uint32, len(x.slots)) // by slot, a bit per band: its bucket is small
	var _ uint32 = 1 << (bands - 1)       // a compile error unless the bands fit
	sharedBefore := func(a, c int32, band int) bool {
		for b := range band {
			if small[a]&(1<<b) != 0 && x.key(b, a) == x.key(b, c) {
				return true
			}
		}
		return false
	}
	for b := range bands {
		ss := x.sorted[b] // no tombstones yet
		for i := 0; i < len(ss); {
			k, j := x.key(b, ss[i]), i+1
			for j < len(ss) && x.key(b, ss[j]) == k {
				j++
			}
			run := ss[i:j]
			i = j
			if len(run) > int(x.maxBucket) {
				continue
			}
			for _, s := range run {
				small[s] |= 1 << b
			}
			for p, s := range run {
				for _, t := range run[p+1:] {
					if sharedBefore(s, t, b) {
						continue
					}
					e, o := x.slots[s], x.slots[t]
					if e.id < o.id {
						e, o = o, e // linked(later, earlier), as Puts in id order compare them
					}
					if x.linked(e, o) {
						insertSorted(&e.edges, o.slot)
						insertSorted(&o.edges, e.slot)
						ch.Added = append(ch.Added, edge(e.id, o.id))
					}
				}
			}
		}
	}
}

// LoadStoryIndex rebuilds an index from its docs and the edges it had
// accepted (Edges), comparing no pair. An edge naming an article that is
// not a canonical one of docs with a body, or a pair the index would not
// compare (dates too far apart, no small bucket shared), is an error: the
// caller builds the index again with BuildStoryIndex.
func LoadStoryIndex(docs []StoryDoc, edges []StoryEdge) (*StoryIndex, error) {
	return loadStoryIndex(docs, edges, maxBucket)
}

func loadStoryIndex(docs []StoryDoc, edges []StoryEdge, crowd int32) (*StoryIndex, error) {
	x := newStoryIndex(crowd)
	x.add(docs)
	es := x.canonicalEntries()
	x.fill(es)
	for _, e := range edges {
		a, b := x.docs[e.A], x.docs[e.B]
		if a == nil || b == nil || a.where != inSorted || b.where != inSorted || e.A >= e.B {
			return nil, fmt.Errorf("story edge %s-%s: not a pair of canonical articles", e.A, e.B)
		}
		if !inWindow(a.date(), b.date()) || !x.shareSmallBucket(a, b) {
			return nil, fmt.Errorf("story edge %s-%s: not a pair the index compares", e.A, e.B)
		}
		a.edges = append(a.edges, b.slot)
		b.edges = append(b.edges, a.slot)
	}
	for _, e := range x.docs {
		slices.Sort(e.edges)
		if len(slices.Compact(e.edges)) != len(e.edges) {
			return nil, fmt.Errorf("story edges of %s: duplicate edge", e.id)
		}
	}
	x.regroupAll(es)
	return x, nil
}

// add puts docs in an empty index, without buckets, edges or stories.
// A later doc with the id of an earlier one replaces it.
func (x *StoryIndex) add(docs []StoryDoc) {
	x.slots = slices.Grow(x.slots, len(docs))
	for b := range bands {
		x.sigs[b] = slices.Grow(x.sigs[b], len(docs))
	}
	for _, d := range docs {
		if old := x.docs[d.ID]; old != nil {
			x.release(old)
		}
		x.docs[d.ID] = x.newEntry(d)
	}
	for _, e := range x.docs {
		if e.hash == "" {
			continue
		}
		if c := x.byHash[e.hash]; c == nil {
			x.byHash[e.hash] = e
		} else if ids := x.copies[e.hash]; ids == nil {
			x.copies[e.hash] = []string{c.id, e.id}
		} else {
			x.copies[e.hash] = append(ids, e.id)
		}
	}
	for h, ids := range x.copies {
		slices.SortFunc(ids, x.copyOrder)
		x.byHash[h] = x.docs[ids[0]]
	}
}

// copyOrder orders the exact copies of one content: the first seen first,
// then by id. The first is the canonical one.
func (x *StoryIndex) copyOrder(a, b string) int {
	ea, eb := x.docs[a], x.docs[b]
	if c := cmp.Compare(ea.seenSec, eb.seenSec); c != 0 {
		return c
	}
	if c := cmp.Compare(ea.seenNs, eb.seenNs); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// canonicalEntries returns the articles that are no copy, by id.
func (x *StoryIndex) canonicalEntries() []*storyEntry {
	var es []*storyEntry
	for _, e := range x.docs {
		if x.canonical(e) == e {
			es = append(es, e)
		}
	}
	slices.SortFunc(es, byID)
	return es
}

func byID(a, b *storyEntry) int { return strings.Compare(a.id, b.id) }

// regroupAll groups every component: es are the canonical articles
// (canonicalEntries).
func (x *StoryIndex) regroupAll(es []*storyEntry) {
	var unused StoryChange
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.id
	}
	x.regroup(ids, &unused)
}

// Len returns the number of articles in the index.
func (x *StoryIndex) Len() int { return len(x.docs) }

// Story returns the story id of the article id, or "" when it is not in
// the index.
func (x *StoryIndex) Story(id string) string {
	if e := x.docs[id]; e != nil {
		return e.story
	}
	return ""
}

// CopyOf returns the id of the article that id is an exact copy of (the
// copy seen first, then the smallest id), or "" when id is no copy or not
// in the index. Feeds and digests show only articles with no CopyOf.
func (x *StoryIndex) CopyOf(id string) string {
	e := x.docs[id]
	if e == nil {
		return ""
	}
	if c := x.canonical(e); c != e {
		return c.id
	}
	return ""
}

// Members returns the sorted ids of the articles of a story, copies
// included, or nil when there is no such story.
func (x *StoryIndex) Members(story string) []string {
	if ms := x.members[story]; ms != nil {
		return slices.Clone(ms)
	}
	if id, ok := x.strays[story]; ok {
		return []string{id}
	}
	if e := x.docs[story]; e != nil && e.story == story {
		return []string{story}
	}
	return nil
}

// Edges returns every accepted edge, sorted: what LoadStoryIndex needs.
func (x *StoryIndex) Edges() []StoryEdge {
	var out []StoryEdge
	for id, e := range x.docs {
		for _, n := range e.edges {
			if o := x.slots[n].id; id < o {
				out = append(out, StoryEdge{id, o})
			}
		}
	}
	slices.SortFunc(out, compareEdges)
	return out
}

// Put adds the article d, or replaces the article with its id, and
// regroups what that touched.
func (x *StoryIndex) Put(d StoryDoc) StoryChange {
	var ch StoryChange
	seeds := x.remove(d.ID, &ch)
	e := x.newEntry(d)
	x.docs[d.ID] = e
	x.join(e)
	seeds = append(seeds, d.ID)
	if c := x.byHash[d.Hash]; d.Hash != "" && c == nil {
		x.byHash[d.Hash] = e
	} else if d.Hash != "" {
		// d is a copy of c: the first seen of them is the canonical one.
		ids := x.copies[d.Hash]
		if ids == nil {
			ids = []string{c.id}
		}
		i, _ := slices.BinarySearchFunc(ids, d.ID, x.copyOrder)
		ids = slices.Insert(ids, i, d.ID)
		x.copies[d.Hash] = ids
		if i == 0 {
			// d displaces the canonical copy, which becomes a copy of d.
			x.byHash[d.Hash] = e
			seeds = append(seeds, x.unlink(c, &ch)...)
			seeds = append(seeds, c.id)
			ch.Stories = append(ch.Stories, ids...) // a new CopyOf
		}
	}
	if x.canonical(e) == e {
		seeds = append(seeds, x.bucket(e, &ch)...)
	}
	x.lighten(e)
	x.regroup(seeds, &ch)
	x.finish(&ch, d.ID)
	x.compact()
	return ch
}

// Remove takes the article id out of the index, if it is in it, and
// regroups what that touched.
func (x *StoryIndex) Remove(id string) StoryChange {
	var ch StoryChange
	if x.docs[id] == nil {
		return ch
	}
	x.regroup(x.remove(id, &ch), &ch)
	x.finish(&ch, id)
	x.compact()
	return ch
}

// finish sorts the change and records that id itself changed.
func (x *StoryIndex) finish(ch *StoryChange, id string) {
	ch.Stories = append(ch.Stories, id)
	slices.Sort(ch.Stories)
	ch.Stories = slices.Compact(ch.Stories)
	// An edge can come and go more than once within the call (a bucket
	// crowded, uncrowded and crowded again): what counts is the net of its
	// additions and removals, which alternate.
	net := map[StoryEdge]int{}
	for _, e := range ch.Added {
		net[e]++
	}
	for _, e := range ch.Removed {
		net[e]--
	}
	ch.Added, ch.Removed = ch.Added[:0], ch.Removed[:0]
	for e, n := range net {
		if n > 0 {
			ch.Added = append(ch.Added, e)
		} else if n < 0 {
			ch.Removed = append(ch.Removed, e)
		}
	}
	slices.SortFunc(ch.Added, compareEdges)
	slices.SortFunc(ch.Removed, compareEdges)
}

// remove takes id out of the index without regrouping, and returns the
// articles whose components must be regrouped.
func (x *StoryIndex) remove(id string, ch *StoryChange) (seeds []string) {
	e := x.docs[id]
	if e == nil {
		return nil
	}
	if x.canonical(e) == e {
		seeds = x.unlink(e, ch)
	}
	x.leave(e)
	if h := e.hash; h != "" {
		if ids := x.copies[h]; ids == nil {
			delete(x.byHash, h) // e was its only article
		} else {
			i, _ := slices.BinarySearchFunc(ids, id, x.copyOrder) // e is still in x.docs
			ids = slices.Delete(ids, i, i+1)
			if len(ids) == 1 {
				delete(x.copies, h)
			} else {
				x.copies[h] = ids
			}
			if i == 0 {
				// The next copy becomes the canonical one.
				c := x.docs[ids[0]]
				x.byHash[h] = c
				seeds = append(seeds, x.bucket(c, ch)...)
				ch.Stories = append(ch.Stories, ids...) // a new CopyOf
			}
			seeds = append(seeds, ids[0])
		}
	}
	delete(x.docs, id)
	x.release(e)
	return seeds
}

// canonical returns the article e stands for: itself, or the copy seen
// first (see copyOrder).
func (x *StoryIndex) canonical(e *storyEntry) *storyEntry {
	if e.hash == "" {
		return e
	}
	return x.byHash[e.hash]
}

// A band key mixes two signature values (sigVal packs them): the rows
// per band.
var _ = [1]struct{}{}[numHashes/bands-2] // a compile error unless 2

// sigVal packs band b's two values of sig.
func sigVal(sig *[numHashes]uint32, b int) uint64 {
	return uint64(sig[2*b])<<32 | uint64(sig[2*b+1])
}

// bandKey is the LSH key of one band of a signature.
func bandKey(sig *[numHashes]uint32, band int) uint64 { return valKey(band, sigVal(sig, band)) }

// valKey is the LSH key of band b whose values v packs (sigVal): below
// 31*1000003^2 + 2^32*1000003 + 2^32, less than 2^58.
func valKey(b int, v uint64) uint64 {
	return (uint64(b)*1000003+v>>32)*1000003 + v&0xffffffff
}

// key returns the band key of slot s (or of the tombstone ^s) in band b.
func (x *StoryIndex) key(b int, s int32) uint64 {
	if s < 0 {
		s = ^s
	}
	return valKey(b, x.sigs[b][s])
}

// lower returns the position of the first slot in band b's sorted list
// that is not before slot s of key k.
func (x *StoryIndex) lower(b int, k uint64, s int32) int {
	f := x.fence[b]
	j1, _ := slices.BinarySearch(f, k)
	j2 := j1 // the fence repeats the key of a crowded bucket
	if j2 < len(f) && f[j2] == k {
		j2, _ = slices.BinarySearch(f, k+1) // a key is below 2^58 (valKey)
	}
	lo, hi := x.fenced(b, j1, j2)
	return x.search(b, k, s, lo, hi)
}

// fenced returns the positions of band b's sorted list between which
// (k, s) goes, given j1 and j2, the first keys of the fence that are not
// below k and above k.
func (x *StoryIndex) fenced(b, j1, j2 int) (lo, hi int) {
	if hi = len(x.sorted[b]); j2 < len(x.fence[b]) {
		hi = j2 * fenceStep // the first key of block j2 is above k
	}
	if j1 > 0 {
		lo = (j1-1)*fenceStep + 1 // the first key of block j1-1 is below k
	}
	return lo, hi
}

// search returns the position of the first slot in band b's sorted list
// between lo and hi that is not before slot s of key k, else hi.
func (x *StoryIndex) search(b int, k uint64, s int32, lo, hi int) int {
	ss := x.sorted[b]
	for hi-lo > 2*fenceStep {
		m := int(uint(lo+hi) >> 1)
		t := ss[m]
		if t < 0 {
			t = ^t
		}
		if mk := valKey(b, x.sigs[b][t]); mk < k || mk == k && t < s {
			lo = m + 1
		} else {
			hi = m
		}
	}
	// A scan of a block: its signatures are read side by side, where
	// a binary search would wait for each in turn.
	for ; lo < hi; lo++ {
		t := ss[lo]
		if t < 0 {
			t = ^t
		}
		if mk := valKey(b, x.sigs[b][t]); mk > k || mk == k && t >= s {
			break
		}
	}
	return lo
}

// bucketOf appends to buf the slots of bucket k of band b, the sorted
// ones first, stopping at maxBucket+2 of them: more than that is all
// there is to know of a crowded bucket.
func (x *StoryIndex) bucketOf(b int, k uint64, buf []int32) []int32 {
	limit := int(x.maxBucket) + 2
	n := len(buf) + limit
	ss := x.sorted[b]
	for i := x.lower(b, k, 0); i < len(ss) && len(buf) < n && x.key(b, ss[i]) == k; i++ {
		if ss[i] >= 0 {
			buf = append(buf, ss[i])
		}
	}
	for _, s := range x.recent[b][k] {
		if len(buf) == n {
			break
		}
		buf = append(buf, s)
	}
	return buf
}

// size returns the number of articles in bucket k of band b, or
// maxBucket+2 when it holds more than maxBucket+1: whether it is crowded,
// and whether a change made it so or undid it, is all that is asked.
func (x *StoryIndex) size(b int, k uint64) int32 {
	x.scratch = x.bucketOf(b, k, x.scratch[:0])
	return int32(len(x.scratch))
}

// bucketMembers returns the entries of bucket k of band b, of at most
// maxBucket+1 articles, but skip.
func (x *StoryIndex) bucketMembers(b int, k uint64, skip *storyEntry) []*storyEntry {
	var out []*storyEntry
	for _, s := range x.bucketOf(b, k, nil) {
		if o := x.slots[s]; o != skip {
			out = append(out, o)
		}
	}
	return out
}

// keyed is a slot with its band key, the order of the sorted lists.
type keyed struct {
	k uint64
	s int32
}

func compareKeyed(p, q keyed) int {
	if c := cmp.Compare(p.k, q.k); c != 0 {
		return c
	}
	return cmp.Compare(p.s, q.s)
}

// fill puts the canonical articles es in the buckets of an empty index,
// sorting each band's list once.
func (x *StoryIndex) fill(es []*storyEntry) {
	buf := make([]keyed, 0, len(es))
	for b := range bands {
		buf = buf[:0]
		for _, e := range es {
			if e.size > 0 { // an empty body is a story of its own
				buf = append(buf, keyed{x.key(b, e.slot), e.slot})
			}
		}
		slices.SortFunc(buf, compareKeyed)
		ss := make([]int32, len(buf))
		for i, p := range buf {
			ss[i] = p.s
		}
		x.sorted[b] = ss
		x.setFence(b)
	}
	for _, e := range es {
		if e.size > 0 {
			e.where = inSorted
		}
	}
}

// bucketed reports whether e is in its LSH buckets.
func bucketed(e *storyEntry) bool { return e.where == inSorted || e.where == inRecent }

// bucket puts the canonical article e in its LSH buckets and links it
// with the other articles of those that are small, recording the edges
// in ch. A bucket that e makes crowded no longer links its pairs: it
// drops the edges that only that bucket gave, recording them in ch, and
// returns their articles.
func (x *StoryIndex) bucket(e *storyEntry, ch *StoryChange) (touched []string) {
	if e.size == 0 {
		return nil // an empty body is a story of its own
	}
	revive := e.where == tombstoned
	if revive {
		// Its tombstones are where it goes: make them live again.
		i := slices.Index(x.dead, e.slot)
		x.dead = slices.Delete(x.dead, i, i+1)
		e.where = inSorted
	} else {
		x.nrecent++
		e.where = inRecent
	}
	var seen map[int32]bool // most articles share no bucket
	var ms []int32
	for b := range bands {
		k := x.key(b, e.slot)
		if revive {
			x.sorted[b][x.lower(b, k, e.slot)] = e.slot
		} else {
			if x.recent[b] == nil {
				x.recent[b] = map[uint64][]int32{}
			}
			x.recent[b][k] = append(x.recent[b][k], e.slot)
		}
		ms = x.bucketOf(b, k, ms[:0])
		if n := int32(len(ms)); n > x.maxBucket {
			if n == x.maxBucket+1 {
				touched = append(touched, x.crowded(b, k, e, ch)...)
			}
			continue
		}
		// A small bucket: the edges of e with the others are those
		// linked gives. (Those crowded drops are not e's.)
		for _, s := range ms {
			if s == e.slot || seen[s] {
				continue
			}
			if seen == nil {
				seen = map[int32]bool{}
			}
			seen[s] = true
			if o := x.slots[s]; x.linked(e, o) {
				insertSorted(&e.edges, o.slot)
				insertSorted(&o.edges, e.slot)
				ch.Added = append(ch.Added, edge(e.id, o.id))
			}
		}
	}
	return touched
}

// crowded drops the edges between the articles of bucket k of band b,
// which e has just made crowded, that no other small bucket gives; it
// returns the articles whose edges it dropped.
func (x *StoryIndex) crowded(b int, k uint64, e *storyEntry, ch *StoryChange) (touched []string) {
	ms := x.bucketMembers(b, k, e)
	for i, a := range ms {
		for _, c := range ms[i+1:] {
			j, ok := slices.BinarySearch(a.edges, c.slot)
			if !ok || x.shareSmallBucket(a, c) {
				continue
			}
			a.edges = slices.Delete(a.edges, j, j+1)
			j, _ = slices.BinarySearch(c.edges, a.slot)
			c.edges = slices.Delete(c.edges, j, j+1)
			ch.Removed = append(ch.Removed, edge(a.id, c.id))
			touched = append(touched, a.id, c.id)
		}
	}
	return touched
}

// uncrowded links the pairs of bucket k of band b, which has just become
// small enough to be compared; it returns the articles it linked.
func (x *StoryIndex) uncrowded(b int, k uint64, ch *StoryChange) (touched []string) {
	ms := x.bucketMembers(b, k, nil)
	for i, a := range ms {
		for _, o := range ms[i+1:] {
			if _, ok := slices.BinarySearch(a.edges, o.slot); ok || !x.linked(a, o) {
				continue
			}
			insertSorted(&a.edges, o.slot)
			insertSorted(&o.edges, a.slot)
			ch.Added = append(ch.Added, edge(a.id, o.id))
			touched = append(touched, a.id, o.id)
		}
	}
	return touched
}

// shareSmallBucket reports whether a and b share a bucket of at most
// maxBucket articles, which makes them a pair to compare.
func (x *StoryIndex) shareSmallBucket(a, b *storyEntry) bool {
	for band := range bands {
		if k := x.key(band, a.slot); k == x.key(band, b.slot) && x.size(band, k) <= x.maxBucket {
			return true
		}
	}
	return false
}

// unlink takes the canonical article e out of its buckets and drops its
// edges, returning the articles it had edges to and those a bucket it
// left small enough to compare gave new edges.
func (x *StoryIndex) unlink(e *storyEntry, ch *StoryChange) []string {
	if !bucketed(e) {
		return nil
	}
	var touched []string
	for b := range bands {
		k := x.key(b, e.slot)
		if e.where == inSorted {
			x.sorted[b][x.lower(b, k, e.slot)] = ^e.slot
		} else {
			ss := x.recent[b][k]
			i := slices.Index(ss, e.slot)
			if ss = slices.Delete(ss, i, i+1); len(ss) == 0 {
				delete(x.recent[b], k)
			} else {
				x.recent[b][k] = ss
			}
		}
		if x.size(b, k) == x.maxBucket { // small again: its pairs are compared
			touched = append(touched, x.uncrowded(b, k, ch)...)
		}
	}
	if e.where == inSorted {
		e.where = tombstoned
		x.dead = append(x.dead, e.slot)
	} else {
		e.where = unbucketed
		x.nrecent--
	}
	var was []string
	for _, n := range e.edges {
		o := x.slots[n]
		i, _ := slices.BinarySearch(o.edges, e.slot)
		o.edges = slices.Delete(o.edges, i, i+1)
		ch.Removed = append(ch.Removed, edge(e.id, o.id))
		was = append(was, o.id)
	}
	e.edges = nil
	return append(was, touched...)
}

// compact merges the recent buckets into the sorted lists and drops the
// tombstones, once there are x.mergeAt of them.
func (x *StoryIndex) compact() {
	if x.nrecent+len(x.dead) < x.mergeAt {
		return
	}
	var add []keyed
	var pos []int
	for b := range bands {
		add = add[:0]
		for k, ss := range x.recent[b] {
			for _, s := range ss {
				add = append(add, keyed{k, s})
			}
		}
		slices.SortFunc(add, compareKeyed)
		// add is sorted: the fence is walked once, not searched, for the
		// place of each in the list; then the list is merged in place,
		// from its end, and its tombstones dropped, allocating nothing
		// while it has room.
		ss := x.sorted[b]
		at, f, j1, j2 := 0, x.fence[b], 0, 0
		pos = pos[:0]
		for _, a := range add {
			for j1 < len(f) && f[j1] < a.k {
				j1++
			}
			for j2 < len(f) && f[j2] <= a.k {
				j2++
			}
			lo, hi := x.fenced(b, j1, j2)
			at = x.search(b, a.k, a.s, max(lo, at), hi)
			pos = append(pos, at)
		}
		n := len(ss)
		if need := n + len(add); need > cap(ss) {
			// Little room: the lists are most of the index.
			grown := make([]int32, n, need+need/32)
			copy(grown, ss)
			ss = grown
		}
		ss = ss[:n+len(add)]
		end, w := n, n+len(add)
		for i := len(add) - 1; i >= 0; i-- {
			w -= end - pos[i]
			copy(ss[w:], ss[pos[i]:end])
			w--
			ss[w] = add[i].s
			end = pos[i]
		}
		if len(x.dead) > 0 {
			ss = slices.DeleteFunc(ss, func(s int32) bool { return s < 0 })
			if cap(ss) > 2*len(ss)+mergeAt { // the corpus shrank
				ss = slices.Clone(ss)
			}
		}
		x.sorted[b] = ss
		x.setFence(b)
		clear(x.recent[b])
	}
	for _, a := range add { // band 31's: every recent slot
		x.slots[a.s].where = inSorted
	}
	for _, s := range x.dead {
		if e := x.slots[s]; e != nil {
			e.where = unbucketed
		} else {
			x.free = append(x.free, s) // removed: its tombstones are gone
		}
	}
	x.nrecent, x.dead = 0, nil
}

// join adds e to the members of its story; leave takes it out. See
// StoryIndex.members: the lists name every article whose story is the
// list's, and a story of one article is listed only when that article
// is not its founder.
func (x *StoryIndex) join(e *storyEntry) {
	s := e.story
	if ms, ok := x.members[s]; ok {
		insertSorted(&ms, e.id)
		x.members[s] = ms
		return
	}
	other, ok := x.strays[s]
	if f := x.docs[s]; !ok && f != nil && f != e && f.story == s {
		other, ok = s, true
	}
	if !ok {
		if e.id != s {
			x.strays[s] = e.id
		}
		return
	}
	delete(x.strays, s)
	ms := []string{other, e.id}
	slices.Sort(ms)
	x.members[s] = ms
}

func (x *StoryIndex) leave(e *storyEntry) {
	s := e.story
	ms, ok := x.members[s]
	if !ok {
		if x.strays[s] == e.id {
			delete(x.strays, s)
		}
		return
	}
	i, _ := slices.BinarySearch(ms, e.id)
	if ms = slices.Delete(ms, i, i+1); len(ms) > 1 {
		x.members[s] = ms
		return
	}
	delete(x.members, s)
	if ms[0] != s {
		x.strays[s] = ms[0]
	}
}

// regroup recomputes the stories of the components of the seeds (and of
// the copies of their articles), recording the ids whose story changed.
func (x *StoryIndex) regroup(seeds []string, ch *StoryChange) {
	done := map[int32]bool{}
	for _, s := range seeds {
		e := x.docs[s]
		if e == nil {
			continue
		}
		root := x.canonical(e)
		if done[root.slot] {
			continue
		}
		comp := x.component(root, done)
		pos := make(map[int32]int, len(comp))
		for i, c := range comp {
			pos[c.slot] = i
		}
		stories := groupComponent(len(comp), func(i int) time.Time { return comp[i].date() }, func(i int, visit func(int)) {
			for _, n := range comp[i].edges {
				visit(pos[n])
			}
		})
		for i, c := range comp {
			story := comp[stories[i]].id
			x.assign(c, story, ch)
			if ids := x.copies[c.hash]; c.hash != "" && len(ids) > 1 {
				for _, id := range ids[1:] {
					x.assign(x.docs[id], story, ch)
				}
			}
		}
	}
}

// assign sets the story of e, recording a change.
func (x *StoryIndex) assign(e *storyEntry, story string, ch *StoryChange) {
	if e.story == story {
		return
	}
	x.leave(e)
	e.story = story
	x.join(e)
	ch.Stories = append(ch.Stories, e.id)
}

// component returns the component of root sorted by id, marking its
// slots done.
func (x *StoryIndex) component(root *storyEntry, done map[int32]bool) []*storyEntry {
	done[root.slot] = true
	comp := []*storyEntry{root}
	for i := 0; i < len(comp); i++ {
		for _, n := range comp[i].edges {
			if !done[n] {
				done[n] = true
				comp = append(comp, x.slots[n])
			}
		}
	}
	slices.SortFunc(comp, byID)
	return comp
}

// groupComponent splits a component into stories by the rule at the top
// of this file: its n articles are taken in id order, date(i) is the date
// of the i-th, and adj(i, visit) visits the positions of the articles the
// i-th has an edge to. It returns the position of each article's story,
// that of its first article.
func groupComponent(n int, date func(i int) time.Time, adj func(i int, visit func(j int))) []int {
	type story struct {
		first    int
		min, max time.Time
	}
	var stories []story
	of := make([]int, n) // position -> index in stories, for those before i
	out := make([]int, n)
	var joinable []int
	for i := range n {
		d := date(i)
		joinable = joinable[:0]
		adj(i, func(j int) {
			if j < i {
				joinable = append(joinable, of[j])
			}
		})
		slices.Sort(joinable)
		pick := -1
		for _, s := range joinable {
			if d.Sub(stories[s].min) <= storyWindow && stories[s].max.Sub(d) <= storyWindow {
				pick = s
				break
			}
		}
		if pick < 0 {
			pick = len(stories)
			stories = append(stories, story{first: i, min: d, max: d})
		}
		st := &stories[pick]
		if d.Before(st.min) {
			st.min = d
		}
		if d.After(st.max) {
			st.max = d
		}
		of[i] = pick
		out[i] = st.first
	}
	return out
}

// inWindow reports whether two dates may be of one story.
func inWindow(a, b time.Time) bool {
	d := a.Sub(b)
	return d >= -storyWindow && d <= storyWindow
}

// linked reports whether two canonical articles, with their whole
// fingerprints, that met in an LSH bucket are linked by an edge.
func linked(a, b *StoryDoc) bool {
	return inWindow(a.Date, b.Date) && similar(a.Print, b.Print)
}

// indexed reports whether a print takes part in grouping: an empty body
// is a story of its own.
func indexed(p *Print) bool { return p != nil && len(p.Shingles) > 0 }

// linked reports whether two canonical articles that met in an LSH
// bucket are linked by an edge (see linked). When the index keeps prints without
// their shingles, a pair that similar would reject on its signatures and
// sizes alone is rejected without loading them.
func (x *StoryIndex) linked(a, b *storyEntry) bool {
	if !inWindow(a.date(), b.date()) || a.size == 0 || b.size == 0 {
		return false
	}
	_, fa := x.shingles[a.slot]
	_, fb := x.shingles[b.slot]
	if !fa || !fb {
		same := 0
		for band := range bands {
			va, vb := x.sigs[band][a.slot], x.sigs[band][b.slot]
			if va>>32 == vb>>32 {
				same++
			}
			if uint32(va) == uint32(vb) {
				same++
			}
		}
		small, big := min(a.size, b.size), max(a.size, b.size)
		mayContain := small*3 < big && small >= 20 // maybeContained's size test
		if same*100 < numHashes*12 && !mayContain {
			return false
		}
	}
	pa, pb := x.full(a), x.full(b)
	return similar(&pa, &pb)
}

func edge(a, b string) StoryEdge {
	if a > b {
		a, b = b, a
	}
	return StoryEdge{a, b}
}

func compareEdges(a, b StoryEdge) int {
	if a.A != b.A {
		if a.A < b.A {
			return -1
		}
		return 1
	}
	if a.B < b.B {
		return -1
	}
	if a.B > b.B {
		return 1
	}
	return 0
}

func insertSorted[T cmp.Ordered](s *[]T, v T) {
	if i, ok := slices.BinarySearch(*s, v); !ok {
		*s = slices.Insert(*s, i, v)
	}
}
