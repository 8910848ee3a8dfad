package geo

import "github.com/paulmach/orb"

// DefaultContactToleranceM is the default distance in metres within which a
// stretch of Russia's boundary counts as outline (international border or
// coast) rather than line of contact. It is smaller than
// DefaultSliverToleranceM: a front that meets the border or the coast should
// lose only its last few hundred metres, while a thin strip of area is
// dropped whole.
const DefaultContactToleranceM = 500

// ContactLine returns the boundary of russia inside Ukraine: the rings of
// russia (lon/lat degrees) with the stretches along the outline
// (international border, coast) removed. A segment of a ring counts as
// outline when both its ends, and points along it spaced at most toleranceM
// apart (at least its midpoint), lie within toleranceM metres of the
// outline; so the line stops up to about toleranceM short of the border or
// coast it runs into. Consecutive kept segments are merged into one
// LineString, following the direction of the rings (with RFC 7946 winding,
// russia lies to the left); a ring kept whole stays a closed LineString.
// Lines come in the order of russia's polygons and rings, each open line
// starting where the ring leaves the outline. Use a tolerance of a few
// hundred metres (DefaultContactToleranceM); a negative toleranceM removes
// nothing. The result is nil when nothing is left; russia is not changed.
func (o *Outline) ContactLine(russia orb.MultiPolygon, toleranceM float64) orb.MultiLineString {
	var out orb.MultiLineString
	for _, p := range russia {
		for _, r := range p {
			out = append(out, o.ringContact(r, toleranceM)...)
		}
	}
	return out
}

// ringContact returns the stretches of the closed ring r that are not along
// the outline, as in ContactLine.
func (o *Outline) ringContact(r orb.Ring, toleranceM float64) []orb.LineString {
	n := len(r) - 1 // segments
	if n < 1 {
		return nil
	}
	keep := make([]bool, n)
	firstDrop := -1
	for i := range keep {
		keep[i] = toleranceM < 0 || !o.nearOutline(r[i], r[i+1], toleranceM)
		if !keep[i] && firstDrop < 0 {
			firstDrop = i
		}
	}
	if firstDrop < 0 {
		return []orb.LineString{append(orb.LineString(nil), r...)}
	}
	// Walk the ring once, starting just after a dropped segment, so that no
	// kept stretch is cut at the ring's seam.
	var lines []orb.LineString
	var cur orb.LineString
	for k := 1; k <= n; k++ {
		i := (firstDrop + k) % n
		if !keep[i] {
			if cur != nil {
				lines = append(lines, cur)
				cur = nil
			}
			continue
		}
		if cur == nil {
			cur = orb.LineString{r[i]}
		}
		cur = append(cur, r[i+1])
	}
	if cur != nil {
		lines = append(lines, cur)
	}
	return lines
}
