package feed

import (
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

func seedText(t *testing.T, i int) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "seeds", seedFiles(t)[i]))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestClashInOneBatch checks that when a.txt and a.html arrive in one
// watcher batch, Apply gives the id to a.html (first in name order) and
// lists a.txt as failed, as Rescan does.
func TestClashInOneBatch(t *testing.T) {
	for _, order := range [][]string{{"a.txt", "a.html"}, {"a.html", "a.txt"}} {
		t.Run(strings.Join(order, ","), func(t *testing.T) { clashInOneBatch(t, order) })
	}
}

func clashInOneBatch(t *testing.T, order []string) {
	f := newFixture(t)
	c := f.open(t)
	f.write(t, "a.txt", seedText(t, 0))
	f.write(t, "a.html", "<html><body><p>"+strings.ReplaceAll(seedText(t, 1), "\n\n", "</p><p>")+"</p></body></html>")
	if err := c.Apply(context.Background(), order...); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	s := c.Snapshot()
	e, ok := s.Article("a")
	t.Logf("after Apply: file %v, Failed %v, entries %d", func() string {
		if ok {
			return e.File
		}
		return "-"
	}(), s.Failed, len(s.Entries))
	if !ok || e.File != "a.html" || s.Failed["a.txt"] == "" {
		t.Errorf("after Apply(a.txt, a.html): article a from %q, Failed %v; want a.html's, a.txt failed (as Rescan has it)", e.File, s.Failed)
	}
	f.clock.Advance(time.Hour)
	if err := c.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	s2 := c.Snapshot()
	e2, _ := s2.Article("a")
	t.Logf("after Rescan: file %v, Failed %v", e2.File, s2.Failed)
	if e2.Updated != e.Updated {
		t.Errorf("a rescan with no file changed updated article a: %v -> %v (file %s -> %s)", e.Updated, e2.Updated, e.File, e2.File)
	}
}

// TestApplyEarlierNameTakesID checks that when a.html arrives while a.txt
// is served, Apply gives the id to a.html and lists a.txt as failed, as
// Rescan does.
func TestApplyEarlierNameTakesID(t *testing.T) {
	f := newFixture(t)
	f.write(t, "a.txt", seedText(t, 0))
	c := f.open(t)
	f.write(t, "a.html", "<html><body><p>"+strings.ReplaceAll(seedText(t, 1), "\n\n", "</p><p>")+"</p></body></html>")
	mustApply(t, c, "a.html")
	s := c.Snapshot()
	e, _ := s.Article("a")
	t.Logf("after Apply: file %s, Failed %v", e.File, s.Failed)
	if s.Failed["a.txt"] == "" {
		t.Errorf("after Apply(a.html): Failed = %v, want a.txt listed (its id is a.html's), as Rescan lists it", s.Failed)
	}
	if err := c.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Logf("after Rescan: Failed %v", c.Snapshot().Failed)
}

// TestOddSeedNames checks that names a scraper may produce (a newline,
// invalid UTF-8, 250 characters, ?#%, a tab) apply, rescan and reload.
func TestOddSeedNames(t *testing.T) {
	f := newFixture(t)
	c := f.open(t)
	names := []string{"line\nbreak.txt", "bad\xff\xfeutf8.txt", strings.Repeat("x", 250) + ".txt", "q?a#b%2F.txt", "tab\there.txt", " .txt"}
	for i, n := range names {
		f.write(t, n, seedText(t, i%5))
	}
	for _, n := range names {
		if err := c.Apply(context.Background(), n); err != nil {
			t.Errorf("Apply(%q): %v", n, err)
		}
	}
	if err := c.Rescan(context.Background()); err != nil {
		t.Fatalf("Rescan: %v", err)
	}
	s := c.Snapshot()
	for _, n := range names {
		if _, ok := s.Article(idOf(n)); !ok {
			t.Logf("%q not served (Failed %q)", n, s.Failed[n])
		}
	}
	// reopen: rows read back
	c2 := f.open(t)
	for _, n := range names {
		if _, ok := c2.Snapshot().Article(idOf(n)); !ok {
			t.Logf("after reopen %q not served", n)
		}
	}
}

// TestLinkInsideFollowsTarget checks that alias.txt, a link to real.txt
// in the same folder, follows its target when the watcher reports only
// real.txt: edited, it stays an exact copy; deleted, it goes too.
func TestLinkInsideFollowsTarget(t *testing.T) {
	f := newFixture(t)
	f.write(t, "real.txt", seedText(t, 0))
	if err := os.Symlink("real.txt", filepath.Join(f.dir, "alias.txt")); err != nil {
		t.Fatal(err)
	}
	c := f.open(t)
	before := len(c.Snapshot().Visible())
	f.write(t, "real.txt", seedText(t, 0)+"\n\nA paragraph added by the editor later that day.\n")
	mustApply(t, c, "real.txt") // what the watcher hands over
	s := c.Snapshot()
	al, _ := s.Article("alias")
	re, _ := s.Article("real")
	t.Logf("visible %d -> %d; alias hash %s.. real hash %s.. alias copy_of %q", before, len(s.Visible()), al.Hash[:8], re.Hash[:8], al.CopyOf)
	if len(s.Visible()) != before || al.Hash != re.Hash {
		t.Errorf("after an edit of real.txt: %d visible entries (was %d), alias.txt's hash %s, real.txt's %s; want the link to read what its target says",
			len(s.Visible()), before, al.Hash[:8], re.Hash[:8])
	}
	f.remove(t, "real.txt")
	mustApply(t, c, "real.txt")
	if _, ok := c.Snapshot().Article("alias"); ok {
		t.Error("alias.txt, a link to the removed real.txt, is still served")
	}
}

// TestAlsoReportedBySpellingsOfOwnOutlet checks that reports of one story
// by one outlet, its name spelled as the page's brand in one and as its
// domain (a scraper's sidecar) in another, never list each other under
// "also reported by".
func TestAlsoReportedBySpellingsOfOwnOutlet(t *testing.T) {
	f := newFixture(t)
	text := seedText(t, 0)
	paras := strings.Split(text, "\n\n")
	f.write(t, "a.txt", text)
	f.write(t, "a.json", `{"source": "Azernews"}`)
	// The same report, updated: its last paragraphs rewritten.
	b := strings.Join(paras[:len(paras)-2], "\n\n") + "\n\nThe talks are to resume next week in Geneva, officials said on Tuesday.\n"
	f.write(t, "b.txt", b)
	f.write(t, "b.json", `{"source": "azernews.az"}`)
	f.write(t, "c.txt", strings.Join(paras[:len(paras)-1], "\n\n")+"\n\nThe ministry did not reply to a request for comment.\n")
	f.write(t, "c.json", `{"source": "AzerNews"}`)
	c := f.open(t, func(o *Options) { o.IncludeIrrelevant = true })
	s := c.Snapshot()
	for _, id := range []string{"a", "b", "c"} {
		e, ok := s.Article(id)
		if !ok {
			t.Fatalf("no %s", id)
		}
		var also []string
		for _, o := range s.AlsoReportedBy(e) {
			also = append(also, o.Outlet())
		}
		t.Logf("%s: outlet %q story %s copy_of %q also %v", id, e.Outlet(), e.Story, e.CopyOf, also)
		if len(also) > 0 {
			t.Errorf("%s (%s): also reported by %v: its own outlet", id, e.Outlet(), also)
		}
	}
}

// TestRenameTxtToHTML checks that a page saved as x.txt by mistake and
// renamed x.html (same bytes) is parsed as a web page, by Apply and by a
// rescan.
func TestRenameTxtToHTML(t *testing.T) {
	page := "<html><head><title>Talks resume in Geneva | Example News</title></head><body><nav>Home | World | Sport</nav><article><h1>Talks resume in Geneva</h1><p>" +
		strings.ReplaceAll(seedText(t, 2), "\n\n", "</p>\n<p>") + "</p></article><footer>Copyright Example News</footer></body></html>"
	fresh := newFixture(t)
	fresh.write(t, "x.html", page)
	fc := fresh.open(t)
	want, ok := fc.Snapshot().Article("x")
	if !ok {
		t.Fatalf("x.html not served: %v", fc.Snapshot().Failed)
	}

	for _, how := range []string{"apply", "rescan"} {
		t.Run(how, func(t *testing.T) {
			f := newFixture(t)
			f.write(t, "x.txt", page)
			c := f.open(t)
			asText, ok := c.Snapshot().Article("x")
			if !ok {
				t.Fatalf("x.txt not served: %v", c.Snapshot().Failed)
			}
			if err := os.Rename(filepath.Join(f.dir, "x.txt"), filepath.Join(f.dir, "x.html")); err != nil {
				t.Fatal(err)
			}
			if how == "apply" {
				if err := c.Apply(context.Background(), "x.txt", "x.html"); err != nil { // the watcher's batch
					t.Fatal(err)
				}
			} else if err := c.Rescan(context.Background()); err != nil {
				t.Fatal(err)
			}
			got, ok := c.Snapshot().Article("x")
			if !ok {
				t.Fatalf("after x.txt was renamed x.html: article x is not served at all (Failed %v)", c.Snapshot().Failed)
			}
			t.Logf("as .txt: title %q words %d; after rename: file %s title %q words %d; fresh .html: title %q words %d",
				asText.Title, asText.Words, got.File, got.Title, got.Words, want.Title, want.Words)
			if got.Title != want.Title || got.Words != want.Words {
				t.Errorf("after x.txt was renamed x.html: title %q, %d words; want the page's parse: %q, %d words", got.Title, got.Words, want.Title, want.Words)
			}
		})
	}
}

// TestRenameKeepsIDRescan checks that a seed renamed to a name with the
// same article id (a.TXT to a.txt, a.htm to a.html) while the service is
// stopped, or between two rescans in polling mode, stays served.
func TestRenameKeepsIDRescan(t *testing.T) {
	for _, names := range [][2]string{{"a.TXT", "a.txt"}, {"a.htm", "a.html"}} {
		t.Run(names[0]+"->"+names[1], func(t *testing.T) {
			f := newFixture(t)
			text := seedText(t, 0)
			if strings.HasSuffix(names[0], "htm") {
				text = "<html><body><article><p>" + strings.ReplaceAll(text, "\n\n", "</p>\n<p>") + "</p></article></body></html>"
			}
			f.write(t, names[0], text)
			c := f.open(t)
			if _, ok := c.Snapshot().Article("a"); !ok {
				t.Fatalf("a not served: %v", c.Snapshot().Failed)
			}
			if err := os.Rename(filepath.Join(f.dir, names[0]), filepath.Join(f.dir, names[1])); err != nil {
				t.Fatal(err)
			}
			c = f.open(t) // a restart: Open, then Rescan
			s := c.Snapshot()
			if e, ok := s.Article("a"); !ok {
				t.Errorf("after %s was renamed %s and a rescan: article a is not served (Failed %v, entries %d)", names[0], names[1], s.Failed, len(s.Entries))
			} else {
				t.Logf("served from %s", e.File)
			}
			if err := c.Rescan(context.Background()); err != nil {
				t.Fatal(err)
			}
			_, ok := c.Snapshot().Article("a")
			t.Logf("after one more rescan: served %v", ok)
		})
	}
}

// TestSidecarNotCountedAgainstSeedLimit checks that a seed just under the
// 2 MiB limit (a large web page) with a small sidecar is read, its
// sidecar's size not counted against the limit.
func TestSidecarNotCountedAgainstSeedLimit(t *testing.T) {
	f := newFixture(t)
	text := seedText(t, 0)
	pad := strings.Repeat("Background paragraph about the region's history and the talks.\n\n", (article.MaxSize-len(text)-1000)/66)
	body := text + "\n\n" + pad
	for len(body) < article.MaxSize-500 {
		body += "More on the talks.\n\n"
	}
	if len(body) >= article.MaxSize {
		t.Fatalf("seed %d bytes, want under %d", len(body), article.MaxSize)
	}
	f.write(t, "a.txt", body)
	c := f.open(t)
	if _, ok := c.Snapshot().Article("a"); !ok {
		t.Fatalf("a.txt (%d bytes) not served: %v", len(body), c.Snapshot().Failed)
	}
	f.write(t, "a.json", `{"url": "https://example.org/news/`+strings.Repeat("a", 1500)+`", "source": "Example News"}`)
	mustApply(t, c, "a.json")
	s := c.Snapshot()
	e, _ := s.Article("a")
	fi, _ := os.Stat(filepath.Join(f.dir, "a.json"))
	t.Logf("seed %d + sidecar %d bytes = %d; limit %d; served source %q, failed %v", len(body), fi.Size(), int64(len(body))+fi.Size(), article.MaxSize, e.Source, s.Failed)
	if reason, bad := s.Failed["a.txt"]; bad {
		t.Errorf("a.txt, %d bytes (limit %d), with a sidecar: Failed %q", len(body), article.MaxSize, reason)
	}
}

// TestApplyAndRescanAgreeOnOwners writes and removes files that share
// article ids in a random order, applying each change as the watcher
// does, and checks after each that a rescan of the folder finds the same
// owner of each id and the same files failed: Apply and Rescan follow
// one rule (claim).
func TestApplyAndRescanAgreeOnOwners(t *testing.T) {
	f := newFixture(t)
	c := f.open(t)
	html := "<html><body><p>" + strings.ReplaceAll(seedText(t, 1), "\n\n", "</p><p>") + "</p></body></html>"
	files := map[string]string{"a.htm": html, "a.html": html, "a.txt": seedText(t, 0), "b.txt": seedText(t, 2), "b.html": html}
	names := slices.Sorted(maps.Keys(files))
	state := func() string {
		s := c.Snapshot()
		var out []string
		for _, id := range []string{"a", "b"} {
			if e, ok := s.Article(id); ok {
				out = append(out, id+"="+e.File)
			}
		}
		return fmt.Sprint(out, slices.Sorted(maps.Keys(s.Failed)))
	}
	r := rand.New(rand.NewPCG(3, 4))
	for step := range 120 {
		name := names[r.IntN(len(names))]
		if _, err := os.Stat(filepath.Join(f.dir, name)); err == nil && r.IntN(2) == 0 {
			f.remove(t, name)
		} else {
			f.write(t, name, files[name])
		}
		mustApply(t, c, name)
		applied := state()
		if err := c.Rescan(context.Background()); err != nil {
			t.Fatal(err)
		}
		if rescanned := state(); rescanned != applied {
			t.Fatalf("step %d (%s): after Apply %s, after a rescan %s", step, name, applied, rescanned)
		}
	}
}
