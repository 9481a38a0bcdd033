package digest_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestAnswerPagesWrapTheAddress checks that the subscription pages' style
// lets a long word break: their heading names the address ("Subscribe
// anna.petrosyan@gmail.com?", "Unsubscribe …?"), one word that at the
// heading's size is wider than a phone's screen, where it was cut off at
// the right edge and the page scrolled sideways (seen in chromium at 390
// px). The preferences page has had the rule for its address since.
func TestAnswerPagesWrapTheAddress(t *testing.T) {
	const addr = "anna.petrosyan@gmail.com"
	_, d, srv := newWebEnv(t)
	pages := map[string]response{
		"subscribe":        do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {addr}}),
		"unsubscribe page": do(t, srv, http.MethodGet, "/unsubscribe?t="+url.QueryEscape(unsubscribeToken(t, d.UnsubscribeURL(addr))), nil),
	}
	wrap := regexp.MustCompile(`body\{[^}]*overflow-wrap:\s*break-word`)
	for name, res := range pages {
		if !strings.Contains(res.body, addr) {
			t.Fatalf("%s: %d %q, want a page naming %s", name, res.code, res.body, addr)
		}
		if !wrap.MatchString(res.body) {
			t.Errorf("%s: the style lets no long word (the address) break: overflow-wrap on body", name)
		}
	}
}
