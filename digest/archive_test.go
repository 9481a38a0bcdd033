package digest_test

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/digest"
	"github.com/kdigest/kdigest/feed/web"
	"github.com/kdigest/kdigest/internal/atomcheck"
	"github.com/mmcdole/gofeed"
)

// newSite serves the whole site as serve does: the web server with the
// digest's routes and archive. It trusts loopback as a proxy, so a test
// speaks for many clients with X-Forwarded-For.
func newSite(t *testing.T, e *env, d *digest.Digest) *httptest.Server {
	t.Helper()
	h, err := web.NewServer(web.Options{Snapshot: e.corpus.Snapshot, Routes: d.Routes(), Archive: d.Archive(), Now: e.clock.Now,
		BaseURL: baseURL, CrossSiteExempt: []string{digest.OneClickUnsubscribe},
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// path is the path of one of the site's absolute links.
func path(t *testing.T, link string) string {
	t.Helper()
	p, ok := strings.CutPrefix(link, baseURL)
	if !ok {
		t.Fatalf("link %q is not on the site", link)
	}
	return p
}

// inLayout reports whether body is a page of the site: its header, feed
// links and footer.
func inLayout(body string) bool {
	return strings.Contains(body, `<header class="site">`) && strings.Contains(body, `href="`+baseURL+`/feed.atom"`) &&
		strings.Contains(body, `<footer class="site">`)
}

// TestArchivePages checks /digests and /digests/{id}: pages of the site,
// the issue as its readers received it (every theme, every item), and no
// sign of who or how many received it.
func TestArchivePages(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	srv := newSite(t, e, d)

	res := do(t, srv, http.MethodGet, "/digests", nil)
	if res.code != http.StatusOK || !inLayout(res.body) || !strings.Contains(res.body, "No digest has been sent yet") {
		t.Errorf("empty /digests = %d, in layout %v: %q", res.code, inLayout(res.body), res.body)
	}
	plan, err := d.Plan(context.Background(), digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep, msgs := sendToThree(t, e, d)
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3", len(msgs))
	}

	res = do(t, srv, http.MethodGet, "/digests", nil)
	if res.code != http.StatusOK || !inLayout(res.body) || !strings.Contains(res.body, `href="`+baseURL+`/digests/`+rep.DigestID+`"`) {
		t.Errorf("/digests = %d, in layout %v, want a link to %s: %q", res.code, inLayout(res.body), rep.DigestID, res.body)
	}
	if !strings.Contains(res.body, plan.Period) || !strings.Contains(res.body, "5 new articles") {
		t.Errorf("/digests does not show the period %q and its 5 articles", plan.Period)
	}

	res = do(t, srv, http.MethodGet, "/digests/"+rep.DigestID, nil)
	if res.code != http.StatusOK || !inLayout(res.body) || res.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("/digests/%s = %d %q, in layout %v", rep.DigestID, res.code, res.header.Get("Content-Type"), inLayout(res.body))
	}
	page := html.UnescapeString(res.body)
	if len(plan.Sections) < 2 {
		t.Fatalf("the issue has %d themes; the test needs several", len(plan.Sections))
	}
	for _, sec := range plan.Sections {
		if !strings.Contains(page, sec.Name) || !strings.Contains(page, `<section id="`+sec.ID+`">`) {
			t.Errorf("the page lacks the theme %q", sec.Name)
		}
		for _, it := range sec.Items {
			for _, want := range []string{it.Title, it.Summary, it.Date, `href="` + it.URL + `"`} {
				if !strings.Contains(page, want) {
					t.Errorf("the page lacks %q of item %q", want, it.Title)
				}
			}
			for _, a := range it.Also {
				if !strings.Contains(page, `href="`+a.URL+`">`+a.Outlet+`</a>`) {
					t.Errorf("the page lacks %q as another outlet of %q", a.Outlet, it.Title)
				}
			}
		}
	}
	for _, pg := range []response{do(t, srv, http.MethodGet, "/digests", nil), res} {
		for _, leak := range []string{"/unsubscribe?t=", "ann@example.org", "bob@example.org", "3 sent", "recipient", "subscriber"} {
			if strings.Contains(strings.ToLower(pg.body), leak) {
				t.Errorf("an archive page shows %q", leak)
			}
		}
	}

	for _, id := range []string{"nope", "2", "2026-11-23-080000", "..%2F..%2Fetc"} {
		res := do(t, srv, http.MethodGet, "/digests/"+id, nil)
		if res.code != http.StatusNotFound || !inLayout(res.body) || !strings.Contains(res.body, "There is no digest with this id.") {
			t.Errorf("/digests/%s = %d, want the site's 404 page", id, res.code)
		}
	}
}

// TestViewInBrowser checks the "view in browser" link of a real send and
// of a preview made before it: both lead to the issue's page.
func TestViewInBrowser(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	srv := newSite(t, e, d)
	subscribe(t, d, "ann@example.org")

	preview := filepath.Join(t.TempDir(), "d.html")
	is, err := d.Preview(context.Background(), preview, digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(preview)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `href="`+is.WebURL+`"`) {
		t.Fatalf("the preview has no link to %s", is.WebURL)
	}
	if res := do(t, srv, http.MethodGet, path(t, is.WebURL), nil); res.code != http.StatusNotFound {
		t.Errorf("before the send, %s = %d, want 404", is.WebURL, res.code)
	}
	e.clock.Advance(time.Hour) // the operator reads the preview, then sends
	rep, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil || rep.Sent != 1 {
		t.Fatalf("run: %+v, %v", rep, err)
	}
	if want := baseURL + "/digests/" + rep.DigestID; is.WebURL != want {
		t.Errorf("the preview links to %s, the issue's page is %s", is.WebURL, want)
	}
	msgs := e.smtp.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := parseMessage(t, msgs[0].Data)
	for _, part := range []string{m.Text, m.HTML} {
		if !strings.Contains(part, is.WebURL) {
			t.Errorf("the sent message has no link to %s", is.WebURL)
		}
	}
	res := do(t, srv, http.MethodGet, path(t, is.WebURL), nil)
	if res.code != http.StatusOK || !strings.Contains(html.UnescapeString(res.body), is.Sections[0].Items[0].Title) {
		t.Errorf("view in browser %s = %d, want the issue", is.WebURL, res.code)
	}

	// The next preview links to the next issue's page.
	e.clock.Advance(7 * 24 * time.Hour)
	next, err := d.Plan(context.Background(), digest.RunOptions{SendEmpty: true})
	if err != nil {
		t.Fatal(err)
	}
	if next.WebURL == is.WebURL {
		t.Errorf("the next preview links to the sent issue's page %s", next.WebURL)
	}
	rep2, err := d.Run(context.Background(), digest.RunOptions{SendEmpty: true})
	if err != nil || rep2.DigestID == "" {
		t.Fatalf("second run: %+v, %v", rep2, err)
	}
	if want := baseURL + "/digests/" + rep2.DigestID; next.WebURL != want {
		t.Errorf("the second preview links to %s, the issue's page is %s", next.WebURL, want)
	}
}

// TestOneOffKeptOutOfTheArchive is issue 14's: a digest sent with --to is
// not listed and has no guessable page, yet its recipients' "view in
// browser" link works.
func TestOneOffKeptOutOfTheArchive(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	srv := newSite(t, e, d)
	rep, err := d.Run(context.Background(), digest.RunOptions{To: []string{"ed@example.org"}})
	if err != nil || rep.Sent != 1 {
		t.Fatalf("one-off: %+v, %v", rep, err)
	}
	if !regexp.MustCompile(`^to-[0-9a-f]{32}$`).MatchString(rep.DigestID) {
		t.Fatalf("one-off id %q, want a random one", rep.DigestID)
	}
	m := parseMessage(t, e.smtp.messages()[0].Data)
	link := regexp.MustCompile(regexp.QuoteMeta(baseURL) + `/digests/[^\s"<>]+`).FindString(m.Text)
	if link != baseURL+"/digests/"+rep.DigestID {
		t.Fatalf("the one-off's view-in-browser link is %q", link)
	}
	if res := do(t, srv, http.MethodGet, path(t, link), nil); res.code != http.StatusOK {
		t.Errorf("the recipient's link = %d, want 200", res.code)
	}
	list := do(t, srv, http.MethodGet, "/digests", nil)
	atom := do(t, srv, http.MethodGet, "/digests.atom", nil)
	for name, res := range map[string]response{"/digests": list, "/digests.atom": atom} {
		if res.code != http.StatusOK || strings.Contains(res.body, rep.DigestID) || strings.Contains(res.body, "/digests/to-") {
			t.Errorf("%s = %d and names the one-off", name, res.code)
		}
	}
	if !strings.Contains(list.body, "No digest has been sent yet") {
		t.Error("/digests lists something although only a one-off was sent")
	}
	// What a visitor could guess: its time, the first numbers.
	for _, id := range []string{"2026-11-23-080000", "1", "0", "to-", "to-0"} {
		if res := do(t, srv, http.MethodGet, "/digests/"+id, nil); res.code != http.StatusNotFound {
			t.Errorf("/digests/%s = %d, want 404", id, res.code)
		}
	}
}

// TestArchiveFeed checks /digests.atom: valid Atom, one entry per digest
// to subscribers, newest first, each the issue as its page shows it, and
// served with the feeds' caching headers.
func TestArchiveFeed(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	srv := newSite(t, e, d)

	res := do(t, srv, http.MethodGet, "/digests.atom", nil)
	if res.code != http.StatusOK || res.header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
		t.Fatalf("empty /digests.atom = %d %q", res.code, res.header.Get("Content-Type"))
	}
	if f, err := atomcheck.Validate([]byte(res.body)); err != nil || len(f.Entries) != 0 {
		t.Fatalf("empty /digests.atom: %v (%+v)", err, f)
	}

	first, _ := sendToThree(t, e, d)
	e.clock.Advance(7 * 24 * time.Hour)
	second, err := d.Run(context.Background(), digest.RunOptions{SendEmpty: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Run(context.Background(), digest.RunOptions{To: []string{"ed@example.org"}, Since: e.clock.Now().Add(-time.Second), SendEmpty: true}); err != nil {
		t.Fatal(err)
	}

	res = do(t, srv, http.MethodGet, "/digests.atom", nil)
	// A poll that finds the same issues gets the same document: 304.
	if again := doWith(t, srv, http.MethodGet, "/digests.atom", nil, map[string]string{"If-None-Match": res.header.Get("ETag")}); again.code != http.StatusNotModified {
		t.Errorf("/digests.atom polled again with its ETag = %d, want 304", again.code)
	}
	f, err := atomcheck.Validate([]byte(res.body))
	if err != nil {
		t.Fatalf("/digests.atom is not valid Atom: %v\n%s", err, res.body)
	}
	if f.ID != "tag:kdigest.example.org,2026:digests" || f.Links["self"] != baseURL+"/digests.atom" || f.Links["alternate"] != baseURL+"/digests" {
		t.Errorf("feed id %q links %v", f.ID, f.Links)
	}
	ids := []string{second.DigestID, first.DigestID}
	if len(f.Entries) != len(ids) {
		t.Fatalf("%d entries, want %d (the digests to subscribers)", len(f.Entries), len(ids))
	}
	for i, id := range ids {
		en := f.Entries[i]
		issue, err := d.Archive().Issue(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if en.ID != "tag:kdigest.example.org,2026:digest/"+id || en.Links["alternate"] != baseURL+"/digests/"+id || en.ContentType != "html" {
			t.Errorf("entry %d = id %q links %v content type %q, want digest %s", i, en.ID, en.Links, en.ContentType, id)
		}
		if en.Published == "" || en.Updated != en.Published {
			t.Errorf("entry %d: published %q updated %q, want both, equal", i, en.Published, en.Updated)
		}
		content := html.UnescapeString(en.Content)
		for _, sec := range issue.Sections {
			want := []string{"<h2>" + sec.Name + "</h2>"}
			for _, it := range sec.Items {
				want = append(want, `<h3><a href="`+it.URL+`">`+it.Title+`</a></h3>`, it.Summary, it.Date)
				for _, a := range it.Also {
					want = append(want, `<a href="`+a.URL+`">`+a.Outlet+`</a>`)
				}
			}
			for _, w := range want {
				if !strings.Contains(content, w) {
					t.Errorf("entry %d content lacks %q", i, w)
				}
			}
		}
	}
	if !strings.Contains(f.Entries[1].Content, `<h2>`) || !strings.Contains(f.Entries[0].Content, "A quiet week") {
		t.Errorf("entries' content: %q / %q", f.Entries[0].Content, f.Entries[1].Content)
	}
	if err := atomcheck.Schema([]byte(res.body)); err != nil && !errors.Is(err, atomcheck.ErrNoJing) {
		t.Errorf("/digests.atom against RFC 4287's grammar: %v", err)
	}
	parsed, err := gofeed.NewParser().ParseString(res.body)
	if err != nil || len(parsed.Items) != 2 || parsed.Items[1].Title != first.Subject {
		t.Errorf("gofeed: %v, %+v", err, parsed)
	}

	etag := res.header.Get("ETag")
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/digests.atom", nil)
	req.Header.Set("If-None-Match", etag)
	again, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if etag == "" || again.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET with ETag %q = %d, want 304", etag, again.StatusCode)
	}
	if res.header.Get("Last-Modified") == "" || res.header.Get("Cache-Control") == "" {
		t.Errorf("headers %v, want Last-Modified and Cache-Control", res.header)
	}
}

// TestArchiveErrors checks that a ledger that cannot be read gives a 500
// and a log line, never a page that pretends.
func TestArchiveErrors(t *testing.T) {
	tests := []struct {
		name, sql string
		paths     []string
	}{
		{"no digests table", `ALTER TABLE digests RENAME TO gone`, []string{"/digests", "/digests/1", "/digests.atom"}},
		{"a stored issue that does not decode", `UPDATE digests SET issue = '{'`, []string{"/digests/1", "/digests.atom"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.digest(t)
			srv := newSite(t, e, d)
			sendToThree(t, e, d)
			if _, err := e.db.Exec(tc.sql); err != nil {
				t.Fatal(err)
			}
			for _, p := range tc.paths {
				if res := do(t, srv, http.MethodGet, p, nil); res.code != http.StatusInternalServerError {
					t.Errorf("%s = %d, want 500", p, res.code)
				}
			}
		})
	}
}
