package tiles

import "github.com/paulmach/orb"

// The Each functions walk the parts of a geometry of any orb type, so that
// the PNG renderer and the static images' SVG writer draw the same parts.

// EachPolygon calls fn for every polygon in g.
func EachPolygon(g orb.Geometry, fn func(orb.Polygon)) {
	switch g := g.(type) {
	case orb.Polygon:
		fn(g)
	case orb.MultiPolygon:
		for _, p := range g {
			fn(p)
		}
	case orb.Ring:
		fn(orb.Polygon{g})
	case orb.Bound:
		fn(g.ToPolygon())
	case orb.Collection:
		for _, m := range g {
			EachPolygon(m, fn)
		}
	}
}

// EachLine calls fn for every line and every polygon ring in g; closed
// tells a ring.
func EachLine(g orb.Geometry, fn func(pts []orb.Point, closed bool)) {
	switch g := g.(type) {
	case orb.LineString:
		fn(g, false)
	case orb.MultiLineString:
		for _, l := range g {
			fn(l, false)
		}
	case orb.Polygon:
		for _, ring := range g {
			fn(ring, true)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for _, ring := range p {
				fn(ring, true)
			}
		}
	case orb.Ring:
		fn(g, true)
	case orb.Bound:
		fn(g.ToRing(), true)
	case orb.Collection:
		for _, m := range g {
			EachLine(m, fn)
		}
	}
}

// EachPoint calls fn for every finite point in g.
func EachPoint(g orb.Geometry, fn func(orb.Point)) {
	switch g := g.(type) {
	case orb.Point:
		if finite(g) {
			fn(g)
		}
	case orb.MultiPoint:
		for _, p := range g {
			if finite(p) {
				fn(p)
			}
		}
	case orb.Collection:
		for _, m := range g {
			EachPoint(m, fn)
		}
	}
}
