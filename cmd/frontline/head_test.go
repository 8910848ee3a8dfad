package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestHead: every read route answers HEAD like GET, without a body.
func TestHead(t *testing.T) {
	base, _ := startServer(t, filepath.Join(t.TempDir(), "head.db"))
	tj := getTileJSON(t, base+"/tiles/control.json?format=png")
	tile := tileURL(tj.Tiles[0], 6, 38, 22, "")
	// GETs without Accept-Encoding, so that their bodies have the length a
	// HEAD announces.
	identity := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	tests := []struct {
		url       string
		status    int
		mediaType string // Content-Type without its parameters
		length    bool   // HEAD sends a Content-Length
	}{
		{base + "/api/scenarios/alaska-2025.csv", 200, "text/csv", true},
		{base + "/api/dates", 200, "application/json", true},
		{base + "/tiles.json", 200, "application/json", false},
		{tile, 200, "image/png", true},
		{base + "/app.js", 200, "text/javascript", true},
		{base + "/", 200, "text/html", true},
		{base + "/api/scenarios/no-such-scenario", 404, "", false}, // API errors to HEAD are bare statuses
		{base + "/no-such-file", 404, "text/plain", true},          // the file server's own 404
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.url, base), func(t *testing.T) {
			resp, err := http.Head(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			ct := resp.Header.Get("Content-Type")
			if mt, _, _ := strings.Cut(ct, ";"); resp.StatusCode != tt.status || strings.TrimSpace(mt) != tt.mediaType {
				t.Errorf("HEAD: %d %q; want %d %q", resp.StatusCode, ct, tt.status, tt.mediaType)
			}
			// The length announced is that of the GET's body.
			cl := resp.Header.Get("Content-Length")
			if cl == "" {
				if tt.length {
					t.Error("HEAD: no Content-Length")
				}
				return
			}
			getResp, err := identity.Get(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(getResp.Body)
			getResp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if cl != strconv.Itoa(len(body)) {
				t.Errorf("HEAD: Content-Length %s; GET sends %d bytes", cl, len(body))
			}
		})
	}
	// A tile's HEAD announces the length its GET sends.
	resp, err := http.Head(tile)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_, b := get(t, tile)
	if n, _ := strconv.Atoi(resp.Header.Get("Content-Length")); n != len(b) || resp.Header.Get("ETag") == "" {
		t.Errorf("HEAD of a tile: Content-Length %q, ETag %q; GET sends %d bytes", resp.Header.Get("Content-Length"), resp.Header.Get("ETag"), len(b))
	}
}
