package main

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/peterstace/simplefeatures/geom"
)

// scale is the number of grid steps per degree of the output coordinates:
// 5 decimal places, about 1 m.
const scale = 1e5

// gridPt is a lon/lat position in units of 1e-5 degree. Integer coordinates
// make the clean-up after rounding exact (no floating point ties).
type gridPt struct{ x, y int64 }

func toGrid(xy geom.XY) gridPt {
	return gridPt{int64(math.Round(xy.X * scale)), int64(math.Round(xy.Y * scale))}
}

func (p gridPt) xy() geom.XY { return geom.XY{X: float64(p.x) / scale, Y: float64(p.y) / scale} }

func (p gridPt) less(q gridPt) bool { return p.x < q.x || (p.x == q.x && p.y < q.y) }

// cross returns the z component of (b-a) x (c-b), exact for grid points.
func cross(a, b, c gridPt) int64 { return (b.x-a.x)*(c.y-b.y) - (b.y-a.y)*(c.x-b.x) }

// dot returns (b-a) . (c-b).
func dot(a, b, c gridPt) int64 { return (b.x-a.x)*(c.x-b.x) + (b.y-a.y)*(c.y-b.y) }

// ring is an open ring on the grid (the closing point is not repeated).
type ring []gridPt

// area2 returns twice the signed planar area of r (positive when
// counter-clockwise).
func (r ring) area2() int64 {
	var s int64
	for i := range r {
		j := (i + 1) % len(r)
		s += r[i].x*r[j].y - r[j].x*r[i].y
	}
	return s
}

// clean removes repeated points and zero-width spikes (a point where the ring
// turns back on itself), which rounding can create. It returns nil when fewer
// than three points or no area are left.
func (r ring) clean() ring {
	out := slices.Clone(r)
	for changed := true; changed; {
		changed = false
		// Repeated points, including the last against the first.
		dedup := out[:0]
		for i, p := range out {
			if i > 0 && p == dedup[len(dedup)-1] {
				changed = true
				continue
			}
			dedup = append(dedup, p)
		}
		out = dedup
		for len(out) > 1 && out[0] == out[len(out)-1] {
			out = out[:len(out)-1]
			changed = true
		}
		// Spikes: a, b, c collinear with c back towards a.
		for i := 0; len(out) >= 3 && i < len(out); i++ {
			a, b, c := out[(i+len(out)-1)%len(out)], out[i], out[(i+1)%len(out)]
			if cross(a, b, c) == 0 && dot(a, b, c) < 0 {
				out = slices.Delete(out, i, i+1)
				changed = true
				i--
			}
		}
	}
	if len(out) < 3 || out.area2() == 0 {
		return nil
	}
	return out
}

// canonical returns r oriented counter-clockwise (ccw true) or clockwise, and
// rotated to start at its smallest point, so that equal rings print equally.
func (r ring) canonical(ccw bool) ring {
	out := slices.Clone(r)
	if (out.area2() > 0) != ccw {
		slices.Reverse(out)
	}
	m := 0
	for i, p := range out {
		if p.less(out[m]) {
			m = i
		}
	}
	return append(out[m:], out[:m]...)
}

// poly is a polygon on the grid: an exterior ring followed by its holes.
type poly []ring

// mpoly is a multipolygon on the grid, the form in which geometry is written.
type mpoly []poly

// toGridMulti rounds every ring of m to the grid and cleans it; polygons whose
// exterior collapses are dropped, and so are collapsed holes.
func toGridMulti(m geom.MultiPolygon) mpoly {
	var out mpoly
	for _, p := range m.Dump() {
		var gp poly
		for i, ls := range p.DumpRings() {
			seq := ls.Coordinates()
			r := make(ring, seq.Length())
			for j := range r {
				r[j] = toGrid(seq.GetXY(j))
			}
			r = r.clean()
			if r == nil {
				if i == 0 {
					break
				}
				continue
			}
			gp = append(gp, r)
		}
		if len(gp) > 0 {
			out = append(out, gp)
		}
	}
	return out
}

// canonical orients m as RFC 7946 asks (exterior rings counter-clockwise,
// holes clockwise) and sorts rings and polygons by their first point, so the
// output does not depend on the order in which an overlay returned them.
func (m mpoly) canonical() mpoly {
	out := make(mpoly, len(m))
	for i, p := range m {
		cp := poly{p[0].canonical(true)}
		var holes []ring
		for _, h := range p[1:] {
			holes = append(holes, h.canonical(false))
		}
		slices.SortFunc(holes, func(a, b ring) int { return cmpPt(a[0], b[0]) })
		out[i] = append(cp, holes...)
	}
	slices.SortFunc(out, func(a, b poly) int { return cmpPt(a[0][0], b[0][0]) })
	return out
}

func cmpPt(a, b gridPt) int {
	if c := cmp.Compare(a.x, b.x); c != 0 {
		return c
	}
	return cmp.Compare(a.y, b.y)
}

// geom returns m as a simplefeatures MultiPolygon (closed rings), not
// validated.
func (m mpoly) geom() geom.MultiPolygon {
	polys := make([]geom.Polygon, len(m))
	for i, p := range m {
		rings := make([]geom.LineString, len(p))
		for j, r := range p {
			fs := make([]float64, 0, 2*len(r)+2)
			for k := 0; k <= len(r); k++ {
				xy := r[k%len(r)].xy()
				fs = append(fs, xy.X, xy.Y)
			}
			rings[j] = geom.NewLineString(geom.NewSequence(fs, geom.DimXY))
		}
		polys[i] = geom.NewPolygon(rings)
	}
	return geom.NewMultiPolygon(polys)
}

// errInvalid reports geometry that stayed invalid after rounding and repair.
var errInvalid = errors.New("geometry invalid after rounding and repair")

// tidy rounds m to 5 decimal places and returns it valid (per simplefeatures
// Validate) and in canonical order. When rounding makes rings cross or touch
// wrongly it repairs them with a unary union and rounds again. m is not
// changed.
func tidy(m geom.MultiPolygon) (mpoly, error) {
	cur := m
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		g := toGridMulti(cur).canonical()
		gm := g.geom()
		if lastErr = gm.Validate(); lastErr == nil {
			return g, nil
		}
		u, err := geom.UnaryUnion(gm.AsGeometry())
		if err != nil {
			return nil, fmt.Errorf("repair rounded geometry: %w", err)
		}
		cur = polygonsOf(u)
	}
	return nil, fmt.Errorf("%w: %v", errInvalid, lastErr)
}

// polygonsOf returns the areal parts of g (Polygon, MultiPolygon or the
// polygons of a GeometryCollection) as one MultiPolygon; lines and points,
// which overlays return where inputs only touch, are dropped.
func polygonsOf(g geom.Geometry) geom.MultiPolygon {
	var polys []geom.Polygon
	for _, part := range g.Dump() {
		if p, ok := part.AsPolygon(); ok && !p.IsEmpty() {
			polys = append(polys, p)
		}
	}
	return geom.NewMultiPolygon(polys)
}

// overlay applies a simplefeatures set operation to a and b and returns the
// tidied (rounded, valid, canonical) result. a and b are not changed.
func overlay(op func(a, b geom.Geometry) (geom.Geometry, error), a, b mpoly) (mpoly, error) {
	g, err := op(a.geom().AsGeometry(), b.geom().AsGeometry())
	if err != nil {
		return nil, err
	}
	return tidy(polygonsOf(g))
}

// union returns the tidied union of a and b.
func union(a, b mpoly) (mpoly, error) { return overlay(geom.Union, a, b) }

// intersect returns the tidied intersection of a and b.
func intersect(a, b mpoly) (mpoly, error) { return overlay(geom.Intersection, a, b) }

// difference returns the tidied difference a - b.
func difference(a, b mpoly) (mpoly, error) { return overlay(geom.Difference, a, b) }

// earthRadiusKm is the mean Earth radius (IUGG), used for spherical areas.
const earthRadiusKm = 6371.0088

// ringAreaKm2 returns the spherical area enclosed by r in km2 (unsigned),
// with the formula of Chamberlain and Duquette (2007) that d3 and turf use;
// close to the ellipsoidal area (within about 0.5 %) at Ukraine's latitudes.
func ringAreaKm2(r ring) float64 {
	var s float64
	for i := range r {
		p, q := r[i].xy(), r[(i+1)%len(r)].xy()
		s += (q.X - p.X) * math.Pi / 180 * (2 + math.Sin(p.Y*math.Pi/180) + math.Sin(q.Y*math.Pi/180))
	}
	return math.Abs(s * earthRadiusKm * earthRadiusKm / 2)
}

// areaKm2 returns the spherical area of m in km2.
func areaKm2(m mpoly) float64 {
	var a float64
	for _, p := range m {
		a += ringAreaKm2(p[0])
		for _, h := range p[1:] {
			a -= ringAreaKm2(h)
		}
	}
	return a
}
