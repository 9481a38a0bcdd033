package web

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/feed"
	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite golden files")

// page is what a test reads from an HTML page: its visible text with
// whitespace collapsed, and its elements' attributes.
type page struct {
	text  string
	elems []elem
}

type elem struct {
	tag   string
	attrs map[string]string
}

// parsePage tokenizes body with the HTML5 tokenizer.
func parsePage(t *testing.T, body []byte) page {
	t.Helper()
	var p page
	var text strings.Builder
	z := html.NewTokenizer(bytes.NewReader(body))
	skip := 0 // inside <style> or <title>
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			p.text = strings.Join(strings.Fields(text.String()), " ")
			return p
		case html.TextToken:
			if skip == 0 {
				text.Write(z.Text())
				text.WriteByte(' ')
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if tok.Data == "style" || tok.Data == "title" {
				skip++
			}
			e := elem{tag: tok.Data, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[a.Key] = a.Val
			}
			p.elems = append(p.elems, e)
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "style" || string(name) == "title" {
				skip--
			}
		}
	}
}

// find returns the elements with the tag whose attributes include want.
func (p page) find(tag string, want map[string]string) []elem {
	var out []elem
next:
	for _, e := range p.elems {
		if e.tag != tag {
			continue
		}
		for k, v := range want {
			if e.attrs[k] != v {
				continue next
			}
		}
		out = append(out, e)
	}
	return out
}

func getPage(t *testing.T, h http.Handler, path string, wantCode int) page {
	t.Helper()
	resp, body := do(t, h, http.MethodGet, path, nil)
	if resp.StatusCode != wantCode {
		t.Fatalf("GET %s: status = %d, want %d", path, resp.StatusCode, wantCode)
	}
	if got := resp.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("GET %s: Content-Type = %q, want text/html; charset=utf-8", path, got)
	}
	return parsePage(t, body)
}

func TestNotFoundPages(t *testing.T) {
	h, _ := newHandler(t, Options{})
	tests := []struct {
		name, path, message string
	}{
		{"unknown article", "/articles/999_nope", "There is no article with this id."},
		{"article id as a path", "/articles/..%2Fseeds%2F000_7b07c52ff58aff77.txt", "There is no article with this id."},
		{"unknown theme", "/themes/nope", "There is no such theme."},
		{"unknown theme feed", "/themes/nope.atom", "There is no such theme feed."},
		{"unknown theme RSS feed", "/themes/nope.rss", "There is no such theme feed."},
		{"unknown theme JSON feed", "/themes/nope.json", "There is no such theme feed."},
		{"unknown path", "/no/such/page", "There is nothing at this address."},
		{"themes folder", "/themes/", "There is nothing at this address."},
		{"feed with a suffix", "/feed.atom/x", "There is nothing at this address."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := getPage(t, h, tc.path, http.StatusNotFound)
			if !strings.Contains(p.text, "Not found") || !strings.Contains(p.text, tc.message) {
				t.Errorf("page text = %q, want Not found and %q", p.text, tc.message)
			}
			if len(p.find("a", map[string]string{"href": testBase + "/"})) == 0 {
				t.Error("404 page has no link home")
			}
			resp, body := do(t, h, http.MethodHead, tc.path, nil)
			if resp.StatusCode != http.StatusNotFound || len(body) != 0 {
				t.Errorf("HEAD: status %d with %d bytes, want 404 without body", resp.StatusCode, len(body))
			}
		})
	}
}

func TestArticlePage(t *testing.T) {
	h, snap := newHandler(t, Options{})
	for _, e := range snap.Visible() {
		t.Run(e.ID, func(t *testing.T) {
			p := getPage(t, h, "/articles/"+e.ID, http.StatusOK)
			h1 := strings.Index(p.text, e.Title)
			if h1 < 0 {
				t.Fatalf("no title %q in %q", e.Title, p.text)
			}
			date := e.Date.Format("2 Jan 2006")
			if e.Published.IsZero() {
				date = "first seen " + date
			}
			want := []string{date}
			switch {
			case e.Source != "":
				want = append(want, e.Source)
			default:
				want = append(want, "Unknown outlet")
			}
			if e.Agency != "" {
				want = append(want, "via "+e.Agency)
			}
			if e.Dateline != "" {
				want = append(want, e.Dateline)
			}
			for _, id := range e.Class.Themes {
				th, _ := snap.Taxonomy.Lookup(id)
				want = append(want, th.Name)
				if len(p.find("a", map[string]string{"href": testBase + "/themes/" + id})) == 0 {
					t.Errorf("no link to theme %s", id)
				}
			}
			for _, para := range e.Body {
				want = append(want, strings.Join(strings.Fields(para), " "))
			}
			for _, w := range want {
				if !strings.Contains(p.text[h1:], w) {
					t.Errorf("page lacks %q", w)
				}
			}
			const note = "this title was written from its first paragraph"
			if got := strings.Contains(p.text, note); got != e.TitleSynthesized {
				t.Errorf("synthesized-title note shown = %v, want %v", got, e.TitleSynthesized)
			}
			if got := strings.Contains(p.text, "states no date"); got != e.Published.IsZero() {
				t.Errorf("first-seen note shown = %v, want %v", got, e.Published.IsZero())
			}
			if title := p.find("title", nil); len(title) != 1 {
				t.Errorf("%d <title> elements, want 1", len(title))
			}
		})
	}
}

// TestReadAtTheOriginal checks that an article whose page states its
// original address gets a "Read at OUTLET" link to it, in lists and on its
// page, and that one without gets none.
func TestReadAtTheOriginal(t *testing.T) {
	const original = "https://news.example.com/2026/11/talks?id=1&lang=en"
	const id = "003_9b9c189b77a28c48"
	c := openCorpusWith(t, feed.Options{}, map[string][]byte{id + ".json": []byte(`{"url": "` + original + `"}`)})
	h, err := NewServer(Options{Snapshot: c.Snapshot, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	e, ok := c.Snapshot().Article(id)
	if !ok || e.Outlet() == "" {
		t.Fatalf("article %s: found %v, outlet %q; the test needs one with an outlet", id, ok, e.Outlet())
	}
	var themePath string
	for _, th := range e.Class.Themes {
		themePath = "/themes/" + th
	}
	for _, path := range []string{"/", "/articles/" + id, themePath} {
		p := getPage(t, h, path, http.StatusOK)
		if links := p.find("a", map[string]string{"href": original}); len(links) != 1 {
			t.Errorf("%s: %d links to the original, want 1", path, len(links))
		}
		if !strings.Contains(p.text, "Read at "+e.Outlet()) {
			t.Errorf("%s: no %q", path, "Read at "+e.Outlet())
		}
		if n := strings.Count(p.text, "Read at "); n != 1 {
			t.Errorf("%s: %d \"Read at\" links, want 1: the other articles state no original", path, n)
		}
	}
}

func TestIndexPage(t *testing.T) {
	h, snap := newHandler(t, Options{})
	p := getPage(t, h, "/", http.StatusOK)

	alternates := map[string]string{
		testBase + "/feed.atom": "application/atom+xml",
		testBase + "/feed.rss":  "application/rss+xml",
		testBase + "/feed.json": "application/feed+json",
	}
	for _, th := range snap.Taxonomy.Themes {
		alternates[testBase+"/themes/"+th.ID+".atom"] = "application/atom+xml"
	}
	links := p.find("link", map[string]string{"rel": "alternate"})
	if len(links) != len(alternates) {
		t.Errorf("%d autodiscovery links, want %d", len(links), len(alternates))
	}
	for href, typ := range alternates {
		got := p.find("link", map[string]string{"rel": "alternate", "href": href})
		if len(got) != 1 {
			t.Errorf("autodiscovery links to %s: %d, want 1", href, len(got))
			continue
		}
		if got[0].attrs["type"] != typ || got[0].attrs["title"] == "" {
			t.Errorf("autodiscovery %s: type %q title %q, want type %q and a title", href, got[0].attrs["type"], got[0].attrs["title"], typ)
		}
	}

	sums, err := snap.Summaries(context.Background(), snap.Visible())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range snap.Visible() {
		if len(p.find("a", map[string]string{"href": testBase + "/articles/" + e.ID})) == 0 {
			t.Errorf("no link to article %s", e.ID)
		}
		if sums[e.ID] == "" || !strings.Contains(p.text, sums[e.ID]) {
			t.Errorf("no lede of %s (summary %q)", e.ID, sums[e.ID])
		}
	}
	sections := p.find("section", nil)
	sections = sections[:len(sections)-1] // the last lists every theme
	for _, th := range snap.Taxonomy.Themes {
		if len(p.find("a", map[string]string{"href": testBase + "/themes/" + th.ID})) == 0 ||
			len(p.find("a", map[string]string{"href": testBase + "/themes/" + th.ID + ".atom"})) == 0 {
			t.Errorf("no links to theme %s's page and feed", th.ID)
		}
	}
	primary := map[string]bool{}
	for _, e := range snap.Visible() {
		primary[e.Class.Theme] = true
	}
	if len(sections) != len(primary) {
		t.Errorf("%d sections, want one per primary theme (%d)", len(sections), len(primary))
	}
	for id := range primary {
		th, _ := snap.Taxonomy.Lookup(id)
		if len(p.find("section", map[string]string{"id": id})) != 1 || !strings.Contains(p.text, th.Name) {
			t.Errorf("no section for theme %s", id)
		}
	}
	if len(p.find("form", nil)) != 0 {
		t.Error("subscribe form shown without a POST /subscribe route")
	}
}

func TestIndexSubscribeForm(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	tests := []struct {
		name   string
		routes map[string]http.Handler
		want   int
	}{
		{"no routes", nil, 0},
		{"other route", map[string]http.Handler{"GET /digests": ok}, 0},
		{"GET subscribe only", map[string]http.Handler{"GET /subscribe": ok}, 0},
		{"POST subscribe", map[string]http.Handler{"POST /subscribe": ok}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := newHandler(t, Options{Routes: tc.routes})
			p := getPage(t, h, "/", http.StatusOK)
			forms := p.find("form", map[string]string{"method": "post", "action": testBase + "/subscribe"})
			if len(forms) != tc.want {
				t.Fatalf("subscribe forms = %d, want %d", len(forms), tc.want)
			}
			if tc.want == 1 && len(p.find("input", map[string]string{"name": "email", "type": "email"})) != 1 {
				t.Error("form has no email input")
			}
		})
	}
}

func TestThemePage(t *testing.T) {
	h, snap := newHandler(t, Options{})
	for _, th := range snap.Taxonomy.Themes {
		t.Run(th.ID, func(t *testing.T) {
			p := getPage(t, h, "/themes/"+th.ID, http.StatusOK)
			if !strings.Contains(p.text, th.Name) || !strings.Contains(p.text, th.Description) {
				t.Errorf("page lacks the theme's name or description: %q", p.text)
			}
			if len(p.find("a", map[string]string{"href": testBase + "/themes/" + th.ID + ".atom"})) == 0 {
				t.Error("no link to the theme's feed")
			}
			entries := snap.ThemeEntries(th.ID)
			for _, e := range entries {
				if len(p.find("a", map[string]string{"href": testBase + "/articles/" + e.ID})) == 0 {
					t.Errorf("no link to %s", e.ID)
				}
			}
			items := 0
			for _, d := range p.find("div", nil) {
				if d.attrs["class"] == "item" {
					items++
				}
			}
			if items != len(entries) {
				t.Errorf("items = %d, want %d", items, len(entries))
			}
			if got := strings.Contains(p.text, "Nothing in this theme yet"); got != (len(entries) == 0) {
				t.Errorf("empty note shown = %v with %d entries", got, len(entries))
			}
		})
	}
}

// TestLinksResolve follows every link to this site on every page and
// checks that it answers 200.
func TestLinksResolve(t *testing.T) {
	h, snap := newHandler(t, Options{})
	pages := []string{"/", "/themes/summits", "/articles/" + snap.Visible()[0].ID, "/no-such-page"}
	seen := map[string]bool{}
	for _, path := range pages {
		resp, body := do(t, h, http.MethodGet, path, nil)
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotFound {
			t.Fatalf("GET %s: status %d", path, resp.StatusCode)
		}
		p := parsePage(t, body)
		for _, e := range p.elems {
			href, ok := e.attrs["href"]
			if !ok {
				continue
			}
			target, local := strings.CutPrefix(href, testBase)
			if !local || seen[target] {
				if !local {
					t.Errorf("%s: link %q is not absolute under the base URL", path, href)
				}
				continue
			}
			seen[target] = true
			if resp, _ := do(t, h, http.MethodGet, target, nil); resp.StatusCode != http.StatusOK {
				t.Errorf("%s: link %s answers %d", path, href, resp.StatusCode)
			}
		}
	}
	if len(seen) < 10 {
		t.Errorf("followed %d links, want more", len(seen))
	}
}

// TestOtherSection checks the section of off-topic articles, shown when
// irrelevant articles are included: it has no theme page or feed to link.
func TestOtherSection(t *testing.T) {
	offtopic, err := os.ReadFile(filepath.Join("testdata", "offtopic.txt"))
	if err != nil {
		t.Fatal(err)
	}
	c := openCorpusWith(t, feed.Options{IncludeIrrelevant: true}, map[string][]byte{"900_offtopic.txt": offtopic})
	e, ok := c.Snapshot().Article("900_offtopic")
	if !ok || e.Class.Relevant || e.Class.Theme != "" {
		t.Fatalf("test article: found %v, relevant %v, theme %q; want an off-topic article", ok, e != nil && e.Class.Relevant, e.Class.Theme)
	}
	h, err := NewServer(Options{Snapshot: c.Snapshot, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	p := getPage(t, h, "/", http.StatusOK)
	if len(p.find("section", map[string]string{"id": "other"})) != 1 {
		t.Fatal("no section of other coverage")
	}
	if len(p.find("a", map[string]string{"href": testBase + "/articles/900_offtopic"})) != 1 {
		t.Error("no link to the off-topic article")
	}
	for _, href := range []string{"/themes/other", "/themes/other.atom"} {
		if len(p.find("a", map[string]string{"href": testBase + href})) != 0 {
			t.Errorf("link to %s, which does not exist", href)
		}
	}
}

func TestGoldenPages(t *testing.T) {
	h, _ := newHandler(t, Options{})
	tests := []struct{ name, path string }{
		{"index", "/"},
		{"article", "/articles/004_e430f6a57860e91a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, got := do(t, h, http.MethodGet, tc.path, nil)
			golden := filepath.Join("testdata", tc.name+".golden.html")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("GET %s differs from %s (run go test -update after checking the change)", tc.path, golden)
			}
		})
	}
}

// TestThemePagesReachOlderArticles checks that a theme's articles beyond
// one page are on /themes/ID/page/N, linked Older and Newer (rel next and
// prev), each once and in order, and that a page past the last, page 1 or
// a number written otherwise is not a second address of a page.
func TestThemePagesReachOlderArticles(t *testing.T) {
	h, snap := newHandler(t, Options{ThemePage: 1})
	const id = "summits"
	entries := snap.ThemeEntries(id)
	if len(entries) < 3 {
		t.Fatalf("theme %s has %d articles; the test needs 3", id, len(entries))
	}
	base := testBase + "/themes/" + id
	path := "/themes/" + id
	var seen []string
	for n := 1; path != ""; n++ {
		p := getPage(t, h, path, http.StatusOK)
		for _, e := range entries {
			if len(p.find("a", map[string]string{"href": testBase + "/articles/" + e.ID})) > 0 {
				seen = append(seen, e.ID)
			}
		}
		if want := fmt.Sprintf("%d articles, newest first · page %d of %d", len(entries), n, len(entries)); !strings.Contains(p.text, want) {
			t.Errorf("%s lacks %q: %q", path, want, p.text)
		}
		newer := p.find("a", map[string]string{"rel": "prev"})
		switch {
		case n == 1 && len(newer) != 0:
			t.Errorf("%s links a newer page", path)
		case n == 2 && (len(newer) != 1 || newer[0].attrs["href"] != base):
			t.Errorf("%s: newer link %v, want %s", path, newer, base)
		case n > 2 && (len(newer) != 1 || newer[0].attrs["href"] != fmt.Sprintf("%s/page/%d", base, n-1)):
			t.Errorf("%s: newer link %v", path, newer)
		}
		path = ""
		if older := p.find("a", map[string]string{"rel": "next"}); len(older) == 1 {
			path = strings.TrimPrefix(older[0].attrs["href"], testBase)
		}
		if n > len(entries) {
			t.Fatalf("more pages than articles")
		}
	}
	var want []string
	for _, e := range entries {
		want = append(want, e.ID)
	}
	if !slices.Equal(seen, want) {
		t.Errorf("the pages list %v, want %v", seen, want)
	}
	for _, tc := range []struct {
		path string
		code int
	}{
		{fmt.Sprintf("/themes/%s/page/%d", id, len(entries)+1), http.StatusNotFound},
		{"/themes/" + id + "/page/0", http.StatusNotFound},
		{"/themes/" + id + "/page/02", http.StatusNotFound},
		{"/themes/" + id + "/page/x", http.StatusNotFound},
		{"/themes/nope/page/2", http.StatusNotFound},
		{"/themes/" + id + "/page/1", http.StatusMovedPermanently},
	} {
		if resp, _ := do(t, h, http.MethodGet, tc.path, nil); resp.StatusCode != tc.code {
			t.Errorf("GET %s: %d, want %d", tc.path, resp.StatusCode, tc.code)
		}
	}
}

// TestTrailingSlashRedirects checks that a page's address with a trailing
// slash (as a static host of the build serves PATH/index.html) redirects
// to the page, and that one without a page is still not found.
func TestTrailingSlashRedirects(t *testing.T) {
	h, snap := newHandler(t, Options{})
	id := snap.Visible()[0].ID
	for _, tc := range []struct{ path, location string }{
		{"/articles/" + id + "/", testBase + "/articles/" + id},
		{"/themes/summits/", testBase + "/themes/summits"},
	} {
		resp, _ := do(t, h, http.MethodGet, tc.path, nil)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != tc.location {
			t.Errorf("GET %s: %d to %q, want 301 to %q", tc.path, resp.StatusCode, resp.Header.Get("Location"), tc.location)
		}
	}
	for _, path := range []string{"/articles/", "/themes/"} {
		if resp, _ := do(t, h, http.MethodGet, path, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
}

// TestOlderThemePageTrailingSlashRedirects checks that a theme's older
// page answers its address with a trailing slash as the other pages do:
// a static host of the build serves themes/ID/page/2/index.html there
// (and redirects /themes/ID/page/2 to it), so that is the address readers
// bookmark and share; serve answered it 404.
func TestOlderThemePageTrailingSlashRedirects(t *testing.T) {
	h, _ := newHandler(t, Options{ThemePage: 1})
	resp, _ := do(t, h, http.MethodGet, "/themes/summits/page/2/", nil)
	if want := testBase + "/themes/summits/page/2"; resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
		t.Errorf("GET /themes/summits/page/2/: %d to %q, want 301 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
}

// TestOlderThemePageValidators: a page rendered per request (an older
// theme page) states no Last-Modified, which would be the request's time
// and could answer 304 to an If-Modified-Since for changed bytes; its
// ETag gives readers their 304.
func TestOlderThemePageValidators(t *testing.T) {
	h, _ := newHandler(t, Options{ThemePage: 1})
	const path = "/themes/summits/page/2"
	resp, _ := do(t, h, http.MethodGet, path, nil)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || etag == "" {
		t.Fatalf("GET %s: %d, ETag %q", path, resp.StatusCode, etag)
	}
	if lm := resp.Header.Get("Last-Modified"); lm != "" {
		t.Errorf("GET %s: Last-Modified %q, want none", path, lm)
	}
	for _, tc := range []struct {
		header map[string]string
		code   int
	}{
		{map[string]string{"If-None-Match": etag}, http.StatusNotModified},
		{map[string]string{"If-Modified-Since": time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}, http.StatusOK},
	} {
		if resp, _ := do(t, h, http.MethodGet, path, tc.header); resp.StatusCode != tc.code {
			t.Errorf("GET %s with %v: %d, want %d", path, tc.header, resp.StatusCode, tc.code)
		}
	}
	// The first page, kept per snapshot, has both.
	if resp, _ := do(t, h, http.MethodGet, "/themes/summits", nil); resp.Header.Get("Last-Modified") == "" {
		t.Error("the first theme page lacks Last-Modified")
	}
}

// TestPagesStateTheLastChange: every page's footer says when the articles
// last changed, the same on a page kept per change (the front page) and
// one rendered per request (an article's), and a scan that changes nothing
// moves neither it nor the front page's ETag.
func TestPagesStateTheLastChange(t *testing.T) {
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	c := openCorpusWith(t, feed.Options{Now: func() time.Time { return now }}, nil)
	h, err := NewServer(Options{Snapshot: c.Snapshot, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	footer := func(path string) (string, string) {
		resp, body := do(t, h, http.MethodGet, path, nil)
		line := ""
		for _, l := range strings.Split(string(body), "\n") {
			if strings.Contains(l, "Built by kdigest") {
				line = l
			}
		}
		return line, resp.Header.Get("ETag")
	}
	article := "/articles/" + c.Snapshot().Visible()[0].ID
	front, etag := footer("/")
	if !strings.Contains(front, "updated 23 Nov 2026 08:00 UTC") {
		t.Fatalf("front page footer %q, want the change's time", front)
	}
	now = now.Add(2 * time.Hour) // a scan that finds nothing new
	if err := c.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c.Snapshot().Scanned.Equal(c.Snapshot().Changed) {
		t.Fatal("the rescan moved Changed, or did not move Scanned")
	}
	if f, e := footer("/"); f != front || e != etag {
		t.Errorf("after a scan that changed nothing: %q %s, want %q %s", f, e, front, etag)
	}
	if f, _ := footer(article); f != front {
		t.Errorf("article page footer %q, want the front page's %q", f, front)
	}
}

// TestThemePageCountsOnePage checks that a theme page states how many
// articles the theme has when they fit on one page too, with no page
// numbers, and says "1 article" of one.
func TestThemePageCountsOnePage(t *testing.T) {
	h, snap := newHandler(t, Options{})
	for _, th := range snap.Taxonomy.Themes {
		n := len(snap.ThemeEntries(th.ID))
		if n == 0 {
			continue
		}
		p := getPage(t, h, "/themes/"+th.ID, http.StatusOK)
		want := fmt.Sprintf("%d articles, newest first", n)
		if n == 1 {
			want = "1 article, newest first"
		}
		if !strings.Contains(p.text, want) || strings.Contains(p.text, "page 1 of") {
			t.Errorf("/themes/%s lacks %q or numbers its one page: %q", th.ID, want, p.text)
		}
	}
}

// TestPagesShowSummariesOutsideTheFeeds: memory keeps the summaries of
// the entries the feeds carry only (here one per feed); a theme page and
// the front page list more, and show each one's summary all the same,
// read from the database.
func TestPagesShowSummariesOutsideTheFeeds(t *testing.T) {
	extra := map[string][]byte{}
	for i := range 8 {
		extra[fmt.Sprintf("talks%d.txt", i)] = briefArticle(fmt.Sprintf("Ministers meet in Brussels, round %d", i))
	}
	c := openCorpusWith(t, feed.Options{Size: 1}, extra)
	h, err := NewServer(Options{Snapshot: c.Snapshot, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	snap := c.Snapshot()
	sums, err := snap.Summaries(context.Background(), snap.Visible())
	if err != nil {
		t.Fatal(err)
	}
	carried := map[string]bool{}
	for _, e := range snap.Visible()[:1] {
		carried[e.ID] = true
	}
	for _, th := range snap.Taxonomy.Themes {
		for _, e := range snap.ThemeEntries(th.ID)[:min(1, len(snap.ThemeEntries(th.ID)))] {
			carried[e.ID] = true
		}
	}
	if len(snap.Visible()) <= len(carried) {
		t.Fatalf("%d visible entries, %d in the feeds: the test needs more", len(snap.Visible()), len(carried))
	}
	for _, th := range snap.Taxonomy.Themes {
		entries := snap.ThemeEntries(th.ID)
		if len(entries) < 2 {
			continue
		}
		p := getPage(t, h, "/themes/"+th.ID, http.StatusOK)
		for _, e := range entries {
			if e.Summary != "" {
				t.Errorf("entry %s keeps its summary in memory", e.ID)
			}
			if sums[e.ID] == "" || !strings.Contains(p.text, sums[e.ID]) {
				t.Errorf("/themes/%s: no summary of %s (%q)", th.ID, e.ID, sums[e.ID])
			}
		}
	}
}
