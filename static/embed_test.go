package static

import (
	"io/fs"
	"regexp"
	"testing"
)

// TestIndexReferencesEmbedded checks that every local file index.html and app.js load
// (scripts, style sheets, the module app.js imports, the libraries it loads on demand)
// is in Files, so a binary built without running static/build.sh first is caught here.
func TestIndexReferencesEmbedded(t *testing.T) {
	index, err := fs.ReadFile(Files, "index.html")
	if err != nil {
		t.Fatalf("read index.html: %v", err)
	}
	refs := regexp.MustCompile(`<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"`).FindAllSubmatch(index, -1)
	app, err := fs.ReadFile(Files, "app.js")
	if err != nil {
		t.Fatalf("read app.js: %v", err)
	}
	refs = append(refs, regexp.MustCompile(`(?:from '\./|\$\{ROOT\}/|URL\(')((?:vendor/)?[\w./-]+\.js)'?`).FindAllSubmatch(app, -1)...)
	if len(refs) < 9 {
		t.Fatalf("got %d references in index.html and app.js, want at least 9", len(refs))
	}
	for _, m := range refs {
		name := string(m[1])
		if _, err := fs.Stat(Files, name); err != nil {
			t.Errorf("the viewer loads %q, not embedded (run sh static/build.sh before go build): %v", name, err)
		}
	}
	for _, name := range []string{"vendor/leaflet/images/layers.png", "vendor/leaflet/LICENSE",
		"vendor/leaflet-side-by-side/range-icon.png", "vendor/leaflet-side-by-side/LICENSE", "vendor/leaflet.sync/LICENSE"} {
		if _, err := fs.Stat(Files, name); err != nil {
			t.Errorf("%s not embedded (run sh static/build.sh): %v", name, err)
		}
	}
}
