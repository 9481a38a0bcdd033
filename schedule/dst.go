package schedule

import (
	"time"

	"github.com/robfig/cron/v3"
)

// dstSafe wraps a cron schedule so that daylight-saving changes neither
// lose nor double a slot. robfig/cron skips a slot whose wall-clock time
// does not exist (the spring-forward gap) and fires twice for one that
// happens twice (the fall-back hour); see robfig/cron PR #541.
type dstSafe struct {
	inner cron.Schedule
	loc   *time.Location
}

// Next returns the next activation after t: the inner schedule's, or a slot
// the inner schedule skipped in a spring-forward gap (moved to the first
// instant an hour on, as if the clocks had not moved), and never the same wall-clock slot twice.
func (d dstSafe) Next(t time.Time) time.Time {
	t = t.In(d.loc)
	n := d.inner.Next(t)
	if n.IsZero() {
		return n
	}
	// A repeated wall-clock time in the fall-back hour: skip the repeat,
	// whatever t is (cron passes the time its timer fired, which may be
	// seconds late, or the time of a restart inside the repeated hour).
	if _, spec := d.inner.(*cron.SpecSchedule); spec && repeated(n.In(d.loc)) {
		n = d.inner.Next(n)
	}
	if gap := d.gapSlot(t, n); !gap.IsZero() {
		return gap
	}
	return n
}

// gapSlot finds a slot between t and n that the inner schedule skipped
// because its wall-clock time fell into a spring-forward gap.
func (d dstSafe) gapSlot(t, n time.Time) time.Time {
	spec, ok := d.inner.(*cron.SpecSchedule)
	if !ok {
		return time.Time{}
	}
	y, m, day := t.Date()
	for date := time.Date(y, m, day, 12, 0, 0, 0, d.loc); !date.After(n); date = date.AddDate(0, 0, 1) {
		if !dayMatches(spec, date) {
			continue
		}
		for h := 0; h < 24; h++ {
			if spec.Hour&(1<<uint(h)) == 0 {
				continue
			}
			for mi := 0; mi < 60; mi++ {
				if spec.Minute&(1<<uint(mi)) == 0 {
					continue
				}
				c := time.Date(date.Year(), date.Month(), date.Day(), h, mi, 0, 0, d.loc)
				// time.Date moves a non-existent wall time forward past the gap.
				if c.Hour() != h && c.After(t) && c.Before(n) {
					return c
				}
			}
		}
	}
	return time.Time{}
}

// dayMatches applies cron's day rules: month, and day-of-month OR
// day-of-week when both are restricted.
func dayMatches(s *cron.SpecSchedule, t time.Time) bool {
	if s.Month&(1<<uint(t.Month())) == 0 {
		return false
	}
	const star = 1 << 63
	domMatch := s.Dom&(1<<uint(t.Day())) > 0
	dowMatch := s.Dow&(1<<uint(t.Weekday())) > 0
	if s.Dom&star > 0 || s.Dow&star > 0 {
		return domMatch && dowMatch
	}
	return domMatch || dowMatch
}

// repeated reports whether n's wall-clock time already happened once, in
// the hour (or whatever the change is) before a fall-back transition.
func repeated(n time.Time) bool {
	start, _ := n.ZoneBounds()
	if start.IsZero() {
		return false
	}
	_, cur := n.Zone()
	_, prev := start.Add(-time.Nanosecond).Zone()
	back := time.Duration(prev-cur) * time.Second
	return back > 0 && n.Sub(start) < back
}
