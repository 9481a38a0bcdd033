package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Off is the spec that disables the scheduled digest.
const Off = "off"

// ErrSpec reports a schedule that cannot be parsed.
var ErrSpec = errors.New("invalid digest schedule")

// parser accepts the standard five fields (with an optional leading seconds
// field, which tests use) and descriptors such as @weekly.
var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// SchedulerOptions configures a Scheduler.
type SchedulerOptions struct {
	// Spec is a cron spec ("0 8 * * MON", "@weekly") or Off.
	Spec string
	// Location is the zone the spec is read in; default UTC.
	Location *time.Location
	// Run sends the digest. It gets the scheduler's context: when that
	// ends, Run should finish its current message and return.
	Run func(ctx context.Context) error
	// Last returns when the last digest was sent (zero if never), for
	// catch-up after downtime.
	Last func(ctx context.Context) (time.Time, error)
	// Pending returns when the newest digest that still has deliveries to
	// make was made, zero when none has: an interrupted digest is resumed
	// at start, and deliveries a run left are retried (RetryAfter).
	Pending func(ctx context.Context) (time.Time, error)
	// Resume finishes interrupted digests without making a new one; it is
	// what start-up runs when Pending says so and no slot was missed.
	// Default Run.
	Resume func(ctx context.Context) error
	// Log receives the scheduler's messages; default discards.
	Log *slog.Logger
	// Now is the clock used for catch-up decisions; default time.Now.
	Now func() time.Time
	// StopWait bounds how long Run waits at shutdown for a digest in
	// progress (which itself gives its message in flight a shorter
	// grace); default 30 s.
	StopWait time.Duration
	// RetryAfter is how long after Pending first reports deliveries left
	// to make (a relay that was down, or refused the sender, during a run)
	// Resume is tried again, and RetryMax the longest wait: each retry
	// that leaves some doubles the wait. RetryFor is how long after the
	// newest digest with deliveries left was made the retries go on; then
	// what is left waits for the next run, scheduled or at start, and a
	// newer digest that leaves some starts them afresh. Defaults 5
	// minutes, 1 hour and a day.
	RetryAfter, RetryMax, RetryFor time.Duration
}

// SchedulerStatus is the scheduler's state for /healthz.
type SchedulerStatus struct {
	// Enabled is false when the spec is Off.
	Enabled bool `json:"enabled"`
	// Spec and Zone describe the schedule.
	Spec string `json:"spec"`
	Zone string `json:"zone"`
	// Next is the next scheduled digest.
	Next time.Time `json:"next,omitzero"`
	// LastRun is when the last scheduled run ended, and LastError its error.
	LastRun   time.Time `json:"last_run,omitzero"`
	LastError string    `json:"last_error,omitempty"`
	// Running is true while a digest is being sent.
	Running bool `json:"running"`
}

// Scheduler sends the digest on its cron schedule, one run at a time.
type Scheduler struct {
	opts  SchedulerOptions
	sched cron.Schedule

	mu      sync.Mutex
	status  SchedulerStatus
	running int // runs in progress: the cron job and a start-up run may overlap while one waits for the other
}

// NewScheduler parses and checks the schedule; an invalid spec is an error
// naming it.
func NewScheduler(opts SchedulerOptions) (*Scheduler, error) {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.StopWait <= 0 {
		opts.StopWait = 30 * time.Second
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = 5 * time.Minute
	}
	if opts.RetryMax < opts.RetryAfter {
		opts.RetryMax = max(time.Hour, opts.RetryAfter)
	}
	if opts.RetryFor <= 0 {
		opts.RetryFor = 24 * time.Hour
	}
	if opts.Resume == nil {
		opts.Resume = opts.Run
	}
	s := &Scheduler{opts: opts, status: SchedulerStatus{Spec: opts.Spec, Zone: opts.Location.String()}}
	inner, err := parseSpec(opts.Spec, opts.Location, opts.Now())
	if err != nil {
		return nil, err
	}
	if inner == nil {
		return s, nil
	}
	if opts.Run == nil {
		return nil, errors.New("no digest function")
	}
	s.sched = dstSafe{inner: inner, loc: opts.Location}
	s.status.Enabled = true
	s.status.Next = s.sched.Next(opts.Now().In(opts.Location))
	return s, nil
}

// MinEvery is the shortest interval an "@every" spec may give.
const MinEvery = time.Minute

// CheckSpec reports whether spec is a schedule NewScheduler accepts: Off,
// or a cron spec in loc (no zone of its own) that fires within four years
// of now, and an "@every" of at least MinEvery. A spec that parses but
// never fires ("0 8 30 2 *") would disable the digest without a word.
func CheckSpec(spec string, loc *time.Location, now time.Time) error {
	_, err := parseSpec(spec, loc, now)
	return err
}

// parseSpec parses a checked spec; Off is a nil schedule.
func parseSpec(spec string, loc *time.Location, now time.Time) (cron.Schedule, error) {
	if loc == nil {
		loc = time.UTC
	}
	trimmed := strings.TrimSpace(spec)
	if strings.EqualFold(trimmed, Off) {
		return nil, nil
	}
	if strings.HasPrefix(trimmed, "CRON_TZ=") || strings.HasPrefix(trimmed, "TZ=") {
		return nil, fmt.Errorf("%w %q: set the zone with --tz, not in the spec", ErrSpec, spec)
	}
	if every, ok := strings.CutPrefix(trimmed, "@every "); ok {
		d, err := time.ParseDuration(strings.TrimSpace(every))
		if err != nil || d < MinEvery {
			return nil, fmt.Errorf("%w %q: @every wants a duration of at least %s", ErrSpec, spec, MinEvery)
		}
	}
	inner, err := parser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v (want five fields such as \"0 8 * * MON\", or @weekly)", ErrSpec, spec, err)
	}
	now = now.In(loc)
	if next := inner.Next(now); next.IsZero() || next.After(now.AddDate(4, 0, 0)) {
		return nil, fmt.Errorf("%w %q: it never fires (no time in the next four years matches it)", ErrSpec, spec)
	}
	return inner, nil
}

// Status returns the scheduler's state.
func (s *Scheduler) Status() SchedulerStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Next returns the next scheduled digest time, zero when disabled.
func (s *Scheduler) Next() time.Time { return s.Status().Next }

// NextAfter returns the first slot of the schedule after t (the zero time
// when it is off), as the scheduler would run it: a slot in a
// spring-forward gap is moved an hour on.
func (s *Scheduler) NextAfter(t time.Time) time.Time {
	if s.sched == nil {
		return time.Time{}
	}
	return s.sched.Next(t)
}

// Run catches up on a missed slot (or resumes an interrupted digest), then
// sends digests on schedule, and resumes what a run left to make (see
// retry), until ctx ends; it then waits (at most StopWait) for the
// digests in progress, the start-up one included.
func (s *Scheduler) Run(ctx context.Context) error {
	if s.sched == nil {
		<-ctx.Done()
		return nil
	}
	logger := &cronLog{l: s.opts.Log, stopped: make(chan struct{})}
	// SkipIfStillRunning must wrap Recover: the other order skips the job
	// forever after its first panic (robfig/cron issue #366).
	chain := cron.NewChain(cron.SkipIfStillRunning(logger), cron.Recover(logger))
	c := cron.New(cron.WithLocation(s.opts.Location), cron.WithLogger(logger), cron.WithChain(chain.Then))
	id := c.Schedule(s.sched, cron.FuncJob(func() { s.runOnce(ctx, "scheduled", s.opts.Run) }))

	// The start-up run is not cron's: cron.Stop would not wait for it.
	// Run owns it and waits for it below. It and the cron job exclude
	// each other through the digest's send lock.
	var startup cron.Job
	switch {
	case s.missedSlot(ctx):
		s.opts.Log.Info("digest: catching up on a slot missed while the service was down")
		startup = chain.Then(cron.FuncJob(func() { s.runOnce(ctx, "catch-up", s.opts.Run) }))
	case s.pending(ctx):
		s.opts.Log.Info("digest: resuming a digest that was interrupted")
		startup = chain.Then(cron.FuncJob(func() { s.runOnce(ctx, "resume", s.opts.Resume) }))
	}
	startupDone := make(chan struct{})
	if startup != nil {
		go func() {
			defer close(startupDone)
			startup.Run()
		}()
	} else {
		close(startupDone)
	}
	// A retry runs the same digest code: a panic in it is recovered as
	// the scheduled run's is, not the end of the process.
	resume := cron.NewChain(cron.Recover(logger)).Then(cron.FuncJob(func() { s.runOnce(ctx, "retry", s.opts.Resume) }))
	retryDone := make(chan struct{})
	go func() {
		defer close(retryDone)
		s.retry(ctx, resume.Run)
	}()
	c.Start()
	s.mu.Lock()
	s.status.Next = c.Entry(id).Next
	s.mu.Unlock()

	<-ctx.Done()
	stopped := c.Stop()
	bound := time.NewTimer(s.opts.StopWait)
	defer bound.Stop()
	// cron's own goroutine stops after Stop returns: wait for it too, so
	// that nothing of the scheduler outlives Run.
	for _, done := range []<-chan struct{}{startupDone, retryDone, stopped.Done(), logger.stopped} {
		select {
		case <-done:
		case <-bound.C:
			s.opts.Log.Warn("digest: still running at shutdown; not waiting longer", "waited", s.opts.StopWait)
			return nil
		}
	}
	return nil
}

// retry resumes the deliveries a run left to make (Pending) until ctx
// ends: RetryAfter after it first sees some, then after twice as long each
// time some are still left, up to RetryMax, until RetryFor after the
// newest digest with some was made. Without it they would wait for the
// next slot, a week later for a weekly digest, however short the relay's
// outage was. The daily digest's runs leave theirs in the same ledger, so
// a newer digest of either cadence starts the retries afresh. resume runs
// Resume once.
func (s *Scheduler) retry(ctx context.Context, resume func()) {
	if s.opts.Pending == nil {
		return
	}
	wait := s.opts.RetryAfter
	var newest time.Time // of the digest the waits grew for
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if made := s.pendingSince(ctx); !made.Equal(newest) {
			newest, wait = made, s.opts.RetryAfter
		}
		switch {
		case newest.IsZero():
		case s.Status().Running:
			// A run in progress resumes them itself.
		case s.opts.Now().Sub(newest) > s.opts.RetryFor:
			// Tried for long enough: what is left (an address whose
			// mailbox stays full) waits for the next run.
		default:
			resume()
			if ctx.Err() != nil {
				return
			}
			if s.pendingSince(ctx).Equal(newest) {
				wait = min(2*wait, s.opts.RetryMax)
			}
		}
		t.Reset(wait)
	}
}

// runOnce runs one digest function and records its outcome.
func (s *Scheduler) runOnce(ctx context.Context, why string, run func(context.Context) error) {
	s.mu.Lock()
	s.running++
	s.status.Running = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.running--
		s.status.Running = s.running > 0
		s.status.Next = s.sched.Next(s.opts.Now().In(s.opts.Location))
		s.mu.Unlock()
	}()
	s.opts.Log.Info("digest: starting", "why", why)
	err := run(ctx)
	s.mu.Lock()
	s.status.LastRun = s.opts.Now()
	s.status.LastError = ""
	if err != nil {
		s.status.LastError = err.Error()
	}
	s.mu.Unlock()
	if err != nil {
		s.opts.Log.Error("digest: run failed", "err", err)
		return
	}
	s.opts.Log.Info("digest: finished", "why", why)
}

// missedSlot reports whether the latest slot before now has no digest
// covering it. A service that never sent a digest has nothing to catch up.
func (s *Scheduler) missedSlot(ctx context.Context) bool {
	if s.opts.Last == nil {
		return false
	}
	last, err := s.opts.Last(ctx)
	if err != nil {
		s.opts.Log.Error("digest: cannot read the last digest; not catching up", "err", err)
		return false
	}
	if last.IsZero() {
		return false
	}
	now := s.opts.Now().In(s.opts.Location)
	slot := PreviousSlot(s.sched, now, last)
	return !slot.IsZero() && slot.After(last)
}

func (s *Scheduler) pending(ctx context.Context) bool { return !s.pendingSince(ctx).IsZero() }

// pendingSince returns when the newest digest with deliveries left to make
// was made (Pending), zero when none has or the ledger cannot be read.
func (s *Scheduler) pendingSince(ctx context.Context) time.Time {
	if s.opts.Pending == nil {
		return time.Time{}
	}
	made, err := s.opts.Pending(ctx)
	if err != nil {
		s.opts.Log.Error("digest: cannot read the ledger; not resuming", "err", err)
		return time.Time{}
	}
	return made
}

// PreviousSlot returns the latest activation of sched at or before now and
// after since, or zero when there is none.
func PreviousSlot(sched cron.Schedule, now, since time.Time) time.Time {
	var prev time.Time
	// Start from the later of since and five weeks ago: enough for any
	// weekly or monthly-ish spec, and bounded for per-minute ones.
	t := since
	if floor := now.Add(-35 * 24 * time.Hour); t.Before(floor) {
		t = floor
	}
	for i := 0; i < 100000; i++ {
		n := sched.Next(t)
		if n.IsZero() || n.After(now) {
			break
		}
		prev, t = n, n
	}
	return prev
}

// cronLog passes cron's messages to slog as "cron: MSG" with cron's keys
// and values: its routine ones (start, wake, run, stop) at debug level, a
// slot skipped because the last digest still runs as a warning, and a
// recovered panic as an error. It also reports, closing stopped, that
// cron's own goroutine has stopped: that goroutine logs "stop" as it
// returns, and cron.Stop does not wait for it.
type cronLog struct {
	l       *slog.Logger
	stopped chan struct{}
	once    sync.Once
}

func (c *cronLog) Info(msg string, kv ...any) {
	level := slog.LevelDebug
	if msg == "skip" {
		level = slog.LevelWarn
	}
	c.l.Log(context.Background(), level, "cron: "+msg, kv...)
	if msg == "stop" {
		c.once.Do(func() { close(c.stopped) })
	}
}

func (c *cronLog) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append([]any{"err", err}, kv...)...)
}
