package geo

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// repairCases are the fixtures under testdata/repair/ with what Repair must
// make of them. Areas are planar, in square coordinate units.
var repairCases = []struct {
	name      string
	wantArea  float64
	wantPolys int
	wantFixes map[FixKind]int // kind -> Count; nil means no fixes
}{
	{"unclosed_ring", 16, 1, map[FixKind]int{FixClosedRing: 1}},
	{"wrong_winding", 15, 1, map[FixKind]int{FixWinding: 2}},
	{"duplicate_points", 16, 1, map[FixKind]int{FixDuplicatePoints: 4}},
	{"bowtie", 2, 2, map[FixKind]int{FixSelfIntersection: 1}},
	{"self_touching", 8, 2, map[FixKind]int{FixSelfIntersection: 1}},
	{"spike", 16, 1, map[FixKind]int{FixSelfIntersection: 1}},
	{"hole_outside_shell", 16, 1, map[FixKind]int{FixSelfIntersection: 1}},
	{"hole_crossing_shell", 15, 1, map[FixKind]int{FixSelfIntersection: 1}},
	{"disconnected_interior", 12, 2, map[FixKind]int{FixSelfIntersection: 1}},
	{"overlapping_polygons", 24, 1, map[FixKind]int{FixOverlap: 2}},
	// The bow-tie's left triangle lies inside the square and merges into it;
	// the right one touches the square at one point and stays apart.
	{"bowtie_overlapping_square", 5, 2, map[FixKind]int{FixSelfIntersection: 1, FixOverlap: 2}},
	{"nested_polygon", 100, 1, map[FixKind]int{FixOverlap: 2}},
	{"shared_edge", 8, 1, map[FixKind]int{FixOverlap: 2}},
	{"duplicate_polygon", 16, 1, map[FixKind]int{FixOverlap: 2}},
	{"island_in_hole", 68, 2, nil},
	{"two_point_hole", 16, 1, map[FixKind]int{FixDegenerateRing: 1}},
	{"two_point_polygon", 16, 1, map[FixKind]int{FixDegenerateRing: 1}},
	{"valid", 19, 2, nil},
	// GEOS MakeValid gives 35.4 too; go-spatial's makevalid gives 20.2 and
	// is rejected, so this one goes through the even-odd rebuild.
	{"concave_bowtie", 35.4, 2, map[FixKind]int{FixSelfIntersection: 1}},
	// The even-odd rule leaves out the centre pentagon: five triangles, the
	// same 77.567676 as GEOS MakeValid.
	{"pentagram", 77.56767638535065, 5, map[FixKind]int{FixSelfIntersection: 1}},
}

func TestRepair(t *testing.T) {
	for _, tc := range repairCases {
		t.Run(tc.name, func(t *testing.T) {
			in := readMultiPolygon(t, filepath.Join("testdata", "repair", tc.name+".geojson"))
			got, fixes, err := Repair(in)
			if err != nil {
				t.Fatalf("Repair: got error %v, want nil", err)
			}
			if err := Validate(got); err != nil {
				t.Errorf("Validate(result): got %v, want nil", err)
			}
			if a := planarArea(got); !near(a, tc.wantArea, 1e-9) {
				t.Errorf("area: got %.12g, want %.12g (relative tolerance 1e-9)", a, tc.wantArea)
			}
			if len(got) != tc.wantPolys {
				t.Errorf("polygons: got %d, want %d", len(got), tc.wantPolys)
			}
			gotFixes := map[FixKind]int{}
			for _, f := range fixes {
				gotFixes[f.Kind] = f.Count
				if f.Detail == "" {
					t.Errorf("fix %s: got empty Detail, want a sentence", f.Kind)
				}
			}
			if tc.wantFixes == nil && len(fixes) != 0 {
				t.Errorf("fixes: got %v, want none", fixes)
			}
			if tc.wantFixes != nil && !reflect.DeepEqual(gotFixes, tc.wantFixes) {
				t.Errorf("fixes: got %v, want %v", fixes, tc.wantFixes)
			}
			for _, p := range got {
				for j, r := range p {
					if a := signedArea(r); (j == 0) != (a > 0) {
						t.Errorf("ring %d: got signed area %g, want outer CCW (>0), holes CW (<0)", j, a)
					}
				}
			}
			if tc.wantFixes == nil && !reflect.DeepEqual(got, in) {
				t.Errorf("valid input: got %v, want it unchanged %v", got, in)
			}
			checkGolden(t, "repair", tc.name, got, 1e-9)
		})
	}
}

// near reports whether got is within rel relative tolerance of want.
func near(got, want, rel float64) bool {
	d := got - want
	if d < 0 {
		d = -d
	}
	return d <= rel*max(1, abs(want))
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func TestRepairErrors(t *testing.T) {
	nan := orb.MultiPolygon{{{{0, 0}, {1, 0}, {nanF(), 1}, {0, 0}}}}
	for _, tc := range []struct {
		name      string
		in        orb.MultiPolygon
		wantEmpty bool   // errors.Is(err, ErrEmpty)
		wantText  string // substring of the error
	}{
		{"nil input", nil, true, "repair: geo: empty geometry"},
		{"empty multipolygon", orb.MultiPolygon{}, true, "empty geometry"},
		{"polygon without rings", orb.MultiPolygon{{}}, true, "all 1 polygon degenerate"},
		{"all degenerate", readMultiPolygon(t, "testdata/repair/all_degenerate.geojson"), true, "all 3 polygons degenerate"},
		{"ring with 2 points", orb.MultiPolygon{{{{0, 0}, {1, 1}}}}, true, "degenerate"},
		{"spike only", orb.MultiPolygon{{{{0, 0}, {1, 0}, {0, 0}, {0, 0}}}}, true, "degenerate"},
		{"NaN coordinate", nan, false, "polygon 0 ring 0 point 2: coordinate (NaN 1) is not finite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, fixes, err := Repair(tc.in)
			if err == nil {
				t.Fatalf("Repair: got %v, %v, nil error; want an error", got, fixes)
			}
			if errors.Is(err, ErrEmpty) != tc.wantEmpty {
				t.Errorf("errors.Is(err, ErrEmpty): got %v, want %v (err %v)", !tc.wantEmpty, tc.wantEmpty, err)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error: got %q, want it to contain %q", err, tc.wantText)
			}
			if got != nil || fixes != nil {
				t.Errorf("results with an error: got %v, %v; want nil, nil", got, fixes)
			}
		})
	}
}

func TestRepairDoesNotMutate(t *testing.T) {
	for _, tc := range repairCases {
		t.Run(tc.name, func(t *testing.T) {
			in := readMultiPolygon(t, filepath.Join("testdata", "repair", tc.name+".geojson"))
			before := in.Clone()
			got, _, err := Repair(in)
			if err != nil {
				t.Fatalf("Repair: %v", err)
			}
			if !reflect.DeepEqual(in, before) {
				t.Fatalf("input changed: got %v, want %v", in, before)
			}
			// The result must not share memory with the input either.
			for _, p := range got {
				for _, r := range p {
					for k := range r {
						r[k] = orb.Point{-999, -999}
					}
				}
			}
			if !reflect.DeepEqual(in, before) {
				t.Errorf("writing to the result changed the input: got %v, want %v", in, before)
			}
		})
	}
}

func TestRepairDeterministic(t *testing.T) {
	for _, name := range []string{"bowtie", "overlapping_polygons", "pentagram", "disconnected_interior", "nested_polygon"} {
		t.Run(name, func(t *testing.T) {
			in := readMultiPolygon(t, filepath.Join("testdata", "repair", name+".geojson"))
			first, firstFixes, err := Repair(in)
			if err != nil {
				t.Fatalf("Repair: %v", err)
			}
			for i := 0; i < 20; i++ {
				got, fixes, err := Repair(in)
				if err != nil {
					t.Fatalf("run %d: Repair: %v", i, err)
				}
				if !reflect.DeepEqual(got, first) || !reflect.DeepEqual(fixes, firstFixes) {
					t.Fatalf("run %d: got %v %v, want %v %v", i, got, fixes, first, firstFixes)
				}
			}
		})
	}
}

// TestRebuildEngines measures both rebuild methods on every fixture that is
// one invalid polygon: the even-odd rebuild must give the expected area, and
// a makevalid answer that Repair would accept must too. Run with -v to see
// which cases makevalid gets wrong.
func TestRebuildEngines(t *testing.T) {
	for _, tc := range repairCases {
		if tc.wantFixes[FixSelfIntersection] == 0 {
			continue
		}
		in := readMultiPolygon(t, filepath.Join("testdata", "repair", tc.name+".geojson"))
		if len(in) != 1 {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			var mvArea, eoArea float64
			var mvStatus string
			for _, p := range in {
				cp, _, _ := cleanRing(p[0])
				poly := append(orb.Polygon{cp}, p[1:]...)
				eo, err := evenOddPolygon(poly)
				if err != nil {
					t.Fatalf("evenOddPolygon: %v", err)
				}
				eoArea += planarArea(eo)
				mv, err := makeValidGS(poly)
				if err == nil {
					err = acceptRebuild(poly, mv)
				}
				mvArea += planarArea(mv)
				if err != nil {
					mvStatus = "rejected: " + err.Error()
				}
			}
			if !near(eoArea, tc.wantArea, 1e-9) {
				t.Errorf("even-odd area: got %.12g, want %.12g", eoArea, tc.wantArea)
			}
			if mvStatus == "" && !near(mvArea, tc.wantArea, 1e-9) {
				t.Errorf("accepted makevalid area: got %.12g, want %.12g", mvArea, tc.wantArea)
			}
			t.Logf("makevalid area %.12g (want %.12g) %s", mvArea, tc.wantArea, mvStatus)
		})
	}
}

func TestFixString(t *testing.T) {
	for _, tc := range []struct {
		name string
		fix  Fix
		want string
	}{
		{"with detail", Fix{FixClosedRing, 2, "closed 2 unclosed rings"}, "closed-ring: closed 2 unclosed rings"},
		{"without detail", Fix{Kind: FixWinding, Count: 3}, "winding: 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.fix.String(); got != tc.want {
				t.Errorf("String(): got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestRepairMergeFillsCoveredHole: overlapping polygons of one MultiPolygon
// are merged, and a hole of one that another covers is filled, whatever the
// order of the polygons (simplefeatures' UnionMany kept such a hole).
func TestRepairMergeFillsCoveredHole(t *testing.T) {
	sq := func(x0, y0, x1, y1 float64) orb.Ring {
		return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	}
	withHole := orb.Polygon{sq(0, 0, 10, 10), reversed(sq(4, 4, 6, 6))}
	for _, tc := range []struct {
		name      string
		in        orb.MultiPolygon
		wantArea  float64
		wantPolys int
		wantHoles int
		wantFixes map[FixKind]int
	}{
		{"cover after", orb.MultiPolygon{withHole, {sq(3, 3, 7, 7)}}, 100, 1, 0, map[FixKind]int{FixOverlap: 2}},
		{"cover first", orb.MultiPolygon{{sq(3, 3, 7, 7)}, withHole}, 100, 1, 0, map[FixKind]int{FixOverlap: 2}},
		// The hole is covered by two polygons that each cover half of it
		// and overlap the shell; a third one, apart, is untouched.
		{"cover in two halves", orb.MultiPolygon{{sq(3, 3, 5, 7)}, {sq(20, 0, 21, 1)}, withHole, {sq(5, 3, 7, 7)}}, 101, 2, 0, map[FixKind]int{FixOverlap: 3}},
		// A cover that fills only part of the hole leaves the rest of it.
		{"hole partly covered", orb.MultiPolygon{withHole, {sq(3, 3, 5, 7)}}, 98, 1, 1, map[FixKind]int{FixOverlap: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, fixes, err := Repair(tc.in)
			if err != nil {
				t.Fatalf("Repair: %v", err)
			}
			if err := Validate(got); err != nil {
				t.Errorf("Validate(result): %v", err)
			}
			holes := 0
			for _, p := range got {
				holes += len(p) - 1
			}
			if a := planarArea(got); a != tc.wantArea || len(got) != tc.wantPolys || holes != tc.wantHoles {
				t.Errorf("got %v: area %g, %d polygons, %d holes; want area %g exactly, %d polygons, %d holes",
					got, a, len(got), holes, tc.wantArea, tc.wantPolys, tc.wantHoles)
			}
			gotFixes := map[FixKind]int{}
			for _, f := range fixes {
				gotFixes[f.Kind] = f.Count
			}
			if !reflect.DeepEqual(gotFixes, tc.wantFixes) {
				t.Errorf("fixes: got %v, want %v", fixes, tc.wantFixes)
			}
		})
	}
}
