package geo

import (
	"fmt"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	sf "github.com/peterstace/simplefeatures/geom"
	"github.com/peterstace/simplefeatures/rtree"
)

// UnitIndex measures how much of an area lies in each of a set of units
// (oblasts), for the many areas of a time series. It is built once, is
// immutable and safe for concurrent use.
type UnitIndex struct {
	codes  []string
	units  []orb.MultiPolygon
	sf     []sf.Geometry // the units, converted once for the overlays
	bounds []orb.Bound
	edges  []*rtree.RTree // boundary segments of each unit
}

// NewUnitIndex indexes units (valid MultiPolygons keyed by code, lon/lat).
func NewUnitIndex(units map[string]orb.MultiPolygon) *UnitIndex {
	ix := &UnitIndex{}
	for code := range units {
		ix.codes = append(ix.codes, code)
	}
	sort.Strings(ix.codes)
	for _, code := range ix.codes {
		u := units[code]
		var items []rtree.BulkItem
		for _, p := range u {
			for _, r := range p {
				for i := 0; i+1 < len(r); i++ {
					items = append(items, rtree.BulkItem{Box: segBox(r[i], r[i+1]), RecordID: len(items)})
				}
			}
		}
		ix.units = append(ix.units, u)
		ix.sf = append(ix.sf, sfMultiPolygon(u).AsGeometry())
		ix.bounds = append(ix.bounds, u.Bound())
		ix.edges = append(ix.edges, rtree.BulkLoad(items))
	}
	return ix
}

// AreaKm2 returns the geodesic area in km2 of mp inside each unit, leaving
// out units it does not meet. mp must be valid (as stored or derived data
// is): its polygons are measured one by one, and a polygon whose bounds meet
// no boundary segment of a unit lies wholly inside or outside it, which one
// point decides without an overlay. mp is not modified.
func (ix *UnitIndex) AreaKm2(mp orb.MultiPolygon) (map[string]float64, error) {
	out := map[string]float64{}
	bounds := make([]orb.Bound, len(mp))
	for j, p := range mp {
		if len(p) > 0 {
			bounds[j] = p.Bound()
		}
	}
	own := make([]float64, len(mp)) // area of each polygon, computed at most once
	for i, code := range ix.codes {
		// The polygons crossing this unit's boundary go through one overlay
		// together: one DCEL of the unit instead of one per polygon.
		var crossing orb.MultiPolygon
		for j, p := range mp {
			if len(p) == 0 || len(p[0]) == 0 || !ix.bounds[i].Intersects(bounds[j]) {
				continue
			}
			pb := bounds[j]
			box := rtree.Box{MinX: pb.Min.X(), MinY: pb.Min.Y(), MaxX: pb.Max.X(), MaxY: pb.Max.Y()}
			crossed := false
			ix.edges[i].RangeSearch(box, func(int) error { crossed = true; return rtree.Stop })
			if crossed {
				crossing = append(crossing, p)
				continue
			}
			if planar.MultiPolygonContains(ix.units[i], p[0][0]) {
				if own[j] == 0 {
					own[j] = PolygonAreaKm2(p)
				}
				out[code] += own[j]
			}
		}
		if len(crossing) == 0 {
			continue
		}
		g, err := sf.Intersection(sfMultiPolygon(crossing).AsGeometry(), ix.sf[i])
		if err != nil {
			return nil, fmt.Errorf("area in %s: %w", code, err)
		}
		in, err := orbAreal(g)
		if err != nil {
			return nil, fmt.Errorf("area in %s: %w", code, err)
		}
		if a := AreaKm2(in); a > 0 {
			out[code] += a
		}
	}
	return out, nil
}
