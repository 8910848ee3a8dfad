// Package tiles turns geometry into map tiles: Web Mercator XYZ tile math
// (Google scheme), per-zoom simplified and indexed sources, Mapbox Vector
// Tiles and anti-aliased PNG rasters. It knows nothing of SQL or HTTP: it
// takes lon/lat WGS84 geometry in and gives bytes out.
package tiles

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// MaxZoom is the deepest zoom served; beyond it lines of control carry no
// more detail than their source.
const MaxZoom = 14

// Feature is one geometry with its properties, in lon/lat WGS84.
type Feature struct {
	Geometry   orb.Geometry
	Properties map[string]any
}

// Layer is a named, ordered list of features: one MVT layer, or one
// styled pass of a raster. Order is kept so that tile bytes are stable.
type Layer struct {
	Name     string
	Features []Feature
}

// Tile addresses one XYZ tile.
type Tile struct {
	Z    int
	X, Y uint32
}

// ParseTile checks z, x and y: 0 <= z <= MaxZoom and 0 <= x, y < 2^z.
func ParseTile(z, x, y int) (Tile, error) {
	if z < 0 || z > MaxZoom {
		return Tile{}, fmt.Errorf("zoom %d is outside 0..%d", z, MaxZoom)
	}
	n := 1 << z
	if x < 0 || x >= n || y < 0 || y >= n {
		return Tile{}, fmt.Errorf("tile %d/%d/%d does not exist: x and y must be in 0..%d at zoom %d", z, x, y, n-1, z)
	}
	return Tile{Z: z, X: uint32(x), Y: uint32(y)}, nil
}

func (t Tile) String() string { return fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y) }

// Bound returns the tile's extent in lon/lat.
func (t Tile) Bound() orb.Bound {
	return maptile.New(t.X, t.Y, maptile.Zoom(t.Z)).Bound()
}
