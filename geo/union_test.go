package geo

import (
	"errors"
	"reflect"
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
