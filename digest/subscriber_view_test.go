package digest_test

import (
	"context"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/digest"
	"github.com/kdigest/kdigest/feed"
)

// rewriteSeed replaces old with new in one of the env's seeds and rescans.
func rewriteSeed(t *testing.T, e *env, name, old, new string) {
	t.Helper()
	p := filepath.Join(e.seeds, name)
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), old) {
		t.Fatalf("%s lacks %q", name, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(raw), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.corpus.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestDateOnlyInWesternZone: an article whose page states only its
// day ("Published: November 22, 2026") is shown in the email under the
// day before when --tz is west of UTC, while its own page says 22 Nov.
func TestDateOnlyInWesternZone(t *testing.T) {
	e := newEnv(t)
	rewriteSeed(t, e, "003_9b9c189b77a28c48.txt", "Published: 0314 GMT November 23, 2026", "Published: November 22, 2026")
	ent, ok := e.corpus.Snapshot().Article("003_9b9c189b77a28c48")
	if !ok {
		t.Fatal("no article 003")
	}
	t.Logf("published %v (precision %q); page shows %q", ent.Published, ent.PublishedPrecision, ent.DateText(nil))
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	d := e.digest(t, func(o *digest.Options) { o.Location = ny })
	subscribe(t, d, "ann@example.org")
	if _, err := d.Run(context.Background(), digest.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	msgs := e.smtp.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	p := parseMessage(t, msgs[0].Data)
	if !strings.Contains(p.Text, "AP, 22 Nov 2026") {
		i := strings.Index(p.Text, "AP, ")
		t.Errorf("text part dates the article stated as 22 Nov 2026 as %q", p.Text[i:i+15])
	}
	if !strings.Contains(p.HTML, "AP · 22 Nov 2026") {
		i := strings.Index(p.HTML, "AP · ")
		t.Errorf("HTML part dates it as %q", p.HTML[i:i+17])
	}
}

// TestOtherCoverageMoreLink: with --include-irrelevant, more off-topic
// stories than --per-theme make "and N more in Other coverage", whose link
// is empty (Other coverage has no page).
func TestOtherCoverageMoreLink(t *testing.T) {
	e := newEnv(t)
	for i, s := range []string{
		"Local football club wins the regional cup after a dramatic penalty shootout on Saturday evening. The coach praised his players and the fans who travelled to support them. The team will now play in the national league next season, the club said.",
		"The city council approved a new budget for public libraries, adding opening hours on weekends. Librarians welcomed the decision and said more readers would visit. The mayor said the money would also repair old buildings across the district.",
	} {
		name := filepath.Join(e.seeds, "90"+string(rune('0'+i))+"_offtopic.txt")
		if err := os.WriteFile(name, []byte(s+"\n\n"+s+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := feed.Open(context.Background(), e.db, feed.Options{Dir: e.seeds, BaseURL: baseURL, Now: e.clock.Now, IncludeIrrelevant: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if err := c.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	d, err := digest.New(context.Background(), e.db, c.Snapshot, e.dialer(t, e.smtp.Addr), e.options(func(o *digest.Options) { o.PerTheme = 1 }))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "p.html")
	is, err := d.Preview(context.Background(), path, digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	html, _ := os.ReadFile(path)
	text, _ := os.ReadFile(strings.TrimSuffix(path, ".html") + ".txt")
	for _, s := range is.Sections {
		t.Logf("section %s: %d items, %d more, MoreURL %q", s.ID, len(s.Items), s.More, s.MoreURL)
	}
	if strings.Contains(string(html), `href="" style="color:#0b57d0;">and`) {
		t.Errorf("HTML part has an \"and N more\" link with an empty href:\n%s", grepLine(string(html), "more in Other"))
	}
	if l := grepLine(string(text), "...and"); strings.HasSuffix(strings.TrimSpace(l), "more:") {
		t.Errorf("text part's \"more\" line points nowhere: %q", l)
	}
}

func grepLine(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestDailyQuietPreheader: a quiet daily note's inbox preview text
// (the hidden preheader) says "A quiet week." while its body says "A quiet day".
func TestDailyQuietPreheader(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	path := filepath.Join(t.TempDir(), "p.html")
	is, err := d.Preview(context.Background(), path, digest.RunOptions{Daily: true, Since: t0})
	if err != nil {
		t.Fatal(err)
	}
	html, _ := os.ReadFile(path)
	t.Logf("subject %q quiet %v note %q", is.Subject, is.Quiet, is.Note)
	if !is.Quiet {
		t.Skip("not quiet")
	}
	if pre := grepLine(string(html), `display:none`); strings.Contains(pre, "quiet week") {
		t.Errorf("daily quiet note's preheader: %s (body: %q)", pre, is.Note)
	}
}

// TestDigestHeadersEncoded sends to a subscriber of five themes from a sender
// with a non-ASCII name and checks every header line.
func TestDigestHeadersEncoded(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t, func(o *digest.Options) {
		o.Name = "Карабах: дипломатия weekly"
		o.From = &mail.Address{Name: "Дайджест «Карабах»", Address: "digest@kdigest.example.org"}
	})
	if _, err := d.SubscribeWith(context.Background(), "ann@example.org", digest.Subscription{Themes: []string{"summits", "peace-treaty", "security", "escalation", "transport"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Run(context.Background(), digest.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	msgs := e.smtp.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	raw := string(msgs[0].Data)
	head, _, _ := strings.Cut(raw, "\r\n\r\n")
	for _, l := range strings.Split(head, "\r\n") {
		if len(l) > 998 || strings.ContainsAny(l, "\n\r") {
			t.Errorf("bad header line (%d): %q", len(l), l)
		}
		for _, r := range l {
			if r > 127 {
				t.Errorf("non-ASCII header line: %q", l)
				break
			}
		}
	}
	if strings.Contains(strings.ReplaceAll(raw, "\r\n", ""), "\n") {
		t.Errorf("bare LF in message")
	}
	p := parseMessage(t, msgs[0].Data)
	from, err := p.Header.AddressList("From")
	t.Logf("From %v %v; Subject %q; List-Id %q", from, err, p.Subject, p.Header.Get("List-Id"))
	t.Logf("head:\n%s", head)
}

// TestDateOnlyFoundLaterThatDay: the weekly digest goes out at 08:00
// on 23 Nov; at noon a report stating only "November 23, 2026" appears. Its
// date is taken as 00:00 that day, before the cutoff already sent, so the
// next digest leaves it out: it reaches no digest at all.
func TestDateOnlyFoundLaterThatDay(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	subscribe(t, d, "ann@example.org")
	if rep, err := d.Run(context.Background(), digest.RunOptions{}); err != nil || rep.Sent != 1 {
		t.Fatalf("first run: %+v %v", rep, err)
	}
	e.clock.Advance(4 * time.Hour)
	s := noonArticle
	if err := os.WriteFile(filepath.Join(e.seeds, "006_noon.txt"), []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.corpus.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	ent, ok := e.corpus.Snapshot().Article("006_noon")
	if !ok {
		t.Fatal("no article 006")
	}
	var visible bool
	for _, v := range e.corpus.Snapshot().Visible() {
		visible = visible || v.ID == ent.ID
	}
	t.Logf("006: published %v (%s), first seen %v, date %v, visible %v, copy of %q, story %s", ent.Published, ent.PublishedPrecision, ent.FirstSeen, ent.Date, visible, ent.CopyOf, ent.Story)
	e.clock.Advance(7*24*time.Hour - 4*time.Hour)
	rep, err := d.Run(context.Background(), digest.RunOptions{SendEmpty: true})
	if err != nil {
		t.Fatal(err)
	}
	msgs := e.smtp.messages()
	last := parseMessage(t, msgs[len(msgs)-1].Data)
	if !strings.Contains(last.Text, "006_noon") {
		t.Errorf("article 006 (stated day 23 Nov, found 23 Nov 12:00, after the 08:00 digest) is in neither digest; second digest: %q (%d articles)", last.Subject, rep.Articles)
	}
}

const noonArticle = `Armenia and Azerbaijan foreign ministers to meet in Abu Dhabi on peace treaty
Published: November 23, 2026

ABU DHABI — The foreign ministers of Armenia and Azerbaijan, Ararat Mirzoyan and Jeyhun Bayramov, will meet in Abu Dhabi next week to continue talks on the peace treaty, the two foreign ministries said on Monday.

The ministers are expected to discuss the delimitation of the border between Armenia and Azerbaijan and the text of the peace agreement initialled earlier this year, according to the statements.

Armenian Prime Minister Nikol Pashinyan said in Yerevan that the treaty could be signed once the remaining issues were settled, while Azerbaijani President Ilham Aliyev repeated in Baku that Armenia must amend its constitution first.

The United Arab Emirates hosted an earlier round of talks between Pashinyan and Aliyev, the first bilateral summit of the two leaders without a mediator since the 2023 offensive in Nagorno-Karabakh.

Both sides said the border commissions would meet in parallel to agree on the next section of the border between Armenia and Azerbaijan.
`

// TestRawLines checks that no line of a sent message is over 998 characters
// or ends in a bare LF.
func TestRawLines(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	subscribe(t, d, "ann@example.org")
	if _, err := d.Run(context.Background(), digest.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	raw := string(e.smtp.messages()[0].Data)
	max := 0
	for _, l := range strings.Split(raw, "\r\n") {
		if len(l) > max {
			max = len(l)
		}
		if strings.HasPrefix(l, "Content-Transfer-Encoding") || strings.HasPrefix(l, "Content-Type") {
			t.Log(l)
		}
	}
	t.Logf("longest raw line: %d", max)
}

// TestCountsHiddenReports: a second report of a story by the same
// outlet (an updated version, not a byte copy) is counted in "N new
// articles" but shown nowhere: not as an item, not under "Also reported by".
func TestCountsHiddenReports(t *testing.T) {
	e := newEnv(t)
	raw, err := os.ReadFile(filepath.Join(e.seeds, "002_3bb022c722742749.txt"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(raw), "Clashes between the two armies restarted in early August.", "Clashes between the two armies restarted in early August, killing dozens.", 1)
	if err := os.WriteFile(filepath.Join(e.seeds, "007_update.txt"), []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.corpus.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	snap := e.corpus.Snapshot()
	a, _ := snap.Article("002_3bb022c722742749")
	b, ok := snap.Article("007_update")
	if !ok {
		t.Fatal("no 007")
	}
	t.Logf("002 story %s outlet %q copy %q; 007 story %s outlet %q copy %q", a.Story, a.Outlet(), a.CopyOf, b.Story, b.Outlet(), b.CopyOf)
	d := e.digest(t)
	path := filepath.Join(t.TempDir(), "p.html")
	is, err := d.Preview(context.Background(), path, digest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	text, _ := os.ReadFile(strings.TrimSuffix(path, ".html") + ".txt")
	shown := strings.Count(string(text), "/articles/")
	t.Logf("subject %q; %d stories; %d article links in the text part", is.Subject, is.Stories, shown)
	if is.Articles != shown {
		t.Errorf("the digest says %d new articles but shows (links) %d:\n%s", is.Articles, shown, text)
	}
}

// TestStoryReachesSubscribersOfItsOlderReportsTheme: a story whose
// newest new report's main theme is Humanitarian and whose older new
// report's is "Ceasefire and peacekeepers" sits in Humanitarian; a
// subscriber of Ceasefire and peacekeepers alone gets it too, in that
// section, and one of Humanitarian alone gets it in Humanitarian.
func TestStoryReachesSubscribersOfItsOlderReportsTheme(t *testing.T) {
	e := newEnv(t)
	raw, err := os.ReadFile(filepath.Join(e.seeds, "002_3bb022c722742749.txt"))
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	update := string(raw) + "\n\nThe ICRC said detainees held in captivity would be repatriated in a prisoner exchange, and demining teams cleared landmines and unexploded shells so that internally displaced returnees could go back. Civilians who fled the exodus need medicine, and the hostages were released.\n"
	if err := os.WriteFile(filepath.Join(e.seeds, "007_update.txt"), []byte(update), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.corpus.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	snap := e.corpus.Snapshot()
	older, _ := snap.Article("002_3bb022c722742749")
	newer, ok := snap.Article("007_update")
	if !ok || older == nil {
		t.Fatalf("002 or 007 missing: %v", snap.Failed)
	}
	if older.Story != newer.Story || older.Class.Theme != "security" || newer.Class.Theme != "humanitarian" || !newer.Date.After(older.Date) {
		t.Fatalf("the test needs one story, 002 in security and the newer 007 in humanitarian: 002 %s %s %v, 007 %s %s %v",
			older.Story, older.Class.Theme, older.Date, newer.Story, newer.Class.Theme, newer.Date)
	}
	e.clock.Advance(time.Hour)
	d := e.digest(t)
	// The welcome's "latest in your themes" follows the same rule.
	srv := newServer(t, e, d)
	if res := do(t, srv, http.MethodPost, "/subscribe", url.Values{"email": {"wel@example.org"}, "themes": {"security"}}); res.code != http.StatusAccepted {
		t.Fatalf("subscribe = %d %s", res.code, res.body)
	}
	waitMail(t, e, 1)
	confirmation, _ := lastTo(t, e, "wel@example.org")
	link := regexp.MustCompile(`https://kdigest\.example\.org/subscribe/confirm\?t=\S+`).FindString(confirmation.Text)
	confirmLink(t, srv, strings.TrimPrefix(link, baseURL))
	waitMail(t, e, 2)
	if welcome, _ := lastTo(t, e, "wel@example.org"); !strings.Contains(welcome.Text, "/articles/007_update") {
		t.Errorf("the welcome of a Ceasefire and peacekeepers subscriber lacks the story:\n%s", welcome.Text)
	}
	subscribeWith(t, d, "sec@example.org", digest.Subscription{Themes: []string{"security"}})
	subscribeWith(t, d, "hum@example.org", digest.Subscription{Themes: []string{"humanitarian"}})
	subscribeWith(t, d, "tra@example.org", digest.Subscription{Themes: []string{"transport"}})
	if _, err := d.Run(context.Background(), digest.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range e.smtp.messages() {
		if p := parseMessage(t, m.Data); !strings.HasPrefix(p.Subject, "Welcome") && !strings.Contains(p.Subject, "onfirm") {
			got[m.To[0]] = p.Text
		}
	}
	for addr, section := range map[string]string{"sec@example.org": "\nCeasefire and peacekeepers (", "hum@example.org": "\nHumanitarian ("} {
		text, ok := got[addr]
		if !ok {
			t.Errorf("%s got no digest", addr)
			continue
		}
		i, j := strings.Index(text, section), strings.Index(text, "/articles/007_update")
		if i < 0 || j < i {
			t.Errorf("%s: the story (its lead 007_update) is not in the section %q:\n%s", addr, section, text)
		}
	}
	if text := got["tra@example.org"]; strings.Contains(text, "/articles/007_update") {
		t.Errorf("a subscriber of Transport and trade alone got the story, whose reports are in security and humanitarian:\n%s", text)
	}
}
