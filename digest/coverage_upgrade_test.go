package digest_test

import (
	"context"
	"testing"
	"time"

	"github.com/kdigest/kdigest/digest"
)

// TestSwitchRightAfterTheUpgrade: a subscriber of the release before
// covered-until (ledger version 6) who switches from weekly to daily
// before the first weekly on the upgraded ledger gets, in their first
// daily, every day since their last weekly, as a switcher does later:
// the upgrade takes each subscriber as covered up to the last digest of
// their cadence, which is where their next one would have started.
// (Without it their first daily started a day back, and the days since
// their last weekly reached them in no digest.)
func TestSwitchRightAfterTheUpgrade(t *testing.T) {
	e := newEnv(t)
	d := e.digest(t)
	subscribe(t, d, "zed@example.org")
	subscribeWith(t, d, "dan@example.org", digest.Subscription{Frequency: digest.Daily})
	runDigest(t, d, digest.RunOptions{})            // Monday 23 Nov, 08:00: the weekly
	runDigest(t, d, digest.RunOptions{Daily: true}) // and the daily
	// The ledger as version 6 has it; the release with covered-until starts.
	if _, err := e.db.Exec(`ALTER TABLE subscribers DROP COLUMN covered_until;
		ALTER TABLE deliveries DROP COLUMN since;
		UPDATE schema_version SET version = 6 WHERE component = 'digest'`); err != nil {
		t.Fatal(err)
	}
	d = e.digest(t)
	e.clock.Advance(4 * time.Hour)
	addNews(t, e, 0)
	e.clock.Advance(20 * time.Hour)
	runDigest(t, d, digest.RunOptions{Daily: true}) // Tuesday: dan gets a0
	if err := d.SetPreferences(context.Background(), "zed@example.org", digest.Preferences{Frequency: digest.Daily}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(4 * time.Hour)
	addNews(t, e, 1)
	e.clock.Advance(20 * time.Hour)
	runDigest(t, d, digest.RunOptions{Daily: true}) // Wednesday: zed's first daily
	if p, n := lastTo(t, e, "zed@example.org"); n != 2 || newsIn(p.Text) != "a0 a1" {
		t.Errorf("zed's first daily (%d messages) holds %q, want a0 a1 (every day since their last weekly)", n, newsIn(p.Text))
	}
	if p, _ := lastTo(t, e, "dan@example.org"); newsIn(p.Text) != "a1" {
		t.Errorf("dan's Wednesday daily holds %q, want a1", newsIn(p.Text))
	}
}
