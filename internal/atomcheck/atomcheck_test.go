package atomcheck

import (
	"errors"
	"strings"
	"testing"
)

const good = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>tag:example.org,2026:feed</id>
  <title>Feed</title>
  <updated>2026-11-23T08:00:00Z</updated>
  <author><name>Feed</name></author>
  <link href="https://example.org/feed.atom" rel="self" type="application/atom+xml"></link>
  <link href="https://example.org/" rel="alternate" type="text/html"></link>
  <entry>
    <id>tag:example.org,2026:a</id>
    <title>A &amp; B</title>
    <updated>2026-11-23T08:00:00Z</updated>
    <published>2026-11-22T08:00:00+04:00</published>
    <link href="https://example.org/a" rel="alternate" type="text/html"></link>
    <link href="https://example.org/a/related" rel="related" type="text/html"></link>
    <content type="html">&lt;p&gt;Text&lt;/p&gt;</content>
    <category term="t" label="T"></category>
  </entry>
</feed>`

func TestValidate(t *testing.T) {
	f, err := Validate([]byte(good))
	if err != nil {
		t.Fatalf("valid feed: %v", err)
	}
	if f.ID != "tag:example.org,2026:feed" || f.Links["self"] != "https://example.org/feed.atom" || len(f.Entries) != 1 {
		t.Errorf("read %+v", f)
	}
	e := f.Entries[0]
	if e.Title != "A & B" || e.Content != "<p>Text</p>" || e.ContentType != "html" || e.Links["related"] != "https://example.org/a/related" {
		t.Errorf("entry read %+v", e)
	}
}

func TestValidateFinds(t *testing.T) {
	entry := good[strings.Index(good, "<entry>"):strings.Index(good, "</feed>")]
	tests := []struct {
		name, from, to, want string
	}{
		{"not xml", "</feed>", "", "strict xml"},
		{"not utf-8", "Feed</title>", "F\xffeed</title>", "not UTF-8"},
		{"wrong namespace", "http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#", "namespace"},
		{"no feed id", "<id>tag:example.org,2026:feed</id>", "", "feed: 0 id elements"},
		{"relative id", "<id>tag:example.org,2026:a</id>", "<id>a</id>", "not an absolute IRI"},
		{"empty updated", "<updated>2026-11-23T08:00:00Z</updated>\n  <author>", "<updated></updated>\n  <author>", "empty updated"},
		{"bad date", "<published>2026-11-22T08:00:00+04:00</published>", "<published>22 Nov 2026</published>", "not an RFC 3339 date"},
		{"no self link", `rel="self"`, `rel="via"`, "no rel=\"self\" link"},
		{"no author anywhere", "<author><name>Feed</name></author>", "", "no author"},
		{"nameless author", "<author><name>Feed</name></author>", "<author><email>a@example.org</email></author>", "without a name"},
		{"duplicate entry id", "</feed>", entry + "</feed>", "repeats an earlier entry's"},
		{"two alternates", `rel="related"`, `rel="alternate"`, "two rel=\"alternate\" links"},
		{"no content, no link", `<link href="https://example.org/a" rel="alternate" type="text/html"></link>
    <link href="https://example.org/a/related" rel="related" type="text/html"></link>
    <content type="html">&lt;p&gt;Text&lt;/p&gt;</content>`, "", "neither content nor"},
		{"category text", `<category term="t" label="T"></category>`, `<category>t</category>`, "category without term"},
		{"bad text type", `<content type="html">`, `<content type="markdown">`, "type \"markdown\""},
		{"script", "&lt;p&gt;Text", "&lt;script&gt;x&lt;/script&gt;", "script tag"},
		{"empty href", `href="https://example.org/a/related"`, `href=""`, "without href"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(good, tc.from) {
				t.Fatalf("the good feed has no %q", tc.from)
			}
			bad := strings.Replace(good, tc.from, tc.to, 1)
			_, err := Validate([]byte(bad))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestSchema runs jing over the good feed and a broken one: the grammar
// must accept the one and name the fault of the other.
func TestSchema(t *testing.T) {
	err := Schema([]byte(good))
	if errors.Is(err, ErrNoJing) {
		t.Skip("jing is not installed (apt-get install jing)")
	}
	if err != nil {
		t.Fatalf("the good feed: %v", err)
	}
	bad := strings.Replace(good, "<updated>2026-11-23T08:00:00Z</updated>\n  <author>", "<updated>yesterday</updated>\n  <author>", 1)
	err = Schema([]byte(good), []byte(bad))
	if err == nil || !strings.Contains(err.Error(), "doc1.atom:5:") || strings.Contains(err.Error(), "doc0.atom") {
		t.Errorf("Schema(good, bad date) = %v, want an error about doc1.atom line 5 only", err)
	}
	noID := strings.Replace(good, "<id>tag:example.org,2026:feed</id>", "", 1)
	if err := Schema([]byte(noID)); err == nil {
		t.Error("a feed without id passed")
	}
}
