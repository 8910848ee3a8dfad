package static

import (
	"io/fs"
	"regexp"
	"testing"
)

// TestIndexReferencesEmbedded checks that every local file index.html loads is in Files,
// so a binary built without running static/build.sh first is caught here.
func TestIndexReferencesEmbedded(t *testing.T) {
	index, err := fs.ReadFile(Files, "index.html")
	if err != nil {
		t.Fatalf("read index.html: %v", err)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllSubmatch(index, -1)
	if len(refs) < 4 {
		t.Fatalf("got %d references in index.html, want at least 4", len(refs))
	}
	for _, m := range refs {
		name := string(m[1])
		if _, err := fs.Stat(Files, name); err != nil {
			t.Errorf("index.html loads %q, not embedded (run sh static/build.sh before go build): %v", name, err)
		}
	}
	for _, name := range []string{"vendor/leaflet/images/layers.png", "vendor/leaflet/LICENSE"} {
		if _, err := fs.Stat(Files, name); err != nil {
			t.Errorf("%s not embedded (run sh static/build.sh): %v", name, err)
		}
	}
}
