package digest

import (
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/kdigest/kdigest/feed/web"
)

// limiterCapacity is how many clients the subscribe limiter remembers:
// about 7 MB when full (BenchmarkLimiter100kClients). Past it the client seen least recently is forgotten,
// so memory stays fixed however many addresses a flood comes from.
const limiterCapacity = 1 << 16

// limiter allows n requests per window per client, as a rate with bursts
// of n (GCRA: each client has one "theoretical arrival time"). The table
// has a fixed capacity and every call does O(1) work: a map lookup and a
// move in a least-recently-used list, evicting the oldest client when full.
type limiter struct {
	interval time.Duration // window / n: the time one request uses up
	burst    time.Duration // window - interval: how far ahead a client may run
	now      func() time.Time

	mu      sync.Mutex
	index   map[netip.Addr]int32
	entries []limiterEntry // slots; grows to capacity, then slots are reused
	head    int32          // most recently used slot, -1 when empty
	tail    int32          // least recently used slot
	cap     int
}

// limiterEntry is one client's state and its place in the LRU list.
type limiterEntry struct {
	key        netip.Addr
	tat        time.Time // when the client's allowance is whole again
	prev, next int32
}

func newLimiter(n int, window time.Duration, capacity int, now func() time.Time) *limiter {
	interval := window / time.Duration(n)
	return &limiter{interval: interval, burst: window - interval, now: now,
		index: make(map[netip.Addr]int32), head: -1, tail: -1, cap: capacity}
}

// allow reports whether client may make a request now; when it may not,
// wait is how long until it may.
func (l *limiter) allow(client netip.Addr) (ok bool, wait time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	i, found := l.index[client]
	if found {
		l.unlink(i)
	} else {
		i = l.slot(client)
	}
	l.pushFront(i)
	e := &l.entries[i]
	tat := e.tat
	if tat.Before(now) {
		tat = now
	}
	if ahead := tat.Sub(now); ahead > l.burst {
		return false, ahead - l.burst
	}
	e.tat = tat.Add(l.interval)
	return true, 0
}

// slot returns an unlinked slot for a new client: a fresh one while below
// capacity, else the least recently used one, whose client is forgotten.
func (l *limiter) slot(client netip.Addr) int32 {
	var i int32
	if len(l.entries) < l.cap {
		l.entries = append(l.entries, limiterEntry{})
		i = int32(len(l.entries) - 1)
	} else {
		i = l.tail
		l.unlink(i)
		delete(l.index, l.entries[i].key)
	}
	l.entries[i] = limiterEntry{key: client, prev: -1, next: -1}
	l.index[client] = i
	return i
}

// pushFront puts unlinked slot i at the front of the list.
func (l *limiter) pushFront(i int32) {
	e := &l.entries[i]
	e.prev, e.next = -1, l.head
	if l.head != -1 {
		l.entries[l.head].prev = i
	}
	l.head = i
	if l.tail == -1 {
		l.tail = i
	}
}

// unlink takes slot i out of the list.
func (l *limiter) unlink(i int32) {
	e := &l.entries[i]
	if e.prev != -1 {
		l.entries[e.prev].next = e.next
	} else {
		l.head = e.next
	}
	if e.next != -1 {
		l.entries[e.next].prev = e.prev
	} else {
		l.tail = e.prev
	}
	e.prev, e.next = -1, -1
}

// clientKey is the limiter's key for r's client: its IP address, or for
// IPv6 its /64, which one household or server gets whole. The web server
// has already set RemoteAddr to the visitor behind a trusted proxy.
func clientKey(r *http.Request) netip.Addr {
	a, ok := web.ClientIP(r)
	if !ok {
		return netip.Addr{} // unreadable: all such requests share one key
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr()
	}
	return a
}
