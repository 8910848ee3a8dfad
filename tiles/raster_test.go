package tiles

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/paulmach/orb"
)

// updateRaster reports whether -update was given: rewrite the goldens and
// the fixture under testdata/raster. The flag is registered only if no
// other file of the package registered it first.
var updateRaster = boolFlag("update", "rewrite goldens under testdata/")

func boolFlag(name, usage string) func() bool {
	if flag.Lookup(name) == nil {
		flag.Bool(name, false, usage)
	}
	return func() bool {
		f := flag.Lookup(name)
		return f != nil && f.Value.String() == "true"
	}
}

const rasterTestdata = "testdata/raster"

// box returns the axis-aligned square polygon x0..x1, y0..y1, wound
// anticlockwise on screen.
func pxBox(x0, y0, x1, y1 float64) orb.Polygon {
	return orb.Polygon{{{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}}}
}

func pxFeat(g orb.Geometry, kv ...any) Feature {
	props := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		props[kv[i].(string)] = kv[i+1]
	}
	return Feature{Geometry: g, Properties: props}
}

// scaled returns a deep copy of layers with every coordinate times k
// (pixel-space layers of a 256 px tile made ready for a k*256 px one).
func scaled(layers []Layer, k float64) []Layer {
	out := make([]Layer, len(layers))
	for i, l := range layers {
		out[i] = Layer{Name: l.Name, Features: make([]Feature, len(l.Features))}
		for j, f := range l.Features {
			out[i].Features[j] = Feature{Geometry: mapPoints(f.Geometry, func(p orb.Point) orb.Point {
				return orb.Point{p[0] * k, p[1] * k}
			}), Properties: f.Properties}
		}
	}
	return out
}

// mapPoints returns a copy of g with fn applied to every point.
func mapPoints(g orb.Geometry, fn func(orb.Point) orb.Point) orb.Geometry {
	line := func(ps []orb.Point) []orb.Point {
		out := make([]orb.Point, len(ps))
		for i, p := range ps {
			out[i] = fn(p)
		}
		return out
	}
	switch g := g.(type) {
	case orb.Point:
		return fn(g)
	case orb.MultiPoint:
		return orb.MultiPoint(line(g))
	case orb.LineString:
		return orb.LineString(line(g))
	case orb.MultiLineString:
		out := make(orb.MultiLineString, len(g))
		for i, l := range g {
			out[i] = line(l)
		}
		return out
	case orb.Ring:
		return orb.Ring(line(g))
	case orb.Polygon:
		out := make(orb.Polygon, len(g))
		for i, r := range g {
			out[i] = line(r)
		}
		return out
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			out[i] = mapPoints(p, fn).(orb.Polygon)
		}
		return out
	case orb.Collection:
		out := make(orb.Collection, len(g))
		for i, m := range g {
			out[i] = mapPoints(m, fn)
		}
		return out
	}
	return g
}

// shifted returns layers moved by (dx, dy) pixels: the same world
// geometry as seen from a neighbouring tile.
func shifted(layers []Layer, dx, dy float64) []Layer {
	out := make([]Layer, len(layers))
	for i, l := range layers {
		out[i] = Layer{Name: l.Name, Features: make([]Feature, len(l.Features))}
		for j, f := range l.Features {
			out[i].Features[j] = Feature{Geometry: mapPoints(f.Geometry, func(p orb.Point) orb.Point {
				return orb.Point{p[0] + dx, p[1] + dy}
			}), Properties: f.Properties}
		}
	}
	return out
}

func solidStyle(layer string, c color.NRGBA, opacity float64) Style {
	return Style{Layers: []LayerStyle{{Layer: layer, Fill: Paint{Color: c, Opacity: opacity}}}}
}

func nearColor(a, b color.NRGBA, tol int) bool {
	d := func(x, y uint8) bool { return int(x)-int(y) <= tol && int(y)-int(x) <= tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B) && d(a.A, b.A)
}

func decodePNG(t testing.TB, b []byte) *image.NRGBA {
	t.Helper()
	m, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode PNG: %v", err)
	}
	if n, ok := m.(*image.NRGBA); ok {
		return n
	}
	n := image.NewNRGBA(m.Bounds())
	draw.Draw(n, n.Rect, m, m.Bounds().Min, draw.Src)
	return n
}

func writePNG(t testing.TB, path string, img image.Image) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// goldenTolerance is the largest per-channel difference between decoded
// pixels that still matches a golden, and goldenSlack the share of pixels
// allowed beyond it (floating point may differ across CPUs).
const (
	goldenTolerance = 3
	goldenSlack     = 0.001
)

// checkGolden compares img with testdata/raster/name.png by decoded
// pixels. With -update it rewrites the golden; on a mismatch it writes
// failure_name.png next to it.
func checkGolden(t *testing.T, name string, img *image.NRGBA) {
	t.Helper()
	path := filepath.Join(rasterTestdata, name+".png")
	if updateRaster() {
		writePNG(t, path, img)
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run go test ./tiles -run %s -update)", path, err, t.Name())
	}
	want := decodePNG(t, b)
	fail := func(format string, args ...any) {
		t.Helper()
		out := filepath.Join(rasterTestdata, "failure_"+name+".png")
		writePNG(t, out, img)
		t.Errorf("golden %s: "+format+"; wrote %s", append(append([]any{path}, args...), out)...)
	}
	if img.Rect != want.Rect {
		fail("got size %v, want %v", img.Rect.Size(), want.Rect.Size())
		return
	}
	bad, worst := 0, 0
	for i := 0; i < len(img.Pix); i += 4 {
		d := 0
		for c := 0; c < 4; c++ {
			d = max(d, absInt(int(img.Pix[i+c])-int(want.Pix[i+c])))
		}
		worst = max(worst, d)
		if d > goldenTolerance {
			bad++
		}
	}
	if limit := int(goldenSlack * float64(len(img.Pix)/4)); bad > limit {
		fail("%d pixels differ by more than %d (worst %d), want at most %d", bad, goldenTolerance, worst, limit)
	}
}

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

var testTile = Tile{Z: 7, X: 77, Y: 44}

func TestRenderFillsInsideAndLeavesOutsideTransparent(t *testing.T) {
	orange := color.NRGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 255}
	for _, tc := range []struct {
		name    string
		size    int
		opacity float64
		want    color.NRGBA // inside
	}{
		{"opaque at 256", 256, 1, orange},
		{"opaque at @2x", 512, 1, orange},
		{"40 percent keeps colour, alpha 102", 256, 0.4, color.NRGBA{0xD5, 0x5E, 0x00, 102}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			layers := scaled([]Layer{{Name: "control", Features: []Feature{pxFeat(pxBox(64, 64, 192, 192))}}}, float64(tc.size)/256)
			img := Render(layers, solidStyle("control", orange, tc.opacity), testTile, tc.size)
			k := tc.size / 256
			if got := img.NRGBAAt(128*k, 128*k); !nearColor(got, tc.want, 2) {
				t.Errorf("inside: got %v, want %v within 2", got, tc.want)
			}
			for _, p := range []image.Point{{10, 10}, {63, 128}, {193, 128}, {128, 250}} {
				if got := img.NRGBAAt(p.X*k, p.Y*k); got.A != 0 {
					t.Errorf("outside at %v: got %v, want transparent", p, got)
				}
			}
		})
	}
}

func TestRenderBackgroundOnlyWhenStyled(t *testing.T) {
	st := Style{Background: color.NRGBA{1, 2, 3, 255}}
	if got := Render(nil, st, testTile, 256).NRGBAAt(5, 5); got != st.Background {
		t.Errorf("styled background: got %v, want %v", got, st.Background)
	}
	if got := Render(nil, Style{}, testTile, 256).NRGBAAt(5, 5); got.A != 0 {
		t.Errorf("no background: got %v, want transparent", got)
	}
}

func TestRenderHolesStayEmptyWhateverTheirWinding(t *testing.T) {
	outer := orb.Ring{{20, 20}, {236, 20}, {236, 236}, {20, 236}, {20, 20}}
	hole := orb.Ring{{100, 100}, {156, 100}, {156, 156}, {100, 156}, {100, 100}}
	holeRev := orb.Ring{{100, 100}, {100, 156}, {156, 156}, {156, 100}, {100, 100}}
	outerRev := orb.Ring{{20, 20}, {20, 236}, {236, 236}, {236, 20}, {20, 20}}
	for _, tc := range []struct {
		name string
		poly orb.Polygon
	}{
		{"hole wound against exterior", orb.Polygon{outer, holeRev}},
		{"hole wound like exterior", orb.Polygon{outer, hole}},
		{"both reversed", orb.Polygon{outerRev, hole}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := Render([]Layer{{Name: "control", Features: []Feature{pxFeat(tc.poly)}}},
				solidStyle("control", color.NRGBA{0, 0, 0, 255}, 1), testTile, 256)
			if got := img.NRGBAAt(128, 128).A; got != 0 {
				t.Errorf("inside the hole: got alpha %d, want 0", got)
			}
			if got := img.NRGBAAt(50, 50).A; got != 255 {
				t.Errorf("between exterior and hole: got alpha %d, want 255", got)
			}
		})
	}
}

func TestRenderOverlappingPolygonsMerge(t *testing.T) {
	// Two features of one layer overlap: painted once, not twice over.
	layers := []Layer{{Name: "control", Features: []Feature{pxFeat(pxBox(20, 20, 150, 150)), pxFeat(pxBox(100, 100, 230, 230))}}}
	img := Render(layers, solidStyle("control", color.NRGBA{0, 0, 0, 255}, 0.5), testTile, 256)
	a, b := img.NRGBAAt(50, 50).A, img.NRGBAAt(125, 125).A
	if a != b {
		t.Errorf("alpha in one polygon %d, in the overlap %d: want equal", a, b)
	}
}

// strokeWidth measures a horizontal stroke's width in pixels at column x:
// the sum of its coverage (opaque paint) down the column.
func strokeWidth(img *image.NRGBA, x int) float64 {
	sum := 0.0
	for y := 0; y < img.Rect.Dy(); y++ {
		sum += float64(img.NRGBAAt(x, y).A) / 255
	}
	return sum
}

func TestRender2xIs512AndDoublesLineWidths(t *testing.T) {
	st := Style{Layers: []LayerStyle{{Layer: "line", Stroke: Stroke{Paint: Paint{Color: color.NRGBA{0, 0, 0, 255}, Opacity: 1}, Width: Const(3)}}}}
	line := []Layer{{Name: "line", Features: []Feature{pxFeat(orb.LineString{{-10, 100.3}, {266, 100.3}})}}}
	one := Render(line, st, testTile, 256)
	two := Render(scaled(line, 2), st, testTile, 512)
	if got := two.Rect.Size(); got != (image.Point{512, 512}) {
		t.Fatalf("@2x size: got %v, want 512x512", got)
	}
	w1, w2 := strokeWidth(one, 128), strokeWidth(two, 256)
	if math.Abs(w1-3) > 0.05 {
		t.Errorf("width at 256: got %.3f px, want 3", w1)
	}
	if math.Abs(w2-6) > 0.05 {
		t.Errorf("width at 512: got %.3f px, want 6 (twice %.3f)", w2, w1)
	}

	// The stroke width follows the zoom ramp.
	st.Layers[0].Stroke.Width = Ramp{{4, 1}, {8, 3}}
	for _, tc := range []struct {
		z    int
		want float64
	}{{3, 1}, {6, 2}, {9, 3}} {
		tl := Tile{Z: tc.z}
		if got := strokeWidth(Render(line, st, tl, 256), 128); math.Abs(got-tc.want) > 0.05 {
			t.Errorf("width at z%d: got %.3f, want %.3f", tc.z, got, tc.want)
		}
	}
}

func TestRenderStrokesPolygonOutlinesAndJoinsWithoutGaps(t *testing.T) {
	st := Style{Layers: []LayerStyle{{Layer: "oblasts", Stroke: Stroke{Paint: Paint{Color: color.NRGBA{0, 0, 0, 255}, Opacity: 1}, Width: Const(2)}}}}
	// A zigzag ring: sharp outer and inner corners.
	ring := orb.Ring{{40, 40}, {216, 40}, {128, 128}, {216, 216}, {40, 216}, {40, 40}}
	img := Render([]Layer{{Name: "oblasts", Features: []Feature{pxFeat(orb.Polygon{ring})}}}, st, testTile, 256)
	for _, p := range []image.Point{{40, 40}, {128, 40}, {40, 128}, {128, 128}, {215, 215}, {172, 84}} {
		if got := img.NRGBAAt(p.X, p.Y).A; got < 200 {
			t.Errorf("on the outline at %v: got alpha %d, want >= 200", p, got)
		}
	}
	for _, p := range []image.Point{{100, 100}, {20, 20}, {200, 128}} {
		if got := img.NRGBAAt(p.X, p.Y).A; got != 0 {
			t.Errorf("off the outline at %v: got alpha %d, want 0", p, got)
		}
	}
}

func TestRenderAntiAliasesEdges(t *testing.T) {
	// An edge half-way through a pixel column, and a diagonal.
	layers := []Layer{{Name: "control", Features: []Feature{
		pxFeat(pxBox(20.5, 20, 100, 100)),
		pxFeat(orb.Polygon{{{120, 120}, {240, 130}, {240, 240}, {120, 120}}}),
	}}}
	img := Render(layers, solidStyle("control", color.NRGBA{0, 0, 0, 255}, 1), testTile, 256)
	if got := img.NRGBAAt(20, 50).A; got < 100 || got > 155 {
		t.Errorf("half-covered edge pixel: got alpha %d, want about 128", got)
	}
	partial := 0
	for x := 120; x < 240; x++ {
		for y := 118; y < 135; y++ {
			if a := img.NRGBAAt(x, y).A; a > 0 && a < 255 {
				partial++
			}
		}
	}
	if partial < 100 {
		t.Errorf("diagonal edge: got %d pixels of intermediate alpha, want at least 100", partial)
	}
}

// hatchRuns classifies the pixels of row y from x0 to x1 as hatch line
// (alpha > 160) or gap (alpha < 96) and returns the x of each run of line
// pixels' start.
func hatchRuns(img *image.NRGBA, y, x0, x1 int, vertical bool) []int {
	var starts []int
	in := false
	for x := x0; x < x1; x++ {
		var a uint8
		if vertical {
			a = img.NRGBAAt(y, x).A
		} else {
			a = img.NRGBAAt(x, y).A
		}
		switch {
		case a > 160 && !in:
			starts = append(starts, x)
			in = true
		case a < 96:
			in = false
		}
	}
	return starts
}

func TestRenderHatchAlternatesAtItsSpacing(t *testing.T) {
	st := DefaultStyle(false)
	for _, tc := range []struct {
		name, layer string
		size        int
		vertical    bool
		period      float64 // along the scanline, device pixels
	}{
		{"to_russia diagonal at 256", "to_russia", 256, false, 6 * math.Sqrt2},
		{"to_russia diagonal at @2x", "to_russia", 512, false, 12 * math.Sqrt2},
		{"to_ukraine cross-hatch across", "to_ukraine", 256, false, 5},
		{"to_ukraine cross-hatch down", "to_ukraine", 256, true, 5},
		{"to_ukraine cross-hatch at @2x", "to_ukraine", 512, false, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := tc.size / 256
			layers := scaled([]Layer{{Name: tc.layer, Features: []Feature{pxFeat(pxBox(20, 20, 236, 236))}}}, float64(k))
			img := Render(layers, st, testTile, tc.size)
			// Scan the row (or column) near the middle that lies between
			// two lines of the cross-hatch's other set: the palest one.
			at := func(i, j int) uint8 {
				if tc.vertical {
					return img.NRGBAAt(i, j).A
				}
				return img.NRGBAAt(j, i).A
			}
			row, best := 0, math.MaxInt
			for i := 125 * k; i < 135*k; i++ {
				sum := 0
				for j := 40 * k; j < 216*k; j++ {
					sum += int(at(i, j))
				}
				if sum < best {
					row, best = i, sum
				}
			}
			starts := hatchRuns(img, row, 40*k, 216*k, tc.vertical)
			if len(starts) < 15 {
				t.Fatalf("got %d hatch lines along the scanline, want at least 15: %v", len(starts), starts)
			}
			got := float64(starts[len(starts)-1]-starts[0]) / float64(len(starts)-1)
			if math.Abs(got-tc.period) > 0.25*float64(k) {
				t.Errorf("mean spacing along the scanline: got %.2f px, want %.2f", got, tc.period)
			}
			// Line pixels carry the hatch colour, gaps the light fill.
			want := DefaultPalette(false).Russian
			if tc.layer == "to_ukraine" {
				want = DefaultPalette(false).Returned
			}
			want.A = 255
			var line color.NRGBA // the strongest pixel across the line
			for j := starts[2]; j < starts[2]+3*k; j++ {
				c := img.NRGBAAt(j, row)
				if tc.vertical {
					c = img.NRGBAAt(row, j)
				}
				if c.A > line.A {
					line = c
				}
			}
			if !nearColor(line, want, 40) {
				t.Errorf("hatch line pixel: got %v, want near %v", line, want)
			}
		})
	}
}

func TestRenderHatchIsContinuousAcrossTileEdges(t *testing.T) {
	st := DefaultStyle(false)
	for _, size := range []int{256, 512} {
		for _, layer := range []string{"to_russia", "to_ukraine"} {
			t.Run(fmt.Sprintf("%s at %d", layer, size), func(t *testing.T) {
				s := float64(size)
				a := Tile{Z: 7, X: 77, Y: 44}
				b := Tile{Z: 7, X: 78, Y: 44}
				// One polygon spanning both tiles, in a's pixels.
				world := []Layer{{Name: layer, Features: []Feature{pxFeat(pxBox(0.3*s, 0.1*s, 1.7*s, 0.9*s))}}}
				ia := Render(world, st, a, size)
				ib := Render(shifted(world, -s, 0), st, b, size)
				// The diagonal "/" runs up one row per column: column 0 of b
				// continues column size-1 of a one row up.
				dy := 0
				if layer == "to_russia" {
					dy = -1
				}
				mismatch, hatch := 0, 0
				for y := int(0.1*s) + 2; y < int(0.9*s)-2; y++ {
					pa, pb := ia.NRGBAAt(size-1, y), ib.NRGBAAt(0, y+dy)
					if !nearColor(pa, pb, 2) {
						mismatch++
					}
					if pa.A > 160 {
						hatch++
					}
				}
				if mismatch > 0 {
					t.Errorf("%d pixels of the shared edge do not continue across it", mismatch)
				}
				if hatch == 0 {
					t.Errorf("no hatch line crosses the shared edge")
				}
				// The two tiles are exactly the two halves of one wide view.
				wide := RenderView(world, st, View{Z: 7, X: float64(a.X) * s, Y: float64(a.Y) * s, Width: 2 * size, Height: size, Scale: s / 256})
				assertSameAsSubimage(t, "left tile", ia, wide, 0)
				assertSameAsSubimage(t, "right tile", ib, wide, size)
			})
		}
	}
}

// assertSameAsSubimage checks that tile equals the part of wide starting
// at column x0, within 2 per channel.
func assertSameAsSubimage(t *testing.T, what string, tile, wide *image.NRGBA, x0 int) {
	t.Helper()
	bad := 0
	var first image.Point
	for y := 0; y < tile.Rect.Dy(); y++ {
		for x := 0; x < tile.Rect.Dx(); x++ {
			if !nearColor(tile.NRGBAAt(x, y), wide.NRGBAAt(x0+x, y), 2) {
				if bad == 0 {
					first = image.Pt(x, y)
				}
				bad++
			}
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d pixels differ from the same area drawn as one image (first at %v: %v vs %v)",
			what, bad, first, tile.NRGBAAt(first.X, first.Y), wide.NRGBAAt(x0+first.X, first.Y))
	}
}

func TestRenderLabelCrossingATileEdgeIsDrawnWholeInBothTiles(t *testing.T) {
	st := DefaultStyle(false)
	for _, size := range []int{256, 512} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			s := float64(size)
			k := s / 256
			a, b := Tile{Z: 8, X: 154, Y: 89}, Tile{Z: 8, X: 155, Y: 89}
			// A city 20 CSS px left of the shared edge: its name runs into b,
			// whose data holds the point in its buffer (x = -20).
			city := []Layer{{Name: "cities", Features: []Feature{
				pxFeat(orb.Point{236 * k, 128 * k}, "name_en", "Kostiantynivka", "pop_class", 3),
			}}}
			ia := Render(city, st, a, size)
			ib := Render(shifted(city, -s, 0), st, b, size)
			inked := func(img *image.NRGBA, x0, x1 int) int {
				n := 0
				for x := x0; x < x1; x++ {
					for y := int(110 * k); y < int(146*k); y++ {
						if c := img.NRGBAAt(x, y); c.A > 200 && c.R < 100 {
							n++
						}
					}
				}
				return n
			}
			if n := inked(ia, size-int(12*k), size); n == 0 {
				t.Errorf("tile a: no text pixels near its right edge")
			}
			if n := inked(ib, 0, int(60*k)); n < int(40*k) {
				t.Errorf("tile b: got %d text pixels near its left edge, want the rest of the name", n)
			}
			wide := RenderView(city, st, View{Z: 8, X: float64(a.X) * s, Y: float64(a.Y) * s, Width: 2 * size, Height: size, Scale: k})
			assertSameAsSubimage(t, "left tile", ia, wide, 0)
			assertSameAsSubimage(t, "right tile", ib, wide, size)
		})
	}
}

func TestRenderCitiesFromTheirClassMinZoom(t *testing.T) {
	st := DefaultStyle(false)
	cities := []Layer{{Name: "cities", Features: []Feature{
		pxFeat(orb.Point{60, 60}, "name_en", "Kharkiv", "pop_class", 1.0), // a JSON number
		pxFeat(orb.Point{60, 180}, "name_en", "Siversk", "pop_class", 4),
	}}}
	drawnNear := func(img *image.NRGBA, x, y int) bool {
		for dy := -2; dy <= 2; dy++ {
			for dx := -2; dx <= 2; dx++ {
				if img.NRGBAAt(x+dx, y+dy).A > 0 {
					return true
				}
			}
		}
		return false
	}
	for _, tc := range []struct {
		z             int
		large, little bool
	}{{3, true, false}, {6, true, false}, {7, true, true}, {12, true, true}} {
		img := Render(cities, st, Tile{Z: tc.z}, 256)
		if got := drawnNear(img, 60, 60); got != tc.large {
			t.Errorf("z%d pop_class 1 drawn: got %v, want %v", tc.z, got, tc.large)
		}
		if got := drawnNear(img, 60, 180); got != tc.little {
			t.Errorf("z%d pop_class 4 drawn: got %v, want %v", tc.z, got, tc.little)
		}
	}
}

func TestRenderEmphasisesTheFourOblastsBorders(t *testing.T) {
	st := DefaultStyle(false)
	// Three oblasts side by side: a plain edge at x = 64, an emphasised
	// one (Donetsk's) at x = 192.
	layers := []Layer{{Name: "oblasts", Features: []Feature{
		pxFeat(pxBox(-20, -20, 64, 276), "iso", "UA-63"),
		pxFeat(pxBox(64, -20, 192, 276), "iso", "UA-12"),
		pxFeat(pxBox(192, -20, 276, 276), "iso", "UA-14"),
	}}}
	img := Render(layers, st, Tile{Z: 8, X: 154, Y: 89}, 256)
	edge := func(x0, x1 int) (width float64, darkest uint8) {
		darkest = 255
		oblast := DefaultPalette(false).Oblast
		for x := x0; x < x1; x++ {
			c := img.NRGBAAt(x, 128)
			darkest = min(darkest, c.G)
			width += float64(int(oblast.G)-int(c.G)) / 255
		}
		return width, darkest
	}
	plainW, plainDark := edge(54, 74)
	emphW, emphDark := edge(182, 202)
	if emphW < 1.8*plainW {
		t.Errorf("emphasised border darkness-width %.2f, plain %.2f: want at least 1.8 times", emphW, plainW)
	}
	if emphDark >= plainDark {
		t.Errorf("emphasised border darkest green %d, plain %d: want darker", emphDark, plainDark)
	}
}

func TestRenderPNGDecodesToRender(t *testing.T) {
	layers := []Layer{{Name: "control", Features: []Feature{pxFeat(pxBox(30.5, 40.25, 200, 220))}}}
	st := DefaultStyle(false)
	for _, size := range []int{256, 512} {
		b, err := RenderPNG(scaled(layers, float64(size)/256), st, testTile, size)
		if err != nil {
			t.Fatal(err)
		}
		got := decodePNG(t, b)
		want := Render(scaled(layers, float64(size)/256), st, testTile, size)
		if got.Rect != want.Rect || !bytes.Equal(got.Pix, want.Pix) {
			t.Errorf("size %d: decoded PNG differs from Render", size)
		}
	}
}

func TestRenderPNGOfNothingIsATransparentTile(t *testing.T) {
	for _, tc := range []struct {
		name   string
		layers []Layer
	}{
		{"no layers", nil},
		{"empty layers", []Layer{{Name: "control"}, {Name: "line"}}},
		{"nothing visible", []Layer{{Name: "control", Features: []Feature{pxFeat(pxBox(300, 300, 400, 400))}}}},
		{"unstyled layer", []Layer{{Name: "unknown", Features: []Feature{pxFeat(pxBox(0, 0, 256, 256))}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := RenderPNG(tc.layers, DefaultStyle(false), testTile, 256)
			if err != nil {
				t.Fatal(err)
			}
			img := decodePNG(t, b)
			if img.Rect.Dx() != 256 || img.Rect.Dy() != 256 {
				t.Fatalf("got %v, want 256x256", img.Rect.Size())
			}
			for i := 3; i < len(img.Pix); i += 4 {
				if img.Pix[i] != 0 {
					t.Fatalf("pixel %d: alpha %d, want 0", i/4, img.Pix[i])
				}
			}
			b[0] = 'X' // the caller owns the bytes: no shared empty tile is harmed
			again, _ := RenderPNG(tc.layers, DefaultStyle(false), testTile, 256)
			decodePNG(t, again)
		})
	}
}

func TestRenderPNGRejectsOtherSizes(t *testing.T) {
	for _, size := range []int{0, -256, 128, 300, 1024} {
		if _, err := RenderPNG(nil, Style{}, testTile, size); !errors.Is(err, ErrRasterSize) {
			t.Errorf("size %d: got %v, want ErrRasterSize", size, err)
		}
	}
}

func TestRenderViewWithNoAreaIsEmpty(t *testing.T) {
	if got := RenderView(nil, DefaultStyle(false), View{Width: 0, Height: 10}); !got.Rect.Empty() {
		t.Errorf("got %v, want an empty image", got.Rect)
	}
}

func TestRenderLeavesItsInputAlone(t *testing.T) {
	layers := []Layer{
		{Name: "oblasts", Features: []Feature{pxFeat(orb.Polygon{
			{{20, 20}, {20, 200}, {200, 200}, {200, 20}, {20, 20}}, // clockwise exterior
			{{50, 50}, {100, 50}, {100, 100}, {50, 100}, {50, 50}},
		}, "iso", "UA-14")}},
		{Name: "line", Features: []Feature{pxFeat(orb.LineString{{0, 0}, {10, 10}, {10, 10}, {250, 30}})}},
		{Name: "cities", Features: []Feature{pxFeat(orb.Point{100, 100}, "name_en", "Kramatorsk", "pop_class", 3)}},
	}
	before := scaled(layers, 1)
	st := DefaultStyle(false)
	stBefore := DefaultStyle(false)
	Render(layers, st, Tile{Z: 9, X: 309, Y: 178}, 256)
	if !reflect.DeepEqual(layers, before) {
		t.Errorf("Render changed its layers")
	}
	if !reflect.DeepEqual(st, stBefore) {
		t.Errorf("Render changed its style")
	}
}

func TestRenderDegenerateGeometryDoesNotPanic(t *testing.T) {
	nan := math.NaN()
	layers := []Layer{
		{Name: "control", Features: []Feature{
			pxFeat(nil), pxFeat(orb.Polygon{}), pxFeat(orb.Polygon{{}}), pxFeat(orb.Polygon{{{1, 1}, {1, 1}, {1, 1}, {1, 1}}}),
			pxFeat(orb.MultiPolygon{pxBox(1e6, 1e6, 1e6+1, 1e6+1)}),
			pxFeat(orb.Collection{pxBox(10, 10, 20, 20), orb.Point{5, 5}}),
		}},
		{Name: "line", Features: []Feature{
			pxFeat(orb.LineString{}), pxFeat(orb.LineString{{5, 5}}), pxFeat(orb.LineString{{5, 5}, {5, 5}}),
			pxFeat(orb.LineString{{0, 0}, {nan, 3}, {100, 100}}),
			pxFeat(orb.LineString{{0, 0}, {100, 0}, {0, 0}}), // a U-turn
			pxFeat(orb.MultiLineString{{{-1e5, -1e5}, {1e5, 1e5}}}),
		}},
		{Name: "cities", Features: []Feature{
			pxFeat(orb.Point{10, 10}), // no name
			pxFeat(orb.MultiPoint{{20, 20}, {30, 30}}, "name_en", "Twin", "pop_class", "1"),
			pxFeat(orb.Point{40, 40}, "name_en", "\u0416\u2603\x00", "pop_class", 1),
		}},
	}
	for _, size := range []int{256, 512} {
		if _, err := RenderPNG(layers, DefaultStyle(true), Tile{Z: 10}, size); err != nil {
			t.Fatal(err)
		}
	}
	// A NaN in one line spoils neither the rest of that line nor the
	// layer's other lines, and a NaN point is skipped.
	st := Style{Layers: []LayerStyle{{Layer: "line", Stroke: Stroke{Paint: Paint{Color: color.NRGBA{0, 0, 0, 255}, Opacity: 1}, Width: Const(2)}}}}
	img := Render([]Layer{{Name: "line", Features: []Feature{
		pxFeat(orb.LineString{{10, 50.5}, {nan, 50}, {240, 50.5}}),
		pxFeat(orb.LineString{{10, 150.5}, {240, 150.5}}),
		pxFeat(orb.Point{nan, nan}),
	}}}, st, testTile, 256)
	if img.NRGBAAt(128, 50).A < 200 || img.NRGBAAt(128, 150).A < 200 {
		t.Errorf("lines next to a NaN not drawn: alpha %d and %d", img.NRGBAAt(128, 50).A, img.NRGBAAt(128, 150).A)
	}
}

func TestRenderDashedStroke(t *testing.T) {
	st := Style{Layers: []LayerStyle{{Layer: "current_line", Stroke: Stroke{
		Paint: Paint{Color: color.NRGBA{0, 0, 0, 255}, Opacity: 1}, Width: Const(2), DashPx: []float64{6, 4}}}}}
	img := Render([]Layer{{Name: "current_line", Features: []Feature{pxFeat(orb.LineString{{0, 100.5}, {256, 100.5}})}}}, st, testTile, 256)
	starts := hatchRuns(img, 100, 0, 256, false)
	if len(starts) < 20 {
		t.Fatalf("got %d dashes, want about 25", len(starts))
	}
	got := float64(starts[len(starts)-1]-starts[0]) / float64(len(starts)-1)
	if math.Abs(got-10) > 0.1 {
		t.Errorf("dash period: got %.2f px, want 10", got)
	}
}

// goldenLayers are small synthetic fixtures for the goldens: two
// neighbouring countries' edge, three oblasts (one emphasised), a
// Russian-held area with its line, a scenario's transfers and a diff,
// cities of every class.
func goldenLayers() map[string][]Layer {
	wavy := func(x0, y0, x1, y1 float64, n int, amp float64) []orb.Point {
		pts := make([]orb.Point, 0, n+1)
		for i := 0; i <= n; i++ {
			t := float64(i) / float64(n)
			x := x0 + (x1-x0)*t
			y := y0 + (y1-y0)*t
			w := amp * math.Sin(math.Pi*t) * (math.Sin(t*23) + 0.5*math.Sin(t*61+1) + 0.25*math.Sin(t*137+2))
			// Offset perpendicular to the chord.
			l := math.Hypot(x1-x0, y1-y0)
			pts = append(pts, orb.Point{x - w*(y1-y0)/l, y + w*(x1-x0)/l})
		}
		return pts
	}
	poly := func(parts ...[]orb.Point) orb.Polygon {
		var r orb.Ring
		for _, p := range parts {
			r = append(r, p...)
		}
		r = append(r, r[0])
		return orb.Polygon{r}
	}
	border := wavy(200, -8, 232, 264, 120, 6)  // with Russia, east
	west := wavy(70, -8, 90, 264, 120, 5)      // oblast edge
	front := wavy(150, -8, 120, 264, 240, 9)   // line of contact
	current := wavy(165, -8, 140, 264, 240, 7) // today's line, scenario
	rev := func(p []orb.Point) []orb.Point {
		out := make([]orb.Point, len(p))
		for i := range p {
			out[i] = p[len(p)-1-i]
		}
		return out
	}
	cat := func(parts ...[]orb.Point) []orb.Point {
		var out []orb.Point
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	// Oblast edges meet the border exactly at shared vertices.
	iw, ib := 45, 50
	north := wavy(west[iw][0], west[iw][1], border[ib][0], border[ib][1], 100, 5)
	base := []Layer{
		{Name: "background", Features: []Feature{pxFeat(pxBox(-8, -8, 264, 264))}},
		{Name: "countries", Features: []Feature{pxFeat(poly(border, []orb.Point{{264, 264}, {264, -8}}), "iso", "RU", "name_en", "Russia")}},
		{Name: "oblasts", Features: []Feature{
			pxFeat(poly([]orb.Point{{-8, -8}}, west, []orb.Point{{-8, 264}}), "iso", "UA-12"),
			pxFeat(poly(cat(west[:iw+1], north[1:], rev(border[:ib]))), "iso", "UA-63"),
			pxFeat(poly(cat(west[iw:], rev(border[ib:]), rev(north)[1:len(north)-1])), "iso", "UA-14"),
		}},
	}
	cities := Layer{Name: "cities", Features: []Feature{
		pxFeat(orb.Point{40, 60}, "name_en", "Dnipro", "pop_class", 2),
		pxFeat(orb.Point{120, 40}, "name_en", "Kharkiv", "pop_class", 1),
		pxFeat(orb.Point{110, 170}, "name_en", "Kramatorsk", "pop_class", 3),
		pxFeat(orb.Point{175, 215}, "name_en", "Donetsk", "pop_class", 2),
		pxFeat(orb.Point{100, 232}, "name_en", "Pokrovsk", "pop_class", 3),
		pxFeat(orb.Point{150, 90}, "name_en", "Kupiansk", "pop_class", 4),
		pxFeat(orb.Point{236, 140}, "name_en", "Siversk", "pop_class", 4), // label runs off the edge
	}}
	control := poly(front, []orb.Point{{264, 264}, {264, -8}})
	overlayControl := []Layer{
		{Name: "control", Features: []Feature{pxFeat(control)}},
		{Name: "line", Features: []Feature{pxFeat(orb.LineString(front))}},
	}
	// The deal's line runs west of today's; Russia would return the
	// north-east corner, east of ukrEdge.
	dealEdge := wavy(110, -8, 60, 264, 240, 8)
	ukrEdge := wavy(170, -8, 264, 70, 80, 4)
	russia := poly(dealEdge, []orb.Point{{264, 264}}, rev(ukrEdge))
	scenario := []Layer{
		{Name: "russia", Features: []Feature{pxFeat(russia)}},
		{Name: "to_russia", Features: []Feature{pxFeat(poly(dealEdge, rev(front)))}},
		{Name: "to_ukraine", Features: []Feature{pxFeat(poly(ukrEdge, []orb.Point{{264, -8}}))}},
		{Name: "line", Features: []Feature{pxFeat(orb.LineString(dealEdge)), pxFeat(orb.LineString(ukrEdge))}},
		{Name: "current_line", Features: []Feature{pxFeat(orb.LineString(front))}},
	}
	diff := []Layer{
		{Name: "gained", Features: []Feature{pxFeat(poly(front, rev(current)))}},
		{Name: "lost", Features: []Feature{pxFeat(poly(wavy(60, 150, 110, 200, 40, 6), wavy(110, 200, 60, 150, 40, 10)))}},
	}
	join := func(ls ...[]Layer) []Layer {
		var out []Layer
		for _, l := range ls {
			out = append(out, l...)
		}
		return out
	}
	return map[string][]Layer{
		"base":              join(base, []Layer{cities}),
		"control":           overlayControl,
		"scenario":          scenario,
		"diff":              diff,
		"combined":          join(base, overlayControl, []Layer{cities}),
		"combined_scenario": join(base, scenario, []Layer{cities}),
	}
}

func TestRenderGoldens(t *testing.T) {
	fixtures := goldenLayers()
	for _, tc := range []struct {
		name, fixture string
		dark          bool
		size          int
		background    bool
	}{
		{"base_light", "base", false, 256, true},
		{"base_dark", "base", true, 256, true},
		{"control_overlay_light", "control", false, 256, false},
		{"scenario_overlay_light", "scenario", false, 256, false},
		{"scenario_overlay_dark@2x", "scenario", true, 512, false},
		{"diff_overlay_light", "diff", false, 256, false},
		{"combined_light@2x", "combined", false, 512, true},
		{"combined_scenario_light", "combined_scenario", false, 256, true},
		{"combined_scenario_dark", "combined_scenario", true, 256, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := DefaultStyle(tc.dark)
			if tc.background {
				st.Background = DefaultPalette(tc.dark).Sea
			}
			layers := scaled(fixtures[tc.fixture], float64(tc.size)/256)
			b, err := RenderPNG(layers, st, Tile{Z: 8, X: 154, Y: 89}, tc.size)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.name, decodePNG(t, b))
		})
	}
}

// TestRenderStrokeMatchesItsSegments checks the stroker against a slow
// reference on a wiggly border: the coverage of every segment drawn alone
// (a capsule: round caps make round joins), combined by maximum. The
// stroker's single outline must neither lose coverage at sharp inner
// corners nor pile it up where joins overlap.
func TestRenderStrokeMatchesItsSegments(t *testing.T) {
	// Lines that do not retrace each other: the line of contact and one
	// oblast's ring. (Two features sharing an edge are stroked in one
	// pass, so their coverage adds up along it: a shared border is drawn
	// a little heavier, as Mapnik draws it.)
	var lines []orb.LineString
	for _, l := range goldenLayers()["combined"] {
		for _, f := range l.Features {
			switch g := f.Geometry.(type) {
			case orb.LineString:
				lines = append(lines, g)
			case orb.Polygon:
				if f.Properties["iso"] == "UA-14" {
					lines = append(lines, orb.LineString(g[0]))
				}
			}
		}
	}
	for _, width := range []float64{0.8, 2.4, 5} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			st := Style{Layers: []LayerStyle{{Layer: "l", Stroke: Stroke{Paint: Paint{Color: color.NRGBA{0, 0, 0, 255}, Opacity: 1}, Width: Const(width)}}}}
			var feats []Feature
			for _, l := range lines {
				feats = append(feats, pxFeat(l))
			}
			got := Render([]Layer{{Name: "l", Features: feats}}, st, testTile, 256)
			ref := image.NewNRGBA(got.Rect)
			inked := 0
			for _, l := range lines {
				for i := 1; i < len(l); i++ {
					seg := Render([]Layer{{Name: "l", Features: []Feature{pxFeat(orb.LineString{l[i-1], l[i]})}}}, st, testTile, 256)
					for j := 3; j < len(seg.Pix); j += 4 {
						ref.Pix[j] = max(ref.Pix[j], seg.Pix[j])
					}
				}
			}
			bad := 0
			for j := 3; j < len(ref.Pix); j += 4 {
				if ref.Pix[j] > 0 {
					inked++
				}
				if absInt(int(got.Pix[j])-int(ref.Pix[j])) > 48 {
					bad++
				}
			}
			if bad > inked/200 {
				t.Errorf("%d of %d inked pixels differ from the union of the segments by more than 48", bad, inked)
			}
		})
	}
}

// shippedCities returns the cities shipped under ../data as a layer.
func shippedCities(t *testing.T) Layer {
	fc := readShipped(t, "cities.geojson")
	l := Layer{Name: "cities"}
	for _, f := range fc.Features {
		l.Features = append(l.Features, Feature{Geometry: f.Geometry, Properties: map[string]any(f.Properties)})
	}
	return l
}

func TestPlaceLabelsKeepsLabelsApartAtEveryZoom(t *testing.T) {
	st := DefaultStyle(false)
	in := shippedCities(t)
	placed := PlaceLabels(in, st)
	if len(placed.Features) != len(in.Features) {
		t.Fatalf("got %d features, want %d", len(placed.Features), len(in.Features))
	}
	if _, ok := in.Features[0].Properties[LabelZoomsProperty]; ok {
		t.Fatalf("PlaceLabels changed its input's properties")
	}
	r := rendererPool.Get().(*renderer)
	defer rendererPool.Put(r)
	for z := 3; z <= MaxZoom; z++ {
		world := RasterTileSize * math.Exp2(float64(z))
		var boxes []orb.Bound
		var names []string
		shown, visible := 0, 0
		for _, f := range placed.Features {
			props := f.Properties
			var entry *LayerStyle
			for i := range st.Layers {
				if ls := &st.Layers[i]; ls.Layer == "cities" && ls.visible(z) && ls.Filter.Match(props) {
					entry = ls
				}
			}
			if entry == nil {
				continue
			}
			visible++
			show, left := labelSide(props, z)
			if !show {
				continue
			}
			shown++
			lf, _ := r.labelFont(entry, 1)
			var laid placedLabel
			w, ink := r.layoutText(propertyText(props["name_en"]), lf, &laid)
			pt := worldPixel(f.Geometry.(orb.Point), world)
			_, box := labelBox(pt, lf, w, ink, left, 0, 0)
			if reach := max(box.Max[0]-pt[0], pt[0]-box.Min[0]); reach > LabelBufferPx {
				t.Errorf("z%d: the label of %v reaches %.0f px from its point, beyond LabelBufferPx", z, props["name_en"], reach)
			}
			for i, b := range boxes {
				if b.Intersects(box) {
					t.Errorf("z%d: labels of %s and %v overlap", z, names[i], props["name_en"])
				}
			}
			boxes = append(boxes, box)
			names = append(names, propertyText(props["name_en"]))
		}
		if z >= 9 && shown != visible {
			t.Errorf("z%d: %d of %d visible cities labelled, want all", z, shown, visible)
		}
		if shown < visible/2 {
			t.Errorf("z%d: only %d of %d visible cities labelled", z, shown, visible)
		}
	}
}

func TestRenderObeysPlacedLabels(t *testing.T) {
	st := DefaultStyle(false)
	city := func(zooms, lefts int64) []Layer {
		return []Layer{{Name: "cities", Features: []Feature{pxFeat(orb.Point{128, 128}, "name_en", "Kramatorsk",
			"pop_class", 3, LabelZoomsProperty, zooms, LabelLeftZoomsProperty, lefts)}}}
	}
	ink := func(img *image.NRGBA, x0, x1 int) int {
		n := 0
		for y := 115; y < 140; y++ {
			for x := x0; x < x1; x++ {
				if c := img.NRGBAAt(x, y); c.A > 200 && c.R < 100 {
					n++
				}
			}
		}
		return n
	}
	z := Tile{Z: 9}
	right := Render(city(1<<9, 0), st, z, 256)
	left := Render(city(1<<9, 1<<9), st, z, 256)
	hidden := Render(city(1<<8, 0), st, z, 256)
	if ink(right, 135, 230) == 0 || ink(right, 20, 122) != 0 {
		t.Errorf("label placed right: text found at the wrong side")
	}
	if ink(left, 20, 122) == 0 || ink(left, 135, 230) != 0 {
		t.Errorf("label placed left: text found at the wrong side")
	}
	if ink(hidden, 0, 256) > ink(hidden, 124, 133) {
		t.Errorf("label hidden at z9: text drawn")
	}
}

// TestRenderThroughSource cuts shipped data with Source.Tile, as the server
// does, and checks what the tiles show: the Russian-held area filled over
// Donetsk city and not over Kramatorsk, and a city label crossing a tile
// edge drawn whole and alike in both tiles.
func TestRenderThroughSource(t *testing.T) {
	control := readShipped(t, "control/2025-08-15.geojson")
	cities := shippedCities(t)
	l := Layer{Name: "control"}
	for _, f := range control.Features {
		l.Features = append(l.Features, Feature{Geometry: f.Geometry, Properties: map[string]any{}})
	}
	st := DefaultStyle(false)
	src := NewSource([]Layer{l, PlaceLabels(cities, st)})

	for _, tc := range []struct {
		name     string
		lon, lat float64
		filled   bool
	}{
		{"Donetsk", 37.80, 48.00, true},
		{"Luhansk", 39.31, 48.57, true},
		{"Kramatorsk", 37.58, 48.74, false},
		{"Zaporizhzhia", 35.14, 47.84, false},
	} {
		for _, size := range []int{256, 512} {
			tl := tileAt(tc.lon, tc.lat, 9)
			img := Render(keepLayers(src.Tile(tl, size, 4), "control"), st, tl, size)
			x, y := tilePixel(tl, size, tc.lon, tc.lat)
			if got := img.NRGBAAt(x, y).A > 0; got != tc.filled {
				t.Errorf("%s at z9@%d: filled %v, want %v", tc.name, size, got, tc.filled)
			}
		}
	}

	// Find a city whose label runs over the east edge of its tile at z8.
	var city string
	var a Tile
	for _, f := range cities.Features {
		p := f.Geometry.(orb.Point)
		tl := tileAt(p[0], p[1], 8)
		if x, _ := tilePixel(tl, 256, p[0], p[1]); x > 200 {
			if pc, _ := propertyInt(f.Properties["pop_class"]); pc <= 2 {
				city, a = propertyText(f.Properties["name_en"]), tl
				break
			}
		}
	}
	if city == "" {
		t.Fatal("no city near a tile edge at z8")
	}
	b := Tile{Z: a.Z, X: a.X + 1, Y: a.Y}
	for _, size := range []int{256, 512} {
		buf := LabelBufferPx * size / RasterTileSize
		ia := Render(keepLayers(src.Tile(a, size, buf), "cities"), st, a, size)
		ib := Render(keepLayers(src.Tile(b, size, buf), "cities"), st, b, size)
		// The same area as one image, from one cut with a buffer wide
		// enough to cover both tiles.
		wide := RenderView(keepLayers(src.Tile(a, size, size+buf), "cities"), st,
			View{Z: a.Z, X: float64(a.X) * float64(size), Y: float64(a.Y) * float64(size), Width: 2 * size, Height: size, Scale: float64(size) / 256})
		assertSameAsSubimage(t, city+" left tile", ia, wide, 0)
		assertSameAsSubimage(t, city+" right tile", ib, wide, size)
		inked := 0
		for y := 0; y < size; y++ {
			for x := 0; x < 8; x++ {
				if ib.NRGBAAt(x, y).A > 0 {
					inked++
				}
			}
		}
		if inked == 0 {
			t.Errorf("%s@%d: nothing of the label in the right tile's first columns", city, size)
		}
	}
}

// tileAt returns the tile of zoom z holding lon/lat.
func tileAt(lon, lat float64, z int) Tile {
	p := worldPixel(orb.Point{lon, lat}, math.Exp2(float64(z)))
	return Tile{Z: z, X: uint32(p[0]), Y: uint32(p[1])}
}

// TestPNGWriterRoundTrips decodes the hand-written encoder's output with
// image/png on images that exercise every kind of match and literal:
// noise, runs, repeated rows, diagonals, odd sizes, opaque and not.
func TestPNGWriterRoundTrips(t *testing.T) {
	seed := uint32(1)
	rnd := func() uint8 {
		seed = seed*1664525 + 1013904223
		return uint8(seed >> 24)
	}
	for _, tc := range []struct {
		name string
		w, h int
		fill func(img *image.NRGBA, x, y int) color.NRGBA
	}{
		{"noise", 97, 31, func(_ *image.NRGBA, _, _ int) color.NRGBA { return color.NRGBA{rnd(), rnd(), rnd(), rnd()} }},
		{"opaque noise", 64, 64, func(_ *image.NRGBA, _, _ int) color.NRGBA { return color.NRGBA{rnd(), rnd(), rnd(), 255} }},
		{"flat", 512, 512, func(_ *image.NRGBA, _, _ int) color.NRGBA { return color.NRGBA{10, 20, 30, 40} }},
		{"stripes", 300, 7, func(_ *image.NRGBA, x, _ int) color.NRGBA { return color.NRGBA{uint8(x / 5), 0, 0, 255} }},
		{"diagonal", 256, 256, func(_ *image.NRGBA, x, y int) color.NRGBA {
			if (x+y)%6 < 2 {
				return color.NRGBA{213, 94, 0, 255}
			}
			return color.NRGBA{213, 94, 0, 30}
		}},
		{"anti-diagonal", 129, 65, func(_ *image.NRGBA, x, y int) color.NRGBA { return color.NRGBA{uint8(x - y), 1, 2, 255} }},
		{"one pixel", 1, 1, func(_ *image.NRGBA, _, _ int) color.NRGBA { return color.NRGBA{1, 2, 3, 4} }},
		{"sparse noise", 200, 100, func(_ *image.NRGBA, _, _ int) color.NRGBA {
			if rnd() < 8 {
				return color.NRGBA{rnd(), rnd(), rnd(), rnd()}
			}
			return color.NRGBA{}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := image.NewNRGBA(image.Rect(0, 0, tc.w, tc.h))
			for y := 0; y < tc.h; y++ {
				for x := 0; x < tc.w; x++ {
					img.SetNRGBA(x, y, tc.fill(img, x, y))
				}
			}
			var pw pngWriter
			var b bytes.Buffer
			for range 2 { // a second run reuses the buffers
				b.Reset()
				if err := pw.encode(&b, img); err != nil {
					t.Fatal(err)
				}
			}
			got := decodePNG(t, b.Bytes())
			if got.Rect != img.Rect || !bytes.Equal(got.Pix, img.Pix) {
				t.Fatalf("decoded image differs from the encoded one")
			}
		})
	}
}
