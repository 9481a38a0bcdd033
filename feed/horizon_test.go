package feed

import (
	"context"
	"testing"
	"time"
)

// TestHorizonWaitsForUnpublishedChange checks that a change whose rows
// were saved but whose snapshot could not be built (a body the feeds
// need cannot be read) keeps the horizon before the first sight of the
// articles it added until a later change publishes them: a digest that
// ended its window at now meanwhile would count an undated article as
// past its window while no snapshot showed it, and no digest would ever
// hold it.
func TestHorizonWaitsForUnpublishedChange(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	c := f.open(t, func(o *Options) { o.Size = 1 })
	c.Snapshot().bodies = nil // bodies are read from the database when needed
	if _, err := c.db.Exec(`UPDATE article_texts SET body = 'not json'`); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	f.write(t, "new.txt", "Talks resume\n\nBAKU -- Negotiators of Armenia and Azerbaijan met again on the peace treaty, officials said.\n")
	if err := c.Apply(context.Background(), "new.txt"); err == nil {
		t.Fatal("Apply with unreadable bodies succeeded; the test needs its snapshot to fail")
	}
	r := c.recs["new"]
	if r == nil || r.entry == nil {
		t.Fatal("new.txt was not saved")
	}
	if _, ok := c.Snapshot().Article("new"); ok {
		t.Fatal("the failed change was published")
	}
	f.clock.Advance(time.Minute) // a digest runs now, before any other change
	if h := c.Horizon(); !h.Before(r.firstSeen) {
		t.Errorf("horizon while new.txt is saved but not published = %s, want before its first sight %s", h, r.firstSeen)
	}
	if _, err := c.db.Exec(`UPDATE article_texts SET body = '[]'`); err != nil {
		t.Fatal(err)
	}
	if err := c.Rescan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Snapshot().Article("new"); !ok {
		t.Fatal("new.txt not published by the next change")
	}
	if h := c.Horizon(); !h.Equal(f.clock.Now()) {
		t.Errorf("horizon once published = %s, want now %s", h, f.clock.Now())
	}
}
