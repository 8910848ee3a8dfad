package geo

import (
	"errors"
	"reflect"
	"sort"
	"testing"

	"github.com/paulmach/orb"
)

func TestUnion(t *testing.T) {
	sq := func(x0, y0, x1, y1 float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
	}
	bowtie := orb.MultiPolygon{{{{10, 0}, {12, 2}, {12, 0}, {10, 2}, {10, 0}}}}
	for _, tc := range []struct {
		name      string
		in        []orb.MultiPolygon
		wantArea  float64
		wantPolys int
		wantEmpty bool
	}{
		{"overlapping squares", []orb.MultiPolygon{sq(0, 0, 4, 4), sq(2, 0, 6, 4)}, 24, 1, false},
		{"disjoint squares stay apart", []orb.MultiPolygon{sq(0, 0, 1, 1), sq(2, 0, 3, 1)}, 2, 2, false},
		{"squares sharing an edge merge", []orb.MultiPolygon{sq(0, 0, 1, 1), sq(1, 0, 2, 1)}, 2, 1, false},
		{"square inside square", []orb.MultiPolygon{sq(0, 0, 4, 4), sq(1, 1, 2, 2)}, 16, 1, false},
		{"ring of squares leaves a hole", []orb.MultiPolygon{sq(0, 0, 3, 1), sq(0, 2, 3, 3), sq(0, 0, 1, 3), sq(2, 0, 3, 3)}, 8, 1, false},
		{"one operand", []orb.MultiPolygon{sq(0, 0, 4, 4)}, 16, 1, false},
		{"invalid operand is repaired first", []orb.MultiPolygon{sq(0, 0, 4, 4), bowtie}, 18, 3, false},
		{"empty operands are skipped", []orb.MultiPolygon{nil, sq(0, 0, 4, 4), {}}, 16, 1, false},
		{"no operands", nil, 0, 0, true},
		{"only empty operands", []orb.MultiPolygon{nil, {}}, 0, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before []orb.MultiPolygon
			for _, mp := range tc.in {
				before = append(before, mp.Clone())
			}
			got, err := Union(tc.in...)
			if !reflect.DeepEqual(tc.in, before) {
				t.Errorf("inputs changed: got %v, want %v", tc.in, before)
			}
			if tc.wantEmpty {
				if !errors.Is(err, ErrEmpty) {
					t.Errorf("Union: got %v, %v; want an error wrapping ErrEmpty", got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Union: got error %v, want nil", err)
			}
			if err := Validate(got); err != nil {
				t.Errorf("Validate(result): got %v, want nil", err)
			}
			if a := planarArea(got); !near(a, tc.wantArea, 1e-12) {
				t.Errorf("area: got %.15g, want %.15g", a, tc.wantArea)
			}
			if len(got) != tc.wantPolys {
				t.Errorf("polygons: got %d, want %d", len(got), tc.wantPolys)
			}
			for _, p := range got {
				for j, r := range p {
					if a := signedArea(r); (j == 0) != (a > 0) {
						t.Errorf("ring %d: got signed area %g, want outer CCW, holes CW", j, a)
					}
				}
			}
		})
	}
}

// TestUnionHoleCoveredByOtherOperand: a hole of one operand that another
// operand covers is filled. simplefeatures' UnionMany kept such a hole (a
// control area with a pocket, unioned with the oblast around the pocket,
// kept the pocket: area 96 instead of 100), and so the area that other
// operands frame inside one; the two-operand union does neither.
func TestUnionHoleCoveredByOtherOperand(t *testing.T) {
	sq := func(x0, y0, x1, y1 float64) orb.Ring {
		return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	}
	withHole := orb.MultiPolygon{{sq(0, 0, 10, 10), reversed(sq(4, 4, 6, 6))}}
	cover := orb.MultiPolygon{{sq(3, 3, 7, 7)}}
	for _, tc := range []struct {
		name      string
		in        []orb.MultiPolygon
		wantArea  float64
		wantPolys int
	}{
		{"cover after", []orb.MultiPolygon{withHole, cover}, 100, 1},
		{"cover first", []orb.MultiPolygon{cover, withHole}, 100, 1},
		{"hole filled exactly", []orb.MultiPolygon{withHole, {{sq(4, 4, 6, 6)}}}, 100, 1},
		// No operand has a hole: four bars frame the square's centre, which
		// UnionMany also left out.
		{"frame inside a square", []orb.MultiPolygon{
			{{sq(0, 0, 10, 10)}}, {{sq(3, 3, 7, 4)}}, {{sq(3, 6, 7, 7)}}, {{sq(3, 3, 4, 7)}}, {{sq(6, 3, 7, 7)}},
		}, 100, 1},
		{"among other operands", []orb.MultiPolygon{
			{{sq(20, 0, 21, 1)}}, withHole, {{sq(30, 0, 31, 1)}}, cover, {{sq(10, 0, 12, 1)}},
		}, 104, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Union(tc.in...)
			if err != nil {
				t.Fatal(err)
			}
			if a := planarArea(got); a != tc.wantArea || len(got) != tc.wantPolys {
				t.Errorf("got %v: area %g, %d polygons; want area %g exactly, %d polygons", got, a, len(got), tc.wantArea, tc.wantPolys)
			}
			for _, p := range got {
				if len(p) != 1 {
					t.Errorf("got polygon %v, want no holes", p)
				}
			}
		})
	}
}

// TestUnionFarPolygons covers operands whose polygons partly lie far from
// the other operands (they bypass the overlay): the result is canonical,
// merges what touches, and shares no memory with the inputs.
func TestUnionFarPolygons(t *testing.T) {
	sq := func(x0, y0, x1, y1 float64) orb.Polygon {
		return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
	}
	in := []orb.MultiPolygon{
		{sq(0, 0, 2, 2), sq(50, 50, 51, 51)},         // one near, one far island
		{sq(1, 0, 3, 2), sq(-40, 0, -39, 1)},         // overlaps the first
		{sq(100, 0, 101, 1)},                         // far from all
		{sq(100, 1, 101, 2), sq(-60, -60, -59, -59)}, // shares an edge with the third
		{sq(20, 20, 21, 21), sq(21, 21, 22, 22)},     // two touching at a corner
		// A copy of the first two merged, with a hole that they cover.
		{{{{0, 0}, {3, 0}, {3, 2}, {0, 2}, {0, 0}}, {{1, 1}, {1, 1.5}, {2, 1.5}, {2, 1}, {1, 1}}}},
	}
	before := make([]orb.MultiPolygon, len(in))
	for i, mp := range in {
		before[i] = mp.Clone()
	}
	got, err := Union(in...)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(got); err != nil {
		t.Errorf("Validate: %v", err)
	}
	// The first two and the holed copy merge into 6, the third and fourth
	// into 2; the islands add 1 each and the corner squares stay apart.
	if a := planarArea(got); a != 13 || len(got) != 7 {
		t.Errorf("got %v: area %g, %d polygons; want 13, 7", got, a, len(got))
	}
	if !reflect.DeepEqual(got, canonical(got)) {
		t.Errorf("result not canonical: %v", got)
	}
	for _, p := range got {
		for _, r := range p {
			for k := range r {
				r[k] = orb.Point{-999, -999}
			}
		}
	}
	if !reflect.DeepEqual(in, before) {
		t.Errorf("inputs changed or share memory with the result: got %v, want %v", in, before)
	}
}

// TestUnionOrderIndependent: the operands' order does not change the
// union of the 27 units.
func TestUnionOrderIndependent(t *testing.T) {
	want, all := unionUkraine(t)
	rev := make([]orb.MultiPolygon, len(all))
	for i, mp := range all {
		rev[len(all)-1-i] = mp
	}
	got, err := Union(rev...)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reversed operands: got %d polygons, %d vertices; want %d, %d", len(got), vertexTotal(got), len(want), vertexTotal(want))
	}
}

// unionUkraine unions the units of data/boundaries/ukraine.geojson in the
// order of their codes.
func unionUkraine(tb testing.TB) (orb.MultiPolygon, []orb.MultiPolygon) {
	tb.Helper()
	units := readUnits(tb)
	codes := make([]string, 0, len(units))
	for c := range units {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	all := make([]orb.MultiPolygon, len(codes))
	for i, c := range codes {
		all[i] = units[c]
	}
	u, err := Union(all...)
	if err != nil {
		tb.Fatalf("union of the units: %v", err)
	}
	return u, all
}

// TestUnionUkraine pins the union of the 27 units: its polygon count and
// planar area, which must equal the sum of the units' areas (they tile the
// country without overlaps).
func TestUnionUkraine(t *testing.T) {
	u, all := unionUkraine(t)
	var sum float64
	for _, mp := range all {
		sum += planarArea(mp)
	}
	if err := Validate(u); err != nil {
		t.Errorf("Validate: %v", err)
	}
	const wantPolys, wantArea = 4, 73.6498864153
	if a := planarArea(u); len(u) != wantPolys || !near(a, wantArea, 1e-12) {
		t.Errorf("got %d polygons, area %.15g; want %d, %.15g", len(u), a, wantPolys, wantArea)
	}
	if a := planarArea(u); !near(a, sum, 1e-9) {
		t.Errorf("area %.15g, want the sum of the units %.15g", a, sum)
	}
	t.Logf("%d polygons, %d vertices, area %.15g (units sum to %.15g)", len(u), vertexTotal(u), planarArea(u), sum)
}

func BenchmarkUnionUkraine(b *testing.B) {
	_, all := unionUkraine(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Union(all...); err != nil {
			b.Fatal(err)
		}
	}
}
