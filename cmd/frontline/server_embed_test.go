package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeEmbed checks that /embed answers the viewer page itself (app.js then
// drops the chrome), with or without the viewer's query.
func TestServeEmbed(t *testing.T) {
	base, _ := startServer(t, filepath.Join(t.TempDir(), "e.db"))
	_, index := get(t, base+"/")
	for _, path := range []string{"/embed", "/embed?scenario=alaska-2025&date=2025-08-15&compare=swipe"} {
		res, body := get(t, base+path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d, want 200", path, res.StatusCode)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s: Content-Type %q, want text/html", path, ct)
		}
		if string(body) != string(index) {
			t.Errorf("GET %s: body differs from GET / (%d vs %d bytes)", path, len(body), len(index))
		}
	}
	if res, _ := get(t, base+"/embed/nothing"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /embed/nothing: status %d, want 404", res.StatusCode)
	}
}
