package tiles

import (
	"fmt"
	"math"
	"reflect"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/planar"
)

func TestParseTile(t *testing.T) {
	cases := []struct {
		name    string
		z, x, y int
		want    Tile
		wantErr bool
	}{
		{name: "world tile", z: 0, x: 0, y: 0, want: Tile{Z: 0}},
		{name: "last tile at z1", z: 1, x: 1, y: 1, want: Tile{Z: 1, X: 1, Y: 1}},
		{name: "donetsk at z10", z: 10, x: 619, y: 353, want: Tile{Z: 10, X: 619, Y: 353}},
		{name: "last tile at MaxZoom", z: MaxZoom, x: 1<<MaxZoom - 1, y: 1<<MaxZoom - 1, want: Tile{Z: MaxZoom, X: 1<<MaxZoom - 1, Y: 1<<MaxZoom - 1}},
		{name: "negative zoom", z: -1, x: 0, y: 0, wantErr: true},
		{name: "zoom past MaxZoom", z: MaxZoom + 1, x: 0, y: 0, wantErr: true},
		{name: "negative x", z: 3, x: -1, y: 0, wantErr: true},
		{name: "negative y", z: 3, x: 0, y: -1, wantErr: true},
		{name: "x equal to 2^z", z: 3, x: 8, y: 0, wantErr: true},
		{name: "y equal to 2^z", z: 3, x: 0, y: 8, wantErr: true},
		{name: "x 1 at zoom 0", z: 0, x: 1, y: 0, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTile(tc.z, tc.x, tc.y)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("ParseTile(%d, %d, %d) = %v, want an error", tc.z, tc.x, tc.y, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTile(%d, %d, %d): %v", tc.z, tc.x, tc.y, err)
			}
			if got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if s, want := got.String(), fmt.Sprintf("%d/%d/%d", tc.z, tc.x, tc.y); s != want {
				t.Errorf("String() got %q, want %q", s, want)
			}
		})
	}
}

func TestTileBound(t *testing.T) {
	b := Tile{Z: 1, X: 1, Y: 0}.Bound()
	want := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{180, maxLat}}
	if !nearlyEqual(b.Min[0], want.Min[0], 1e-9) || !nearlyEqual(b.Min[1], want.Min[1], 1e-9) ||
		!nearlyEqual(b.Max[0], want.Max[0], 1e-9) || !nearlyEqual(b.Max[1], want.Max[1], 1e-9) {
		t.Errorf("got %v, want %v", b, want)
	}
}

// toLonLat inverts the tile transform of Source.Tile for tile t and extent.
func toLonLat(t Tile, extent int, p orb.Point) orb.Point {
	n := float64(uint64(1) << t.Z)
	wx := (float64(t.X) + p[0]/float64(extent)) / n
	wy := (float64(t.Y) + p[1]/float64(extent)) / n
	return orb.Point{wx*360 - 180, math.Atan(math.Sinh(math.Pi*(1-2*wy))) * 180 / math.Pi}
}

// geometryToLonLat returns a copy of g, in tile coordinates of t, in lon/lat.
func geometryToLonLat(t Tile, extent int, g orb.Geometry) orb.Geometry {
	c := orb.Clone(g)
	var conv func(ps []orb.Point)
	conv = func(ps []orb.Point) {
		for i := range ps {
			ps[i] = toLonLat(t, extent, ps[i])
		}
	}
	switch c := c.(type) {
	case orb.Point:
		return toLonLat(t, extent, c)
	case orb.MultiPoint:
		conv(c)
	case orb.LineString:
		conv(c)
	case orb.MultiLineString:
		for _, ls := range c {
			conv(ls)
		}
	case orb.Polygon:
		for _, r := range c {
			conv(r)
		}
	case orb.MultiPolygon:
		for _, p := range c {
			for _, r := range p {
				conv(r)
			}
		}
	}
	return c
}

func nearlyEqual(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

// vertices counts the points of a geometry.
func countVertices(g orb.Geometry) int {
	switch g := g.(type) {
	case orb.Point:
		return 1
	case orb.MultiPoint:
		return len(g)
	case orb.LineString:
		return len(g)
	case orb.MultiLineString:
		n := 0
		for _, ls := range g {
			n += len(ls)
		}
		return n
	case orb.Ring:
		return len(g)
	case orb.Polygon:
		n := 0
		for _, r := range g {
			n += len(r)
		}
		return n
	case orb.MultiPolygon:
		n := 0
		for _, p := range g {
			n += countVertices(p)
		}
		return n
	case orb.Collection:
		n := 0
		for _, m := range g {
			n += countVertices(m)
		}
		return n
	}
	return 0
}

// cornerTile is a z6 tile over the Donetsk front; squares centred on its
// top-left corner span it and three neighbours.
var cornerTile = Tile{Z: 6, X: 38, Y: 22}

func squareAround(c orb.Point, half float64) orb.Polygon {
	return orb.Polygon{{
		{c[0] - half, c[1] - half},
		{c[0] - half, c[1]}, // a collinear vertex for simplification to remove
		{c[0] - half, c[1] + half},
		{c[0] + half, c[1] + half},
		{c[0] + half, c[1] - half},
		{c[0] - half, c[1] - half},
	}}
}

func TestSourceSquareAcrossFourTiles(t *testing.T) {
	corner := cornerTile.Bound()
	c := orb.Point{corner.Min[0], corner.Max[1]} // top-left corner
	sq := squareAround(c, 0.5)
	src := NewSource([]Layer{{Name: "control", Features: []Feature{{Geometry: sq}}}})
	wantArea := planar.Area(sq)

	// At buffer 0 the four tiles meeting at the corner each hold one
	// rectangle; the ones beyond hold nothing (their shared edge gives a
	// zero-area sliver, dropped).
	x, y := cornerTile.X, cornerTile.Y
	cases := []struct {
		tile      Tile
		wantFeats int
	}{
		{Tile{Z: 6, X: x - 1, Y: y - 1}, 1},
		{Tile{Z: 6, X: x, Y: y - 1}, 1},
		{Tile{Z: 6, X: x - 1, Y: y}, 1},
		{Tile{Z: 6, X: x, Y: y}, 1},
		{Tile{Z: 6, X: x + 1, Y: y}, 0},
		{Tile{Z: 6, X: x, Y: y + 1}, 0},
		{Tile{Z: 6, X: x - 2, Y: y - 1}, 0},
	}
	total := 0.0
	for _, tc := range cases {
		layers := src.Tile(tc.tile, MVTExtent, 0)
		if len(layers) != 1 || layers[0].Name != "control" {
			t.Fatalf("tile %v: got layers %v, want one named control", tc.tile, layers)
		}
		feats := layers[0].Features
		if len(feats) != tc.wantFeats {
			t.Fatalf("tile %v: got %d features, want %d", tc.tile, len(feats), tc.wantFeats)
		}
		for _, f := range feats {
			p, ok := f.Geometry.(orb.Polygon)
			if !ok {
				t.Fatalf("tile %v: got %T, want orb.Polygon", tc.tile, f.Geometry)
			}
			for _, pt := range p[0] {
				if pt[0] < 0 || pt[0] > MVTExtent || pt[1] < 0 || pt[1] > MVTExtent {
					t.Errorf("tile %v: point %v outside 0..%d", tc.tile, pt, MVTExtent)
				}
			}
			if a := ringArea(p[0]); a <= 0 {
				t.Errorf("tile %v: got ring area %g in tile units, want > 0 (clockwise on y-down)", tc.tile, a)
			}
			total += planar.Area(geometryToLonLat(tc.tile, MVTExtent, p))
		}
	}
	if math.Abs(total-wantArea) > 1e-9*wantArea {
		t.Errorf("got pieces adding up to %.12f deg2, want %.12f", total, wantArea)
	}

	// With a buffer the piece reaches past the tile edge, by the buffer.
	layers := src.Tile(cornerTile, MVTExtent, MVTBufferPx)
	b := layers[0].Features[0].Geometry.Bound()
	if want := (orb.Point{-MVTBufferPx, -MVTBufferPx}); !nearlyEqual(b.Min[0], want[0], 1e-6) || !nearlyEqual(b.Min[1], want[1], 1e-6) {
		t.Errorf("buffered piece: got min %v, want %v", b.Min, want)
	}
}

func TestSourceIndexVisitsOnlyNearbyFeatures(t *testing.T) {
	corner := cornerTile.Bound()
	c := orb.Point{corner.Min[0] + 0.5, corner.Min[1] + 0.5} // inside cornerTile
	near := Feature{Geometry: squareAround(c, 0.1), Properties: map[string]any{"name": "near"}}
	far := Feature{Geometry: squareAround(orb.Point{-100, 40}, 0.1), Properties: map[string]any{"name": "far"}}
	src := NewSource([]Layer{{Name: "a", Features: []Feature{near, far}}})

	farTile := Tile{Z: 6, X: 14, Y: 24} // around lon -100, lat 40
	cases := []struct {
		name        string
		tile        Tile
		wantFeats   []string
		wantVisited int
	}{
		{name: "tile with the near square", tile: cornerTile, wantFeats: []string{"near"}, wantVisited: 1},
		{name: "tile with the far square", tile: farTile, wantFeats: []string{"far"}, wantVisited: 1},
		{name: "empty ocean tile", tile: Tile{Z: 6, X: 0, Y: 40}, wantVisited: 0},
		{name: "deep tile beside the near square", tile: Tile{Z: 12, X: cornerTile.X << 6, Y: cornerTile.Y << 6}, wantVisited: 0},
		{name: "world tile, where both squares are under a pixel and dropped", tile: Tile{Z: 0}, wantVisited: 0},
		{name: "z2 tile with the near square", tile: Tile{Z: 2, X: cornerTile.X >> 4, Y: cornerTile.Y >> 4}, wantFeats: []string{"near"}, wantVisited: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			layers, visited := src.tile(tc.tile, MVTExtent, MVTBufferPx)
			var got []string
			for _, f := range layers[0].Features {
				got = append(got, f.Properties["name"].(string))
			}
			if !reflect.DeepEqual(got, tc.wantFeats) {
				t.Errorf("got features %v, want %v", got, tc.wantFeats)
			}
			if visited != tc.wantVisited {
				t.Errorf("got %d index entries visited, want %d", visited, tc.wantVisited)
			}
		})
	}
}

// wobblyCircle is a polygon of n vertices around c (radius r degrees)
// with a deterministic wobble of about 1 %, as rough as a front line.
func wobblyCircle(c orb.Point, r float64, n int) orb.Polygon {
	ring := make(orb.Ring, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		rr := r * (1 + 0.01*math.Sin(float64(i)*1.7)*math.Cos(float64(i)*0.31))
		ring = append(ring, orb.Point{c[0] + rr*math.Cos(a), c[1] + rr*math.Sin(a)})
	}
	return orb.Polygon{append(ring, ring[0])}
}

func TestSourceSimplifiesPerZoom(t *testing.T) {
	circle := wobblyCircle(orb.Point{37.5, 48}, 1, 20000)
	tiny := orb.Polygon{{{37, 47}, {37.0001, 47}, {37, 47.0001}, {37, 47}}} // ~10 m
	src := NewSource([]Layer{{Name: "a", Features: []Feature{{Geometry: circle}, {Geometry: tiny}}}})
	zooms := src.layers[0].zooms

	prev := 0
	for z := 0; z <= MaxZoom; z++ {
		parts := zooms[z].parts
		if len(parts) == 0 || parts[0].feature != 0 {
			t.Fatalf("z%d: the circle is missing", z)
		}
		n := countVertices(parts[0].geom)
		if n < prev {
			t.Errorf("z%d: got %d vertices, fewer than %d at z%d", z, n, prev, z-1)
		}
		prev = n
		if a := ringArea(parts[0].geom.(orb.Polygon)[0]); a <= 0 {
			t.Errorf("z%d: got area %g, want > 0", z, a)
		}
	}
	// The wobble is about 1 km: invisible at z2, mostly kept by z10, and
	// at MaxZoom only near-collinear points (within 1.2 m) go.
	for _, tc := range []struct{ z, min, max int }{
		{0, 5, 20},
		{2, 5, 50},
		{5, 1000, 4000},
		{10, 12000, 18000},
		{MaxZoom, 19000, 20001},
	} {
		if got := countVertices(zooms[tc.z].parts[0].geom); got < tc.min || got > tc.max {
			t.Errorf("z%d: got %d vertices, want %d..%d of 20001", tc.z, got, tc.min, tc.max)
		}
	}

	// The 10 m triangle is below a pixel until z10 or so: dropped at low
	// zooms, kept at MaxZoom.
	if got := len(zooms[0].parts); got != 1 {
		t.Errorf("z0: got %d parts, want 1 (tiny triangle dropped)", got)
	}
	if got := len(zooms[MaxZoom].parts); got != 2 {
		t.Errorf("z%d: got %d parts, want 2", MaxZoom, got)
	}

	// The tiles built from the simplified copy keep a non-zero area.
	for _, tl := range []Tile{{Z: 0}, {Z: 3, X: 4, Y: 2}, {Z: 5, X: 19, Y: 11}} {
		layers := src.Tile(tl, 256, 0)
		if len(layers[0].Features) == 0 {
			t.Fatalf("tile %v: circle missing", tl)
		}
		if a := planar.Area(layers[0].Features[0].Geometry); a <= 0 {
			t.Errorf("tile %v: got area %g, want > 0", tl, a)
		}
	}
}

func TestSourceSharesUnchangedCopies(t *testing.T) {
	sq := squareAround(orb.Point{37.5, 48}, 0.5)
	src := NewSource([]Layer{{Name: "a", Features: []Feature{{Geometry: sq}}}})
	zooms := src.layers[0].zooms
	first := &zooms[MaxZoom].parts[0].geom.(orb.Polygon)[0][0]
	for z := 0; z < MaxZoom; z++ {
		if got := &zooms[z].parts[0].geom.(orb.Polygon)[0][0]; got != first {
			t.Errorf("z%d: square copied again, want the z%d copy shared", z, MaxZoom)
		}
	}
	if got := countVertices(zooms[0].parts[0].geom); got != 5 {
		t.Errorf("got %d vertices, want 5 (collinear vertex removed)", got)
	}
}

func TestSourceTileGeometryTypes(t *testing.T) {
	tb := cornerTile.Bound()
	mid := toLonLat(cornerTile, 2, orb.Point{1, 1}) // the tile centre
	props := map[string]any{"kind": "city"}
	w := tb.Max[0] - tb.Min[0]
	layers := []Layer{
		{Name: "empty"},
		{Name: "points", Features: []Feature{
			{Geometry: mid, Properties: props},
			{Geometry: orb.Point{tb.Max[0] + w*0.01, mid[1]}},                                      // in the 64/4096 buffer
			{Geometry: orb.Point{tb.Max[0] + w*0.05, mid[1]}},                                      // beyond it
			{Geometry: orb.MultiPoint{mid, {tb.Max[0] + w*0.05, mid[1]}, {mid[0], mid[1] + 0.01}}}, // one of three out
		}},
		{Name: "lines", Features: []Feature{
			// in and out of the tile and back: two pieces
			{Geometry: orb.LineString{{tb.Min[0] - w, mid[1]}, {mid[0], mid[1]}, {mid[0], tb.Max[1] + w}, {mid[0] + w/4, tb.Max[1] + w}, {mid[0] + w/4, mid[1]}}},
			{Geometry: orb.LineString{{tb.Min[0] + w/4, mid[1]}, {mid[0], mid[1]}}}, // inside
			{Geometry: orb.LineString{{tb.Max[0] + w, mid[1]}, {tb.Max[0] + 2*w, mid[1]}}},
		}},
		{Name: "collection", Features: []Feature{
			{Geometry: orb.Collection{mid, orb.LineString{{tb.Min[0] - w, mid[1]}, {mid[0], mid[1]}}}, Properties: props},
		}},
	}
	got := NewSource(layers).Tile(cornerTile, MVTExtent, MVTBufferPx)

	wantNames := []string{"empty", "points", "lines", "collection"}
	var names []string
	for _, l := range got {
		names = append(names, l.Name)
	}
	if !reflect.DeepEqual(names, wantNames) {
		t.Fatalf("got layers %v, want %v", names, wantNames)
	}
	cases := []struct {
		layer     int
		wantTypes []string
		wantVerts []int
	}{
		{0, nil, nil},
		{1, []string{"Point", "Point", "MultiPoint"}, []int{1, 1, 2}},
		{2, []string{"MultiLineString", "LineString"}, []int{5, 2}},
		{3, []string{"Point", "LineString"}, []int{1, 2}},
	}
	for _, tc := range cases {
		l := got[tc.layer]
		var types []string
		var verts []int
		for _, f := range l.Features {
			types = append(types, f.Geometry.GeoJSONType())
			verts = append(verts, countVertices(f.Geometry))
			for _, p := range allPoints(f.Geometry) {
				if p[0] < -MVTBufferPx || p[0] > MVTExtent+MVTBufferPx || p[1] < -MVTBufferPx || p[1] > MVTExtent+MVTBufferPx {
					t.Errorf("layer %s: point %v outside the buffered tile", l.Name, p)
				}
			}
		}
		if !reflect.DeepEqual(types, tc.wantTypes) || !reflect.DeepEqual(verts, tc.wantVerts) {
			t.Errorf("layer %s: got types %v vertices %v, want %v %v", l.Name, types, verts, tc.wantTypes, tc.wantVerts)
		}
	}
	if p := got[1].Features[0].Properties; reflect.ValueOf(p).Pointer() != reflect.ValueOf(props).Pointer() {
		t.Errorf("got a copy of the properties, want the same map")
	}
	if p := got[1].Features[0].Geometry.(orb.Point); !nearlyEqual(p[0], 2048, 1e-6) || !nearlyEqual(p[1], 2048, 1e-3) {
		t.Errorf("got tile centre at %v, want about [2048 2048]", p)
	}
}

func allPoints(g orb.Geometry) []orb.Point {
	var out []orb.Point
	switch g := g.(type) {
	case orb.Point:
		out = append(out, g)
	case orb.MultiPoint:
		out = append(out, g...)
	case orb.LineString:
		out = append(out, g...)
	case orb.MultiLineString:
		for _, ls := range g {
			out = append(out, ls...)
		}
	case orb.Polygon:
		for _, r := range g {
			out = append(out, r...)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			out = append(out, allPoints(p)...)
		}
	}
	return out
}

func cloneLayers(layers []Layer) []Layer {
	out := make([]Layer, len(layers))
	for i, l := range layers {
		out[i].Name = l.Name
		for _, f := range l.Features {
			var props map[string]any
			if f.Properties != nil {
				props = make(map[string]any, len(f.Properties))
				for k, v := range f.Properties {
					props[k] = v
				}
			}
			out[i].Features = append(out[i].Features, Feature{Geometry: orb.Clone(f.Geometry), Properties: props})
		}
	}
	return out
}

func TestSourceDoesNotModifyInputs(t *testing.T) {
	tb := cornerTile.Bound()
	c := orb.Point{tb.Min[0], tb.Max[1]}
	withHole := orb.Polygon{
		squareAround(c, 1)[0],
		{{c[0] - 0.2, c[1] - 0.2}, {c[0] + 0.2, c[1] - 0.2}, {c[0] + 0.2, c[1] + 0.2}, {c[0] - 0.2, c[1] - 0.2}},
	}
	layers := []Layer{
		{Name: "polygons", Features: []Feature{
			{Geometry: withHole, Properties: map[string]any{"id": 1}},
			{Geometry: orb.MultiPolygon{squareAround(c, 0.3), wobblyCircle(c, 2, 500)}},
			{Geometry: orb.Ring(squareAround(c, 0.7)[0])},
			{Geometry: orb.Bound{Min: orb.Point{c[0] - 3, c[1] - 3}, Max: orb.Point{c[0] - 2, c[1] - 2}}},
		}},
		{Name: "lines", Features: []Feature{
			{Geometry: orb.LineString{{c[0] - 3, c[1]}, {c[0] + 3, c[1] + 0.001}, {c[0] + 3, c[1] + 1}}},
			{Geometry: orb.MultiLineString{{{c[0] - 3, c[1] - 1}, {c[0] + 3, c[1] + 1}}, {{c[0], c[1] - 3}, {c[0], c[1] + 3}}}},
		}},
		{Name: "points", Features: []Feature{
			{Geometry: c, Properties: map[string]any{"name": "corner", "pop": 1.5}},
			{Geometry: orb.MultiPoint{c, {c[0] + 1, c[1] + 1}}},
			{Geometry: orb.Collection{c, orb.LineString{{c[0] - 1, c[1]}, {c[0] + 1, c[1]}}}},
		}},
	}
	want := cloneLayers(layers)
	src := NewSource(layers)
	for z := 0; z <= MaxZoom+1; z += 3 {
		ct := cornerTile
		shift := z - ct.Z
		var tl Tile
		if shift >= 0 {
			tl = Tile{Z: z, X: ct.X << shift, Y: ct.Y << shift}
		} else {
			tl = Tile{Z: z, X: ct.X >> -shift, Y: ct.Y >> -shift}
		}
		for _, d := range [][2]int{{0, 0}, {-1, -1}, {-1, 0}, {0, -1}} {
			x, y := int(tl.X)+d[0], int(tl.Y)+d[1]
			if x < 0 || y < 0 {
				continue
			}
			tt := Tile{Z: tl.Z, X: uint32(x), Y: uint32(y)}
			for _, e := range []int{256, MVTExtent} {
				out := src.Tile(tt, e, 8)
				if _, err := EncodeMVT(out, e); err != nil {
					t.Fatalf("tile %v: %v", tt, err)
				}
			}
		}
	}
	if !reflect.DeepEqual(layers, want) {
		t.Errorf("NewSource, Tile or EncodeMVT modified their input")
	}
}

func TestSourceConcurrentTiles(t *testing.T) {
	c := cornerTile.Bound().Min
	src := NewSource([]Layer{{Name: "a", Features: []Feature{
		{Geometry: wobblyCircle(c, 3, 5000)},
		{Geometry: orb.LineString{{c[0] - 5, c[1]}, {c[0] + 5, c[1]}}},
	}}})
	var tiles []Tile
	for x := cornerTile.X - 2; x <= cornerTile.X+2; x++ {
		for y := cornerTile.Y - 2; y <= cornerTile.Y+2; y++ {
			tiles = append(tiles, Tile{Z: cornerTile.Z, X: x, Y: y})
		}
	}
	want := make([][]Layer, len(tiles))
	for i, tl := range tiles {
		want[i] = src.Tile(tl, MVTExtent, MVTBufferPx)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(tiles))
	for range 8 {
		wg.Go(func() {
			for i, tl := range tiles {
				if got := src.Tile(tl, MVTExtent, MVTBufferPx); !reflect.DeepEqual(got, want[i]) {
					errs <- fmt.Sprintf("tile %v differs between calls", tl)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestSourceTileEdgeCases(t *testing.T) {
	src := NewSource([]Layer{{Name: "a", Features: []Feature{
		{Geometry: squareAround(orb.Point{0, 0}, 1)},
		{Geometry: nil},
		{Geometry: orb.Polygon{}},
		{Geometry: orb.LineString{}},
	}}, {Name: "b"}})
	cases := []struct {
		name      string
		tile      Tile
		extent    int
		wantFeats int
	}{
		{name: "world tile", tile: Tile{Z: 0}, extent: 256, wantFeats: 1},
		{name: "zero extent gives empty layers", tile: Tile{Z: 0}, extent: 0, wantFeats: 0},
		{name: "zoom past MaxZoom uses the MaxZoom copy", tile: Tile{Z: MaxZoom + 2, X: 1 << (MaxZoom + 1), Y: 1 << (MaxZoom + 1)}, extent: 256, wantFeats: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := src.Tile(tc.tile, tc.extent, 0)
			if len(got) != 2 || got[0].Name != "a" || got[1].Name != "b" {
				t.Fatalf("got %d layers, want a and b", len(got))
			}
			if n := len(got[0].Features); n != tc.wantFeats {
				t.Errorf("got %d features, want %d", n, tc.wantFeats)
			}
		})
	}
}

// TestDeepstateTilesKeepArea adds up, in lon/lat, the pieces of the
// real front cut into every tile of a zoom and compares them with the
// unsimplified multipolygon clipped to the same tiles: what simplification
// and clipping lose must shrink with zoom.
func TestDeepstateTilesKeepArea(t *testing.T) {
	layers := loadDeepstateControl(t)
	src := NewSource(layers)
	all := fourOblastTiles()
	for _, tc := range []struct {
		z      int
		relTol float64
	}{{5, 5e-4}, {8, 5e-5}, {10, 1e-6}} {
		z := tc.z
		var tiles []Tile
		covered := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
		for _, tl := range all {
			if tl.Z == z {
				tiles = append(tiles, tl)
				covered = covered.Union(tl.Bound())
			}
		}
		got := 0.0
		for _, tl := range tiles {
			for _, f := range src.Tile(tl, MVTExtent, 0)[0].Features {
				got += planar.Area(geometryToLonLat(tl, MVTExtent, f.Geometry))
			}
		}
		want := 0.0
		for _, f := range layers[0].Features {
			want += planar.Area(clip.Geometry(covered, orb.Clone(f.Geometry)))
		}
		if rel := math.Abs(got-want) / want; rel > tc.relTol {
			t.Errorf("z%d: got pieces adding up to %.6f deg2, want %.6f within %.0e relative (off by %.1e)", z, got, want, tc.relTol, rel)
		}
	}
}

// TestSourceSkippedRunsKeepTheFill cuts a rough circle and a line that
// wanders in and out of many tiles, with and without skipping the runs of
// points lying off one side of the tile, and wants the same area and the
// same line pieces: the skipping only saves work.
func TestSourceSkippedRunsKeepTheFill(t *testing.T) {
	c := toLonLat(cornerTile, 1, orb.Point{0, 0})
	var zigzag orb.LineString
	for i := range 4000 {
		f := float64(i) / 4000
		zigzag = append(zigzag, orb.Point{c[0] - 3 + 6*f, c[1] + 2*math.Sin(f*40)})
	}
	src := NewSource([]Layer{{Name: "a", Features: []Feature{{Geometry: wobblyCircle(c, 2, 8000)}, {Geometry: zigzag}}}})
	everything := orb.Bound{Min: orb.Point{-1, -1}, Max: orb.Point{2, 2}} // no run lies off it
	skipped, kept := 0, 0
	for _, z := range []int{7, 9} {
		shift := z - cornerTile.Z
		x0, y0 := int(cornerTile.X<<shift), int(cornerTile.Y<<shift)
		span := 3 << shift
		for x := x0 - span; x < x0+span; x++ {
			for y := y0 - span; y < y0+span; y++ {
				tl := Tile{Z: z, X: uint32(x), Y: uint32(y)}
				n, e, buf := float64(uint64(1)<<z), 256.0, 8.0
				q := orb.Bound{
					Min: orb.Point{(float64(x) - buf/e) / n, (float64(y) - buf/e) / n},
					Max: orb.Point{(float64(x) + 1 + buf/e) / n, (float64(y) + 1 + buf/e) / n},
				}
				box := orb.Bound{Min: orb.Point{-buf, -buf}, Max: orb.Point{e + buf, e + buf}}
				tr := tileTransform{scale: n * e, dx: float64(x) * e, dy: float64(y) * e}
				for _, p := range src.layers[0].zooms[z].parts {
					if !p.bound.Intersects(q) {
						continue
					}
					got, want := clipPart(p, tr, q, box), clipPart(p, tr, everything, box)
					if (got == nil) != (want == nil) {
						t.Fatalf("tile %v: got %v, want %v", tl, got, want)
					}
					switch g := got.(type) {
					case orb.Polygon:
						if a, b := planar.Area(g), planar.Area(want); !nearlyEqual(a, b, 1e-6) {
							t.Errorf("tile %v: got area %.9f, want %.9f", tl, a, b)
						}
					case orb.MultiLineString:
						if !orb.Equal(g, want) {
							t.Errorf("tile %v: got lines %v, want %v", tl, g, want)
						}
					}
					for i := range p.chunks {
						var ls []orb.Point
						switch g := p.geom.(type) {
						case orb.Polygon:
							ls = g[i]
						case orb.LineString:
							ls = g
						}
						skipped += len(ls) - len(tr.line(ls, p.chunks[i], &q))
						kept += len(ls)
					}
				}
			}
		}
	}
	if skipped < kept/2 {
		t.Errorf("got %d of %d points skipped, want most", skipped, kept)
	}
}
