package schedule

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestNewSchedulerErrors(t *testing.T) {
	run := func(context.Context) error { return nil }
	tests := []struct{ spec, want string }{
		{"0 8 * * 7", "0 8 * * 7"},
		{"every monday", "every monday"},
		{"0 8 * *", "0 8 * *"},
		{"CRON_TZ=Asia/Baku 0 8 * * MON", "--tz"},
		{"@every -5s", "at least 1m"},
		{"@every 0s", "at least 1m"},
		{"@every 30s", "at least 1m"},
		{"@every soon", "at least 1m"},
		{"0 8 30 2 *", "never fires"},
		{"0 8 31 4 *", "never fires"},
	}
	// A leap day's slot is up to four years away: from March 2029, the
	// next 29 February is in 2032, which is still accepted.
	now := func() time.Time { return time.Date(2029, 3, 1, 0, 0, 0, 0, time.UTC) }
	for _, tt := range tests {
		_, err := NewScheduler(SchedulerOptions{Spec: tt.spec, Run: run, Now: now})
		if !errors.Is(err, ErrSpec) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewScheduler(%q) err = %v, want ErrSpec naming %q", tt.spec, err, tt.want)
		}
	}
	for _, ok := range []string{"0 8 * * MON", "@weekly", "30 7 * * 1-5", "off", "OFF", "@every 1h", "0 8 29 2 *"} {
		if _, err := NewScheduler(SchedulerOptions{Spec: ok, Run: run, Now: now}); err != nil {
			t.Errorf("NewScheduler(%q): %v", ok, err)
		}
	}
}

func TestOffDisables(t *testing.T) {
	s, err := NewScheduler(SchedulerOptions{Spec: "off"})
	if err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); st.Enabled || !st.Next.IsZero() {
		t.Errorf("status = %+v, want disabled with no next run", st)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

// runScheduler runs s until the test ends.
func runScheduler(t *testing.T, s *Scheduler) context.CancelFunc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return cancel
}

func TestRunsAtTheSlotWithoutOverlap(t *testing.T) {
	var running, maxRunning, runs atomic.Int32
	started := make(chan struct{}, 10)
	s, err := NewScheduler(SchedulerOptions{Spec: "* * * * * *", Run: func(ctx context.Context) error {
		n := running.Add(1)
		if n > maxRunning.Load() {
			maxRunning.Store(n)
		}
		runs.Add(1)
		started <- struct{}{}
		time.Sleep(2200 * time.Millisecond) // slower than the one-second schedule
		running.Add(-1)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	runScheduler(t, s)
	select {
	case <-started:
	case <-time.After(3 * time.Second):
		t.Fatal("digest did not run at its slot")
	}
	if !s.Status().Running {
		t.Error("status does not say running")
	}
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("no second run after the first ended")
	}
	if m := maxRunning.Load(); m != 1 {
		t.Errorf("%d runs overlapped, want 1", m)
	}
}

func TestPanicIsRecoveredAndJobRunsAgain(t *testing.T) {
	var calls atomic.Int32
	again := make(chan struct{}, 10)
	s, err := NewScheduler(SchedulerOptions{Spec: "* * * * * *", Run: func(ctx context.Context) error {
		if calls.Add(1) == 1 {
			panic("boom")
		}
		again <- struct{}{}
		return errors.New("smtp down")
	}})
	if err != nil {
		t.Fatal(err)
	}
	runScheduler(t, s)
	select {
	case <-again:
	case <-time.After(4 * time.Second):
		t.Fatal("job did not run again after a panic")
	}
	for i := 0; i < 100 && s.Status().LastError == ""; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if got := s.Status().LastError; got != "smtp down" {
		t.Errorf("last error = %q, want %q", got, "smtp down")
	}
}

func TestCatchUp(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) // a Monday, after the 08:00 slot
	tests := []struct {
		name string
		last time.Time
		want int32
	}{
		{"slot missed", now.AddDate(0, 0, -7).Add(-2 * time.Hour), 1},
		{"several weeks missed: once", now.AddDate(0, 0, -30), 1},
		{"slot covered", now.Add(-90 * time.Minute), 0},
		{"never sent", time.Time{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var runs atomic.Int32
			done := make(chan struct{}, 5)
			s, err := NewScheduler(SchedulerOptions{
				Spec: "0 8 * * MON",
				Now:  func() time.Time { return now },
				Run:  func(context.Context) error { runs.Add(1); done <- struct{}{}; return nil },
				Last: func(context.Context) (time.Time, error) { return tt.last, nil },
			})
			if err != nil {
				t.Fatal(err)
			}
			cancel := runScheduler(t, s)
			if tt.want > 0 {
				select {
				case <-done:
				case <-time.After(2 * time.Second):
					t.Fatal("no catch-up run")
				}
			}
			time.Sleep(100 * time.Millisecond) // a second catch-up would show up now
			cancel()
			if got := runs.Load(); got != tt.want {
				t.Errorf("runs = %d, want %d", got, tt.want)
			}
		})
	}
	failing, err := NewScheduler(SchedulerOptions{Spec: "0 8 * * MON", Run: func(context.Context) error { return nil },
		Last: func(context.Context) (time.Time, error) { return time.Time{}, errors.New("db locked") }})
	if err != nil {
		t.Fatal(err)
	}
	if failing.missedSlot(context.Background()) {
		t.Error("catch-up decided without knowing the last digest")
	}
}

func TestResumesAnInterruptedDigest(t *testing.T) {
	done := make(chan struct{}, 2)
	s, err := NewScheduler(SchedulerOptions{Spec: "0 8 * * MON", Run: func(context.Context) error { done <- struct{}{}; return nil },
		Pending: func(context.Context) (time.Time, error) { return time.Now(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	runScheduler(t, s)
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("an interrupted digest was not resumed at start")
	}
}

func TestStopWaitsForRunningDigest(t *testing.T) {
	var finished atomic.Bool
	started := make(chan struct{})
	s, err := NewScheduler(SchedulerOptions{Spec: "* * * * * *", Run: func(ctx context.Context) error {
		if finished.Load() {
			return nil
		}
		close(started)
		<-ctx.Done()
		time.Sleep(100 * time.Millisecond) // finishing the current message
		finished.Store(true)
		return ctx.Err()
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	<-started
	cancel()
	<-done
	if !finished.Load() {
		t.Error("Run returned before the digest in progress finished")
	}
}

func TestDST(t *testing.T) {
	london := mustLoad(t, "Europe/London")
	baku := mustLoad(t, "Asia/Baku")
	tests := []struct {
		name string
		spec string
		loc  *time.Location
		from time.Time
		want []string // successive activations, RFC 3339
	}{
		{"London spring forward: 01:30 does not exist", "30 1 * * SUN", london,
			time.Date(2025, 3, 29, 12, 0, 0, 0, london),
			[]string{"2025-03-30T02:30:00+01:00", "2025-04-06T01:30:00+01:00"}},
		{"London fall back: 01:30 happens twice, runs once", "30 1 * * SUN", london,
			time.Date(2025, 10, 25, 12, 0, 0, 0, london),
			[]string{"2025-10-26T01:30:00+01:00", "2025-11-02T01:30:00Z"}},
		{"London ordinary week", "0 8 * * MON", london,
			time.Date(2025, 6, 1, 0, 0, 0, 0, london),
			[]string{"2025-06-02T08:00:00+01:00", "2025-06-09T08:00:00+01:00"}},
		{"Baku spring forward: 04:30 does not exist", "30 4 * * SUN", baku,
			time.Date(2015, 3, 28, 12, 0, 0, 0, baku),
			[]string{"2015-03-29T05:30:00+05:00", "2015-04-05T04:30:00+05:00"}},
		{"Baku fall back: 04:30 happens twice, runs once", "30 4 * * SUN", baku,
			time.Date(2015, 10, 24, 12, 0, 0, 0, baku),
			[]string{"2015-10-25T04:30:00+05:00", "2015-11-01T04:30:00+04:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inner, err := parser.Parse(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			s := dstSafe{inner: inner, loc: tt.loc}
			at := tt.from
			for i, want := range tt.want {
				at = s.Next(at)
				if got := at.Format(time.RFC3339); got != want {
					t.Fatalf("activation %d = %s, want %s", i+1, got, want)
				}
			}
		})
	}
	// Without the wrapper robfig/cron loses the spring-forward week: the
	// test above would fail on the bare schedule.
	inner, _ := parser.Parse("30 1 * * SUN")
	t.Logf("bare robfig/cron after 2025-03-29 picks %s", inner.Next(time.Date(2025, 3, 29, 12, 0, 0, 0, london)))
}

func TestPreviousSlot(t *testing.T) {
	sched, _ := parser.Parse("0 8 * * MON")
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		since time.Time
		want  time.Time
	}{
		{"today's slot", now.AddDate(0, 0, -10), time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)},
		{"nothing since", now.Add(-time.Hour), time.Time{}},
	}
	for _, tt := range tests {
		if got := PreviousSlot(sched, now, tt.since); !got.Equal(tt.want) {
			t.Errorf("%s: PreviousSlot = %s, want %s", tt.name, got, tt.want)
		}
	}
	var _ cron.Schedule = dstSafe{}
}

func TestStatusNext(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	s, err := NewScheduler(SchedulerOptions{Spec: "0 8 * * MON", Location: mustLoad(t, "Asia/Yerevan"), Now: func() time.Time { return now }, Run: func(context.Context) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 30, 8, 0, 0, 0, mustLoad(t, "Asia/Yerevan"))
	if got := s.Next(); !got.Equal(want) {
		t.Errorf("Next = %s, want %s", got, want)
	}
}

// TestStopWaitsForStartupRun: the catch-up or resume that start-up begins
// is waited for at shutdown like a cron run (it used to run in a goroutine
// nobody waited for, so serve exited mid-send).
func TestStopWaitsForStartupRun(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		last    time.Time
		pending bool
		want    string // which function start-up runs
	}{
		{"resume", now.Add(-time.Hour), true, "resume"},
		{"catch-up", now.AddDate(0, 0, -8), true, "run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var finished atomic.Bool
			var which atomic.Value
			started := make(chan struct{})
			slow := func(name string) func(ctx context.Context) error {
				return func(ctx context.Context) error {
					which.Store(name)
					close(started)
					<-ctx.Done()
					time.Sleep(200 * time.Millisecond) // the message in flight
					finished.Store(true)
					return nil
				}
			}
			s, err := NewScheduler(SchedulerOptions{Spec: "0 8 * * MON", Now: func() time.Time { return now },
				Run: slow("run"), Resume: slow("resume"),
				Last: func(context.Context) (time.Time, error) { return tt.last, nil },
				Pending: func(context.Context) (time.Time, error) {
					if tt.pending {
						return now, nil
					}
					return time.Time{}, nil
				}})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { s.Run(ctx); close(done) }()
			select {
			case <-started:
			case <-time.After(2 * time.Second):
				t.Fatal("no start-up run")
			}
			if !s.Status().Running {
				t.Error("status does not say running")
			}
			cancel()
			<-done
			if !finished.Load() {
				t.Error("Run returned before the start-up digest finished")
			}
			if got := which.Load(); got != tt.want {
				t.Errorf("start-up ran %v, want %s", got, tt.want)
			}
		})
	}
}

// TestCronStopsBeforeRunReturns: cron's own goroutine, which logs "cron:
// stop" as it ends, has ended when Run returns, so the service's
// "stopped" is its last line.
func TestCronStopsBeforeRunReturns(t *testing.T) {
	for range 20 {
		var mu sync.Mutex
		var logged []string
		log := slog.New(recordHandler(func(r slog.Record) {
			mu.Lock()
			logged = append(logged, r.Message)
			mu.Unlock()
		}))
		s, err := NewScheduler(SchedulerOptions{Spec: "0 8 * * MON", Log: log, Run: func(context.Context) error { return nil }})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- s.Run(ctx) }()
		for s.Status().Next.IsZero() {
			time.Sleep(time.Millisecond)
		}
		cancel()
		<-done
		mu.Lock()
		got := slices.Clone(logged)
		mu.Unlock()
		if !slices.Contains(got, "cron: stop") {
			t.Fatalf("Run returned before cron's goroutine stopped: logged %q", got)
		}
	}
}

// recordHandler is a slog handler of every level that passes each record to f.
type recordHandler func(slog.Record)

func (h recordHandler) Enabled(context.Context, slog.Level) bool      { return true }
func (h recordHandler) Handle(_ context.Context, r slog.Record) error { h(r); return nil }
func (h recordHandler) WithAttrs([]slog.Attr) slog.Handler            { return h }
func (h recordHandler) WithGroup(string) slog.Handler                 { return h }
