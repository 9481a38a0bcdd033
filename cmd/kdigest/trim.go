package main

import (
	"sync"
	"time"
)

// trimDelay is how long the corpus must stay unchanged before the memory
// that building it used is handed back to the system.
const trimDelay = time.Second

// trimmer runs free (debug.FreeOSMemory in the service) once the corpus
// has stopped changing for a while. Building a snapshot allocates several
// times what the snapshot keeps; the garbage collector reuses that memory
// but keeps it resident, so without this an idle service grows with each
// change it has seen. Waiting for quiet keeps a burst of changes from
// paying for a full collection each.
type trimmer struct {
	delay time.Duration
	free  func()

	mu    sync.Mutex
	timer *time.Timer
}

// changed notes a change and (re)starts the wait.
func (t *trimmer) changed() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.timer == nil {
		t.timer = time.AfterFunc(t.delay, t.free)
		return
	}
	t.timer.Reset(t.delay)
}

// stop cancels a pending run.
func (t *trimmer) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.timer != nil {
		t.timer.Stop()
	}
}
