package sqlite

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/planar"
)

// gridDeg is the size in degrees of the grid cells geometry is cut into:
// about 70 x 110 km over Ukraine, so a city-sized view reads one to four
// pieces and the whole occupied area about sixty.
const gridDeg = 1.0

// gridPieces cuts mp along a grid of cell-degree squares, first into columns
// and then each column into cells, and returns the non-empty pieces in
// column-major order. The pieces are for display and spatial lookup: their
// areas add up to mp's, but clipping may leave zero-width edges along cell
// borders. mp is not modified.
func gridPieces(mp orb.MultiPolygon, cell float64) []orb.MultiPolygon {
	if len(mp) == 0 {
		return nil
	}
	b := mp.Bound()
	var pieces []orb.MultiPolygon
	for x := math.Floor(b.Min.X()/cell) * cell; x < b.Max.X(); x += cell {
		colBound := orb.Bound{Min: orb.Point{x, b.Min.Y()}, Max: orb.Point{x + cell, b.Max.Y()}}
		col := clipTo(colBound, mp)
		if len(col) == 0 {
			continue
		}
		cb := col.Bound()
		for y := math.Floor(cb.Min.Y()/cell) * cell; y < cb.Max.Y(); y += cell {
			cellBound := orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + cell, y + cell}}
			piece := clipTo(cellBound, col)
			if len(piece) > 0 {
				pieces = append(pieces, piece)
			}
		}
	}
	return pieces
}

// clipTo clips a copy of the polygons of mp whose bounds meet b, dropping
// results without area.
func clipTo(b orb.Bound, mp orb.MultiPolygon) orb.MultiPolygon {
	var out orb.MultiPolygon
	for _, p := range mp {
		if !p.Bound().Intersects(b) {
			continue
		}
		// clip works in place, so it gets a copy.
		c := clip.Polygon(b, p.Clone())
		if len(c) == 0 || planar.Area(c[0]) == 0 {
			continue
		}
		out = append(out, c)
	}
	return out
}
