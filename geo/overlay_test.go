package geo

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// boxRing returns the counter-clockwise closed ring of the axis-aligned box
// [x0, x1] x [y0, y1].
func boxRing(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

// boxMP returns the box [x0, x1] x [y0, y1] as a MultiPolygon, with holes
// (given as boxes, wound clockwise).
func boxMP(x0, y0, x1, y1 float64, holes ...orb.Ring) orb.MultiPolygon {
	p := orb.Polygon{boxRing(x0, y0, x1, y1)}
	for _, h := range holes {
		p = append(p, reversed(h))
	}
	return orb.MultiPolygon{p}
}

// overlayCases are synthetic operands whose intersection and difference
// areas (planar, square degrees) can be computed by hand. Their results are
// pinned as goldens under testdata/overlay/.
var overlayCases = []struct {
	name          string
	a, b          orb.MultiPolygon
	inter, diff   float64 // area of a*b and a-b
	interN, diffN int     // polygons in each result
}{
	{"overlapping_squares", boxMP(0, 0, 4, 4), boxMP(2, 1, 6, 3), 4, 12, 1, 1},
	{"disjoint_squares", boxMP(0, 0, 1, 1), boxMP(2, 0, 3, 1), 0, 1, 0, 1},
	{"disjoint_squares_overlapping_bounds", boxMP(0, 0, 4, 4, boxRing(1, 1, 3, 3)), boxMP(1.5, 1.5, 2.5, 2.5), 0, 12, 0, 1},
	{"touching_along_an_edge", boxMP(0, 0, 1, 1), boxMP(1, 0, 2, 1), 0, 1, 0, 1},
	{"touching_at_a_corner", boxMP(0, 0, 1, 1), boxMP(1, 1, 2, 2), 0, 1, 0, 1},
	{"nested_b_inside_a", boxMP(0, 0, 4, 4), boxMP(1, 1, 2, 2), 1, 15, 1, 1},
	{"nested_a_inside_b", boxMP(1, 1, 2, 2), boxMP(0, 0, 4, 4), 1, 0, 1, 0},
	{"identical_copies", boxMP(0, 0, 2, 2), boxMP(0, 0, 2, 2), 4, 0, 1, 0},
	{"b_covers_a_hole", boxMP(0, 0, 4, 4, boxRing(1, 1, 2, 2)), boxMP(0.5, 0.5, 2.5, 2.5), 3, 12, 1, 1},
	{"b_fills_a_hole_exactly", boxMP(0, 0, 4, 4, boxRing(1, 1, 2, 2)), boxMP(1, 1, 2, 2), 0, 15, 0, 1},
	{"b_cuts_a_in_two", boxMP(0, 0, 3, 1), boxMP(1, -1, 2, 2), 1, 2, 1, 2},
	{"both_with_holes", boxMP(0, 0, 4, 4, boxRing(1, 1, 3, 3)), boxMP(2, 0, 6, 4, boxRing(3, 1, 5, 3)), 4, 8, 2, 2},
	{"empty_a", nil, boxMP(0, 0, 1, 1), 0, 0, 0, 0},
	{"empty_b", boxMP(0, 0, 1, 1), orb.MultiPolygon{}, 0, 1, 0, 1},
	// The bow-tie is repaired into two triangles of area 1 first; the right
	// one lies in b.
	{"invalid_a_is_repaired", orb.MultiPolygon{{{{0, 0}, {2, 2}, {2, 0}, {0, 2}, {0, 0}}}}, boxMP(1, 0, 3, 2), 1, 1, 1, 1},
}

func TestOverlay(t *testing.T) {
	for _, tc := range overlayCases {
		t.Run(tc.name, func(t *testing.T) {
			a0, b0 := tc.a.Clone(), tc.b.Clone()
			for _, op := range []struct {
				name  string
				f     func(a, b orb.MultiPolygon) (orb.MultiPolygon, error)
				area  float64
				polys int
			}{
				{"intersection", Intersection, tc.inter, tc.interN},
				{"difference", Difference, tc.diff, tc.diffN},
			} {
				got, err := op.f(tc.a, tc.b)
				if err != nil {
					t.Fatalf("%s: got error %v, want nil", op.name, err)
				}
				checkOverlayResult(t, op.name, got, op.area, op.polys)
				if len(got) > 0 {
					checkGolden(t, "overlay", tc.name+"_"+op.name, got, 1e-12)
				}
			}
			if !reflect.DeepEqual(tc.a, a0) || !reflect.DeepEqual(tc.b, b0) {
				t.Errorf("inputs changed: got %v and %v, want %v and %v", tc.a, tc.b, a0, b0)
			}
		})
	}
}

// checkOverlayResult checks what every overlay result must be: nil when
// empty, valid, wound outer CCW and holes CW, of the given planar area (in
// square degrees, within 1e-9) and number of polygons.
func checkOverlayResult(t *testing.T, op string, got orb.MultiPolygon, wantArea float64, wantPolys int) {
	t.Helper()
	if wantPolys == 0 {
		if got != nil {
			t.Errorf("%s: got %v, want nil", op, got)
		}
		return
	}
	if err := Validate(got); err != nil {
		t.Errorf("%s: Validate: got %v, want nil", op, err)
	}
	if !isWound(got) {
		t.Errorf("%s: got rings not wound outer CCW, holes CW: %v", op, got)
	}
	if a := planar.Area(got); math.Abs(a-wantArea) > 1e-9 {
		t.Errorf("%s: area: got %.12g, want %.12g", op, a, wantArea)
	}
	if len(got) != wantPolys {
		t.Errorf("%s: polygons: got %d, want %d", op, len(got), wantPolys)
	}
}

// TestOverlayFreshMemory checks that no result shares memory with an input,
// fast paths included: editing the result leaves the input alone.
func TestOverlayFreshMemory(t *testing.T) {
	a := boxMP(0, 0, 1, 1)
	for _, tc := range []struct {
		name string
		f    func() (orb.MultiPolygon, error)
	}{
		{"difference with empty b", func() (orb.MultiPolygon, error) { return Difference(a, nil) }},
		{"difference with disjoint b", func() (orb.MultiPolygon, error) { return Difference(a, boxMP(5, 5, 6, 6)) }},
		{"intersection with itself", func() (orb.MultiPolygon, error) { return Intersection(a, a) }},
		{"intersection with a larger box", func() (orb.MultiPolygon, error) { return Intersection(a, boxMP(-1, -1, 2, 2)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.f()
			if err != nil || len(got) != 1 {
				t.Fatalf("got %v, %v; want one polygon", got, err)
			}
			got[0][0][0] = orb.Point{-9, -9}
			if want := boxMP(0, 0, 1, 1); !reflect.DeepEqual(a, want) {
				t.Errorf("input changed through the result: got %v, want %v", a, want)
			}
			a = boxMP(0, 0, 1, 1)
		})
	}
	if got, err := Difference(a, a); got != nil || err != nil {
		t.Errorf("Difference(a, a): got %v, %v; want nil, nil", got, err)
	}
}

// TestOverlayDeterministic checks that the order of the input polygons and
// their rings' starting points do not change the result.
func TestOverlayDeterministic(t *testing.T) {
	a := orb.MultiPolygon{
		{boxRing(0, 0, 4, 4), reversed(boxRing(1, 1, 2, 2))},
		{boxRing(5, 0, 7, 2)},
	}
	b := boxMP(1.5, -1, 6, 3)
	rot := func(r orb.Ring, k int) orb.Ring {
		out := append(orb.Ring{}, r[k:len(r)-1]...)
		out = append(out, r[:k]...)
		return append(out, out[0])
	}
	shuffled := orb.MultiPolygon{{rot(a[1][0], 2)}, {rot(a[0][0], 1), rot(a[0][1], 3)}}
	for _, op := range []struct {
		name string
		f    func(a, b orb.MultiPolygon) (orb.MultiPolygon, error)
	}{{"intersection", Intersection}, {"difference", Difference}} {
		want, err1 := op.f(a, b)
		got, err2 := op.f(shuffled, b)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: errors %v, %v", op.name, err1, err2)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s of reordered input: got %v, want %v", op.name, got, want)
		}
	}
}

func TestOverlayErrors(t *testing.T) {
	bad := orb.MultiPolygon{{{{0, 0}, {1, 0}, {math.NaN(), 1}, {0, 0}}}}
	for _, tc := range []struct {
		name string
		f    func(a, b orb.MultiPolygon) (orb.MultiPolygon, error)
		a, b orb.MultiPolygon
		want string
	}{
		{"intersection with a NaN in a", Intersection, bad, boxMP(0, 0, 1, 1), "intersection: operand a: repair: polygon 0 ring 0 point 2: coordinate (NaN 1) is not finite"},
		{"difference with a NaN in b", Difference, boxMP(0, 0, 1, 1), bad, "difference: operand b: repair: polygon 0 ring 0 point 2: coordinate (NaN 1) is not finite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.f(tc.a, tc.b)
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v, %v; want error %q", got, err, tc.want)
			}
		})
	}
	// An operand that repairs to nothing counts as empty, not as an error.
	flat := orb.MultiPolygon{{{{0, 0}, {1, 0}, {2, 0}, {0, 0}}}}
	if got, err := Difference(boxMP(0, 0, 1, 1), flat); err != nil || planar.Area(got) != 1 {
		t.Errorf("Difference(square, degenerate): got %v, %v; want the square", got, err)
	}
	if got, err := Intersection(flat, boxMP(0, 0, 1, 1)); err != nil || got != nil {
		t.Errorf("Intersection(degenerate, square): got %v, %v; want nil, nil", got, err)
	}
	if _, _, err := Repair(flat); !errors.Is(err, ErrEmpty) {
		t.Fatalf("fixture: Repair(flat) = %v, want ErrEmpty", err)
	}
}

// Intersection and Difference split territory into what two areas share and
// what only the first holds.
func ExampleIntersection() {
	held := orb.MultiPolygon{{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}}}
	oblast := orb.MultiPolygon{{{{2, 0}, {6, 0}, {6, 4}, {2, 4}, {2, 0}}}}
	in, _ := Intersection(held, oblast)
	out, _ := Difference(held, oblast)
	fmt.Println(in, planar.Area(in))
	fmt.Println(out, planar.Area(out))
	// Output:
	// [[[[2 0] [4 0] [4 4] [2 4] [2 0]]]] 8
	// [[[[0 0] [2 0] [2 4] [0 4] [0 0]]]] 8
}

// readUnits decodes data/boundaries/ukraine.geojson (shipped in the repo)
// into units by ISO code.
func readUnits(t testing.TB) map[string]orb.MultiPolygon {
	t.Helper()
	path := filepath.Join("..", "data", "boundaries", "ukraine.geojson")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("no unit boundaries: %v", err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	units := map[string]orb.MultiPolygon{}
	for i, f := range fc.Features {
		code := f.Properties.MustString("iso", "")
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			units[code] = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			units[code] = g
		default:
			t.Fatalf("%s feature %d: got %T, want a (Multi)Polygon", path, i, g)
		}
	}
	return units
}

// TestOverlayDeepStateUnits cuts one real day by every unit and checks that
// the pieces are valid and add up: area(a*u) + area(a-u) = area(a) for each
// unit u, and the pieces inside the units add up to a*ukraine.
func TestOverlayDeepStateUnits(t *testing.T) {
	control := readDeepState(t, filepath.Join(deepStateDir(t), "deepstatemap_data_20250815.geojson"))
	units := readUnits(t)
	codes := make([]string, 0, len(units))
	all := make([]orb.MultiPolygon, 0, len(units))
	for c := range units {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		all = append(all, units[c])
	}
	ukraine, err := Union(all...)
	if err != nil {
		t.Fatal(err)
	}
	in, err := Intersection(control, ukraine)
	if err != nil {
		t.Fatal(err)
	}
	whole := planar.Area(control)
	var sum float64
	for _, c := range codes {
		inter, err := Intersection(control, units[c])
		if err != nil {
			t.Fatalf("%s: intersection: %v", c, err)
		}
		diff, err := Difference(control, units[c])
		if err != nil {
			t.Fatalf("%s: difference: %v", c, err)
		}
		for name, mp := range map[string]orb.MultiPolygon{"intersection": inter, "difference": diff} {
			if err := Validate(mp); err != nil {
				t.Errorf("%s: %s invalid: %v", c, name, err)
			}
		}
		if got := planar.Area(inter) + planar.Area(diff); math.Abs(got-whole) > 1e-9*whole {
			t.Errorf("%s: area(a*u) + area(a-u): got %.12g, want area(a) %.12g", c, got, whole)
		}
		sum += planar.Area(inter)
	}
	if got := planar.Area(in); math.Abs(sum-got) > 1e-9*got {
		t.Errorf("pieces in the units: got %.12g square degrees, want area(a*ukraine) %.12g", sum, got)
	}
	t.Logf("control %.6f square degrees, %.6f inside Ukraine (%d polygons)", whole, planar.Area(in), len(in))
}
