package digest_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/digest"
)

// news are articles the cadence tests add, one at a time, each its own
// story; a test adds news[i] as the seed "aI.txt", so its page is
// /articles/aI.
var news = []string{
	"Armenia and Azerbaijan foreign ministers meet in Almaty on Karabakh peace treaty\n\nThe foreign ministers of Armenia and Azerbaijan met in Almaty to discuss the text of the peace treaty and the delimitation of the border after the Karabakh conflict.\n",
	"Humanitarian convoy reaches displaced Karabakh Armenians in Goris\n\nA Red Cross convoy delivered medicine, food and blankets to refugees from Nagorno-Karabakh sheltering in Goris, the humanitarian agency said, as Armenia asked for more aid.\n",
	"Russian peacekeepers leave their checkpoint on the Lachin road\n\nThe Russian peacekeeping contingent in Nagorno-Karabakh withdrew from its checkpoint on the Lachin corridor, the defence ministry in Moscow said, handing the post to Azerbaijani forces.\n",
	"Baku and Yerevan resume talks on the Zangezur railway\n\nDeputy prime ministers of Azerbaijan and Armenia resumed negotiations on reopening railway links through Syunik, the transport corridor both sides have argued over since the Karabakh war.\n",
	"Shelling reported near Sotk on the Armenia-Azerbaijan border\n\nArmenia's defence ministry said Azerbaijani troops shelled positions near Sotk overnight, the worst escalation on the border since the Karabakh offensive; Baku blamed Armenian provocations.\n",
	"Pashinyan and Aliyev meet Charles Michel at a summit in Brussels\n\nArmenian Prime Minister Nikol Pashinyan and Azerbaijani President Ilham Aliyev held a trilateral summit with European Council President Charles Michel in Brussels on the Karabakh settlement.\n",
}

// addNews adds news[i] as a seed the corpus first sees now.
func addNews(t *testing.T, e *env, i int) {
	t.Helper()
	addSeed(t, e, "a"+string(rune('0'+i))+".txt", news[i])
}

// newsIn returns which of news a message's text part links to, e.g.
// "a0 a2"; the seeds' articles are left out.
func newsIn(text string) string {
	var ids []string
	for _, m := range regexp.MustCompile(`/articles/(a\d)\b`).FindAllStringSubmatch(text, -1) {
		if !slices.Contains(ids, m[1]) {
			ids = append(ids, m[1])
		}
	}
	slices.Sort(ids)
	return strings.Join(ids, " ")
}

// at sets the test's clock to t.
func at(e *env, t time.Time) { e.clock.Advance(t.Sub(e.clock.Now())) }

// runDigest runs a digest and fails the test on error.
func runDigest(t *testing.T, d *digest.Digest, o digest.RunOptions) *digest.Report {
	t.Helper()
	rep, err := d.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// everyTheme is the preferences form's themes with every box ticked.
var everyTheme = []string{"summits", "peace-treaty", "security", "escalation", "transport", "humanitarian"}

// switchOnPage changes a subscriber's frequency as they do: on the
// preferences page their digest links to.
func switchOnPage(t *testing.T, d *digest.Digest, srv string, addr, frequency string) {
	t.Helper()
	tok := unsubscribeToken(t, d.PreferencesURL(addr))
	res, err := http.PostForm(srv+"/preferences", url.Values{"t": {tok}, "action": {"save"}, "themes": everyTheme, "frequency": {frequency}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("save %s on /preferences = %d", frequency, res.StatusCode)
	}
}

// TestSwitchDailyToWeekly: a subscriber gets dailies Monday to Wednesday,
// then switches to weekly: the next weekly holds none of the articles
// those dailies carried and every one after them, from the end of their
// last daily; the weekly after it is a week again. A switcher whose
// themes have nothing new since their last daily gets no weekly, as one
// with nothing new in their themes. A regular weekly subscriber gets
// exactly what they get when nobody switches.
func TestSwitchDailyToWeekly(t *testing.T) {
	var regular []parsedMessage // the regular weekly subscriber's Monday issue, per world
	for _, switched := range []bool{true, false} {
		e, d, srv := newWebEnv(t)
		subscribe(t, d, "reg@example.org")
		subscribeWith(t, d, "sw@example.org", digest.Subscription{Frequency: digest.Daily})
		subscribeWith(t, d, "sec@example.org", digest.Subscription{Frequency: digest.Daily, Themes: []string{"security"}})
		runDigest(t, d, digest.RunOptions{})            // Monday 23 Nov, 08:00: the weekly
		runDigest(t, d, digest.RunOptions{Daily: true}) // and the daily
		for day := range 3 {                            // an article each day, the daily the next morning
			e.clock.Advance(4 * time.Hour)
			addNews(t, e, day)
			e.clock.Advance(20 * time.Hour)
			runDigest(t, d, digest.RunOptions{Daily: true})
			if p, _ := lastTo(t, e, "sw@example.org"); newsIn(p.Text) != "a"+string(rune('0'+day)) {
				t.Errorf("daily %d holds %q", day, newsIn(p.Text))
			}
		}
		if p, n := lastTo(t, e, "sec@example.org"); n != 2 || newsIn(p.Text) != "a2" {
			t.Fatalf("the security subscriber's last daily (%d messages) holds %q, want a2 (the Lachin checkpoint)", n, newsIn(p.Text))
		}
		// Thursday 26 Nov, 08:00, after the daily.
		if switched {
			switchOnPage(t, d, srv.URL, "sw@example.org", "weekly")
			if err := d.SetPreferences(context.Background(), "sec@example.org", digest.Preferences{Frequency: digest.Weekly, Themes: []string{"security"}}); err != nil {
				t.Fatal(err)
			}
		}
		e.clock.Advance(4 * time.Hour)
		addNews(t, e, 3) // Thursday
		e.clock.Advance(48 * time.Hour)
		addNews(t, e, 4)                // Saturday
		e.clock.Advance(44 * time.Hour) // Monday 30 Nov, 08:00
		rep := runDigest(t, d, digest.RunOptions{})
		reg, n := lastTo(t, e, "reg@example.org")
		if n != 2 || newsIn(reg.Text) != "a0 a1 a2 a3 a4" || reg.Subject != "Karabakh diplomacy weekly, 23–30 Nov 2026: 5 new articles" {
			t.Errorf("switched %v: the regular weekly (%d): %q holds %q", switched, n, reg.Subject, newsIn(reg.Text))
		}
		regular = append(regular, reg)
		if !switched {
			continue
		}
		if rep.Sent != 2 || rep.Skipped != 1 || rep.Articles != 5 {
			t.Errorf("weekly run = %+v, want 2 sent (sec left out) of 5 articles", rep)
		}
		if _, n := lastTo(t, e, "sec@example.org"); n != 2 {
			t.Errorf("the security subscriber got %d messages, want 2: the Lachin checkpoint again", n)
		}
		dels, err := d.Deliveries(context.Background(), rep.DigestID)
		if err != nil || len(dels) != 2 || dels[1].Recipient != "sw@example.org" || !slices.Equal(dels[1].Themes, []string{"escalation", "transport"}) {
			t.Errorf("deliveries = %+v, %v, want sw's holding escalation and transport", dels, err)
		}
		sw, n := lastTo(t, e, "sw@example.org")
		if n != 5 || newsIn(sw.Text) != "a3 a4" || sw.Subject != "Karabakh diplomacy weekly, 26–30 Nov 2026: 2 new articles" {
			t.Errorf("the switcher's first weekly (%d messages): %q holds %q, want a3 a4 only\n%s", n, sw.Subject, newsIn(sw.Text), sw.Text)
		}
		if got := runDigest(t, d, digest.RunOptions{Daily: true}); !got.NoRecipients {
			t.Errorf("daily after the switch = %+v, want no recipients", got)
		}
		// A resend is the message as it was; neither it nor a one-off
		// moves anyone's start.
		if _, err := d.Resend(context.Background(), rep.DigestID, "sw@example.org", nil); err != nil {
			t.Fatal(err)
		}
		if again, _ := lastTo(t, e, "sw@example.org"); again.Subject != sw.Subject || again.Text != sw.Text {
			t.Errorf("resent: %q\n%s\nwant %q\n%s", again.Subject, again.Text, sw.Subject, sw.Text)
		}
		e.clock.Advance(time.Hour)
		runDigest(t, d, digest.RunOptions{To: []string{"sw@example.org", "reg@example.org"}})
		// The weekly after that is a week, as everyone's.
		e.clock.Advance(27 * time.Hour)
		addNews(t, e, 5)
		e.clock.Advance(140 * time.Hour) // Monday 7 Dec, 08:00
		runDigest(t, d, digest.RunOptions{})
		for _, addr := range []string{"reg@example.org", "sw@example.org"} {
			p, _ := lastTo(t, e, addr)
			if newsIn(p.Text) != "a5" || p.Subject != "Karabakh diplomacy weekly, 30 Nov – 7 Dec 2026: 1 new article" {
				t.Errorf("%s's second weekly: %q holds %q", addr, p.Subject, newsIn(p.Text))
			}
		}
	}
	if regular[0].Subject != regular[1].Subject || regular[0].Text != regular[1].Text || regular[0].HTML != regular[1].HTML {
		t.Errorf("the regular weekly differs when someone switched:\n%s\nwithout a switch:\n%s", regular[0].Text, regular[1].Text)
	}
}

// TestSwitchWeeklyToDaily: a weekly subscriber switches to daily on
// Wednesday; the first daily after it holds the days since their last
// weekly, not one day, and the next daily is back to one day. The
// regular daily subscriber's dailies are what they are when nobody
// switches; the run's window, and so the archive's copy, reaches back to
// the switcher's last weekly.
func TestSwitchWeeklyToDaily(t *testing.T) {
	var regular []parsedMessage // the regular daily subscriber's Thursday daily, per world
	for _, switched := range []bool{true, false} {
		e := newEnv(t)
		d := e.digest(t)
		subscribe(t, d, "regw@example.org", "sw@example.org")
		subscribeWith(t, d, "regd@example.org", digest.Subscription{Frequency: digest.Daily})
		runDigest(t, d, digest.RunOptions{})            // Monday 23 Nov, 08:00: the weekly
		runDigest(t, d, digest.RunOptions{Daily: true}) // and the daily
		for day := range 3 {
			e.clock.Advance(4 * time.Hour)
			addNews(t, e, day)
			if day == 2 && switched {
				e.clock.Advance(8 * time.Hour) // Wednesday evening
				if err := d.SetPreferences(context.Background(), "sw@example.org", digest.Preferences{Frequency: digest.Daily}); err != nil {
					t.Fatal(err)
				}
				e.clock.Advance(12 * time.Hour)
			} else {
				e.clock.Advance(20 * time.Hour)
			}
			if day == 2 && switched {
				var out bytes.Buffer
				runDigest(t, d, digest.RunOptions{Daily: true, DryRun: true, Out: &out})
				if want := "Recipients: regd@example.org (new since 2026-11-25T08:00:00Z: 1 article), sw@example.org\n"; !strings.Contains(out.String(), want) {
					t.Errorf("dry run lacks %q:\n%s", want, out.String())
				}
			}
			runDigest(t, d, digest.RunOptions{Daily: true})
			if p, _ := lastTo(t, e, "regd@example.org"); newsIn(p.Text) != "a"+string(rune('0'+day)) {
				t.Errorf("switched %v: regular daily %d holds %q", switched, day, newsIn(p.Text))
			}
		}
		// Thursday 26 Nov, 08:00: the first daily since the switch.
		reg, _ := lastTo(t, e, "regd@example.org")
		regular = append(regular, reg)
		if !switched {
			continue
		}
		sw, n := lastTo(t, e, "sw@example.org")
		if n != 2 || newsIn(sw.Text) != "a0 a1 a2" || sw.Subject != "Karabakh diplomacy daily, 23–26 Nov 2026: 3 new articles" {
			t.Errorf("the switcher's first daily (%d messages): %q holds %q, want a0 a1 a2\n%s", n, sw.Subject, newsIn(sw.Text), sw.Text)
		}
		list, err := d.Digests(context.Background(), 1)
		if err != nil || len(list) != 1 || !list[0].Since.Equal(t0) || list[0].Articles != 3 {
			t.Errorf("the daily's record = %+v, %v, want its window from %v, 3 articles", list, err, t0)
		}
		dels, err := d.Deliveries(context.Background(), list[0].ID)
		if err != nil || len(dels) != 2 || !dels[0].Since.Equal(t0.Add(48*time.Hour)) || !dels[1].Since.Equal(t0) {
			t.Errorf("deliveries = %+v, %v, want regd's from %v, sw's from %v", dels, err, t0.Add(48*time.Hour), t0)
		}
		// Friday: one day again.
		e.clock.Advance(4 * time.Hour)
		addNews(t, e, 3)
		e.clock.Advance(20 * time.Hour)
		runDigest(t, d, digest.RunOptions{Daily: true})
		for _, addr := range []string{"regd@example.org", "sw@example.org"} {
			p, _ := lastTo(t, e, addr)
			if newsIn(p.Text) != "a3" || p.Subject != "Karabakh diplomacy daily, 26–27 Nov 2026: 1 new article" {
				t.Errorf("%s's Friday daily: %q holds %q", addr, p.Subject, newsIn(p.Text))
			}
		}
		// The next weekly is not theirs any more.
		e.clock.Advance(72 * time.Hour)
		runDigest(t, d, digest.RunOptions{})
		if _, n := lastTo(t, e, "sw@example.org"); n != 3 {
			t.Errorf("the switcher got %d messages, want 3 (the weekly before, two dailies)", n)
		}
		if p, _ := lastTo(t, e, "regw@example.org"); newsIn(p.Text) != "a0 a1 a2 a3" {
			t.Errorf("the regular weekly holds %q", newsIn(p.Text))
		}
	}
	if regular[0].Subject != regular[1].Subject || regular[0].Text != regular[1].Text || regular[0].HTML != regular[1].HTML {
		t.Errorf("the regular daily differs when someone switched:\n%s\nwithout a switch:\n%s", regular[0].Text, regular[1].Text)
	}
}

// TestSwitcherResumedAsBuilt: a weekly run interrupted before it reached
// a subscriber who switched daily to weekly is finished by the next run
// with the very message it would have sent (from the end of their last
// daily): the start of their message is recorded with the delivery, so
// neither what the corpus found since nor their new preferences change
// it.
func TestSwitcherResumedAsBuilt(t *testing.T) {
	var got []parsedMessage // the switcher's message: uninterrupted, then resumed
	for _, interrupt := range []bool{false, true} {
		e := newEnv(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		armed := false // the second weekly stops after its first message
		d := e.digest(t, func(o *digest.Options) {
			o.OnSent = func() {
				if armed {
					cancel()
				}
			}
		})
		subscribe(t, d, "ann@example.org")
		subscribeWith(t, d, "zed@example.org", digest.Subscription{Frequency: digest.Daily})
		runDigest(t, d, digest.RunOptions{}) // Monday 23 Nov: the weekly, ann's
		runDigest(t, d, digest.RunOptions{Daily: true})
		for day := range 3 {
			e.clock.Advance(4 * time.Hour)
			addNews(t, e, day)
			e.clock.Advance(20 * time.Hour)
			runDigest(t, d, digest.RunOptions{Daily: true})
		}
		if err := d.SetPreferences(context.Background(), "zed@example.org", digest.Preferences{Frequency: digest.Weekly}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(4 * time.Hour)
		addNews(t, e, 3)
		at(e, t0.Add(7*24*time.Hour))
		armed = interrupt
		rep, err := d.Run(ctx, digest.RunOptions{}) // Monday 30 Nov: ann, then zed
		if err != nil {
			t.Fatal(err)
		}
		if interrupt {
			if !rep.Interrupted || rep.Sent != 1 {
				t.Fatalf("run = %+v, want interrupted after ann", rep)
			}
			if _, n := lastTo(t, e, "zed@example.org"); n != 4 {
				t.Fatalf("zed got %d messages before the resume, want 4 (the dailies)", n)
			}
			// An hour later: a new article, new preferences, a new process.
			e.clock.Advance(time.Hour)
			addNews(t, e, 4)
			if err := d.SetPreferences(context.Background(), "zed@example.org", digest.Preferences{Frequency: digest.Daily, Themes: []string{"security"}}); err != nil {
				t.Fatal(err)
			}
			rep, err := e.digest(t).Run(context.Background(), digest.RunOptions{ResumeOnly: true})
			if err != nil || len(rep.Resumed) != 1 || rep.Resumed[0].Sent != 1 {
				t.Fatalf("resume = %+v, %v, want zed's message sent", rep, err)
			}
		}
		p, n := lastTo(t, e, "zed@example.org")
		if n != 5 || newsIn(p.Text) != "a3" || p.Subject != "Karabakh diplomacy weekly, 26–30 Nov 2026: 1 new article" {
			t.Errorf("interrupted %v: zed's first weekly (%d messages): %q holds %q, want a3 only", interrupt, n, p.Subject, newsIn(p.Text))
		}
		got = append(got, p)
	}
	if got[0].Subject != got[1].Subject || got[0].Text != got[1].Text || got[0].HTML != got[1].HTML {
		t.Errorf("the resumed message differs:\n%s\nuninterrupted:\n%s", got[1].Text, got[0].Text)
	}
}

// TestHeldBackNotWidened: a subscriber whose digests were held back for
// weeks (paused, or suspended and then subscribed again) gets, when they
// come back, what is new since the last digest of their cadence, not an
// issue spanning the weeks held back; also when nobody else got a digest
// meanwhile.
func TestHeldBackNotWidened(t *testing.T) {
	pause := func(t *testing.T, d *digest.Digest, e *env) {
		if err := d.Pause(context.Background(), "ann@example.org", 2); err != nil {
			t.Fatal(err)
		}
	}
	suspend := func(t *testing.T, d *digest.Digest, e *env) {
		if _, err := e.db.Exec(`UPDATE subscribers SET status = 'suspended', reason = 'refused' WHERE email = 'ann@example.org'`); err != nil {
			t.Fatal(err)
		}
	}
	subscribeAgain := func(t *testing.T, d *digest.Digest) {
		subscribe(t, d, "ann@example.org")
	}
	for _, tc := range []struct {
		name    string
		others  bool
		hold    func(*testing.T, *digest.Digest, *env)
		release func(*testing.T, *digest.Digest) // nil: the pause ends by itself
	}{
		{"paused, others get the digests", true, pause, nil},
		{"paused, alone", false, pause, nil},
		{"suspended, subscribed again", true, suspend, subscribeAgain},
		{"suspended alone, subscribed again", false, suspend, subscribeAgain},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.digest(t)
			subscribe(t, d, "ann@example.org")
			if tc.others {
				subscribe(t, d, "bob@example.org")
			}
			runDigest(t, d, digest.RunOptions{}) // Monday 23 Nov
			e.clock.Advance(time.Hour)
			tc.hold(t, d, e)
			for week := range 3 {
				monday := t0.Add(time.Duration(week+1) * 7 * 24 * time.Hour)
				at(e, monday.Add(-4*24*time.Hour)) // Thursday
				addNews(t, e, week)
				at(e, monday.Add(-time.Hour))
				if week == 2 && tc.release != nil {
					tc.release(t, d)
				}
				at(e, monday)
				runDigest(t, d, digest.RunOptions{})
				if _, n := lastTo(t, e, "ann@example.org"); week < 2 && n != 1 {
					t.Fatalf("week %d: ann got %d messages while held back", week, n)
				}
			}
			p, n := lastTo(t, e, "ann@example.org")
			if n != 2 || newsIn(p.Text) != "a2" || p.Subject != "Karabakh diplomacy weekly, 7–14 Dec 2026: 1 new article" {
				t.Errorf("ann's first digest back (%d messages): %q holds %q, want a2 only", n, p.Subject, newsIn(p.Text))
			}
			if tc.others {
				if p, _ := lastTo(t, e, "bob@example.org"); newsIn(p.Text) != "a2" {
					t.Errorf("bob's third weekly holds %q", newsIn(p.Text))
				}
			}
		})
	}
}

// TestCoverageMigration: a ledger written by the release before
// covered-until (version 6), with a digest left unfinished, is upgraded
// in place: the unfinished digest resumes with the message the others
// got, the next window starts where the last weekly ended, and from the
// next digest on a switch to daily carries the days since it.
func TestCoverageMigration(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := e.digest(t, func(o *digest.Options) { o.OnSent = cancel })
	subscribe(t, d, "ann@example.org", "zed@example.org")
	if rep, err := d.Run(ctx, digest.RunOptions{}); err != nil || !rep.Interrupted || rep.Sent != 1 {
		t.Fatalf("run = %+v, %v, want interrupted after ann", rep, err)
	}
	// The ledger as version 6 has it.
	if _, err := e.db.Exec(`ALTER TABLE subscribers DROP COLUMN covered_until;
		ALTER TABLE deliveries DROP COLUMN since;
		UPDATE schema_version SET version = 6 WHERE component = 'digest'`); err != nil {
		t.Fatal(err)
	}
	d = e.digest(t)
	var version int
	if err := e.db.QueryRow(`SELECT version FROM schema_version WHERE component = 'digest'`).Scan(&version); err != nil || version < 7 {
		t.Errorf("schema version = %d, %v, want 7 or later", version, err)
	}
	if _, err := e.db.Exec(`SELECT covered_until FROM subscribers; SELECT since FROM deliveries`); err != nil {
		t.Errorf("the new columns: %v", err)
	}
	e.clock.Advance(time.Hour)
	rep, err := d.Run(context.Background(), digest.RunOptions{ResumeOnly: true})
	if err != nil || len(rep.Resumed) != 1 || rep.Resumed[0].Sent != 1 {
		t.Fatalf("resume = %+v, %v", rep, err)
	}
	ann, _ := lastTo(t, e, "ann@example.org")
	zed, _ := lastTo(t, e, "zed@example.org")
	if zed.Subject != ann.Subject || zed.Subject != "Karabakh diplomacy weekly, 16–23 Nov 2026: 5 new articles" {
		t.Errorf("resumed subject = %q, ann's %q", zed.Subject, ann.Subject)
	}
	if is, err := d.Plan(context.Background(), digest.RunOptions{}); err != nil || !is.Since.Equal(t0) {
		t.Errorf("next weekly starts %v, %v, want %v", is.Since, err, t0)
	}
	// A weekly on the upgraded ledger, then zed switches to daily.
	e.clock.Advance(3*24*time.Hour - time.Hour)
	addNews(t, e, 0)
	e.clock.Advance(4 * 24 * time.Hour)
	runDigest(t, d, digest.RunOptions{}) // Monday 30 Nov
	if err := d.SetPreferences(context.Background(), "zed@example.org", digest.Preferences{Frequency: digest.Daily}); err != nil {
		t.Fatal(err)
	}
	for day := range 2 {
		e.clock.Advance(4 * time.Hour)
		addNews(t, e, day+1)
		e.clock.Advance(20 * time.Hour)
	}
	runDigest(t, d, digest.RunOptions{Daily: true}) // Wednesday 2 Dec
	if p, n := lastTo(t, e, "zed@example.org"); n != 3 || newsIn(p.Text) != "a1 a2" {
		t.Errorf("zed's first daily (%d messages) holds %q, want a1 a2", n, newsIn(p.Text))
	}
}

// TestCoverFails: when what a digest covered cannot be written, the run
// says so and records nothing of it: no digest, no delivery, no message,
// so the next run makes it whole; and a run that records no digest
// reports that its held-back subscribers could not be covered.
func TestCoverFails(t *testing.T) {
	for _, tc := range []struct {
		name   string
		paused bool // ann is paused: the run records no digest
	}{
		{"a digest is recorded", false},
		{"no digest, a paused subscriber", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.digest(t)
			subscribe(t, d, "ann@example.org")
			if tc.paused {
				if err := d.Pause(context.Background(), "ann@example.org", 1); err != nil {
					t.Fatal(err)
				}
			}
			before := dumpLedger(t, e.db)
			// A fault the database itself raises.
			if _, err := e.db.Exec(`CREATE TRIGGER no_cover BEFORE UPDATE OF covered_until ON subscribers
				BEGIN SELECT RAISE(ABORT, 'disk says no'); END`); err != nil {
				t.Fatal(err)
			}
			_, err := d.Run(context.Background(), digest.RunOptions{})
			if err == nil || !strings.Contains(err.Error(), "record what the digest covered") || !strings.Contains(err.Error(), "disk says no") {
				t.Errorf("run = %v, want the covered-until write's error", err)
			}
			if after := dumpLedger(t, e.db); after != before {
				t.Errorf("the failed run changed the ledger:\n%s\nwant\n%s", after, before)
			}
			if n := e.smtp.accepted(); n != 0 {
				t.Errorf("the failed run sent %d messages", n)
			}
			if _, err := e.db.Exec(`DROP TRIGGER no_cover`); err != nil {
				t.Fatal(err)
			}
			want := 1
			if tc.paused {
				want = 0
			}
			if rep := runDigest(t, d, digest.RunOptions{}); rep.Sent != want {
				t.Errorf("next run = %+v, want %d sent", rep, want)
			}
		})
	}
}

// TestSwitcherGetsADayStatedLater: an article that states its day without
// a time, first seen after the switcher's last daily that same day, is in
// their first weekly: a view starts by the window's rule (the time it was
// first seen), not by the midnight its day begins with.
func TestSwitcherGetsADayStatedLater(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	subscribeWith(t, d, "sw@example.org", digest.Subscription{Frequency: digest.Daily})
	runDigest(t, d, digest.RunOptions{}) // Monday 23 Nov: no weekly subscriber yet
	runDigest(t, d, digest.RunOptions{Daily: true})
	at(e, t0.Add(52*time.Hour)) // Wednesday, 12:00
	addNews(t, e, 0)
	at(e, t0.Add(72*time.Hour)) // Thursday, 08:00
	runDigest(t, d, digest.RunOptions{Daily: true})
	if err := d.SetPreferences(context.Background(), "sw@example.org", digest.Preferences{Frequency: digest.Weekly}); err != nil {
		t.Fatal(err)
	}
	at(e, t0.Add(79*time.Hour)) // Thursday, 15:00
	addSeed(t, e, "a4.txt", strings.Replace(news[4], "\n\n", "\nPublished: 26 November 2026\n\n", 1))
	at(e, t0.Add(7*24*time.Hour))
	runDigest(t, d, digest.RunOptions{})
	if p, n := lastTo(t, e, "sw@example.org"); n != 3 || newsIn(p.Text) != "a4" || !strings.Contains(p.Text, "26 Nov 2026") {
		t.Errorf("the switcher's first weekly (%d messages) holds %q, want a4 (dated 26 Nov, found that afternoon)\n%s", n, newsIn(p.Text), p.Text)
	}
}
