package theme

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The story index keeps the corpus grouped into stories while articles
// come and go. Its one rule, shared by every path that groups:
//
//   - An exact copy of a file (the same content hash) is folded into the
//     copy with the smallest id, its canonical: it takes that article's
//     story and takes no other part in grouping.
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
type StoryIndex struct {
	docs map[string]*storyEntry
	// buckets maps a band key to its bucket: the last canonical article
	// put in it, storyEntry.next chaining the rest, so a bucket costs one
	// map entry whatever its size.
	buckets map[uint64]bucket
	// maxBucket is the most articles of a bucket whose pairs are
	// compared (the constant maxBucket; tests make it small).
	maxBucket int32
	slots     []*storyEntry // by slot; nil when free
	free      []int32
	// copies lists, per content hash, the ids of its articles, sorted:
	// the first is the canonical one.
	copies  map[string][]string
	members map[string][]string // story id -> sorted ids, copies included
	// load, when set (Unload), gives the shingles of an article whose
	// print the index keeps without them; err is its first failure.
	load func(id string) ([]uint32, error)
	err  error
}

// bucket is one LSH bucket: the slot of the last article put in it (the
// others are chained by storyEntry.next) and how many articles it holds.
type bucket struct{ head, size int32 }

// storyEntry is one article in the index.
type storyEntry struct {
	doc   StoryDoc
	size  int  // the number of shingles of its print
	light bool // doc.Print has its signature only; load gives the shingles
	story string
	slot  int32 // -1 unless canonical and in the LSH buckets
	next  [bands]int32
	edges []string // sorted ids of the canonical articles it has an edge to
}

func newStoryEntry(d StoryDoc) *storyEntry {
	e := &storyEntry{doc: d, story: d.ID, slot: -1}
	if d.Print != nil {
		e.size = len(d.Print.Shingles)
		if e.size == 0 && d.Size > 0 {
			e.size, e.light = d.Size, true
		}
	}
	return e
}

// Unload makes the index keep each article's signature but not its
// shingles, most of a fingerprint's memory: it asks load for them when a
// pair of articles that met in a bucket must be compared exactly, which a
// Put of one article does for a few candidates. Articles put later are
// kept so too. A failed load makes the pair unlinked and is reported by
// Err, after which the index must be rebuilt.
func (x *StoryIndex) Unload(load func(id string) ([]uint32, error)) {
	x.load = load
	for _, e := range x.docs {
		x.lighten(e)
	}
}

// lighten drops e's shingles when the index loads them on demand.
func (x *StoryIndex) lighten(e *storyEntry) {
	if x.load == nil || e.light || e.doc.Print == nil {
		return
	}
	e.doc.Print = &Print{Sig: e.doc.Print.Sig} // a copy: the caller's print is left as it is
	e.light = true
}

// Err reports the first failure to load shingles (see Unload), or nil.
func (x *StoryIndex) Err() error { return x.err }

// full returns e's print with its shingles.
func (x *StoryIndex) full(e *storyEntry) *Print {
	if !e.light {
		return e.doc.Print
	}
	sh, err := x.load(e.doc.ID)
	if err != nil && x.err == nil {
		x.err = fmt.Errorf("story fingerprint of %s: %w", e.doc.ID, err)
	}
	return &Print{Sig: e.doc.Print.Sig, Shingles: sh}
}

// newStoryIndex returns an empty index that compares the pairs of buckets
// of at most crowd articles.
func newStoryIndex(crowd int32) *StoryIndex {
	return &StoryIndex{
		maxBucket: crowd,
		docs:      map[string]*storyEntry{},
		buckets:   map[uint64]bucket{},
		copies:    map[string][]string{},
		members:   map[string][]string{},
	}
}

// BuildStoryIndex groups docs from scratch. Each candidate pair is
// compared once, and each component grouped once.
func BuildStoryIndex(docs []StoryDoc) *StoryIndex { return buildStoryIndex(docs, maxBucket) }

func buildStoryIndex(docs []StoryDoc, crowd int32) *StoryIndex {
	x := newStoryIndex(crowd)
	x.add(docs)
	var unused StoryChange
	ids := x.canonicalIDs()
	x.buckets = make(map[uint64]bucket, len(ids)*bands) // no rehash while filling
	for _, id := range ids {
		x.bucket(x.docs[id], nil)
	}
	for _, id := range ids {
		x.link(x.docs[id], true, &unused) // with the articles before it: each pair once
	}
	x.regroupAll(ids)
	return x
}

// LoadStoryIndex rebuilds an index from its docs and the edges it had
// accepted (Edges), comparing no pair. An edge naming an article that is
// not a canonical one of docs is an error: the caller builds the index
// again with BuildStoryIndex.
func LoadStoryIndex(docs []StoryDoc, edges []StoryEdge) (*StoryIndex, error) {
	return loadStoryIndex(docs, edges, maxBucket)
}

func loadStoryIndex(docs []StoryDoc, edges []StoryEdge, crowd int32) (*StoryIndex, error) {
	x := newStoryIndex(crowd)
	x.add(docs)
	ids := x.canonicalIDs()
	x.buckets = make(map[uint64]bucket, len(ids)*bands) // no rehash while filling
	for _, id := range ids {
		x.bucket(x.docs[id], nil)
	}
	for _, e := range edges {
		a, b := x.docs[e.A], x.docs[e.B]
		if a == nil || b == nil || a.slot < 0 || b.slot < 0 || e.A >= e.B {
			return nil, fmt.Errorf("story edge %s-%s: not a pair of canonical articles", e.A, e.B)
		}
		a.edges = append(a.edges, e.B)
		b.edges = append(b.edges, e.A)
	}
	for _, e := range x.docs {
		slices.Sort(e.edges)
		if len(slices.Compact(e.edges)) != len(e.edges) {
			return nil, fmt.Errorf("story edges of %s: duplicate edge", e.doc.ID)
		}
	}
	x.regroupAll(ids)
	return x, nil
}

// add puts docs in the index, without buckets, edges or stories.
// A later doc with the id of an earlier one replaces it.
func (x *StoryIndex) add(docs []StoryDoc) {
	for _, d := range docs {
		x.docs[d.ID] = newStoryEntry(d)
	}
	for _, e := range x.docs {
		if e.doc.Hash != "" {
			x.copies[e.doc.Hash] = append(x.copies[e.doc.Hash], e.doc.ID)
		}
	}
	for _, ids := range x.copies {
		slices.SortFunc(ids, x.copyOrder)
	}
}

// copyOrder orders the exact copies of one content: the first seen first,
// then by id. The first is the canonical one.
func (x *StoryIndex) copyOrder(a, b string) int {
	if c := x.docs[a].doc.FirstSeen.Compare(x.docs[b].doc.FirstSeen); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// canonicalIDs returns the sorted ids of the articles that are no copy.
func (x *StoryIndex) canonicalIDs() []string {
	var ids []string
	for id, e := range x.docs {
		if x.canonical(e) == id {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// regroupAll groups every component: ids are the canonical ones
// (canonicalIDs).
func (x *StoryIndex) regroupAll(ids []string) {
	var unused StoryChange
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
// copy with the smallest id), or "" when id is no copy or not in the
// index. Feeds and digests show only articles with no CopyOf.
func (x *StoryIndex) CopyOf(id string) string {
	e := x.docs[id]
	if e == nil {
		return ""
	}
	if c := x.canonical(e); c != id {
		return c
	}
	return ""
}

// Members returns the sorted ids of the articles of a story, copies
// included, or nil when there is no such story.
func (x *StoryIndex) Members(story string) []string {
	return slices.Clone(x.members[story])
}

// Edges returns every accepted edge, sorted: what LoadStoryIndex needs.
func (x *StoryIndex) Edges() []StoryEdge {
	var out []StoryEdge
	for id, e := range x.docs {
		for _, n := range e.edges {
			if id < n {
				out = append(out, StoryEdge{id, n})
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
	e := newStoryEntry(d)
	x.docs[d.ID] = e
	seeds = append(seeds, d.ID)
	if d.Hash != "" {
		ids := x.copies[d.Hash]
		was := ""
		if len(ids) > 0 {
			was = ids[0]
		}
		i, _ := slices.BinarySearchFunc(ids, d.ID, x.copyOrder)
		x.copies[d.Hash] = slices.Insert(ids, i, d.ID)
		if was != "" && i == 0 {
			// d displaces the canonical copy, which becomes a copy of d.
			seeds = append(seeds, x.unlink(x.docs[was], &ch)...)
			seeds = append(seeds, was)
			ch.Stories = append(ch.Stories, x.copies[d.Hash]...) // a new CopyOf
		}
	}
	if x.canonical(e) == d.ID {
		seeds = append(seeds, x.bucket(e, &ch)...)
		x.link(e, false, &ch)
	}
	x.lighten(e)
	x.regroup(seeds, &ch)
	x.finish(&ch, d.ID)
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
	return ch
}

// finish sorts the change and records that id itself changed.
func (x *StoryIndex) finish(ch *StoryChange, id string) {
	ch.Stories = append(ch.Stories, id)
	slices.Sort(ch.Stories)
	ch.Stories = slices.Compact(ch.Stories)
	// An edge in both lists was dropped and made again (or made and
	// dropped) within the call: no net change.
	both := map[StoryEdge]bool{}
	for _, e := range ch.Removed {
		both[e] = true
	}
	net := func(es []StoryEdge) []StoryEdge {
		return slices.DeleteFunc(es, func(e StoryEdge) bool { return both[e] })
	}
	in := map[StoryEdge]bool{}
	for _, e := range ch.Added {
		if both[e] {
			in[e] = true
		}
	}
	both = in
	ch.Added, ch.Removed = net(ch.Added), net(ch.Removed)
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
	if x.canonical(e) == id {
		seeds = x.unlink(e, ch)
	}
	x.leave(e)
	if h := e.doc.Hash; h != "" {
		ids := x.copies[h]
		i, _ := slices.BinarySearchFunc(ids, id, x.copyOrder) // e is still in x.docs
		ids = slices.Delete(ids, i, i+1)
		if len(ids) == 0 {
			delete(x.copies, h)
		} else {
			x.copies[h] = ids
			if i == 0 {
				// The next copy becomes the canonical one.
				c := x.docs[ids[0]]
				seeds = append(seeds, x.bucket(c, ch)...)
				x.link(c, false, ch)
				ch.Stories = append(ch.Stories, ids...) // a new CopyOf
			}
			seeds = append(seeds, ids[0])
		}
	}
	delete(x.docs, id)
	return seeds
}

// canonical returns the id of the article e stands for: its own, or that
// of the copy seen first (see copyOrder).
func (x *StoryIndex) canonical(e *storyEntry) string {
	if e.doc.Hash == "" {
		return e.doc.ID
	}
	return x.copies[e.doc.Hash][0]
}

// bandKey is the LSH key of one band of a signature.
func bandKey(sig *[numHashes]uint32, band int) uint64 {
	const rows = numHashes / bands
	key := uint64(band)
	for r := 0; r < rows; r++ {
		key = key*1000003 + uint64(sig[band*rows+r])
	}
	return key
}

// bucket puts the canonical article e in its LSH buckets. A bucket that
// e makes crowded no longer links its pairs: it drops the edges that only
// that bucket gave, recording them in ch, and returns their articles. A
// bulk fill, before any edge exists, passes a nil ch.
func (x *StoryIndex) bucket(e *storyEntry, ch *StoryChange) (touched []string) {
	if e.size == 0 {
		return nil // an empty body is a story of its own
	}
	if n := len(x.free); n > 0 {
		e.slot = x.free[n-1]
		x.free = x.free[:n-1]
		x.slots[e.slot] = e
	} else {
		e.slot = int32(len(x.slots))
		x.slots = append(x.slots, e)
	}
	for b := range bands {
		k := bandKey(&e.doc.Print.Sig, b)
		bk, ok := x.buckets[k]
		if ok {
			e.next[b] = bk.head
		} else {
			e.next[b] = -1
		}
		bk.head = e.slot
		bk.size++
		x.buckets[k] = bk
		if bk.size == x.maxBucket+1 && ch != nil { // a bulk fill has no edges to drop
			touched = append(touched, x.crowded(k, b, e, ch)...)
		}
	}
	return touched
}

// bucketMembers returns the entries of bucket k of band b, but skip.
func (x *StoryIndex) bucketMembers(k uint64, b int, skip *storyEntry) []*storyEntry {
	var out []*storyEntry
	bk, ok := x.buckets[k]
	for s := bk.head; ok && s >= 0; {
		if o := x.slots[s]; o != skip {
			out = append(out, o)
		}
		s = x.slots[s].next[b]
	}
	return out
}

// crowded drops the edges between the articles of bucket k of band b,
// which e has just made crowded, that no other small bucket gives; it
// returns the articles whose edges it dropped.
func (x *StoryIndex) crowded(k uint64, b int, e *storyEntry, ch *StoryChange) (touched []string) {
	ms := x.bucketMembers(k, b, e)
	for i, a := range ms {
		for _, b := range ms[i+1:] {
			j, ok := slices.BinarySearch(a.edges, b.doc.ID)
			if !ok || x.shareSmallBucket(a, b) {
				continue
			}
			a.edges = slices.Delete(a.edges, j, j+1)
			j, _ = slices.BinarySearch(b.edges, a.doc.ID)
			b.edges = slices.Delete(b.edges, j, j+1)
			ch.Removed = append(ch.Removed, edge(a.doc.ID, b.doc.ID))
			touched = append(touched, a.doc.ID, b.doc.ID)
		}
	}
	return touched
}

// uncrowded links the pairs of bucket k of band b, which has just become
// small enough to be compared; it returns the articles it linked.
func (x *StoryIndex) uncrowded(k uint64, b int, ch *StoryChange) (touched []string) {
	ms := x.bucketMembers(k, b, nil)
	for i, a := range ms {
		for _, o := range ms[i+1:] {
			if _, ok := slices.BinarySearch(a.edges, o.doc.ID); ok || !x.linked(a, o) {
				continue
			}
			insertSorted(&a.edges, o.doc.ID)
			insertSorted(&o.edges, a.doc.ID)
			ch.Added = append(ch.Added, edge(a.doc.ID, o.doc.ID))
			touched = append(touched, a.doc.ID, o.doc.ID)
		}
	}
	return touched
}

// shareSmallBucket reports whether a and b share a bucket of at most
// maxBucket articles, which makes them a pair to compare.
func (x *StoryIndex) shareSmallBucket(a, b *storyEntry) bool {
	for band := range bands {
		k := bandKey(&a.doc.Print.Sig, band)
		if k == bandKey(&b.doc.Print.Sig, band) && x.buckets[k].size <= x.maxBucket {
			return true
		}
	}
	return false
}

// link computes the edges of the bucketed article e with the others of
// its small buckets (only those with a smaller id when before is set),
// recording them in ch.
func (x *StoryIndex) link(e *storyEntry, before bool, ch *StoryChange) {
	if e.slot < 0 {
		return
	}
	seen := map[int32]bool{e.slot: true}
	for b := range bands {
		k := bandKey(&e.doc.Print.Sig, b)
		bk := x.buckets[k] // e is in it
		if bk.size > x.maxBucket {
			continue
		}
		for s := bk.head; s >= 0; s = x.slots[s].next[b] {
			if seen[s] {
				continue
			}
			seen[s] = true
			o := x.slots[s]
			if before && o.doc.ID > e.doc.ID {
				continue
			}
			if x.linked(e, o) {
				insertSorted(&e.edges, o.doc.ID)
				insertSorted(&o.edges, e.doc.ID)
				ch.Added = append(ch.Added, edge(e.doc.ID, o.doc.ID))
			}
		}
	}
}

// unlink takes the canonical article e out of its buckets and drops its
// edges, returning the articles it had edges to and those a bucket it
// left small enough to compare gave new edges.
func (x *StoryIndex) unlink(e *storyEntry, ch *StoryChange) []string {
	if e.slot < 0 {
		return nil
	}
	var touched []string
	for b := range bands {
		k := bandKey(&e.doc.Print.Sig, b)
		bk := x.buckets[k]
		if bk.head == e.slot {
			bk.head = e.next[b]
		} else {
			for s := bk.head; ; s = x.slots[s].next[b] {
				if x.slots[s].next[b] == e.slot {
					x.slots[s].next[b] = e.next[b]
					break
				}
			}
		}
		bk.size--
		if bk.size == 0 {
			delete(x.buckets, k)
			continue
		}
		x.buckets[k] = bk
		if bk.size == x.maxBucket { // small again: its pairs are compared
			touched = append(touched, x.uncrowded(k, b, ch)...)
		}
	}
	x.slots[e.slot] = nil
	x.free = append(x.free, e.slot)
	e.slot = -1
	was := e.edges
	for _, n := range was {
		o := x.docs[n]
		i, _ := slices.BinarySearch(o.edges, e.doc.ID)
		o.edges = slices.Delete(o.edges, i, i+1)
		ch.Removed = append(ch.Removed, edge(e.doc.ID, n))
	}
	e.edges = nil
	return append(was, touched...)
}

// leave takes e out of its story's member list.
func (x *StoryIndex) leave(e *storyEntry) {
	ms := x.members[e.story]
	if i, ok := slices.BinarySearch(ms, e.doc.ID); ok {
		ms = slices.Delete(ms, i, i+1)
	}
	if len(ms) == 0 {
		delete(x.members, e.story)
	} else {
		x.members[e.story] = ms
	}
}

// regroup recomputes the stories of the components of the seeds (and of
// the copies of their articles), recording the ids whose story changed.
func (x *StoryIndex) regroup(seeds []string, ch *StoryChange) {
	done := map[string]bool{}
	for _, s := range seeds {
		e := x.docs[s]
		if e == nil {
			continue
		}
		root := x.canonical(e)
		if done[root] {
			continue
		}
		comp := x.component(root, done)
		stories := groupComponent(comp, func(id string) *storyEntry { return x.docs[id] })
		for i, id := range comp {
			x.assign(id, stories[i], ch)
			if h := x.docs[id].doc.Hash; h != "" {
				for _, c := range x.copies[h][1:] {
					x.assign(c, stories[i], ch)
				}
			}
		}
	}
}

// assign sets the story of id, recording a change.
func (x *StoryIndex) assign(id, story string, ch *StoryChange) {
	e := x.docs[id]
	_, listed := slices.BinarySearch(x.members[e.story], id)
	if e.story == story && listed {
		return
	}
	if listed {
		x.leave(e)
	}
	e.story = story
	ms := x.members[story]
	insertSorted(&ms, id)
	x.members[story] = ms
	ch.Stories = append(ch.Stories, id)
}

// component returns the sorted ids of the component of root, marking
// them done.
func (x *StoryIndex) component(root string, done map[string]bool) []string {
	done[root] = true
	comp := []string{root}
	for i := 0; i < len(comp); i++ {
		for _, n := range x.docs[comp[i]].edges {
			if !done[n] {
				done[n] = true
				comp = append(comp, n)
			}
		}
	}
	slices.Sort(comp)
	return comp
}

// groupComponent splits a component (sorted ids, with their entries) into
// stories by the rule at the top of this file, returning each id's story.
func groupComponent(comp []string, entry func(string) *storyEntry) []string {
	type story struct {
		id       string
		min, max time.Time
	}
	var stories []story
	of := make(map[string]int, len(comp)) // id -> index in stories
	out := make([]string, len(comp))
	var joinable []int
	for i, id := range comp {
		e := entry(id)
		d := e.doc.Date
		joinable = joinable[:0]
		for _, n := range e.edges {
			if s, ok := of[n]; ok {
				joinable = append(joinable, s)
			}
		}
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
			stories = append(stories, story{id: id, min: d, max: d})
		}
		st := &stories[pick]
		if d.Before(st.min) {
			st.min = d
		}
		if d.After(st.max) {
			st.max = d
		}
		of[id] = pick
		out[i] = st.id
	}
	return out
}

// linked reports whether two canonical articles, with their whole
// fingerprints, that met in an LSH bucket are linked by an edge.
func linked(a, b *StoryDoc) bool {
	d := a.Date.Sub(b.Date)
	if d < -storyWindow || d > storyWindow {
		return false
	}
	return similar(a.Print, b.Print)
}

// indexed reports whether a print takes part in grouping: an empty body
// is a story of its own.
func indexed(p *Print) bool { return p != nil && len(p.Shingles) > 0 }

// linked reports whether two canonical articles that met in an LSH
// bucket are linked by an edge (see linked). When the index keeps prints without
// their shingles, a pair that similar would reject on its signatures and
// sizes alone is rejected without loading them.
func (x *StoryIndex) linked(a, b *storyEntry) bool {
	d := a.doc.Date.Sub(b.doc.Date)
	if d < -storyWindow || d > storyWindow {
		return false
	}
	if !a.light && !b.light {
		return linked(&a.doc, &b.doc)
	}
	if a.size == 0 || b.size == 0 {
		return false
	}
	same := 0
	for i := range a.doc.Print.Sig {
		if a.doc.Print.Sig[i] == b.doc.Print.Sig[i] {
			same++
		}
	}
	small, big := min(a.size, b.size), max(a.size, b.size)
	mayContain := small*3 < big && small >= 20 // maybeContained's size test
	if same*100 < numHashes*12 && !mayContain {
		return false
	}
	return similar(x.full(a), x.full(b))
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

func insertSorted(s *[]string, v string) {
	if i, ok := slices.BinarySearch(*s, v); !ok {
		*s = slices.Insert(*s, i, v)
	}
}
