// Package atomcheck validates Atom 1.0 documents against the rules of RFC
// 4287 and the W3C feed validator's warnings that kdigest's feeds must
// meet, for tests: it is the validator approach of the project's notes
// (a strict XML decode, then the RFC's rules), in Go, with nothing to
// install.
package atomcheck

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Namespace is the Atom 1.0 namespace.
const Namespace = "http://www.w3.org/2005/Atom"

type link struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type person struct {
	Name string `xml:"name"`
}

type text struct {
	Type string `xml:"type,attr"`
	Src  string `xml:"src,attr"`
	Body string `xml:",innerxml"`
}

type category struct {
	Term string `xml:"term,attr"`
	Text string `xml:",chardata"`
}

type entry struct {
	IDs        []string   `xml:"id"`
	Titles     []text     `xml:"title"`
	Updated    []string   `xml:"updated"`
	Published  []string   `xml:"published"`
	Authors    []person   `xml:"author"`
	Links      []link     `xml:"link"`
	Summary    []text     `xml:"summary"`
	Content    []text     `xml:"content"`
	Categories []category `xml:"category"`
}

type doc struct {
	XMLName    xml.Name   `xml:"feed"`
	IDs        []string   `xml:"id"`
	Titles     []text     `xml:"title"`
	Updated    []string   `xml:"updated"`
	Authors    []person   `xml:"author"`
	Links      []link     `xml:"link"`
	Categories []category `xml:"category"`
	Entries    []entry    `xml:"entry"`
}

// Feed is what Validate read from a valid document, for further checks.
type Feed struct {
	ID, Title string
	// Links maps a feed link's rel to its href.
	Links   map[string]string
	Entries []Entry
}

// Entry is one entry of a Feed.
type Entry struct {
	ID, Title, Updated, Published, Content, ContentType string
	// Links maps an entry link's rel to its href.
	Links map[string]string
}

// Validate checks body and returns what it read, or every problem found,
// joined.
func Validate(body []byte) (*Feed, error) {
	if err := StrictXML(body); err != nil {
		return nil, err
	}
	var d doc
	if err := xml.Unmarshal(body, &d); err != nil {
		return nil, err
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if d.XMLName.Space != Namespace {
		bad("feed: namespace %q, want %q", d.XMLName.Space, Namespace)
	}
	f := &Feed{Links: map[string]string{}}
	f.ID = one(bad, "feed", "id", d.IDs)
	checkIRI(bad, "feed id", f.ID)
	f.Title = oneText(bad, "feed", "title", d.Titles)
	checkDate(bad, "feed updated", one(bad, "feed", "updated", d.Updated))
	checkLinks(bad, "feed", d.Links, f.Links)
	if f.Links["self"] == "" {
		bad("feed: no rel=\"self\" link (the W3C validator warns)")
	}
	checkPersons(bad, "feed", d.Authors)
	checkCategories(bad, "feed", d.Categories)
	ids := map[string]bool{}
	for i, e := range d.Entries {
		where := fmt.Sprintf("entry %d", i+1)
		x := Entry{Links: map[string]string{}}
		x.ID = one(bad, where, "id", e.IDs)
		checkIRI(bad, where+" id", x.ID)
		if ids[x.ID] {
			bad("%s: id %q repeats an earlier entry's", where, x.ID)
		}
		ids[x.ID] = true
		x.Title = oneText(bad, where, "title", e.Titles)
		x.Updated = one(bad, where, "updated", e.Updated)
		checkDate(bad, where+" updated", x.Updated)
		if len(e.Published) > 1 {
			bad("%s: %d published elements, want at most 1", where, len(e.Published))
		}
		if len(e.Published) == 1 {
			x.Published = e.Published[0]
			checkDate(bad, where+" published", x.Published)
		}
		if len(e.Authors) == 0 && len(d.Authors) == 0 {
			bad("%s: no author, and the feed has none", where)
		}
		checkPersons(bad, where, e.Authors)
		checkLinks(bad, where, e.Links, x.Links)
		if len(e.Content) > 1 || len(e.Summary) > 1 {
			bad("%s: %d content and %d summary elements, want at most 1 each", where, len(e.Content), len(e.Summary))
		}
		if len(e.Content) == 0 && x.Links["alternate"] == "" {
			bad("%s: neither content nor a rel=\"alternate\" link (RFC 4287 4.1.1)", where)
		}
		for _, c := range e.Content {
			checkTextType(bad, where+" content", c.Type)
			x.Content, x.ContentType = html(c), c.Type
			if c.Src != "" && len(e.Summary) == 0 {
				bad("%s: out-of-line content without a summary", where)
			}
			if strings.Contains(strings.ToLower(x.Content), "<script") {
				bad("%s: content has a script tag (the W3C validator warns)", where)
			}
		}
		for _, s := range e.Summary {
			checkTextType(bad, where+" summary", s.Type)
		}
		checkCategories(bad, where, e.Categories)
		f.Entries = append(f.Entries, x)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return f, nil
}

// StrictXML reports whether b is UTF-8 and well-formed XML, decoding it
// token by token to the end with encoding/xml's strict decoder (gofeed is
// lenient, so it is no judge of that).
func StrictXML(b []byte) error {
	if !utf8.Valid(b) {
		return errors.New("not UTF-8")
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("strict xml: %w", err)
		}
	}
}

func one(bad func(string, ...any), where, name string, vals []string) string {
	if len(vals) != 1 {
		bad("%s: %d %s elements, want 1", where, len(vals), name)
		return ""
	}
	if strings.TrimSpace(vals[0]) == "" {
		bad("%s: empty %s", where, name)
	}
	return strings.TrimSpace(vals[0])
}

func oneText(bad func(string, ...any), where, name string, vals []text) string {
	if len(vals) != 1 {
		bad("%s: %d %s elements, want 1", where, len(vals), name)
		return ""
	}
	checkTextType(bad, where+" "+name, vals[0].Type)
	s := html(vals[0])
	if strings.TrimSpace(s) == "" {
		bad("%s: empty %s", where, name)
	}
	return s
}

// html returns a text construct's value: the unescaped text of a text or
// html construct.
func html(t text) string {
	var s string
	if err := xml.Unmarshal([]byte("<x>"+t.Body+"</x>"), &s); err != nil {
		return t.Body
	}
	return s
}

func checkTextType(bad func(string, ...any), where, typ string) {
	switch typ {
	case "", "text", "html", "xhtml":
	default:
		bad("%s: type %q, want text, html or xhtml", where, typ)
	}
}

func checkDate(bad func(string, ...any), where, s string) {
	if s == "" {
		return
	}
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		bad("%s: %q is not an RFC 3339 date: %v", where, s, err)
	}
}

func checkIRI(bad func(string, ...any), where, s string) {
	if s == "" {
		return
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		bad("%s: %q is not an absolute IRI", where, s)
	}
}

func checkLinks(bad func(string, ...any), where string, links []link, byRel map[string]string) {
	type key struct{ rel, typ string }
	seen := map[key]bool{}
	for _, l := range links {
		rel := l.Rel
		if rel == "" {
			rel = "alternate"
		}
		if l.Href == "" {
			bad("%s: a rel=%q link without href", where, rel)
		}
		checkIRI(bad, where+" link", l.Href)
		if rel == "alternate" && seen[key{rel, l.Type}] {
			bad("%s: two rel=\"alternate\" links of type %q (RFC 4287 4.1.1)", where, l.Type)
		}
		seen[key{rel, l.Type}] = true
		if byRel[rel] == "" {
			byRel[rel] = l.Href
		}
	}
}

func checkPersons(bad func(string, ...any), where string, ps []person) {
	for _, p := range ps {
		if strings.TrimSpace(p.Name) == "" {
			bad("%s: an author without a name", where)
		}
	}
}

func checkCategories(bad func(string, ...any), where string, cs []category) {
	for _, c := range cs {
		if c.Term == "" {
			bad("%s: a category without term", where)
		}
		if strings.TrimSpace(c.Text) != "" {
			bad("%s: category %q has text (the W3C validator errs)", where, c.Term)
		}
	}
}
