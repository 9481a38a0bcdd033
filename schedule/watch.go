// Package schedule runs kdigest's background work: a watcher that hands
// every changed seed file to the corpus, a periodic rescan, and the weekly
// digest on a cron schedule. It knows nothing of the project's packages: it
// calls the functions it is given and stops when its context ends.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// WatchOptions configures a Watcher. Zero durations get the defaults
// documented on each field.
type WatchOptions struct {
	// Dir is the folder to watch (not recursive).
	Dir string
	// Seed reports the file names Apply wants (kdigest passes feed.IsSeed,
	// the one rule of which file is a seed, or feed.IsSidecar); nil passes
	// every name.
	Seed func(name string) bool
	// Apply is called with the base names of seed files that were created,
	// changed, renamed in, renamed out or removed: one name, or a batch when
	// many changed at once (a burst is then applied in a few calls, not
	// hundreds). It is never called concurrently.
	Apply func(ctx context.Context, names ...string) error
	// Rescan is called every RescanEvery to catch anything missed.
	Rescan func(ctx context.Context) error
	// RescanEvery defaults to 10 minutes.
	RescanEvery time.Duration
	// RetryAfter is how long after a failed Apply or Rescan (a full disk,
	// a locked database) a rescan tries again; each failure in a row
	// doubles it, up to RescanEvery. Default 5 s.
	RetryAfter time.Duration
	// Debounce is how long a file must be quiet before it is applied, so a
	// file written in chunks is read once, complete. Default 150 ms.
	Debounce time.Duration
	// PollEvery is the polling interval used when file notifications cannot
	// be had (inotify limits, network file systems). Default 2 s.
	PollEvery time.Duration
	// Log receives the watcher's messages; default discards.
	Log *slog.Logger
	// notifier makes the fsnotify watcher; tests replace it to force the
	// polling fallback.
	notifier func() (*fsnotify.Watcher, error)
}

// WatchStatus is the watcher's state for /healthz.
type WatchStatus struct {
	// Mode is "inotify" when file notifications work, "polling" when the
	// watcher fell back to polling, "waiting" while the folder is gone
	// (removed or renamed: the watcher checks every PollEvery for a new
	// one), "" before Run starts.
	Mode string `json:"mode"`
	// Reason says why the watcher is polling or waiting.
	Reason string `json:"reason,omitempty"`
	// LastRescan is when the last periodic rescan finished.
	LastRescan time.Time `json:"last_rescan,omitzero"`
	// LastError is the error of the last Apply or Rescan, if it failed.
	LastError string `json:"last_error,omitempty"`
}

// Watcher feeds file changes of one folder to Apply.
type Watcher struct {
	opts WatchOptions

	mu     sync.Mutex
	status WatchStatus
	ready  chan struct{}
	// rescans asks Run's loop for a rescan (after an event overflow, or
	// when the folder is back), so that Run owns every rescan.
	rescans chan struct{}
}

// NewWatcher returns a watcher; call Run to start it.
func NewWatcher(opts WatchOptions) *Watcher {
	if opts.RescanEvery <= 0 {
		opts.RescanEvery = 10 * time.Minute
	}
	if opts.Debounce <= 0 {
		opts.Debounce = 150 * time.Millisecond
	}
	if opts.PollEvery <= 0 {
		opts.PollEvery = 2 * time.Second
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = 5 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.notifier == nil {
		opts.notifier = fsnotify.NewWatcher
	}
	opts.Dir = filepath.Clean(opts.Dir)
	return &Watcher{opts: opts, ready: make(chan struct{}), rescans: make(chan struct{}, 1)}
}

// Ready is closed once the watcher is watching (or polling) and has
// rescanned for files that arrived while it was starting.
func (w *Watcher) Ready() <-chan struct{} { return w.ready }

// Status returns the watcher's current state.
func (w *Watcher) Status() WatchStatus {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.status
}

func (w *Watcher) setStatus(f func(s *WatchStatus)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f(&w.status)
}

// wanted reports whether a changed path is a seed Apply wants.
func (w *Watcher) wanted(path string) bool {
	return w.opts.Seed == nil || w.opts.Seed(filepath.Base(path))
}

// requestRescan asks Run for a rescan, unless one is already asked for.
func (w *Watcher) requestRescan() {
	select {
	case w.rescans <- struct{}{}:
	default:
	}
}

// Run watches until ctx ends. It uses file notifications when it can and
// polls the folder otherwise; either way it rescans every RescanEvery.
func (w *Watcher) Run(ctx context.Context) error {
	if _, err := os.Stat(w.opts.Dir); err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	// Buffered so a burst queues up while Apply works, then goes in batches.
	changes := make(chan string, maxBatch)
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	fw, err := w.opts.notifier()
	if err == nil {
		if err = fw.Add(w.opts.Dir); err != nil {
			fw.Close()
		}
	}
	if err != nil {
		reason := fmt.Sprintf("file notifications unavailable (%v): polling every %s", err, w.opts.PollEvery)
		w.opts.Log.Warn("watch: falling back to polling", "dir", w.opts.Dir, "err", err, "every", w.opts.PollEvery)
		w.setStatus(func(s *WatchStatus) { s.Mode, s.Reason = "polling", reason })
		wg.Add(1)
		go func() { defer wg.Done(); w.poll(ctx, changes) }()
	} else {
		w.setStatus(func(s *WatchStatus) { s.Mode = "inotify" })
		wg.Add(1)
		go func() { defer wg.Done(); w.notify(ctx, fw, changes) }()
	}
	// A change that failed (a full disk) is tried again by a rescan soon,
	// not only by the periodic one: retry is armed after each failure,
	// its wait doubling while they go on.
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()
	wait := time.Duration(0)
	outcome := func(err error) {
		if err == nil {
			wait = 0
			retry.Stop()
			return
		}
		wait = min(max(2*wait, w.opts.RetryAfter), w.opts.RescanEvery)
		retry.Reset(wait)
	}
	// A file written after the caller's first scan but before the watch
	// began would otherwise wait for the periodic rescan.
	outcome(w.rescan(ctx))
	close(w.ready)

	rescan := time.NewTicker(w.opts.RescanEvery)
	defer rescan.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case name := <-changes:
			batch := drain(changes, name)
			err := w.opts.Apply(ctx, batch...)
			if err != nil {
				w.opts.Log.Error("watch: apply failed", "files", batch, "err", err)
			}
			// The status is the latest outcome: a change that was saved
			// after a failure (space freed on a full disk) clears it.
			w.setStatus(func(s *WatchStatus) {
				s.LastError = ""
				if err != nil {
					s.LastError = fmt.Sprintf("%s: %v", strings.Join(batch, ", "), err)
				}
			})
			if err != nil && wait == 0 {
				// A retry already pending is neither called off by a later
				// success nor put back by a later failure.
				outcome(err)
			}
		case <-rescan.C:
			outcome(w.rescan(ctx))
		case <-w.rescans:
			outcome(w.rescan(ctx))
		case <-retry.C:
			outcome(w.rescan(ctx))
		}
	}
}

// maxBatch bounds how many files one Apply call gets.
const maxBatch = 1024

// drain returns first and every name already waiting, without blocking.
func drain(ch <-chan string, first string) []string {
	batch := []string{first}
	for len(batch) < maxBatch {
		select {
		case n := <-ch:
			batch = append(batch, n)
		default:
			return batch
		}
	}
	return batch
}

// rescan runs Rescan and records its outcome, which it returns.
func (w *Watcher) rescan(ctx context.Context) error {
	if w.opts.Rescan == nil {
		return nil
	}
	err := w.opts.Rescan(ctx)
	w.setStatus(func(s *WatchStatus) {
		s.LastRescan = time.Now()
		s.LastError = ""
		if err != nil {
			s.LastError = "rescan: " + err.Error()
		}
	})
	if err != nil {
		w.opts.Log.Error("watch: rescan failed", "err", err)
	}
	return err
}

// notify turns fsnotify events into debounced file names.
func (w *Watcher) notify(ctx context.Context, fw *fsnotify.Watcher, out chan<- string) {
	defer fw.Close()
	d := newDebouncer(w.opts.Debounce)
	defer d.stop()
	// A seeds folder that is a link watches the link's target: a link
	// pointed at another folder sends no event, so it is checked for.
	watched, _ := filepath.EvalSymlinks(w.opts.Dir)
	relink := time.NewTicker(w.opts.PollEvery)
	defer relink.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-relink.C:
			now, err := filepath.EvalSymlinks(w.opts.Dir)
			if err != nil || now == watched {
				continue
			}
			_ = fw.Remove(w.opts.Dir)
			if err := fw.Add(w.opts.Dir); err != nil {
				continue // gone meanwhile: its Remove event rearms
			}
			w.opts.Log.Info("watch: seeds folder now leads elsewhere", "dir", w.opts.Dir, "to", now)
			watched = now
			w.requestRescan()
		case ev, ok := <-fw.Events:
			if !ok {
				return
			}
			if filepath.Clean(ev.Name) == w.opts.Dir {
				if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
					if !w.rearm(ctx, fw) {
						return
					}
					watched, _ = filepath.EvalSymlinks(w.opts.Dir)
				}
				continue
			}
			if !w.wanted(ev.Name) {
				continue
			}
			d.touch(filepath.Base(ev.Name))
		case err, ok := <-fw.Errors:
			if !ok {
				return
			}
			w.opts.Log.Warn("watch: notification error, rescanning", "err", err)
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				w.requestRescan()
			}
		case name := <-d.ready:
			select {
			case out <- name:
			case <-ctx.Done():
				return
			}
		}
	}
}

// rearm follows the watched folder after it was removed or renamed away:
// it drops the old watch, says "waiting" in the status, checks every
// PollEvery until a folder exists at the path again, watches it and asks
// for a rescan. It returns false if ctx ended first.
func (w *Watcher) rearm(ctx context.Context, fw *fsnotify.Watcher) bool {
	_ = fw.Remove(w.opts.Dir) // a renamed folder's watch would follow it; a removed one's is gone
	w.folderGone("was removed or renamed")
	t := time.NewTicker(w.opts.PollEvery)
	defer t.Stop()
	for {
		if fi, err := os.Stat(w.opts.Dir); err == nil && fi.IsDir() {
			err := fw.Add(w.opts.Dir)
			if err == nil {
				w.folderBack("inotify", "")
				return true
			}
			w.opts.Log.Warn("watch: cannot watch the seeds folder yet", "dir", w.opts.Dir, "err", err)
		}
		select {
		case <-ctx.Done():
			return false
		case <-fw.Events: // the old folder's last events
		case <-fw.Errors:
		case <-t.C:
		}
	}
}

// folderGone says, in the log and the status, that the watched folder is
// gone (why says how) and that the watcher checks every PollEvery for it:
// the one "waiting" state of notify's rearm and of poll.
func (w *Watcher) folderGone(why string) {
	w.opts.Log.Warn("watch: seeds folder "+why+", waiting for it", "dir", w.opts.Dir)
	w.setStatus(func(s *WatchStatus) {
		s.Mode = "waiting"
		s.Reason = fmt.Sprintf("seeds folder %s %s: checking every %s for it", w.opts.Dir, why, w.opts.PollEvery)
	})
}

// folderBack ends the waiting state of folderGone: the watcher is back in
// mode (with the reason it had) and asks for a rescan of the new folder.
func (w *Watcher) folderBack(mode, reason string) {
	w.opts.Log.Info("watch: seeds folder is back", "dir", w.opts.Dir)
	w.setStatus(func(s *WatchStatus) { s.Mode, s.Reason = mode, reason })
	w.requestRescan()
}

// poll compares the folder's listing every PollEvery and reports what
// changed, appeared or disappeared.
func (w *Watcher) poll(ctx context.Context, out chan<- string) {
	type stamp struct {
		size int64
		mod  time.Time
	}
	reason := w.Status().Reason
	gone := false
	list := func() map[string]stamp {
		m := map[string]stamp{}
		entries, err := os.ReadDir(w.opts.Dir)
		if err != nil {
			if !gone {
				gone = true
				w.folderGone(fmt.Sprintf("cannot be listed (%v)", err))
			}
			return nil
		}
		if gone {
			gone = false
			w.folderBack("polling", reason)
		}
		for _, e := range entries {
			if e.IsDir() || !w.wanted(e.Name()) {
				continue
			}
			if info, err := e.Info(); err == nil {
				m[e.Name()] = stamp{info.Size(), info.ModTime()}
			}
		}
		return m
	}
	prev := list()
	t := time.NewTicker(w.opts.PollEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cur := list()
		if cur == nil {
			continue
		}
		var changed []string
		for name, st := range cur {
			if old, ok := prev[name]; !ok || old != st {
				changed = append(changed, name)
			}
		}
		for name := range prev {
			if _, ok := cur[name]; !ok {
				changed = append(changed, name)
			}
		}
		prev = cur
		for _, name := range changed {
			select {
			case out <- name:
			case <-ctx.Done():
				return
			}
		}
	}
}

// debouncer releases a name once it has been quiet for the delay.
type debouncer struct {
	delay  time.Duration
	mu     sync.Mutex
	timers map[string]*time.Timer
	ready  chan string
	done   chan struct{}
}

func newDebouncer(delay time.Duration) *debouncer {
	return &debouncer{delay: delay, timers: map[string]*time.Timer{}, ready: make(chan string), done: make(chan struct{})}
}

func (d *debouncer) touch(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if t, ok := d.timers[name]; ok {
		t.Reset(d.delay)
		return
	}
	d.timers[name] = time.AfterFunc(d.delay, func() {
		d.mu.Lock()
		delete(d.timers, name)
		d.mu.Unlock()
		select {
		case d.ready <- name:
		case <-d.done:
		}
	})
}

func (d *debouncer) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	close(d.done)
	for _, t := range d.timers {
		t.Stop()
	}
}
