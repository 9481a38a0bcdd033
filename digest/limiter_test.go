package digest

import (
	"net/http/httptest"
	"net/netip"
	"runtime"
	"testing"
	"time"
)

// fakeClock is a settable time for the limiter's tests.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

func TestLimiterRate(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)}
	l := newLimiter(5, time.Hour, 100, clock.now)
	a, b := addr("192.0.2.1"), addr("192.0.2.2")
	steps := []struct {
		advance time.Duration
		client  netip.Addr
		ok      bool
		wait    time.Duration
	}{
		{0, a, true, 0}, {0, a, true, 0}, {0, a, true, 0}, {0, a, true, 0}, {0, a, true, 0},
		{0, a, false, 12 * time.Minute},
		{0, b, true, 0}, // clients are apart
		{11 * time.Minute, a, false, time.Minute},
		{time.Minute, a, true, 0}, // one request's worth refilled
		{0, a, false, 12 * time.Minute},
		{2 * time.Hour, a, true, 0}, // a full burst again, not more
		{0, a, true, 0}, {0, a, true, 0}, {0, a, true, 0}, {0, a, true, 0},
		{0, a, false, 12 * time.Minute},
	}
	for i, s := range steps {
		clock.t = clock.t.Add(s.advance)
		ok, wait := l.allow(s.client)
		if ok != s.ok || wait != s.wait {
			t.Errorf("step %d (%s): allow = %v, wait %s; want %v, %s", i, s.client, ok, wait, s.ok, s.wait)
		}
	}
}

// TestLimiterCapacity: the table never holds more than its capacity; the
// client seen least recently is the one forgotten.
func TestLimiterCapacity(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)}
	l := newLimiter(1, time.Hour, 3, clock.now)
	for _, c := range []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"} {
		if ok, _ := l.allow(addr(c)); !ok {
			t.Fatalf("first request of %s refused", c)
		}
	}
	// 10.0.0.1 is used again (refused), so 10.0.0.2 is now the oldest.
	if ok, _ := l.allow(addr("10.0.0.1")); ok {
		t.Fatal("second request of 10.0.0.1 allowed")
	}
	l.allow(addr("10.0.0.4")) // evicts 10.0.0.2
	tests := []struct {
		client string
		ok     bool
	}{
		{"10.0.0.1", false}, // remembered
		{"10.0.0.4", false}, // remembered
		{"10.0.0.2", true},  // forgotten: evicts 10.0.0.3
		{"10.0.0.3", true},  // forgotten too
	}
	for _, tc := range tests {
		if ok, _ := l.allow(addr(tc.client)); ok != tc.ok {
			t.Errorf("allow(%s) = %v, want %v", tc.client, ok, tc.ok)
		}
	}
	if len(l.index) != 3 || len(l.entries) != 3 {
		t.Errorf("table holds %d clients in %d slots, want 3 and 3", len(l.index), len(l.entries))
	}
	// The list is whole: walking it from the head visits every slot once.
	seen := map[int32]bool{}
	for i := l.head; i != -1; i = l.entries[i].next {
		if seen[i] {
			t.Fatal("the list has a cycle")
		}
		seen[i] = true
	}
	if len(seen) != 3 || l.entries[l.tail].next != -1 {
		t.Errorf("list visits %d slots, want 3", len(seen))
	}
}

func TestClientKey(t *testing.T) {
	tests := []struct {
		remote, want string
	}{
		{"192.0.2.1:1234", "192.0.2.1"},
		{"192.0.2.1", "192.0.2.1"}, // as the web server sets it behind a proxy
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::"},
		{"[::ffff:192.0.2.1]:80", "192.0.2.1"},
		{"[fe80::1%eth0]:80", "fe80::"},
		{"[2001:db8:1:2::9]", "2001:db8:1:2::"}, // bracketed, no port: read as the web server reads a hop
		{"@", "invalid IP"},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("POST", "/subscribe", nil)
		r.RemoteAddr = tc.remote
		if got := clientKey(r).String(); got != tc.want {
			t.Errorf("clientKey(%q) = %s, want %s", tc.remote, got, tc.want)
		}
	}
}

// BenchmarkLimiter100kClients is a flood from 100,000 distinct clients,
// more than the table holds: the cost of a request stays the same and the
// table's memory stays at its capacity.
func BenchmarkLimiter100kClients(b *testing.B) {
	clock := &fakeClock{t: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)}
	l := newLimiter(5, time.Hour, limiterCapacity, clock.now)
	clients := make([]netip.Addr, 100_000)
	for i := range clients {
		clients[i] = netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		l.allow(clients[i%len(clients)])
	}
	b.StopTimer()
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if len(l.index) > limiterCapacity || len(l.entries) > limiterCapacity {
		b.Fatalf("table holds %d clients, capacity %d", len(l.index), limiterCapacity)
	}
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "heap-MB")
	b.ReportMetric(float64(len(l.index)), "clients")
}
