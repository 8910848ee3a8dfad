package geo

import (
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
	sf "github.com/peterstace/simplefeatures/geom"
	"github.com/peterstace/simplefeatures/rtree"
)

// Validate reports the first OGC simple-features validity problem of mp as a
// lower-case sentence naming the polygon and ring index and a place, e.g.
// "polygon 2 ring 0: self-intersection near (37.1 48.2)", or nil when mp is
// valid. Coordinates are treated as planar. A nil or empty mp is valid; a
// polygon without rings is reported, which is stricter than OGC. Winding is
// not checked (OGC does not require one); repeated consecutive points are
// allowed.
func Validate(mp orb.MultiPolygon) error {
	for i, p := range mp {
		if err := checkRings(i, p); err != nil {
			return err
		}
	}
	sfErr := sfMultiPolygon(mp).Validate()
	if sfErr == nil {
		return nil
	}
	// Slow path: find which polygon, ring or pair is at fault.
	for i, p := range mp {
		if err := validatePolygon(i, p); err != nil {
			return err
		}
	}
	if err := validatePolygonPairs(mp); err != nil {
		return err
	}
	return fmt.Errorf("multipolygon: %w", sfErr)
}

// at formats a place for an error message.
func at(p orb.Point) string {
	return fmt.Sprintf("(%g %g)", p[0], p[1])
}

// checkRings checks what simplefeatures needs before it can index polygon i:
// at least one ring, finite coordinates, closed rings of at least four
// points, and rings that are not degenerate.
func checkRings(i int, p orb.Polygon) error {
	if len(p) == 0 {
		return fmt.Errorf("polygon %d: no rings", i)
	}
	for j, r := range p {
		for k, pt := range r {
			if !finite(pt[0]) || !finite(pt[1]) {
				return fmt.Errorf("polygon %d ring %d point %d: coordinate %s is not finite", i, j, k, at(pt))
			}
		}
		if len(r) < 4 {
			return fmt.Errorf("polygon %d ring %d: %s, a ring needs at least 4", i, j, plural(len(r), "point"))
		}
		if r[0] != r[len(r)-1] {
			return fmt.Errorf("polygon %d ring %d: not closed, first point %s differs from last point %s",
				i, j, at(r[0]), at(r[len(r)-1]))
		}
		if zeroArea(dedupRing(r)) {
			return fmt.Errorf("polygon %d ring %d: degenerate, fewer than 3 distinct points or zero area near %s",
				i, j, at(r[0]))
		}
	}
	return nil
}

// finite reports whether f is neither NaN nor infinite.
func finite(f float64) bool {
	return !math.IsNaN(f) && !math.IsInf(f, 0)
}

// validatePolygon returns the first problem of polygon i on its own (its
// rings already passed checkRings), or nil when simplefeatures finds it
// valid.
func validatePolygon(i int, p orb.Polygon) error {
	sfErr := sfPolygon(p).Validate()
	if sfErr == nil {
		return nil
	}
	rings := make([]orb.Ring, len(p))
	for j, r := range p {
		rings[j] = dedupRing(r)
		if hits := selfHits(rings[j], true); len(hits) > 0 {
			return fmt.Errorf("polygon %d ring %d: self-intersection near %s", i, j, at(hits[0].m.pts[0]))
		}
	}
	for k := 1; k < len(rings); k++ {
		for j := 0; j < k; j++ {
			if how, pt, ok := ringPairProblem(rings[j], rings[k]); ok {
				return fmt.Errorf("polygon %d ring %d: %s near %s", i, k, fmt.Sprintf(how, j), at(pt))
			}
		}
	}
	for k := 1; k < len(rings); k++ {
		pt, ok := vertexOffRing(rings[k], rings[0])
		if ok && !insideRing(pt, rings[0]) {
			return fmt.Errorf("polygon %d ring %d: hole outside the outer ring near %s", i, k, at(pt))
		}
		for j := 1; j < len(rings); j++ {
			if j == k {
				continue
			}
			if pt, ok := vertexOffRing(rings[k], rings[j]); ok && insideRing(pt, rings[j]) {
				return fmt.Errorf("polygon %d ring %d: hole inside hole %d near %s", i, k, j, at(pt))
			}
		}
	}
	// What remains is a disconnected interior, which simplefeatures names.
	return fmt.Errorf("polygon %d: %w", i, sfErr)
}

// ringPairProblem reports how rings a and b of one polygon meet where OGC
// forbids it, as a phrase with a %d for a's index ("crosses ring %d"), and
// where.
func ringPairProblem(a, b orb.Ring) (string, orb.Point, bool) {
	if !a.Bound().Intersects(b.Bound()) {
		return "", orb.Point{}, false
	}
	var touch []orb.Point
	for _, h := range pairHits(a, b) {
		switch h.m.kind {
		case meetCross:
			return "crosses ring %d", h.m.pts[0], true
		case meetOverlap:
			return "shares a segment with ring %d", h.m.pts[0], true
		case meetTouch:
			p := h.m.pts[0]
			seen := false
			for _, q := range touch {
				seen = seen || q == p
			}
			if !seen {
				touch = append(touch, p)
			}
			if len(touch) > 1 {
				return "touches ring %d at more than one point", touch[1], true
			}
		}
	}
	return "", orb.Point{}, false
}

// vertexOffRing returns a vertex of r that is not on the boundary of ring
// other, if there is one.
func vertexOffRing(r, other orb.Ring) (orb.Point, bool) {
	for _, p := range r[:len(r)-1] {
		if !onRing(p, other) {
			return p, true
		}
	}
	return orb.Point{}, false
}

// onRing reports whether p lies on the boundary of the closed ring r.
func onRing(p orb.Point, r orb.Ring) bool {
	for i := 0; i+1 < len(r); i++ {
		if onSegment(p, r[i], r[i+1]) {
			return true
		}
	}
	return false
}

// insideRing reports whether p, known not to be on r, lies inside the closed
// ring r by the even-odd rule.
func insideRing(p orb.Point, r orb.Ring) bool {
	in := false
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		if (a[1] > p[1]) == (b[1] > p[1]) {
			continue
		}
		// The edge straddles the horizontal line through p: is p left of it?
		o := orient(a, b, p)
		if (b[1] > a[1]) == (o > 0) {
			in = !in
		}
	}
	return in
}

// validatePolygonPairs returns the first pair of polygons, each valid on its
// own, whose interiors overlap or whose boundaries share a segment.
func validatePolygonPairs(mp orb.MultiPolygon) error {
	pairs := conflictingPairs(mp, 1)
	if len(pairs) == 0 {
		return nil
	}
	i, j := pairs[0][0], pairs[0][1]
	a, b := sfPolygon(mp[i]).AsGeometry(), sfPolygon(mp[j]).AsGeometry()
	inter, err := sf.Intersection(a, b)
	if err != nil || inter.IsEmpty() {
		return fmt.Errorf("polygon %d: overlaps or shares boundary segments with polygon %d", j, i)
	}
	xy, _ := inter.PointOnSurface().XY()
	if inter.Dimension() == 2 {
		return fmt.Errorf("polygon %d: overlaps polygon %d near %s", j, i, at(orb.Point{xy.X, xy.Y}))
	}
	return fmt.Errorf("polygon %d: shares boundary segments with polygon %d near %s", j, i, at(orb.Point{xy.X, xy.Y}))
}

// conflictingPairs returns up to limit pairs {i, j}, i < j, of polygons of
// mp (each valid on its own) that may not share a multipolygon because their
// interiors overlap or their boundaries share a segment, ordered by j then i.
// limit <= 0 means all pairs.
func conflictingPairs(mp orb.MultiPolygon, limit int) [][2]int {
	items := make([]rtree.BulkItem, 0, len(mp))
	boxes := make([]rtree.Box, len(mp))
	for i, p := range mp {
		if len(p) == 0 || len(p[0]) == 0 {
			continue
		}
		b := p[0].Bound()
		boxes[i] = rtree.Box{MinX: b.Min[0], MinY: b.Min[1], MaxX: b.Max[0], MaxY: b.Max[1]}
		items = append(items, rtree.BulkItem{Box: boxes[i], RecordID: i})
	}
	tree := rtree.BulkLoad(items)
	polys := make([]sf.Polygon, len(mp))
	for i, p := range mp {
		polys[i] = sfPolygon(p)
	}
	var pairs [][2]int
	var cand []int
	for _, it := range items { // items are in index order
		j := it.RecordID
		cand = cand[:0]
		_ = tree.RangeSearch(boxes[j], func(i int) error {
			if i < j {
				cand = append(cand, i)
			}
			return nil
		})
		sort.Ints(cand)
		for _, i := range cand {
			if sf.NewMultiPolygon([]sf.Polygon{polys[i], polys[j]}).Validate() != nil {
				pairs = append(pairs, [2]int{i, j})
				if limit > 0 && len(pairs) == limit {
					return pairs
				}
			}
		}
	}
	return pairs
}

// CheckLonLat returns an error naming the polygon, ring and point index and
// the value of the first coordinate of mp that is NaN, infinite, or outside
// longitude [-180, 180] or latitude [-90, 90] degrees; nil or empty mp is
// fine.
func CheckLonLat(mp orb.MultiPolygon) error {
	for i, p := range mp {
		for j, r := range p {
			for k, pt := range r {
				lon, lat := pt[0], pt[1]
				switch {
				case !finite(lon):
					return fmt.Errorf("polygon %d ring %d point %d: longitude %v is not finite", i, j, k, lon)
				case !finite(lat):
					return fmt.Errorf("polygon %d ring %d point %d: latitude %v is not finite", i, j, k, lat)
				case lon < -180 || lon > 180:
					return fmt.Errorf("polygon %d ring %d point %d: longitude %v outside [-180, 180]", i, j, k, lon)
				case lat < -90 || lat > 90:
					return fmt.Errorf("polygon %d ring %d point %d: latitude %v outside [-90, 90]", i, j, k, lat)
				}
			}
		}
	}
	return nil
}
