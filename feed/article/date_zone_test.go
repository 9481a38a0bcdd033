package article

import (
	"testing"
	"time"
)

// TestPlausibleSlack checks the future slack of plausible: a day, or a
// time read without its zone, may be a day ahead of the clock (a zone
// ahead of it); a time stated with its zone is an instant, an hour at most.
func TestPlausibleSlack(t *testing.T) {
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"November 24, 2026", true},
		{"November 24, 2026 07:00", true},      // no zone: read as UTC, maybe a local time
		{"2026-11-24T07:00:00Z", false},        // an instant 23 hours ahead
		{"November 23, 2026 10:00 GMT", false}, // two hours ahead
		{"2026-11-23T08:30:00Z", true},         // half an hour: clocks disagree
		{"November 23, 2026 12:20 +04:00", true},
	} {
		st, ok := parseDate(tc.text)
		if !ok {
			t.Fatalf("%q: not a date", tc.text)
		}
		if got := plausible(st, now); got != tc.want {
			t.Errorf("plausible(%q) = %v, want %v (zoned %v)", tc.text, got, tc.want, st.zoned)
		}
	}
}

// TestZonesShared checks that dates stating the same zone share one
// *time.Location (a first start kept one per article), with the zone's
// name and offset, and that another offset gets its own.
func TestZonesShared(t *testing.T) {
	for _, tc := range []struct {
		a, b, name string
		offset     int
	}{
		{"November 23, 2026 10:00 GMT+4", "November 20, 2026 08:15 GMT+4", "GMT+4", 4 * 3600},
		{"November 23, 2026 12:20 +04:00", "2026-11-20T08:15:00+04:00", "", 4 * 3600},
		{"November 23, 2026 10:00 MSK", "November 21, 2026 09:00 MSK", "MSK", 3 * 3600},
		{"November 23, 2026 10:00 EST", "November 21, 2026 09:00 EST", "EST", -5 * 3600},
	} {
		a, okA := parseDate(tc.a)
		b, okB := parseDate(tc.b)
		if !okA || !okB {
			t.Fatalf("%q or %q: not a date", tc.a, tc.b)
		}
		if a.t.Location() != b.t.Location() {
			t.Errorf("%q and %q: two locations for one zone", tc.a, tc.b)
		}
		if name, off := a.t.Zone(); name != tc.name || off != tc.offset {
			t.Errorf("%q: zone %q %d, want %q %d", tc.a, name, off, tc.name, tc.offset)
		}
	}
	x, _ := parseDate("November 23, 2026 10:00 GMT+4")
	y, _ := parseDate("November 23, 2026 10:00 GMT+3")
	if x.t.Location() == y.t.Location() {
		t.Error("GMT+4 and GMT+3 share a location")
	}
}
