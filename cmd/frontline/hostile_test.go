package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostileGeoJSON is an endless GeoJSON polygon: a body that only a size
// limit stops. n bytes are produced, then EOF (a truncated document).
func hostileGeoJSON(n int64) io.Reader {
	head := `{"type":"Polygon","coordinates":[[`
	unit := "[37.123456,48.123456],"
	return io.LimitReader(io.MultiReader(strings.NewReader(head), repeatReader(unit)), n)
}

// repeatReader repeats s forever.
func repeatReader(s string) io.Reader {
	return &repeater{b: []byte(strings.Repeat(s, 4096))}
}

type repeater struct {
	b   []byte
	off int
}

func (r *repeater) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.b[r.off:])
		n += c
		r.off = (r.off + c) % len(r.b)
	}
	return n, nil
}

// writeMillionVertices writes a valid-looking polygon of one million vertices
// (a circle around Pokrovsk) and returns its path.
func writeMillionVertices(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "million.geojson")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	const n = 1_000_000
	fmt.Fprint(w, `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[`)
	for i := 0; i <= n; i++ {
		a := 2 * math.Pi * float64(i%n) / n
		if i > 0 {
			w.WriteByte(',')
		}
		fmt.Fprintf(w, "[%.6f,%.6f]", 37.2+math.Cos(a), 48.3+math.Sin(a)*0.7)
	}
	fmt.Fprint(w, "]]}}\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// TestHostileInputsChangeNothing sends every hostile input both ways, through
// the CLI (non-zero exit) and the write API (a 4xx), and checks after each
// that the database checksum is unchanged.
func TestHostileInputsChangeNothing(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "hostile.db")
	base, _ := startServer(t, dbPath, "--write-token", testToken)
	before := checksumOf(t, dbPath)
	unchanged := func(t *testing.T) {
		t.Helper()
		if testing.Short() {
			return // -short: checked once at the end
		}
		if checksumOf(t, dbPath) != before {
			t.Fatal("the database changed")
		}
	}
	post := func(t *testing.T, path string, body io.Reader, length int64) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", base+path, body)
		req.ContentLength = length
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	geojson, _ := filepath.Glob("../../data/testdata/bad/*.geojson")
	scenarios, _ := filepath.Glob("../../data/testdata/bad-scenarios/*.json")
	if len(geojson)+len(scenarios) < 30 {
		t.Fatalf("got %d hostile files, want at least 30", len(geojson)+len(scenarios))
	}
	for _, f := range geojson {
		t.Run(filepath.Base(f), func(t *testing.T) {
			code, _, stderr := cli(t, "import", "control", f, "--date", "2025-09-01", "--source", "test", "--db", dbPath)
			if code == 0 || !strings.Contains(stderr, filepath.Base(f)) {
				t.Errorf("CLI: exit %d, %q; want non-zero naming the file", code, stderr)
			}
			b, _ := os.ReadFile(f)
			status, body := post(t, "/api/control?date=2025-09-01&source=test", bytes.NewReader(b), int64(len(b)))
			if status < 400 || status >= 500 || !strings.Contains(body, "body") {
				t.Errorf("API: %d %s; want a 4xx naming the body", status, body)
			}
			unchanged(t)
		})
	}
	for _, f := range scenarios {
		t.Run(filepath.Base(f), func(t *testing.T) {
			code, _, stderr := cli(t, "import", "scenarios", f, "--db", dbPath)
			if code == 0 || !strings.Contains(stderr, "import failed, nothing was changed") {
				t.Errorf("CLI: exit %d, %q; want non-zero", code, stderr)
			}
			b, _ := os.ReadFile(f)
			if status, body := post(t, "/api/scenarios", bytes.NewReader(b), int64(len(b))); status < 400 || status >= 500 {
				t.Errorf("API: %d %s; want a 4xx", status, body)
			}
			unchanged(t)
		})
	}

	t.Run("dates", func(t *testing.T) {
		good := filepath.Join(t.TempDir(), "line.geojson")
		os.WriteFile(good, []byte(goodLine), 0o644)
		if code, _, stderr := cli(t, "import", "control", good, "--date", "2025-02-30", "--source", "s", "--db", dbPath); code != 2 || !strings.Contains(stderr, "not a calendar date") {
			t.Errorf("--date 2025-02-30: exit %d %q", code, stderr)
		}
		dup := t.TempDir()
		os.WriteFile(filepath.Join(dup, "2025-09-01.geojson"), []byte(goodLine), 0o644)
		os.WriteFile(filepath.Join(dup, "deepstatemap_data_20250901.geojson"), []byte(goodLine), 0o644)
		if code, _, stderr := cli(t, "import", "control", dup, "--source", "s", "--db", dbPath); code != 1 || !strings.Contains(stderr, "are both for 2025-09-01") {
			t.Errorf("two files for one date: exit %d %q", code, stderr)
		}
		impossible := t.TempDir()
		os.WriteFile(filepath.Join(impossible, "2025-09-01.geojson"), []byte(goodLine), 0o644)
		os.WriteFile(filepath.Join(impossible, "2025-02-30.geojson"), []byte(goodLine), 0o644)
		if code, _, stderr := cli(t, "import", "control", impossible, "--source", "s", "--db", dbPath); code != 1 || !strings.Contains(stderr, `2025-02-30.geojson: invalid input: date "2025-02-30" is not a calendar date`) {
			t.Errorf("an impossible date in a file name: exit %d %q", code, stderr)
		}
		for _, q := range []string{"date=2025-02-30", "date=2025-9-1", "date=2025-09-01&date=2025-09-02", "date=99999-01-01", "date=2025-09-01%00"} {
			if status, body := post(t, "/api/control?source=s&"+q, strings.NewReader(goodLine), int64(len(goodLine))); status != 400 {
				t.Errorf("%s: %d %s, want 400", q, status, body)
			}
		}
		unchanged(t)
	})

	t.Run("one million vertices", func(t *testing.T) {
		if testing.Short() {
			t.Skip("-short (make test-race): decoding a million vertices under the race detector outlasts the write timeout")
		}
		path := writeMillionVertices(t, t.TempDir())
		code, _, stderr := cli(t, "import", "control", path, "--date", "2025-09-01", "--source", "s", "--db", dbPath)
		if code != 1 || !strings.Contains(stderr, "more than 500000 vertices in the file") {
			t.Errorf("CLI: exit %d %q", code, stderr)
		}
		b, _ := os.ReadFile(path)
		if status, body := post(t, "/api/control?date=2025-09-01&source=s", bytes.NewReader(b), int64(len(b))); status != 400 || !strings.Contains(body, "more than 500000 vertices") {
			t.Errorf("API: %d %.200s", status, body)
		}
		unchanged(t)
	})

	t.Run("200 MB body", func(t *testing.T) {
		if testing.Short() {
			t.Skip("-short (make test-race): 200 MB through the race detector")
		}
		const size = 200 << 20
		if status, body := post(t, "/api/control?date=2025-09-01&source=s", hostileGeoJSON(size), size); status != 413 || !strings.Contains(body, "over the limit of 67108864 bytes") {
			t.Errorf("with Content-Length: %d %s, want 413", status, body)
		}
		// Chunked, without a length: cut off while reading.
		if status, body := post(t, "/api/control?date=2025-09-01&source=s", hostileGeoJSON(size), -1); status != 413 {
			t.Errorf("chunked: %d %s, want 413", status, body)
		}
		// The CLI fetching the same body from a URL stops at --max-bytes.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(w, hostileGeoJSON(size))
		}))
		defer srv.Close()
		code, _, stderr := cli(t, "import", "control", srv.URL+"/2025-09-01.geojson", "--source", "s", "--db", dbPath)
		if code != 1 || !strings.Contains(stderr, "body is over the limit of 67108864 bytes (--max-bytes)") {
			t.Errorf("CLI from a URL: exit %d %q", code, stderr)
		}
		unchanged(t)
	})

	if resp, _ := get(t, base+"/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz after the hostile inputs: %d", resp.StatusCode)
	}
	if checksumOf(t, dbPath) != before {
		t.Error("the database changed")
	}
}
