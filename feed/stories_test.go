package feed

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/feed/theme"
)

// regroup groups the corpus's saved articles from scratch and returns each
// present article's story and copy.
func regroup(t *testing.T, c *Corpus) map[string][2]string {
	t.Helper()
	var docs []theme.StoryDoc
	for id, r := range c.recs {
		if !counted(r) {
			continue
		}
		var sig, shingles []byte
		if err := c.db.QueryRow(`SELECT a.signature, t.shingles FROM articles a JOIN article_texts t ON t.id = a.id WHERE a.id = ?`, id).Scan(&sig, &shingles); err != nil {
			t.Fatal(err)
		}
		p, ok := decodeSignature(sig)
		if ok {
			p.Shingles, ok = decodeShingles(shingles)
		}
		if !ok {
			t.Fatalf("%s: unreadable print", id)
		}
		docs = append(docs, storyDoc(r.entry, p))
	}
	x := theme.BuildStoryIndex(docs)
	out := map[string][2]string{}
	for _, d := range docs {
		out[d.ID] = [2]string{x.Story(d.ID), x.CopyOf(d.ID)}
	}
	return out
}

func snapshotStories(s *Snapshot) map[string][2]string {
	out := map[string][2]string{}
	for _, e := range s.Entries {
		out[e.ID] = [2]string{e.Story, e.CopyOf}
	}
	return out
}

// TestIncrementalStoriesMatchRegroup applies random changes (new reports
// of the seeds' stories, edits, exact copies, removals) one batch at a
// time and checks after each that the stories the corpus keeps up to date
// are those of a grouping from scratch, that the saved story columns
// follow, and that a restart (which loads the saved edges and compares no
// pair) gives them again.
func TestIncrementalStoriesMatchRegroup(t *testing.T) {
	seeds := seedFiles(t)
	f := newFixture(t, seeds...)
	c := f.open(t)
	var texts []string
	for _, s := range seeds {
		raw, _ := os.ReadFile(filepath.Join("..", "seeds", s))
		texts = append(texts, string(raw))
	}
	r := rand.New(rand.NewPCG(1, 2))
	var names []string
	for step := range 60 {
		var batch []string
		for range 1 + r.IntN(3) {
			switch k := r.IntN(10); {
			case k < 4 || len(names) == 0: // a new report: a seed with a part of another
				name := fmt.Sprintf("r%03d_%d.txt", step, len(names))
				a, b := texts[r.IntN(len(texts))], texts[r.IntN(len(texts))]
				paras := strings.Split(b, "\n\n")
				f.write(t, name, a+"\n\n"+strings.Join(paras[:r.IntN(len(paras))], "\n\n"))
				names = append(names, name)
				batch = append(batch, name)
			case k < 6: // an exact copy of a seed
				name := fmt.Sprintf("c%03d_%d.txt", step, len(names))
				f.write(t, name, texts[r.IntN(len(texts))])
				names = append(names, name)
				batch = append(batch, name)
			case k < 8: // an edit
				name := names[r.IntN(len(names))]
				f.write(t, name, texts[r.IntN(len(texts))]+"\n\nUpdated with a new paragraph on the talks.")
				batch = append(batch, name)
			default: // a removal
				i := r.IntN(len(names))
				os.Remove(filepath.Join(f.dir, names[i]))
				batch = append(batch, names[i])
				names = append(names[:i], names[i+1:]...)
			}
		}
		if err := c.Apply(context.Background(), batch...); err != nil {
			t.Fatal(err)
		}
		want := regroup(t, c)
		got := snapshotStories(c.Snapshot())
		if !storiesEqual(got, want) {
			t.Fatalf("step %d (%v): stories\n got %v\nwant %v", step, batch, got, want)
		}
		rows, err := c.db.Query(`SELECT id, story, copy_of FROM articles WHERE removed = 0`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, story, copyOf string
			rows.Scan(&id, &story, &copyOf)
			if w, ok := want[id]; ok && (w[0] != story || w[1] != copyOf) {
				t.Errorf("step %d: saved story of %s = %q %q, want %q %q", step, id, story, copyOf, w[0], w[1])
			}
		}
		rows.Close()
	}
	want := snapshotStories(c.Snapshot())
	if got := snapshotStories(f.open(t).Snapshot()); !storiesEqual(got, want) {
		t.Errorf("after a restart: stories\n got %v\nwant %v", got, want)
	}
}

func storiesEqual(a, b map[string][2]string) bool {
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

// TestStoriesReloadWithoutEdges checks that a database whose saved edges
// do not fit (here: deleted) is grouped from scratch at the start, with
// the same stories, and its edges saved again.
func TestStoriesReloadWithoutEdges(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	raw, _ := os.ReadFile(filepath.Join("..", "seeds", seedFiles(t)[1]))
	f.write(t, "copy.txt", string(raw)+"\n\nOne more line about the talks in Brussels with Armenia and Azerbaijan.")
	c := f.open(t)
	want := snapshotStories(c.Snapshot())
	var edges int
	c.db.QueryRow(`SELECT count(*) FROM story_edges`).Scan(&edges)
	if _, err := c.db.Exec(`DELETE FROM story_edges`); err != nil {
		t.Fatal(err)
	}
	c = f.open(t)
	if got := snapshotStories(c.Snapshot()); !storiesEqual(got, want) {
		t.Errorf("stories after losing the edges\n got %v\nwant %v", got, want)
	}
	var again int
	c.db.QueryRow(`SELECT count(*) FROM story_edges`).Scan(&again)
	if again != edges {
		t.Errorf("edges saved again = %d, want %d", again, edges)
	}
}

// TestCopyKeepsTheEntryReadersHave adds, later, an exact copy of an
// article the feed carries under a smaller id: the entry readers have
// stays in the feed, and the copy is folded into it, incrementally and
// after a restart (readers would read the article twice).
func TestCopyKeepsTheEntryReadersHave(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	c := f.open(t)
	const id = "003_9b9c189b77a28c48"
	raw, err := os.ReadFile(filepath.Join("..", "seeds", id+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc(t, c.Snapshot(), PathAtom).Body, []byte("article/"+id+"<")) {
		t.Fatalf("%s is not in the feed", id)
	}
	f.clock.Advance(time.Minute)
	f.write(t, "000_copy.txt", string(raw))
	mustApply(t, c, "000_copy.txt")
	for when, s := range map[string]*Snapshot{"incremental": c.Snapshot(), "restart": f.open(t).Snapshot()} {
		atom := doc(t, s, PathAtom).Body
		if !bytes.Contains(atom, []byte("article/"+id+"<")) || bytes.Contains(atom, []byte("article/000_copy<")) {
			e, _ := s.Article("000_copy")
			t.Errorf("%s: the feed lost the entry readers had (%s) for its later copy (copy of %q)", when, id, e.CopyOf)
		}
	}
}
