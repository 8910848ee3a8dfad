package data

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/frontlinemap/frontline/geo"
)

// FuzzDecodePolygons checks that any input either decodes into valid
// polygons with lon/lat coordinates or fails with an *InputError; it must
// never panic. Seeds: the bad and repair corpora under testdata/.
func FuzzDecodePolygons(f *testing.F) {
	for _, dir := range []string{"testdata/bad", "testdata/repair"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil && len(b) < 4096 {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		features, _, err := DecodePolygons("fuzz.geojson", b)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v (%T) is not an *InputError", err, err)
			}
			return
		}
		for _, ft := range features {
			if err := geo.Validate(ft.Geometry); err != nil {
				t.Fatalf("feature %d decoded invalid: %v", ft.Index, err)
			}
			if err := geo.CheckLonLat(ft.Geometry); err != nil {
				t.Fatalf("feature %d out of range: %v", ft.Index, err)
			}
		}
	})
}

func BenchmarkDecodeDeepState(b *testing.B) {
	raw := readDeepState(b, "deepstatemap_data_20250815.geojson")
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, _, err := DecodePolygons("bench", raw); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDecodeDeepStatePinned pins what BenchmarkDecodeDeepState decodes.
func TestDecodeDeepStatePinned(t *testing.T) {
	raw := readDeepState(t, "deepstatemap_data_20250815.geojson")
	features, warnings, err := DecodePolygons("deepstatemap_data_20250815.geojson", raw)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range features[0].Geometry {
		for _, r := range p {
			n += len(r)
		}
	}
	// All rings of the DeepState files are wound clockwise: the one repair is winding.
	if len(features) != 1 || len(features[0].Geometry) != 11 || n != 3029 || len(warnings) != 1 {
		t.Errorf("got %d features, %d polygons, %d points, %d warnings; want 1, 11, 3029, 1",
			len(features), len(features[0].Geometry), n, len(warnings))
	}
}

func readDeepState(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("../../shared/data/deepstate", name))
	if err != nil {
		tb.Skipf("real data not found (it lives outside the repository): %v", err)
	}
	return b
}
