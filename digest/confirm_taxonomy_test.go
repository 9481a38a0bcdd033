package digest_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/kdigest/kdigest/digest"
	"github.com/kdigest/kdigest/feed/theme"
)

// TestConfirmAfterItsThemeWasRemoved: a visitor subscribes to Transport
// and trade; before they press Confirm, the operator restarts with a
// --themes file without that theme. The link can never confirm (its
// themes are checked against the taxonomy), yet the page said "Something
// went wrong on our side ... try again in a few minutes" with a 500 and
// Retry-After, for as long as the link lives.
func TestConfirmAfterItsThemeWasRemoved(t *testing.T) {
	e, _, srv := newWebEnv(t)
	if res := do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {"ann@example.org"}, "themes": {"transport"}}); res.code != http.StatusAccepted {
		t.Fatalf("subscribe = %d %s", res.code, res.body)
	}
	waitMail(t, e, 1)
	confirmation, _ := lastTo(t, e, "ann@example.org")
	link := regexp.MustCompile(`https://kdigest\.example\.org/subscribe/confirm\?t=\S+`).FindString(confirmation.Text)
	u, err := url.Parse(link)
	if err != nil || link == "" {
		t.Fatalf("no confirmation link in:\n%s", confirmation.Text)
	}
	raw, err := os.ReadFile("../feed/theme/default.toml")
	if err != nil {
		t.Fatal(err)
	}
	start, end := strings.Index(string(raw), "[[theme]]\nid = \"transport\""), strings.Index(string(raw), "[[theme]]\nid = \"humanitarian\"")
	if start < 0 || end < start {
		t.Fatal("default.toml: no transport theme before humanitarian")
	}
	tax, err := theme.Parse("themes.toml", append(raw[:start:start], raw[end:]...))
	if err != nil {
		t.Fatal(err)
	}
	restarted := newSite(t, e, e.digest(t, func(o *digest.Options) { o.Taxonomy = tax }))
	res := do(t, restarted, http.MethodPost, "/subscribe/confirm", url.Values{"t": {u.Query().Get("t")}})
	if res.code >= 500 || strings.Contains(res.body, "try again") {
		t.Errorf("confirming a link whose theme is no longer offered = %d (Retry-After %q), a page that says to try again:\n%s",
			res.code, res.header.Get("Retry-After"), res.body)
	}
	// Pressing it again later changes nothing.
	if again := do(t, restarted, http.MethodPost, "/subscribe/confirm", url.Values{"t": {u.Query().Get("t")}}); again.code >= 500 {
		t.Errorf("a second try = %d, the same failure", again.code)
	}
}

// TestConfirmAgainChangesThemes: a subscriber of Summits and talks fills
// in the form again with Security and Escalation and confirms the link;
// they get the themes they chose now (they kept the old ones, and were
// not told), and keep their daily cadence, which the form does not offer.
func TestConfirmAgainChangesThemes(t *testing.T) {
	e, d, srv := newWebEnv(t)
	subscribeWith(t, d, "ann@example.org", digest.Subscription{Themes: []string{"summits"}, Frequency: digest.Daily})
	if res := do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {"ann@example.org"}, "themes": {"security", "escalation"}}); res.code != http.StatusAccepted {
		t.Fatalf("subscribe = %d %s", res.code, res.body)
	}
	waitMail(t, e, 1)
	confirmation, _ := lastTo(t, e, "ann@example.org")
	link := regexp.MustCompile(`https://kdigest\.example\.org/subscribe/confirm\?t=\S+`).FindString(confirmation.Text)
	u, err := url.Parse(link)
	if err != nil || link == "" {
		t.Fatalf("no confirmation link in:\n%s", confirmation.Text)
	}
	if res := do(t, srv, http.MethodPost, "/subscribe/confirm", url.Values{"t": {u.Query().Get("t")}}); res.code != http.StatusOK {
		t.Fatalf("confirm = %d %s", res.code, res.body)
	}
	s, err := d.Subscriber(context.Background(), "ann@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.Themes, ","); got != "security,escalation" || s.Frequency != digest.Daily {
		t.Errorf("after confirming again: themes %q, %s; want security,escalation, daily", got, s.Frequency)
	}
}
