package geo

import (
	"errors"
	"fmt"
)

// ErrEmpty is returned (wrapped) when a geometry is empty or repairs to
// nothing; test for it with errors.Is.
var ErrEmpty = errors.New("geo: empty geometry")

// FixKind names one kind of repair that Repair can apply.
type FixKind string

// The kinds of repair, in the order Repair applies and reports them.
const (
	// FixDuplicatePoints: consecutive repeated points were removed.
	FixDuplicatePoints FixKind = "duplicate-points"
	// FixClosedRing: a ring whose first and last points differed was closed.
	FixClosedRing FixKind = "closed-ring"
	// FixDegenerateRing: rings with fewer than 3 distinct points or zero
	// area were dropped; a degenerate outer ring drops its whole polygon.
	FixDegenerateRing FixKind = "degenerate-ring"
	// FixSelfIntersection: polygons with invalid topology (self-crossing or
	// self-touching rings, spikes, holes outside the shell, ...) were rebuilt.
	FixSelfIntersection FixKind = "self-intersection"
	// FixOverlap: polygons of the multipolygon that overlapped or shared
	// boundary segments were merged.
	FixOverlap FixKind = "overlap"
	// FixWinding: rings were reversed so that outer rings run
	// counter-clockwise and holes clockwise (RFC 7946).
	FixWinding FixKind = "winding"
)

// Fix describes one repair applied to a polygon; Count is how many rings,
// points or polygons were affected (the Detail sentence says which).
type Fix struct {
	Kind   FixKind // what was repaired
	Count  int     // how many rings/points/polygons were affected
	Detail string  // human readable, e.g. "closed 2 unclosed rings"
}

// String returns the fix as "kind: detail", or "kind: count" when Detail is
// empty.
func (f Fix) String() string {
	if f.Detail == "" {
		return fmt.Sprintf("%s: %d", f.Kind, f.Count)
	}
	return fmt.Sprintf("%s: %s", f.Kind, f.Detail)
}

// plural returns "1 ring" or "n rings".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
