package geo

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
)

func TestValidate(t *testing.T) {
	fixture := func(name string) orb.MultiPolygon {
		return readMultiPolygon(t, filepath.Join("testdata", "repair", name+".geojson"))
	}
	square := orb.Ring{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}
	for _, tc := range []struct {
		name string
		in   orb.MultiPolygon
		want string // "" means valid
	}{
		{"nil is valid", nil, ""},
		{"valid", fixture("valid"), ""},
		{"island in a hole is valid", fixture("island_in_hole"), ""},
		{"clockwise outer ring is valid (OGC has no winding rule)", fixture("wrong_winding"), ""},
		{"repeated consecutive points are valid", orb.MultiPolygon{{{{0, 0}, {4, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}}}, ""},
		{"hole touching the shell at one point is valid", orb.MultiPolygon{{square, {{0, 2}, {2, 3}, {2, 1}, {0, 2}}}}, ""},
		{"polygons touching at one point are valid", orb.MultiPolygon{{square}, {{{4, 4}, {5, 4}, {5, 5}, {4, 4}}}}, ""},
		{"polygon without rings", orb.MultiPolygon{{square}, {}}, "polygon 1: no rings"},
		{"NaN", orb.MultiPolygon{{{{0, 0}, {4, 0}, {math.NaN(), 4}, {0, 0}}}},
			"polygon 0 ring 0 point 2: coordinate (NaN 4) is not finite"},
		{"three points", orb.MultiPolygon{{{{0, 0}, {4, 0}, {0, 0}}}},
			"polygon 0 ring 0: 3 points, a ring needs at least 4"},
		{"unclosed ring", fixture("unclosed_ring"),
			"polygon 0 ring 0: not closed, first point (0 0) differs from last point (0 4)"},
		{"collinear ring", orb.MultiPolygon{{{{0, 0}, {1, 1}, {2, 2}, {0, 0}}}},
			"polygon 0 ring 0: degenerate, fewer than 3 distinct points or zero area near (0 0)"},
		{"bow-tie", fixture("bowtie"), "polygon 0 ring 0: self-intersection near (1 1)"},
		{"self-touching ring", fixture("self_touching"), "polygon 0 ring 0: self-intersection near (2 0)"},
		{"spike", fixture("spike"), "polygon 0 ring 0: self-intersection near (2 4)"},
		{"hole outside shell", fixture("hole_outside_shell"), "polygon 0 ring 1: hole outside the outer ring near (5 5)"},
		{"hole crossing shell", fixture("hole_crossing_shell"), "polygon 0 ring 1: crosses ring 0 near (4 2)"},
		{"hole inside hole", orb.MultiPolygon{{square, {{1, 1}, {1, 3}, {3, 3}, {3, 1}, {1, 1}}, {{1.5, 1.5}, {1.5, 2}, {2, 2}, {2, 1.5}, {1.5, 1.5}}}},
			"polygon 0 ring 2: hole inside hole 1 near (1.5 1.5)"},
		{"hole touching shell twice", orb.MultiPolygon{{square, {{0, 2}, {2, 4}, {2, 1}, {0, 2}}}},
			"polygon 0 ring 1: touches ring 0 at more than one point near (0 2)"},
		{"hole sharing a segment", orb.MultiPolygon{{square, {{0, 1}, {0, 2}, {1, 2}, {1, 1}, {0, 1}}}},
			"polygon 0 ring 1: shares a segment with ring 0 near (0 1)"},
		{"disconnected interior", fixture("disconnected_interior"),
			"polygon 0: polygon has disconnected interior"},
		{"second polygon at fault", orb.MultiPolygon{{square}, fixture("bowtie")[0]},
			"polygon 1 ring 0: self-intersection near (1 1)"},
		{"overlapping polygons", fixture("overlapping_polygons"), "polygon 1: overlaps polygon 0 near (3 2)"},
		{"nested polygon", fixture("nested_polygon"), "polygon 1: overlaps polygon 0 near (3 3)"},
		{"polygons sharing an edge", fixture("shared_edge"), "polygon 1: shares boundary segments with polygon 0 near (2 0)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.in)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate: got %q, want nil", err)
			case tc.want != "" && err == nil:
				t.Errorf("Validate: got nil, want %q", tc.want)
			case tc.want != "" && err.Error() != tc.want:
				t.Errorf("Validate:\n got %q\nwant %q", err, tc.want)
			}
		})
	}
}

func TestCheckLonLat(t *testing.T) {
	ring := func(p orb.Point) orb.MultiPolygon {
		return orb.MultiPolygon{{{{30, 40}, {31, 40}, p, {30, 40}}}}
	}
	for _, tc := range []struct {
		name string
		in   orb.MultiPolygon
		want string // "" means ok
	}{
		{"ok", ring(orb.Point{31, 41}), ""},
		{"edges of the range are ok", ring(orb.Point{-180, 90}), ""},
		{"nil is ok", nil, ""},
		{"NaN longitude", ring(orb.Point{math.NaN(), 41}), "polygon 0 ring 0 point 2: longitude NaN is not finite"},
		{"NaN latitude", ring(orb.Point{31, math.NaN()}), "polygon 0 ring 0 point 2: latitude NaN is not finite"},
		{"+Inf latitude", ring(orb.Point{31, math.Inf(1)}), "polygon 0 ring 0 point 2: latitude +Inf is not finite"},
		{"-Inf longitude", ring(orb.Point{math.Inf(-1), 41}), "polygon 0 ring 0 point 2: longitude -Inf is not finite"},
		{"longitude 181", ring(orb.Point{181, 41}), "polygon 0 ring 0 point 2: longitude 181 outside [-180, 180]"},
		{"latitude -91", ring(orb.Point{31, -91}), "polygon 0 ring 0 point 2: latitude -91 outside [-90, 90]"},
		{"later polygon and hole", orb.MultiPolygon{ring(orb.Point{31, 41})[0], {{{0, 0}, {1, 0}, {1, 1}, {0, 0}}, {{0.5, 0.2}, {0.6, 95}, {0.5, 0.2}}}},
			"polygon 1 ring 1 point 1: latitude 95 outside [-90, 90]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckLonLat(tc.in)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("CheckLonLat: got %q, want nil", err)
			case tc.want != "" && err == nil:
				t.Errorf("CheckLonLat: got nil, want %q", tc.want)
			case tc.want != "" && err.Error() != tc.want:
				t.Errorf("CheckLonLat:\n got %q\nwant %q", err, tc.want)
			}
		})
	}
}
