package schedule

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestDSTRepeatedHourLateFire checks that a slot in the hour a fall-back
// repeats runs once, however late cron's timer fired (cron asks for the
// next activation with the time it fired: a loaded machine, a VM paused
// for a second): 01:30:01 BST must not be given 01:30 GMT.
func TestDSTRepeatedHourLateFire(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip(err)
	}
	inner, err := parser.Parse("30 1 * * SUN")
	if err != nil {
		t.Fatal(err)
	}
	s := dstSafe{inner: inner, loc: london}
	first := s.Next(time.Date(2025, 10, 25, 12, 0, 0, 0, london))
	if got := first.Format(time.RFC3339); got != "2025-10-26T01:30:00+01:00" {
		t.Fatalf("first activation = %s", got)
	}
	for _, late := range []time.Duration{0, 999 * time.Millisecond, time.Second, 5 * time.Second, time.Minute} {
		next := s.Next(first.Add(late))
		if got, want := next.Format(time.RFC3339), "2025-11-02T01:30:00Z"; got != want {
			t.Errorf("fired %s late: next activation = %s, want %s (the repeated 01:30 must not run again)", late, got, want)
		}
	}
}

// TestDSTRestartInRepeatedHour checks that a restart at 01:45 BST, after
// the 01:30 BST digest ran, is not given 01:30 GMT, 45 minutes later, as
// its next activation.
func TestDSTRestartInRepeatedHour(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip(err)
	}
	inner, _ := parser.Parse("30 1 * * SUN")
	s := dstSafe{inner: inner, loc: london}
	restart := time.Date(2025, 10, 26, 0, 45, 0, 0, time.UTC) // 01:45 BST
	if got, want := s.Next(restart).Format(time.RFC3339), "2025-11-02T01:30:00Z"; got != want {
		t.Errorf("next activation after a restart at %s = %s, want %s", restart.In(london).Format(time.RFC3339), got, want)
	}
}

// TestNextAfter: NextAfter gives the schedule's slots one after another,
// a slot in a spring-forward gap moved an hour on, and nothing when off.
func TestNextAfter(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	s, err := NewScheduler(SchedulerOptions{Spec: "30 2 * * SUN", Location: berlin, Run: func(context.Context) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 3, 25, 12, 0, 0, 0, berlin)
	var got []string
	for t := s.NextAfter(from); len(got) < 3; t = s.NextAfter(t) {
		got = append(got, t.In(berlin).Format("2006-01-02 15:04"))
	}
	if want := []string{"2026-03-29 03:30", "2026-04-05 02:30", "2026-04-12 02:30"}; !slices.Equal(got, want) {
		t.Errorf("slots %v, want %v", got, want)
	}
	off, err := NewScheduler(SchedulerOptions{Spec: Off})
	if err != nil {
		t.Fatal(err)
	}
	if n := off.NextAfter(from); !n.IsZero() {
		t.Errorf("an off schedule's NextAfter = %v, want none", n)
	}
}
