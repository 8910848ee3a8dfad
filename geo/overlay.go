package geo

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	sf "github.com/peterstace/simplefeatures/geom"
)

// Intersection returns the area common to a and b (lon/lat degrees, treated
// as planar) through simplefeatures' robust overlay: a valid MultiPolygon in
// canonical form (outer rings counter-clockwise and holes clockwise as
// Repair gives them, rings starting at their smallest point, polygons
// sorted, without the vertices the overlay adds in the middle of straight
// edges), so that the result is deterministic. Polygons of zero area are
// dropped; nil means no common area (areas touching along an edge or at a
// point share none). Invalid operands are repaired with Repair first; one
// that repairs to nothing counts as empty. Operands with disjoint bounds
// give nil and a slice intersected with itself gives a canonical copy, both
// without an overlay. It never mutates a or b and never returns memory
// shared with them.
func Intersection(a, b orb.MultiPolygon) (orb.MultiPolygon, error) {
	a, err := overlayOperand(a)
	if err != nil {
		return nil, fmt.Errorf("intersection: operand a: %w", err)
	}
	b, err = overlayOperand(b)
	if err != nil {
		return nil, fmt.Errorf("intersection: operand b: %w", err)
	}
	if len(a) == 0 || len(b) == 0 || !a.Bound().Intersects(b.Bound()) {
		return nil, nil
	}
	if sameMultiPolygon(a, b) {
		return finishOverlay(a), nil
	}
	out, err := overlay(a, b, sf.Intersection)
	if err != nil {
		return nil, fmt.Errorf("intersection: %w", err)
	}
	return out, nil
}

// Difference returns the area of a that is not in b (lon/lat degrees,
// treated as planar) through simplefeatures' robust overlay, as a valid
// MultiPolygon in the canonical form of Intersection, or nil when nothing is
// left. Invalid operands are repaired with Repair first; one that repairs to
// nothing counts as empty. When b is empty or its bounds are disjoint from
// a's, the result is a canonical copy of a, and a slice minus itself is nil,
// both without an overlay. It never mutates a or b and never returns memory
// shared with them.
func Difference(a, b orb.MultiPolygon) (orb.MultiPolygon, error) {
	a, err := overlayOperand(a)
	if err != nil {
		return nil, fmt.Errorf("difference: operand a: %w", err)
	}
	b, err = overlayOperand(b)
	if err != nil {
		return nil, fmt.Errorf("difference: operand b: %w", err)
	}
	if len(a) == 0 {
		return nil, nil
	}
	if len(b) == 0 || !a.Bound().Intersects(b.Bound()) {
		return finishOverlay(a), nil
	}
	if sameMultiPolygon(a, b) {
		return nil, nil
	}
	out, err := overlay(a, b, sf.Difference)
	if err != nil {
		return nil, fmt.Errorf("difference: %w", err)
	}
	return out, nil
}

// sameMultiPolygon reports whether a and b are the same slice (not merely
// equal), which makes the overlay trivial.
func sameMultiPolygon(a, b orb.MultiPolygon) bool {
	return len(a) > 0 && len(a) == len(b) && &a[0] == &b[0]
}

// overlayOperand returns mp when it is valid, its repair when it is not, and
// nil when it is empty or repairs to nothing.
func overlayOperand(mp orb.MultiPolygon) (orb.MultiPolygon, error) {
	if len(mp) == 0 {
		return nil, nil
	}
	if Validate(mp) == nil {
		return mp, nil
	}
	fixed, _, err := Repair(mp)
	if errors.Is(err, ErrEmpty) {
		return nil, nil
	}
	return fixed, err
}

// overlay runs one simplefeatures set operation on the valid, non-empty
// operands a and b and returns the areal part of its answer, without the
// overlay's stray vertices, finished.
func overlay(a, b orb.MultiPolygon, op func(a, b sf.Geometry) (sf.Geometry, error)) (orb.MultiPolygon, error) {
	g, err := op(sfMultiPolygon(a).AsGeometry(), sfMultiPolygon(b).AsGeometry())
	if err != nil {
		return nil, err
	}
	out, err := orbAreal(g)
	if err != nil {
		return nil, err
	}
	return finishOverlay(dropStrayVertices(out, a, b)), nil
}

// dropStrayVertices removes from the rings of out the vertices that the
// overlay added in the middle of a straight edge: simplefeatures joins the
// separate parts of its operands by "ghost" lines between the first points
// of their rings and nodes the edges where the ghosts cross them, so the
// output would otherwise depend on where the input rings start and in what
// order the polygons come. A vertex is dropped only when it is no vertex of
// a or b, appears once in out (it is no point where rings touch), and lies
// within straightTol of the segment joining its neighbours; so the area and
// topology stay as they were. Rings are changed in place (out is fresh).
func dropStrayVertices(out, a, b orb.MultiPolygon) orb.MultiPolygon {
	input := make(map[orb.Point]struct{}, vertexTotal(a)+vertexTotal(b))
	for _, mp := range []orb.MultiPolygon{a, b} {
		for _, p := range mp {
			for _, r := range p {
				for _, pt := range r {
					input[pt] = struct{}{}
				}
			}
		}
	}
	uses := make(map[orb.Point]int)
	for _, p := range out {
		for _, r := range p {
			for _, pt := range r[:max(len(r)-1, 0)] {
				if _, ok := input[pt]; !ok {
					uses[pt]++
				}
			}
		}
	}
	if len(uses) == 0 {
		return out
	}
	stray := func(prev, pt, next orb.Point) bool {
		if _, ok := input[pt]; ok || uses[pt] != 1 {
			return false
		}
		return straight(prev, pt, next)
	}
	for _, p := range out {
		for j, r := range p {
			p[j] = dropFromRing(r, stray)
		}
	}
	return out
}

// straightTol is how far in degrees (about 0.1 micrometre) a vertex may lie
// from the segment joining its neighbours and still count as a point in the
// middle of a straight edge: over a hundred times the rounding of a computed
// crossing at lon/lat magnitudes (1e-14 degrees), far below any real turn.
const straightTol = 1e-12

// straight reports whether pt lies strictly between prev and next, within
// straightTol of the segment joining them.
func straight(prev, pt, next orb.Point) bool {
	dx, dy := next[0]-prev[0], next[1]-prev[1]
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return false
	}
	t := ((pt[0]-prev[0])*dx + (pt[1]-prev[1])*dy) / l2
	if t <= 0 || t >= 1 {
		return false
	}
	cross := (pt[0]-prev[0])*dy - (pt[1]-prev[1])*dx
	return math.Abs(cross) <= straightTol*math.Sqrt(l2)
}

// dropFromRing returns the closed ring r without the vertices for which
// stray(previous kept vertex, vertex, next vertex) holds, starting from a
// vertex that is kept; r itself is returned when nothing is dropped or too
// little would be left.
func dropFromRing(r orb.Ring, stray func(prev, pt, next orb.Point) bool) orb.Ring {
	n := len(r) - 1
	if n < 4 {
		return r
	}
	start := -1
	for i := 0; i < n && start < 0; i++ {
		if !stray(r[(i+n-1)%n], r[i], r[(i+1)%n]) {
			start = i
		}
	}
	if start < 0 {
		return r
	}
	kept := make(orb.Ring, 0, len(r))
	kept = append(kept, r[start])
	for k := 1; k < n; k++ {
		i := (start + k) % n
		if stray(kept[len(kept)-1], r[i], r[(i+1)%n]) {
			continue
		}
		kept = append(kept, r[i])
	}
	if len(kept) == n || len(kept) < 3 {
		return r
	}
	return append(kept, kept[0])
}

// vertexTotal counts the points of all rings of mp.
func vertexTotal(mp orb.MultiPolygon) int {
	n := 0
	for _, p := range mp {
		for _, r := range p {
			n += len(r)
		}
	}
	return n
}

// finishOverlay returns mp in canonical form (a fresh copy) without its
// polygons of zero area, or nil when none is left. simplefeatures validates
// what its overlay produces, and neither reorienting rings nor dropping whole
// polygons can make a valid MultiPolygon invalid, so the result is not
// validated again.
func finishOverlay(mp orb.MultiPolygon) orb.MultiPolygon {
	kept := make(orb.MultiPolygon, 0, len(mp))
	for _, p := range mp {
		if len(p) > 0 && planarArea(orb.MultiPolygon{p}) > 0 {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return canonical(kept)
}
