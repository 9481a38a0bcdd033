package feed

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kdigest/kdigest/feed/article"
)

// recount counts line keys over the saved rows of the present, parsed
// articles, as line_df should hold them.
func recount(t *testing.T, c *Corpus) (map[uint64]int, int) {
	t.Helper()
	rows, err := c.db.Query(`SELECT t.lines FROM articles a JOIN article_texts t ON t.id = a.id WHERE a.removed = 0 AND a.extractor <> ''`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	df, docs := map[uint64]int{}, 0
	for rows.Next() {
		var b []byte
		rows.Scan(&b)
		for _, k := range decodeKeys(b) {
			df[k]++
		}
		docs++
	}
	return df, docs
}

func savedCounts(t *testing.T, c *Corpus) map[uint64]int {
	t.Helper()
	rows, err := c.db.Query(`SELECT key, docs FROM line_df`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[uint64]int{}
	for rows.Next() {
		var k int64
		var n int
		rows.Scan(&k, &n)
		out[uint64(k)] = n
	}
	return out
}

// page is a seed-like page of a site whose header and footer every page
// repeats.
func page(i int) string {
	return fmt.Sprintf("An official website of the United States Government\nPress Statement\n\n"+
		"Armenia and Azerbaijan talks, round %d\n\n"+
		"Negotiators from Armenia and Azerbaijan met for round %d of talks on the peace treaty and the border, officials said on Monday.\n\n"+
		"The foreign ministers agreed to meet again within a month to discuss the delimitation of the border in round %d.\n\n"+
		"Back to top\nPrivacy Policy\n", i, i, i)
}

// TestLineStatistics checks that line_df follows the corpus through
// additions, edits, removals and a return, and that every page is parsed
// with the counts of the corpus as it is after its batch: the corpus's
// articles are what Analyze gives with those counts as evidence.
func TestLineStatistics(t *testing.T) {
	f := newFixture(t)
	for i := range 6 {
		f.write(t, fmt.Sprintf("p%d.txt", i), page(i))
	}
	c := f.open(t)
	check := func(step string) { t.Helper(); checkCounts(t, c, step) }
	check("first scan")
	// Every page of the first scan was parsed with the counts of all six.
	df, docs := recount(t, c)
	for _, e := range c.Snapshot().Entries {
		raw, _ := os.ReadFile(filepath.Join(f.dir, e.File))
		ev := (&lineCounts{df: df, docs: docs}).page(article.LineKeys(e.File, raw))
		ev.Now = e.FirstSeen
		want, err := Analyze(article.Read(e.File, raw), ev, c.opts.Taxonomy)
		if err != nil {
			t.Fatal(err)
		}
		full, err := c.Snapshot().Full(context.Background(), e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if full.Title != want.Article.Title || !slices.Equal(full.Body, want.Article.Body) {
			t.Errorf("%s: title %q, want %q with the corpus's evidence", e.ID, full.Title, want.Article.Title)
		}
	}
	f.write(t, "p1.txt", page(1)+"A new footer line\n")
	mustApply(t, c, "p1.txt")
	check("edit")
	f.remove(t, "p2.txt")
	mustApply(t, c, "p2.txt")
	check("removal")
	f.write(t, "p2.txt", page(2))
	mustApply(t, c, "p2.txt")
	check("return")
	c = f.open(t)
	check("restart")
}

func mapsEqualInt(a, b map[uint64]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestSidecar checks that a NAME.json beside a seed reaches extraction:
// its url and title win.
func TestSidecarReachesParse(t *testing.T) {
	f := newFixture(t, seedFiles(t)[0])
	id := idOf(seedFiles(t)[0])
	f.write(t, id+".json", `{"url": "https://news.example.com/a/1", "title": "Title from the scraper"}`)
	c := f.open(t)
	e, ok := c.Snapshot().Article(id)
	if !ok {
		t.Fatal("no entry")
	}
	if e.URL() == "" || e.Title != "Title from the scraper" || e.Article.URL != "https://news.example.com/a/1" {
		t.Errorf("entry title %q url %q, want the sidecar's", e.Title, e.Article.URL)
	}
}

// TestSidecarChanges checks that a sidecar written, edited or removed
// after its seed was read is a change to that seed: by the name the
// watcher hands Apply (NAME.json), and by a rescan.
func TestSidecarChanges(t *testing.T) {
	name := filepath.Base(seedFiles(t)[1])
	id := idOf(name)
	f := newFixture(t, seedFiles(t)...)
	c := f.open(t)
	url := func() string {
		e, ok := c.Snapshot().Article(id)
		if !ok {
			t.Fatal("no entry")
		}
		return e.Article.URL
	}
	if url() != "" {
		t.Fatalf("url %q before any sidecar", url())
	}
	steps := []struct {
		name, sidecar, want string
		rescan              bool
	}{
		{"written, applied", `{"url": "https://news.example.com/a/1"}`, "https://news.example.com/a/1", false},
		{"edited, rescanned", `{"url": "https://news.example.com/a/2"}`, "https://news.example.com/a/2", true},
		{"removed, applied", "", "", false},
		{"written again, rescanned", `{"url": "https://news.example.com/a/3"}`, "https://news.example.com/a/3", true},
	}
	for _, st := range steps {
		f.clock.Advance(time.Minute)
		path := filepath.Join(f.dir, id+".json")
		if st.sidecar == "" {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		} else {
			f.write(t, id+".json", st.sidecar)
		}
		if st.rescan {
			if err := c.Rescan(context.Background()); err != nil {
				t.Fatal(err)
			}
		} else {
			mustApply(t, c, id+".json")
		}
		if got := url(); got != st.want {
			t.Errorf("%s: url %q, want %q", st.name, got, st.want)
		}
	}
}

// TestAnalyzeAllAgreesWithTheCorpus checks that the batch pipeline inspect
// uses gives, for a folder, what a cold start of the corpus gives.
func TestAnalyzeAllAgreesWithTheCorpus(t *testing.T) {
	names := seedFiles(t)
	f := newFixture(t, names...)
	raw, _ := os.ReadFile(filepath.Join("..", "seeds", names[1]))
	f.write(t, "copy.txt", string(raw))
	for i := range 3 {
		f.write(t, fmt.Sprintf("p%d.txt", i), page(i))
	}
	c := f.open(t)
	des, _ := os.ReadDir(f.dir)
	var seeds []Seed
	for _, de := range des {
		raw, _ := os.ReadFile(filepath.Join(f.dir, de.Name()))
		seeds = append(seeds, Seed{Name: de.Name(), Raw: raw})
	}
	s := c.Snapshot()
	for _, an := range AnalyzeAll(seeds, c.opts.Taxonomy, f.clock.Now()) {
		if an.Err != nil {
			t.Fatal(an.Err)
		}
		e, _ := s.Article(an.Article.ID)
		if e == nil || e.Title != an.Article.Title || e.Story != an.Story || e.CopyOf != an.CopyOf || e.Class.Theme != an.Class.Theme {
			t.Errorf("%s: corpus %+v, AnalyzeAll title %q story %q copy of %q", an.Article.ID, e, an.Article.Title, an.Story, an.CopyOf)
		}
	}
}

// sitePage is a page of a site whose chrome every page repeats: a header
// line shaped like a headline, above the headline, and a footer.
func sitePage(i int) string {
	city := []string{"Brussels", "Prague", "Granada", "Sochi", "Moscow"}[i%5]
	return fmt.Sprintf("Caucasus Morning Briefing\n\n"+
		"Armenian and Azerbaijani ministers meet in %s\n\n"+
		"Negotiators from Armenia and Azerbaijan met in %s for talks on the peace treaty and the border, officials said on Monday.\n\n"+
		"The foreign ministers agreed in %s to meet again within a month to discuss the delimitation of the border.\n\n"+
		"This story was produced with support from a regional media fund.\n", city, city, city)
}

// TestPartsParseWithEarlierParts scans a site's pages in parts, where each
// part is parsed while the part before it is saved: every page must be
// parsed with the counts of its own part and all parts before it, as if
// the parts were read one after the other.
func TestPartsParseWithEarlierParts(t *testing.T) {
	for _, part := range []int{1, 2} {
		f := newFixture(t)
		var names []string
		for i := range 5 {
			names = append(names, fmt.Sprintf("p%d.txt", i))
			f.write(t, names[i], sitePage(i))
		}
		c, err := Open(context.Background(), openDB(t, f.dbPath), Options{Dir: f.dir, BaseURL: testBase, Now: f.clock.Now, ParserVersion: "test"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		c.scanPart = part
		if err := c.Rescan(context.Background()); err != nil {
			t.Fatal(err)
		}
		for i, name := range names {
			// The counts of the files up to the end of name's part.
			df, docs := map[uint64]int{}, 0
			for _, other := range names[:min(len(names), (i/part+1)*part)] {
				raw, _ := os.ReadFile(filepath.Join(f.dir, other))
				for _, k := range article.LineKeys(other, raw) {
					df[k]++
				}
				docs++
			}
			raw, _ := os.ReadFile(filepath.Join(f.dir, name))
			ev := (&lineCounts{df: df, docs: docs}).page(article.LineKeys(name, raw))
			ev.Now = f.clock.Now()
			want, err := Analyze(article.Read(name, raw), ev, c.opts.Taxonomy)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Snapshot().Full(context.Background(), idOf(name))
			if err != nil {
				t.Fatal(err)
			}
			if got.Title != want.Article.Title || !slices.Equal(got.Body, want.Article.Body) {
				t.Errorf("parts of %d: %s: title %q, body %q\nwant %q, %q (parsed with the counts of its part and those before)", part, name, got.Title, got.Body, want.Article.Title, want.Article.Body)
			}
		}
	}
}

// TestSidecarRewrittenOlderAtRestart checks that a sidecar rewritten
// while the service was stopped, at the same size and with an older
// modification time than its seed's (rsync -a of an older copy), is seen
// by the next start's scan.
func TestSidecarRewrittenOlderAtRestart(t *testing.T) {
	name := filepath.Base(seedFiles(t)[1])
	id := idOf(name)
	f := newFixture(t, seedFiles(t)...)
	sidecar := filepath.Join(f.dir, id+".json")
	f.write(t, id+".json", `{"url": "https://news.example.com/a/1"}`)
	seedTime := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for _, p := range []string{filepath.Join(f.dir, name), sidecar} {
		if err := os.Chtimes(p, seedTime, seedTime); err != nil {
			t.Fatal(err)
		}
	}
	c := f.open(t)
	if e, _ := c.Snapshot().Article(id); e.Article.URL != "https://news.example.com/a/1" {
		t.Fatalf("url %q before the rewrite", e.Article.URL)
	}
	// Stopped; the sidecar is replaced by one of the same size, dated before the seed.
	f.write(t, id+".json", `{"url": "https://news.example.com/a/2"}`)
	older := seedTime.Add(-time.Hour)
	if err := os.Chtimes(sidecar, older, older); err != nil {
		t.Fatal(err)
	}
	c = f.open(t)
	if e, _ := c.Snapshot().Article(id); e.Article.URL != "https://news.example.com/a/2" {
		t.Errorf("after a restart the url is %q, want the rewritten sidecar's", e.Article.URL)
	}
}

// checkCounts checks that line_df and the corpus's document count are a
// recount of the saved rows.
func checkCounts(t *testing.T, c *Corpus, step string) {
	t.Helper()
	want, docs := recount(t, c)
	if got := savedCounts(t, c); !mapsEqualInt(got, want) {
		t.Errorf("%s: line_df differs from a recount of the rows (%d keys, want %d)", step, len(got), len(want))
	}
	if c.docs != docs {
		t.Errorf("%s: documents counted = %d, want %d", step, c.docs, docs)
	}
}
