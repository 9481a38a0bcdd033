package digest_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/digest"
	"github.com/kdigest/kdigest/feed"
	"github.com/kdigest/kdigest/feed/article"
)

// sectionsOf returns the section headings of a digest's text part, e.g.
// "Summits and talks (4)".
func sectionsOf(text string) []string {
	return regexp.MustCompile(`(?m)^([A-Z][^\n]*\(\d+(\+\d+)?\))\n-+$`).FindAllString(text, -1)
}

// headings returns the theme names of the sections in a text part.
func headings(text string) []string {
	var out []string
	for _, s := range sectionsOf(text) {
		out = append(out, strings.TrimSpace(s[:strings.LastIndex(s, " (")]))
	}
	return out
}

// lastTo returns the last message the server accepted for rcpt, parsed, and
// how many it accepted for rcpt.
func lastTo(t *testing.T, e *env, rcpt string) (parsedMessage, int) {
	t.Helper()
	var last []byte
	n := 0
	for _, m := range e.smtp.messages() {
		if slices.Contains(m.To, rcpt) {
			last, n = m.Data, n+1
		}
	}
	if last == nil {
		return parsedMessage{}, 0
	}
	return parseMessage(t, last), n
}

func subscribeWith(t *testing.T, d *digest.Digest, addr string, s digest.Subscription) {
	t.Helper()
	if _, err := d.SubscribeWith(context.Background(), addr, s); err != nil {
		t.Fatal(err)
	}
}

// The seeds make two sections: "Summits and talks" (summits) and
// "Ceasefire and peacekeepers" (security).
func TestThemesPerSubscriber(t *testing.T) {
	tests := []struct {
		name      string
		themes    []string
		sendEmpty bool
		want      []string // section headings; nil: no message
		subject   string
		held      string // deliveries.themes
	}{
		{"every theme", nil, false, []string{"Summits and talks", "Ceasefire and peacekeepers"},
			"Karabakh diplomacy weekly, 16–23 Nov 2026: 5 new articles", "summits,security"},
		{"two themes, one with news", []string{"humanitarian", "security"}, false, []string{"Ceasefire and peacekeepers"},
			"Karabakh diplomacy weekly, 16–23 Nov 2026: 1 new article in Ceasefire and peacekeepers and Humanitarian", "security"},
		{"two themes, both with news", []string{"summits", "security"}, false, []string{"Summits and talks", "Ceasefire and peacekeepers"},
			"Karabakh diplomacy weekly, 16–23 Nov 2026: 5 new articles in Summits and talks and Ceasefire and peacekeepers", "summits,security"},
		{"nothing new in their themes", []string{"escalation"}, false, nil, "", ""},
		{"nothing new, --send-empty", []string{"escalation", "transport"}, true, []string{},
			"Karabakh diplomacy weekly, 16–23 Nov 2026: nothing new in Clashes and escalation and Transport and trade", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.digest(t)
			const rcpt = "reader@example.org"
			subscribeWith(t, d, rcpt, digest.Subscription{Themes: tc.themes})
			subscribe(t, d, "all@example.org")
			rep, err := d.Run(context.Background(), digest.RunOptions{SendEmpty: tc.sendEmpty})
			if err != nil || !rep.OK() {
				t.Fatalf("run = %+v, %v", rep, err)
			}
			p, n := lastTo(t, e, rcpt)
			if tc.want == nil {
				if n != 0 || rep.Skipped != 1 {
					t.Errorf("%s got %d message(s), skipped %d; want none, 1 skipped", rcpt, n, rep.Skipped)
				}
				if _, ok := deliveries(t, e.db, rep.DigestID)[rcpt]; ok {
					t.Errorf("a delivery was recorded for %s", rcpt)
				}
				return
			}
			if n != 1 {
				t.Fatalf("%s got %d messages, want 1", rcpt, n)
			}
			if got := headings(p.Text); !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("sections = %q, want %q", got, tc.want)
			}
			if p.Subject != tc.subject {
				t.Errorf("subject = %q, want %q", p.Subject, tc.subject)
			}
			for _, th := range []string{"Summits and talks", "Ceasefire and peacekeepers"} {
				if got, want := strings.Contains(p.HTML, ">"+th+"</h2>"), slices.Contains(tc.want, th); got != want {
					t.Errorf("HTML has section %q = %v, want %v", th, got, want)
				}
			}
			if len(tc.themes) > 0 && !strings.Contains(strings.Join(strings.Fields(p.Text), " "), "in your themes") {
				t.Errorf("intro does not say which themes:\n%s", p.Text)
			}
			var held string
			if err := e.db.QueryRow(`SELECT themes FROM deliveries WHERE digest_id = ? AND recipient = ?`, rep.DigestID, rcpt).Scan(&held); err != nil {
				t.Fatal(err)
			}
			if held != tc.held {
				t.Errorf("ledger: the delivery held %q, want %q", held, tc.held)
			}
			// The links of the text part are numbered for this view alone.
			for i, l := range regexp.MustCompile(`(?m)^\[(\d+)\] `).FindAllStringSubmatch(p.Text, -1) {
				if l[1] != strconv.Itoa(i+1) {
					t.Errorf("link %d is numbered [%s]", i+1, l[1])
				}
			}
			// The everyone copy is untouched by the view.
			all, _ := lastTo(t, e, "all@example.org")
			if got := headings(all.Text); !slices.Equal(got, []string{"Summits and talks", "Ceasefire and peacekeepers"}) {
				t.Errorf("all@ sections = %q", got)
			}
		})
	}
}

func TestUnknownThemeRefused(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	_, err := d.SubscribeWith(context.Background(), "x@example.org", digest.Subscription{Themes: []string{"summits", "weather"}})
	if !errors.Is(err, digest.ErrUnknownTheme) || !strings.Contains(err.Error(), `"weather"`) || !strings.Contains(err.Error(), "summits") {
		t.Errorf("unknown theme = %v, want ErrUnknownTheme naming it and the known ones", err)
	}
	if _, err := d.SubscribeWith(context.Background(), "x@example.org", digest.Subscription{Frequency: "hourly"}); !errors.Is(err, digest.ErrBadFrequency) {
		t.Errorf("hourly = %v, want ErrBadFrequency", err)
	}
	if subs, _ := d.Subscribers(context.Background()); len(subs) != 0 {
		t.Errorf("refused subscriptions were stored: %+v", subs)
	}
}

// prefsToken is the preferences token of a message's text part.
func prefsToken(t *testing.T, text string) string {
	t.Helper()
	link := regexp.MustCompile(`https://kdigest\.example\.org/preferences\?t=\S+`).FindString(text)
	if link == "" {
		t.Fatalf("no preferences link in:\n%s", text)
	}
	return unsubscribeToken(t, link)
}

func TestPreferencesChangeTheNextDigest(t *testing.T) {
	e, d, srv := newWebEnv(t)
	const rcpt = "ann@example.org"
	subscribe(t, d, rcpt)
	if _, err := d.Run(context.Background(), digest.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	first, _ := lastTo(t, e, rcpt)
	tok := prefsToken(t, first.Text)

	page := do(t, srv, http.MethodGet, "/preferences?t="+url.QueryEscape(tok), nil)
	if page.code != http.StatusOK || !strings.Contains(page.body, rcpt) {
		t.Fatalf("GET /preferences = %d\n%s", page.code, page.body)
	}
	if n := strings.Count(page.body, `name="themes"`); n != 6 || strings.Count(page.body, " checked>") != 7 {
		t.Errorf("page has %d theme boxes (want 6), %d checked (want 6 themes + weekly)", n, strings.Count(page.body, " checked>"))
	}
	if page.header.Get("Cache-Control") != "no-store" || page.header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("headers = %v", page.header)
	}

	// No theme ticked changes nothing.
	res := do(t, srv, http.MethodPost, "/preferences", url.Values{"t": {tok}, "action": {"save"}, "frequency": {"weekly"}})
	if res.code != http.StatusBadRequest {
		t.Errorf("save without themes = %d, want 400", res.code)
	}
	res = do(t, srv, http.MethodPost, "/preferences", url.Values{"t": {tok}, "action": {"save"}, "themes": {"security"}, "frequency": {"weekly"}})
	if res.code != http.StatusOK || !strings.Contains(res.body, "Saved") {
		t.Fatalf("save = %d\n%s", res.code, res.body)
	}
	s, err := d.Subscriber(context.Background(), rcpt)
	if err != nil || !slices.Equal(s.Themes, []string{"security"}) || s.Frequency != digest.Weekly {
		t.Fatalf("subscriber = %+v, %v", s, err)
	}

	// The next digest holds only that theme: a new article in each.
	e.clock.Advance(7 * 24 * time.Hour)
	addSeed(t, e, "new-summit.txt", "Leaders meet for Karabakh peace talks in Geneva\n\nThe presidents of Armenia and Azerbaijan held talks at a summit in Geneva on the Karabakh peace process, mediated by the foreign ministers.\n")
	addSeed(t, e, "new-ceasefire.txt", "Peacekeepers report ceasefire violation in Karabakh\n\nRussian peacekeepers in Nagorno-Karabakh reported a ceasefire violation near the line of contact, the peacekeeping mission said.\n")
	rep, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil || rep.Sent != 1 {
		t.Fatalf("second run = %+v, %v", rep, err)
	}
	second, n := lastTo(t, e, rcpt)
	if n != 2 {
		t.Fatalf("%s got %d messages, want 2", rcpt, n)
	}
	if got := headings(second.Text); !slices.Equal(got, []string{"Ceasefire and peacekeepers"}) {
		t.Errorf("after choosing security, sections = %q\n%s", got, second.Text)
	}
	if !strings.Contains(second.Subject, "in Ceasefire and peacekeepers") {
		t.Errorf("subject = %q", second.Subject)
	}
}

// addSeed writes a seed file and rescans: the corpus first sees it now.
func addSeed(t *testing.T, e *env, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(e.seeds, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.corpus.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestPauseAndResume(t *testing.T) {
	e, d, srv := newWebEnv(t)
	const rcpt = "ann@example.org"
	subscribe(t, d, rcpt, "bob@example.org")
	tok := unsubscribeToken(t, d.PreferencesURL(rcpt))
	post := func(v url.Values) response {
		v.Set("t", tok)
		return do(t, srv, http.MethodPost, "/preferences", v)
	}
	for _, weeks := range []string{"0", "53", "x"} {
		if res := post(url.Values{"action": {"pause"}, "weeks": {weeks}}); res.code != http.StatusBadRequest {
			t.Errorf("pause %s weeks = %d, want 400", weeks, res.code)
		}
	}
	if res := post(url.Values{"action": {"pause"}, "weeks": {"2"}}); res.code != http.StatusOK || !strings.Contains(res.body, "Paused until") {
		t.Fatalf("pause = %d\n%s", res.code, res.body)
	} else if strings.Contains(res.body, "Next:") || strings.Contains(res.body, "next scheduled run") || !strings.Contains(res.body, "The first after your pause") {
		t.Errorf("a paused subscriber's page promises the next run:\n%s", res.body)
	}
	run := func() *digest.Report {
		t.Helper()
		rep, err := d.Run(context.Background(), digest.RunOptions{SendEmpty: true})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	run()
	if _, n := lastTo(t, e, rcpt); n != 0 {
		t.Errorf("paused subscriber got %d messages", n)
	}
	// Resume at once, from the page.
	e.clock.Advance(7 * 24 * time.Hour)
	if res := post(url.Values{"action": {"resume"}}); res.code != http.StatusOK || strings.Contains(res.body, "Paused until") {
		t.Fatalf("resume = %d\n%s", res.code, res.body)
	}
	run()
	if _, n := lastTo(t, e, rcpt); n != 1 {
		t.Errorf("resumed subscriber got %d messages, want 1", n)
	}
	// A pause ends by itself.
	if err := d.Pause(context.Background(), rcpt, 1); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(3 * 24 * time.Hour)
	run()
	if _, n := lastTo(t, e, rcpt); n != 1 {
		t.Errorf("paused subscriber got a digest 3 days into a 1-week pause")
	}
	e.clock.Advance(5 * 24 * time.Hour)
	run()
	if _, n := lastTo(t, e, rcpt); n != 2 {
		t.Errorf("subscriber got %d messages after the pause ended, want 2", n)
	}
	if _, n := lastTo(t, e, "bob@example.org"); n != 4 {
		t.Errorf("bob got %d digests, want 4", n)
	}
}

func TestDaily(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	subscribe(t, d, "weekly@example.org")
	subscribeWith(t, d, "daily@example.org", digest.Subscription{Frequency: digest.Daily, Themes: []string{"summits"}})

	weekly, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil || weekly.Sent != 1 {
		t.Fatalf("weekly run = %+v, %v", weekly, err)
	}
	if _, n := lastTo(t, e, "daily@example.org"); n != 0 {
		t.Errorf("the weekly digest went to a daily subscriber")
	}
	daily, err := d.Run(context.Background(), digest.RunOptions{Daily: true})
	if err != nil || daily.Sent != 1 {
		t.Fatalf("daily run = %+v, %v", daily, err)
	}
	p, _ := lastTo(t, e, "daily@example.org")
	want := "Karabakh diplomacy daily, 22–23 Nov 2026: 4 new articles in Summits and talks"
	if p.Subject != want {
		t.Errorf("daily subject = %q, want %q", p.Subject, want)
	}
	if _, n := lastTo(t, e, "weekly@example.org"); n != 1 {
		t.Errorf("the daily digest went to a weekly subscriber")
	}

	// A day later: nothing new, nothing sent; then a new article.
	e.clock.Advance(24 * time.Hour)
	if rep, err := d.Run(context.Background(), digest.RunOptions{Daily: true}); err != nil || !rep.Empty {
		t.Errorf("quiet daily run = %+v, %v, want Empty", rep, err)
	}
	e.clock.Advance(time.Hour)
	addSeed(t, e, "talks.txt", "Foreign ministers of Armenia and Azerbaijan hold talks on Karabakh peace\n\nThe foreign ministers of Armenia and Azerbaijan held talks in Washington on the peace treaty and Karabakh, at a summit hosted by the United States.\n")
	e.clock.Advance(23 * time.Hour)
	rep, err := d.Run(context.Background(), digest.RunOptions{Daily: true})
	if err != nil || rep.Sent != 1 || rep.Articles != 1 {
		t.Fatalf("next daily run = %+v, %v, want 1 article sent", rep, err)
	}
	// The daily window starts at the last daily cutoff, whatever the
	// weekly one did.
	is, err := d.Plan(context.Background(), digest.RunOptions{Daily: true})
	if err != nil || !is.Since.Equal(e.clock.Now()) {
		t.Errorf("next daily window starts %v, want %v (%v)", is.Since, e.clock.Now(), err)
	}
	if last, err := d.LastSentOf(context.Background(), digest.Daily); err != nil || !last.Equal(e.clock.Now()) {
		t.Errorf("LastSentOf(daily) = %v, %v", last, err)
	}
	if last, err := d.LastSent(context.Background()); err != nil || !last.Equal(t0) {
		t.Errorf("LastSent (weekly) = %v, %v, want %v", last, err, t0)
	}
}

func TestFirstDigestOfOldArticles(t *testing.T) {
	dir := t.TempDir()
	seeds := filepath.Join(dir, "seeds")
	if err := copyOldSeeds(seeds); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	db := openDB(t, filepath.Join(dir, "old.db"))
	c, err := openCorpus(context.Background(), db, seeds, e.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	d, err := digest.New(context.Background(), db, c.Snapshot, e.dialer(t, e.smtp.Addr), e.options())
	if err != nil {
		t.Fatal(err)
	}
	old := []string{"001_3d14f15a5a4da934", "003_9b9c189b77a28c48"} // published 2022 and 2021
	for _, since := range []time.Time{{}, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)} {
		is, err := d.Plan(context.Background(), digest.RunOptions{Since: since})
		if err != nil {
			t.Fatal(err)
		}
		if is.Articles != 3 {
			t.Errorf("since %v: %d new articles, want the 3 undated ones", since, is.Articles)
		}
		for _, s := range is.Sections {
			for _, it := range s.Items {
				for _, id := range old {
					if strings.HasSuffix(it.URL, "/"+id) {
						t.Errorf("since %v: %s (published years ago) is in the digest", since, id)
					}
				}
				if !strings.HasPrefix(it.Date, "first seen ") {
					t.Errorf("undated item's date = %q, want \"first seen ...\"", it.Date)
				}
			}
		}
	}
	// What is sent holds none of them.
	subscribe(t, d, "ann@example.org")
	rep, err := d.Run(context.Background(), digest.RunOptions{})
	if err != nil || rep.Sent != 1 || rep.Articles != 3 {
		t.Fatalf("first run = %+v, %v, want 3 articles sent", rep, err)
	}
	p, _ := lastTo(t, e, "ann@example.org")
	for _, id := range old {
		if strings.Contains(p.Text, id) || strings.Contains(p.HTML, id) {
			t.Errorf("the first digest mails %s, published years ago", id)
		}
	}
	if !strings.Contains(p.Subject, ": 3 new articles") || strings.Count(p.Text, "first seen ") != 3 {
		t.Errorf("first digest = %q, want 3 articles marked first seen\n%s", p.Subject, p.Text)
	}
	// Still in the feeds: the corpus keeps them.
	for _, id := range old {
		if _, ok := c.Snapshot().Article(id); !ok {
			t.Errorf("%s left the corpus", id)
		}
	}
}

func TestIsNew(t *testing.T) {
	e := newEnv(t)
	since, cutoff := t0.Add(-7*24*time.Hour), t0
	snap := e.corpus.Snapshot()
	for _, en := range snap.Visible() {
		want := en.Date.After(since) && !en.Date.After(cutoff)
		if got := digest.IsNew(en, since, cutoff); got != want {
			t.Errorf("IsNew(%s, date %v) = %v", en.ID, en.Date, got)
		}
		// The window is (since, cutoff]: an article dated at the cutoff
		// is in this digest, one dated at since was in the last one (an
		// article first seen after its date: TestIsNewFoundLate).
		if en.FirstSeen.After(en.Date) {
			continue
		}
		if !digest.IsNew(en, en.Date.Add(-time.Second), en.Date) || digest.IsNew(en, en.Date, en.Date.Add(time.Hour)) {
			t.Errorf("%s: window edges wrong", en.ID)
		}
	}
}

// TestIsNewFoundLate checks the window of an article first seen after the
// date it states: within a day of it, it is new when it was seen (a
// scraper saving at 09:00 what was published at 07:30 is not dropped by
// the 08:00 digest between the two); later, a day after its date, and so
// old news once that window has passed.
func TestIsNewFoundLate(t *testing.T) {
	digestAt := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC) // the last digest's cutoff
	next := digestAt.Add(24 * time.Hour)
	at := func(day, h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name        string
		published   time.Time
		precision   article.Precision
		seen        time.Time
		inLast, new bool // in the window that ended at digestAt, in the next one
	}{
		{"seen before the digest", at(30, 7, 30), article.PrecisionMinute, at(30, 7, 45), true, false},
		{"seen after the digest", at(30, 7, 30), article.PrecisionMinute, at(30, 9, 0), false, true},
		{"seen a day and more later", at(29, 7, 30), article.PrecisionMinute, at(30, 9, 0), true, false},
		{"seen days later, dated after the digest", at(30, 9, 0), article.PrecisionMinute, at(30, 23, 0), false, true},
		{"a day seen that day after the digest", at(30, 0, 0), article.PrecisionDate, at(30, 9, 0), false, true},
		{"a day seen the next day", at(29, 0, 0), article.PrecisionDate, at(30, 9, 0), true, false},
		{"seen at its time", at(30, 7, 30), article.PrecisionSecond, at(30, 7, 30), true, false},
	} {
		e := &feed.Entry{
			Article:   &article.Article{ID: "x", Published: tc.published, PublishedPrecision: tc.precision},
			FirstSeen: tc.seen, Updated: tc.seen, Date: tc.published,
		}
		inLast := digest.IsNew(e, digestAt.Add(-24*time.Hour), digestAt)
		isNew := digest.IsNew(e, digestAt, next)
		if inLast != tc.inLast || isNew != tc.new {
			t.Errorf("%s: in the last window %v, in the next %v; want %v, %v", tc.name, inLast, isNew, tc.inLast, tc.new)
		}
	}
}
