package tiles

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/frontlinemap/frontline/geo"
	"github.com/frontlinemap/frontline/geo/scenario"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// realisticTile is the tile of the realistic fixture: 6/38/22, from
// Kherson to the Donbas and the north of Crimea, where the line of
// contact, the four emphasised oblasts, the Russian border, the coast,
// the Alaska scenario's transfers and the main cities meet.
var realisticTile = Tile{Z: 6, X: 38, Y: 22}

// combinedLayers are the fixture's layers of a one-URL image: the basemap
// under the alaska-2025 scenario overlay.
var combinedLayers = []string{
	"background", "countries", "oblasts", "russia", "to_russia", "to_ukraine",
	"line", "current_line", "cities",
}

// realisticLayerOrder is the layer order of the fixture, as a server would
// stack a basemap and the alaska-2025 scenario overlay in one image.
var realisticLayerOrder = []string{
	"background", "countries", "oblasts", "control", "russia", "to_russia", "to_ukraine",
	"line", "current_line", "cities",
}

const realisticFixture = "testdata/raster/realistic_tile.geojson"

// loadRealisticTile reads the fixture: the layers of realisticTile in
// pixels of a 256 px tile, as Source.Tile cut them (buffer 8 px, cities
// LabelBufferPx, labels placed by PlaceLabels). With -update it first regenerates it from the data
// shipped under ../data.
func loadRealisticTile(tb testing.TB) []Layer {
	tb.Helper()
	if updateRaster() {
		writeRealisticFixture(tb)
	}
	b, err := os.ReadFile(realisticFixture)
	if err != nil {
		tb.Fatalf("fixture: %v (regenerate with go test ./tiles -run TestRenderPNGRealisticTile -update)", err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		tb.Fatalf("fixture %s: %v", realisticFixture, err)
	}
	layers := make([]Layer, len(realisticLayerOrder))
	for i, name := range realisticLayerOrder {
		layers[i].Name = name
	}
	for _, f := range fc.Features {
		i := slices.Index(realisticLayerOrder, f.Properties.MustString("layer", ""))
		if i < 0 {
			tb.Fatalf("fixture feature in unknown layer %v", f.Properties["layer"])
		}
		props := map[string]any(f.Properties.Clone())
		delete(props, "layer")
		layers[i].Features = append(layers[i].Features, Feature{Geometry: f.Geometry, Properties: props})
	}
	return layers
}

// readShipped reads one of the GeoJSON files under ../data.
func readShipped(tb testing.TB, name string) *geojson.FeatureCollection {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "data", name))
	if err != nil {
		tb.Skipf("shipped data absent: %v", err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return fc
}

func multiPolygon(g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

// shippedLayers builds the lon/lat layers of realisticLayerOrder from the
// data under ../data: boundaries, the demonstration line of 2025-08-15,
// cities, and the alaska-2025 scenario evaluated with geo/scenario.
func shippedLayers(tb testing.TB) []Layer {
	tb.Helper()
	oblasts := readShipped(tb, "boundaries/ukraine.geojson")
	neighbours := readShipped(tb, "boundaries/neighbours.geojson")
	control := readShipped(tb, "control/2025-08-15.geojson")
	cities := readShipped(tb, "cities.geojson")

	env := scenario.Env{Units: map[string]orb.MultiPolygon{}}
	var all []orb.MultiPolygon
	for _, f := range oblasts.Features {
		mp := multiPolygon(f.Geometry)
		env.Units[f.Properties.MustString("iso", "")] = mp
		all = append(all, mp)
	}
	var err error
	if env.Ukraine, err = geo.Union(all...); err != nil {
		tb.Fatal(err)
	}
	for _, f := range control.Features {
		env.Control = append(env.Control, multiPolygon(f.Geometry)...)
	}
	outline := geo.NewOutline(env.Ukraine)
	evaluate := func(rule string) scenario.Outcome {
		e, err := scenario.Parse(rule)
		if err != nil {
			tb.Fatal(err)
		}
		out, err := scenario.Evaluate(e, env, outline, scenario.Options{})
		if err != nil {
			tb.Fatal(err)
		}
		return out
	}
	alaska := evaluate("(control + oblast(UA-14) + oblast(UA-09)) - (control * (oblast(UA-59) + oblast(UA-63) + oblast(UA-12)))")
	today := evaluate("control")

	toLayer := func(name string, fc *geojson.FeatureCollection, keep ...string) Layer {
		l := Layer{Name: name}
		for _, f := range fc.Features {
			props := map[string]any{}
			for _, k := range keep {
				if v, ok := f.Properties[k]; ok {
					props[k] = v
				}
			}
			l.Features = append(l.Features, Feature{Geometry: f.Geometry, Properties: props})
		}
		return l
	}
	one := func(name string, g orb.Geometry) Layer {
		return Layer{Name: name, Features: []Feature{{Geometry: g, Properties: map[string]any{}}}}
	}
	return []Layer{
		one("background", orb.Bound{Min: orb.Point{20, 40}, Max: orb.Point{45, 55}}.ToPolygon()),
		toLayer("countries", neighbours, "iso", "name_en"),
		toLayer("oblasts", oblasts, "iso", "name_en"),
		one("control", alaska.Control),
		one("russia", alaska.Russia),
		one("to_russia", alaska.ToRussia),
		one("to_ukraine", alaska.ToUkraine),
		one("line", alaska.Line),
		one("current_line", today.Line),
		PlaceLabels(toLayer("cities", cities, "name_en", "pop_class"), DefaultStyle(false)),
	}
}

// writeRealisticFixture cuts realisticTile from the shipped data with
// Source.Tile and writes it as GeoJSON in tile pixels.
func writeRealisticFixture(tb testing.TB) {
	tb.Helper()
	lonlat := shippedLayers(tb)
	src := NewSource(lonlat)
	areas := src.Tile(realisticTile, RasterTileSize, 8)
	points := src.Tile(realisticTile, RasterTileSize, LabelBufferPx)
	fc := geojson.NewFeatureCollection()
	for i, l := range areas {
		if l.Name == "cities" {
			l = points[i]
		}
		for _, f := range l.Features {
			gf := geojson.NewFeature(f.Geometry)
			for k, v := range f.Properties {
				gf.Properties[k] = v
			}
			gf.Properties["layer"] = l.Name
			fc.Append(gf)
		}
	}
	b, err := json.Marshal(fc)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(realisticFixture, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// rasterVertexCount counts the points of every geometry in layers.
func rasterVertexCount(layers []Layer) (n int) {
	for _, l := range layers {
		for _, f := range l.Features {
			mapPoints(f.Geometry, func(p orb.Point) orb.Point { n++; return p })
		}
	}
	return n
}

// overlayOnly keeps the named layers.
func keepLayers(layers []Layer, names ...string) []Layer {
	var out []Layer
	for _, l := range layers {
		if slices.Contains(names, l.Name) {
			out = append(out, l)
		}
	}
	return out
}

// basemapStyle is DefaultStyle with the sea as the image background.
func basemapStyle(dark bool) Style {
	st := DefaultStyle(dark)
	st.Background = DefaultPalette(dark).Sea
	return st
}

// TestRenderPNGRealisticTile pins what BenchmarkRenderPNG renders: the
// fixture's size, the tiles' dimensions and pixels (goldens), and a few
// pixels whose meaning is known.
func TestRenderPNGRealisticTile(t *testing.T) {
	layers := loadRealisticTile(t)
	if n := rasterVertexCount(layers); n < 2000 {
		t.Errorf("fixture has %d vertices, want a realistic tile of at least 2000", n)
	}
	for _, tc := range []struct {
		name   string
		dark   bool
		size   int
		layers []string // nil: all
	}{
		{"realistic_light", false, 256, nil},
		{"realistic_dark@2x", true, 512, nil},
		{"realistic_control_overlay", false, 256, []string{"control", "line"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls := keepLayers(layers, combinedLayers...)
			st := basemapStyle(tc.dark)
			if tc.layers != nil {
				ls = keepLayers(layers, tc.layers...)
				st = DefaultStyle(tc.dark)
			}
			b, err := RenderPNG(scaled(ls, float64(tc.size)/256), st, realisticTile, tc.size)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) > tc.size*tc.size*4/3 {
				t.Errorf("PNG is %d bytes, want under a third of the raw pixels", len(b))
			}
			img := decodePNG(t, b)
			if img.Rect.Dx() != tc.size || img.Rect.Dy() != tc.size {
				t.Fatalf("got %v, want %dx%d", img.Rect.Size(), tc.size, tc.size)
			}
			checkGolden(t, tc.name, img)
		})
	}

	// Donetsk city (Russian-held since 2014) is filled, Kramatorsk
	// (Ukrainian-held) is not: on the control overlay, a few pixels off
	// each city's point.
	img := Render(keepLayers(layers, "control"), DefaultStyle(false), realisticTile, 256)
	for _, tc := range []struct {
		name     string
		lon, lat float64
		filled   bool
	}{
		{"Donetsk", 37.80, 48.00, true},
		{"Horlivka", 38.05, 48.30, true},
		{"Kramatorsk", 37.58, 48.74, false},
		{"Kostiantynivka", 37.71, 48.53, false},
	} {
		x, y := tilePixel(realisticTile, 256, tc.lon, tc.lat)
		if got := img.NRGBAAt(x, y).A > 0; got != tc.filled {
			t.Errorf("%s at pixel (%d, %d): filled %v, want %v", tc.name, x, y, got, tc.filled)
		}
	}
}

// tilePixel projects lon/lat to the pixel of tile t drawn size px wide.
func tilePixel(t Tile, size int, lon, lat float64) (int, int) {
	p := maptile.Fraction(orb.Point{lon, lat}, maptile.Zoom(t.Z))
	return int((p[0] - float64(t.X)) * float64(size)), int((p[1] - float64(t.Y)) * float64(size))
}

// BenchmarkRenderPNG renders and encodes the realistic fixture (a few
// thousand vertices: boundaries, the line of contact, a scenario's hatched
// transfers, a dozen labelled cities) as the server does on a cache miss.
// TestRenderPNGRealisticTile pins its output.
func BenchmarkRenderPNG(b *testing.B) {
	layers := loadRealisticTile(b)
	for _, bc := range []struct {
		name   string
		size   int
		layers []string
	}{
		{"combined/256", 256, nil},
		{"combined/512", 512, nil},
		{"control-overlay/256", 256, []string{"control", "line"}},
		{"scenario-overlay/256", 256, []string{"russia", "to_russia", "to_ukraine", "line", "current_line"}},
		{"base/256", 256, []string{"background", "countries", "oblasts", "cities"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ls := keepLayers(layers, combinedLayers...)
			st := basemapStyle(false)
			if bc.layers != nil {
				ls = keepLayers(layers, bc.layers...)
				st = DefaultStyle(false)
			}
			ls = scaled(ls, float64(bc.size)/256)
			b.ReportAllocs()
			var n int
			for b.Loop() {
				out, err := RenderPNG(ls, st, realisticTile, bc.size)
				if err != nil {
					b.Fatal(err)
				}
				n = len(out)
			}
			b.ReportMetric(float64(n), "png-bytes")
		})
	}
}

// rasterDeepstatePath is the 2025-08-15 DeepStateMap snapshot, outside the
// repository.
const rasterDeepstatePath = "../../shared/data/deepstate/deepstatemap_data_20250815.geojson"

// BenchmarkRenderPNGDeepstate renders, as 256 px control tiles (fill and
// outline, DefaultStyle), every tile z5 to z10 over the four oblasts from
// the 2025-08-15 DeepStateMap snapshot: Source.Tile then RenderPNG per
// tile, the raster half of the Mapnik comparison. One op is the
// whole list; ns/tile is the mean and median-ns/tile the median.
func BenchmarkRenderPNGDeepstate(b *testing.B) {
	data, err := os.ReadFile(rasterDeepstatePath)
	if err != nil {
		b.Skipf("real data absent: %v", err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		b.Fatal(err)
	}
	l := Layer{Name: "control"}
	for _, f := range fc.Features {
		if mp := multiPolygon(f.Geometry); mp != nil {
			l.Features = append(l.Features, Feature{Geometry: mp, Properties: map[string]any{}})
		}
	}
	src := NewSource([]Layer{l})
	var list []Tile
	for z := 5; z <= 10; z++ {
		nw := maptile.At(orb.Point{31.5, 50.1}, maptile.Zoom(z))
		se := maptile.At(orb.Point{40.3, 44.3}, maptile.Zoom(z))
		for x := nw.X; x <= se.X; x++ {
			for y := nw.Y; y <= se.Y; y++ {
				list = append(list, Tile{Z: z, X: x, Y: y})
			}
		}
	}
	st := Style{Layers: []LayerStyle{{
		Layer: "control",
		Fill:  Paint{Color: DefaultPalette(false).Russian, Opacity: 0.4},
		Stroke: Stroke{Paint: Paint{Color: DefaultPalette(false).RussianLine, Opacity: 1},
			Width: Const(1.5)},
	}}}
	for _, bc := range []struct {
		name string
		cut  bool
	}{{"tile+render", true}, {"render", false}} {
		b.Run(bc.name, func(b *testing.B) {
			pre := make([][]Layer, len(list))
			if !bc.cut {
				for i, tl := range list {
					pre[i] = src.Tile(tl, RasterTileSize, 4)
				}
			}
			b.ReportAllocs()
			per := make([]time.Duration, 0, len(list)*8)
			for b.Loop() {
				for i, tl := range list {
					start := time.Now()
					layers := pre[i]
					if bc.cut {
						layers = src.Tile(tl, RasterTileSize, 4)
					}
					if _, err := RenderPNG(layers, st, tl, RasterTileSize); err != nil {
						b.Fatal(fmt.Errorf("tile %s: %w", tl, err))
					}
					per = append(per, time.Since(start))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(list)), "ns/tile")
			slices.Sort(per)
			b.ReportMetric(float64(per[len(per)/2].Nanoseconds()), "median-ns/tile")
		})
	}
}

// TestRenderPNGConcurrently renders the realistic tile from several
// goroutines at once (pooled renderers, shared fonts): every result must
// be the same bytes.
func TestRenderPNGConcurrently(t *testing.T) {
	layers := keepLayers(loadRealisticTile(t), combinedLayers...)
	st := basemapStyle(false)
	want, err := RenderPNG(layers, st, realisticTile, 256)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 5; i++ {
				got, err := RenderPNG(layers, st, realisticTile, 256)
				if err == nil && !bytes.Equal(got, want) {
					err = fmt.Errorf("render %d differs from the first", i)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
