package digest_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/kdigest/kdigest/digest"
)

// BenchmarkSend10k renders and sends one digest to 10,000 subscribers over
// loopback SMTP, one connection, recording each delivery in SQLite. It
// reports messages per second and the live heap sampled every 500
// messages (flat when nothing accumulates per recipient).
func BenchmarkSend10k(b *testing.B) {
	const n = 10000
	b.ReportAllocs()
	var elapsed time.Duration
	var peakHeap, firstHeap uint64
	for range b.N {
		b.StopTimer()
		e := newEnv(b)
		e.smtp.discard = true
		sent := 0
		d := e.digest(b, func(o *digest.Options) {
			o.OnSent = func() {
				if sent++; sent%500 == 0 {
					runtime.GC()
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					if sent == 500 && firstHeap == 0 {
						firstHeap = ms.HeapAlloc
					}
					peakHeap = max(peakHeap, ms.HeapAlloc)
				}
			}
		})
		addSubscribers(b, e, d, n)
		b.StartTimer()
		start := time.Now()
		rep, err := d.Run(context.Background(), digest.RunOptions{})
		elapsed += time.Since(start)
		b.StopTimer()
		if err != nil || rep.Sent != n {
			b.Fatalf("run = %+v, %v", rep, err)
		}
		if got := e.smtp.accepted(); got != n {
			b.Fatalf("server accepted %d, want %d", got, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(firstHeap)/(1<<20), "heapMB@500")
	b.ReportMetric(float64(peakHeap)/(1<<20), "peakheapMB")
}

// addSubscribers subscribes n addresses in one transaction, through the
// public API, by handing Subscribe a database whose writes are batched:
// Subscribe on its own commits once per address.
func addSubscribers(b *testing.B, e *env, d *digest.Digest, n int) {
	b.Helper()
	ctx := context.Background()
	if _, err := e.db.ExecContext(ctx, `BEGIN`); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if _, err := d.Subscribe(ctx, fmt.Sprintf("reader%05d@example.org", i)); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := e.db.ExecContext(ctx, `COMMIT`); err != nil {
		b.Fatal(err)
	}
}
