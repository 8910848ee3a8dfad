package main

import (
	"bytes"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestFastPathMatchesEcho: a cached tile answered around echo has the
// status, headers, body and log line of the same tile answered by echo's
// route; what the fast path does not serve reaches echo.
func TestFastPathMatchesEcho(t *testing.T) {
	var logs bytes.Buffer
	s := newTestServer(t, 1<<24, &logs)
	serve := func(h http.Handler, method, path string, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	tj := serve(s, http.MethodGet, "/tiles/control.json?format=png").Body.String()
	i := strings.Index(tj, "/tiles/control/")
	tmpl := tj[i : i+strings.Index(tj[i:], `"`)]
	png := strings.NewReplacer("{z}", "6", "{x}", "38", "{y}", "22", "{r}", "@2x").Replace(tmpl)
	mvt := strings.Replace(png, "@2x.png", ".mvt", 1)

	for _, path := range []string{png, mvt} {
		t.Run(path, func(t *testing.T) {
			// Not cached yet: the fast path declines and writes nothing.
			rec := httptest.NewRecorder()
			if s.serveCachedTile(rec, httptest.NewRequest(http.MethodGet, path, nil)) || rec.Body.Len() != 0 || len(rec.Header()) != 0 {
				t.Fatalf("fast path served an uncached tile")
			}
			logs.Reset()
			viaEcho := serve(s.echo, http.MethodGet, path) // renders, then cached
			echoLog := logs.String()
			logs.Reset()
			rec = httptest.NewRecorder()
			if !s.serveCachedTile(rec, httptest.NewRequest(http.MethodGet, path, nil)) {
				t.Fatalf("fast path declined a cached tile")
			}
			fastLog := logs.String()
			if viaEcho.Code != 200 || rec.Code != 200 || !bytes.Equal(viaEcho.Body.Bytes(), rec.Body.Bytes()) {
				t.Errorf("echo %d (%d bytes), fast path %d (%d bytes)", viaEcho.Code, viaEcho.Body.Len(), rec.Code, rec.Body.Len())
			}
			eh, fh := viaEcho.Header().Clone(), rec.Header().Clone()
			if eh.Get("X-Request-Id") == "" || fh.Get("X-Request-Id") == "" || eh.Get("X-Request-Id") == fh.Get("X-Request-Id") {
				t.Errorf("request ids %q and %q: want two distinct ones", eh.Get("X-Request-Id"), fh.Get("X-Request-Id"))
			}
			eh.Del("X-Request-Id")
			fh.Del("X-Request-Id")
			keys := func(h http.Header) []string { return slices.Sorted(maps.Keys(h)) }
			if !slices.Equal(keys(eh), keys(fh)) {
				t.Errorf("header names differ:\necho %v\nfast %v", keys(eh), keys(fh))
			}
			for k := range eh {
				if !slices.Equal(eh[k], fh[k]) {
					t.Errorf("%s: echo %q, fast path %q", k, eh[k], fh[k])
				}
			}
			// One log line each, the same fields but for the id and the time taken.
			norm := func(l string) string {
				for _, f := range []string{`"time":"`, `"id":"`} {
					if i := strings.Index(l, f); i >= 0 {
						j := strings.Index(l[i+len(f):], `"`)
						l = l[:i] + l[i+len(f)+j+1:]
					}
				}
				if i := strings.Index(l, `"ms":`); i >= 0 {
					l = l[:i]
				}
				return l
			}
			if strings.Count(echoLog, "\n") != 1 || strings.Count(fastLog, "\n") != 1 || norm(echoLog) != norm(fastLog) {
				t.Errorf("log lines differ:\necho %s\nfast %s", echoLog, fastLog)
			}
		})
	}

	// A request id sent by the client (a proxy's) is kept on both paths.
	for name, h := range map[string]http.Handler{"echo": s.echo, "fast path": s} {
		if got := serve(h, http.MethodGet, png, "X-Request-Id", "proxy-42").Header().Get("X-Request-Id"); got != "proxy-42" {
			t.Errorf("%s: X-Request-Id %q, want the client's proxy-42", name, got)
		}
	}
	// An escaped slash makes another path for echo's router; the fast path
	// must not answer it differently.
	escaped := strings.Replace(png, "/6/38/", "/6%2F38/", 1)
	if e, f := serve(s.echo, http.MethodGet, escaped), serve(s, http.MethodGet, escaped); e.Code != f.Code || f.Code == 200 {
		t.Errorf("%s: echo %d, server %d; want the same, not 200", escaped, e.Code, f.Code)
	}

	// What the fast path leaves to echo: a conditional request (304), HEAD,
	// a query string, a malformed path (its error comes from echo).
	tag := serve(s, http.MethodGet, png).Header().Get("ETag")
	if rec := serve(s, http.MethodGet, png, "If-None-Match", tag); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", rec.Code)
	}
	if rec := serve(s, http.MethodHead, png); rec.Code != 200 {
		t.Errorf("HEAD: %d, want 200", rec.Code)
	}
	if rec := serve(s, http.MethodGet, png+"?x=%zz"); rec.Code != http.StatusBadRequest {
		t.Errorf("malformed query: %d, want 400", rec.Code)
	}
	for _, bad := range []string{"/tiles/control/x/6/38/22.png", "/tiles/control//6/38/22.png", "/tiles/control/a/b/c/d/e.png", strings.Replace(png, "/6/38/", "/6/99/", 1)} {
		if rec := serve(s, http.MethodGet, bad); rec.Code < 400 || rec.Code > 404 || !strings.Contains(rec.Body.String(), `"error"`) {
			t.Errorf("%s: %d %s, want a 400 or 404 from echo", bad, rec.Code, rec.Body.String())
		}
	}
}
