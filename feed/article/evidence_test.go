package article

import (
	"strings"
	"testing"
	"time"
)

const plainPage = "Talks resume in Geneva\n\nArmenia and Azerbaijan resumed talks on the peace treaty in Geneva on Monday, officials said.\n\nThe talks will continue next week, the foreign ministries of both countries said in statements.\n"

func TestSidecar(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		sidecar string
		check   func(t *testing.T, a *Article)
		warning string // a warning that must be present, or ""
	}{
		{name: "fields win", sidecar: `{"url":"https://example.org/a/1","title":"  Sidecar  title ","published":"2026-11-20T08:30:00Z","source":"Example News"}`,
			check: func(t *testing.T, a *Article) {
				if a.URL != "https://example.org/a/1" || a.Title != "Sidecar title" || a.TitleSynthesized || a.Source != "Example News" {
					t.Errorf("url, title, source = %q, %q, %q", a.URL, a.Title, a.Source)
				}
				if want := time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC); !a.Published.Equal(want) || a.PublishedPrecision != PrecisionSecond {
					t.Errorf("published = %v (%s), want %v", a.Published, a.PublishedPrecision, want)
				}
			}},
		{name: "empty object", sidecar: `{}`, check: func(t *testing.T, a *Article) {
			if a.URL != "" || a.Title != "Talks resume in Geneva" {
				t.Errorf("url, title = %q, %q", a.URL, a.Title)
			}
		}},
		{name: "unknown fields ignored", sidecar: `{"author":"Jane Doe","lang":"en"}`},
		{name: "not json", sidecar: `url: https://example.org`, warning: "ignored sidecar x.json: invalid character"},
		{name: "wrong type", sidecar: `{"url": 7}`, warning: "ignored sidecar x.json: json: cannot unmarshal number"},
		{name: "bad url", sidecar: `{"url":"javascript:alert(1)"}`, warning: `url "javascript:alert(1)" is not an http(s) address`},
		{name: "relative url", sidecar: `{"url":"/a/1"}`, warning: "is not an http(s) address"},
		{name: "bad date", sidecar: `{"published":"last Tuesday"}`, warning: `published "last Tuesday" is not a date`},
		{name: "a body for a title", sidecar: `{"title":"` + strings.Repeat("word ", 80) + `"}`, warning: "a title of 399 characters is no headline",
			check: func(t *testing.T, a *Article) {
				if a.Title != "Talks resume in Geneva" {
					t.Errorf("title %q, want the page's", a.Title)
				}
			}},
		{name: "a sentence for a source", sidecar: `{"source":"` + strings.Repeat("outlet ", 20) + `"}`, warning: "a source of 139 characters is no outlet's name"},
		{name: "future date", sidecar: `{"published":"2030-01-01"}`, warning: `published "2030-01-01" is implausible`},
		// now is 23 Nov 00:00 UTC: a day stated may be tomorrow somewhere,
		// an instant with its zone may not be hours ahead.
		{name: "tomorrow's day", sidecar: `{"published":"2026-11-23"}`, check: func(t *testing.T, a *Article) {
			if a.Published.IsZero() {
				t.Error("a day a zone ahead of the clock was refused")
			}
		}},
		{name: "an instant 23 hours ahead", sidecar: `{"published":"2026-11-23T23:00:00Z"}`, warning: `published "2026-11-23T23:00:00Z" is implausible`},
		{name: "an instant half an hour ahead", sidecar: `{"published":"2026-11-23T04:30:00+04:00"}`, check: func(t *testing.T, a *Article) {
			if a.Published.IsZero() {
				t.Error("an instant half an hour ahead (clocks that disagree) was refused")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse("x.txt", []byte(plainPage), Evidence{Now: now, Sidecar: []byte(tt.sidecar)})
			if err != nil {
				t.Fatal(err)
			}
			warnings := strings.Join(a.Warnings, "\n")
			if tt.warning != "" && !strings.Contains(warnings, tt.warning) {
				t.Errorf("warnings %q lack %q", a.Warnings, tt.warning)
			}
			if tt.warning == "" && strings.Contains(warnings, "sidecar") {
				t.Errorf("unexpected sidecar warning: %q", a.Warnings)
			}
			if tt.warning != "" && a.URL != "" {
				t.Errorf("url = %q from a rejected sidecar", a.URL)
			}
			if tt.check != nil {
				tt.check(t, a)
			}
		})
	}
}

func TestLineKeys(t *testing.T) {
	a := LineKeys("a.txt", []byte("© 2024 Example News\nMenu\n\nSome   story text here.\nmenu\n"))
	b := LineKeys("b.txt", []byte("\ufeff©  2025 EXAMPLE news\r\nOther text.\r\n"))
	if len(a) != 3 {
		t.Errorf("keys of a = %d, want 3 distinct (Menu and menu are one)", len(a))
	}
	if len(b) != 2 || a[0] != b[0] {
		t.Errorf("keys of b = %v; want its first to equal a's first (%v): case, digits and spaces are normalised", b, a)
	}
	if a[0] == a[2] {
		t.Error("different lines share a key")
	}
	for _, bad := range [][]byte{nil, []byte(" \n"), []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")} {
		if k := LineKeys("bad.txt", bad); len(k) != 0 {
			t.Errorf("LineKeys(%q) = %v, want none", bad, k)
		}
	}
}

func TestStatedURL(t *testing.T) {
	tests := []struct {
		name, head, tail, want string
	}{
		{"source line", "Source: https://example.org/news/1\n\n", "", "https://example.org/news/1"},
		{"original line at the foot", "", "\nOriginal: http://example.org/a?id=2\n", "http://example.org/a?id=2"},
		{"url label", "URL: https://example.org/b\n\n", "", "https://example.org/b"},
		{"a sidecar wins", "Source: https://example.org/news/1\n\n", "", "https://example.org/sidecar"},
		{"a named source is no address", "Source: Reuters\n\n", "", ""},
		{"not a web address", "URL: ftp://example.org/b\n\n", "", ""},
		{"an address inside a sentence", "", "\nThe ministry posted the text at https://example.org/c on Monday.\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := Evidence{}
			if tt.name == "a sidecar wins" {
				ev.Sidecar = []byte(`{"url":"https://example.org/sidecar"}`)
			}
			a, err := Parse("x.txt", []byte(tt.head+plainPage+tt.tail), ev)
			if err != nil {
				t.Fatal(err)
			}
			if a.URL != tt.want {
				t.Errorf("url = %q, want %q", a.URL, tt.want)
			}
			for _, b := range a.Body {
				if strings.Contains(b, "example.org/news") || strings.Contains(b, "Original:") {
					t.Errorf("the address line is in the body: %q", b)
				}
			}
		})
	}
}

// TestSidecarDateClearsNoDateWarning checks that an article dated by its
// sidecar is not also reported as stating no date: "kdigest inspect"
// printed "published: 2026-12-06 (date)" over "warning: no publication
// date stated", for text and HTML seeds alike.
func TestSidecarDateClearsNoDateWarning(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	html := "<html><body><article><p>Armenia and Azerbaijan resumed talks on the peace treaty in Geneva on Monday, officials said.</p><p>The talks will continue next week, the foreign ministries of both countries said in statements.</p></article></body></html>"
	for _, tc := range []struct{ name, raw string }{{"x.txt", plainPage}, {"x.html", html}} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Parse(tc.name, []byte(tc.raw), Evidence{Now: now, Sidecar: []byte(`{"published":"2026-11-20"}`)})
			if err != nil {
				t.Fatal(err)
			}
			if a.Published.IsZero() {
				t.Fatal("the sidecar's date was not used")
			}
			for _, w := range a.Warnings {
				if w == "no publication date stated" {
					t.Errorf("warnings = %q, with a date from the sidecar", a.Warnings)
				}
			}
		})
	}
}
