package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontlinemap/frontline/data/derive"
	"github.com/frontlinemap/frontline/data/sqlite"
	"github.com/frontlinemap/frontline/geo/scenario"
)

// BenchmarkCachedTileHandler is the handler's share of answering a cached
// tile: routing, middleware (ids, logging, metrics) and the cache lookup,
// without the network.
func BenchmarkCachedTileHandler(b *testing.B) {
	db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "b.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	derived := derive.New(db, scenario.Options{})
	ts, err := newTileServer(db, derived, 1<<20, "")
	if err != nil {
		b.Fatal(err)
	}
	h := newServer(db, derived, ts, "", slog.New(slog.NewJSONHandler(io.Discard, nil)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/tiles/control.json", nil))
	template := rec.Body.String()
	i := strings.Index(template, "/tiles/control/")
	path := strings.NewReplacer("{z}", "7", "{x}", "77", "{y}", "44", "{r}", "").Replace(template[i : i+strings.Index(template[i:], `"`)])
	if rec := serveRec(h, path); rec.Code != 200 {
		b.Fatalf("%s: %d", path, rec.Code)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for pb.Next() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
		}
	})
}

func serveRec(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}
