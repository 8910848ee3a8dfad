package geo

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// signedArea returns the planar shoelace area of the closed ring r in square
// coordinate units: positive when counter-clockwise, negative when clockwise.
func signedArea(r orb.Ring) float64 {
	if len(r) < 4 {
		return 0
	}
	// Shift to the first point to keep the products small.
	x0, y0 := r[0][0], r[0][1]
	var s float64
	for i := 1; i+1 < len(r); i++ {
		s += (r[i][0]-x0)*(r[i+1][1]-y0) - (r[i+1][0]-x0)*(r[i][1]-y0)
	}
	return s / 2
}

// planarArea returns the planar area of mp in square coordinate units:
// outer rings count positive and holes negative, whatever their winding.
func planarArea(mp orb.MultiPolygon) float64 {
	var a float64
	for _, p := range mp {
		for j, r := range p {
			if j == 0 {
				a += math.Abs(signedArea(r))
			} else {
				a -= math.Abs(signedArea(r))
			}
		}
	}
	return a
}

// reversed returns a reversed copy of r; a closed ring keeps its first point.
func reversed(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

// wrongWinding counts the rings of p that orientPolygon would reverse.
func wrongWinding(p orb.Polygon) int {
	n := 0
	for j, r := range p {
		if a := signedArea(r); (j == 0 && a < 0) || (j > 0 && a > 0) {
			n++
		}
	}
	return n
}

// orientPolygon returns p with its outer ring counter-clockwise and its holes
// clockwise (RFC 7946), and how many rings it had to reverse. Rings are
// copied only when reversed; p itself is not changed.
func orientPolygon(p orb.Polygon) (orb.Polygon, int) {
	out := make(orb.Polygon, len(p))
	n := 0
	for j, r := range p {
		a := signedArea(r)
		if (j == 0 && a < 0) || (j > 0 && a > 0) {
			out[j] = reversed(r)
			n++
			continue
		}
		out[j] = r
	}
	return out, n
}

// rotateToMin returns a copy of the closed ring r starting at its smallest
// point (by x, then y), so that equal rings compare equal.
func rotateToMin(r orb.Ring) orb.Ring {
	n := len(r) - 1
	if n < 1 {
		return append(orb.Ring(nil), r...)
	}
	k := 0
	for i := 1; i < n; i++ {
		if pointLess(r[i], r[k]) {
			k = i
		}
	}
	out := make(orb.Ring, 0, len(r))
	out = append(out, r[k:n]...)
	out = append(out, r[:k]...)
	return append(out, r[k])
}

// canonical returns mp oriented (outer CCW, holes CW), every ring starting at
// its smallest point, holes and polygons sorted. It makes the output of
// overlay and rebuild steps independent of their internal iteration order.
func canonical(mp orb.MultiPolygon) orb.MultiPolygon {
	out := make(orb.MultiPolygon, 0, len(mp))
	for _, p := range mp {
		if len(p) == 0 {
			continue
		}
		op, _ := orientPolygon(p)
		cp := make(orb.Polygon, len(op))
		for j, r := range op {
			cp[j] = rotateToMin(r)
		}
		holes := cp[1:]
		sort.Slice(holes, func(a, b int) bool { return ringLess(holes[a], holes[b]) })
		out = append(out, cp)
	}
	sort.Slice(out, func(a, b int) bool { return ringLess(out[a][0], out[b][0]) })
	return out
}

// ringLess orders canonical rings by first point, then length, then the
// following points.
func ringLess(a, b orb.Ring) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return pointLess(a[i], b[i])
		}
	}
	return len(a) < len(b)
}

// ringFixes counts what cleanRing changed.
type ringFixes struct {
	dupPoints, dupRings int
	closed              int
}

// add adds the counts of o to f.
func (f *ringFixes) add(o ringFixes) {
	f.dupPoints += o.dupPoints
	f.dupRings += o.dupRings
	f.closed += o.closed
}

// cleanRing returns a copy of r without consecutive repeated points and
// closed, what it changed, and whether the result is degenerate (fewer than
// three distinct points or zero area).
func cleanRing(r orb.Ring) (orb.Ring, ringFixes, bool) {
	var f ringFixes
	out := make(orb.Ring, 0, len(r)+1)
	for _, p := range r {
		if len(out) > 0 && p == out[len(out)-1] {
			f.dupPoints++
			continue
		}
		out = append(out, p)
	}
	if f.dupPoints > 0 {
		f.dupRings = 1
	}
	if len(out) > 1 && out[0] != out[len(out)-1] {
		out = append(out, out[0])
		f.closed = 1
	}
	return out, f, zeroArea(out)
}
