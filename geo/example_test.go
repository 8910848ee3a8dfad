package geo_test

import (
	"fmt"

	"github.com/frontlinemap/frontline/geo"
	"github.com/paulmach/orb"
)

// A bow-tie (figure-eight) ring, left open, repairs to two
// counter-clockwise triangles of the same total area.
func ExampleRepair() {
	bowtie := orb.MultiPolygon{{{{37, 48}, {37.2, 48.2}, {37.2, 48}, {37, 48.2}}}}
	if err := geo.Validate(bowtie); err != nil {
		fmt.Println("invalid:", err)
	}
	fixed, fixes, err := geo.Repair(bowtie)
	if err != nil {
		fmt.Println("repair:", err)
		return
	}
	for _, f := range fixes {
		fmt.Println(f)
	}
	fmt.Println(len(fixed), "polygons, valid:", geo.Validate(fixed) == nil)
	// Output:
	// invalid: polygon 0 ring 0: not closed, first point (37 48) differs from last point (37 48.2)
	// closed-ring: closed 1 unclosed ring
	// self-intersection: rebuilt 1 invalid polygon (1 by makevalid, 0 by even-odd noding)
	// 2 polygons, valid: true
}

// Union merges overlapping territory into one valid multipolygon.
func ExampleUnion() {
	a := orb.MultiPolygon{{{{0, 0}, {2, 0}, {2, 2}, {0, 2}, {0, 0}}}}
	b := orb.MultiPolygon{{{{1, 0}, {3, 0}, {3, 2}, {1, 2}, {1, 0}}}}
	u, err := geo.Union(a, b)
	if err != nil {
		fmt.Println("union:", err)
		return
	}
	fmt.Println(u)
	// Output:
	// [[[[0 0] [1 0] [2 0] [3 0] [3 2] [2 2] [1 2] [0 2] [0 0]]]]
}

// CheckLonLat names the first coordinate outside the lon/lat range.
func ExampleCheckLonLat() {
	mp := orb.MultiPolygon{{{{37, 48}, {181, 48}, {37, 49}, {37, 48}}}}
	fmt.Println(geo.CheckLonLat(mp))
	// Output:
	// polygon 0 ring 0 point 1: longitude 181 outside [-180, 180]
}
