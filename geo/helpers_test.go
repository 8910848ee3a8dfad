package geo

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// update rewrites the golden files under testdata/ from the current output.
var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// readMultiPolygon decodes a GeoJSON geometry file (Polygon or MultiPolygon)
// without any validation, so that broken fixtures stay broken.
func readMultiPolygon(t testing.TB, path string) orb.MultiPolygon {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	g, err := geojson.UnmarshalGeometry(b)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	switch v := g.Geometry().(type) {
	case orb.MultiPolygon:
		return v
	case orb.Polygon:
		return orb.MultiPolygon{v}
	default:
		t.Fatalf("%s: got %T, want a Polygon or MultiPolygon", path, v)
		return nil
	}
}

// writeMultiPolygon writes mp as a GeoJSON geometry file.
func writeMultiPolygon(t testing.TB, path string, mp orb.MultiPolygon) {
	t.Helper()
	b, err := geojson.NewGeometry(mp).MarshalJSON()
	if err != nil {
		t.Fatalf("encode %s: %v", path, err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
}

// diffMultiPolygon describes the first difference between got and want with
// coordinates compared within tol, or returns "" when they match.
func diffMultiPolygon(got, want orb.MultiPolygon, tol float64) string {
	if len(got) != len(want) {
		return fmt.Sprintf("got %d polygons, want %d", len(got), len(want))
	}
	for i := range got {
		if len(got[i]) != len(want[i]) {
			return fmt.Sprintf("polygon %d: got %d rings, want %d", i, len(got[i]), len(want[i]))
		}
		for j := range got[i] {
			g, w := got[i][j], want[i][j]
			if len(g) != len(w) {
				return fmt.Sprintf("polygon %d ring %d: got %d points, want %d", i, j, len(g), len(w))
			}
			for k := range g {
				if math.Abs(g[k][0]-w[k][0]) > tol || math.Abs(g[k][1]-w[k][1]) > tol {
					return fmt.Sprintf("polygon %d ring %d point %d: got %v, want %v", i, j, k, g[k], w[k])
				}
			}
		}
	}
	return ""
}

// checkGolden compares got with testdata/<dir>/<name>.golden.geojson within
// tol, rewriting the golden with -update; on a mismatch it writes
// testdata/failure_<name>.geojson to look at.
func checkGolden(t *testing.T, dir, name string, got orb.MultiPolygon, tol float64) {
	t.Helper()
	path := filepath.Join("testdata", dir, name+".golden.geojson")
	if *update {
		writeMultiPolygon(t, path, got)
		return
	}
	want := readMultiPolygon(t, path)
	if d := diffMultiPolygon(got, want, tol); d != "" {
		fail := filepath.Join("testdata", "failure_"+name+".geojson")
		writeMultiPolygon(t, fail, got)
		t.Errorf("golden %s: %s (output written to %s)", path, d, fail)
	}
}

// deepStateDir is where the DeepState daily files live: $FRONTLINE_DEEPSTATE
// or ../../shared/data/deepstate from this package. Tests that need it skip
// when it is absent.
func deepStateDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("FRONTLINE_DEEPSTATE")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data", "deepstate")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.geojson"))
	if len(files) == 0 {
		t.Skipf("no DeepState data in %s (set FRONTLINE_DEEPSTATE to the directory of deepstatemap_data_*.geojson)", dir)
	}
	return dir
}

// readDeepState decodes one DeepState daily file, failing the test on error.
func readDeepState(t testing.TB, path string) orb.MultiPolygon {
	t.Helper()
	mp, err := decodeDeepState(path)
	if err != nil {
		t.Fatal(err)
	}
	return mp
}

// decodeDeepState decodes one DeepState daily file: a FeatureCollection
// whose first feature is the occupied area as a MultiPolygon.
func decodeDeepState(path string) (orb.MultiPolygon, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	if len(fc.Features) == 0 {
		return nil, fmt.Errorf("%s: no features", path)
	}
	switch g := fc.Features[0].Geometry.(type) {
	case orb.MultiPolygon:
		return g, nil
	case orb.Polygon:
		return orb.MultiPolygon{g}, nil
	default:
		return nil, fmt.Errorf("%s: got %T, want a MultiPolygon", path, g)
	}
}

// vertexCount counts the points of all rings of mp.
func vertexCount(mp orb.MultiPolygon) int {
	n := 0
	for _, p := range mp {
		for _, r := range p {
			n += len(r)
		}
	}
	return n
}

// nanF returns NaN for fixtures built in code.
func nanF() float64 { return math.NaN() }
