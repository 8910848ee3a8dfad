// Package archivetest reads archives in tests through an independent
// implementation: PMTiles through go-pmtiles, whose verifier and server code
// check what tiles/archive writes. Only tests import it, so go-pmtiles (and
// the cloud SDKs its package pulls in) stays out of the frontline binary.
package archivetest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protomaps/go-pmtiles/pmtiles"

	"github.com/frontlinemap/frontline/tiles"
)

// PMTiles is one verified PMTiles archive opened through go-pmtiles.
type PMTiles struct {
	Path   string
	Header pmtiles.HeaderV3
	Ext    string // "mvt" or "png", as the header's tile type says
	srv    *pmtiles.Server
}

// OpenPMTiles verifies the archive at path and opens it. go-pmtiles'
// Verify returns errors for header counts but only logs entries out of
// order or outside the tile data: both fail t.
func OpenPMTiles(t testing.TB, path string) PMTiles {
	t.Helper()
	var logs bytes.Buffer
	if err := pmtiles.Verify(log.New(&logs, "", 0), path); err != nil {
		t.Fatalf("pmtiles verify %s: %v\n%s", path, err, logs.String())
	}
	if strings.Contains(strings.ToLower(logs.String()), "invalid") {
		t.Fatalf("pmtiles verify %s logged problems:\n%s", path, logs.String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := pmtiles.DeserializeHeader(b[:pmtiles.HeaderV3LenBytes])
	if err != nil {
		t.Fatal(err)
	}
	srv, err := pmtiles.NewServerWithBucket(pmtiles.NewFileBucket(filepath.Dir(path)), "", log.New(io.Discard, "", 0), 16, "")
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	ext := "png"
	if h.TileType == pmtiles.Mvt {
		ext = "mvt"
	}
	return PMTiles{Path: path, Header: h, Ext: ext, srv: srv}
}

func (a PMTiles) name() string { return strings.TrimSuffix(filepath.Base(a.Path), ".pmtiles") }

// Tile returns a tile's bytes, gunzipped when the archive says gzip, and
// whether the archive holds it.
func (a PMTiles) Tile(t testing.TB, tl tiles.Tile) ([]byte, bool) {
	t.Helper()
	status, headers, body := a.srv.Get(context.Background(), fmt.Sprintf("/%s/%d/%d/%d.%s", a.name(), tl.Z, tl.X, tl.Y, a.Ext))
	switch status {
	case 200:
	case 204:
		return nil, false
	default:
		t.Fatalf("go-pmtiles: %s tile %s: status %d: %s", a.Path, tl, status, body)
	}
	if headers["Content-Encoding"] == "gzip" {
		body = Gunzip(t, body)
	}
	return body, true
}

// Metadata returns the archive's JSON metadata.
func (a PMTiles) Metadata(t testing.TB) map[string]any {
	t.Helper()
	status, _, body := a.srv.Get(context.Background(), "/"+a.name()+"/metadata")
	if status != 200 {
		t.Fatalf("go-pmtiles: %s metadata: status %d: %s", a.Path, status, body)
	}
	var md map[string]any
	if err := json.Unmarshal(body, &md); err != nil {
		t.Fatal(err)
	}
	return md
}

// Gunzip returns the gunzipped b, failing t if b is not gzip.
func Gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Entries lists the names in dir: what an archive writer left behind.
func Entries(t testing.TB, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		out = append(out, de.Name())
	}
	return out
}
