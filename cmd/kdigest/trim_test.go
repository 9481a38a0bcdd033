package main

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestTrimmerRunsAfterQuiet(t *testing.T) {
	var runs atomic.Int32
	done := make(chan struct{}, 10)
	tr := &trimmer{delay: 300 * time.Millisecond, free: func() { runs.Add(1); done <- struct{}{} }}
	defer tr.stop()

	// A burst of changes closer together than the delay: a run after it,
	// not one per change.
	start := time.Now()
	for range 10 {
		tr.changed()
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("free never ran after the burst")
	}
	// The last change comes at least 90 ms after the first; the run at
	// least the delay after it.
	if waited := time.Since(start); waited < 90*time.Millisecond+300*time.Millisecond {
		t.Errorf("free ran %v after the burst began, before the burst had gone quiet", waited)
	}
	time.Sleep(400 * time.Millisecond)
	// Only a stall longer than the delay in this loop could split the burst.
	if n := runs.Load(); n > 2 {
		t.Errorf("free ran %d times for one burst of 10 changes", n)
	}

	// A later change runs it again.
	before := runs.Load()
	tr.changed()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("free did not run after a later change")
	}
	if runs.Load() != before+1 {
		t.Errorf("runs = %d after one more change, want %d", runs.Load(), before+1)
	}
}

func TestTrimmerMaxWait(t *testing.T) {
	ran := make(chan time.Time, 10)
	tr := &trimmer{delay: 200 * time.Millisecond, maxWait: 300 * time.Millisecond, free: func() { ran <- time.Now() }}
	defer tr.stop()
	// Changes every 50 ms for a second never leave 200 ms of quiet; the
	// run comes anyway, once the wait reaches maxWait.
	start := time.Now()
	for time.Since(start) < time.Second {
		tr.changed()
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case at := <-ran:
		if d := at.Sub(start); d > 800*time.Millisecond {
			t.Errorf("first run %v after changes began, want about maxWait + delay", d)
		}
	default:
		t.Fatal("free never ran while changes kept coming")
	}
}

func TestTrimmerStop(t *testing.T) {
	ran := make(chan struct{}, 1)
	tr := &trimmer{delay: 20 * time.Millisecond, free: func() { ran <- struct{}{} }}
	tr.changed()
	tr.stop()
	select {
	case <-ran:
		t.Fatal("free ran after stop")
	case <-time.After(100 * time.Millisecond):
	}
	tr.stop() // stopping twice, or with nothing pending, is harmless
	(&trimmer{}).stop()
}
