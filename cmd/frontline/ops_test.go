package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape reads base/metrics and parses it as the Prometheus text format.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, body := get(t, base+"/metrics")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return fams
}

// series finds the metric of family name with exactly the labels given
// (name, value pairs); nil if there is none.
func series(fams map[string]*dto.MetricFamily, name string, labels ...string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.Metric {
		if len(m.Label)*2 != len(labels) {
			continue
		}
		for i := 0; i < len(labels); i += 2 {
			found := false
			for _, l := range m.Label {
				found = found || (l.GetName() == labels[i] && l.GetValue() == labels[i+1])
			}
			if !found {
				continue next
			}
		}
		return m
	}
	return nil
}

// value is a counter's or gauge's value, or -1 when the series is absent.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	m := series(fams, name, labels...)
	switch {
	case m == nil:
		return -1
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Untyped != nil:
		return m.Untyped.GetValue()
	}
	return -1
}

const wantTileRoute = "/tiles/:id/:version/:z/:x/:y"

func TestMetrics(t *testing.T) {
	dir := t.TempDir()
	dbA, dbB := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	a, _ := startServer(t, dbA)
	b, _ := startServer(t, dbB) // a second server in the same process: its own registry

	tj := getTileJSON(t, a+"/tiles/control.json?format=png")
	x, y, _, _ := tileOf(37.8, 48.0, 7, 256)
	tile := tileURL(tj.Tiles[0], 7, x, y, "")
	for i := 0; i < 2; i++ { // a render, then a cached answer
		if resp, body := get(t, tile); resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", tile, resp.StatusCode, body)
		}
	}
	retina := tileURL(tj.Tiles[0], 7, x, y, "@2x")
	if resp, _ := get(t, retina); resp.StatusCode != 200 {
		t.Fatalf("%s: %d", retina, resp.StatusCode)
	}
	mvt := getTileJSON(t, a+"/tiles/base.json?format=mvt")
	if resp, _ := get(t, tileURL(mvt.Tiles[0], 7, x, y, "")); resp.StatusCode != 200 {
		t.Fatalf("mvt tile: %d", resp.StatusCode)
	}
	// An old revision's tile, never rendered: a 404, and not a cache miss.
	old := strings.Replace(tile, ".r", ".r1", 1)
	if resp, _ := get(t, old); resp.StatusCode != 404 {
		t.Fatalf("%s: %d, want 404", old, resp.StatusCode)
	}
	if resp, _ := get(t, a+"/no/such/page"); resp.StatusCode != 404 {
		t.Fatalf("unknown page: %d, want 404", resp.StatusCode)
	}
	_, hb := get(t, a+"/healthz")
	var health struct{ Revision int64 }
	json.Unmarshal(hb, &health)

	fams := scrape(t, a)
	counts := []struct {
		route, code string
		want        float64
	}{
		{wantTileRoute, "200", 4},
		{wantTileRoute, "404", 1},
		{"/tiles/:file", "200", 2},
		{"/healthz", "200", 1},
		{"/*", "404", 1},
	}
	for _, c := range counts {
		if got := value(fams, "frontline_http_requests_total", "route", c.route, "method", "GET", "code", c.code); got != c.want {
			t.Errorf("requests %s %s: %v, want %v", c.route, c.code, got, c.want)
		}
	}
	// Routes, never raw paths: no label value holds a tile's numbers.
	for _, m := range fams["frontline_http_requests_total"].Metric {
		for _, l := range m.Label {
			if strings.Contains(l.GetValue(), "/7/") || strings.Contains(l.GetValue(), "no/such") {
				t.Errorf("label %s=%q is a raw path", l.GetName(), l.GetValue())
			}
		}
	}
	if h := series(fams, "frontline_http_request_duration_seconds", "route", wantTileRoute); h == nil || h.Histogram.GetSampleCount() != 5 {
		t.Errorf("latency histogram of the tile route: %v, want 5 samples", h)
	} else if h.Histogram.GetSampleSum() <= 0 {
		t.Errorf("latency sum %v, want > 0", h.Histogram.GetSampleSum())
	}
	renders := map[[2]string]uint64{{"control", "png"}: 1, {"control", "png@2x"}: 1, {"base", "mvt"}: 1}
	for k, want := range renders {
		h := series(fams, "frontline_tile_render_seconds", "kind", k[0], "format", k[1])
		if h == nil || h.Histogram.GetSampleCount() != want {
			t.Errorf("render time %v: %v, want %d sample", k, h, want)
		}
	}
	cache := map[string]float64{
		"frontline_tile_cache_hits_total":    1,
		"frontline_tile_cache_misses_total":  3,
		"frontline_tile_cache_renders_total": 3,
		"frontline_tile_cache_entries":       3,
		"frontline_tile_cache_max_bytes":     256 << 20,
		"frontline_data_revision":            float64(health.Revision),
	}
	for name, want := range cache {
		if got := value(fams, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if got := value(fams, "frontline_tile_cache_bytes"); got < 100 || got > 1<<20 {
		t.Errorf("cache bytes %v, want the three tiles' size", got)
	}
	size, err := dbSize(dbA)
	if err != nil {
		t.Fatal(err)
	}
	if got := value(fams, "frontline_db_size_bytes"); got != float64(size) || size < 100000 {
		t.Errorf("db size %v, want %d (file plus WAL)", got, size)
	}
	if value(fams, "go_goroutines") <= 0 || value(fams, "process_resident_memory_bytes") <= 0 {
		t.Error("no Go runtime or process metrics")
	}

	// The other server counted none of this.
	fb := scrape(t, b)
	if got := value(fb, "frontline_http_requests_total", "route", wantTileRoute, "method", "GET", "code", "200"); got != -1 {
		t.Errorf("second server counts %v tile requests, want none", got)
	}
	if got := value(fb, "frontline_tile_cache_hits_total"); got != 0 {
		t.Errorf("second server: %v cache hits, want 0", got)
	}
}

func TestMetricsBoundMethods(t *testing.T) {
	m := newMetrics(nil, nil)
	for _, method := range []string{"BREW", "WHEN", "GET"} {
		m.child("/healthz", method, 405).observe(time.Millisecond)
	}
	if n := len(*m.children.Load()); n != 1 {
		t.Errorf("%d children kept, want 1 (made-up methods are not kept)", n)
	}
	if got := testutil.ToFloat64(m.requests.WithLabelValues("/healthz", "other", "405")); got != 2 {
		t.Errorf("made-up methods counted %v times as other, want 2", got)
	}
}

func TestReadyz(t *testing.T) {
	s := newTestServer(t, 1<<20, io.Discard)
	rec := serveOne(s, "/readyz")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"status":"ready"`) || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("open database: %d %s %q, want 200 ready, no-store", rec.Code, rec.Body, rec.Header().Get("Cache-Control"))
	}
	s.drain()
	if rec := serveOne(s, "/readyz"); rec.Code != 503 || !strings.Contains(rec.Body.String(), "shutting down") {
		t.Errorf("draining: %d %s, want 503 shutting down", rec.Code, rec.Body)
	}
	if rec := serveOne(s, "/healthz"); rec.Code != 200 {
		t.Errorf("draining: /healthz %d, want 200 (alive, only not ready)", rec.Code)
	}

	s = newTestServer(t, 1<<20, io.Discard)
	s.db.Close()
	if rec := serveOne(s, "/readyz"); rec.Code != 503 || !strings.Contains(rec.Body.String(), "database does not answer") {
		t.Errorf("closed database: %d %s, want 503", rec.Code, rec.Body)
	}
	// Metrics still answer without the database; its series are left out.
	rec = serveOne(s, "/metrics")
	if rec.Code != 200 || strings.Contains(rec.Body.String(), "frontline_data_revision ") || !strings.Contains(rec.Body.String(), "frontline_tile_cache_hits_total 0") {
		t.Errorf("metrics with a closed database: %d, want 200 with the cache series and no revision", rec.Code)
	}
}

// TestLogsCarryRequestIDs checks that every log line written while a
// request is handled names its id: the request line, the error line of a
// 500, and a panic.
func TestLogsCarryRequestIDs(t *testing.T) {
	var logs bytes.Buffer
	s := newTestServer(t, 1<<20, &logs)
	s.echo.GET("/test-panic", func(echo.Context) error { panic("boom") })
	ok := serveOne(s, "/api/dates")
	notFound := serveOne(s, "/api/control?date=2020-01-01")
	panicked := serveOne(s, "/test-panic")
	s.db.Close()
	failed := serveOne(s, "/api/dates")

	want := []struct {
		rec    *httptest.ResponseRecorder
		status int
		msgs   []string // log messages with this id, in order
	}{
		{ok, 200, []string{"request"}},
		{notFound, 404, []string{"request"}},
		{panicked, 500, []string{"panic", "request failed", "request"}},
		{failed, 500, []string{"request failed", "request"}},
	}
	byID := map[string][]map[string]any{}
	sc := bufio.NewScanner(&logs)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line is not JSON: %q", sc.Text())
		}
		id, _ := line["id"].(string)
		if id == "" {
			t.Errorf("log line without a request id: %s", sc.Text())
		}
		byID[id] = append(byID[id], line)
	}
	for _, w := range want {
		id := w.rec.Header().Get(echo.HeaderXRequestID)
		if w.rec.Code != w.status || id == "" {
			t.Errorf("got %d with id %q, want %d and an id", w.rec.Code, id, w.status)
			continue
		}
		var msgs []string
		for _, l := range byID[id] {
			msgs = append(msgs, l["msg"].(string))
			if l["msg"] == "request" && l["status"] != float64(w.status) {
				t.Errorf("request %s logged status %v, sent %d", id, l["status"], w.status)
			}
		}
		if strings.Join(msgs, ",") != strings.Join(w.msgs, ",") {
			t.Errorf("request %s (%d): log lines %v, want %v", id, w.status, msgs, w.msgs)
		}
	}
	rec := serveOne(s, "/metrics")
	if !strings.Contains(rec.Body.String(), `frontline_http_requests_total{code="500",method="GET",route="/test-panic"} 1`) {
		t.Error("the panic is not counted as a 500 of its route")
	}
}

func TestEnvironmentConfiguresFlags(t *testing.T) {
	newFS := func() (*flag.FlagSet, *string, *int, *bool, *time.Duration, *string) {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(new(bytes.Buffer))
		return fs, fs.String("addr", "127.0.0.1:8080", "listen"), fs.Int("tile-cache-mb", 256, "budget"),
			fs.Bool("read-only", false, "ro"), fs.Duration("shutdown-timeout", 15*time.Second, "grace"),
			fs.String("added-later-flag", "", "a flag this code does not know")
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		addr    string
		mb      int
		ro      bool
		grace   time.Duration
		later   string
		wantErr string
	}{
		{"defaults", nil, nil, "127.0.0.1:8080", 256, false, 15 * time.Second, "", ""},
		{"environment", nil, map[string]string{"FRONTLINE_ADDR": ":9000", "FRONTLINE_TILE_CACHE_MB": "64", "FRONTLINE_READ_ONLY": "true",
			"FRONTLINE_SHUTDOWN_TIMEOUT": "2s", "FRONTLINE_ADDED_LATER_FLAG": "yes"}, ":9000", 64, true, 2 * time.Second, "yes", ""},
		{"flag beats environment", []string{"--addr", ":7000", "--tile-cache-mb=8", "--read-only=false"},
			map[string]string{"FRONTLINE_ADDR": ":9000", "FRONTLINE_TILE_CACHE_MB": "lots", "FRONTLINE_READ_ONLY": "true"}, ":7000", 8, false, 15 * time.Second, "", ""},
		{"empty is unset", nil, map[string]string{"FRONTLINE_ADDR": "", "FRONTLINE_TILE_CACHE_MB": ""}, "127.0.0.1:8080", 256, false, 15 * time.Second, "", ""},
		{"bad number", nil, map[string]string{"FRONTLINE_TILE_CACHE_MB": "lots"}, "", 0, false, 0, "",
			`environment variable FRONTLINE_TILE_CACHE_MB="lots" (for --tile-cache-mb): want a whole number`},
		{"bad bool", nil, map[string]string{"FRONTLINE_READ_ONLY": "yes"}, "", 0, false, 0, "",
			`environment variable FRONTLINE_READ_ONLY="yes" (for --read-only): want true or false`},
		{"bad duration", nil, map[string]string{"FRONTLINE_SHUTDOWN_TIMEOUT": "15"}, "", 0, false, 0, "",
			`environment variable FRONTLINE_SHUTDOWN_TIMEOUT="15" (for --shutdown-timeout): want a duration`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, addr, mb, ro, grace, later := newFS()
			lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			_, err := parseWithEnv(fs, tt.args, lookup)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("got %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *addr != tt.addr || *mb != tt.mb || *ro != tt.ro || *grace != tt.grace || *later != tt.later {
				t.Errorf("got %q %d %v %v %q, want %q %d %v %v %q", *addr, *mb, *ro, *grace, *later, tt.addr, tt.mb, tt.ro, tt.grace, tt.later)
			}
		})
	}
}

func TestServeEnvironment(t *testing.T) {
	// --help names the variable of every flag.
	code, _, help := cli(t, "serve", "--help")
	if code != 0 {
		t.Fatalf("serve --help: exit %d", code)
	}
	flags := 0
	for _, line := range strings.Split(help, "\n") {
		if !strings.HasPrefix(line, "  -") {
			continue
		}
		flags++
		name := strings.Fields(line)[0][1:]
		if i := strings.Index(help, line); !strings.Contains(help[i:], "(environment "+envName(name)+")") {
			t.Errorf("--help does not name %s for --%s", envName(name), name)
		}
	}
	if flags < 8 || !strings.Contains(help, "A flag on the command line beats the environment") {
		t.Errorf("--help lists %d flags and no precedence rule:\n%s", flags, help)
	}

	// The environment reaches the command: a read-only server on a missing
	// database fails naming it; the bad FRONTLINE_ADDR is overridden by --addr.
	missing := filepath.Join(t.TempDir(), "from-env.db")
	t.Setenv("FRONTLINE_DB", missing)
	t.Setenv("FRONTLINE_READ_ONLY", "1")
	t.Setenv("FRONTLINE_ADDR", "not-an-address")
	code, _, stderr := cli(t, "serve", "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(stderr, "open database "+missing+" read-only") {
		t.Errorf("exit %d %q; want 1 naming %s read-only", code, stderr, missing)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("a read-only server created the database")
	}
	t.Setenv("FRONTLINE_TILE_CACHE_MB", "-")
	code, _, stderr = cli(t, "serve")
	if code != 2 || !strings.Contains(stderr, `environment variable FRONTLINE_TILE_CACHE_MB="-"`) {
		t.Errorf("bad variable: exit %d %q, want 2 naming it", code, stderr)
	}
}

// BenchmarkMetricsPerRequest is what the metrics add to each request: the
// resolved children's lookup, a counter and a histogram (the latency comes
// from the request logger, which measures it anyway).
func BenchmarkMetricsPerRequest(b *testing.B) {
	m := newMetrics(nil, nil)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.request(wantTileRoute, http.MethodGet, 200, 50*time.Microsecond)
		}
	})
}
