package geo

import (
	"math"
	"math/big"
	"sort"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/rtree"
)

// This file finds where segments of rings meet. Validate uses it to name the
// place of a self-intersection, and the even-odd rebuild uses it to node a
// ring before cutting it into simple loops.

// orient returns +1 when c lies left of the directed line a->b, -1 when it
// lies right and 0 when the three points are collinear. The sign is exact:
// a floating point filter answers almost every call and exact rational
// arithmetic settles the rest.
func orient(a, b, c orb.Point) int {
	detL := (b[0] - a[0]) * (c[1] - a[1])
	detR := (b[1] - a[1]) * (c[0] - a[0])
	det := detL - detR
	// Error bound of Shewchuk's orient2d fast path.
	bound := 3.3306690738754716e-16 * (math.Abs(detL) + math.Abs(detR))
	switch {
	case det > bound:
		return 1
	case det < -bound:
		return -1
	case detL == 0 && detR == 0:
		return 0
	}
	return orientExact(a, b, c)
}

// orientExact is orient computed with exact rational arithmetic.
func orientExact(a, b, c orb.Point) int {
	r := func(f float64) *big.Rat { return new(big.Rat).SetFloat64(f) }
	bx := new(big.Rat).Sub(r(b[0]), r(a[0]))
	by := new(big.Rat).Sub(r(b[1]), r(a[1]))
	cx := new(big.Rat).Sub(r(c[0]), r(a[0]))
	cy := new(big.Rat).Sub(r(c[1]), r(a[1]))
	l := new(big.Rat).Mul(bx, cy)
	rr := new(big.Rat).Mul(by, cx)
	return l.Cmp(rr)
}

// within reports whether p lies in the closed bounding box of a and b; for a
// point already known to be collinear with a and b this means it lies on the
// segment.
func within(p, a, b orb.Point) bool {
	return math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) &&
		math.Min(a[1], b[1]) <= p[1] && p[1] <= math.Max(a[1], b[1])
}

// onSegment reports whether p lies on the closed segment a-b.
func onSegment(p, a, b orb.Point) bool {
	return within(p, a, b) && orient(a, b, p) == 0
}

// meetKind says how two segments meet.
type meetKind int

const (
	meetNone    meetKind = iota
	meetCross            // the interiors cross at one point
	meetTouch            // they share one point, an endpoint of at least one
	meetOverlap          // they are collinear and share a stretch
)

// meet is the answer of intersectSegments: the kind and one or two points
// (the crossing, the touching point, or both ends of the shared stretch).
type meet struct {
	kind meetKind
	pts  [2]orb.Point
	n    int
}

// intersectSegments reports where the closed segments a-b and c-d meet. A
// crossing point is computed and may be off both segments by rounding; every
// other point returned is one of the four input points exactly.
func intersectSegments(a, b, c, d orb.Point) meet {
	if math.Max(a[0], b[0]) < math.Min(c[0], d[0]) || math.Max(c[0], d[0]) < math.Min(a[0], b[0]) ||
		math.Max(a[1], b[1]) < math.Min(c[1], d[1]) || math.Max(c[1], d[1]) < math.Min(a[1], b[1]) {
		return meet{}
	}
	o1, o2 := orient(a, b, c), orient(a, b, d)
	if o1 != 0 && o1 == o2 {
		return meet{}
	}
	o3, o4 := orient(c, d, a), orient(c, d, b)
	if o3 != 0 && o3 == o4 {
		return meet{}
	}
	if o1*o2 < 0 && o3*o4 < 0 {
		return meet{kind: meetCross, pts: [2]orb.Point{crossingPoint(a, b, c, d)}, n: 1}
	}
	var m meet
	add := func(p orb.Point) {
		for i := 0; i < m.n; i++ {
			if m.pts[i] == p {
				return
			}
		}
		if m.n < 2 {
			m.pts[m.n] = p
			m.n++
		}
	}
	if o1 == 0 && within(c, a, b) {
		add(c)
	}
	if o2 == 0 && within(d, a, b) {
		add(d)
	}
	if o3 == 0 && within(a, c, d) {
		add(a)
	}
	if o4 == 0 && within(b, c, d) {
		add(b)
	}
	switch m.n {
	case 0:
		return meet{}
	case 1:
		m.kind = meetTouch
	default:
		m.kind = meetOverlap
	}
	return m
}

// crossingPoint computes where segments a-b and c-d, known to cross properly,
// intersect; the result is clamped to the bounding box shared by both.
func crossingPoint(a, b, c, d orb.Point) orb.Point {
	rx, ry := b[0]-a[0], b[1]-a[1]
	sx, sy := d[0]-c[0], d[1]-c[1]
	den := rx*sy - ry*sx
	t := ((c[0]-a[0])*sy - (c[1]-a[1])*sx) / den
	p := orb.Point{a[0] + t*rx, a[1] + t*ry}
	clamp := func(v, lo1, hi1, lo2, hi2 float64) float64 {
		lo, hi := math.Max(lo1, lo2), math.Min(hi1, hi2)
		return math.Max(lo, math.Min(hi, v))
	}
	p[0] = clamp(p[0], math.Min(a[0], b[0]), math.Max(a[0], b[0]), math.Min(c[0], d[0]), math.Max(c[0], d[0]))
	p[1] = clamp(p[1], math.Min(a[1], b[1]), math.Max(a[1], b[1]), math.Min(c[1], d[1]), math.Max(c[1], d[1]))
	return p
}

// segBox is the bounding box of segment a-b.
func segBox(a, b orb.Point) rtree.Box {
	return rtree.Box{
		MinX: math.Min(a[0], b[0]), MinY: math.Min(a[1], b[1]),
		MaxX: math.Max(a[0], b[0]), MaxY: math.Max(a[1], b[1]),
	}
}

// segTree indexes the segments r[i]-r[i+1] of a closed ring.
func segTree(r orb.Ring) *rtree.RTree {
	items := make([]rtree.BulkItem, len(r)-1)
	for i := range items {
		items[i] = rtree.BulkItem{Box: segBox(r[i], r[i+1]), RecordID: i}
	}
	return rtree.BulkLoad(items)
}

// dedupRing returns r without consecutive repeated points; it shares r's
// backing array when there is nothing to remove.
func dedupRing(r orb.Ring) orb.Ring {
	for i := 1; i < len(r); i++ {
		if r[i] == r[i-1] {
			out := make(orb.Ring, 0, len(r))
			out = append(out, r[0])
			for _, p := range r[1:] {
				if p != out[len(out)-1] {
					out = append(out, p)
				}
			}
			return out
		}
	}
	return r
}

// ringHit is a place where two segments i < j of one ring, or segment i of
// one ring and segment j of another, meet where they should not.
type ringHit struct {
	i, j int
	m    meet
}

// selfHits lists the places where the closed ring r (without consecutive
// repeated points) touches or crosses itself, ordered by segment indices.
// Neighbouring segments may share their common vertex; folding back over each
// other (a spike) counts as a hit. With first set it stops after the first
// hit in that order.
func selfHits(r orb.Ring, first bool) []ringHit {
	n := len(r) - 1 // number of segments
	if n < 2 {
		return nil
	}
	tree := segTree(r)
	var hits []ringHit
	var cand []int
	for i := 0; i < n; i++ {
		cand = cand[:0]
		_ = tree.RangeSearch(segBox(r[i], r[i+1]), func(j int) error {
			if j > i {
				cand = append(cand, j)
			}
			return nil
		})
		sort.Ints(cand)
		for _, j := range cand {
			m := intersectSegments(r[i], r[i+1], r[j], r[j+1])
			if m.kind == meetNone {
				continue
			}
			next := j == i+1
			prev := i == 0 && j == n-1
			if (next || prev) && m.kind == meetTouch {
				shared := r[i+1]
				if prev {
					shared = r[i]
				}
				if m.pts[0] == shared || (next && prev) {
					continue
				}
			}
			hits = append(hits, ringHit{i: i, j: j, m: m})
			if first {
				return hits
			}
		}
	}
	return hits
}

// pairHits lists the places where closed rings a and b (without consecutive
// repeated points) meet, ordered by segment index in a then b.
func pairHits(a, b orb.Ring) []ringHit {
	if len(a) < 2 || len(b) < 2 {
		return nil
	}
	tree := segTree(b)
	var hits []ringHit
	var cand []int
	for i := 0; i+1 < len(a); i++ {
		cand = cand[:0]
		_ = tree.RangeSearch(segBox(a[i], a[i+1]), func(j int) error {
			cand = append(cand, j)
			return nil
		})
		sort.Ints(cand)
		for _, j := range cand {
			if m := intersectSegments(a[i], a[i+1], b[j], b[j+1]); m.kind != meetNone {
				hits = append(hits, ringHit{i: i, j: j, m: m})
			}
		}
	}
	return hits
}

// nodeRing returns the closed ring r (without consecutive repeated points)
// with a vertex added wherever it touches or crosses itself, so that the
// ring meets itself only at shared vertices. Crossing points closer than the
// snapping distance are merged so that every piece of the ring that passes
// through one crossing uses the same coordinates.
func nodeRing(r orb.Ring) orb.Ring {
	hits := selfHits(r, false)
	if len(hits) == 0 {
		return r
	}
	splits := make(map[int][]orb.Point)
	snap := newSnapper(r)
	addSplit := func(seg int, p orb.Point) {
		if p == r[seg] || p == r[seg+1] {
			return
		}
		splits[seg] = append(splits[seg], p)
	}
	for _, h := range hits {
		for k := 0; k < h.m.n; k++ {
			p := h.m.pts[k]
			if h.m.kind == meetCross {
				p = snap.point(p)
			}
			addSplit(h.i, p)
			addSplit(h.j, p)
		}
	}
	out := make(orb.Ring, 0, len(r)+2*len(hits))
	for i := 0; i+1 < len(r); i++ {
		out = append(out, r[i])
		pts := splits[i]
		if len(pts) == 0 {
			continue
		}
		a, b := r[i], r[i+1]
		dx, dy := b[0]-a[0], b[1]-a[1]
		sort.Slice(pts, func(x, y int) bool {
			tx := (pts[x][0]-a[0])*dx + (pts[x][1]-a[1])*dy
			ty := (pts[y][0]-a[0])*dx + (pts[y][1]-a[1])*dy
			if tx != ty {
				return tx < ty
			}
			return pointLess(pts[x], pts[y])
		})
		for _, p := range pts {
			if p != out[len(out)-1] && p != b {
				out = append(out, p)
			}
		}
	}
	out = append(out, r[len(r)-1])
	return dedupRing(out)
}

// snapper merges computed crossing points that lie within a tiny distance of
// each other or of a ring vertex, so that rounding cannot leave two copies of
// one crossing a few ulps apart.
type snapper struct {
	eps   float64
	cells map[[2]int64][]orb.Point
}

// newSnapper builds a snapper whose distance is a small fraction of the
// extent of r, seeded with r's vertices.
func newSnapper(r orb.Ring) *snapper {
	b := r.Bound()
	ext := math.Max(b.Max[0]-b.Min[0], b.Max[1]-b.Min[1])
	scale := math.Max(ext, math.Max(math.Abs(b.Max[0]), math.Abs(b.Max[1])))
	s := &snapper{eps: 1e-12 * scale, cells: make(map[[2]int64][]orb.Point)}
	if s.eps == 0 {
		s.eps = math.SmallestNonzeroFloat64
	}
	for _, p := range r {
		s.add(p)
	}
	return s
}

func (s *snapper) cell(p orb.Point) [2]int64 {
	return [2]int64{int64(math.Floor(p[0] / s.eps)), int64(math.Floor(p[1] / s.eps))}
}

func (s *snapper) add(p orb.Point) {
	c := s.cell(p)
	s.cells[c] = append(s.cells[c], p)
}

// point returns an already known point within the snapping distance of p,
// or records and returns p.
func (s *snapper) point(p orb.Point) orb.Point {
	c := s.cell(p)
	for dx := int64(-1); dx <= 1; dx++ {
		for dy := int64(-1); dy <= 1; dy++ {
			for _, q := range s.cells[[2]int64{c[0] + dx, c[1] + dy}] {
				if math.Abs(q[0]-p[0]) <= s.eps && math.Abs(q[1]-p[1]) <= s.eps {
					return q
				}
			}
		}
	}
	s.add(p)
	return p
}

// pointLess orders points by x, then y.
func pointLess(a, b orb.Point) bool {
	if a[0] != b[0] {
		return a[0] < b[0]
	}
	return a[1] < b[1]
}

// simpleLoops cuts a noded closed ring into closed loops that visit no vertex
// twice, dropping loops of zero area. Each time the walk returns to a vertex
// still on the stack, the stretch since its first visit is one loop; by
// construction the even-odd interior of the ring is the symmetric difference
// of the loops' interiors.
func simpleLoops(r orb.Ring) []orb.Ring {
	var loops []orb.Ring
	stack := make([]orb.Point, 0, len(r))
	pos := make(map[orb.Point]int, len(r))
	for _, p := range r {
		if k, ok := pos[p]; ok {
			loop := make(orb.Ring, 0, len(stack)-k+1)
			loop = append(loop, stack[k:]...)
			loop = append(loop, p)
			if !zeroArea(loop) {
				loops = append(loops, loop)
			}
			for _, q := range stack[k+1:] {
				delete(pos, q)
			}
			stack = stack[:k+1]
			continue
		}
		pos[p] = len(stack)
		stack = append(stack, p)
	}
	return loops
}

// zeroArea reports whether the closed ring r has fewer than three distinct
// points or all its points on one line (decided exactly).
func zeroArea(r orb.Ring) bool {
	if len(r) < 4 {
		return true
	}
	p0 := r[0]
	far, best := -1, 0.0
	for i, p := range r {
		dx, dy := p[0]-p0[0], p[1]-p0[1]
		if d := dx*dx + dy*dy; d > best {
			far, best = i, d
		}
	}
	if far < 0 {
		return true
	}
	for _, p := range r {
		if orient(p0, r[far], p) != 0 {
			return false
		}
	}
	return true
}
