package geo

import (
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	sf "github.com/peterstace/simplefeatures/geom"
)

// Union merges all polygons of mps into one valid MultiPolygon in canonical
// form (outer rings counter-clockwise, holes clockwise, rings starting at
// their smallest point, polygons sorted, without the vertices the overlay
// adds in the middle of straight edges) using simplefeatures' robust
// overlay; a hole of one operand that another covers is filled.
// Coordinates are treated as planar. Invalid operands are repaired with
// Repair first; empty operands, or ones that repair to nothing, are
// skipped, and when nothing is left Union returns an error wrapping
// ErrEmpty. It never mutates its inputs and never returns memory shared
// with them. Many operands are unioned on up to GOMAXPROCS goroutines; the
// result does not depend on their number.
func Union(mps ...orb.MultiPolygon) (orb.MultiPolygon, error) {
	ops := make([]orb.MultiPolygon, 0, len(mps))
	for i, mp := range mps {
		if len(mp) == 0 {
			continue
		}
		if Validate(mp) != nil {
			fixed, _, err := Repair(mp)
			if errors.Is(err, ErrEmpty) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("union: operand %d: %w", i, err)
			}
			mp = fixed
		}
		ops = append(ops, mp)
	}
	if len(ops) == 0 {
		return nil, fmt.Errorf("union: %w", ErrEmpty)
	}
	out, err := unionTree(ops)
	if err != nil {
		return nil, fmt.Errorf("union: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("union: %w", ErrEmpty)
	}
	if err := Validate(out); err != nil {
		return nil, fmt.Errorf("union: result invalid: %w", err)
	}
	return out, nil
}

// unionTree returns the union of the valid operands ops, finished like the
// result of Intersection (canonical, without polygons of zero area or the
// vertices the overlay adds in the middle of straight edges), or nil when it
// has no area. It never mutates ops and never returns memory shared with
// them.
//
// The operands are unioned two at a time (unionPair), in a balanced tree:
// n operands take ceil(log2 n) rounds, each operand going through at most
// one overlay per round. UnionMany, simplefeatures' one-call union of a
// collection, is not used: in v0.50.0 it labels a face inside one member but
// bounded only by edges of others as outside, so it keeps a hole of one
// operand that another covers (or the square that four others frame inside
// a fifth). The operands are paired in the order of their bounds' centres
// along a Hilbert curve, so that neighbours merge in the first rounds and
// the borders they share drop out early. Every overlay drops the stray
// vertices it added; with more than two operands a last pass drops those
// that only the later rounds made stray, against the vertices of all the
// operands.
func unionTree(ops []orb.MultiPolygon) (orb.MultiPolygon, error) {
	switch len(ops) {
	case 0:
		return nil, nil
	case 1:
		return finishOverlay(ops[0]), nil
	}
	level := hilbertOrder(ops)
	for len(level) > 1 {
		var err error
		if level, err = unionRound(level); err != nil {
			return nil, err
		}
	}
	all := make(orb.MultiPolygon, 0, len(ops))
	for _, mp := range ops {
		all = append(all, mp...)
	}
	return finishOverlay(dropStrayVertices(level[0], all, nil)), nil
}

// unionRound returns the unions of the pairs level[2i], level[2i+1], and
// an odd last operand as it is. The pairs are independent, so up to
// GOMAXPROCS of them run at once; the result does not depend on the order
// in which they finish, and the error returned is that of the first failing
// pair. A panic in a pair is raised again on the calling goroutine.
func unionRound(level []orb.MultiPolygon) ([]orb.MultiPolygon, error) {
	pairs := len(level) / 2
	next := make([]orb.MultiPolygon, (len(level)+1)/2)
	if len(level)%2 == 1 {
		next[pairs] = level[len(level)-1]
	}
	errs := make([]error, pairs)
	var (
		taken    atomic.Int64
		wg       sync.WaitGroup
		panicked atomic.Pointer[any]
	)
	work := func() {
		defer func() {
			if r := recover(); r != nil {
				panicked.CompareAndSwap(nil, &r)
			}
		}()
		for {
			i := int(taken.Add(1) - 1)
			if i >= pairs || panicked.Load() != nil {
				return
			}
			next[i], errs[i] = unionPair(level[2*i], level[2*i+1])
		}
	}
	for range min(runtime.GOMAXPROCS(0), pairs) - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
	if r := panicked.Load(); r != nil {
		panic(*r)
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return next, nil
}

// unionPair returns the union of the valid, non-empty operands a and b with
// simplefeatures' two-operand Union. Only the polygons whose bounds meet
// the other operand's bounds go through the overlay; the others touch
// nothing of the other operand and are added as they are (in a fresh
// polygon slice, as later passes replace rings of the result), which makes
// the union of operands far apart free. The result is valid but only what
// went through the overlay is canonical.
func unionPair(a, b orb.MultiPolygon) (orb.MultiPolygon, error) {
	aNear, aFar := splitByBound(a, b.Bound())
	bNear, bFar := splitByBound(b, a.Bound())
	var out orb.MultiPolygon
	if len(aNear) > 0 && len(bNear) > 0 {
		var err error
		if out, err = overlay(aNear, bNear, sf.Union); err != nil {
			return nil, err
		}
	} else {
		aFar, bFar = a, b
	}
	for _, mp := range []orb.MultiPolygon{aFar, bFar} {
		for _, p := range mp {
			out = append(out, append(orb.Polygon(nil), p...))
		}
	}
	return out, nil
}

// splitByBound returns the polygons of mp whose bounds meet (or touch) b,
// and the others.
func splitByBound(mp orb.MultiPolygon, b orb.Bound) (near, far orb.MultiPolygon) {
	for i, p := range mp {
		if len(p) > 0 && !p.Bound().Intersects(b) {
			if far == nil {
				near = append(orb.MultiPolygon(nil), mp[:i]...)
			}
			far = append(far, p)
			continue
		}
		if far != nil {
			near = append(near, p)
		}
	}
	if far == nil {
		return mp, nil
	}
	return near, far
}

// hilbertOrder returns a copy of the non-empty multipolygons mps sorted by
// the position of their bounds' centres along a Hilbert curve over the
// bounds of all (ties keep their input order), so that neighbours tend to
// come next to each other.
func hilbertOrder(mps []orb.MultiPolygon) []orb.MultiPolygon {
	type keyed struct {
		key uint64
		mp  orb.MultiPolygon
	}
	total := mps[0].Bound()
	for _, mp := range mps[1:] {
		total = total.Union(mp.Bound())
	}
	const side = 1 << 16
	cell := func(v, lo, hi float64) uint32 {
		if !(hi > lo) {
			return 0
		}
		return uint32(min(max((v-lo)/(hi-lo)*side, 0), side-1))
	}
	ks := make([]keyed, len(mps))
	for i, mp := range mps {
		c := mp.Bound().Center()
		x, y := cell(c[0], total.Min[0], total.Max[0]), cell(c[1], total.Min[1], total.Max[1])
		ks[i] = keyed{hilbertIndex(side, x, y), mp}
	}
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].key < ks[j].key })
	out := make([]orb.MultiPolygon, len(ks))
	for i, k := range ks {
		out[i] = k.mp
	}
	return out
}

// hilbertIndex returns the distance along the Hilbert curve filling the
// n x n grid (n a power of two) of the cell (x, y), x and y below n.
func hilbertIndex(n, x, y uint32) uint64 {
	var d uint64
	for s := n / 2; s > 0; s /= 2 {
		var rx, ry uint32
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += uint64(s) * uint64(s) * uint64((3*rx)^ry)
		if ry == 0 {
			if rx == 1 {
				x, y = n-1-x, n-1-y
			}
			x, y = y, x
		}
	}
	return d
}
