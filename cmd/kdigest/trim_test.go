package main

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestTrimmerRunsOnceAfterQuiet(t *testing.T) {
	var runs atomic.Int32
	done := make(chan struct{}, 10)
	tr := &trimmer{delay: 200 * time.Millisecond, free: func() { runs.Add(1); done <- struct{}{} }}
	defer tr.stop()

	// A burst of changes closer together than the delay: one run, after it.
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
	// The last change comes at least 90 ms after the first.
	if waited := time.Since(start); waited < 90*time.Millisecond+200*time.Millisecond {
		t.Errorf("free ran %v after the burst began, before the burst had gone quiet", waited)
	}
	time.Sleep(300 * time.Millisecond)
	if n := runs.Load(); n != 1 {
		t.Errorf("free ran %d times for one burst, want 1", n)
	}

	// A later change runs it again.
	tr.changed()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("free did not run after a later change")
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
