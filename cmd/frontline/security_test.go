package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

func TestSecurityHeaders(t *testing.T) {
	base, _ := startServer(t, filepath.Join(t.TempDir(), "h.db"))
	tests := []struct {
		path       string
		csp        string // substring of Content-Security-Policy
		frameable  bool
		wantStatus int
	}{
		{"/", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:", false, 200},
		{"/index.html", "default-src 'self'", false, 301}, // FileServer redirects to /
		{"/app.js", "default-src 'none'", false, 200},
		{"/api/dates", "default-src 'none'", false, 200},
		{"/api/control?date=1800-01-01", "default-src 'none'", false, 400},
		{"/tiles.json", "default-src 'none'", false, 200},
		{"/healthz", "default-src 'none'", false, 200},
		{"/nope", "default-src 'none'", false, 404},
		{"/embed", "default-src 'self'", true, 200},
		{"/embed.html", "default-src 'self'", true, 404}, // /embed is a route, not a file
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := noRedirect.Get(base + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			h := resp.Header
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("X-Content-Type-Options %q, want nosniff", h.Get("X-Content-Type-Options"))
			}
			csp := h.Get("Content-Security-Policy")
			if !strings.Contains(csp, tt.csp) {
				t.Errorf("CSP %q does not contain %q", csp, tt.csp)
			}
			if tt.frameable {
				if !strings.HasSuffix(csp, "frame-ancestors *") || h.Get("X-Frame-Options") != "" {
					t.Errorf("embed page: CSP %q, X-Frame-Options %q; want frame-ancestors * and no X-Frame-Options", csp, h.Get("X-Frame-Options"))
				}
			} else if !strings.HasSuffix(csp, "frame-ancestors 'none'") || h.Get("X-Frame-Options") != "DENY" {
				t.Errorf("CSP %q, X-Frame-Options %q; want frame-ancestors 'none' and DENY", csp, h.Get("X-Frame-Options"))
			}
			isPublicGet := strings.HasPrefix(tt.path, "/api/") || strings.HasPrefix(tt.path, "/tiles")
			if got := h.Get("Access-Control-Allow-Origin"); (got == "*") != isPublicGet {
				t.Errorf("Access-Control-Allow-Origin %q on %s", got, tt.path)
			}
		})
	}
}

// rawGet sends path exactly as given (no client-side cleaning or escaping)
// and returns the status line and the body.
func rawGet(t *testing.T, base, path string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestNoPathTraversal(t *testing.T) {
	base, _ := startServer(t, filepath.Join(t.TempDir(), "p.db"))
	paths := []string{
		"/../../../../etc/passwd",
		"/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
		"/%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
		"/..%2f..%2f..%2fetc%2fpasswd",
		"/..%5c..%5c..%5cetc%5cpasswd",
		"/%252e%252e/%252e%252e/etc/passwd",
		"/....//....//....//etc/passwd",
		"/vendor/../../../go.mod",
		"/vendor/leaflet/..%2f..%2f..%2fgo.mod",
		"/static/embed.go",
		"/embed.go",
		"/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
		"/app.js%00.png",
		"/./././../cmd/frontline/main.go",
		"/tiles/..%2f..%2fetc/passwd",
		"/api/scenarios/..%2f..%2fetc%2fpasswd",
		"/api/scenarios/%2e%2e",
		"//etc/passwd",
		`/..\..\..\etc\passwd`,
	}
	for _, p := range paths {
		code, body := rawGet(t, base, p)
		if code >= 500 {
			t.Errorf("%s: status %d", p, code)
		}
		for _, secret := range []string{"root:", "module github.com/frontlinemap", "package main", "package static", "go:embed"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s: %d, body contains %q", p, code, secret)
			}
		}
		if code == 200 && !strings.Contains(body, "<!doctype html>") && !strings.Contains(body, "Leaflet") {
			t.Errorf("%s: 200 with an unexpected body %.80q", p, body)
		}
	}
	// Directories are not listed, and dot segments are refused rather than redirected.
	for _, p := range []string{"/vendor/", "/vendor/leaflet/", "/vendor", "/vendor/leaflet/images/"} {
		if code, body := rawGet(t, base, p); code != 404 {
			t.Errorf("%s: %d %.80q, want 404", p, code, body)
		}
	}
	for _, p := range []string{"/vendor/../index.html", "/%2e%2e/", "//app.js", "/./app.js", "/api/..%2fdates"} {
		if code, body := rawGet(t, base, p); code != 400 || !strings.Contains(body, "segments") {
			t.Errorf("%s: %d %.80q, want 400", p, code, body)
		}
	}
	for _, p := range []string{"/api/boundaries?kind=%zz", "/api/series?oblast=UA-14;x", "/api/control?date=2025-08-15&bbox=%"} {
		if code, body := rawGet(t, base, p); code != 400 || !strings.Contains(body, "malformed query string") {
			t.Errorf("%s: %d %.80q, want 400", p, code, body)
		}
	}
	// The viewer's own files are still there.
	if code, body := rawGet(t, base, "/app.js"); code != 200 || len(body) < 100 {
		t.Errorf("/app.js: %d, %d bytes", code, len(body))
	}
}

func TestPanicIsA500ForThatRequestOnly(t *testing.T) {
	routeHook = func(e *echo.Echo) {
		e.GET("/test/panic", func(echo.Context) error {
			panic("boom in /work/secret/path/handler.go:42")
		})
	}
	t.Cleanup(func() { routeHook = nil })
	dbPath := filepath.Join(t.TempDir(), "panic.db")
	base, _, logs := startServerLogged(t, dbPath)

	var wg sync.WaitGroup
	codes := make([]int, 40)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := "/api/dates"
			if i%4 == 0 {
				path = "/test/panic"
			}
			resp, err := http.Get(base + path)
			if err != nil {
				t.Errorf("%s: %v", path, err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			codes[i] = resp.StatusCode
			if path == "/test/panic" {
				if string(b) != "{\"error\":\"internal error\"}\n" {
					t.Errorf("panic answered %q, want only {\"error\":\"internal error\"}", b)
				}
				if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
					t.Errorf("panic response lacks the security headers")
				}
			}
		}()
	}
	wg.Wait()
	for i, c := range codes {
		want := 200
		if i%4 == 0 {
			want = 500
		}
		if c != want {
			t.Errorf("request %d: %d, want %d", i, c, want)
		}
	}
	if resp, _ := get(t, base+"/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz after panics: %d", resp.StatusCode)
	}
	// Refused and failed requests are logged with the status they got.
	for _, p := range []string{"/api/control?date=1800-01-01", "/vendor/../x", "/nope"} {
		resp, _ := get(t, base+p)
		resp.Body.Close()
	}
	time.Sleep(2 * flushEvery)
	for _, want := range []string{`"uri":"/api/control?date=1800-01-01","status":400`, `"uri":"/vendor/../x","status":400`, `"uri":"/nope","status":404`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("request log lacks %s", want)
		}
	}
	if l := logs.String(); !strings.Contains(l, `"msg":"panic"`) || !strings.Contains(l, "boom in") || !strings.Contains(l, "goroutine") {
		t.Errorf("the panic and its stack are not in the log: %.2000s", l)
	}
}

func TestErrorsRevealNoInternals(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "errs.db")
	base, _ := startServer(t, dbPath, "--write-token", testToken)
	requests := []struct{ method, path, body string }{
		{"GET", "/api/control?date=2020-01-01", ""},
		{"GET", "/api/control?bbox=a,b,c,d", ""},
		{"GET", "/api/scenarios/nope", ""},
		{"GET", "/api/scenarios/alaska-2025/layers/nope", ""},
		{"GET", "/api/change?from=2025-01-01&to=2024-01-01", ""},
		{"GET", "/tiles/nope.json", ""},
		{"GET", "/tiles/control/r999999/3/4/2.png", ""},
		{"GET", "/tiles/control/2025-08-15.r1/99/4/2.png", ""},
		{"POST", "/api/control?date=2025-09-01&source=x", `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[1e999,0]]]}}`},
		{"POST", "/api/scenarios", `{"id":"../../etc"}`},
	}
	for _, r := range requests {
		req, err := http.NewRequest(r.method, base+r.path, strings.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", r.method, r.path, err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("%s %s: %d, want a 4xx", r.method, r.path, resp.StatusCode)
		}
		// The answer is {"error": message} and nothing more.
		body := string(raw)
		var e map[string]any
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Errorf("%s %s: body %q is not JSON: %v", r.method, r.path, raw, err)
		} else if msg, ok := e["error"].(string); !ok || msg == "" || len(e) != 1 {
			t.Errorf("%s %s: body %s, want {\"error\": message}", r.method, r.path, raw)
		} else {
			body = msg // unescaped, for the leak checks
		}
		for _, leak := range []string{dbPath, filepath.Dir(dbPath), "goroutine", ".go:", "/work/", "/root/", "sqlite3", "SQL"} {
			if strings.Contains(body, leak) {
				t.Errorf("%s %s: error %q reveals %q", r.method, r.path, body, leak)
			}
		}
	}
}

// Tiles carry nosniff, CORS and their caching headers, and none of the
// document policies (see setSecurityHeaders); a cached tile (answered
// before echo) and a fresh one, a 304 and an error in a tile's place alike.
func TestTileHeaders(t *testing.T) {
	base, _ := startServer(t, filepath.Join(t.TempDir(), "t.db"))
	var list []struct{ ID, Format, URL string }
	resp, body := get(t, base+"/tiles.json")
	if resp.StatusCode != 200 || json.Unmarshal(body, &list) != nil {
		t.Fatalf("/tiles.json: %d %s", resp.StatusCode, body)
	}
	var paths []string
	for _, ts := range list {
		if ts.ID == "base" {
			tj := getTileJSON(t, ts.URL)
			paths = append(paths, strings.TrimPrefix(tileURL(tj.Tiles[0], 5, 18, 11, "@2x"), base))
		}
	}
	if len(paths) != 2 {
		t.Fatalf("base tilesets: %d paths, want png and mvt", len(paths))
	}
	bad := strings.Replace(paths[0], "/5/18/11", "/5/99/11", 1)
	for _, p := range paths {
		var etag string
		for range 2 { // rendered, then from the memory cache
			resp, _ := get(t, base+p)
			checkTileHeaders(t, p, resp, 200)
			if etag = resp.Header.Get("ETag"); etag == "" {
				t.Errorf("%s: no ETag", p)
			}
		}
		resp, _ := get(t, base+p, "If-None-Match", etag)
		checkTileHeaders(t, p+" (If-None-Match)", resp, 304)
	}
	resp, _ = get(t, base+bad)
	checkTileHeaders(t, bad, resp, 400)
}

// checkTileHeaders checks that resp has status and the headers of a tile.
func checkTileHeaders(t *testing.T, what string, resp *http.Response, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("%s: status %d, want %d", what, resp.StatusCode, status)
	}
	h := resp.Header
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("%s: nosniff %q, CORS %q", what, h.Get("X-Content-Type-Options"), h.Get("Access-Control-Allow-Origin"))
	}
	for _, k := range []string{"Content-Security-Policy", "X-Frame-Options", "Referrer-Policy"} {
		if v := h.Get(k); v != "" {
			t.Errorf("%s: %s %q on a tile", what, k, v)
		}
	}
	if status != 400 && h.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("%s: Cache-Control %q", what, h.Get("Cache-Control"))
	}
}
