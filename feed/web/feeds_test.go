package web

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/internal/atomcheck"
	"github.com/mmcdole/gofeed"
)

// feedRoutes are every pre-rendered document the site serves, with its
// media type.
var feedRoutes = []struct {
	path, ctype string
}{
	{"/feed.atom", "application/atom+xml; charset=utf-8"},
	{"/feed.rss", "application/rss+xml; charset=utf-8"},
	{"/feed.json", "application/feed+json; charset=utf-8"},
	{"/themes/summits.atom", "application/atom+xml; charset=utf-8"},
	{"/themes/transport.atom", "application/atom+xml; charset=utf-8"},
	{"/themes/summits.rss", "application/rss+xml; charset=utf-8"},
	{"/themes/summits.json", "application/feed+json; charset=utf-8"},
	{"/feeds.opml", "text/x-opml; charset=utf-8"},
}

func TestFeedHeaders(t *testing.T) {
	h, snap := newHandler(t, Options{})
	for _, tc := range feedRoutes {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := do(t, h, http.MethodGet, tc.path, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200", resp.StatusCode)
			}
			doc, ok := snap.Document(strings.TrimPrefix(tc.path, "/"))
			if !ok {
				t.Fatalf("snapshot has no document %s", tc.path)
			}
			if !bytes.Equal(body, doc.Body) {
				t.Errorf("body differs from the snapshot's document (%d vs %d bytes)", len(body), len(doc.Body))
			}
			etag := resp.Header.Get("ETag")
			want := map[string]string{
				"Content-Type":     tc.ctype,
				"Cache-Control":    "public, max-age=300",
				"Vary":             "Accept-Encoding",
				"ETag":             doc.ETag,
				"Last-Modified":    doc.Modified.UTC().Format(http.TimeFormat),
				"Content-Encoding": "",
			}
			for k, v := range want {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if strings.HasPrefix(etag, "W/") || len(etag) < 3 || etag[0] != '"' || etag[len(etag)-1] != '"' {
				t.Errorf("ETag = %q, want a strong quoted tag", etag)
			}
			if doc.Modified.IsZero() {
				t.Error("document has no Modified time")
			}
		})
	}
}

func TestFeedGzip(t *testing.T) {
	h, _ := newHandler(t, Options{})
	for _, tc := range feedRoutes {
		t.Run(tc.path, func(t *testing.T) {
			plainResp, plain := do(t, h, http.MethodGet, tc.path, nil)
			resp, body := do(t, h, http.MethodGet, tc.path, map[string]string{"Accept-Encoding": "gzip, deflate, br"})
			if got := resp.Header.Get("Content-Encoding"); got != "gzip" {
				t.Fatalf("Content-Encoding = %q, want gzip", got)
			}
			if got := resp.Header.Get("Content-Type"); got != tc.ctype {
				t.Errorf("Content-Type = %q, want %q", got, tc.ctype)
			}
			if got := resp.Header.Get("Vary"); got != "Accept-Encoding" {
				t.Errorf("Vary = %q, want Accept-Encoding", got)
			}
			etag, plainTag := resp.Header.Get("ETag"), plainResp.Header.Get("ETag")
			if etag == plainTag || strings.HasPrefix(etag, "W/") || !strings.HasSuffix(etag, `"`) {
				t.Errorf("gzip ETag = %q, want a strong tag other than the plain %q", etag, plainTag)
			}
			if len(body) >= len(plain) {
				t.Errorf("gzip body %d bytes, plain %d: not compressed", len(body), len(plain))
			}
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("gunzip: %v", err)
			}
			got, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("gunzip: %v", err)
			}
			if !bytes.Equal(got, plain) {
				t.Error("gunzipped body differs from the plain body")
			}
		})
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		name, header string
		want         bool
	}{
		{"absent", "", false},
		{"gzip", "gzip", true},
		{"list", "deflate, gzip, br", true},
		{"upper case", "GZIP", true},
		{"with q", "gzip;q=0.5", true},
		{"q=0", "gzip;q=0", false},
		{"q=0 spaced", "gzip ; q=0", false},
		{"q=0.000", "gzip;q=0.000", false},
		{"upper Q=0", "gzip;Q=0", false},
		{"star", "*", true},
		{"star q=0", "*;q=0", false},
		{"star refused but gzip allowed", "*;q=0, gzip", true},
		{"gzip refused despite star", "*, gzip;q=0", false},
		{"identity only", "identity", false},
		{"x-gzip-like name", "xgzip", false},
		{"x-gzip", "x-gzip", true},
		{"bad q", "gzip;q=abc", false},
		{"other param", "gzip;level=1", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, "/feed.atom", nil)
			if tc.header != "" {
				r.Header.Set("Accept-Encoding", tc.header)
			}
			if got := acceptsGzip(r); got != tc.want {
				t.Errorf("acceptsGzip(%q) = %v, want %v", tc.header, got, tc.want)
			}
		})
	}
}

func TestFeedGzipRefused(t *testing.T) {
	h, _ := newHandler(t, Options{})
	_, plain := do(t, h, http.MethodGet, "/feed.atom", nil)
	resp, body := do(t, h, http.MethodGet, "/feed.atom", map[string]string{"Accept-Encoding": "gzip;q=0, identity"})
	if got := resp.Header.Get("Content-Encoding"); got != "" {
		t.Errorf("Content-Encoding = %q, want none", got)
	}
	if !bytes.Equal(body, plain) {
		t.Error("body is not the plain body")
	}
}

func TestFeedNotModified(t *testing.T) {
	h, _ := newHandler(t, Options{})
	for _, tc := range feedRoutes {
		t.Run(tc.path, func(t *testing.T) {
			first, _ := do(t, h, http.MethodGet, tc.path, nil)
			firstGz, _ := do(t, h, http.MethodGet, tc.path, map[string]string{"Accept-Encoding": "gzip"})
			etag, gzTag, lastMod := first.Header.Get("ETag"), firstGz.Header.Get("ETag"), first.Header.Get("Last-Modified")
			cases := []struct {
				name   string
				header map[string]string
				want   int
			}{
				{"if-none-match", map[string]string{"If-None-Match": etag}, http.StatusNotModified},
				{"if-none-match list", map[string]string{"If-None-Match": `"nope", ` + etag}, http.StatusNotModified},
				{"if-none-match star", map[string]string{"If-None-Match": "*"}, http.StatusNotModified},
				{"if-none-match gzip", map[string]string{"If-None-Match": gzTag, "Accept-Encoding": "gzip"}, http.StatusNotModified},
				{"gzip tag without gzip", map[string]string{"If-None-Match": gzTag}, http.StatusOK},
				{"plain tag with gzip", map[string]string{"If-None-Match": etag, "Accept-Encoding": "gzip"}, http.StatusOK},
				{"weak tag", map[string]string{"If-None-Match": "W/" + etag}, http.StatusNotModified},
				{"unquoted tag", map[string]string{"If-None-Match": strings.Trim(etag, `"`)}, http.StatusOK},
				{"stale tag", map[string]string{"If-None-Match": `"stale"`}, http.StatusOK},
				{"stale tag wins over date", map[string]string{"If-None-Match": `"stale"`, "If-Modified-Since": lastMod}, http.StatusOK},
				{"if-modified-since", map[string]string{"If-Modified-Since": lastMod}, http.StatusNotModified},
				{"if-modified-since later", map[string]string{"If-Modified-Since": testNow.AddDate(0, 0, 1).Format(http.TimeFormat)}, http.StatusNotModified},
				{"if-modified-since unreadable", map[string]string{"If-Modified-Since": "yesterday"}, http.StatusOK},
				{"if-modified-since earlier", map[string]string{"If-Modified-Since": testNow.AddDate(0, 0, -1).Format(http.TimeFormat)}, http.StatusOK},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					resp, body := do(t, h, http.MethodGet, tc.path, c.header)
					if resp.StatusCode != c.want {
						t.Fatalf("status = %d, want %d", resp.StatusCode, c.want)
					}
					if c.want != http.StatusNotModified {
						return
					}
					if len(body) != 0 {
						t.Errorf("304 has a %d-byte body", len(body))
					}
					for _, k := range []string{"ETag", "Cache-Control", "Vary"} {
						if resp.Header.Get(k) == "" {
							t.Errorf("304 lacks %s", k)
						}
					}
				})
			}
		})
	}
}

func TestFeedHead(t *testing.T) {
	h, _ := newHandler(t, Options{})
	for _, tc := range feedRoutes {
		for _, enc := range []string{"", "gzip"} {
			t.Run(tc.path+"/"+enc, func(t *testing.T) {
				hdr := map[string]string{"Accept-Encoding": enc}
				get, getBody := do(t, h, http.MethodGet, tc.path, hdr)
				head, body := do(t, h, http.MethodHead, tc.path, hdr)
				if head.StatusCode != http.StatusOK {
					t.Fatalf("status = %d, want 200", head.StatusCode)
				}
				if len(body) != 0 {
					t.Errorf("HEAD body is %d bytes, want none", len(body))
				}
				for _, k := range []string{"Content-Type", "Content-Length", "Content-Encoding", "ETag", "Last-Modified", "Cache-Control", "Vary"} {
					if got, want := head.Header.Get(k), get.Header.Get(k); got != want {
						t.Errorf("HEAD %s = %q, GET has %q", k, got, want)
					}
				}
				if got, want := head.Header.Get("Content-Length"), len(getBody); got != strconv.Itoa(want) {
					t.Errorf("Content-Length = %s, want %d", got, want)
				}
			})
		}
	}
}

func TestBadMethods(t *testing.T) {
	h, _ := newHandler(t, Options{})
	paths := []string{"/feed.atom", "/feed.rss", "/feed.json", "/feeds.opml", "/themes/summits.atom", "/articles/001_3d14f15a5a4da934", "/"}
	for _, p := range paths {
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
			t.Run(m+p, func(t *testing.T) {
				resp, _ := do(t, h, m, p, nil)
				if resp.StatusCode != http.StatusMethodNotAllowed {
					t.Fatalf("status = %d, want 405", resp.StatusCode)
				}
				if got := resp.Header.Get("Allow"); got != "GET, HEAD" {
					t.Errorf("Allow = %q, want %q", got, "GET, HEAD")
				}
			})
		}
	}
	t.Run("POST unknown path is 404", func(t *testing.T) {
		resp, _ := do(t, h, http.MethodPost, "/no/such/thing", nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("status = %d, want 404", resp.StatusCode)
		}
	})
}

// TestFeedsParse reads every served feed as a feed reader would (gofeed),
// and every Atom document with a strict XML decoder.
func TestFeedsParse(t *testing.T) {
	h, snap := newHandler(t, Options{})
	visible := len(snap.Visible())
	for _, d := range snap.Documents() {
		t.Run(d, func(t *testing.T) {
			_, body := do(t, h, http.MethodGet, "/"+d, nil)
			if strings.HasSuffix(d, ".atom") {
				if _, err := atomcheck.Validate(body); err != nil {
					t.Errorf("not valid Atom: %v", err)
				}
			}
			if d == "feeds.opml" {
				strictXML(t, body)
				return
			}
			f, err := gofeed.NewParser().ParseString(string(body))
			if err != nil {
				t.Fatalf("gofeed: %v", err)
			}
			if f.Title == "" {
				t.Error("feed has no title")
			}
			if len(f.Items) == 0 {
				t.Fatal("feed has no items")
			}
			if strings.HasPrefix(d, "feed.") && len(f.Items) != visible {
				t.Errorf("items = %d, want %d (every visible article)", len(f.Items), visible)
			}
			for _, it := range f.Items {
				e, ok := snap.Article(strings.TrimPrefix(it.Link, testBase+"/articles/"))
				if !ok {
					t.Errorf("item link %q is not an article page", it.Link)
					continue
				}
				if it.GUID != e.GUID() {
					t.Errorf("item %s id = %q, want %q", e.ID, it.GUID, e.GUID())
				}
				if it.Title != e.Title {
					t.Errorf("item %s title = %q, want %q", e.ID, it.Title, e.Title)
				}
				if it.UpdatedParsed == nil && it.PublishedParsed == nil {
					t.Errorf("item %s has no date", e.ID)
				}
			}
		})
	}
}

// TestAtomSchema validates every served Atom feed against RFC 4287's
// RELAX NG grammar with jing.
func TestAtomSchema(t *testing.T) {
	h, snap := newHandler(t, Options{})
	var docs [][]byte
	for _, d := range snap.Documents() {
		if strings.HasSuffix(d, ".atom") {
			_, body := do(t, h, http.MethodGet, "/"+d, nil)
			docs = append(docs, body)
		}
	}
	if len(docs) < 2 {
		t.Fatalf("%d Atom feeds, want the main one and the themes'", len(docs))
	}
	err := atomcheck.Schema(docs...)
	if errors.Is(err, atomcheck.ErrNoJing) {
		t.Skip("jing is not installed (apt-get install jing)")
	}
	if err != nil {
		t.Error(err)
	}
}

// strictXML fails the test unless body is well-formed XML.
func strictXML(t *testing.T, body []byte) {
	t.Helper()
	if err := atomcheck.StrictXML(body); err != nil {
		t.Fatal(err)
	}
}

// TestFeedRareConditionals covers what the handler leaves to
// http.ServeContent: ranges, If-Match and If-Unmodified-Since.
func TestFeedRareConditionals(t *testing.T) {
	h, snap := newHandler(t, Options{})
	doc, _ := snap.Document("feed.atom")
	past := doc.Modified.Add(-time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		name     string
		header   map[string]string
		want     int
		wantBody []byte
	}{
		{"range", map[string]string{"Range": "bytes=0-9"}, http.StatusPartialContent, doc.Body[:10]},
		{"gzip range", map[string]string{"Range": "bytes=0-9", "Accept-Encoding": "gzip"}, http.StatusPartialContent, doc.Gzip()[:10]},
		{"if-match", map[string]string{"If-Match": doc.ETag}, http.StatusOK, doc.Body},
		{"gzip if-match", map[string]string{"If-Match": strings.TrimSuffix(doc.ETag, `"`) + `-gzip"`, "Accept-Encoding": "gzip"}, http.StatusOK, doc.Gzip()},
		{"if-match fails", map[string]string{"If-Match": `"other"`}, http.StatusPreconditionFailed, nil},
		{"if-unmodified-since fails", map[string]string{"If-Unmodified-Since": past}, http.StatusPreconditionFailed, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, h, http.MethodGet, "/feed.atom", tc.header)
			if resp.StatusCode != tc.want {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tc.want)
			}
			if tc.wantBody != nil && !bytes.Equal(body, tc.wantBody) {
				t.Errorf("body = %q, want %q", body, tc.wantBody)
			}
			if tc.want == http.StatusOK && resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
				t.Errorf("Content-Length = %q, body %d bytes", resp.Header.Get("Content-Length"), len(body))
			}
		})
	}
}
