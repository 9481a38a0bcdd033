package feed

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/internal/atomcheck"
	"github.com/mmcdole/gofeed"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenPaths are the documents compared with testdata/golden.
var goldenPaths = []string{PathAtom, PathRSS, PathJSON, PathOPML,
	ThemeFeedPath("summits", FormatAtom), ThemeFeedPath("summits", FormatRSS), ThemeFeedPath("summits", FormatJSON)}

func seedSnapshot(t *testing.T, mod ...func(*Options)) *Snapshot {
	t.Helper()
	f := newFixture(t, seedFiles(t)...)
	return f.open(t, mod...).Snapshot()
}

func TestGoldenFeeds(t *testing.T) {
	s := seedSnapshot(t, func(o *Options) { o.Hub = "https://hub.example.net/" })
	for _, p := range goldenPaths {
		t.Run(p, func(t *testing.T) {
			got := doc(t, s, p).Body
			golden := filepath.Join("testdata", "golden", strings.ReplaceAll(p, "/", "_"))
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run with -update and review the diff)", p, golden)
			}
		})
	}
}

func TestDocuments(t *testing.T) {
	s := seedSnapshot(t)
	wantTypes := map[string]string{PathAtom: TypeAtom, PathRSS: TypeRSS, PathJSON: TypeJSON, PathOPML: TypeOPML}
	for _, th := range s.Taxonomy.Themes {
		wantTypes[ThemeFeedPath(th.ID, FormatAtom)] = TypeAtom
		wantTypes[ThemeFeedPath(th.ID, FormatRSS)] = TypeRSS
		wantTypes[ThemeFeedPath(th.ID, FormatJSON)] = TypeJSON
	}
	if got, want := len(s.Documents()), len(wantTypes); got != want {
		t.Errorf("Documents() = %v, want %d paths", s.Documents(), want)
	}
	for p, ct := range wantTypes {
		d := doc(t, s, p)
		if d.ContentType != ct {
			t.Errorf("%s: ContentType = %q, want %q", p, d.ContentType, ct)
		}
		if !strings.HasPrefix(d.ETag, `"`) || !strings.HasSuffix(d.ETag, `"`) || len(d.ETag) < 10 {
			t.Errorf("%s: ETag = %s, want a quoted strong tag", p, d.ETag)
		}
		zr, err := gzip.NewReader(bytes.NewReader(d.Gzip()))
		if err != nil {
			t.Fatalf("%s: gzip: %v", p, err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(plain, d.Body) {
			t.Errorf("%s: Gzip does not decompress to Body (err %v)", p, err)
		}
		if d.Modified.IsZero() || d.Modified.Nanosecond() != 0 {
			t.Errorf("%s: Modified = %v, want a whole second", p, d.Modified)
		}
	}
	if _, ok := s.Document("../feed.atom"); ok {
		t.Error("Document found by a relative path")
	}
}

// TestXMLStrict parses every XML document with encoding/xml, token by token.
func TestXMLStrict(t *testing.T) {
	s := seedSnapshot(t)
	for _, p := range s.Documents() {
		if strings.HasSuffix(p, ".json") {
			continue
		}
		if err := strictXML(doc(t, s, p).Body); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

func strictXML(b []byte) error { return atomcheck.StrictXML(b) }

// TestAtomRFC4287 checks the rules of RFC 4287 (and the W3C validator's
// warnings) that the Atom feeds must meet.
func TestAtomRFC4287(t *testing.T) {
	s := seedSnapshot(t, func(o *Options) { o.Hub = "https://hub.example.net/" })
	for _, p := range s.Documents() {
		if !strings.HasSuffix(p, ".atom") {
			continue
		}
		var f atomCheck
		if err := xml.Unmarshal(doc(t, s, p).Body, &f); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if f.XMLName.Space != "http://www.w3.org/2005/Atom" {
			t.Errorf("%s: namespace %q", p, f.XMLName.Space)
		}
		checkCommon(t, p, f.ID, f.Title, f.Updated, f.Authors)
		rels := map[string]atomLinkCheck{}
		for _, l := range f.Links {
			rels[l.Rel] = l
		}
		if l := rels["self"]; l.Href != testBase+"/"+p || l.Type != "application/atom+xml" {
			t.Errorf("%s: self link %+v", p, l)
		}
		home := testBase + "/"
		if id, ok := strings.CutPrefix(strings.TrimSuffix(p, ".atom"), "themes/"); ok {
			home = testBase + "/themes/" + id
		}
		if l := rels["alternate"]; l.Href != home || l.Type != "text/html" {
			t.Errorf("%s: alternate link %+v", p, l)
		}
		if l := rels["hub"]; l.Href != "https://hub.example.net/" {
			t.Errorf("%s: hub link %+v", p, l)
		}
		ids := map[string]bool{}
		for _, e := range f.Entries {
			where := p + " entry " + e.ID
			checkCommon(t, where, e.ID, e.Title, e.Updated, e.Authors)
			if ids[e.ID] {
				t.Errorf("%s: duplicate id", where)
			}
			ids[e.ID] = true
			if !strings.HasPrefix(e.ID, "tag:kdigest.example.org,2026:article/") {
				t.Errorf("%s: id is not the permanent tag URI", where)
			}
			if e.Published == "" {
				if a, ok := s.Article(strings.TrimPrefix(e.ID, "tag:kdigest.example.org,2026:article/")); ok && !a.Undated() {
					t.Errorf("%s: no published although the article states its date", where)
				}
			} else {
				if a, ok := s.Article(strings.TrimPrefix(e.ID, "tag:kdigest.example.org,2026:article/")); ok && a.Undated() {
					t.Errorf("%s: published %q although the article states no date", where, e.Published)
				}
				if _, err := time.Parse(time.RFC3339, e.Published); err != nil {
					t.Errorf("%s: published %q: %v", where, e.Published, err)
				}
			}
			if len(e.Links) != 1 || e.Links[0].Rel != "alternate" || !strings.HasPrefix(e.Links[0].Href, testBase+"/articles/") {
				t.Errorf("%s: links %+v", where, e.Links)
			}
			if e.Summary.Type != "html" || e.Content.Type != "html" || !strings.HasPrefix(e.Content.Text, "<p>") {
				t.Errorf("%s: summary type %q, content type %q", where, e.Summary.Type, e.Content.Type)
			}
			if strings.Contains(e.Content.Text, "<script") {
				t.Errorf("%s: content has a script tag", where)
			}
			for _, c := range e.Categories {
				if c.Term == "" || c.Label == "" || strings.TrimSpace(c.Text) != "" {
					t.Errorf("%s: category %+v", where, c)
				}
			}
		}
	}
}

func checkCommon(t *testing.T, where, id, title, updated string, authors []atomPersonCheck) {
	t.Helper()
	if id == "" || title == "" {
		t.Errorf("%s: id %q title %q, want both", where, id, title)
	}
	if _, err := time.Parse(time.RFC3339, updated); err != nil {
		t.Errorf("%s: updated %q: %v", where, updated, err)
	}
	if len(authors) != 1 || authors[0].Name == "" {
		t.Errorf("%s: authors %+v, want one with a name", where, authors)
	}
}

type atomLinkCheck struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type atomPersonCheck struct {
	Name string `xml:"name"`
}

type atomTextCheck struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomCheck struct {
	XMLName xml.Name          `xml:"feed"`
	ID      string            `xml:"id"`
	Title   string            `xml:"title"`
	Updated string            `xml:"updated"`
	Authors []atomPersonCheck `xml:"author"`
	Links   []atomLinkCheck   `xml:"link"`
	Entries []struct {
		ID         string            `xml:"id"`
		Title      string            `xml:"title"`
		Updated    string            `xml:"updated"`
		Published  string            `xml:"published"`
		Authors    []atomPersonCheck `xml:"author"`
		Links      []atomLinkCheck   `xml:"link"`
		Summary    atomTextCheck     `xml:"summary"`
		Content    atomTextCheck     `xml:"content"`
		Categories []struct {
			Term  string `xml:"term,attr"`
			Label string `xml:"label,attr"`
			Text  string `xml:",chardata"`
		} `xml:"category"`
	} `xml:"entry"`
}

// TestReadersView parses the three feeds with gofeed, as a feed reader
// does, and checks that they carry the same items.
func TestReadersView(t *testing.T) {
	s := seedSnapshot(t)
	visible := s.Visible()
	parser := gofeed.NewParser()
	for _, p := range []string{PathAtom, PathRSS, PathJSON} {
		t.Run(p, func(t *testing.T) {
			f, err := parser.Parse(bytes.NewReader(doc(t, s, p).Body))
			if err != nil {
				t.Fatal(err)
			}
			if f.Title != "Karabakh diplomacy" {
				t.Errorf("title = %q", f.Title)
			}
			if f.Link != testBase+"/" || f.FeedLink != testBase+"/"+p {
				t.Errorf("link %q feed link %q", f.Link, f.FeedLink)
			}
			if got, want := len(f.Items), len(visible); got != want {
				t.Fatalf("items = %d, want %d", got, want)
			}
			for i, it := range f.Items {
				e := visible[i]
				if it.GUID != e.GUID() {
					t.Errorf("item %d guid = %q, want %q", i, it.GUID, e.GUID())
				}
				if it.Link != e.URL() {
					t.Errorf("item %d link = %q, want %q", i, it.Link, e.URL())
				}
				if it.Title != e.Title {
					t.Errorf("item %d title = %q, want %q", i, it.Title, e.Title)
				}
				wantAuthor := e.Outlet()
				if wantAuthor == "" {
					wantAuthor = "Karabakh diplomacy"
				}
				if len(it.Authors) != 1 || it.Authors[0].Name != wantAuthor {
					t.Errorf("item %d authors = %+v, want %q", i, it.Authors, wantAuthor)
				}
				switch {
				case e.Undated() && p == PathAtom:
					// No <published> (TestAtomRFC4287); gofeed shows <updated>.
				case e.Undated() && p == PathJSON:
					// JSON Feed has a date besides the publication date: an
					// article that states none claims none.
					if it.PublishedParsed != nil {
						t.Errorf("item %d published = %v, want none: the article states no date", i, it.PublishedParsed)
					}
				case it.PublishedParsed == nil || !it.PublishedParsed.Equal(e.Date):
					t.Errorf("item %d published = %v, want %v", i, it.PublishedParsed, e.Date)
				}
				if e.Undated() && !strings.Contains(it.Content, "first seen "+e.Date.Format("2 Jan 2006")) {
					t.Errorf("item %d content does not say its date is when it was first seen: %.200q", i, it.Content)
				}
				if p != PathRSS && (it.UpdatedParsed == nil || !it.UpdatedParsed.Equal(entryUpdated(e))) {
					t.Errorf("item %d updated = %v, want %v", i, it.UpdatedParsed, entryUpdated(e))
				}
				if got, want := len(it.Categories), len(e.Class.Themes); got != want {
					t.Errorf("item %d categories = %v, want %v", i, it.Categories, e.Class.Themes)
				}
				if !strings.Contains(it.Content, "<p>") {
					t.Errorf("item %d content has no paragraphs", i)
				}
			}
		})
	}
}

// TestOPMLNestsThemeFeeds checks that the OPML lists the main feed, then
// the theme feeds in an outline of their own: every theme entry is also
// in the main feed, so a reader takes one or the other.
func TestOPMLNestsThemeFeeds(t *testing.T) {
	s := seedSnapshot(t)
	type outline struct {
		Type     string    `xml:"type,attr"`
		Text     string    `xml:"text,attr"`
		XMLURL   string    `xml:"xmlUrl,attr"`
		HTMLURL  string    `xml:"htmlUrl,attr"`
		Outlines []outline `xml:"outline"`
	}
	var o struct {
		Outlines []outline `xml:"body>outline"`
	}
	if err := xml.Unmarshal(doc(t, s, PathOPML).Body, &o); err != nil {
		t.Fatal(err)
	}
	if len(o.Outlines) != 2 {
		t.Fatalf("top-level outlines = %d, want 2 (the main feed, the themes)", len(o.Outlines))
	}
	if m := o.Outlines[0]; m.XMLURL != testBase+"/feed.atom" || m.Type != "rss" || m.HTMLURL != testBase+"/" || len(m.Outlines) != 0 {
		t.Errorf("first outline = %+v, want the main feed", m)
	}
	group := o.Outlines[1]
	if group.XMLURL != "" || group.Type != "" || group.Text != "Karabakh diplomacy by theme" {
		t.Errorf("second outline = %q (type %q, xmlUrl %q), want a folder named for the themes", group.Text, group.Type, group.XMLURL)
	}
	if len(group.Outlines) != len(s.Taxonomy.Themes) {
		t.Fatalf("theme outlines = %d, want %d", len(group.Outlines), len(s.Taxonomy.Themes))
	}
	for i, th := range s.Taxonomy.Themes {
		want := testBase + "/themes/" + th.ID + ".atom"
		if got := group.Outlines[i]; got.XMLURL != want || got.Type != "rss" || got.Text == "" || got.HTMLURL != testBase+"/themes/"+th.ID {
			t.Errorf("theme outline %d = %+v, want xmlUrl %s", i, got, want)
		}
	}
}

// TestThemeFeedsInEveryFormat checks that each theme's RSS and JSON Feed
// carry what its Atom feed carries, and name themselves.
func TestThemeFeedsInEveryFormat(t *testing.T) {
	s := seedSnapshot(t)
	parser := gofeed.NewParser()
	for _, th := range s.Taxonomy.Themes {
		atom, err := parser.Parse(bytes.NewReader(doc(t, s, ThemeFeedPath(th.ID, FormatAtom)).Body))
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{FormatRSS, FormatJSON} {
			p := ThemeFeedPath(th.ID, format)
			f, err := parser.Parse(bytes.NewReader(doc(t, s, p).Body))
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if f.Title != atom.Title || f.FeedLink != testBase+"/"+p || f.Link != testBase+"/themes/"+th.ID {
				t.Errorf("%s: title %q feed link %q link %q", p, f.Title, f.FeedLink, f.Link)
			}
			if len(f.Items) != len(atom.Items) {
				t.Fatalf("%s: items = %d, want %d as in Atom", p, len(f.Items), len(atom.Items))
			}
			for i, it := range f.Items {
				if it.GUID != atom.Items[i].GUID {
					t.Errorf("%s item %d = %s, want %s", p, i, it.GUID, atom.Items[i].GUID)
				}
			}
		}
	}
}

// TestEntryLinksToTheOriginal checks where each format sends a reader: an
// article whose page states its original address links there (Atom
// rel="alternate", RSS <link>, JSON Feed external_url) and to its page
// here (Atom rel="related", JSON Feed url); one that does not links to its
// page here only.
func TestEntryLinksToTheOriginal(t *testing.T) {
	const original = "https://news.example.com/2026/11/talks?id=1&lang=en"
	seeds := seedFiles(t)
	f := newFixture(t, seeds...)
	withURL := idOf(seeds[0])
	f.write(t, withURL+".json", `{"url": "`+original+`"}`)
	s := f.open(t).Snapshot()
	page := func(id string) string { return testBase + "/articles/" + id }

	var atom struct {
		Entries []struct {
			ID    string          `xml:"id"`
			Links []atomLinkCheck `xml:"link"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(doc(t, s, PathAtom).Body, &atom); err != nil {
		t.Fatal(err)
	}
	var rss struct {
		Items []struct {
			GUID string `xml:"guid"`
			Link string `xml:"link"`
		} `xml:"channel>item"`
	}
	if err := xml.Unmarshal(doc(t, s, PathRSS).Body, &rss); err != nil {
		t.Fatal(err)
	}
	var jf struct {
		Items []struct {
			ID          string `json:"id"`
			URL         string `json:"url"`
			ExternalURL string `json:"external_url"`
		} `json:"items"`
	}
	if err := json.Unmarshal(doc(t, s, PathJSON).Body, &jf); err != nil {
		t.Fatal(err)
	}
	if len(atom.Entries) != len(s.Visible()) || len(rss.Items) != len(s.Visible()) || len(jf.Items) != len(s.Visible()) {
		t.Fatalf("entries: atom %d, rss %d, json %d, want %d", len(atom.Entries), len(rss.Items), len(jf.Items), len(s.Visible()))
	}
	found := false
	for i, e := range s.Visible() {
		wantAtom := []atomLinkCheck{{Href: page(e.ID), Rel: "alternate", Type: "text/html"}}
		wantRSS, wantURL, wantExternal := page(e.ID), page(e.ID), ""
		if e.ID == withURL {
			found = true
			wantAtom = []atomLinkCheck{{Href: original, Rel: "alternate", Type: "text/html"}, {Href: page(e.ID), Rel: "related", Type: "text/html"}}
			wantRSS, wantExternal = original, original
		}
		if got := atom.Entries[i].Links; !slices.Equal(got, wantAtom) {
			t.Errorf("atom %s links = %+v, want %+v", e.ID, got, wantAtom)
		}
		if got := rss.Items[i].Link; got != wantRSS {
			t.Errorf("rss %s link = %q, want %q", e.ID, got, wantRSS)
		}
		if got := jf.Items[i]; got.URL != wantURL || got.ExternalURL != wantExternal {
			t.Errorf("json %s url %q external_url %q, want %q and %q", e.ID, got.URL, got.ExternalURL, wantURL, wantExternal)
		}
	}
	if !found {
		t.Fatalf("%s is not in the feeds", withURL)
	}
	if err := strictXML(doc(t, s, PathAtom).Body); err != nil {
		t.Error(err)
	}
}

func TestFeedSizeAndThemeFeeds(t *testing.T) {
	s := seedSnapshot(t, func(o *Options) { o.Size = 2 })
	f, err := gofeed.NewParser().Parse(bytes.NewReader(doc(t, s, PathAtom).Body))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(f.Items), 2; got != want {
		t.Errorf("items with Size 2 = %d, want %d", got, want)
	}
	for _, th := range s.Taxonomy.Themes {
		tf, err := gofeed.NewParser().Parse(bytes.NewReader(doc(t, s, ThemeFeedPath(th.ID, FormatAtom)).Body))
		if err != nil {
			t.Fatal(err)
		}
		want := s.ThemeEntries(th.ID)
		if len(want) > 2 {
			want = want[:2]
		}
		if len(tf.Items) != len(want) {
			t.Errorf("theme %s: items = %d, want %d", th.ID, len(tf.Items), len(want))
		}
		for i, it := range tf.Items {
			if it.GUID != want[i].GUID() {
				t.Errorf("theme %s item %d = %s, want %s", th.ID, i, it.GUID, want[i].GUID())
			}
		}
	}
}

func TestXMLInvalidCharactersNeverAppear(t *testing.T) {
	const text = "Armenia and Azerbaijan\x0b talks \x1bresume in Brussels\n\n" +
		"BRUSSELS \u2014 Armenian Prime Minister Nikol Pashinyan and Azerbaijani President Ilham Aliyev met in Brussels\x00 on Sunday for talks on the peace treaty \ufffe and border delimitation, mediated by the European Council president.\n\n" +
		"The leaders discussed\u0085 the delimitation of the border \uffff and the <script>alert(1)</script> unblocking of transport links, AT&T said ]]> nothing.\n\n" +
		"Both sides agreed to continue talks on the peace agreement between Armenia and Azerbaijan, officials said after the meeting.\n"
	f := newFixture(t, seedFiles(t)...)
	f.write(t, "control.txt", text)
	s := f.open(t, func(o *Options) { o.IncludeIrrelevant = true }).Snapshot()
	if _, ok := s.Article("control"); !ok {
		t.Fatalf("control article not parsed: %v", s.Failed)
	}
	for _, p := range s.Documents() {
		body := doc(t, s, p).Body
		if i := bytes.IndexFunc(body, badRune); i >= 0 {
			t.Errorf("%s: bad character %q at %d", p, body[i:i+1], i)
		}
		if p != PathJSON {
			if err := strictXML(body); err != nil {
				t.Errorf("%s: %v", p, err)
			}
		}
		if bytes.Contains(body, []byte("<script>")) {
			t.Errorf("%s: unescaped script tag", p)
		}
	}
}

func TestXMLClean(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"clean", "Pashinyan \u2014 Aliyev", "Pashinyan \u2014 Aliyev"},
		{"whitespace kept", "a\tb\nc\rd", "a\tb\nc\rd"},
		{"C0", "a\x00b\x0bc\x1fd", "abcd"},
		{"DEL and C1", "a\x7fb\u0085c\u009fd", "abcd"},
		{"noncharacters", "a\ufffeb\uffffc\ufffdd", "abcd"},
		{"invalid UTF-8", "a\xffb\xc3c", "abc"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := xmlClean(tt.in); got != tt.want {
				t.Errorf("xmlClean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestFeedUpdatedMovesWithAddedEntry checks that an article added now with
// an older stated date moves the feed's <updated> and <lastBuildDate>: the
// channel's content changed then.
func TestFeedUpdatedMovesWithAddedEntry(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	c := f.open(t, func(o *Options) { o.IncludeIrrelevant = true })
	updated := func() (string, string) {
		a := regexp.MustCompile(`(?s)^.*?<updated>([^<]*)</updated>`).FindSubmatch(doc(t, c.Snapshot(), PathAtom).Body)
		r := regexp.MustCompile(`<lastBuildDate>([^<]*)</lastBuildDate>`).FindSubmatch(doc(t, c.Snapshot(), PathRSS).Body)
		return string(a[1]), string(r[1])
	}
	u0, l0 := updated()
	f.clock.Advance(time.Hour)
	f.write(t, "older.txt", storyReport("Azatutyun", 2))
	mustApply(t, c, "older.txt")
	if _, ok := c.Snapshot().Article("older"); !ok {
		t.Fatalf("older.txt not parsed: %v", c.Snapshot().Failed)
	}
	if u1, l1 := updated(); u1 == u0 || l1 == l0 {
		t.Errorf("an entry dated 2 Nov was added at %s, but <updated> stays %s and <lastBuildDate> %s", f.clock.Now(), u1, l1)
	}
}
