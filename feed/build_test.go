package feed

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/feed/article"
)

// TestIncrementalSnapshot applies 60 random changes (new articles, exact
// copies, excerpts that join a story, edits, new dates, removals) one at
// a time, and checks after each that the snapshot, made from the last one
// and the articles the change touched, is the snapshot a build from every
// record makes: the same entries in the same order with the same stories
// and copies, the same bodies in memory, visible entries, stories and
// themes.
func TestIncrementalSnapshot(t *testing.T) {
	seeds := seedFiles(t)
	var texts []string
	for _, s := range seeds {
		raw, err := os.ReadFile(filepath.Join("..", "seeds", s))
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(raw))
	}
	f := newFixture(t, seeds...)
	c := f.open(t, func(o *Options) { o.Size = 3 })
	r := rand.New(rand.NewPCG(7, 8))
	var names []string // files added by the test
	for step := range 60 {
		f.clock.Advance(time.Duration(r.IntN(48)) * time.Hour)
		var name string
		switch op := r.IntN(6); {
		case op == 0 && len(names) > 0: // removal
			i := r.IntN(len(names))
			name = names[i]
			names = slices.Delete(names, i, i+1)
			f.remove(t, name)
		case op == 1 && len(names) > 0: // an edit of an added file
			name = names[r.IntN(len(names))]
			raw, _ := os.ReadFile(filepath.Join(f.dir, name))
			f.write(t, name, string(raw)+"\nOfficials added that talks would resume next month.\n")
		default:
			name = fmt.Sprintf("step_%02d.txt", step)
			text := texts[r.IntN(len(texts))]
			switch r.IntN(4) {
			case 0: // an exact copy
			case 1: // an excerpt: the first half of the paragraphs
				paras := strings.Split(text, "\n\n")
				text = strings.Join(paras[:min(len(paras), max(2, len(paras)/2))], "\n\n")
			case 2: // the same report, dated
				text = fmt.Sprintf("Published: %s\n\n%s", f.clock.Now().Format("2006-01-02"), text)
			default: // a report of its own
				text = sitePage(step)
			}
			f.write(t, name, text)
			names = append(names, name)
		}
		mustApply(t, c, name)
		got := c.Snapshot()
		// The snapshot of every record, with every document rendered.
		cur := c.snap.Swap(nil)
		want, err := c.build(context.Background(), nil, nil)
		c.snap.Store(cur)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range want.Documents() {
			if g, w := doc(t, got, p).Body, doc(t, want, p).Body; !bytes.Equal(g, w) {
				t.Fatalf("step %d (%s): %s kept or rendered from the last snapshot differs from one rendered anew:\n%s\nwant\n%s", step, name, p, g, w)
			}
		}
		if g, w := describe(got.Entries), describe(want.Entries); !slices.Equal(g, w) {
			t.Fatalf("step %d (%s): entries\n got %v\nwant %v", step, name, g, w)
		}
		if g, w := describe(got.Visible()), describe(want.Visible()); !slices.Equal(g, w) {
			t.Fatalf("step %d (%s): visible\n got %v\nwant %v", step, name, g, w)
		}
		if g, w := snapshotStories(got), snapshotStories(want); !storiesEqual(g, w) {
			t.Fatalf("step %d (%s): stories\n got %v\nwant %v", step, name, g, w)
		}
		for _, th := range got.Taxonomy.Themes {
			if g, w := describe(got.ThemeEntries(th.ID)), describe(want.ThemeEntries(th.ID)); !slices.Equal(g, w) {
				t.Fatalf("step %d (%s): theme %s\n got %v\nwant %v", step, name, th.ID, g, w)
			}
		}
		if g, w := slices.Sorted(maps.Keys(got.bodies)), slices.Sorted(maps.Keys(want.bodies)); !slices.Equal(g, w) {
			t.Fatalf("step %d (%s): bodies in memory of %v, want %v", step, name, g, w)
		}
		for _, e := range got.Visible() {
			if g, w := len(got.Related(e)), len(want.Related(mustArticle(t, want, e.ID))); g != w {
				t.Fatalf("step %d (%s): %s related %d, want %d", step, name, e.ID, g, w)
			}
		}
	}
}

// describe lists what a snapshot's entries show, in order.
func describe(es []*Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = fmt.Sprintf("%s story=%s copy=%s date=%s", e.ID, e.Story, e.CopyOf, e.Date.Format(time.RFC3339))
	}
	return out
}

func mustArticle(t *testing.T, s *Snapshot, id string) *Entry {
	t.Helper()
	e, ok := s.Article(id)
	if !ok {
		t.Fatalf("no article %s", id)
	}
	return e
}

// storyReport is a report of one event by outlet, dated day (of November
// 2026): reports by two outlets share their text and are one story.
func storyReport(outlet string, day int) string {
	return fmt.Sprintf("Armenia and Azerbaijan agree to resume border talks – %s\n\nPublished: 2026-11-%02d\n\n"+
		"YEREVAN -- Negotiators from Armenia and Azerbaijan agreed on Monday to resume talks on the delimitation of their border next month, the two foreign ministries said in a joint statement.\n\n"+
		"The commissions on delimitation last met in the spring, when they agreed on the first section of the border near the village of Voskepar in the Tavush region.\n\n"+
		"Officials from both sides said the peace treaty could be signed once the remaining questions of the border and the transport links were settled.\n", outlet, day)
}

// TestAlsoReportedByRerendersFeed adds an older report of the story a feed
// carries, by another outlet: the report does not enter the feed, but the
// feed's entry now names its outlet, so the feed is rendered again.
func TestAlsoReportedByRerendersFeed(t *testing.T) {
	f := newFixture(t)
	f.write(t, "a.txt", storyReport("Reuters", 20))
	c := f.open(t, func(o *Options) { o.Size = 1 })
	before := doc(t, c.Snapshot(), PathAtom)
	f.write(t, "b.txt", storyReport("Azatutyun", 19))
	mustApply(t, c, "b.txt")
	s := c.Snapshot()
	a, _ := s.Article(idOf("a.txt"))
	if got := ids(s.AlsoReportedBy(a)); !slices.Equal(got, []string{idOf("b.txt")}) {
		t.Fatalf("AlsoReportedBy(a) = %v, want b (entries %v)", got, describe(s.Entries))
	}
	after := doc(t, s, PathAtom)
	if after == before || !bytes.Contains(after.Body, []byte("Also reported by")) {
		t.Errorf("the feed was not rendered again with the new outlet:\n%s", after.Body)
	}
}

// TestMerge checks merge against a sort of the kept and added entries,
// over random lists, in each order the snapshot keeps.
func TestMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	orders := map[string]func(a, b *Entry) int{"newestFirst": newestFirst, "byID": byID, "byStory": byStory}
	for step := range 500 {
		var all []*Entry
		for i := range r.IntN(40) {
			e := &Entry{Article: &article.Article{ID: fmt.Sprintf("a%03d", i)}, Story: fmt.Sprintf("s%d", r.IntN(5))}
			e.Date = day.Add(time.Duration(r.IntN(6)) * 24 * time.Hour) // ties broken by id
			all = append(all, e)
		}
		var sorted, gone, add []*Entry
		for _, e := range all {
			switch r.IntN(5) {
			case 0:
				add = append(add, e) // new
			case 1:
				sorted, gone = append(sorted, e), append(gone, e) // leaves
			case 2: // made again: leaves, and comes back as another entry
				again := *e
				sorted, gone, add = append(sorted, e), append(gone, e), append(add, &again)
			default:
				sorted = append(sorted, e)
			}
		}
		for name, order := range orders {
			want := slices.DeleteFunc(slices.Clone(sorted), func(e *Entry) bool { return slices.Contains(gone, e) })
			want = sortedClone(append(want, add...), order)
			got := merge(sortedClone(sorted, order), sortedClone(gone, order), sortedClone(add, order), order)
			if !slices.Equal(got, want) {
				t.Fatalf("step %d, %s: merge = %v, want %v", step, name, describe(got), describe(want))
			}
		}
	}
}

// fresh builds a snapshot of c from every record, as if none had been
// published: what an incremental one must equal.
func fresh(t *testing.T, c *Corpus) *Snapshot {
	t.Helper()
	cur := c.snap.Swap(nil)
	defer c.snap.Store(cur)
	s, err := c.build(context.Background(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestChangeInPartsShowsNewBodies edits articles the feeds carry in a
// change saved in parts (only the last part's snapshot is built, with
// only that part's parses at hand), and reparses a corpus in parts after
// a new pipeline version: the feeds and article pages show the new
// bodies, not the previous snapshot's.
func TestChangeInPartsShowsNewBodies(t *testing.T) {
	t.Run("edit", func(t *testing.T) {
		f := newFixture(t)
		f.write(t, "a.txt", sitePage(0))
		f.write(t, "b.txt", sitePage(1))
		c := f.open(t, func(o *Options) { o.IncludeIrrelevant = true })
		c.scanPart = 1
		f.clock.Advance(time.Hour)
		for i, name := range []string{"a.txt", "b.txt"} {
			f.write(t, name, strings.Replace(sitePage(i), "on Monday", "on a hotline", 1))
		}
		if err := c.Rescan(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"a", "b"} {
			e, err := c.Snapshot().Full(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(e.Body, "\n"), "hotline") {
				t.Errorf("Full(%s).Body = %q, want the edited body", id, e.Body)
			}
		}
		if g, w := doc(t, c.Snapshot(), PathAtom).Body, doc(t, fresh(t, c), PathAtom).Body; !bytes.Equal(g, w) {
			t.Errorf("feed.atom after a change in parts differs from one built anew:\n%s\nwant\n%s", g, w)
		}
	})
	t.Run("new pipeline version", func(t *testing.T) {
		f := newFixture(t)
		for i := range 4 {
			f.write(t, fmt.Sprintf("p%d.txt", i), sitePage(i))
		}
		f.open(t, func(o *Options) { o.ParserVersion = "v1"; o.IncludeIrrelevant = true }).Close()
		db := openDB(t, f.dbPath)
		// What the old pipeline made of p0.
		if _, err := db.Exec(`UPDATE article_texts SET body = '["OLD PIPELINE BODY"]' WHERE id = 'p0'`); err != nil {
			t.Fatal(err)
		}
		c, err := Open(context.Background(), db, Options{Dir: f.dir, BaseURL: testBase, Now: f.clock.Now, ParserVersion: "v2", IncludeIrrelevant: true})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.scanPart = 2
		if err := c.Rescan(context.Background()); err != nil {
			t.Fatal(err)
		}
		e, err := c.Snapshot().Full(context.Background(), "p0")
		if err != nil {
			t.Fatal(err)
		}
		if atom := doc(t, c.Snapshot(), PathAtom).Body; bytes.Contains(atom, []byte("OLD PIPELINE BODY")) || slices.Contains(e.Body, "OLD PIPELINE BODY") {
			t.Errorf("after the new version's scan, the feed or Full(p0) (%q) has the old body", e.Body)
		}
	})
}

// TestRestoredFileRejoinsStory removes a report of a story and an exact
// copy, then puts both back unchanged: they rejoin their story and the
// copy is folded again, in memory and after a restart.
func TestRestoredFileRejoinsStory(t *testing.T) {
	f := newFixture(t)
	raw := map[string]string{"b.txt": storyReport("Azatutyun", 19), "c.txt": storyReport("Reuters", 20)}
	f.write(t, "a.txt", storyReport("Reuters", 20))
	for name, text := range raw {
		f.write(t, name, text) // c is an exact copy of a
	}
	c := f.open(t)
	before := describe(c.Snapshot().Entries)
	for name := range raw {
		f.remove(t, name)
	}
	if err := c.Apply(context.Background(), "b.txt", "c.txt"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	for name, text := range raw {
		f.write(t, name, text)
	}
	if err := c.Apply(context.Background(), "b.txt", "c.txt"); err != nil {
		t.Fatal(err)
	}
	if g := describe(c.Snapshot().Entries); !slices.Equal(g, before) {
		t.Errorf("after restoring b and c:\n got %v\nwant %v", g, before)
	}
	if g := describe(f.open(t).Snapshot().Entries); !slices.Equal(g, before) {
		t.Errorf("after a restart:\n got %v\nwant %v", g, before)
	}
}

// TestCanonicalRemovedMatchesFreshBuild removes the canonical article of
// a copy, edits a report of its story and brings the article back
// edited: after each change, the snapshot equals one built anew.
func TestCanonicalRemovedMatchesFreshBuild(t *testing.T) {
	f := newFixture(t)
	f.write(t, "a.txt", storyReport("Reuters", 20))
	f.write(t, "b.txt", storyReport("Reuters", 20)) // a copy of a
	f.write(t, "c.txt", storyReport("Azatutyun", 19))
	f.write(t, "d.txt", sitePage(1))
	c := f.open(t, func(o *Options) { o.Size = 2 })
	check := func(step string) {
		t.Helper()
		got, want := c.Snapshot(), fresh(t, c)
		if g, w := describe(got.Entries), describe(want.Entries); !slices.Equal(g, w) {
			t.Errorf("%s: entries\n got %v\nwant %v", step, g, w)
		}
		if g, w := describe(got.Visible()), describe(want.Visible()); !slices.Equal(g, w) {
			t.Errorf("%s: visible\n got %v\nwant %v", step, g, w)
		}
		for _, p := range want.Documents() {
			if g, w := doc(t, got, p).Body, doc(t, want, p).Body; !bytes.Equal(g, w) {
				t.Errorf("%s: %s differs from one rendered anew", step, p)
			}
		}
	}
	check("start")
	f.clock.Advance(time.Hour)
	f.remove(t, "a.txt")
	mustApply(t, c, "a.txt")
	check("a removed")
	f.clock.Advance(time.Hour)
	f.write(t, "c.txt", strings.Replace(storyReport("Azatutyun", 19), "next month", "in January", 1))
	mustApply(t, c, "c.txt")
	check("c edited")
	f.clock.Advance(time.Hour)
	f.write(t, "a.txt", storyReport("Reuters", 21))
	mustApply(t, c, "a.txt")
	check("a back, edited")
}
