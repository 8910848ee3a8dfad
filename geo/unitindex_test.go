package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func rect(minLon, minLat, maxLon, maxLat float64) orb.Polygon {
	return orb.Polygon{{{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat}}}
}

func TestUnitIndexAreaKm2(t *testing.T) {
	// Two units side by side: west 30..32 E, east 32..34 E, both 47..49 N.
	ix := NewUnitIndex(map[string]orb.MultiPolygon{
		"W": {rect(30, 47, 32, 49)},
		"E": {rect(32, 47, 34, 49)},
	})
	km2 := func(p orb.Polygon) float64 { return PolygonAreaKm2(p) }
	tests := []struct {
		name string
		mp   orb.MultiPolygon
		want map[string]float64
	}{
		{"inside one unit, no overlay", orb.MultiPolygon{rect(30.5, 47.5, 31, 48)}, map[string]float64{"W": km2(rect(30.5, 47.5, 31, 48))}},
		{"across the shared border", orb.MultiPolygon{rect(31, 48, 33, 48.5)}, map[string]float64{"W": km2(rect(31, 48, 32, 48.5)), "E": km2(rect(32, 48, 33, 48.5))}},
		{"two polygons in two units", orb.MultiPolygon{rect(30.2, 47.2, 30.4, 47.4), rect(33.2, 48.2, 33.4, 48.4)},
			map[string]float64{"W": km2(rect(30.2, 47.2, 30.4, 47.4)), "E": km2(rect(33.2, 48.2, 33.4, 48.4))}},
		{"partly outside both", orb.MultiPolygon{rect(33.5, 48.5, 35, 50)}, map[string]float64{"E": km2(rect(33.5, 48.5, 34, 49))}},
		{"covering both", orb.MultiPolygon{rect(29, 46, 35, 50)}, map[string]float64{"W": km2(rect(30, 47, 32, 49)), "E": km2(rect(32, 47, 34, 49))}},
		{"outside both units", orb.MultiPolygon{{{{34.5, 47}, {35, 47}, {35, 49}, {34.5, 47}}}}, map[string]float64{}},
		{"outside, bounds overlapping a unit", orb.MultiPolygon{{{{33.95, 49.5}, {35, 47}, {35, 49.5}, {33.95, 49.5}}}}, map[string]float64{}},
		{"empty", nil, map[string]float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ix.AreaKm2(tt.mp)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got units %v, want %v", got, tt.want)
			}
			for code, want := range tt.want {
				if math.Abs(got[code]-want) > 1e-6*want {
					t.Errorf("%s: got %.6f km2, want %.6f", code, got[code], want)
				}
			}
		})
	}
}
