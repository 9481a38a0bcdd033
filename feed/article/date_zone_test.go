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
