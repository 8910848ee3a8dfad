package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/frontlinemap/frontline/data/sqlite"
)

// writeLines writes n daily lines of control from 2030-01-01 on, each a ring
// of vertices points (valid, so the import spends its time storing them).
func writeLines(t *testing.T, dir string, n, vertices int) {
	t.Helper()
	day := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		var b strings.Builder
		b.WriteString(`{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[`)
		r := 0.3 + 0.001*float64(i)
		for k := 0; k <= vertices; k++ {
			a := 2 * math.Pi * float64(k%vertices) / float64(vertices)
			if k > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "[%.6f,%.6f]", 37.5+r*math.Cos(a), 48+r*math.Sin(a))
		}
		b.WriteString("]]}}\n")
		name := filepath.Join(dir, day.AddDate(0, 0, i).Format("2006-01-02")+".geojson")
		if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// datesOf returns the dates GET /api/dates lists.
func datesOf(t *testing.T, base string) []string {
	t.Helper()
	resp, body := get(t, base+"/api/dates")
	if resp.StatusCode != 200 {
		t.Fatalf("/api/dates: %d", resp.StatusCode)
	}
	var d struct{ Dates []dateJSON }
	json.Unmarshal(body, &d)
	var out []string
	for _, x := range d.Dates {
		out = append(out, string(x.Date))
	}
	return out
}

func TestKill9MidImportLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("-short (make test-race): the killed import is a separate process, built without the race detector")
	}
	bin := frontlineBinary(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "k.db")
	if out, err := exec.Command(bin, "dates", "--db", dbPath).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	before := checksumOf(t, dbPath)
	lines := filepath.Join(dir, "lines")
	os.Mkdir(lines, 0o755)
	writeLines(t, lines, 300, 4000)

	cmd := exec.Command(bin, "import", "control", lines, "--source", "test", "--db", dbPath)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Kill once the transaction has spilled pages into the WAL: mid-write.
	wal := dbPath + "-wal"
	deadline := time.After(120 * time.Second)
wait:
	for {
		select {
		case err := <-exited:
			t.Fatalf("the import ended (%v) before it could be killed; make it larger. stderr: %s", err, stderr.String())
		case <-deadline:
			cmd.Process.Kill()
			t.Fatal("the import wrote no WAL within 120 s")
		case <-time.After(20 * time.Millisecond):
			if fi, err := os.Stat(wal); err == nil && fi.Size() > 4<<20 {
				break wait
			}
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-exited
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("import ended with %v, want killed by SIGKILL", err)
	}
	if fi, err := os.Stat(wal); err != nil || fi.Size() == 0 {
		t.Fatalf("no WAL left behind (%v): the kill did not hit mid-import", err)
	}

	db, err := sqlite.Open(context.Background(), dbPath, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.IntegrityCheck(context.Background()); err != nil {
		t.Errorf("after kill -9: %v", err)
	}
	db.Close()
	if got := checksumOf(t, dbPath); got != before {
		t.Errorf("after kill -9 the data differs from before the import")
	}
	base, stop := startServer(t, dbPath)
	if d := datesOf(t, base); len(d) != 1 || d[0] != "2025-08-15" {
		t.Errorf("served dates after kill -9: %v, want only 2025-08-15", d)
	}
	stop()
	// The database is not wedged: an import now succeeds.
	one := filepath.Join(lines, "2030-01-01.geojson")
	if out, err := exec.Command(bin, "import", "control", one, "--source", "test", "--db", dbPath).CombinedOutput(); err != nil || !strings.Contains(string(out), "imported 1 line") {
		t.Errorf("import after the crash: %v: %s", err, out)
	}
}

func TestReadersNeverSeeHalfAnImport(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "r.db")
	base, _ := startServer(t, dbPath)
	lines := filepath.Join(dir, "lines")
	os.Mkdir(lines, 0o755)
	const n = 120
	writeLines(t, lines, n, 2000)
	before := checksumOf(t, dbPath)
	db, err := sqlite.Open(context.Background(), dbPath, sqlite.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// Two readers poll until the import is over, and once more after:
	// the server's date list, and a checksum of the whole file.
	stop := make(chan struct{})
	var (
		mu         sync.Mutex
		seenDates  = map[int]int{}
		seenSums   = map[string]int{}
		wg         sync.WaitGroup
		lastPolled = func(c chan struct{}) bool {
			select {
			case <-c:
				return true
			default:
				return false
			}
		}
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		for {
			last := lastPolled(stop)
			k := len(datesOf(t, base))
			mu.Lock()
			seenDates[k]++
			mu.Unlock()
			if last {
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for {
			last := lastPolled(stop)
			sum, err := db.Checksum(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			seenSums[sum]++
			mu.Unlock()
			if last {
				return
			}
		}
	}()
	time.Sleep(100 * time.Millisecond)
	code, _, stderr := cli(t, "import", "control", lines, "--source", "test", "--db", dbPath)
	close(stop)
	wg.Wait()
	if code != 0 {
		t.Fatalf("import exit %d: %s", code, stderr)
	}
	after := checksumOf(t, dbPath)
	for k, c := range seenDates {
		if k != 1 && k != 1+n {
			t.Errorf("a reader saw %d dates %d times: half an import (want 1 or %d)", k, c, 1+n)
		}
	}
	for s, c := range seenSums {
		if s != before && s != after {
			t.Errorf("a reader saw a checksum that is neither before nor after the import (%d times)", c)
		}
	}
	if seenDates[1] == 0 || seenDates[1+n] == 0 || seenSums[before] == 0 || seenSums[after] == 0 {
		t.Errorf("the readers did not see both states: dates %v, checksums before/after %d/%d", seenDates, seenSums[before], seenSums[after])
	}
	t.Logf("polls: dates %v, checksums before/after %d/%d", seenDates, seenSums[before], seenSums[after])
}

func TestSIGTERMDrainsInFlightRequests(t *testing.T) {
	bin := frontlineBinary(t)
	dbPath := filepath.Join(t.TempDir(), "d.db")
	cmd := exec.Command(bin, "serve", "--db", dbPath, "--addr", "127.0.0.1:0", "--write-token", testToken)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	base := strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(line, "frontline: serving ")), "/")

	// A write whose body arrives slowly is in flight when SIGTERM comes.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", base+"/api/control?date=2025-09-01&source=slow", pr)
	req.Header.Set("Authorization", "Bearer "+testToken)
	type result struct {
		code int
		body string
		err  error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			res <- result{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		res <- result{code: resp.StatusCode, body: string(b)}
	}()
	half := len(goodLine) / 2
	pw.Write([]byte(goodLine[:half]))
	time.Sleep(300 * time.Millisecond) // the request is now being read by its handler
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	// New connections are refused while the old request drains.
	if _, err := (&http.Client{Timeout: 2 * time.Second}).Get(base + "/healthz"); err == nil {
		t.Error("a new request was accepted after SIGTERM")
	}
	pw.Write([]byte(goodLine[half:]))
	pw.Close()
	r := <-res
	if r.err != nil || r.code != 201 {
		t.Fatalf("in-flight write: %d %s %v, want 201", r.code, r.body, r.err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v, want exit 0", err)
	}
	db, err := sqlite.Open(context.Background(), dbPath, sqlite.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if s, err := db.Snapshot(context.Background(), "2025-09-01"); err != nil || s.Source != "slow" {
		t.Errorf("the drained write is not stored: %v", err)
	}
}

// TestSlowClientsAreCutOff checks the header, body and idle timeouts with
// clients that send a byte now and then (slowloris).
func TestSlowClientsAreCutOff(t *testing.T) {
	base, _ := startServer(t, filepath.Join(t.TempDir(), "slow.db"), "--write-token", testToken,
		"--read-header-timeout", "1s", "--read-timeout", "2s", "--idle-timeout", "1s")
	addr := strings.TrimPrefix(base, "http://")

	// trickle sends head, then one of drip every 100 ms, and reports how many
	// drips went out before the server closed the connection. The client's
	// own safety deadline (15 s) is far beyond the server's timeouts (1-2 s):
	// reaching it means the server never cut the client off, which fails t.
	const tick, safety = 100 * time.Millisecond, 15 * time.Second
	const maxDrips = int(5 * time.Second / tick) // well above 2 s, well below 15 s
	trickle := func(t *testing.T, head, drip string) (drips int, answer string) {
		t.Helper()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetReadDeadline(time.Now().Add(safety))
		type result struct {
			b   []byte
			err error
		}
		closed := make(chan result, 1)
		go func() {
			b, err := io.ReadAll(conn)
			closed <- result{b, err}
		}()
		io.WriteString(conn, head)
		ticker := time.NewTicker(tick)
		defer ticker.Stop()
		for {
			select {
			case r := <-closed:
				if errors.Is(r.err, os.ErrDeadlineExceeded) {
					t.Errorf("the server never closed the connection: the client gave up after %v (%d drips)", safety, drips)
				} else if drips >= maxDrips {
					t.Errorf("the server closed the connection after %d drips (%v), want fewer than %d with 1-2 s timeouts", drips, time.Duration(drips)*tick, maxDrips)
				}
				return drips, string(r.b)
			case <-ticker.C:
				io.WriteString(conn, drip)
				drips++
			}
		}
	}

	t.Run("headers", func(t *testing.T) {
		trickle(t, "GET /healthz HTTP/1.1\r\nHost: x\r\n", "X-Pad: y\r\n")
	})
	t.Run("body", func(t *testing.T) {
		head := "POST /api/control?date=2025-09-01&source=s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + testToken +
			"\r\nContent-Length: 100000\r\n\r\n"
		trickle(t, head, " ")
	})
	t.Run("idle", func(t *testing.T) {
		// One complete request, then silence: the idle timeout closes the connection.
		drips, answer := trickle(t, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "")
		if !strings.HasPrefix(answer, "HTTP/1.1 200 OK") {
			t.Errorf("idle keep-alive connection: answer %.40q, open for %d ticks", answer, drips)
		}
	})
	if resp, _ := get(t, base+"/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz after slow clients: %d", resp.StatusCode)
	}
}
