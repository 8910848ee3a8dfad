package tiles

import (
	"math"
	"reflect"
	"testing"

	"github.com/paulmach/orb"
)

// A window the size and place of a tile cuts the same geometry as the
// tile; a window across four tiles holds what they hold, shifted.
func TestSourceWindowMatchesTiles(t *testing.T) {
	corner := cornerTile.Bound()
	c := orb.Point{corner.Min[0], corner.Max[1]}
	src := NewSource([]Layer{
		{Name: "control", Features: []Feature{{Geometry: wobblyCircle(c, 0.8, 200)}}},
		{Name: "cities", Features: []Feature{{Geometry: c, Properties: map[string]any{"name_en": "X"}}}},
	})
	for _, size := range []int{256, 512} {
		tl := Tile{Z: 6, X: cornerTile.X, Y: cornerTile.Y}
		world := float64(size) * math.Exp2(6)
		got := src.Window(6, world, float64(tl.X)*float64(size), float64(tl.Y)*float64(size), size, size, 16)
		want := src.Tile(tl, size, 16)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("size %d: window of tile %v differs from the tile", size, tl)
		}
	}
	// A 512 x 512 window centred on the corner: the city point sits at its
	// centre, the circle's area equals the four tiles' pieces.
	world := 256 * math.Exp2(6)
	x0, y0 := float64(cornerTile.X)*256-256, float64(cornerTile.Y)*256-256
	got := src.Window(6, world, x0, y0, 512, 512, 0)
	if len(got) != 2 || got[0].Name != "control" || got[1].Name != "cities" {
		t.Fatalf("layers %v", got)
	}
	if p := got[1].Features[0].Geometry.(orb.Point); math.Abs(p[0]-256) > 1e-6 || math.Abs(p[1]-256) > 1e-6 {
		t.Errorf("the corner point lands at %v, want (256, 256)", p)
	}
	area := func(layers []Layer) float64 {
		a := 0.0
		for _, f := range layers[0].Features {
			for i, r := range f.Geometry.(orb.Polygon) {
				if i == 0 {
					a += math.Abs(ringArea(r))
				} else {
					a -= math.Abs(ringArea(r))
				}
			}
		}
		return a
	}
	tilesArea := 0.0
	for _, d := range [][2]int{{-1, -1}, {0, -1}, {-1, 0}, {0, 0}} {
		tilesArea += area(src.Tile(Tile{Z: 6, X: uint32(int(cornerTile.X) + d[0]), Y: uint32(int(cornerTile.Y) + d[1])}, 256, 0))
	}
	if wa := area(got); math.Abs(wa-tilesArea) > 1e-6*tilesArea {
		t.Errorf("window area %.3f px2, four tiles %.3f", wa, tilesArea)
	}
	// Fractional zoom: the point scales with the world.
	world = 256 * math.Exp2(6.5)
	wp := ToWorld(c)
	got = src.Window(6, world, wp[0]*world-100, wp[1]*world-50, 200, 100, 0)
	if p := got[1].Features[0].Geometry.(orb.Point); math.Abs(p[0]-100) > 1e-6 || math.Abs(p[1]-50) > 1e-6 {
		t.Errorf("at zoom 6.5 the point lands at %v, want (100, 50)", p)
	}
	if empty := src.Window(6, world, 0, 0, 0, 10, 0); len(empty) != 2 || len(empty[0].Features) != 0 {
		t.Errorf("an empty window: %v", empty)
	}
}
