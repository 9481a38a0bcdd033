package digest_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
)

// TestPreferencesLinkOfPunycodeAddress checks that a preferences link
// naming its address with the domain in punycode (as every email sent
// before the ledger wrote domains in Unicode carries it, for an address
// typed so) finds its row, as its unsubscribe link does: its page shows
// the subscriber's choices, and a pause posted from it holds their
// digests back, not "you are not subscribed".
func TestPreferencesLinkOfPunycodeAddress(t *testing.T) {
	_, d, srv := newWebEnv(t)
	subscribe(t, d, "ann@bücher.de")
	tok := unsubscribeToken(t, d.PreferencesURL("ann@xn--bcher-kva.de"))
	if res := do(t, srv, http.MethodGet, "/preferences?t="+url.QueryEscape(tok), nil); res.code != http.StatusOK {
		t.Errorf("preferences page of ann@xn--bcher-kva.de = %d, want 200\n%s", res.code, res.body)
	}
	res := do(t, srv, http.MethodPost, "/preferences", url.Values{"t": {tok}, "action": {"pause"}, "weeks": {"2"}})
	if res.code != http.StatusOK {
		t.Errorf("pause from the link of ann@xn--bcher-kva.de = %d, want 200\n%s", res.code, res.body)
	}
	s, err := d.Subscriber(context.Background(), "ann@bücher.de")
	if err != nil {
		t.Fatal(err)
	}
	if s.PausedUntil.IsZero() {
		t.Error("ann@bücher.de is not paused after a pause from their link")
	}
}
