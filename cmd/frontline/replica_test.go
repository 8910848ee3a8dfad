package main

import (
	"bufio"
	"bytes"
	"fmt"
	"image/color"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"text/template"
	"time"
)

// The replica set of cmd/frontline/replica: nginx (Debian package nginx,
// installed by .ci/run) caching in front of two `frontline serve --read-only`
// processes built from this package, sharing one SQLite file. Everything
// runs as the current user on 127.0.0.1 with its files in a temporary
// directory.

// process is a started child process.
type process struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	log  *bytes.Buffer // stderr
}

// startProcess starts name with args; t's cleanup kills it if still running.
func startProcess(t *testing.T, stdout io.Writer, name string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(name, args...)
	p := &process{cmd: cmd, done: make(chan struct{}), log: new(bytes.Buffer)}
	cmd.Stdout, cmd.Stderr = stdout, &lockedWriter{w: p.log}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// stop sends sig and waits for the process to end.
func (p *process) stop(t *testing.T, sig os.Signal) {
	t.Helper()
	p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not stop on %v", p.cmd.Path, sig)
	}
}

// startReplica runs `bin serve --read-only` on addr (port 0: a free one)
// and returns its HOST:PORT.
func startReplica(t *testing.T, bin, db, addr string) (*process, string) {
	t.Helper()
	r, w := io.Pipe()
	p := startProcess(t, w, bin, "serve", "--read-only", "--db", db, "--addr", addr)
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	select {
	case line := <-lines:
		addr := strings.TrimSuffix(strings.TrimPrefix(line, "frontline: serving http://"), "/")
		if _, _, err := net.SplitHostPort(addr); err != nil {
			t.Fatalf("replica printed %q", line)
		}
		return p, addr
	case <-p.done:
		t.Fatalf("replica exited: %v\n%s", p.err, p.log)
	case <-time.After(30 * time.Second):
		t.Fatal("replica did not start within 30 s")
	}
	return nil, ""
}

// findNginx returns the nginx binary; it lives in /usr/sbin, which is not
// on every user's PATH.
func findNginx(t *testing.T) string {
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	t.Fatal("nginx not found: install the Debian package nginx (.ci/run does)")
	return ""
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startNginx renders replica/nginx.conf.tmpl into dir and runs nginx with
// that prefix in the foreground, returning its origin once it answers.
func startNginx(t *testing.T, dir string, replicas []string) (*process, string) {
	t.Helper()
	nginx := findNginx(t)
	tmpl, err := template.ParseFiles("replica/nginx.conf.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	fields := struct {
		User, Dir, Listen string
		Replicas          []string
	}{Dir: dir, Listen: freeAddr(t), Replicas: replicas}
	if os.Geteuid() == 0 { // workers would otherwise run as nobody, who cannot write dir
		u, err := user.Current()
		if err != nil {
			t.Fatal(err)
		}
		fields.User = u.Username
	}
	var conf bytes.Buffer
	if err := tmpl.Execute(&conf, fields); err != nil {
		t.Fatal(err)
	}
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, conf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "tmp"), 0o755)
	// -e: the error log before the configuration is read (the built-in one
	// is under /var/log); daemon off: a child process the test can stop.
	p := startProcess(t, io.Discard, nginx, "-p", dir, "-c", confPath, "-e", filepath.Join(dir, "error.log"), "-g", "daemon off;")
	t.Cleanup(func() { p.stop(t, syscall.SIGQUIT) })
	origin := "http://" + fields.Listen
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(origin + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p, origin
			}
		}
		select {
		case <-p.done:
			errLog, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx exited: %v\n%s\n%s", p.err, p.log, errLog)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not answer within 15 s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// fetch GETs url and returns the response with its body read.
func fetch(client *http.Client, url string) (*http.Response, []byte, error) {
	resp, err := client.Get(url)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestReplicaSetBehindNginx(t *testing.T) {
	dir := t.TempDir()
	bin := frontlineBinary(t)
	db := filepath.Join(dir, "frontline.db")
	if out, err := exec.Command(bin, "dates", "--db", db).CombinedOutput(); err != nil { // creates it
		t.Fatalf("frontline dates: %v\n%s", err, out)
	}
	r1, addr1 := startReplica(t, bin, db, "127.0.0.1:0")
	r2, addr2 := startReplica(t, bin, db, "127.0.0.1:0")
	nginxDir := filepath.Join(dir, "nginx")
	os.Mkdir(nginxDir, 0o755)
	_, origin := startNginx(t, nginxDir, []string{addr1, addr2})
	client := &http.Client{Timeout: 30 * time.Second}

	// TileJSON through the proxy names the proxy (X-Forwarded-Host/-Proto),
	// and is not cached.
	tj := getTileJSON(t, origin+"/tiles/control.json?format=png")
	rev0 := tj.Tiles[0]
	if !strings.HasPrefix(rev0, origin+"/tiles/control/2025-08-15.r") {
		t.Fatalf("TileJSON tiles %q, want URLs on the proxy %s", rev0, origin)
	}
	resp, _ := get(t, origin+"/tiles/control.json?format=png")
	if s := resp.Header.Get("X-Cache-Status"); s == "HIT" {
		t.Error("TileJSON was served from the proxy cache; it must be fetched fresh")
	}
	// The proxy sets the scheme itself: a client cannot make it claim https.
	if spoofed := getTileJSON(t, origin+"/tiles/control.json?format=png", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example"); spoofed.Tiles[0] != rev0 {
		t.Errorf("with forged X-Forwarded-* headers TileJSON gives %q, want %q", spoofed.Tiles[0], rev0)
	}

	// The proxy caches tiles: MISS, then HIT with the same bytes.
	const lon, lat, z = 30.5, 50.4, 8 // Kyiv: Ukrainian-held on the shipped line
	x, y, px, py := tileOf(lon, lat, z, 256)
	tile0 := tileURL(rev0, z, x, y, "")
	var first []byte
	for i, want := range []string{"MISS", "HIT"} {
		resp, body, err := fetch(client, tile0)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %v %v", tile0, err, resp)
		}
		if got := resp.Header.Get("X-Cache-Status"); got != want {
			t.Errorf("request %d for %s: X-Cache-Status %q, want %q", i+1, tile0, got, want)
		}
		if i == 0 {
			first = body
		} else if !bytes.Equal(body, first) {
			t.Error("the cached tile differs from the rendered one")
		}
	}
	if _, a, _, _ := decodePNG(t, first).At(px, py).RGBA(); a != 0 {
		t.Fatalf("pixel at Kyiv is not transparent (alpha %d) on the shipped line", a)
	}

	// Stopping a replica during a stream of requests loses none: first a
	// planned stop (SIGTERM), then, with it back, a crash (SIGKILL) of the other.
	accessLog := filepath.Join(nginxDir, "access.log")
	stream(t, client, origin, tj.Tiles[0], func() { r1.stop(t, syscall.SIGTERM) })
	if !logHas(accessLog, "upstream="+addr1+", "+addr2) {
		t.Errorf("no request was passed on from the stopped replica %s to %s: the failover was not exercised", addr1, addr2)
	}
	r1, _ = startReplica(t, bin, db, addr1)
	// nginx tries a failed server again after fail_timeout; wait for it.
	os.Truncate(accessLog, 0)
	deadline := time.Now().Add(20 * time.Second)
	for !logHas(accessLog, " 200 ", "upstream="+addr1+" ") {
		if time.Now().After(deadline) {
			t.Fatalf("nginx sends nothing to the restarted replica %s", addr1)
		}
		fetch(client, origin+"/healthz")
		time.Sleep(100 * time.Millisecond)
	}
	os.Truncate(accessLog, 0)
	stream(t, client, origin, tj.Tiles[0], func() { r2.stop(t, syscall.SIGKILL) })
	if !logHas(accessLog, "upstream="+addr2+", "+addr1) {
		t.Errorf("no request was passed on from the killed replica %s to %s: the failover was not exercised", addr2, addr1)
	}
	startReplica(t, bin, db, addr2)

	// A new data revision: a line imported on the shared file is picked up.
	line := filepath.Join(dir, "2025-09-01.geojson")
	os.WriteFile(line, []byte(`{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[30,50],[31,50],[31,50.8],[30,50.8],[30,50]]]}}`), 0o644)
	if out, err := exec.Command(bin, "import", "control", line, "--source", "Test", "--db", db).CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	tj = getTileJSON(t, origin+"/tiles/control.json?format=png")
	rev1 := tj.Tiles[0]
	if !strings.HasPrefix(rev1, origin+"/tiles/control/2025-09-01.r") || rev1 == rev0 {
		t.Fatalf("after the import TileJSON gives %q, want the 2025-09-01 line at a new revision", rev1)
	}
	tile1 := tileURL(rev1, z, x, y, "")
	resp, body, err := fetch(client, tile1)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%s: %v %v", tile1, err, resp)
	}
	if got := resp.Header.Get("X-Cache-Status"); got != "MISS" {
		t.Errorf("new tile: X-Cache-Status %q, want MISS (a new URL)", got)
	}
	// The control fill: #D55E00 at opacity 0.40 (tiles/STYLE.md).
	c := color.NRGBAModel.Convert(decodePNG(t, body).At(px, py)).(color.NRGBA)
	if absDiff(c.R, 0xD5) > 3 || absDiff(c.G, 0x5E) > 3 || absDiff(c.B, 0x00) > 3 || absDiff(c.A, 102) > 3 {
		t.Errorf("new tile at Kyiv: %v, want the Russian-held fill of the new line (213,94,0 at alpha 102)", c)
	}
	// The old URL still answers its own (unchanged) bytes from the cache.
	resp, body, _ = fetch(client, tile0)
	if resp.Header.Get("X-Cache-Status") != "HIT" || !bytes.Equal(body, first) {
		t.Errorf("old tile URL: %s, changed %v; want a HIT with the old bytes", resp.Header.Get("X-Cache-Status"), !bytes.Equal(body, first))
	}
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// logHas reports whether the file holds a line containing every one of parts.
func logHas(path string, parts ...string) bool {
	b, _ := os.ReadFile(path)
	for _, line := range strings.Split(string(b), "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all && line != "" {
			return true
		}
	}
	return false
}

// stream sends uncached requests through the proxy from four clients for
// about two seconds, calls stop after 0.7 s, and fails the test for any
// request that does not get a 200: the health check (no-store) and MVT
// tiles never asked for before, so that each goes to a replica.
func stream(t *testing.T, client *http.Client, origin, pngTemplate string, stop func()) {
	t.Helper()
	mvt := strings.Replace(pngTemplate, "{r}.png", ".mvt", 1)
	var n, seq atomic.Int64
	var mu sync.Mutex
	var failures []string
	quit := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-quit:
					return
				default:
				}
				i := seq.Add(1)
				url := origin + "/healthz"
				if i%2 == 0 {
					tx, ty, _, _ := tileOf(24+float64(i%97)*0.15, 45+float64(i/97%50)*0.15, 12, 256)
					url = tileURL(mvt, 12, tx, ty, "")
				}
				resp, _, err := fetch(client, url)
				n.Add(1)
				time.Sleep(2 * time.Millisecond) // a steady stream, not a load test
				if err != nil || resp.StatusCode != 200 {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("%s: %v %v", url, err, resp))
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	stop()
	time.Sleep(1300 * time.Millisecond)
	close(quit)
	wg.Wait()
	if len(failures) > 0 || n.Load() < 20 {
		t.Errorf("%d of %d requests failed (want none of at least 20): %v", len(failures), n.Load(), failures[:min(len(failures), 5)])
	}
}
