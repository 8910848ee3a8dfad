package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Real lines and boundaries come from different sources and disagree by a
// few hundred metres along the international border and the coast: a line
// of control drawn on one source's coast, cut against another source's
// oblast boundary, leaves thin strips that are nobody's territory to cede.
// The Outline finds them: thin polygons that lie entirely within a
// tolerance of Ukraine's outer boundary, between it and another line, are
// source disagreements, not transfers.

// DefaultSliverToleranceM is the default distance in metres within which a
// thin polygon along the outline counts as a sliver: a few times the usual
// disagreement between the line-of-control and boundary sources.
const DefaultSliverToleranceM = 2000

// outlineEarthRadiusM is the mean Earth radius in metres (IUGG), the sphere
// on which outline distances are measured; on WGS84 at Ukraine's latitudes
// it is within 0.4 % of the geodesic distance in any direction.
const outlineEarthRadiusM = 6371008.8

// outlineMetresPerDegree is the length of one degree of latitude in metres
// on that sphere, the scale of the local equirectangular frames below.
const outlineMetresPerDegree = outlineEarthRadiusM * math.Pi / 180

// haversineM returns the great-circle distance in metres between p and q
// (lon/lat degrees) on the sphere of radius outlineEarthRadiusM.
func haversineM(p, q orb.Point) float64 {
	const rad = math.Pi / 180
	dLat, dLon := (q[1]-p[1])*rad, (q[0]-p[0])*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(p[1]*rad)*math.Cos(q[1]*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * outlineEarthRadiusM * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Outline is Ukraine's outer boundary (international border and coast)
// prepared for distance queries: its segments in a uniform grid of buckets.
// It is built once by NewOutline, never changes, and is safe for concurrent
// use.
type Outline struct {
	segs []outlineSeg
	// The grid: cell (i, j) covers lon [minX+i*cw, minX+(i+1)*cw), lat
	// [minY+j*ch, ...); its segments are cellSegs[cellStart[k]:cellStart[k+1]]
	// with k = j*nx+i.
	minX, minY, cw, ch float64
	nx, ny             int
	cellStart          []int32
	cellSegs           []int32
	maxAbsLat          float64 // largest |latitude| of the grid, for distance bounds
}

// outlineSeg is one segment of the outline, lon/lat degrees.
type outlineSeg struct{ a, b orb.Point }

// NewOutline prepares every ring of ukraine, exterior rings and holes alike,
// for distance queries. ukraine must be the union of all units (a valid
// MultiPolygon in lon/lat degrees, as Env.Ukraine in geo/scenario), so that
// its rings are the international border and the coast and no shared unit
// boundary. It copies what it needs and never mutates ukraine. An empty
// ukraine gives an Outline with no segments: every distance is +Inf.
func NewOutline(ukraine orb.MultiPolygon) *Outline {
	o := &Outline{}
	var bound orb.Bound
	for _, p := range ukraine {
		for _, r := range p {
			for i := 0; i+1 < len(r); i++ {
				if r[i] == r[i+1] {
					continue
				}
				s := outlineSeg{r[i], r[i+1]}
				if len(o.segs) == 0 {
					bound = orb.Bound{Min: s.a, Max: s.a}
				}
				bound = bound.Extend(s.a).Extend(s.b)
				o.segs = append(o.segs, s)
			}
		}
	}
	if len(o.segs) == 0 {
		return o
	}
	// Cells of about half the mean spacing the segments would have if they
	// filled the bounds: a curve of n segments then meets a few segments per
	// cell, and a query of a few kilometres looks at a few cells.
	w, h := bound.Max[0]-bound.Min[0], bound.Max[1]-bound.Min[1]
	size := math.Sqrt(math.Max(w, 1e-9)*math.Max(h, 1e-9)/float64(len(o.segs))) / 2
	size = math.Max(size, 1e-6)
	// Keep the grid under about four million cells whatever the shape.
	for (w/size+1)*(h/size+1) > 4e6 {
		size *= 2
	}
	o.minX, o.minY, o.cw, o.ch = bound.Min[0], bound.Min[1], size, size
	o.nx, o.ny = int(w/size)+1, int(h/size)+1
	o.maxAbsLat = math.Max(math.Abs(bound.Min[1]), math.Abs(bound.Max[1]))

	// Two passes, counting then filling, into one flat slice.
	counts := make([]int32, o.nx*o.ny+1)
	o.eachCell(func(_, k int) { counts[k+1]++ })
	for k := 1; k < len(counts); k++ {
		counts[k] += counts[k-1]
	}
	o.cellStart = counts
	o.cellSegs = make([]int32, counts[len(counts)-1])
	fill := append([]int32(nil), counts[:len(counts)-1]...)
	o.eachCell(func(s, k int) {
		o.cellSegs[fill[k]] = int32(s)
		fill[k]++
	})
	return o
}

// eachCell calls f with every segment index s and the index k of every cell
// that the segment's bounding box meets.
func (o *Outline) eachCell(f func(s, k int)) {
	for s := range o.segs {
		i0, j0, i1, j1 := o.segCells(s)
		for j := j0; j <= j1; j++ {
			for i := i0; i <= i1; i++ {
				f(s, j*o.nx+i)
			}
		}
	}
}

// segCells returns the range of cells the bounding box of segment s meets.
func (o *Outline) segCells(s int) (i0, j0, i1, j1 int) {
	a, b := o.segs[s].a, o.segs[s].b
	i0, j0 = o.cell(orb.Point{math.Min(a[0], b[0]), math.Min(a[1], b[1])})
	i1, j1 = o.cell(orb.Point{math.Max(a[0], b[0]), math.Max(a[1], b[1])})
	return i0, j0, i1, j1
}

// cell returns the grid cell of p, clamped to the grid.
func (o *Outline) cell(p orb.Point) (int, int) {
	i := int(math.Floor((p[0] - o.minX) / o.cw))
	j := int(math.Floor((p[1] - o.minY) / o.ch))
	return min(max(i, 0), o.nx-1), min(max(j, 0), o.ny-1)
}

// DistanceM returns the distance in metres from p (lon/lat degrees) to the
// nearest point of the outline: the nearest segment is found in a local
// equirectangular frame around p and the distance to its nearest point is
// measured along the great circle on the mean Earth sphere (haversine),
// within 0.4 % of the geodesic distance on WGS84. An Outline without
// segments returns +Inf.
func (o *Outline) DistanceM(p orb.Point) float64 {
	q, ok := o.nearest(p, math.Inf(1), false)
	if !ok {
		return math.Inf(1)
	}
	return haversineM(p, q)
}

// withinM reports whether some point of the outline lies within maxM metres
// of p, measured in the local equirectangular frame around p; it only looks
// at the cells that can hold such a point.
func (o *Outline) withinM(p orb.Point, maxM float64) bool {
	if maxM < 0 {
		return false
	}
	_, ok := o.nearest(p, maxM, true)
	return ok
}

// nearest returns the nearest point of the outline to p in the local
// equirectangular frame around p, if one lies within maxM metres (+Inf for
// no limit); with anyWithin it returns the first point found within maxM
// instead. It searches square rings of cells around p's cell, nearest
// first, and stops once no unseen cell can hold a nearer point.
func (o *Outline) nearest(p orb.Point, maxM float64, anyWithin bool) (orb.Point, bool) {
	if len(o.segs) == 0 {
		return orb.Point{}, false
	}
	kx := outlineMetresPerDegree * math.Cos(p[1]*math.Pi/180)
	ky := outlineMetresPerDegree
	// A cell k rings away is at least k-1 whole cells away along one axis;
	// the smallest metres per degree of longitude over the grid and p bounds
	// that from below.
	cosMin := math.Cos(math.Min(math.Max(o.maxAbsLat, math.Abs(p[1])), 89.9) * math.Pi / 180)
	step := math.Min(o.cw*outlineMetresPerDegree*cosMin, o.ch*ky)

	ci, cj := o.cell(p)
	if !math.IsInf(maxM, 1) {
		// p's own distance to the grid bounds rules out far points at once.
		dx := math.Max(0, math.Max(o.minX-p[0], p[0]-(o.minX+float64(o.nx)*o.cw))) * kx
		dy := math.Max(0, math.Max(o.minY-p[1], p[1]-(o.minY+float64(o.ny)*o.ch))) * ky
		if math.Hypot(dx, dy) > maxM {
			return orb.Point{}, false
		}
	}
	best := maxM
	var bestPt orb.Point
	found := false
	// Beyond ring lastRing there are no cells.
	lastRing := max(ci, o.nx-1-ci, cj, o.ny-1-cj)
	for k := 0; k <= lastRing; k++ {
		if k > 0 && float64(k-1)*step > best {
			break
		}
		i0, i1, j0, j1 := ci-k, ci+k, cj-k, cj+k
		for j := max(j0, 0); j <= min(j1, o.ny-1); j++ {
			onRow := j == j0 || j == j1
			for i := max(i0, 0); i <= min(i1, o.nx-1); i++ {
				if !onRow && i != i0 && i != i1 {
					continue
				}
				cell := j*o.nx + i
				for _, s := range o.cellSegs[o.cellStart[cell]:o.cellStart[cell+1]] {
					q, d := closestInFrame(p, o.segs[s], kx, ky)
					if d <= best {
						if anyWithin {
							return q, true
						}
						best, bestPt, found = d, q, true
					}
				}
			}
		}
	}
	return bestPt, found
}

// closestInFrame returns the point of segment s nearest to p and its
// distance in metres, both in the equirectangular frame centred on p with kx
// and ky metres per degree of longitude and latitude.
func closestInFrame(p orb.Point, s outlineSeg, kx, ky float64) (orb.Point, float64) {
	ax, ay := (s.a[0]-p[0])*kx, (s.a[1]-p[1])*ky
	bx, by := (s.b[0]-p[0])*kx, (s.b[1]-p[1])*ky
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
	}
	x, y := ax+t*dx, ay+t*dy
	q := orb.Point{s.a[0] + t*(s.b[0]-s.a[0]), s.a[1] + t*(s.b[1]-s.a[1])}
	return q, math.Hypot(x, y)
}

// nearOutline reports whether the segment a-b lies within toleranceM metres
// of the outline at both ends and at points spaced at most toleranceM apart
// along it (at least its midpoint).
func (o *Outline) nearOutline(a, b orb.Point, toleranceM float64) bool {
	if !o.withinM(a, toleranceM) || !o.withinM(b, toleranceM) {
		return false
	}
	n := 2
	if toleranceM > 0 {
		n = max(n, int(math.Ceil(haversineM(a, b)/toleranceM)))
	}
	for k := 1; k < n; k++ {
		t := float64(k) / float64(n)
		if !o.withinM(orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}, toleranceM) {
			return false
		}
	}
	return true
}

// SplitSlivers splits mp into its polygons that are slivers (source
// disagreements along the outline, not transfers) and the rest, each in mp's
// order. A polygon is a sliver when
//   - every vertex of every ring, and points along every edge spaced at most
//     toleranceM apart, lie within toleranceM metres of the outline;
//   - it is thin: its mean width (2 x area / perimeter, in metres, holes
//     included) is at most toleranceM;
//   - it lies between the outline and another line: from most of its
//     boundary points that are off the outline (farther than 1 m, sampled
//     along the edges), the way to the nearest outline point crosses the
//     polygon itself. This keeps narrow land whose sides are both outline,
//     such as a spit or an island, where the two sources' coasts differ on
//     the same side of the polygon.
//
// Both results are fresh copies, nil when empty; mp is not changed. A
// negative toleranceM finds no slivers.
func (o *Outline) SplitSlivers(mp orb.MultiPolygon, toleranceM float64) (kept, slivers orb.MultiPolygon) {
	for _, p := range mp {
		if o.isSliver(p, toleranceM) {
			slivers = append(slivers, p.Clone())
		} else {
			kept = append(kept, p.Clone())
		}
	}
	return kept, slivers
}

// isSliver reports whether polygon p is a sliver (see SplitSlivers).
func (o *Outline) isSliver(p orb.Polygon, toleranceM float64) bool {
	if toleranceM < 0 || len(p) == 0 || len(o.segs) == 0 {
		return false
	}
	if meanWidthM(p) > toleranceM {
		return false
	}
	for _, r := range p {
		for i := 0; i+1 < len(r); i++ {
			if !o.nearOutline(r[i], r[i+1], toleranceM) {
				return false
			}
		}
	}
	return o.acrossFromOutline(p, toleranceM)
}

// offOutlineM is the distance in metres beyond which a boundary point of a
// polygon counts as off the outline: above the rounding of coordinates to
// 1e-5 degrees (about 1 m) in the sources.
const offOutlineM = 1.0

// maxAcrossSamples bounds the boundary points acrossFromOutline looks at, so
// that its point-in-polygon tests stay linear in the polygon's size.
const maxAcrossSamples = 64

// acrossFromOutline reports whether, for at least half of the boundary
// points of p that lie off the outline, the point halfway to the nearest
// outline point lies in p: p fills the gap between the outline and its
// other side. The boundary points are the vertices and points spaced at
// most toleranceM/4 apart along every edge (at least its midpoint), so that
// long edges weigh more than short ones near a sharp tip; at most
// maxAcrossSamples of them, evenly spread, are tested. It is false when no
// point of p lies off the outline (p is bounded by the outline all round:
// an island).
func (o *Outline) acrossFromOutline(p orb.Polygon, toleranceM float64) bool {
	var samples []orb.Point
	for _, r := range p {
		for i := 0; i+1 < len(r); i++ {
			n := 2 // the vertex and the edge's midpoint at least
			if toleranceM > 0 {
				n = max(n, int(math.Ceil(4*haversineM(r[i], r[i+1])/toleranceM)))
			}
			for k := 0; k < n; k++ {
				t := float64(k) / float64(n)
				samples = append(samples, orb.Point{r[i][0] + t*(r[i+1][0]-r[i][0]), r[i][1] + t*(r[i+1][1]-r[i][1])})
			}
		}
	}
	step := max(1, len(samples)/maxAcrossSamples)
	var off, across int
	for k := 0; k < len(samples); k += step {
		s := samples[k]
		// s is within toleranceM of the outline (isSliver checked it).
		q, ok := o.nearest(s, 2*toleranceM+offOutlineM, false)
		if !ok || haversineM(s, q) <= offOutlineM {
			continue
		}
		off++
		if planar.PolygonContains(p, orb.Point{(s[0] + q[0]) / 2, (s[1] + q[1]) / 2}) {
			across++
		}
	}
	return off > 0 && 2*across >= off
}

// meanWidthM returns 2 x area / perimeter of p in metres, both measured in a
// local equirectangular frame at the latitude of p's centre (accurate for
// polygons a few hundred kilometres across); 0 for a polygon without
// length.
func meanWidthM(p orb.Polygon) float64 {
	if len(p) == 0 || len(p[0]) == 0 {
		return 0
	}
	b := p[0].Bound()
	kx := outlineMetresPerDegree * math.Cos((b.Min[1]+b.Max[1])/2*math.Pi/180)
	ky := outlineMetresPerDegree
	var area, perim float64
	for j, r := range p {
		a := math.Abs(signedArea(r)) * kx * ky
		if j > 0 {
			a = -a
		}
		area += a
		for i := 0; i+1 < len(r); i++ {
			perim += math.Hypot((r[i+1][0]-r[i][0])*kx, (r[i+1][1]-r[i][1])*ky)
		}
	}
	if perim == 0 {
		return 0
	}
	return 2 * area / perim
}
