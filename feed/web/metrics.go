package web

import (
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the service's Prometheus metrics, on a registry of their own.
type Metrics struct {
	// Registry holds every metric below plus Go and process collectors.
	Registry *prometheus.Registry
	// Requests counts HTTP requests by route pattern and status code.
	Requests *prometheus.CounterVec
	// ScanSeconds observes how long each corpus scan or change took.
	ScanSeconds prometheus.Histogram
	// Articles is the number of articles in the corpus, visible or not.
	Articles prometheus.Gauge
	// DigestsSent counts digest emails accepted by the mail server.
	DigestsSent prometheus.Counter
}

// NewMetrics creates the metrics on a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kdigest_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		ScanSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "kdigest_scan_duration_seconds", Help: "Duration of corpus scans and single-file changes.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 8),
		}),
		Articles: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kdigest_articles", Help: "Articles in the corpus.",
		}),
		DigestsSent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kdigest_digest_emails_sent_total", Help: "Digest emails accepted by the mail server.",
		}),
	}
	m.Registry.MustRegister(m.Requests, m.ScanSeconds, m.Articles, m.DigestsSent,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

// statusWriter remembers the status code a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// routeCounters are one route's request counters by status code, looked
// up once per code instead of hashing the labels on every request.
type routeCounters struct {
	vec   *prometheus.CounterVec
	route string
	codes sync.Map // int -> prometheus.Counter
}

func (rc *routeCounters) inc(code int) {
	if c, ok := rc.codes.Load(code); ok {
		c.(prometheus.Counter).Inc()
		return
	}
	c, _ := rc.codes.LoadOrStore(code, rc.vec.WithLabelValues(rc.route, strconv.Itoa(code)))
	c.(prometheus.Counter).Inc()
}

// instrument logs each request at debug level (server errors at error
// level) and counts it by route.
func (s *server) instrument(route string, h http.Handler) http.Handler {
	counters := &routeCounters{vec: s.opts.Metrics.Requests, route: route}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.code == 0 {
			sw.code = http.StatusOK
		}
		counters.inc(sw.code)
		level := slog.LevelDebug
		if sw.code >= 500 {
			level = slog.LevelError
		}
		// Checked first: building the arguments costs allocations on every request.
		if s.opts.Log.Enabled(r.Context(), level) {
			s.opts.Log.Log(r.Context(), level, "http", "method", r.Method, "path", r.URL.Path, "status", sw.code, "duration", time.Since(start))
		}
	})
}
