package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontlinemap/frontline/data/sqlite"
)

const testToken = "s3cret-token-for-tests-0123456789"

// syncBuffer is a bytes.Buffer safe for a server goroutine and a test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServerLogged is startServer that also returns the server's log (stderr).
func startServerLogged(t *testing.T, dbPath string, extra ...string) (base string, stop func(), logs *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &firstLine{c: make(chan string, 1)}
	logs = &syncBuffer{}
	done := make(chan int, 1)
	args := append([]string{"serve", "--db", dbPath, "--addr", "127.0.0.1:0"}, extra...)
	go func() { done <- run(ctx, args, out, logs) }()
	select {
	case line := <-out.c:
		base = strings.TrimSuffix(strings.TrimPrefix(line, "frontline: serving "), "/")
	case code := <-done:
		t.Fatalf("serve %v exited with %d before listening: %s", extra, code, logs)
	case <-time.After(30 * time.Second):
		t.Fatalf("serve %v did not start within 30 s", extra)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("serve exited with %d after shutdown, want 0", code)
			}
		})
	}
	t.Cleanup(stop)
	return base, stop, logs
}

// do sends one request with an optional bearer token and returns status, headers and body.
func do(t *testing.T, method, url, token string, body io.Reader, header ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e struct{ Error string }
	if json.Unmarshal(b, &e) == nil && e.Error != "" {
		return resp.StatusCode, resp.Header, e.Error // unescaped, for comparisons
	}
	return resp.StatusCode, resp.Header, string(b)
}

const goodLine = `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[37,48],[38,48],[38,49],[37,48]]]}}`

const goodScenario = `{"id":"test-swap","title":"Test swap","summary":"A test.","reported":"2025-09-01",
"sources":[{"publisher":"Test","date":"2025-09-01"}],"rule":"control + oblast(UA-14)"}`

func TestWriteAPIDisabledWithoutToken(t *testing.T) {
	base, _ := startServer(t, filepath.Join(t.TempDir(), "w.db"))
	for _, r := range []struct{ method, path string }{
		{"POST", "/api/control?date=2025-09-01&source=x"}, {"DELETE", "/api/control/2025-08-15"},
		{"POST", "/api/scenarios"}, {"DELETE", "/api/scenarios/current"},
	} {
		if code, _, body := do(t, r.method, base+r.path, testToken, strings.NewReader(goodLine)); code != http.StatusNotFound {
			t.Errorf("%s %s without --write-token: %d %s, want 404", r.method, r.path, code, body)
		}
	}
}

func TestWriteAPI(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "w.db")
	base, _, logs := startServerLogged(t, dbPath, "--write-token", testToken, "--max-body", "4096")
	same := func(t *testing.T, before string) {
		t.Helper()
		if checksumOf(t, dbPath) != before {
			t.Errorf("the database changed")
		}
	}

	tests := []struct {
		name, method, path, token, body string
		status                          int
		want                            string // substring of the body
		changes                         bool   // the database may change
	}{
		{"no token", "POST", "/api/control?date=2025-09-01&source=T", "", goodLine, 401, "Authorization: Bearer TOKEN", false},
		{"wrong token", "POST", "/api/control?date=2025-09-01&source=T", "s3cret-token-for-tests-0123456788", goodLine, 403, "wrong token", false},
		{"prefix of the token", "POST", "/api/control?date=2025-09-01&source=T", testToken[:20], goodLine, 403, "wrong token", false},
		{"delete with wrong token", "DELETE", "/api/control/2025-08-15", "nope", "", 403, "wrong token", false},
		{"import a line", "POST", "/api/control?date=2025-09-01&source=T&note=n", testToken, goodLine, 201, `"date":"2025-09-01"`, true},
		{"same date again", "POST", "/api/control?date=2025-09-01&source=T", testToken, goodLine, 409, "a line for this date is already stored", false},
		{"replace it", "POST", "/api/control?date=2025-09-01&source=T2&replace=true", testToken, goodLine, 201, `"source":"T2"`, true},
		{"bad JSON", "POST", "/api/control?date=2025-09-02&source=T", testToken, `{"type":"Feature"`, 400, "body:1:18: bad JSON: unexpected end of JSON input", false},
		{"no date", "POST", "/api/control?source=T", testToken, goodLine, 400, "date is required", false},
		{"two dates", "POST", "/api/control?date=2025-09-02&date=2025-09-03&source=T", testToken, goodLine, 400, "date is given 2 times", false},
		{"impossible date", "POST", "/api/control?date=2025-02-30&source=T", testToken, goodLine, 400, `date "2025-02-30" is not a calendar date`, false},
		{"date before 1991", "POST", "/api/control?date=1990-01-01&source=T", testToken, goodLine, 400, "outside 1991-08-24..2099-12-31", false},
		{"no source", "POST", "/api/control?date=2025-09-02", testToken, goodLine, 400, "source is required", false},
		{"bad replace", "POST", "/api/control?date=2025-09-02&source=T&replace=yes", testToken, goodLine, 400, `replace "yes": want true or false`, false},
		{"empty body", "POST", "/api/control?date=2025-09-02&source=T", testToken, "", 400, "empty body", false},
		{"body over --max-body", "POST", "/api/control?date=2025-09-02&source=T", testToken, strings.Repeat(" ", 5000) + goodLine, 413, "over the limit of 4096 bytes", false},
		{"delete a line", "DELETE", "/api/control/2025-09-01", testToken, "", 200, `"deleted":"2025-09-01"`, true},
		{"delete it again", "DELETE", "/api/control/2025-09-01", testToken, "", 404, "not found", false},
		{"delete an impossible date", "DELETE", "/api/control/2025-13-01", testToken, "", 400, "not a calendar date", false},
		{"add a scenario", "POST", "/api/scenarios", testToken, goodScenario, 201, `"id":"test-swap"`, true},
		{"add it again", "POST", "/api/scenarios", testToken, goodScenario, 409, "already stored", false},
		{"replace it", "POST", "/api/scenarios?replace=1", testToken, strings.Replace(goodScenario, "Test swap", "Test swap 2", 1), 201, `"id":"test-swap"`, true},
		{"scenario with unknown oblast", "POST", "/api/scenarios", testToken, strings.Replace(strings.Replace(goodScenario, "UA-14", "UA-99", 1), "test-swap", "other", 1), 400, "unknown oblast code UA-99", false},
		{"scenario with unknown field", "POST", "/api/scenarios", testToken, strings.Replace(goodScenario, `"title"`, `"titel"`, 1), 400, `unknown field "titel"`, false},
		{"delete a built-in scenario", "DELETE", "/api/scenarios/current", testToken, "", 409, "ships with Frontline", false},
		{"delete an unknown scenario", "DELETE", "/api/scenarios/nope", testToken, "", 404, "not found", false},
		{"delete the scenario", "DELETE", "/api/scenarios/test-swap", testToken, "", 200, `"deleted":"test-swap"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := checksumOf(t, dbPath)
			code, h, body := do(t, tt.method, base+tt.path, tt.token, strings.NewReader(tt.body))
			if code != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("got %d %s, want %d containing %q", code, body, tt.status, tt.want)
			}
			if h.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("a write route answered with CORS headers")
			}
			if code == 401 && h.Get("WWW-Authenticate") != `Bearer realm="frontline"` {
				t.Errorf("401 without WWW-Authenticate: %q", h.Get("WWW-Authenticate"))
			}
			if !tt.changes {
				same(t, before)
			} else if checksumOf(t, dbPath) == before {
				t.Errorf("a successful write changed nothing")
			}
		})
	}

	t.Run("the imported line is served", func(t *testing.T) {
		code, _, _ := do(t, "POST", base+"/api/control?date=2025-09-05&source=Newsroom", testToken, strings.NewReader(goodLine))
		if code != 201 {
			t.Fatalf("import: %d", code)
		}
		resp, body := get(t, base+"/api/dates")
		var d struct {
			Dates []dateJSON `json:"dates"`
		}
		json.Unmarshal(body, &d)
		if resp.StatusCode != 200 || len(d.Dates) != 2 || d.Dates[1].Date != "2025-09-05" || d.Dates[1].Source != "Newsroom" {
			t.Errorf("dates after the write: %s", body)
		}
		db, err := sqlite.Open(context.Background(), dbPath, sqlite.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		log, err := db.Imports(context.Background())
		if len(log) == 0 {
			t.Errorf("import log is empty (%v), want an entry for the write", err)
		} else if !strings.HasPrefix(log[0].Origin, "POST /api/control?date=2025-09-05&source=Newsroom by token:") || log[0].Kind != "control" {
			t.Errorf("import log entry %+v, want the request and the token fingerprint", log[0])
		}
	})

	t.Run("a chunked body over the limit", func(t *testing.T) {
		before := checksumOf(t, dbPath)
		// A reader without a known length is sent chunked: the limit applies while reading.
		body := io.MultiReader(strings.NewReader(strings.Repeat(" ", 5000)), strings.NewReader(goodLine))
		code, _, text := do(t, "POST", base+"/api/control?date=2025-09-06&source=T", testToken, struct{ io.Reader }{body})
		if code != 413 || !strings.Contains(text, "over the limit of 4096 bytes") {
			t.Errorf("got %d %s, want 413", code, text)
		}
		same(t, before)
	})

	t.Run("every write is logged with who, never the token", func(t *testing.T) {
		time.Sleep(2 * flushEvery)
		l := logs.String()
		if strings.Contains(l, testToken[:16]) {
			t.Fatal("the token appears in the log")
		}
		var writes, refused int
		for _, line := range strings.Split(l, "\n") {
			var e struct{ Msg, Who, ID string }
			if json.Unmarshal([]byte(line), &e) != nil {
				continue
			}
			switch e.Msg {
			case "write":
				writes++
				if !strings.HasPrefix(e.Who, "token:") || e.ID == "" {
					t.Errorf("write log without who or request id: %s", line)
				}
			case "write refused":
				refused++
			}
		}
		// 5 refused by the guard (401, 403 x3, 413 by length): the rest reach the handlers.
		if refused != 5 || writes != len(tests)-5+2 {
			t.Errorf("logged %d writes and %d refusals, want %d and 5", writes, refused, len(tests)-5+2)
		}
	})
}

func TestWriteAPIReadOnly(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "ro.db")
	if code, _, stderr := cli(t, "dates", "--db", dbPath); code != 0 {
		t.Fatal(stderr)
	}
	before := checksumOf(t, dbPath)
	base, stop := startServer(t, dbPath, "--read-only", "--write-token", testToken)
	for _, r := range []struct{ method, path, body string }{
		{"POST", "/api/control?date=2025-09-01&source=x", goodLine}, {"DELETE", "/api/control/2025-08-15", ""},
		{"POST", "/api/scenarios", goodScenario}, {"DELETE", "/api/scenarios/current", ""},
	} {
		code, _, body := do(t, r.method, base+r.path, testToken, strings.NewReader(r.body))
		if code != http.StatusForbidden || !strings.Contains(body, "read-only replica") {
			t.Errorf("%s %s on a read-only server: %d %s, want 403 naming the replica", r.method, r.path, code, body)
		}
	}
	stop()
	if checksumOf(t, dbPath) != before {
		t.Error("the read-only database changed")
	}
}

func TestWriteTokenFlags(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "t.db")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--write-token", "short"}, "--write-token is 5 characters; use at least 16"},
		{[]string{"--write-token", "has a space in it, long"}, "must not contain white space"},
		{[]string{"--max-body", "0"}, "--max-body must be positive"},
		{[]string{"--read-header-timeout", "0s"}, "--read-header-timeout must be positive"},
	} {
		args := append([]string{"serve", "--db", dbPath, "--addr", "127.0.0.1:0"}, tt.args...)
		if code, _, stderr := cli(t, args...); code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d %q, want 2 containing %q", tt.args, code, stderr, tt.want)
		}
	}
	t.Setenv("FRONTLINE_WRITE_TOKEN", testToken)
	base, _ := startServer(t, dbPath)
	if code, _, body := do(t, "DELETE", base+"/api/scenarios/nope", testToken, nil); code != 404 || !strings.Contains(body, `scenario "nope"`) {
		t.Errorf("token from FRONTLINE_WRITE_TOKEN: %d %s, want the write API's 404 for an unknown scenario", code, body)
	}
}

func TestWriteWhileAnotherImportHoldsTheDatabase(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "busy.db")
	base, _ := startServer(t, dbPath, "--write-token", testToken)
	db, err := sqlite.Open(context.Background(), dbPath, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	im, err := db.BeginImport(context.Background(), "control", "a long import") // holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	before := checksumOf(t, dbPath)
	// The write waits out the busy timeout (10 s), then gives up.
	code, _, body := do(t, "POST", base+"/api/control?date=2025-09-01&source=T", testToken, strings.NewReader(goodLine))
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "another import holds the database") {
		t.Errorf("got %d %s, want 503", code, body)
	}
	im.Rollback()
	if checksumOf(t, dbPath) != before {
		t.Error("the database changed")
	}
	if code, _, body := do(t, "POST", base+"/api/control?date=2025-09-01&source=T", testToken, strings.NewReader(goodLine)); code != 201 {
		t.Errorf("after the other import: %d %s, want 201", code, body)
	}
}
