package geo

import (
	"fmt"

	"github.com/paulmach/orb"
)

// Repair returns a valid MultiPolygon (OGC simple-features validity, outer
// rings counter-clockwise and holes clockwise as RFC 7946 asks) covering the
// same area as mp, with the fixes applied in the order they are listed. It
// never mutates mp and never returns memory shared with it. Coordinates are
// lon/lat degrees but treated as planar. Nil, empty, or input that repairs
// to nothing returns an error wrapping ErrEmpty; non-finite coordinates and
// a result that is still invalid return other errors. A valid, correctly
// wound input comes back equal, with no fixes.
//
// Invalid polygons are rebuilt under the "structure" rule: the area inside
// an odd number of turns of the outer ring, minus the same for each hole.
// A hole outside its shell is dropped; a bow-tie becomes two triangles.
// Polygons that overlap each other or share boundary segments are merged.
// Rebuilt and merged polygons come out in a canonical form (rings start at
// their smallest point, holes and polygons sorted), so the result is
// deterministic; untouched polygons keep their order and vertices.
func Repair(mp orb.MultiPolygon) (orb.MultiPolygon, []Fix, error) {
	if len(mp) == 0 {
		return nil, nil, fmt.Errorf("repair: %w", ErrEmpty)
	}
	for i, p := range mp {
		for j, r := range p {
			for k, pt := range r {
				if !finite(pt[0]) || !finite(pt[1]) {
					return nil, nil, fmt.Errorf("repair: polygon %d ring %d point %d: coordinate %s is not finite", i, j, k, at(pt))
				}
			}
		}
	}
	var rep report

	// (1) Per ring: duplicates, closing, degenerate rings.
	polys := make(orb.MultiPolygon, 0, len(mp))
	for _, p := range mp {
		if cp, ok := cleanPolygon(p, &rep); ok {
			polys = append(polys, cp)
		}
	}
	if len(polys) == 0 {
		return nil, nil, fmt.Errorf("repair: all %s degenerate: %w", plural(len(mp), "polygon"), ErrEmpty)
	}

	// (2) Validity. The fast path checks the whole multipolygon at once.
	var parts []part
	validAsCleaned := sfMultiPolygon(polys).Validate() == nil
	if validAsCleaned {
		parts = make([]part, len(polys))
		for i, p := range polys {
			parts[i] = part{poly: p}
		}
		countWinding(parts, &rep)
	} else {
		// (4) Rebuild polygons that are invalid on their own, first, so that
		// their pieces take part in the overlap merge below.
		var err error
		if parts, err = rebuildInvalid(polys, &rep); err != nil {
			return nil, nil, fmt.Errorf("repair: %w", err)
		}
		countWinding(parts, &rep)
		// (3) Merge polygons that overlap each other, rebuilt ones included.
		if parts, err = mergeOverlaps(parts, &rep); err != nil {
			return nil, nil, fmt.Errorf("repair: %w", err)
		}
	}
	if len(parts) == 0 {
		return nil, nil, fmt.Errorf("repair: nothing left after rebuilding invalid polygons: %w", ErrEmpty)
	}

	// (5) Winding. Rebuilt and merged parts are already canonical.
	out := make(orb.MultiPolygon, len(parts))
	for i, pt := range parts {
		out[i] = pt.poly
		if !pt.new {
			out[i], _ = orientPolygon(pt.poly)
		}
	}

	// (6) Check the answer. When the cleaned input was valid, only rings were
	// reversed since, which cannot change validity, so the full check (the
	// bulk of Repair's time on valid input) is not repeated.
	if validAsCleaned {
		for i, p := range out {
			if err := checkRings(i, p); err != nil {
				return nil, nil, fmt.Errorf("repair: result still invalid: %w", err)
			}
		}
	} else if err := Validate(out); err != nil {
		return nil, nil, fmt.Errorf("repair: result still invalid: %w", err)
	}
	return out, rep.fixes(), nil
}

// countWinding counts the wrongly wound rings of the parts taken from the
// input (polygons valid on their own), whether or not a merge follows; the
// winding of a polygon that had to be rebuilt is not defined.
func countWinding(parts []part, rep *report) {
	for _, pt := range parts {
		if !pt.new {
			rep.reversed += wrongWinding(pt.poly)
		}
	}
}

// part is one polygon on its way through Repair; new marks polygons made by
// a rebuild or a merge, which are canonical and not counted for winding.
type part struct {
	poly orb.Polygon
	new  bool
}

// report tallies what Repair did.
type report struct {
	rings             ringFixes
	degenerateRings   int
	droppedPolygons   int
	reversed          int
	rebuilt           int
	byEngine          [2]int
	mergedIn, mergedN int
}

// fixes turns the tally into the list Repair returns, nil when nothing was
// done.
func (r *report) fixes() []Fix {
	var fs []Fix
	if r.rings.dupPoints > 0 {
		fs = append(fs, Fix{FixDuplicatePoints, r.rings.dupPoints,
			fmt.Sprintf("removed %s from %s", plural(r.rings.dupPoints, "consecutive duplicate point"), plural(r.rings.dupRings, "ring"))})
	}
	if r.rings.closed > 0 {
		fs = append(fs, Fix{FixClosedRing, r.rings.closed,
			fmt.Sprintf("closed %s", plural(r.rings.closed, "unclosed ring"))})
	}
	if r.degenerateRings > 0 {
		d := fmt.Sprintf("dropped %s", plural(r.degenerateRings, "degenerate ring"))
		if r.droppedPolygons > 0 {
			d += fmt.Sprintf(" and with them %s", plural(r.droppedPolygons, "polygon"))
		}
		fs = append(fs, Fix{FixDegenerateRing, r.degenerateRings, d})
	}
	if r.rebuilt > 0 {
		fs = append(fs, Fix{FixSelfIntersection, r.rebuilt,
			fmt.Sprintf("rebuilt %s (%d by makevalid, %d by even-odd noding)",
				plural(r.rebuilt, "invalid polygon"), r.byEngine[engineMakevalid], r.byEngine[engineEvenOdd])})
	}
	if r.mergedIn > 0 {
		fs = append(fs, Fix{FixOverlap, r.mergedIn,
			fmt.Sprintf("merged %s into %s", plural(r.mergedIn, "overlapping polygon"), plural(r.mergedN, "polygon"))})
	}
	if r.reversed > 0 {
		fs = append(fs, Fix{FixWinding, r.reversed,
			fmt.Sprintf("reoriented %s to outer counter-clockwise, holes clockwise", plural(r.reversed, "wrongly wound ring"))})
	}
	return fs
}

// cleanPolygon returns a cleaned copy of p (see cleanRing) without its
// degenerate holes, or false when its outer ring is degenerate.
func cleanPolygon(p orb.Polygon, rep *report) (orb.Polygon, bool) {
	if len(p) == 0 {
		// A polygon without rings counts as one with a degenerate outer ring.
		rep.degenerateRings++
		rep.droppedPolygons++
		return nil, false
	}
	out := make(orb.Polygon, 0, len(p))
	var fixes ringFixes
	for j, r := range p {
		cr, f, degenerate := cleanRing(r)
		if degenerate {
			rep.degenerateRings++
			if j == 0 {
				rep.droppedPolygons++
				return nil, false
			}
			continue
		}
		fixes.add(f)
		out = append(out, cr)
	}
	rep.rings.add(fixes)
	return out, true
}

// rebuildInvalid rebuilds each polygon that is invalid on its own and
// returns all polygons in input order, a rebuilt polygon replaced by its
// pieces.
func rebuildInvalid(polys orb.MultiPolygon, rep *report) ([]part, error) {
	parts := make([]part, 0, len(polys))
	for i, p := range polys {
		if sfPolygon(p).Validate() == nil {
			parts = append(parts, part{poly: p})
			continue
		}
		pieces, engine, err := rebuildPolygon(p)
		if err != nil {
			return nil, fmt.Errorf("rebuild polygon %d: %w", i, err)
		}
		rep.rebuilt++
		rep.byEngine[engine]++
		for _, q := range pieces {
			parts = append(parts, part{poly: q, new: true})
		}
	}
	return parts, nil
}

// mergeOverlaps unions every group of polygons that overlap or share
// boundary segments (directly or through others) and returns the polygons
// with each group replaced, at the place of its first member, by their
// union, canonical and without the vertices the overlay adds in the middle
// of straight edges (unionTree; a hole of one member that others cover is
// filled). Polygons must be valid on their own.
func mergeOverlaps(parts []part, rep *report) ([]part, error) {
	mp := make(orb.MultiPolygon, len(parts))
	for i, pt := range parts {
		mp[i] = pt.poly
	}
	if sfMultiPolygon(mp).Validate() == nil {
		return parts, nil
	}
	pairs := conflictingPairs(mp, 0)
	if len(pairs) == 0 {
		return nil, fmt.Errorf("multipolygon invalid but no overlapping pair found: %w", sfMultiPolygon(mp).Validate())
	}
	// Union-find over the conflicting pairs; the root is the smallest index.
	root := make([]int, len(mp))
	for i := range root {
		root[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if root[i] != i {
			root[i] = find(root[i])
		}
		return root[i]
	}
	for _, pr := range pairs {
		a, b := find(pr[0]), find(pr[1])
		if a > b {
			a, b = b, a
		}
		root[b] = a
	}
	groups := make(map[int][]int)
	for i := range mp {
		r := find(i)
		groups[r] = append(groups[r], i)
	}
	out := make([]part, 0, len(parts))
	for i := range mp {
		g := groups[find(i)]
		if len(g) == 1 {
			out = append(out, parts[i])
			continue
		}
		if g[0] != i {
			continue // emitted with the group's first member
		}
		members := make([]orb.MultiPolygon, len(g))
		for k, idx := range g {
			members[k] = orb.MultiPolygon{mp[idx]}
		}
		merged, err := unionTree(members)
		if err != nil {
			return nil, fmt.Errorf("merge polygons %v: %w", g, err)
		}
		rep.mergedIn += len(g)
		rep.mergedN += len(merged)
		for _, q := range merged {
			out = append(out, part{poly: q, new: true})
		}
	}
	return out, nil
}
