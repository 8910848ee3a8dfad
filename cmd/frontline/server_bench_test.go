package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkCachedTileHandler is the handler's share of answering a cached
// tile: routing, middleware (ids, logging, metrics) and the cache lookup,
// without the network.
func BenchmarkCachedTileHandler(b *testing.B) {
	h := newTestServer(b, 1<<20, io.Discard)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/tiles/control.json", nil))
	template := rec.Body.String()
	i := strings.Index(template, "/tiles/control/")
	path := strings.NewReplacer("{z}", "7", "{x}", "77", "{y}", "44", "{r}", "").Replace(template[i : i+strings.Index(template[i:], `"`)])
	if rec := serveOne(h, path); rec.Code != 200 {
		b.Fatalf("%s: %d", path, rec.Code)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		w := &sinkWriter{h: http.Header{}}
		ran := false
		for pb.Next() {
			clear(w.h)
			h.ServeHTTP(w, req)
			ran = true
		}
		// A goroutine of RunParallel may get no iteration at all.
		if ran && (w.code != http.StatusOK || w.n == 0) {
			b.Errorf("%s: %d, %d bytes", path, w.code, w.n)
		}
	})
}

// sinkWriter is a ResponseWriter that keeps only the status and the body's
// length, so that the benchmark measures the handler and not a recorder's
// copy of the tile. net/http's own writer is measured by bench/http.
type sinkWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *sinkWriter) Header() http.Header  { return w.h }
func (w *sinkWriter) WriteHeader(code int) { w.code = code }
func (w *sinkWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.n = len(p)
	return len(p), nil
}
