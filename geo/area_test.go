package geo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// The expected areas below came from pyproj, i.e. GeographicLib's
// PolygonArea: `python3 geo/testdata/area/oracle.py` (Debian python3-pyproj
// 3.4.1 with PROJ 9.1.1, python3-mpmath 1.2.1), which prints them as these
// table rows. Each ring's area is unsigned and holes are subtracted, as in
// AreaKm2.

// areaTol is the relative error allowed against pyproj on polygons of a
// square kilometre or more: far tighter than the 0.01 % asked for, as the
// measured errors are 7e-11 on the oblasts and 3e-10 at worst on random
// polygons (run with -v to see them).
const areaTol = 1e-9

// areaDeepStateFile is the DeepState day pinned by TestAreaKm2DeepState and
// timed by BenchmarkAreaKm2.
const areaDeepStateFile = "deepstatemap_data_20250815.geojson"

// readAreaDeepState decodes areaDeepStateFile from the DeepState directory
// (see deepStateDir), skipping the test when the file is absent.
func readAreaDeepState(t testing.TB) orb.MultiPolygon {
	t.Helper()
	path := filepath.Join(deepStateDir(t), areaDeepStateFile)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s absent (set FRONTLINE_DEEPSTATE to the directory of the DeepState files): %v", areaDeepStateFile, err)
	}
	return readDeepState(t, path)
}

// relErr returns |got - want| / |want|.
func relErr(got, want float64) float64 {
	return math.Abs(got-want) / math.Abs(want)
}

// readNamedFeatures decodes a FeatureCollection of Polygons and MultiPolygons
// keyed by the property key.
func readNamedFeatures(t testing.TB, path, key string) map[string]orb.MultiPolygon {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	out := make(map[string]orb.MultiPolygon, len(fc.Features))
	for i, f := range fc.Features {
		name, _ := f.Properties[key].(string)
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			out[name] = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			out[name] = g
		default:
			t.Fatalf("%s feature %d (%q): got %T, want a Polygon or MultiPolygon", path, i, name, g)
		}
	}
	return out
}

func TestAreaKm2(t *testing.T) {
	cases := readNamedFeatures(t, filepath.Join("testdata", "area", "cases.geojson"), "name")
	tests := []struct {
		name string
		want float64 // km2, from pyproj
		tol  float64 // relative
	}{
		{"1x1 degree cell at the equator", 12308.778361469453, areaTol},
		{"1x1 degree cell at 48N", 8217.589924770447, areaTol},
		{"clockwise 1x1 degree cell at 48N", 8217.589924770447, areaTol},
		{"2x2 degree cell at 47N", 33186.521278431275, areaTol},
		// On ~100 m2 pyproj's own round-off (~1e-5 m2 per edge at worst) can
		// reach 1e-7; here it is 4e-10. TestAreaKm2TinySquare checks this
		// case against an exact value.
		{"10 m square at 48N", 0.0001000691763907671, 1e-8},
		{"triangle with a 10 degree edge", 126655.63915370996, areaTol},
		{"polygon with a clockwise hole", 24889.15089437207, areaTol},
		{"polygon with a counter-clockwise hole", 24889.15089437207, areaTol},
		{"multipolygon in both hemispheres", 38133.90044964972, areaTol},
		{"across the prime meridian", 7725.5355758151245, areaTol},
		{"across the antimeridian", 6122.943163071411, areaTol},
		{"around the north pole", 2507270.031169875, areaTol},
		// Beyond 80° every edge takes Karney's algorithm, as in pyproj.
		{"kilometre-scale sliver near 89N", 0.043280149536132816, areaTol},
	}
	if len(tests) != len(cases) {
		t.Errorf("got %d cases in cases.geojson, want %d (one per table row)", len(cases), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mp, ok := cases[tt.name]
			if !ok {
				t.Fatalf("no feature named %q in cases.geojson", tt.name)
			}
			got := AreaKm2(mp)
			if e := relErr(got, tt.want); !(e <= tt.tol) {
				t.Errorf("got %.12g km2, want %.12g (pyproj): relative error %.2g > %.0g", got, tt.want, e, tt.tol)
			} else {
				t.Logf("got %.12g km2, relative error %.2g against pyproj", got, e)
			}
		})
	}
}

func TestAreaKm2Empty(t *testing.T) {
	tests := []struct {
		name string
		mp   orb.MultiPolygon
	}{
		{"nil multipolygon", nil},
		{"empty multipolygon", orb.MultiPolygon{}},
		{"polygon without rings", orb.MultiPolygon{{}}},
		{"empty outer ring", orb.MultiPolygon{{{}}}},
		{"two-point ring", orb.MultiPolygon{{{{30, 48}, {31, 48}}}}},
		{"closed two-point ring", orb.MultiPolygon{{{{30, 48}, {31, 48}, {30, 48}}}}},
		{"ring of one repeated point", orb.MultiPolygon{{{{30, 48}, {30, 48}, {30, 48}, {30, 48}}}}},
		{"ring along a meridian", orb.MultiPolygon{{{{30, 48}, {30, 49}, {30, 50}, {30, 48}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AreaKm2(tt.mp); got != 0 {
				t.Errorf("got %g km2, want 0", got)
			}
		})
	}
}

func TestAreaKm2InvalidLatitude(t *testing.T) {
	mp := orb.MultiPolygon{{{{30, 88}, {31, 88}, {31, 95}, {30, 95}, {30, 88}}}}
	if got := AreaKm2(mp); !math.IsNaN(got) {
		t.Errorf("got %g km2, want NaN for latitude 95", got)
	}
}

func TestPolygonAndRingAreaKm2(t *testing.T) {
	outer := orb.Ring{{30, 47}, {32, 47}, {32, 49}, {30, 49}, {30, 47}}
	hole := orb.Ring{{30.5, 47.5}, {30.5, 48.5}, {31.5, 48.5}, {31.5, 47.5}, {30.5, 47.5}}
	reversed := func(r orb.Ring) orb.Ring {
		out := r.Clone()
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
		return out
	}
	tests := []struct {
		name      string
		got, want float64
	}{
		{"ring of the 2x2 degree cell at 47N (pyproj)", RingAreaKm2(outer), 33186.521278431275},
		{"clockwise ring is positive", RingAreaKm2(reversed(outer)), RingAreaKm2(outer)},
		{"open ring is closed implicitly", RingAreaKm2(outer[:len(outer)-1]), RingAreaKm2(outer)},
		{"polygon is outer minus hole", PolygonAreaKm2(orb.Polygon{outer, hole}), RingAreaKm2(outer) - RingAreaKm2(hole)},
		{"hole winding does not matter", PolygonAreaKm2(orb.Polygon{outer, reversed(hole)}), PolygonAreaKm2(orb.Polygon{outer, hole})},
		{"polygon without rings", PolygonAreaKm2(nil), 0},
		{"AreaKm2 sums polygons", AreaKm2(orb.MultiPolygon{{outer, hole}, {hole}}), RingAreaKm2(outer)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if e := math.Abs(tt.got - tt.want); !(e <= 1e-12*math.Abs(tt.want)) {
				t.Errorf("got %.15g km2, want %.15g", tt.got, tt.want)
			}
		})
	}
}

func TestAreaKm2DoesNotMutate(t *testing.T) {
	mp := orb.MultiPolygon{
		{{{30, 47}, {32, 47}, {32, 49}, {30, 49}, {30, 47}}, {{30.5, 47.5}, {31.5, 47.5}, {31.5, 48.5}, {30.5, 48.5}}},
		{{{190, 60}, {180.5, 61}, {179.5, 60}}},
	}
	before := mp.Clone()
	AreaKm2(mp)
	if d := diffMultiPolygon(mp, before, 0); d != "" {
		t.Errorf("AreaKm2 changed its input: %s", d)
	}
}

// TestAreaKm2TinySquare checks the 10 m square against an exact value: the
// area computed with 40 digits by oracle.py (mpmath) on the authalic sphere,
// where for 10 m edges geodesics and great circles differ by < 1e-10 m2.
func TestAreaKm2TinySquare(t *testing.T) {
	const want = 0.0001000691764310904 // km2, mpmath
	sq := orb.Ring{{37.5, 48}, {37.500134, 48}, {37.500134, 48.00009}, {37.5, 48.00009}, {37.5, 48}}
	got := RingAreaKm2(sq)
	if e := relErr(got, want); !(e <= 1e-9) {
		t.Errorf("got %.15g km2, want %.15g: relative error %.2g > 1e-9", got, want, e)
	} else {
		t.Logf("got %.15g km2, relative error %.2g against mpmath", got, e)
	}
}

// ukraineUnits is the area of each unit of data/boundaries/ukraine.geojson
// in km2, from pyproj (oracle.py).
var ukraineUnits = []struct {
	iso, name string
	want      float64
}{
	{"UA-05", "Vinnytsia", 26666.563437566205},
	{"UA-07", "Volyn", 19848.294298460376},
	{"UA-09", "Luhansk", 26310.220093601863},
	{"UA-12", "Dnipropetrovsk", 31816.243061690122},
	{"UA-14", "Donetsk", 26598.980589521318},
	{"UA-18", "Zhytomyr", 29758.60717533796},
	{"UA-21", "Zakarpattia", 12972.703554070169},
	{"UA-23", "Zaporizhzhia", 27080.60261297727},
	{"UA-26", "Ivano-Frankivsk", 13905.388471097833},
	{"UA-30", "Kyiv", 1641.9642624237601},
	{"UA-32", "Kyiv Oblast", 27022.758143218303},
	{"UA-35", "Kirovohrad", 24485.39906640135},
	{"UA-40", "Sevastopol", 749.6388305806532},
	{"UA-43", "Crimea", 26346.35931499602},
	{"UA-46", "Lviv", 21876.662778815546},
	{"UA-48", "Mykolaiv", 23547.38050929226},
	{"UA-51", "Odesa", 33171.552060613554},
	{"UA-53", "Poltava", 28378.833437431284},
	{"UA-56", "Rivne", 20293.354856511884},
	{"UA-59", "Sumy", 23421.54989580618},
	{"UA-61", "Ternopil", 13983.79460489972},
	{"UA-63", "Kharkiv", 31389.341344280994},
	{"UA-65", "Kherson", 26176.804935944332},
	{"UA-68", "Khmelnytskyi", 20458.036295996557},
	{"UA-71", "Cherkasy", 21268.26569273639},
	{"UA-74", "Chernihiv", 31772.03843973603},
	{"UA-77", "Chernivtsi", 8153.249375812682},
}

// ukraineTotalKm2 is the sum of ukraineUnits (pyproj).
const ukraineTotalKm2 = 599094.5871398204

func readUkraine(t testing.TB) map[string]orb.MultiPolygon {
	t.Helper()
	return readNamedFeatures(t, filepath.Join("..", "data", "boundaries", "ukraine.geojson"), "iso")
}

func TestAreaKm2Ukraine(t *testing.T) {
	units := readUkraine(t)
	if len(units) != len(ukraineUnits) {
		t.Errorf("got %d units in ukraine.geojson, want %d", len(units), len(ukraineUnits))
	}
	var all orb.MultiPolygon
	maxErr := 0.0
	for _, u := range ukraineUnits {
		t.Run(u.iso+" "+u.name, func(t *testing.T) {
			mp, ok := units[u.iso]
			if !ok {
				t.Fatalf("no unit %s in ukraine.geojson", u.iso)
			}
			all = append(all, mp...)
			got := AreaKm2(mp)
			e := relErr(got, u.want)
			maxErr = math.Max(maxErr, e)
			if !(e <= areaTol) {
				t.Errorf("got %.10g km2, want %.10g (pyproj): relative error %.2g > %.0g", got, u.want, e, areaTol)
			} else {
				t.Logf("got %.3f km2, relative error %.2g against pyproj", got, e)
			}
		})
	}
	t.Run("all units together", func(t *testing.T) {
		got := AreaKm2(all)
		if e := relErr(got, ukraineTotalKm2); !(e <= areaTol) {
			t.Errorf("got %.10g km2, want %.10g (pyproj): relative error %.2g > %.0g", got, ukraineTotalKm2, e, areaTol)
		}
	})
	t.Logf("largest relative error against pyproj over the 27 units: %.2g", maxErr)
}

// TestAreaKm2UkraineOfficial compares four oblasts with the official areas of
// docs/CONTEXT.md, which include water bodies; the generalised boundaries
// (Natural Earth 10m) come out a little different, Kherson about 8 % smaller.
func TestAreaKm2UkraineOfficial(t *testing.T) {
	units := readUkraine(t)
	tests := []struct {
		iso, name          string
		officialKm2        float64
		minChange, maxChng float64 // allowed got/official - 1
	}{
		{"UA-14", "Donetsk", 26517, -0.015, 0.015},
		{"UA-09", "Luhansk", 26684, -0.015, 0.015},
		{"UA-23", "Zaporizhzhia", 27180, -0.015, 0.015},
		{"UA-65", "Kherson", 28461, -0.10, -0.06},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AreaKm2(units[tt.iso])
			change := got/tt.officialKm2 - 1
			if !(change >= tt.minChange && change <= tt.maxChng) {
				t.Errorf("got %.0f km2, %+.2f %% from the official %.0f, want between %+.1f %% and %+.1f %%",
					got, 100*change, tt.officialKm2, 100*tt.minChange, 100*tt.maxChng)
			} else {
				t.Logf("got %.0f km2, %+.2f %% from the official %.0f", got, 100*change, tt.officialKm2)
			}
		})
	}
}

// TestAreaKm2DeepState pins the area of a real line of control (the Russian-held
// area on 15 August 2025, ~3,000 vertices), the input of BenchmarkAreaKm2.
func TestAreaKm2DeepState(t *testing.T) {
	const want = 114515.47974217053 // km2, pyproj (oracle.py)
	mp := readAreaDeepState(t)
	got := AreaKm2(mp)
	if e := relErr(got, want); !(e <= areaTol) {
		t.Errorf("got %.10g km2, want %.10g (pyproj): relative error %.2g > %.0g", got, want, e, areaTol)
	} else {
		t.Logf("got %.10g km2 over %d vertices, relative error %.2g against pyproj", got, vertexCount(mp), e)
	}
}

func BenchmarkAreaKm2(b *testing.B) {
	mp := readAreaDeepState(b)
	b.ReportAllocs()
	var got float64
	for b.Loop() {
		got = AreaKm2(mp)
	}
	b.ReportMetric(float64(vertexCount(mp)), "vertices")
	b.ReportMetric(got, "km2")
}

// TestAreaFastPathError measures the authalic-sphere fast path against
// Karney's algorithm, edge by edge and on whole real polygons.
func TestAreaFastPathError(t *testing.T) {
	g := geodWGS84
	t.Run("single edges", func(t *testing.T) {
		// After the curvature correction the difference is below 2e-13·s³
		// (m², s in metres; without it, up to 4.5e-11·s³ at 45° going east).
		// Under 1 km the difference is dominated by round-off in Karney's S12
		// (a few 1e-5 m² whatever the edge's length), hence the 1e-3 m² floor.
		worst := 0.0
		for _, lat := range []float64{0, 20, 45, 48, 60, 75, 79.9} {
			for az := 0.0; az < 360; az += 15 {
				for _, s := range []float64{10, 100, 1000, 5000, 11000} {
					sa, ca := math.Sincos(az * math.Pi / 180)
					dlat := s * ca / 111000
					dlon := s * sa / 111000 / math.Cos(lat*math.Pi/180)
					p1, p2 := orb.Point{36, lat}, orb.Point{36 + dlon, lat + dlat}
					if math.Abs(dlat)+math.Abs(dlon) > geodFastEdgeDeg || math.Abs(p2[1]) > geodFastMaxLat {
						continue
					}
					slow := g.inverseS12(p1[1], p1[0], p2[1], p2[0])
					fast := g.edgeS12(p1, p2, g.authalic(p1[1]), g.authalic(p2[1]), geodFastEdgeDeg)
					d := math.Abs(slow - fast)
					if d > 2e-13*s*s*s+1e-3 {
						t.Errorf("lat %g azimuth %g length %g m: Karney S12 %.6f m², fast %.6f: difference %.3g m² > %.3g",
							lat, az, s, slow, fast, d, 2e-13*s*s*s+1e-3)
					}
					if s >= 1000 {
						worst = math.Max(worst, d/(s*s*s))
					}
				}
			}
		}
		t.Logf("largest |Karney - fast| / s³ for edges of 1 km or more: %.3g m⁻¹", worst)
	})
	t.Run("oblasts", func(t *testing.T) {
		worst := 0.0
		for iso, mp := range readUkraine(t) {
			worst = math.Max(worst, checkFastPathPolygon(t, iso, mp))
		}
		t.Logf("largest relative difference from Karney on every edge: %.2g", worst)
	})
	t.Run("real line of control", func(t *testing.T) {
		e := checkFastPathPolygon(t, areaDeepStateFile, readAreaDeepState(t))
		t.Logf("relative difference from Karney on every edge: %.2g", e)
	})
}

// checkFastPathPolygon compares the area of mp computed as AreaKm2 does with
// the area from Karney's algorithm on every edge, and returns their relative
// difference.
func checkFastPathPolygon(t *testing.T, name string, mp orb.MultiPolygon) float64 {
	t.Helper()
	var hybrid, karney float64
	for _, p := range mp {
		for i, r := range p {
			sign := 1.0
			if i > 0 {
				sign = -1
			}
			hybrid += sign * math.Abs(geodRingAreaM2(r, geodFastEdgeDeg))
			karney += sign * math.Abs(geodRingAreaM2(r, -1))
		}
	}
	e := relErr(hybrid, karney)
	if !(e <= 1e-10) {
		t.Errorf("%s: hybrid %.6f m², Karney on every edge %.6f: relative difference %.2g > 1e-10", name, hybrid, karney, e)
	}
	return e
}

// pyprojPython returns a python3 that can import pyproj, or "".
func pyprojPython() string {
	var candidates []string
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	candidates = append(candidates, "/usr/bin/python3")
	for _, p := range candidates {
		if exec.Command(p, "-c", "import pyproj").Run() == nil {
			return p
		}
	}
	return ""
}

// pyprojScript reads a JSON list of rings ([[lon, lat], ...]) on stdin and
// prints the unsigned area of each in km2, one per line.
const pyprojScript = `
import json, sys
from pyproj import Geod
g = Geod(ellps="WGS84")
for ring in json.load(sys.stdin):
    a, _ = g.polygon_area_perimeter([p[0] for p in ring], [p[1] for p in ring])
    print(repr(abs(a) / 1e6))
`

// randomRing returns a star-shaped ring of n vertices around (lon, lat) with
// radius up to r degrees of latitude, wound either way.
func randomRing(rng *rand.Rand, lon, lat, r float64, n int) orb.Ring {
	angles := make([]float64, n)
	for i := range angles {
		angles[i] = 2 * math.Pi * (float64(i) + 0.8*rng.Float64()) / float64(n)
	}
	ring := make(orb.Ring, 0, n+1)
	for _, a := range angles {
		rr := r * (0.4 + 0.6*rng.Float64())
		s, c := math.Sincos(a)
		ring = append(ring, orb.Point{lon + rr*c/math.Cos(lat*math.Pi/180), lat + rr*s})
	}
	ring = append(ring, ring[0])
	if rng.IntN(2) == 0 {
		for i, j := 0, len(ring)-1; i < j; i, j = i+1, j-1 {
			ring[i], ring[j] = ring[j], ring[i]
		}
	}
	return ring
}

// TestAreaKm2Oracle compares RingAreaKm2 with pyproj, run live, on random
// rings from 1 km to 1,000 km across, anywhere between 75 S and 75 N and
// across the antimeridian. It skips when no python3 can import pyproj.
func TestAreaKm2Oracle(t *testing.T) {
	py := pyprojPython()
	if py == "" {
		t.Skip("no python3 with pyproj (apt-get install python3-pyproj): live oracle skipped")
	}
	rng := rand.New(rand.NewPCG(2025, 815))
	var rings []orb.Ring
	for range 200 {
		lat := -75 + 150*rng.Float64()
		lon := -180 + 360*rng.Float64()
		r := math.Pow(10, -2+2.7*rng.Float64()) // 0.01° to 5°
		rings = append(rings, randomRing(rng, lon, lat, r, 3+rng.IntN(200)))
	}
	in, err := json.Marshal(rings)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", pyprojScript)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", py, err, stderr.String())
	}
	lines := strings.Fields(string(out))
	if len(lines) != len(rings) {
		t.Fatalf("got %d areas from pyproj, want %d", len(lines), len(rings))
	}
	maxErr := 0.0
	for i, line := range lines {
		want, err := strconv.ParseFloat(line, 64)
		if err != nil {
			t.Fatalf("ring %d: %v", i, err)
		}
		got := RingAreaKm2(rings[i])
		e := relErr(got, want)
		maxErr = math.Max(maxErr, e)
		if !(e <= areaTol) {
			b, _ := json.Marshal(rings[i])
			t.Errorf("ring %d: got %.12g km2, want %.12g (pyproj): relative error %.2g > %.0g\n%s", i, got, want, e, areaTol, b)
		}
	}
	t.Logf("%s: largest relative error over %d random rings: %.2g", py, len(rings), maxErr)
}

func ExampleAreaKm2() {
	cell := orb.MultiPolygon{{{{30, 48}, {31, 48}, {31, 49}, {30, 49}, {30, 48}}}}
	fmt.Printf("%.3f km2\n", AreaKm2(cell))
	// Output: 8217.590 km2
}
