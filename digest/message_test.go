package digest_test

import (
	"context"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kdigest/kdigest/digest"
)

// hrefs returns every href of an HTML part.
func hrefs(html string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`href="([^"#][^"]*)"`).FindAllStringSubmatch(html, -1) {
		out = append(out, strings.ReplaceAll(m[1], "&amp;", "&"))
	}
	return out
}

// sendToThree runs a digest to three subscribers and returns what the
// server received.
func sendToThree(t *testing.T, e *env, d *digest.Digest) (*digest.Report, []receivedMessage) {
	t.Helper()
	subscribe(t, d, "Ann@Example.org", "bob@example.org", "cid@example.net")
	rep, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return rep, e.smtp.messages()
}

func TestRunMessageHeadersAndParts(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	rep, msgs := sendToThree(t, e, d)
	if rep.Sent != 3 || !rep.OK() || rep.Articles != 5 {
		t.Fatalf("report = %+v, want 3 sent of 5 articles, OK", rep)
	}
	if len(msgs) != 3 {
		t.Fatalf("server got %d messages, want 3", len(msgs))
	}
	wantSubject := "Karabakh diplomacy weekly, 16–23 Nov 2026: 5 new articles"
	seenIDs := map[string]bool{}
	for _, m := range msgs {
		if len(m.To) != 1 {
			t.Fatalf("envelope recipients = %v, want exactly one", m.To)
		}
		rcpt := m.To[0]
		if m.From != "digest@kdigest.example.org" {
			t.Errorf("envelope from = %q", m.From)
		}
		p := parseMessage(t, m.Data)
		h := p.Header
		to, err := h.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Address != rcpt {
			t.Errorf("To = %v (%v), want only %s", to, err, rcpt)
		}
		for _, name := range []string{"Cc", "Bcc", "X-Mailer", "User-Agent"} {
			if v := h.Get(name); v != "" {
				t.Errorf("%s = %q, want none", name, v)
			}
		}
		if strings.Contains(strings.ToLower(string(m.Data)), "go-mail") {
			t.Errorf("message mentions go-mail")
		}
		from, err := h.AddressList("From")
		if err != nil || len(from) != 1 || from[0].Address != "digest@kdigest.example.org" || from[0].Name != "Karabakh digest" {
			t.Errorf("From = %v (%v)", from, err)
		}
		if p.Subject != wantSubject {
			t.Errorf("Subject = %q, want %q", p.Subject, wantSubject)
		}
		date, err := h.Date()
		if err != nil || !date.Equal(t0) {
			t.Errorf("Date = %v (%v), want %v", date, err, t0)
		}
		mid := h.Get("Message-ID")
		if !regexp.MustCompile(`^<[^<>@\s]+@kdigest\.example\.org>$`).MatchString(mid) {
			t.Errorf("Message-ID = %q, want <...@kdigest.example.org>", mid)
		}
		if seenIDs[mid] {
			t.Errorf("Message-ID %s used twice", mid)
		}
		seenIDs[mid] = true
		if got, want := deliveries(t, e.db, rep.DigestID)[rcpt].MessageID, mid; got != want {
			t.Errorf("ledger Message-ID = %q, want %q", got, want)
		}
		if got := h.Get("List-Id"); got != "Karabakh diplomacy weekly <digest.kdigest.example.org>" {
			t.Errorf("List-Id = %q", got)
		}
		checkListUnsubscribe(t, h, rcpt)
		if got := h.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe-Post = %q", got)
		}
		if got := h.Get("Auto-Submitted"); got != "auto-generated" {
			t.Errorf("Auto-Submitted = %q", got)
		}
		if got := h.Get("MIME-Version"); got != "1.0" {
			t.Errorf("MIME-Version = %q", got)
		}
		if !strings.HasPrefix(h.Get("Content-Type"), "multipart/alternative;") {
			t.Errorf("Content-Type = %q, want multipart/alternative", h.Get("Content-Type"))
		}
		if len(p.Parts) != 2 || !strings.HasPrefix(p.Parts[0], "text/plain") || !strings.HasPrefix(p.Parts[1], "text/html") {
			t.Fatalf("parts = %q, want text/plain then text/html", p.Parts)
		}
		for _, ct := range p.Parts {
			if !strings.Contains(strings.ToLower(ct), "charset=utf-8") {
				t.Errorf("part %q is not UTF-8", ct)
			}
		}
		checkLinks(t, p)
	}
}

// checkListUnsubscribe wants an https one-click URL for rcpt and a mailto.
func checkListUnsubscribe(t *testing.T, h mail.Header, rcpt string) {
	t.Helper()
	// Without --unsubscribe-mailto, the one-click URL alone: the From
	// address is read by nobody.
	lu := h.Get("List-Unsubscribe")
	m := regexp.MustCompile(`^<(https://[^>]+)>$`).FindStringSubmatch(lu)
	if m == nil {
		t.Fatalf("List-Unsubscribe = %q, want <https://...> alone", lu)
	}
	if !strings.HasPrefix(m[1], baseURL+"/unsubscribe?t=") {
		t.Errorf("List-Unsubscribe URL = %q", m[1])
	}
	if unsubscribeToken(t, m[1]) == "" {
		t.Errorf("no token in %q", m[1])
	}
}

func unsubscribeToken(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("t")
}

// checkLinks wants the article links of both parts on BaseURL, the
// recipient's own unsubscribe link in the text, and 72-column text.
func checkLinks(t *testing.T, p parsedMessage) {
	t.Helper()
	articleRE := regexp.MustCompile(`https://kdigest\.example\.org/articles/[^\s"<>\]]+`)
	textLinks := articleRE.FindAllString(p.Text, -1)
	htmlLinks := articleRE.FindAllString(p.HTML, -1)
	if len(textLinks) < 5 || len(htmlLinks) < 5 {
		t.Errorf("article links: %d in text, %d in HTML, want at least 5 each", len(textLinks), len(htmlLinks))
	}
	for _, l := range hrefs(p.HTML) {
		if !strings.HasPrefix(l, baseURL+"/") {
			t.Errorf("HTML link %q is not on %s", l, baseURL)
		}
	}
	for _, needle := range []string{baseURL + "/feed.atom", baseURL + "/digests/", baseURL + "/unsubscribe?t="} {
		if !strings.Contains(p.Text, needle) || !strings.Contains(p.HTML, needle) {
			t.Errorf("%s missing from a part", needle)
		}
	}
	lu := regexp.MustCompile(`<(https://[^>]+)>`).FindStringSubmatch(p.Header.Get("List-Unsubscribe"))[1]
	if !strings.Contains(p.Text, lu) {
		t.Errorf("text part lacks the recipient's unsubscribe link %s", lu)
	}
	for _, line := range strings.Split(p.Text, "\n") {
		if n := len([]rune(line)); n > 72 && !strings.Contains(line, "https://") {
			t.Errorf("text line of %d columns: %q", n, line)
		}
	}
	if strings.Contains(p.HTML, "<script") || strings.Contains(p.HTML, "<img") {
		t.Errorf("HTML has scripts or images")
	}
}

func TestUnsubscribeTokenFromMessage(t *testing.T) {
	e, d, srv := newWebEnv(t)
	_, msgs := sendToThree(t, e, d)

	var annLink string
	for _, m := range msgs {
		if m.To[0] == "ann@example.org" {
			h := parseMessage(t, m.Data).Header
			annLink = regexp.MustCompile(`<(https://[^>]+)>`).FindStringSubmatch(h.Get("List-Unsubscribe"))[1]
		}
	}
	if annLink == "" {
		t.Fatal("no message to ann@example.org")
	}
	tok := unsubscribeToken(t, annLink)
	// Alter one character of the payload (bob instead of ann would need the
	// secret), then one of the signature.
	forged := []struct{ name, tok string }{
		{"empty", ""},
		{"no signature", strings.Split(tok, ".")[0]},
		{"altered payload", flip(tok, 3)},
		{"altered signature", flip(tok, len(tok)-3)},
		{"garbage", "!!!.???"},
	}
	before := dumpLedger(t, e.db)
	for _, f := range forged {
		t.Run(f.name, func(t *testing.T) {
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				res := do(t, srv, method, "/unsubscribe?t="+url.QueryEscape(f.tok), nil)
				if res.code != http.StatusBadRequest {
					t.Errorf("%s: status = %d, want 400", method, res.code)
				}
			}
			if after := dumpLedger(t, e.db); after != before {
				t.Errorf("a forged token changed the ledger:\n%s\nwant\n%s", after, before)
			}
		})
	}

	// GET shows a confirm page and changes nothing.
	res := do(t, srv, http.MethodGet, "/unsubscribe?t="+url.QueryEscape(tok), nil)
	if res.code != http.StatusOK || !strings.Contains(res.body, "ann@example.org") || !strings.Contains(res.body, `method="post"`) {
		t.Errorf("GET /unsubscribe = %d %q, want a confirm form", res.code, res.body)
	}
	if got := subscriberList(t, d); !strings.Contains(got, "ann@example.org") {
		t.Fatalf("GET unsubscribed: subscribers = %s", got)
	}
	// The one-click POST, as a mail client sends it (RFC 8058).
	res = do(t, srv, http.MethodPost, "/unsubscribe?t="+url.QueryEscape(tok), url.Values{"List-Unsubscribe": {"One-Click"}})
	if res.code != http.StatusOK {
		t.Errorf("POST /unsubscribe = %d %q", res.code, res.body)
	}
	if got, want := subscriberList(t, d), "bob@example.org cid@example.net"; got != want {
		t.Errorf("subscribers after unsubscribe = %q, want %q", got, want)
	}
	// A second click is harmless.
	if res := do(t, srv, http.MethodPost, "/unsubscribe?t="+url.QueryEscape(tok), nil); res.code != http.StatusOK {
		t.Errorf("second POST /unsubscribe = %d", res.code)
	}
}

// flip changes the character at i of a base64url token.
func flip(s string, i int) string {
	b := []byte(s)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func subscriberList(t *testing.T, d *digest.Digest) string {
	t.Helper()
	subs, err := d.Subscribers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range subs {
		out = append(out, s.Email)
	}
	return strings.Join(out, " ")
}
