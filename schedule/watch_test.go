package schedule

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// recorder collects Apply calls with the file content seen at that moment.
type recorder struct {
	mu      sync.Mutex
	dir     string
	calls   map[string]int
	content map[string]string
	notify  chan string
	fail    map[string]bool
}

func newRecorder(dir string) *recorder {
	return &recorder{dir: dir, calls: map[string]int{}, content: map[string]string{}, notify: make(chan string, 10000), fail: map[string]bool{}}
}

func (r *recorder) apply(ctx context.Context, names ...string) error {
	var failed error
	for _, name := range names {
		if err := r.applyOne(name); err != nil {
			failed = err
		}
	}
	return failed
}

func (r *recorder) applyOne(name string) error {
	data, err := os.ReadFile(filepath.Join(r.dir, name))
	r.mu.Lock()
	r.calls[name]++
	if err == nil {
		r.content[name] = string(data)
	} else {
		r.content[name] = "<gone>"
	}
	failing := r.fail[name]
	r.mu.Unlock()
	r.notify <- name
	if failing {
		return errors.New("cannot parse")
	}
	return nil
}

func (r *recorder) count(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[name]
}

// waitFor waits until Apply has been called for name; the timeout only
// bounds a failure.
//
// within is what the behaviour takes on a quiet machine; the wait allows
// ten times as much, as it bounds correctness, not speed (a loaded CI
// machine under -race is slow; latency is measured by .ci/bench-100k).
func (r *recorder) waitFor(t *testing.T, name string, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	within *= 10
	deadline := time.After(within)
	for {
		select {
		case got := <-r.notify:
			if got == name {
				return time.Since(start)
			}
		case <-deadline:
			t.Fatalf("no Apply(%q) within %s", name, within)
		}
	}
}

func startWatcher(t *testing.T, opts WatchOptions) (*Watcher, *recorder) {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	rec := newRecorder(opts.Dir)
	opts.Apply = rec.apply
	if opts.Seed == nil {
		opts.Seed = txtSeeds
	}
	w := NewWatcher(opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	// Wait until the watcher has chosen its mode.
	for i := 0; i < 200 && w.Status().Mode == ""; i++ {
		time.Sleep(5 * time.Millisecond)
	}
	return w, rec
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// txtSeeds is the tests' rule of which file is a seed (kdigest passes
// feed.IsSeed): what it rejects never reaches Apply.
func txtSeeds(name string) bool {
	return strings.HasSuffix(name, ".txt") && !strings.HasPrefix(name, ".")
}

func TestWatcherModes(t *testing.T) {
	modes := []struct {
		name     string
		notifier func() (*fsnotify.Watcher, error)
		mode     string
	}{
		{"inotify", nil, "inotify"},
		{"polling fallback", func() (*fsnotify.Watcher, error) { return nil, errors.New("too many open files") }, "polling"},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			w, rec := startWatcher(t, WatchOptions{notifier: m.notifier, PollEvery: 100 * time.Millisecond})
			if got := w.Status().Mode; got != m.mode {
				t.Fatalf("mode = %q, want %q", got, m.mode)
			}
			if m.mode == "polling" && !strings.Contains(w.Status().Reason, "too many open files") {
				t.Errorf("reason = %q, want the cause", w.Status().Reason)
			}
			dir := rec.dir

			// A new file arrives within a second of its write.
			write(t, filepath.Join(dir, "new.txt"), "hello")
			rec.waitFor(t, "new.txt", 2*time.Second)
			// Written under a temporary name, then renamed into place.
			write(t, filepath.Join(dir, "incoming.tmp"), "complete article")
			if err := os.Rename(filepath.Join(dir, "incoming.tmp"), filepath.Join(dir, "final.txt")); err != nil {
				t.Fatal(err)
			}
			rec.waitFor(t, "final.txt", 2*time.Second)
			if rec.count("incoming.tmp") != 0 {
				t.Error("temporary name was applied")
			}
			// Deleted.
			if err := os.Remove(filepath.Join(dir, "new.txt")); err != nil {
				t.Fatal(err)
			}
			rec.waitFor(t, "new.txt", 2*time.Second)
			// Renamed out of the folder.
			if err := os.Rename(filepath.Join(dir, "final.txt"), filepath.Join(t.TempDir(), "moved.txt")); err != nil {
				t.Fatal(err)
			}
			rec.waitFor(t, "final.txt", 2*time.Second)
			// Names the Seed rule rejects never arrive.
			for _, n := range []string{".hidden.txt", "x.txt~", "x.swp", "x.part", "notes.md"} {
				write(t, filepath.Join(dir, n), "x")
			}
			write(t, filepath.Join(dir, "marker.txt"), "x")
			rec.waitFor(t, "marker.txt", 2*time.Second)
			for _, n := range []string{".hidden.txt", "x.txt~", "x.swp", "x.part", "notes.md"} {
				if rec.count(n) != 0 {
					t.Errorf("ignored file %s was applied", n)
				}
			}
		})
	}
}

func TestChunkedWriteAppliedOnceComplete(t *testing.T) {
	_, rec := startWatcher(t, WatchOptions{Debounce: 200 * time.Millisecond})
	path := filepath.Join(rec.dir, "chunked.txt")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	want := ""
	for i := 0; i < 5; i++ {
		chunk := fmt.Sprintf("paragraph %d\n", i)
		want += chunk
		if _, err := f.WriteString(chunk); err != nil {
			t.Fatal(err)
		}
		time.Sleep(40 * time.Millisecond) // a slow writer: chunks well inside the debounce
	}
	f.Close()
	rec.waitFor(t, "chunked.txt", 3*time.Second)
	rec.mu.Lock()
	got, n := rec.content["chunked.txt"], rec.calls["chunked.txt"]
	rec.mu.Unlock()
	if n != 1 || got != want {
		t.Errorf("applied %d times with %q, want once with the whole file", n, got)
	}
}

func TestFailingFileThenFixed(t *testing.T) {
	_, rec := startWatcher(t, WatchOptions{})
	rec.mu.Lock()
	rec.fail["broken.txt"] = true
	rec.mu.Unlock()
	path := filepath.Join(rec.dir, "broken.txt")
	write(t, path, "bad")
	rec.waitFor(t, "broken.txt", 2*time.Second)
	rec.mu.Lock()
	rec.fail["broken.txt"] = false
	rec.mu.Unlock()
	write(t, path, "fixed")
	rec.waitFor(t, "broken.txt", 2*time.Second)
	write(t, filepath.Join(rec.dir, "other.txt"), "still working")
	rec.waitFor(t, "other.txt", 2*time.Second)
}

func TestBurstOf500(t *testing.T) {
	_, rec := startWatcher(t, WatchOptions{})
	const n = 500
	start := time.Now()
	for i := 0; i < n; i++ {
		write(t, filepath.Join(rec.dir, fmt.Sprintf("burst-%03d.txt", i)), fmt.Sprintf("article %d", i))
	}
	seen := map[string]bool{}
	deadline := time.After(20 * time.Second)
	for len(seen) < n {
		select {
		case name := <-rec.notify:
			seen[name] = true
		case <-deadline:
			t.Fatalf("only %d of %d files applied", len(seen), n)
		}
	}
	t.Logf("burst of %d files applied in %s", n, time.Since(start))
	for i := 0; i < n; i++ {
		if c := rec.count(fmt.Sprintf("burst-%03d.txt", i)); c != 1 {
			t.Errorf("burst-%03d.txt applied %d times, want once", i, c)
		}
	}
}

func TestRescanTicks(t *testing.T) {
	rescans := make(chan struct{}, 10)
	var fixed atomic.Bool
	w, _ := startWatcher(t, WatchOptions{RescanEvery: 50 * time.Millisecond, Rescan: func(ctx context.Context) error {
		select {
		case rescans <- struct{}{}:
		default:
		}
		if fixed.Load() {
			return nil
		}
		return errors.New("disk on fire")
	}})
	for i := 0; i < 2; i++ {
		select {
		case <-rescans:
		case <-time.After(2 * time.Second):
			t.Fatal("no rescan")
		}
	}
	for i := 0; i < 100 && !strings.Contains(w.Status().LastError, "disk on fire"); i++ {
		time.Sleep(5 * time.Millisecond)
	}
	if !strings.Contains(w.Status().LastError, "disk on fire") {
		t.Errorf("status last error = %q, want the rescan error", w.Status().LastError)
	}
	// A rescan that succeeds clears it: the error does not outlive its cause.
	fixed.Store(true)
	for i := 0; i < 200 && w.Status().LastError != ""; i++ {
		time.Sleep(5 * time.Millisecond)
	}
	if got := w.Status().LastError; got != "" {
		t.Errorf("status last error = %q after a rescan succeeded, want none", got)
	}
}

func TestWatchMissingFolder(t *testing.T) {
	w := NewWatcher(WatchOptions{Dir: filepath.Join(t.TempDir(), "nope"), Apply: func(context.Context, ...string) error { return nil }})
	if err := w.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("Run on a missing folder: err = %v, want one naming it", err)
	}
}

// TestSeedsFolderReplaced removes or renames the watched folder and makes
// a new one at its path: the watcher says "waiting" while it is gone, then
// watches the new folder and rescans it.
func TestSeedsFolderReplaced(t *testing.T) {
	modes := []struct {
		name     string
		notifier func() (*fsnotify.Watcher, error)
		mode     string
	}{
		{"inotify", nil, "inotify"},
		{"polling", func() (*fsnotify.Watcher, error) { return nil, errors.New("no inotify here") }, "polling"},
	}
	ways := []struct {
		name string
		away func(dir string) error
	}{
		{"removed", os.RemoveAll},
		{"renamed", func(dir string) error { return os.Rename(dir, dir+".old") }},
	}
	for _, m := range modes {
		for _, way := range ways {
			t.Run(m.name+"/"+way.name, func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), "seeds")
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				rescans := make(chan struct{}, 100)
				w, rec := startWatcher(t, WatchOptions{Dir: dir, notifier: m.notifier, PollEvery: 50 * time.Millisecond,
					Rescan: func(context.Context) error { rescans <- struct{}{}; return nil }})
				<-rescans // the first, at start
				if err := way.away(dir); err != nil {
					t.Fatal(err)
				}
				waitMode(t, w, "waiting")
				// One waiting state, whichever way the watcher found out.
				if r := w.Status().Reason; !strings.HasPrefix(r, "seeds folder "+dir+" ") || !strings.HasSuffix(r, ": checking every 50ms for it") {
					t.Errorf("reason = %q, want it to name the folder and say how often it is checked for", r)
				}
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				waitMode(t, w, m.mode)
				select {
				case <-rescans:
				case <-time.After(2 * time.Second):
					t.Fatal("no rescan of the new folder")
				}
				write(t, filepath.Join(dir, "fresh.txt"), "in the new folder")
				rec.waitFor(t, "fresh.txt", 2*time.Second)
			})
		}
	}
}

// waitMode waits until the watcher's mode is want; the timeout only
// bounds a failure.
func waitMode(t *testing.T, w *Watcher, want string) {
	t.Helper()
	for i := 0; i < 400 && w.Status().Mode != want; i++ {
		time.Sleep(5 * time.Millisecond)
	}
	if got := w.Status().Mode; got != want {
		t.Fatalf("mode = %q, want %q", got, want)
	}
}

// TestFailedChangeIsRetriedSoon checks that after an Apply fails (a full
// disk) a rescan tries again within RetryAfter, not only at the periodic
// rescan, waiting twice as long after each failure in a row, and that a
// rescan that succeeds stops the retries.
func TestFailedChangeIsRetriedSoon(t *testing.T) {
	var mu sync.Mutex
	var rescans []time.Time
	failing := 3 // the first rescans fail too, as the disk is still full
	w, rec := startWatcher(t, WatchOptions{RetryAfter: 100 * time.Millisecond, Rescan: func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		rescans = append(rescans, time.Now())
		if len(rescans) > 1 && failing > 0 { // the first is the watcher's start
			failing--
			return errors.New("database or disk is full")
		}
		return nil
	}})
	rec.mu.Lock()
	rec.fail["new.txt"] = true
	rec.mu.Unlock()
	write(t, filepath.Join(rec.dir, "new.txt"), "hello")
	rec.waitFor(t, "new.txt", 2*time.Second)
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(rescans) }
	deadline := time.Now().Add(20 * time.Second)
	for count() < 5 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := count(); n != 5 {
		t.Fatalf("%d rescans after a failed Apply (and 3 failed rescans), want 1 at start and 4 retries", n)
	}
	mu.Lock()
	gaps := []time.Duration{rescans[3].Sub(rescans[2]), rescans[4].Sub(rescans[3])}
	mu.Unlock()
	if gaps[1] < gaps[0] {
		t.Errorf("retry waits %v then %v, want each at least the one before", gaps[0], gaps[1])
	}
	time.Sleep(time.Second) // past any retry a success failed to call off
	if n := count(); n != 5 {
		t.Errorf("%d rescans after one succeeded, want no more", n)
	}
	if st := w.Status(); st.LastError != "" {
		t.Errorf("status after a successful rescan: %q", st.LastError)
	}
}

// TestFailingChangesDoNotPostponeTheRetry checks that changes that keep
// failing (a scraper writing a file a second while the disk is full) do
// not push the retry back: each failed Apply re-armed the retry with a
// doubled wait, so while failures came faster than the wait no retry ran,
// and once space was freed the files of the failed batches waited for a
// wait doubled once per failure (up to --rescan), not RetryAfter.
func TestFailingChangesDoNotPostponeTheRetry(t *testing.T) {
	var rescans atomic.Int32
	w, rec := startWatcher(t, WatchOptions{RetryAfter: 300 * time.Millisecond, RescanEvery: time.Hour, Rescan: func(context.Context) error {
		rescans.Add(1)
		return nil // the disk has room again
	}})
	<-w.Ready() // past the watcher's first rescan
	start := rescans.Load()
	// Files keep coming, and failing, for 3 s: ten times RetryAfter.
	for i := range 20 {
		name := fmt.Sprintf("f%02d.txt", i)
		rec.mu.Lock()
		rec.fail[name] = true
		rec.mu.Unlock()
		write(t, filepath.Join(rec.dir, name), "hello")
		time.Sleep(150 * time.Millisecond)
	}
	if rescans.Load() == start {
		t.Errorf("no rescan in 3 s of failed changes, with RetryAfter 300ms")
	}
}
