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
	tests := []struct {
		url         string
		status      int
		contentType string
	}{
		{base + "/api/scenarios/alaska-2025.csv", 200, "text/csv"},
		{base + "/api/dates", 200, "application/json"},
		{base + "/tiles.json", 200, "application/json"},
		{tile, 200, "image/png"},
		{base + "/app.js", 200, "text/javascript"},
		{base + "/", 200, "text/html"},
		{base + "/api/scenarios/no-such-scenario", 404, ""}, // errors to HEAD are bare statuses
		{base + "/no-such-file", 404, ""},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.url, base), func(t *testing.T) {
			resp, err := http.Head(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.contentType) || len(body) != 0 {
				t.Errorf("HEAD: %d %q with %d body bytes; want %d %q and no body", resp.StatusCode, resp.Header.Get("Content-Type"), len(body), tt.status, tt.contentType)
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
