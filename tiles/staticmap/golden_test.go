package staticmap

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
)

var update = flag.Bool("update", false, "rewrite the goldens under testdata/")

// The SVG of a synthetic scene is stable to the byte: a change to the
// writer, the layout or the style shows here as a diff to review (run with
// -update to accept it).
func TestSVGGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		dark bool
	}{{"synthetic_light.svg", false}, {"synthetic_dark.svg", true}} {
		b, err := SVG(testImage(c.dark), ViewSpec{Center: orb.Point{35, 47.5}, Zoom: 6}, Size{Width: 400, Height: 260, Scale: 1})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", c.name)
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(b, want) {
			t.Errorf("%s differs from the golden (%d bytes, want %d); review and run with -update", c.name, len(b), len(want))
		}
	}
}
