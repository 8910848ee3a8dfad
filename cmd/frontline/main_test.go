package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontlinemap/frontline/data/sqlite"
)

// deepstateDir is the shared real test data, relative to this package.
const deepstateDir = "../../../shared/data/deepstate"

func needDeepState(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(deepstateDir); err != nil {
		t.Skipf("real data not found at %s (it lives outside the repository): %v", deepstateDir, err)
	}
}

// cli runs the frontline command in-process and returns its exit code and output.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func checksumOf(t *testing.T, path string) string {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sum, err := db.Checksum(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func TestImportBadInputChangesNothing(t *testing.T) {
	files, _ := filepath.Glob("../../data/testdata/bad/*")
	if len(files) < 25 {
		t.Fatalf("got %d bad inputs, want at least 25", len(files))
	}
	dbPath := filepath.Join(t.TempDir(), "bad.db")
	before := checksumOf(t, dbPath)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			code, _, stderr := cli(t, "import", "control", f, "--date", "2025-09-01", "--source", "test", "--db", dbPath)
			if code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			if !strings.Contains(stderr, "import failed, nothing was changed") || !strings.Contains(stderr, f) {
				t.Errorf("stderr %q does not name the failure and the file", stderr)
			}
			if after := checksumOf(t, dbPath); after != before {
				t.Errorf("database changed")
			}
		})
	}
	// One bad file among good ones fails the whole directory import.
	dir := t.TempDir()
	good := `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[37,48],[38,48],[38,49],[37,48]]]}}`
	os.WriteFile(filepath.Join(dir, "2025-09-01.geojson"), []byte(good), 0o644)
	os.WriteFile(filepath.Join(dir, "2025-09-02.geojson"), []byte(`{"type":"Feature"`), 0o644)
	os.WriteFile(filepath.Join(dir, "2025-09-03.geojson"), []byte(good), 0o644)
	code, _, stderr := cli(t, "import", "control", dir, "--source", "test", "--db", dbPath)
	if code != 1 || !strings.Contains(stderr, "2025-09-02.geojson:1:18: bad JSON") {
		t.Errorf("got exit %d, stderr %q; want 1 naming 2025-09-02.geojson:1:18", code, stderr)
	}
	if after := checksumOf(t, dbPath); after != before {
		t.Errorf("failed directory import changed the database")
	}
}

func TestUsageErrors(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "u.db")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no command", nil, 2, "no command given"},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"import what", []string{"import"}, 2, "import what?"},
		{"source required", []string{"import", "control", "x.geojson", "--db", dbPath}, 2, "--source is required"},
		{"bad date flag", []string{"import", "control", "x.geojson", "--source", "s", "--date", "2025-02-30", "--db", dbPath}, 2, `date "2025-02-30" is not a calendar date`},
		{"missing file", []string{"import", "control", "nope.geojson", "--source", "s", "--date", "2025-09-01", "--db", dbPath}, 1, "nope.geojson: no such file"},
		{"file without date", []string{"import", "control", "../../data/testdata/repair/unclosed.geojson", "--source", "s", "--db", dbPath}, 1, "holds no date (want YYYYMMDD or YYYY-MM-DD); give --date"},
		{"unknown flag", []string{"serve", "--port", "1"}, 2, "flag provided but not defined: -port"},
		{"bad addr", []string{"serve", "--addr", "8080", "--db", dbPath}, 2, `--addr "8080": want HOST:PORT`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := cli(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("got exit %d, stderr %q; want %d containing %q", code, stderr, tt.code, tt.want)
			}
		})
	}
}

func TestImportRepairsWithWarnings(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "r.db")
	code, stdout, stderr := cli(t, "import", "control", "../../data/testdata/repair/bow-tie.geojson", "--date", "2025-09-01", "--source", "test", "--db", dbPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "warning: ../../data/testdata/repair/bow-tie.geojson: feature 0: repaired: ") || !strings.Contains(stderr, "self-intersection") {
		t.Errorf("stderr %q does not report the repair", stderr)
	}
	if !strings.Contains(stdout, "imported 1 line (2025-09-01)") {
		t.Errorf("stdout %q does not confirm the import", stdout)
	}
}

func TestImportBoundariesWithPropertyNames(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "b.db")
	file := filepath.Join(dir, "custom.geojson")
	os.WriteFile(file, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"iso_3166_2":"UA-14","name":"Donetsk (custom)","name_local":"Донецька"},"geometry":{"type":"Polygon","coordinates":[[[37,47],[39,47],[39,49],[37,49],[37,47]]]}}]}`), 0o644)
	code, stdout, stderr := cli(t, "import", "boundaries", file, "--code-prop", "iso_3166_2", "--name-prop", "name", "--name-uk-prop", "name_local", "--db", dbPath)
	if code != 0 || !strings.Contains(stdout, "imported 1 boundary") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	db, err := sqlite.Open(context.Background(), dbPath, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bs, _ := db.Boundaries(context.Background(), "admin1")
	if len(bs) != 27 {
		t.Errorf("got %d admin1 units, want 27 (UA-14 replaced, not added)", len(bs))
	}
	for _, b := range bs {
		if b.ISO == "UA-14" && (b.NameEN != "Donetsk (custom)" || b.NameUK != "Донецька" || b.Source != "custom.geojson") {
			t.Errorf("UA-14 = %q / %q / %q, want the imported names and source", b.NameEN, b.NameUK, b.Source)
		}
	}
	// Missing code property: a clear error, nothing changed.
	before := checksumOf(t, dbPath)
	code, _, stderr = cli(t, "import", "boundaries", file, "--code-prop", "adm1_code", "--db", dbPath)
	if code != 1 || !strings.Contains(stderr, `feature 0: property "adm1_code" (the ISO code) is missing or empty`) {
		t.Errorf("got exit %d, stderr %q", code, stderr)
	}
	if checksumOf(t, dbPath) != before {
		t.Error("failed boundary import changed the database")
	}
}

func TestImportControlDirectoryOfRealLines(t *testing.T) {
	needDeepState(t)
	// A month of real daily files, linked into a temporary directory.
	dir := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(deepstateDir, "deepstatemap_data_202508*.geojson"))
	if len(files) < 28 {
		t.Fatalf("got %d August 2025 files, want at least 28", len(files))
	}
	for _, f := range files {
		abs, _ := filepath.Abs(f)
		os.Symlink(abs, filepath.Join(dir, filepath.Base(f)))
	}
	dbPath := filepath.Join(t.TempDir(), "d.db")
	code, stdout, stderr := cli(t, "import", "control", dir, "--source", "DeepStateMap", "--db", dbPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := fmt.Sprintf("imported %d lines (2025-08-01..2025-08-31)", len(files))
	if !strings.Contains(stdout, want) {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	if !strings.Contains(stderr, "replaced the approximate placeholder line for 2025-08-15") {
		t.Errorf("stderr %q does not say the placeholder was replaced", stderr)
	}
	// Again without --replace: refused, nothing changed; with it: accepted.
	before := checksumOf(t, dbPath)
	code, _, stderr = cli(t, "import", "control", dir, "--source", "DeepStateMap", "--db", dbPath)
	if code != 1 || !strings.Contains(stderr, "store control line for 2025-08-01: already exists: a line for this date is already stored") {
		t.Errorf("re-import: exit %d, stderr %q", code, stderr)
	}
	if checksumOf(t, dbPath) != before {
		t.Error("refused re-import changed the database")
	}
	if code, _, stderr = cli(t, "import", "control", dir, "--source", "DeepStateMap", "--replace", "--db", dbPath); code != 0 {
		t.Errorf("re-import with --replace: exit %d: %s", code, stderr)
	}
}

func TestImportControlURL(t *testing.T) {
	needDeepState(t)
	body, err := os.ReadFile(filepath.Join(deepstateDir, "deepstatemap_data_20250815.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/lines/deepstatemap_data_20250815.geojson", func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
	mux.HandleFunc("/slow/2025-08-16.geojson", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux) // listens on 127.0.0.1
	defer srv.Close()
	dbPath := filepath.Join(t.TempDir(), "u.db")

	tests := []struct {
		name  string
		args  []string
		code  int
		wants string
	}{
		{"over the size limit", []string{srv.URL + "/lines/deepstatemap_data_20250815.geojson", "--max-bytes", "1000"}, 1, "body is over the limit of 1000 bytes"},
		{"not found", []string{srv.URL + "/lines/2025-08-17.geojson"}, 1, "server answered 404 Not Found"},
		{"timeout", []string{srv.URL + "/slow/2025-08-16.geojson", "--timeout", "200ms"}, 1, "context deadline exceeded"},
		{"date from the URL", []string{srv.URL + "/lines/deepstatemap_data_20250815.geojson"}, 0, "imported 1 line (2025-08-15)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"import", "control"}, tt.args...)
			args = append(args, "--source", "DeepStateMap", "--db", dbPath)
			code, stdout, stderr := cli(t, args...)
			if code != tt.code || !strings.Contains(stdout+stderr, tt.wants) {
				t.Errorf("got exit %d, output %q; want %d containing %q", code, stdout+stderr, tt.code, tt.wants)
			}
		})
	}
	db, err := sqlite.Open(context.Background(), dbPath, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := db.Snapshot(context.Background(), "2025-08-15")
	if err != nil || s.Approximate || s.Source != "DeepStateMap" || s.Vertices < 3000 {
		t.Errorf("got %+v, %v; want the fetched DeepStateMap line", s.SnapshotInfo, err)
	}
}

// firstLine captures what a process writes and hands over its first line.
type firstLine struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	once sync.Once
	c    chan string
}

func (w *firstLine) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if i := bytes.IndexByte(w.buf.Bytes(), '\n'); i >= 0 {
		w.once.Do(func() { w.c <- string(w.buf.Bytes()[:i]) })
	}
	return len(p), nil
}

// startServer runs frontline serve on 127.0.0.1:0 with the extra flags and
// returns its base URL and a stop function (also run at cleanup) that waits
// for a clean shutdown.
func startServer(t *testing.T, dbPath string, extra ...string) (base string, stop func()) {
	t.Helper()
	base, stop, _ = startServerLogged(t, dbPath, extra...)
	return base, stop
}

func get(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestServeAPI(t *testing.T) {
	base, _ := startServer(t, filepath.Join(t.TempDir(), "s.db"))

	tests := []struct {
		name, path  string
		status      int
		contentType string
		body        string // substring
	}{
		{"health", "/healthz", 200, "application/json", `"status":"ok"`},
		{"dates", "/api/dates", 200, "application/json", `"date":"2025-08-15","source":"Frontline approximate demonstration line`},
		{"latest control", "/api/control", 200, "application/geo+json", `"approximate":true`},
		{"control by date", "/api/control?date=2025-08-15", 200, "application/geo+json", `"type":"MultiPolygon"`},
		{"control near Pokrovsk", "/api/control?date=2025-08-15&bbox=37,48.1,37.4,48.4", 200, "application/geo+json", `"date":"2025-08-15"`},
		{"unknown date", "/api/control?date=2020-01-01", 404, "application/json", "control line for 2020-01-01: not found"},
		{"malformed date", "/api/control?date=2025-13-01", 400, "application/json", `is not a calendar date`},
		{"bad bbox", "/api/control?bbox=1,2,3", 400, "application/json", `want minlon,minlat,maxlon,maxlat`},
		{"inverted bbox", "/api/boundaries?bbox=40,50,30,45", 400, "application/json", `want -180 <= minlon <= maxlon <= 180`},
		{"bad kind", "/api/boundaries?kind=city", 400, "application/json", `kind "city": want admin1 or country`},
		{"boundaries", "/api/boundaries?kind=admin1", 200, "application/geo+json", `"iso":"UA-14"`},
		{"viewer page", "/", 200, "text/html", "<html"},
		{"unknown path", "/nope", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, base+tt.path)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d (%s)", resp.StatusCode, tt.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.contentType) {
				t.Errorf("Content-Type %q, want %q", ct, tt.contentType)
			}
			text := string(body)
			var e struct{ Error string }
			if json.Unmarshal(body, &e) == nil && e.Error != "" {
				text = e.Error
			}
			if !strings.Contains(text, tt.body) {
				t.Errorf("body %.300q does not contain %q", text, tt.body)
			}
			if strings.HasPrefix(tt.path, "/api/") && resp.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("no CORS header on %s", tt.path)
			}
		})
	}

	t.Run("27 units and neighbours", func(t *testing.T) {
		_, body := get(t, base+"/api/boundaries")
		var fc struct {
			Features []struct {
				Properties map[string]string `json:"properties"`
			} `json:"features"`
		}
		if err := json.Unmarshal(body, &fc); err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, f := range fc.Features {
			kinds[f.Properties["kind"]]++
		}
		if kinds["admin1"] != 27 || kinds["country"] < 5 {
			t.Errorf("got %v, want 27 admin1 and at least 5 countries", kinds)
		}
	})

	t.Run("revalidation answers 304", func(t *testing.T) {
		resp, _ := get(t, base+"/api/dates")
		etag := resp.Header.Get("ETag")
		if etag == "" {
			t.Fatal("no ETag")
		}
		resp, body := get(t, base+"/api/dates", "If-None-Match", etag)
		if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("got %d with %d bytes, want 304 and no body", resp.StatusCode, len(body))
		}
	})
}

func TestServeReadOnly(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	if code, _, stderr := cli(t, "serve", "--read-only", "--db", missing, "--addr", "127.0.0.1:0"); code != 1 || !strings.Contains(stderr, "read-only") {
		t.Errorf("read-only on a missing database: exit %d, %q; want 1 and a read-only error", code, stderr)
	}
	dbPath := filepath.Join(dir, "replica.db")
	if code, _, stderr := cli(t, "dates", "--db", dbPath); code != 0 { // creates and fills it
		t.Fatal(stderr)
	}
	before := checksumOf(t, dbPath)
	base, stop := startServer(t, dbPath, "--read-only")
	// Requests that compute derived results still answer; nothing is written.
	for _, path := range []string{"/api/dates", "/api/scenarios/alaska-2025", "/api/series", "/tiles/control.json"} {
		if resp, body := get(t, base+path); resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
	stop()
	if after := checksumOf(t, dbPath); after != before {
		t.Error("a read-only server changed the database")
	}
	if code, _, stderr := cli(t, "serve", "--read-only", "--scenarios", dir, "--db", dbPath); code != 2 || !strings.Contains(stderr, "cannot be loaded into a --read-only database") {
		t.Errorf("--read-only with --scenarios: exit %d %q", code, stderr)
	}
}
