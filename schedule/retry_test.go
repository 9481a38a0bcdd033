package schedule

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// TestRetriesWhatARunLeft: deliveries a run left to make (the relay was
// down when it ran) are tried again soon, with a growing wait, until none
// is left, not at the next slot, a week later for a weekly digest.
func TestRetriesWhatARunLeft(t *testing.T) {
	made := time.Now()
	var pending atomic.Bool
	pending.Store(true)
	var resumes atomic.Int32
	done := make(chan struct{})
	s, err := NewScheduler(SchedulerOptions{Spec: "0 8 * * MON", Run: func(context.Context) error { return nil },
		Resume: func(context.Context) error {
			if resumes.Add(1) < 3 {
				return errors.New("3 delivery failure(s)") // the relay is still down
			}
			pending.Store(false)
			close(done)
			return nil
		},
		Pending: func(context.Context) (time.Time, error) {
			if pending.Load() {
				return made, nil
			}
			return time.Time{}, nil
		},
		RetryAfter: 20 * time.Millisecond, RetryMax: 80 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runScheduler(t, s)
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatalf("deliveries left by a run resumed %d time(s) in 3 s (the start-up one included), want them retried until made", resumes.Load())
	}
	time.Sleep(300 * time.Millisecond)
	if got := resumes.Load(); got != 3 {
		t.Errorf("resumed %d times, want 3: none once nothing is left", got)
	}
	if st := s.Status(); st.LastError != "" {
		t.Errorf("status last error = %q after the retry made them, want none", st.LastError)
	}
}

// TestRetriesStopAfterRetryFor: a delivery that never goes (a mailbox that
// stays full) is not retried for ever: the retries stop after RetryFor,
// and what is left waits for the next run.
func TestRetriesStopAfterRetryFor(t *testing.T) {
	made := time.Now()
	var resumes atomic.Int32
	s, err := NewScheduler(SchedulerOptions{Spec: "0 8 * * MON", Run: func(context.Context) error { return nil },
		Resume: func(context.Context) error {
			resumes.Add(1)
			return errors.New("1 delivery failure(s)")
		},
		Pending:    func(context.Context) (time.Time, error) { return made, nil },
		RetryAfter: 20 * time.Millisecond, RetryMax: 40 * time.Millisecond, RetryFor: 150 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runScheduler(t, s)
	time.Sleep(600 * time.Millisecond)
	n := resumes.Load()
	if n < 3 {
		t.Fatalf("resumed %d times in 600 ms, want the start-up one and retries", n)
	}
	time.Sleep(400 * time.Millisecond)
	if got := resumes.Load(); got != n {
		t.Errorf("resumed %d times, then %d more after RetryFor, want none", n, got-n)
	}
}

// TestRetryPanicIsRecovered: a retry runs the same digest code as the
// scheduled run, and a panic in it is recovered as that run's is: logged,
// and the service (and the retries) go on. Unrecovered, it ended the
// process, serving and all.
func TestRetryPanicIsRecovered(t *testing.T) {
	var resumes atomic.Int32
	again := make(chan struct{}, 10)
	s, err := NewScheduler(SchedulerOptions{Spec: "0 8 * * MON", Run: func(context.Context) error { return nil },
		Resume: func(context.Context) error {
			switch resumes.Add(1) {
			case 1: // the start-up run: the relay is down
				return errors.New("3 delivery failure(s)")
			case 2: // the first retry
				panic("boom")
			}
			again <- struct{}{}
			return nil
		},
		Pending:    func(context.Context) (time.Time, error) { return time.Now(), nil },
		RetryAfter: 20 * time.Millisecond, RetryMax: 40 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runScheduler(t, s)
	select {
	case <-again:
	case <-time.After(3 * time.Second):
		t.Fatalf("resumed %d times in 3 s, want a retry after the one that panicked", resumes.Load())
	}
	if s.Status().Running {
		// Wait for the retry that signalled to end.
		for i := 0; i < 100 && s.Status().Running; i++ {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// TestRetriesResumeForANewerDigest: the retries for a delivery that never
// goes stop RetryFor after its digest was made; a newer digest (the next
// daily one, made by the other scheduler) that leaves deliveries when the
// relay is down again starts them afresh, instead of leaving its
// subscribers to its next run.
func TestRetriesResumeForANewerDigest(t *testing.T) {
	var newest atomic.Int64
	newest.Store(time.Now().UnixNano())
	var resumes atomic.Int32
	s, err := NewScheduler(SchedulerOptions{Spec: "0 8 * * MON", Run: func(context.Context) error { return nil },
		Resume: func(context.Context) error {
			resumes.Add(1)
			return errors.New("1 delivery failure(s)")
		},
		Pending:    func(context.Context) (time.Time, error) { return time.Unix(0, newest.Load()), nil },
		RetryAfter: 20 * time.Millisecond, RetryMax: 40 * time.Millisecond, RetryFor: 150 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runScheduler(t, s)
	time.Sleep(500 * time.Millisecond)
	stopped := resumes.Load()
	time.Sleep(200 * time.Millisecond)
	if got := resumes.Load(); got != stopped {
		t.Fatalf("resumed %d more times past RetryFor, want none", got-stopped)
	}
	newest.Store(time.Now().UnixNano()) // a newer digest left some
	time.Sleep(300 * time.Millisecond)
	if got := resumes.Load(); got < stopped+2 {
		t.Errorf("resumed %d more times after a newer digest left deliveries, want its retries", got-stopped)
	}
}
