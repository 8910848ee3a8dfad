package tiles

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// updateMVT rewrites the goldens under testdata/mvt. (Not -update: other
// files of this package may define that for their own goldens.)
var updateMVT = flag.Bool("update-mvt", false, "rewrite testdata/mvt goldens")

func decodeMVT(t *testing.T, b []byte) mvt.Layers {
	t.Helper()
	layers, err := mvt.Unmarshal(b)
	if err != nil {
		t.Fatalf("decode MVT: %v", err)
	}
	return layers
}

// sameShape reports whether got has the structure of want with every
// coordinate within tol.
func sameShape(got, want orb.Geometry, tol float64) bool {
	if got == nil || want == nil || got.GeoJSONType() != want.GeoJSONType() {
		return got == nil && want == nil
	}
	pg, pw := allPoints(got), allPoints(want)
	if len(pg) != len(pw) {
		return false
	}
	switch g := got.(type) {
	case orb.MultiLineString:
		w := want.(orb.MultiLineString)
		if len(g) != len(w) {
			return false
		}
	case orb.Polygon:
		w := want.(orb.Polygon)
		if len(g) != len(w) {
			return false
		}
		for i := range g {
			if len(g[i]) != len(w[i]) {
				return false
			}
		}
	case orb.MultiPolygon:
		w := want.(orb.MultiPolygon)
		if len(g) != len(w) {
			return false
		}
		for i := range g {
			if !sameShape(g[i], w[i], tol) {
				return false
			}
		}
	}
	for i := range pg {
		if math.Abs(pg[i][0]-pw[i][0]) > tol || math.Abs(pg[i][1]-pw[i][1]) > tol {
			return false
		}
	}
	return true
}

func TestEncodeMVTRoundTrip(t *testing.T) {
	exterior := orb.Ring{{100.4, 100.4}, {3000.6, 100.4}, {3000.6, 2000}, {100.4, 2000}, {100.4, 100.4}}
	layers := []Layer{
		{Name: "control", Features: []Feature{
			{Geometry: orb.Polygon{exterior}, Properties: map[string]any{"side": "ru", "area_km2": 1234.5}},
			{Geometry: orb.MultiPolygon{
				{{{-64, -64}, {10, -64}, {10, 10}, {-64, 10}, {-64, -64}}},
				{{{4000, 4000}, {4160, 4000}, {4160, 4160}, {4000, 4160}, {4000, 4000}}},
			}, Properties: map[string]any{"side": "ru"}},
		}},
		{Name: "line", Features: []Feature{
			{Geometry: orb.LineString{{0, 2048}, {2048.2, 2047.7}, {4096, 0}}, Properties: map[string]any{"date": "2025-08-15", "approx": true}},
			{Geometry: orb.MultiLineString{{{0, 0}, {10, 10}}, {{20, 20}, {30, 35}}}},
		}},
		{Name: "cities", Features: []Feature{
			{Geometry: orb.Point{1024.49, 3072.51}, Properties: map[string]any{"name": "Kramatorsk", "pop": 150000, "rank": uint8(2), "x": float32(0.5), "held": int64(-1)}},
			{Geometry: orb.MultiPoint{{1, 2}, {3, 4}}},
		}},
	}
	b, err := EncodeMVT(layers, MVTExtent)
	if err != nil {
		t.Fatal(err)
	}
	got := decodeMVT(t, b)
	if len(got) != len(layers) {
		t.Fatalf("got %d layers, want %d", len(got), len(layers))
	}
	for i, l := range layers {
		g := got[i]
		if g.Name != l.Name || g.Extent != MVTExtent || g.Version != 2 {
			t.Errorf("layer %d: got %q extent %d version %d, want %q extent %d version 2", i, g.Name, g.Extent, g.Version, l.Name, MVTExtent)
		}
		if len(g.Features) != len(l.Features) {
			t.Fatalf("layer %s: got %d features, want %d", l.Name, len(g.Features), len(l.Features))
		}
		for j, f := range l.Features {
			gf := g.Features[j]
			if !sameShape(gf.Geometry, f.Geometry, 1) {
				t.Errorf("layer %s feature %d: got %v, want %v within 1 unit", l.Name, j, gf.Geometry, f.Geometry)
			}
			for _, p := range allPoints(gf.Geometry) {
				if p != (orb.Point{math.Round(p[0]), math.Round(p[1])}) {
					t.Errorf("layer %s feature %d: got non-integer point %v", l.Name, j, p)
				}
			}
			want := map[string]any{}
			for k, v := range f.Properties {
				switch v := v.(type) { // orb's decoder gives every number as float64
				case int:
					want[k] = float64(v)
				case int64:
					want[k] = float64(v)
				case uint8:
					want[k] = float64(v)
				case float32:
					want[k] = float64(v)
				default:
					want[k] = v
				}
			}
			if gp := map[string]any(gf.Properties); !reflect.DeepEqual(gp, want) && !(len(gp) == 0 && len(want) == 0) {
				t.Errorf("layer %s feature %d: got properties %v, want %v", l.Name, j, gp, want)
			}
		}
	}
}

func TestEncodeMVTPolygonWithHoleWinding(t *testing.T) {
	// Given with the wrong winding for MVT: exterior anticlockwise on the
	// y-down tile, hole clockwise.
	ext := orb.Ring{{0, 0}, {0, 1000}, {1000, 1000}, {1000, 0}, {0, 0}}
	hole := orb.Ring{{200, 200}, {800, 200}, {800, 800}, {200, 800}, {200, 200}}
	cases := []struct {
		name string
		poly orb.Polygon
	}{
		{name: "wrong winding", poly: orb.Polygon{ext, hole}},
		{name: "right winding", poly: orb.Polygon{reversedRing(ext), reversedRing(hole)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := orb.Clone(tc.poly)
			b, err := EncodeMVT([]Layer{{Name: "a", Features: []Feature{{Geometry: tc.poly}}}}, MVTExtent)
			if err != nil {
				t.Fatal(err)
			}
			if !orb.Equal(in, tc.poly) {
				t.Errorf("EncodeMVT modified its input")
			}
			g := decodeMVT(t, b)[0].Features[0].Geometry
			p, ok := g.(orb.Polygon) // a wrong winding would decode as two polygons
			if !ok || len(p) != 2 {
				t.Fatalf("got %v, want one polygon with one hole", g)
			}
			if a := ringArea(p[0]); a != 1000*1000 {
				t.Errorf("exterior: got area %g, want +1e6 (clockwise with y down)", a)
			}
			if a := ringArea(p[1]); a != -600*600 {
				t.Errorf("hole: got area %g, want -3.6e5", a)
			}
		})
	}
}

func reversedRing(r orb.Ring) orb.Ring {
	c := r.Clone()
	c.Reverse()
	return c
}

func TestEncodeMVTDropsDegenerate(t *testing.T) {
	square := orb.Ring{{0, 0}, {100, 0}, {100, 100}, {0, 100}, {0, 0}}
	cases := []struct {
		name      string
		geom      orb.Geometry
		wantType  string // "" when the feature is dropped
		wantRings int
	}{
		{name: "triangle under half a unit", geom: orb.Polygon{{{10, 10}, {10.3, 10}, {10, 10.3}, {10, 10}}}},
		{name: "collinear ring", geom: orb.Polygon{{{0, 0}, {50, 50}, {100, 100}, {0, 0}}}},
		{name: "sliver rounding to a line", geom: orb.Polygon{{{0, 0}, {100, 0.2}, {100, 0.4}, {0, 0.1}, {0, 0}}}},
		{name: "hole rounding away", geom: orb.Polygon{square, {{50, 50}, {50.2, 50}, {50.2, 50.2}, {50, 50}}}, wantType: "Polygon", wantRings: 1},
		{name: "one of two polygons left", geom: orb.MultiPolygon{{square}, {{{0, 0}, {0.1, 0}, {0, 0.1}, {0, 0}}}}, wantType: "Polygon", wantRings: 1},
		{name: "unclosed ring is closed", geom: orb.Polygon{square[:4]}, wantType: "Polygon", wantRings: 1},
		{name: "line of one point", geom: orb.LineString{{5, 5}, {5.2, 5.1}, {4.9, 5}}},
		{name: "multiline with one line left", geom: orb.MultiLineString{{{5, 5}, {5.2, 5.1}}, {{0, 0}, {9, 9}}}, wantType: "LineString"},
		{name: "empty multipoint", geom: orb.MultiPoint{}},
		{name: "nil geometry", geom: nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := EncodeMVT([]Layer{{Name: "a", Features: []Feature{{Geometry: tc.geom}}}}, MVTExtent)
			if err != nil {
				t.Fatal(err)
			}
			layers := decodeMVT(t, b)
			if tc.wantType == "" {
				if len(b) != 0 || len(layers) != 0 {
					t.Errorf("got %d bytes, %d layers, want an empty tile (layer with nothing left omitted)", len(b), len(layers))
				}
				return
			}
			if len(layers) != 1 || len(layers[0].Features) != 1 {
				t.Fatalf("got %d layers, want 1 with 1 feature", len(layers))
			}
			g := layers[0].Features[0].Geometry
			if g.GeoJSONType() != tc.wantType {
				t.Errorf("got %s, want %s", g.GeoJSONType(), tc.wantType)
			}
			if p, ok := g.(orb.Polygon); ok && len(p) != tc.wantRings {
				t.Errorf("got %d rings, want %d", len(p), tc.wantRings)
			}
		})
	}
}

func TestEncodeMVTEmpty(t *testing.T) {
	cases := []struct {
		name   string
		layers []Layer
	}{
		{name: "nil layer list", layers: nil},
		{name: "layers without features", layers: []Layer{{Name: "control"}, {Name: "line", Features: []Feature{}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := EncodeMVT(tc.layers, MVTExtent)
			if err != nil {
				t.Fatal(err)
			}
			if b == nil || len(b) != 0 {
				t.Errorf("got %v, want zero bytes (non-nil)", b)
			}
			if got := decodeMVT(t, b); len(got) != 0 {
				t.Errorf("got %d layers decoded, want 0", len(got))
			}
		})
	}
}

func TestEncodeMVTProperties(t *testing.T) {
	pt := orb.Point{1, 1}
	cases := []struct {
		name    string
		props   map[string]any
		want    map[string]any
		wantErr bool
	}{
		{name: "nil map", props: nil, want: map[string]any{}},
		{name: "scalars", props: map[string]any{"s": "x", "b": false, "i": 3, "f": 2.5},
			want: map[string]any{"s": "x", "b": false, "i": 3.0, "f": 2.5}},
		{name: "nil value left out", props: map[string]any{"s": "x", "n": nil}, want: map[string]any{"s": "x"}},
		{name: "slice is an error", props: map[string]any{"l": []int{1}}, wantErr: true},
		{name: "map is an error", props: map[string]any{"m": map[string]any{}}, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var before map[string]any
			if tc.props != nil {
				before = cloneLayers([]Layer{{Features: []Feature{{Properties: tc.props}}}})[0].Features[0].Properties
			}
			b, err := EncodeMVT([]Layer{{Name: "a", Features: []Feature{{Geometry: pt, Properties: tc.props}}}}, MVTExtent)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("got no error, want one")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tc.props, before) {
				t.Errorf("EncodeMVT modified the properties: got %v, want %v", tc.props, before)
			}
			got := map[string]any(decodeMVT(t, b)[0].Features[0].Properties)
			if got == nil {
				got = map[string]any{}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := EncodeMVT([]Layer{{Name: "a", Features: []Feature{{Geometry: pt}}}}, 0); err == nil {
		t.Errorf("extent 0: got no error, want one")
	}
}

func TestEncodeMVTStableBytes(t *testing.T) {
	var feats []Feature
	for i := range 50 {
		props := map[string]any{}
		for k := range 12 {
			props[fmt.Sprintf("k%02d", k)] = fmt.Sprintf("v%d", (i*k)%7)
		}
		props["n"] = i
		feats = append(feats, Feature{Geometry: orb.Point{float64(i * 10), float64(i * 7)}, Properties: props})
	}
	layers := []Layer{{Name: "z", Features: feats}, {Name: "a", Features: feats[:10]}, {Name: "m", Features: feats[5:]}}
	first, err := EncodeMVT(layers, MVTExtent)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		b, err := EncodeMVT(layers, MVTExtent)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, first) {
			t.Fatalf("encode %d: got %d bytes differing from the first %d", i+2, len(b), len(first))
		}
	}
	var names []string
	for _, l := range decodeMVT(t, first) {
		names = append(names, l.Name)
	}
	if want := []string{"z", "a", "m"}; !reflect.DeepEqual(names, want) {
		t.Errorf("got layers %v, want %v", names, want)
	}
}

// goldenFixtures are small synthetic sources, each cut at one tile.
var goldenFixtures = []struct {
	name   string
	layers func() []Layer
	tile   Tile
}{
	{
		name: "square_corner",
		layers: func() []Layer {
			b := cornerTile.Bound()
			return []Layer{{Name: "control", Features: []Feature{{Geometry: squareAround(orb.Point{b.Min[0], b.Max[1]}, 0.5), Properties: map[string]any{"side": "ru"}}}}}
		},
		tile: cornerTile,
	},
	{
		name: "hole_and_sliver",
		layers: func() []Layer {
			b := cornerTile.Bound()
			c := toLonLat(cornerTile, 2, orb.Point{1, 1})
			w := b.Max[0] - b.Min[0]
			outer := squareAround(c, w*0.3)[0]
			hole := squareAround(c, w*0.1)[0]
			sliver := orb.Ring{{c[0] - w*0.4, c[1] - w*0.35}, {c[0] + w*0.4, c[1] - w*0.35}, {c[0] + w*0.4, c[1] - w*0.3499}, {c[0] - w*0.4, c[1] - w*0.35}}
			return []Layer{
				{Name: "control", Features: []Feature{{Geometry: orb.MultiPolygon{{outer, hole}, {sliver}}}}},
				{Name: "line", Features: []Feature{{Geometry: orb.LineString{{b.Min[0] - 1, c[1]}, {b.Max[0] + 1, c[1] + w*0.2}}, Properties: map[string]any{"date": "2025-08-15"}}}},
				{Name: "cities", Features: []Feature{{Geometry: c, Properties: map[string]any{"name": "centre", "rank": 1}}}},
			}
		},
		tile: cornerTile,
	},
}

func TestEncodeMVTGolden(t *testing.T) {
	for _, fx := range goldenFixtures {
		t.Run(fx.name, func(t *testing.T) {
			src := NewSource(fx.layers())
			b, err := EncodeMVT(src.Tile(fx.tile, MVTExtent, MVTBufferPx), MVTExtent)
			if err != nil {
				t.Fatal(err)
			}
			got := decodedCollection(t, b)
			path := filepath.Join("testdata", "mvt", fx.name+".golden.geojson")
			if *updateMVT {
				writeCollection(t, path, got)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./tiles -run TestEncodeMVTGolden -update-mvt)", err)
			}
			want, err := geojson.UnmarshalFeatureCollection(data)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			ok := len(got.Features) == len(want.Features)
			for i := 0; ok && i < len(got.Features); i++ {
				g, w := got.Features[i], want.Features[i]
				ok = sameShape(g.Geometry, w.Geometry, 1) && reflect.DeepEqual(g.Properties, w.Properties)
			}
			if !ok {
				fail := filepath.Join("testdata", "mvt", "failure_"+fx.name+".geojson")
				writeCollection(t, fail, got)
				t.Errorf("decoded tile differs from %s by more than 1 unit; got written to %s", path, fail)
			}
		})
	}
}

// decodedCollection decodes a tile into one feature collection in tile
// coordinates, each feature's properties gaining its "layer".
func decodedCollection(t *testing.T, b []byte) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	for _, l := range decodeMVT(t, b) {
		for _, f := range l.Features {
			f.Properties = f.Properties.Clone()
			if f.Properties == nil {
				f.Properties = geojson.Properties{}
			}
			f.Properties["layer"] = l.Name
			fc.Append(f)
		}
	}
	return fc
}

func writeCollection(t *testing.T, path string, fc *geojson.FeatureCollection) {
	t.Helper()
	// One feature a line: small diffs, still valid GeoJSON.
	var buf bytes.Buffer
	buf.WriteString(`{"type": "FeatureCollection", "features": [`)
	for i, f := range fc.Features {
		data, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n")
		buf.Write(data)
	}
	buf.WriteString("\n]}\n")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestEncodeMVTWithOgrinfo reads a tile with GDAL's MVT driver, a decoder
// independent of orb's. CI installs it with the Debian package gdal-bin.
func TestEncodeMVTWithOgrinfo(t *testing.T) {
	ogrinfo, err := exec.LookPath("ogrinfo")
	if err != nil {
		t.Skip("ogrinfo not found: install the Debian package gdal-bin to read tiles with GDAL's MVT driver")
	}
	fx := goldenFixtures[1]
	layers := NewSource(fx.layers()).Tile(fx.tile, MVTExtent, MVTBufferPx)
	b, err := EncodeMVT(layers, MVTExtent)
	if err != nil {
		t.Fatal(err)
	}
	// GDAL opens a single tile and georeferences it from a z_x_y.pbf name.
	path := filepath.Join(t.TempDir(), fmt.Sprintf("%d_%d_%d.pbf", fx.tile.Z, fx.tile.X, fx.tile.Y))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ogrinfo, "-ro", "-al", "-so", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "using driver `MVT'") {
		t.Fatalf("ogrinfo did not use its MVT driver:\n%s", out)
	}
	got := ogrLayers(string(out))
	var names, wantNames []string
	var counts, wantCounts []int
	for _, l := range got {
		names, counts = append(names, l.name), append(counts, l.count)
	}
	for _, l := range layers {
		wantNames, wantCounts = append(wantNames, l.Name), append(wantCounts, len(l.Features))
	}
	if !reflect.DeepEqual(names, wantNames) || !reflect.DeepEqual(counts, wantCounts) {
		t.Fatalf("got layers %v with %v features, want %v with %v\nogrinfo said:\n%s", names, counts, wantNames, wantCounts, out)
	}

	// GDAL georeferences the tile from its name: the polygon's extent in
	// EPSG:3857 metres must match the input's, within 2 tile units.
	unit := 2 * math.Pi * 6378137 / float64(uint64(1)<<fx.tile.Z) / MVTExtent
	src := fx.layers()[0].Features[0].Geometry.(orb.MultiPolygon)[0].Bound() // the sliver is dropped
	merc := func(p orb.Point) orb.Point {
		return orb.Point{p[0] * math.Pi / 180 * 6378137, math.Log(math.Tan(math.Pi/4+p[1]*math.Pi/360)) * 6378137}
	}
	lo, hi := merc(src.Min), merc(src.Max)
	want := [4]float64{lo[0], lo[1], hi[0], hi[1]}
	for i := range want {
		if math.Abs(got[0].extent[i]-want[i]) > 2*unit {
			t.Errorf("control extent: got %v, want %v within %.0f m", got[0].extent, want, 2*unit)
			break
		}
	}
}

// ogrLayer is one layer of an ogrinfo summary.
type ogrLayer struct {
	name   string
	count  int
	extent [4]float64 // min x, min y, max x, max y
}

var (
	ogrLayerRe  = regexp.MustCompile(`(?m)^Layer name: (.+)$`)
	ogrCountRe  = regexp.MustCompile(`(?m)^Feature Count: (\d+)$`)
	ogrExtentRe = regexp.MustCompile(`(?m)^Extent: \(([-\d.e+]+), ([-\d.e+]+)\) - \(([-\d.e+]+), ([-\d.e+]+)\)$`)
)

// ogrLayers reads the layers of an `ogrinfo -al -so` summary, in order;
// count is -1 when missing.
func ogrLayers(out string) []ogrLayer {
	var res []ogrLayer
	names := ogrLayerRe.FindAllStringSubmatchIndex(out, -1)
	for i, m := range names {
		end := len(out)
		if i+1 < len(names) {
			end = names[i+1][0]
		}
		body := out[m[1]:end]
		l := ogrLayer{name: strings.TrimSpace(out[m[2]:m[3]]), count: -1}
		if c := ogrCountRe.FindStringSubmatch(body); c != nil {
			l.count, _ = strconv.Atoi(c[1])
		}
		if e := ogrExtentRe.FindStringSubmatch(body); e != nil {
			for j := range 4 {
				l.extent[j], _ = strconv.ParseFloat(e[j+1], 64)
			}
		}
		res = append(res, l)
	}
	return res
}

// deepstatePath is the DeepStateMap snapshot of the Alaska summit day,
// outside the repository (see ../shared/data/README.md).
const deepstatePath = "../../shared/data/deepstate/deepstatemap_data_20250815.geojson"

// loadDeepstateControl reads the snapshot as a one-layer list, layer
// "control", skipping the test or benchmark when the file is absent.
func loadDeepstateControl(tb testing.TB) []Layer {
	tb.Helper()
	data, err := os.ReadFile(deepstatePath)
	if os.IsNotExist(err) {
		tb.Skipf("real data absent: %s not found (it lives outside the repository, in ../shared/data)", deepstatePath)
	}
	if err != nil {
		tb.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		tb.Fatalf("%s: %v", deepstatePath, err)
	}
	l := Layer{Name: "control"}
	for _, f := range fc.Features {
		l.Features = append(l.Features, Feature{Geometry: f.Geometry, Properties: f.Properties})
	}
	return []Layer{l}
}

// fourOblastTiles lists every tile, z5 to z10, covering Donetsk, Luhansk,
// Zaporizhzhia and Kherson oblasts (lon 31.5..40.3, lat 44.3..50.1): the
// tile list of the benchmarks.
func fourOblastTiles() []Tile {
	var out []Tile
	for z := 5; z <= 10; z++ {
		nw := maptile.At(orb.Point{31.5, 50.1}, maptile.Zoom(z))
		se := maptile.At(orb.Point{40.3, 44.3}, maptile.Zoom(z))
		for x := nw.X; x <= se.X; x++ {
			for y := nw.Y; y <= se.Y; y++ {
				out = append(out, Tile{Z: z, X: x, Y: y})
			}
		}
	}
	return out
}

func TestDeepstateTilesDecodeWithValidRings(t *testing.T) {
	layers := loadDeepstateControl(t)
	src := NewSource(layers)
	tiles := fourOblastTiles()
	nonEmpty := 0
	for _, tl := range tiles {
		b, err := EncodeMVT(src.Tile(tl, MVTExtent, MVTBufferPx), MVTExtent)
		if err != nil {
			t.Fatalf("tile %v: %v", tl, err)
		}
		decoded, err := mvt.Unmarshal(b)
		if err != nil {
			t.Fatalf("tile %v: decode: %v", tl, err)
		}
		if len(decoded) == 0 {
			continue
		}
		nonEmpty++
		if len(decoded) != 1 || decoded[0].Name != "control" || decoded[0].Extent != MVTExtent {
			t.Fatalf("tile %v: got %d layers, want one control layer of extent %d", tl, len(decoded), MVTExtent)
		}
		for _, f := range decoded[0].Features {
			var polys []orb.Polygon
			switch g := f.Geometry.(type) {
			case orb.Polygon:
				polys = []orb.Polygon{g}
			case orb.MultiPolygon:
				polys = g
			default:
				t.Fatalf("tile %v: got %T, want polygons", tl, g)
			}
			for _, p := range polys {
				for i, r := range p {
					if msg := ringProblem(r, i == 0); msg != "" {
						t.Errorf("tile %v ring %d: %s", tl, i, msg)
					}
				}
			}
		}
	}
	if nonEmpty < len(tiles)/4 {
		t.Errorf("got %d tiles with features of %d, want at least a quarter", nonEmpty, len(tiles))
	}
}

// ringProblem describes what is wrong with a decoded MVT ring, or "".
func ringProblem(r orb.Ring, exterior bool) string {
	const lo, hi = -MVTBufferPx, MVTExtent + MVTBufferPx
	switch a := ringArea(r); {
	case len(r) < 4:
		return fmt.Sprintf("got %d points, want at least 4", len(r))
	case r[0] != r[len(r)-1]:
		return "not closed"
	case exterior && a <= 0:
		return fmt.Sprintf("exterior area %g, want > 0", a)
	case !exterior && a >= 0:
		return fmt.Sprintf("hole area %g, want < 0", a)
	}
	for _, p := range r {
		if p[0] < lo || p[0] > hi || p[1] < lo || p[1] > hi {
			return fmt.Sprintf("point %v outside %d..%d", p, lo, hi)
		}
	}
	return ""
}
