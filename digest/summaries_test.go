package digest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kdigest/kdigest/digest"
	"github.com/kdigest/kdigest/feed"
)

// TestDigestSummariesOutsideTheFeeds: memory keeps the summaries of the
// entries the feeds carry only (here one per feed); the digest lists
// more, and each item has its summary, read from the database.
func TestDigestSummariesOutsideTheFeeds(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c, err := feed.Open(ctx, e.db, feed.Options{Dir: e.seeds, BaseURL: baseURL, Now: e.clock.Now, Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	e.corpus = c
	d := e.digest(t)
	subscribe(t, d, "ann@example.org")
	rep, err := d.Run(ctx, digest.RunOptions{})
	if err != nil || rep.Sent != 1 {
		t.Fatalf("run = %+v, %v", rep, err)
	}
	snap := c.Snapshot()
	sums, err := snap.Summaries(ctx, snap.Visible())
	if err != nil {
		t.Fatal(err)
	}
	p, _ := lastTo(t, e, "ann@example.org")
	shown := 0
	for _, en := range snap.Visible() {
		if !strings.Contains(p.HTML, en.URL()) {
			continue
		}
		shown++
		// The HTML escapes quotes; the summary's first words are enough.
		words := strings.Fields(sums[en.ID])
		lede := strings.Join(words[:min(4, len(words))], " ")
		if lede == "" || !strings.Contains(p.HTML, lede) {
			t.Errorf("the digest lists %s without its summary (%q)", en.ID, lede)
		}
	}
	if shown < 3 {
		t.Fatalf("the digest lists %d articles; the test needs more than the feeds carry", shown)
	}
}
