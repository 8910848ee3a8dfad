package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestGzip: text is compressed for clients that accept it and decompresses
// to the plain answer; tiles, ranges and short answers are sent as they are.
func TestGzip(t *testing.T) {
	base, _ := startServer(t, filepath.Join(t.TempDir(), "gz.db"))
	// A transport that leaves Content-Encoding alone, so the test sees the wire.
	raw := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	fetch := func(url string, header ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := raw.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}

	for _, path := range []string{"/app.js", "/app.css", "/vendor/leaflet/leaflet.js", "/api/boundaries", "/tiles.json"} {
		t.Run(path, func(t *testing.T) {
			plainResp, plain := fetch(base + path)
			zResp, z := fetch(base+path, "Accept-Encoding", "gzip")
			if plainResp.StatusCode != 200 || zResp.StatusCode != 200 {
				t.Fatalf("status %d plain, %d gzip", plainResp.StatusCode, zResp.StatusCode)
			}
			if plainResp.Header.Get("Content-Encoding") != "" {
				t.Errorf("without Accept-Encoding: Content-Encoding %q", plainResp.Header.Get("Content-Encoding"))
			}
			if zResp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(zResp.Header.Get("Vary"), "Accept-Encoding") {
				t.Fatalf("Content-Encoding %q, Vary %q; want gzip and Accept-Encoding", zResp.Header.Get("Content-Encoding"), zResp.Header.Get("Vary"))
			}
			zr, err := gzip.NewReader(bytes.NewReader(z))
			if err != nil {
				t.Fatalf("body is not gzip: %v", err)
			}
			got, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("gunzip: %v", err)
			}
			if !bytes.Equal(got, plain) {
				t.Errorf("gunzipped %d bytes differ from the plain %d bytes", len(got), len(plain))
			}
			if len(z)*2 > len(plain) {
				t.Errorf("compressed %d bytes of %d: less than half expected for text", len(z), len(plain))
			}
		})
	}

	// A PNG tile is compressed already and keeps its length.
	tj := getTileJSON(t, base+"/tiles/control.json?format=png")
	resp, b := fetch(tileURL(tj.Tiles[0], 6, 38, 22, ""), "Accept-Encoding", "gzip")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" || resp.ContentLength != int64(len(b)) || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("PNG tile: status %d, Content-Encoding %q, length %d of %d bytes", resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.ContentLength, len(b))
	}
	// A range is a range of the file, never of a compressed body.
	resp, b = fetch(base+"/app.js", "Accept-Encoding", "gzip", "Range", "bytes=0-99")
	if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Encoding") != "" || len(b) != 100 {
		t.Errorf("range: status %d, Content-Encoding %q, %d bytes; want 206, none, 100", resp.StatusCode, resp.Header.Get("Content-Encoding"), len(b))
	}
	// Short answers are not worth it.
	resp, _ = fetch(base+"/healthz", "Accept-Encoding", "gzip")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("/healthz: status %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
}
