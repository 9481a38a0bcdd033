package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/kdigest/kdigest/feed"
)

// TestLongWordsWrap checks that a word wider than a phone's screen (a
// scraped page's long link) may break in every page's text. Without a rule
// that lets it, the article page, its card on the front and theme pages
// widened past a 390 px screen, which then scrolled sideways (seen in
// chromium); the digest's card has had the rule since the same was seen
// in its email. The rule is break-word, not anywhere: anywhere also lets
// the words of a flex row shrink, and the front page's list of theme
// feeds then read "Ato m" and "RS S" on a phone.
func TestLongWordsWrap(t *testing.T) {
	const link = "https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PLxyzABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop0123456789"
	const id = "long_link"
	text := "Armenia and Azerbaijan hold peace talks in Porto\n\nPublished: 20 November 2026\n\n" +
		"Armenian Prime Minister Nikol Pashinyan and Azerbaijani President Ilham Aliyev met in Porto on Friday for peace talks on the Nagorno-Karabakh conflict, video " + link + " of the summit.\n\n" +
		"The leaders held talks with the mediators on the peace treaty and agreed to continue the negotiations, officials in Baku and Yerevan said.\n\n" +
		"The summit in Porto was the third round of talks between the two leaders this year, diplomats said.\n"
	c := openCorpusWith(t, feed.Options{}, map[string][]byte{id + ".txt": []byte(text)})
	h, err := NewServer(Options{Snapshot: c.Snapshot, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	e, ok := c.Snapshot().Article(id)
	if !ok || len(e.Class.Themes) == 0 {
		t.Fatalf("article %s: found %v, themes %v; the test needs one shown in a theme", id, ok, e.Class.Themes)
	}
	for _, path := range []string{"/", "/themes/" + e.Class.Themes[0], "/articles/" + id} {
		_, body := do(t, h, http.MethodGet, path, nil)
		if !strings.Contains(parsePage(t, body).text, link) {
			t.Errorf("%s: the long link is not on the page; the test needs it there", path)
		}
		if !wraps(string(body), "body") {
			t.Errorf("%s: the style lets no long word break in the page's body (overflow-wrap: break-word)", path)
		}
	}
}

// wraps reports whether page's style sets overflow-wrap (or word-wrap) to
// break-word in a rule for selector.
func wraps(page, selector string) bool {
	rule := regexp.MustCompile(`(?:^|[}\s])` + regexp.QuoteMeta(selector) + `\{([^}]*)\}`)
	decl := regexp.MustCompile(`(?:overflow-wrap|word-wrap)\s*:\s*break-word`)
	for _, m := range rule.FindAllStringSubmatch(page, -1) {
		if decl.MatchString(m[1]) {
			return true
		}
	}
	return false
}
