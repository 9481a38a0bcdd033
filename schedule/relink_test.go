package schedule

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSeedsLinkSwapped checks that when the seeds folder is a link
// (seeds -> a) and the operator points it at a new folder (seeds -> b), as
// a deploy does, a file written into the new folder reaches Apply within
// seconds, as in a replaced folder.
func TestSeedsLinkSwapped(t *testing.T) {
	base := t.TempDir()
	a, b := filepath.Join(base, "a"), filepath.Join(base, "b")
	for _, d := range []string{a, b} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(base, "seeds")
	if err := os.Symlink(a, link); err != nil {
		t.Fatal(err)
	}
	rescans := make(chan struct{}, 100)
	_, rec := startWatcher(t, WatchOptions{Dir: link, PollEvery: 50 * time.Millisecond,
		Rescan: func(context.Context) error { rescans <- struct{}{}; return nil }})
	<-rescans
	write(t, filepath.Join(link, "first.txt"), "x")
	rec.waitFor(t, "first.txt", 2*time.Second)
	// ln -sfn b seeds, atomically: a new link renamed over the old one.
	tmp := filepath.Join(base, "seeds.new")
	if err := os.Symlink(b, tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, link); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	write(t, filepath.Join(link, "second.txt"), "in the new folder")
	rec.waitFor(t, "second.txt", 3*time.Second)
}
