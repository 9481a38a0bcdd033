package schedule

import (
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
