package geo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	sf "github.com/peterstace/simplefeatures/geom"
	"github.com/peterstace/simplefeatures/rtree"
)

// rebuildEngine names the method that rebuilt an invalid polygon.
type rebuildEngine int

const (
	engineMakevalid rebuildEngine = iota // go-spatial planar/makevalid
	engineEvenOdd                        // noded loops, even-odd, simplefeatures overlay
)

// rebuildPolygon turns one invalid polygon (rings cleaned, closed, not
// degenerate) into valid polygons covering its area under the "structure"
// rule: the even-odd interior of the outer ring minus the even-odd interiors
// of the holes. It tries go-spatial's makevalid first and keeps its answer
// only when it is valid and every edge of it lies on the input's linework;
// otherwise it rebuilds by noding each ring into simple loops and combining
// them with simplefeatures' overlay. The result is canonical (see canonical)
// and may be empty.
func rebuildPolygon(p orb.Polygon) (orb.MultiPolygon, rebuildEngine, error) {
	mv, mvErr := makeValidGS(p)
	if mvErr == nil {
		mvErr = acceptRebuild(p, mv)
	}
	if mvErr == nil {
		return canonical(mv), engineMakevalid, nil
	}
	eo, err := evenOddPolygon(p)
	if err != nil {
		return nil, engineEvenOdd, fmt.Errorf("makevalid: %v; even-odd rebuild: %w", mvErr, err)
	}
	return canonical(eo), engineEvenOdd, nil
}

// acceptRebuild checks a makevalid answer for polygon in: it must be
// non-empty and valid, and each of its edges must lie on a segment of the
// input (within 1e-9 of the input's extent). The last test catches
// makevalid's failure modes seen in practice: in go-spatial v0.1.0 the
// triangulation ignores the rings as constraints unless the TEGOLA_MAKEVALID
// environment variable says otherwise, so triangles can straddle a ring and
// be kept or dropped whole, and vertices are rounded.
func acceptRebuild(in orb.Polygon, out orb.MultiPolygon) error {
	if len(out) == 0 {
		return errMakevalidEmpty
	}
	if err := Validate(out); err != nil {
		return fmt.Errorf("makevalid result invalid: %w", err)
	}
	b := in.Bound()
	tol := 1e-9 * math.Max(b.Max[0]-b.Min[0], b.Max[1]-b.Min[1])
	var segs [][2]orb.Point
	var items []rtree.BulkItem
	for _, r := range in {
		for i := 0; i+1 < len(r); i++ {
			if r[i] == r[i+1] {
				continue
			}
			items = append(items, rtree.BulkItem{Box: segBox(r[i], r[i+1]), RecordID: len(segs)})
			segs = append(segs, [2]orb.Point{r[i], r[i+1]})
		}
	}
	tree := rtree.BulkLoad(items)
	for _, p := range out {
		for _, r := range p {
			for i := 0; i+1 < len(r); i++ {
				a, c := r[i], r[i+1]
				if !edgeOnLinework(tree, segs, a, c, tol) {
					return fmt.Errorf("makevalid edge %s-%s is not on the input's linework", at(a), at(c))
				}
			}
		}
	}
	return nil
}

// edgeOnLinework reports whether both ends of edge a-c lie within tol of one
// indexed segment, so that the edge runs along it.
func edgeOnLinework(tree *rtree.RTree, segs [][2]orb.Point, a, c orb.Point, tol float64) bool {
	box := segBox(a, c)
	box.MinX, box.MinY, box.MaxX, box.MaxY = box.MinX-tol, box.MinY-tol, box.MaxX+tol, box.MaxY+tol
	on := false
	_ = tree.RangeSearch(box, func(k int) error {
		s := segs[k]
		if distToSegment(a, s[0], s[1]) <= tol && distToSegment(c, s[0], s[1]) <= tol {
			on = true
			return rtree.Stop
		}
		return nil
	})
	return on
}

// distToSegment returns the planar distance from p to segment a-b.
func distToSegment(p, a, b orb.Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l2))
	}
	return math.Hypot(p[0]-(a[0]+t*dx), p[1]-(a[1]+t*dy))
}

// evenOddPolygon rebuilds p without makevalid: each ring is noded and cut
// into simple loops, the loops of a ring are combined by symmetric
// difference (the even-odd rule), and the holes are subtracted from the
// outer ring, all with simplefeatures' overlay, which is exact on such valid
// pieces. The result is valid but not canonical, and may be empty.
func evenOddPolygon(p orb.Polygon) (orb.MultiPolygon, error) {
	shell, err := evenOddRing(p[0])
	if err != nil {
		return nil, fmt.Errorf("ring 0: %w", err)
	}
	if shell.IsEmpty() {
		return nil, nil
	}
	var holes []sf.Geometry
	for j, r := range p[1:] {
		h, err := evenOddRing(r)
		if err != nil {
			return nil, fmt.Errorf("ring %d: %w", j+1, err)
		}
		if !h.IsEmpty() {
			holes = append(holes, h)
		}
	}
	if len(holes) > 0 {
		hu, err := sf.UnionMany(holes)
		if err != nil {
			return nil, fmt.Errorf("union of holes: %w", err)
		}
		if shell, err = sf.Difference(shell, hu); err != nil {
			return nil, fmt.Errorf("subtract holes: %w", err)
		}
	}
	return orbAreal(shell)
}

// evenOddRing returns the even-odd interior of the closed ring r as a valid
// simplefeatures geometry (possibly empty).
func evenOddRing(r orb.Ring) (sf.Geometry, error) {
	loops := simpleLoops(nodeRing(dedupRing(r)))
	geoms := make([]sf.Geometry, 0, len(loops))
	for _, l := range loops {
		poly := sfPolygon(orb.Polygon{l})
		if err := poly.Validate(); err != nil {
			return sf.Geometry{}, fmt.Errorf("loop near %s: %w", at(l[0]), err)
		}
		geoms = append(geoms, poly.AsGeometry())
	}
	return xorAll(geoms)
}

// xorAll returns the symmetric difference of valid areal geometries,
// combining them pairwise in a balanced tree.
func xorAll(gs []sf.Geometry) (sf.Geometry, error) {
	if len(gs) == 0 {
		return sf.Geometry{}, nil
	}
	for len(gs) > 1 {
		next := make([]sf.Geometry, 0, (len(gs)+1)/2)
		for i := 0; i+1 < len(gs); i += 2 {
			x, err := sf.SymmetricDifference(gs[i], gs[i+1])
			if err != nil {
				return sf.Geometry{}, fmt.Errorf("symmetric difference: %w", err)
			}
			next = append(next, x)
		}
		if len(gs)%2 == 1 {
			next = append(next, gs[len(gs)-1])
		}
		gs = next
	}
	return gs[0], nil
}
