package digest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kdigest/kdigest/digest"
)

// lachin is the body of two outlets' reports of one story: the first
// about the checkpoint (security), the second with a summit headline
// (summits), so the story's new reports are in two themes.
const lachin = "The Russian peacekeeping contingent in Nagorno-Karabakh withdrew from its checkpoint on the Lachin corridor on Tuesday, the defence ministry in Moscow said, handing the post to Azerbaijani forces after three years.\n\nThe withdrawal of the peacekeepers from the Lachin checkpoint follows the agreement on the ceasefire monitoring mission, officials said, and the remaining Russian troops will leave their posts in Stepanakert by the end of the month.\n\nArmenian officials said the security of the road was now the responsibility of Azerbaijan under the ceasefire statement.\n"

// addReport adds a seed with a sidecar naming its outlet.
func addReport(t *testing.T, e *env, name, outlet, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(e.seeds, name+".json"), []byte(`{"source": "`+outlet+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	addSeed(t, e, name+".txt", text)
}

// newsOf returns which of the reports p1, p2 a message's text part links
// to, e.g. "p1 p2".
func newsOf(text string) string {
	var ids []string
	for _, id := range []string{"p1", "p2"} {
		if strings.Contains(text, "/articles/"+id) {
			ids = append(ids, id)
		}
	}
	return strings.Join(ids, " ")
}

// TestSwitchKeepsOthersThemes: a daily subscriber of one theme got a
// story's report in it; the next day another outlet's report of the same
// story, in a theme they did not choose, is new. They get nothing the next
// day, as when nobody switched, also when a weekly subscriber switched to
// daily and so widened that daily's window back to their last weekly:
// the old report in their theme, before their start, does not make the
// story theirs again.
func TestSwitchKeepsOthersThemes(t *testing.T) {
	for _, switched := range []bool{false, true} {
		e := newEnv(t)
		d := e.digest(t)
		subscribeWith(t, d, "sec@example.org", digest.Subscription{Frequency: digest.Daily, Themes: []string{"security"}})
		subscribe(t, d, "sw@example.org")
		runDigest(t, d, digest.RunOptions{})            // Monday 23 Nov, 08:00: the weekly
		runDigest(t, d, digest.RunOptions{Daily: true}) // and the daily
		e.clock.Advance(4 * time.Hour)
		addReport(t, e, "p1", "Outlet A", "Russian peacekeepers leave their checkpoint on the Lachin road\n\n"+lachin)
		e.clock.Advance(20 * time.Hour)
		runDigest(t, d, digest.RunOptions{Daily: true}) // Tuesday
		p, tuesday := lastTo(t, e, "sec@example.org")
		if newsOf(p.Text) != "p1" {
			t.Fatalf("switched %v: the security subscriber's Tuesday daily holds %q, want p1 (the checkpoint)", switched, newsOf(p.Text))
		}
		if switched {
			if err := d.SetPreferences(context.Background(), "sw@example.org", digest.Preferences{Frequency: digest.Daily}); err != nil {
				t.Fatal(err)
			}
		}
		e.clock.Advance(4 * time.Hour)
		addReport(t, e, "p2", "Outlet B", "Pashinyan and Aliyev to discuss Lachin at summit talks in Brussels with Michel\n\n"+
			"Armenian Prime Minister Nikol Pashinyan and Azerbaijani President Ilham Aliyev will meet at a summit in Brussels hosted by Charles Michel, their offices said.\n\n"+lachin)
		e.clock.Advance(20 * time.Hour)
		rep := runDigest(t, d, digest.RunOptions{Daily: true}) // Wednesday
		if p, n := lastTo(t, e, "sec@example.org"); n != tuesday {
			t.Errorf("switched %v: the security subscriber got a daily on Wednesday (%+v), of a story outside their themes whose report in them they had on Tuesday:\n%s\n%s", switched, rep, p.Subject, p.Text)
		}
	}
}

// TestSwitchKeepsOthersLead: a daily subscriber got an outlet's report
// on Tuesday morning; the outlet's update, dated Tuesday without a time
// and first seen after that daily, is new for Wednesday's. They get it,
// as when nobody switched, also when a weekly subscriber switched to daily
// and so widened Wednesday's window back over the report they already
// had.
func TestSwitchKeepsOthersLead(t *testing.T) {
	for _, switched := range []bool{false, true} {
		e := newEnv(t)
		d := e.digest(t)
		subscribeWith(t, d, "reg@example.org", digest.Subscription{Frequency: digest.Daily})
		subscribe(t, d, "sw@example.org")
		runDigest(t, d, digest.RunOptions{})            // Monday 23 Nov, 08:00: the weekly
		runDigest(t, d, digest.RunOptions{Daily: true}) // and the daily
		e.clock.Advance(23 * time.Hour)                 // Tuesday, 07:00
		if err := os.WriteFile(filepath.Join(e.seeds, "p1.json"), []byte(`{"source": "Outlet A", "published": "2026-11-24T07:00:00Z"}`), 0o644); err != nil {
			t.Fatal(err)
		}
		addSeed(t, e, "p1.txt", "Russian peacekeepers leave their checkpoint on the Lachin road\n\n"+lachin)
		e.clock.Advance(time.Hour)
		runDigest(t, d, digest.RunOptions{Daily: true}) // Tuesday, 08:00
		if p, _ := lastTo(t, e, "reg@example.org"); newsOf(p.Text) != "p1" {
			t.Fatalf("switched %v: Tuesday's daily holds %q, want p1", switched, newsOf(p.Text))
		}
		if switched {
			if err := d.SetPreferences(context.Background(), "sw@example.org", digest.Preferences{Frequency: digest.Daily}); err != nil {
				t.Fatal(err)
			}
		}
		e.clock.Advance(time.Hour) // Tuesday, 09:00: the update
		if err := os.WriteFile(filepath.Join(e.seeds, "p2.json"), []byte(`{"source": "Outlet A", "published": "2026-11-24"}`), 0o644); err != nil {
			t.Fatal(err)
		}
		addSeed(t, e, "p2.txt", "Russian peacekeepers leave their checkpoint on the Lachin road\n\n"+strings.Replace(lachin, "after three years.", "after three years, and the last convoy crossed into Armenia.", 1))
		e.clock.Advance(23 * time.Hour)
		runDigest(t, d, digest.RunOptions{Daily: true}) // Wednesday, 08:00
		if p, _ := lastTo(t, e, "reg@example.org"); newsOf(p.Text) != "p2" {
			t.Errorf("switched %v: Wednesday's daily holds %q, want p2 (the update):\n%s\n%s", switched, newsOf(p.Text), p.Subject, p.Text)
		}
	}
}
