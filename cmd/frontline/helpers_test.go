package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/frontlinemap/frontline/data/derive"
	"github.com/frontlinemap/frontline/data/sqlite"
	"github.com/frontlinemap/frontline/geo/scenario"
)

// TestMain runs the tests, then removes what they left behind outside
// their own temporary directories (the binary frontlineBinary built).
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// frontlineBinary builds the command once per test run, for tests that need
// a real process to kill or signal; TestMain removes it at the end.
func frontlineBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		goBin, err := exec.LookPath("go")
		if err != nil {
			goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		dir, err := os.MkdirTemp("", "frontline-bin-")
		if err != nil {
			binErr = err
			return
		}
		binDir = dir
		binPath = filepath.Join(dir, "frontline")
		out, err := exec.Command(goBin, "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// newTestServer is a server in this process on a new database in a
// temporary directory, with a tile cache of cacheBytes and its logs written
// to logs; tb's cleanup closes the database.
func newTestServer(tb testing.TB, cacheBytes int64, logs io.Writer) *server {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "frontline.db"), sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	derived := derive.New(db, scenario.Options{})
	ts, err := newTileServer(db, derived, cacheBytes, "")
	if err != nil {
		tb.Fatal(err)
	}
	return newServer(db, derived, ts, "", logs)
}

// serveOne answers a GET of path with h.
func serveOne(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}
