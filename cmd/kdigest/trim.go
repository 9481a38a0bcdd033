package main

import (
	"sync"
	"time"
)

// trimDelay is how long the corpus must stay unchanged before the memory
// that building it used is handed back to the system; trimMaxWait bounds
// the wait while changes keep coming.
const (
	trimDelay   = time.Second
	trimMaxWait = 30 * time.Second
)

// trimmer runs free (debug.FreeOSMemory in the service) once the corpus
// has stopped changing for a while. Building a snapshot allocates several
// times what the snapshot keeps; the garbage collector reuses that memory
// but keeps it resident, so without this an idle service grows with each
// change it has seen. Waiting for quiet keeps a burst of changes from
// paying for a full collection each; a steady stream of changes still
// gets one every maxWait.
type trimmer struct {
	delay, maxWait time.Duration
	free           func()

	mu      sync.Mutex
	timer   *time.Timer
	pending time.Time // when the wait began; zero when none is pending
}

// changed notes a change and (re)starts the wait.
func (t *trimmer) changed() {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	switch {
	case t.timer == nil:
		t.timer = time.AfterFunc(t.delay, t.run)
	case t.pending.IsZero():
		t.timer.Reset(t.delay)
	case t.maxWait > 0 && now.Sub(t.pending) >= t.maxWait:
		return // waited long enough: let the pending run happen
	default:
		t.timer.Reset(t.delay)
		return
	}
	t.pending = now
}

func (t *trimmer) run() {
	t.mu.Lock()
	t.pending = time.Time{}
	t.mu.Unlock()
	t.free()
}

// stop cancels a pending run.
func (t *trimmer) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.timer != nil {
		t.timer.Stop()
	}
}
