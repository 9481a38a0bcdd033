package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkFeed measures the handler alone serving /feed.atom from memory.
func BenchmarkFeed(b *testing.B) {
	h, snap := newHandler(b, Options{})
	doc, _ := snap.Document("feed.atom")
	cases := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"plain", nil, http.StatusOK},
		{"gzip", map[string]string{"Accept-Encoding": "gzip"}, http.StatusOK},
		{"304", map[string]string{"If-None-Match": doc.ETag}, http.StatusNotModified},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/feed.atom", nil)
			for k, v := range bc.header {
				req.Header.Set(k, v)
			}
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != bc.want {
					b.Fatalf("status = %d, want %d", rec.Code, bc.want)
				}
			}
		})
	}
}
