package article

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const htmlPage = `<!DOCTYPE html><html lang="en"><head>
<title>Talks resume in Geneva | Example News</title>
<meta property="og:site_name" content="Example News">
<link rel="canonical" href="https://news.example.org/2026/11/talks-resume">
%s
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Talks resume in Geneva</h1>
<p>GENEVA (AP) — Armenia and Azerbaijan resumed talks on the peace treaty in Geneva on Monday, officials of both foreign ministries said after the first session of the new round ended in the evening.</p>
<p>The delegations discussed the delimitation of the border and the opening of transport links, and agreed to meet again next week in the same format, the statements said.</p>
<p>Diplomats from the European Union and the United States attended the opening session as observers, according to a joint statement released by the hosts.</p>
</article>
<footer>© 2026 Example News. All rights reserved.</footer>
</body></html>`

func TestParseHTML(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	dated := strings.Replace(htmlPage, "%s", `<meta property="article:published_time" content="2026-11-20T08:30:00Z">`, 1)
	undated := strings.Replace(htmlPage, "%s", "", 1)
	tests := []struct {
		name    string
		file    string
		raw     string
		sidecar string
		wantErr error
		check   func(t *testing.T, a *Article)
	}{
		{name: "article page", file: "a.html", raw: dated, check: func(t *testing.T, a *Article) {
			if a.Title != "Talks resume in Geneva" || a.TitleSynthesized {
				t.Errorf("title = %q", a.Title)
			}
			if a.Source != "Example News" {
				t.Errorf("source = %q", a.Source)
			}
			if a.URL != "https://news.example.org/2026/11/talks-resume" {
				t.Errorf("url = %q", a.URL)
			}
			if want := time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC); !a.Published.Equal(want) {
				t.Errorf("published = %v, want %v", a.Published, want)
			}
			if a.Dateline != "GENEVA" || a.Agency != "AP" {
				t.Errorf("dateline, agency = %q, %q", a.Dateline, a.Agency)
			}
			if len(a.Body) != 3 || !strings.HasPrefix(a.Body[0], "Armenia and Azerbaijan resumed") {
				t.Errorf("body = %q", a.Body)
			}
			for _, b := range a.Body {
				if strings.Contains(b, "Home") || strings.Contains(b, "rights reserved") {
					t.Errorf("chrome in the body: %q", b)
				}
			}
		}},
		{name: "no date metadata stays undated", file: "b.htm", raw: undated, check: func(t *testing.T, a *Article) {
			if !a.Published.IsZero() {
				t.Errorf("published = %v, want none: a date must be stated", a.Published)
			}
		}},
		{name: "upper-case extension", file: "c.HTML", raw: dated, check: func(t *testing.T, a *Article) {
			if a.URL == "" {
				t.Error("not parsed as HTML")
			}
		}},
		{name: "future date ignored", file: "d.html", raw: strings.Replace(htmlPage, "%s", `<meta property="article:published_time" content="2030-01-01T00:00:00Z">`, 1),
			check: func(t *testing.T, a *Article) {
				if !a.Published.IsZero() {
					t.Errorf("published = %v, warnings %q", a.Published, a.Warnings)
				}
			}},
		{name: "sidecar wins", file: "e.html", raw: dated, sidecar: `{"url":"https://origin.example.com/x","title":"Other title"}`,
			check: func(t *testing.T, a *Article) {
				if a.URL != "https://origin.example.com/x" || a.Title != "Other title" {
					t.Errorf("url, title = %q, %q", a.URL, a.Title)
				}
			}},
		{name: "windows-1252", file: "w.html", raw: "<html><head><meta charset=\"windows-1252\"></head><body><article><p>The Ch\xe2teau talks between the two delegations resumed on Monday in the capital, officials from both sides confirmed in separate statements to the press.</p><p>They will meet again next week to continue discussing the open questions of the draft, the statements added on Monday evening.</p></article></body></html>",
			check: func(t *testing.T, a *Article) {
				if !strings.Contains(a.Body[0], "Château") {
					t.Errorf("body[0] = %q, want the accent decoded", a.Body[0])
				}
			}},
		{name: "empty", file: "f.html", raw: "  \n", wantErr: ErrEmpty},
		{name: "binary", file: "g.html", raw: "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00", wantErr: ErrBinary},
		{name: "too large", file: "h.html", raw: strings.Repeat("x", MaxSize+1), wantErr: ErrTooLarge},
		{name: "no text", file: "i.html", raw: "<html><head><title>x</title></head><body><nav><a href=/>Home</a></nav></body></html>", wantErr: ErrNoText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := Evidence{Now: now}
			if tt.sidecar != "" {
				ev.Sidecar = []byte(tt.sidecar)
			}
			a, err := Parse(tt.file, []byte(tt.raw), ev)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.file) {
					t.Fatalf("err = %v, want %v naming %s", err, tt.wantErr, tt.file)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkClean(t, a)
			tt.check(t, a)
		})
	}
	if k := LineKeys("a.html", []byte(dated)); k != nil {
		t.Errorf("LineKeys of an HTML page = %v, want none", k)
	}
}

func FuzzParseHTML(f *testing.F) {
	f.Add([]byte(strings.Replace(htmlPage, "%s", `<meta property="article:published_time" content="2026-11-20T08:30:00Z">`, 1)))
	f.Add([]byte("<html><body><p>One sentence of prose, long enough to be kept as text.</p></body></html>"))
	f.Add([]byte("<p>\xff\xfe broken <b>bytes"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		a, err := Parse("fuzz.html", raw, Evidence{Now: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return
		}
		checkClean(t, a)
		if len(a.Body) == 0 {
			t.Fatal("parse succeeded with an empty body")
		}
	})
}

// TestStatedTime checks where an HTML seed's publication time comes from:
// the first standard meta tag that states a full time, in document order,
// so a page that states several gives the same one on every parse.
func TestStatedTime(t *testing.T) {
	tests := []struct {
		name, head string
		want       time.Time
		ok         bool
	}{
		{"open graph", `<meta property="article:published_time" content="2026-11-20T08:30:00+04:00">`,
			time.Date(2026, 11, 20, 4, 30, 0, 0, time.UTC), true},
		{"schema.org", `<meta itemprop="datePublished" content="2026-11-20T08:30:00Z">`,
			time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC), true},
		{"the first of two", `<meta property="article:published_time" content="2026-11-20T06:37:00Z"><meta property="article:published_time" content="2026-11-20T06:40:00Z">`,
			time.Date(2026, 11, 20, 6, 37, 0, 0, time.UTC), true},
		{"a day only", `<meta property="article:published_time" content="2026-11-20">`, time.Time{}, false},
		{"garbage", `<meta property="article:published_time" content="yesterday">`, time.Time{}, false},
		{"none", ``, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, _, err := parseDocument([]byte(strings.Replace(htmlPage, "%s", tt.head, 1)))
			if err != nil {
				t.Fatal(err)
			}
			got, ok := statedTime(doc)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Errorf("statedTime = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestHTMLDateSkipsExtensiveSearch holds the option go.mod's replacement of
// go-dateparser rests on: with the extensive search on, htmldate would call
// internal/nodateparser, which finds no date, and HTML seeds would silently
// lose the dates it found.
func TestHTMLDateSkipsExtensiveSearch(t *testing.T) {
	if !htmlDateOptions.SkipExtensiveSearch {
		t.Fatal("htmlDateOptions.SkipExtensiveSearch is false: go-dateparser is replaced by internal/nodateparser, which parses nothing; restore the real module in go.mod first")
	}
}
