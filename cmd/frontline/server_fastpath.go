package main

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// tileRoute is the echo route of tiles, the label of their metrics.
const tileRoute = "/tiles/:id/:version/:z/:x/:y"

// ServeHTTP answers a plain GET of a tile that is in the memory cache
// directly, and everything else through echo. Cached tiles are nearly all
// of a busy server's requests, and going around the router and the
// middleware chain saves them most of the handler's own time. The answer is
// the one echo's route gives, headers, request id, log line and metrics
// included (TestFastPathMatchesEcho compares them); whatever is not a
// plain cached tile (a miss, a conditional request, a query string, a bad
// path) goes to echo, which also produces every error.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// echo routes on the raw path when there is one (an escaped character),
	// so such a path goes to echo to get echo's answer.
	if r.Method == http.MethodGet && r.URL.RawQuery == "" && r.URL.RawPath == "" && strings.HasPrefix(r.URL.Path, "/tiles/") &&
		r.Header.Get("If-None-Match") == "" && s.serveCachedTile(w, r) {
		return
	}
	s.echo.ServeHTTP(w, r)
}

// serveCachedTile writes the tile of r's path if it is cached and reports
// whether it did; it writes nothing otherwise.
func (s *server) serveCachedTile(w http.ResponseWriter, r *http.Request) bool {
	start := time.Now()
	var parts [5]string
	rest := r.URL.Path[len("/tiles/"):]
	for i := range parts {
		var ok bool
		if parts[i], rest, ok = strings.Cut(rest, "/"); ok != (i < len(parts)-1) || parts[i] == "" {
			return false
		}
	}
	req, err := parseTilePath(parts[0], parts[1], parts[2], parts[3], parts[4])
	if err != nil {
		return false
	}
	b, tag, ok := s.tiles.cached(req)
	if !ok {
		return false
	}
	id := r.Header.Get(echo.HeaderXRequestID) // a proxy's id is kept, as echo's RequestID does
	if id == "" {
		id = s.requestID()
	}
	h := w.Header()
	h["X-Request-Id"] = []string{id}
	setSecurityHeaders(h, r.URL.Path)
	setCORS(h)
	setTileValidators(h, tag)
	setTileContent(h, req, len(b))
	w.WriteHeader(http.StatusOK)
	w.Write(b) // a failed write is the client's going away, as in echo's route
	// One read of the monotonic clock (time.Now reads two clocks); the log
	// line's time is derived from it.
	d := time.Since(start)
	s.metrics.request(tileRoute, http.MethodGet, http.StatusOK, d)
	s.access.write(start.Add(d), id, http.MethodGet, r.RequestURI, http.StatusOK, int64(len(b)), d)
	return true
}
