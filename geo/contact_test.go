package geo

import (
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/paulmach/orb"
)

// contactCountry is the square country lon [30, 31] x lat [48, 49] of the
// contact-line tests.
var contactCountry = orb.MultiPolygon{{boxRing(30, 48, 31, 49)}}

// cutAt returns the points (30.5, lat) for lat from y0 to y1 (inclusive)
// in steps of d degrees, rounded to 1e-9 so the fixtures are exact.
func cutAt(y0, y1, d float64) []orb.Point {
	var pts []orb.Point
	n := int(math.Round((y1 - y0) / d))
	for i := 0; i <= n; i++ {
		y := math.Round((y0+float64(i)*(y1-y0)/float64(n))*1e9) / 1e9
		pts = append(pts, orb.Point{30.5, y})
	}
	return pts
}

// ringFrom closes pts into a ring.
func ringFrom(pts ...[]orb.Point) orb.Ring {
	var r orb.Ring
	for _, p := range pts {
		r = append(r, p...)
	}
	return append(r, r[0])
}

func TestContactLine(t *testing.T) {
	o := NewOutline(contactCountry)
	east := orb.MultiPolygon{{boxRing(30.5, 48, 31, 49)}}
	// The east half with its north-south cut densified every 0.001 degrees
	// (111 m): the cut's last 444 m at each end lie within 500 m of the
	// border and go with it.
	denseCut := cutAt(48, 49, 0.001)
	denseEast := orb.MultiPolygon{{ringFrom([]orb.Point{{31, 48}, {31, 49}}, reversedPoints(denseCut))}}
	// The east half with its east side 300 m inside the border (coast data
	// that disagrees with the boundary).
	inset := 31 - 300/(outlineMetresPerDegree*math.Cos(48.5*math.Pi/180))
	for _, tc := range []struct {
		name       string
		russia     orb.MultiPolygon
		toleranceM float64
		want       orb.MultiLineString
	}{
		{"east half: the line is the north-south cut", east, DefaultContactToleranceM,
			orb.MultiLineString{{{30.5, 49}, {30.5, 48}}}},
		{"east half, densified cut: ends within 500 m of the border dropped", denseEast, DefaultContactToleranceM,
			orb.MultiLineString{reversedPoints(cutAt(48.004, 48.996, 0.001))}},
		{"east half, east side 300 m inside the border", orb.MultiPolygon{{boxRing(30.5, 48, inset, 49)}}, DefaultContactToleranceM,
			orb.MultiLineString{{{30.5, 49}, {30.5, 48}}}},
		{"east half, ring starting in the middle of the cut", orb.MultiPolygon{{{{30.5, 48.5}, {30.5, 48}, {31, 48}, {31, 49}, {30.5, 49}, {30.5, 48.5}}}}, DefaultContactToleranceM,
			orb.MultiLineString{{{30.5, 49}, {30.5, 48.5}, {30.5, 48}}}},
		{"east half with a Ukrainian-held pocket: the hole stays closed", orb.MultiPolygon{{boxRing(30.5, 48, 31, 49), reversed(boxRing(30.7, 48.4, 30.8, 48.5))}}, DefaultContactToleranceM,
			orb.MultiLineString{{{30.5, 49}, {30.5, 48}}, orb.LineString(reversed(boxRing(30.7, 48.4, 30.8, 48.5)))}},
		{"interior area: its whole ring, closed", orb.MultiPolygon{{boxRing(30.4, 48.4, 30.6, 48.6)}}, DefaultContactToleranceM,
			orb.MultiLineString{orb.LineString(boxRing(30.4, 48.4, 30.6, 48.6))}},
		{"pocket on the border: three sides", orb.MultiPolygon{{boxRing(30.4, 48.9, 30.6, 49)}}, DefaultContactToleranceM,
			orb.MultiLineString{{{30.4, 49}, {30.4, 48.9}, {30.6, 48.9}, {30.6, 49}}}},
		{"thin strip along the border: nothing", orb.MultiPolygon{{boxRing(30.2, 48, 30.6, 48.003)}}, DefaultContactToleranceM, nil},
		{"the whole country: nothing", contactCountry, DefaultContactToleranceM, nil},
		{"negative tolerance: every ring whole", east, -1,
			orb.MultiLineString{orb.LineString(boxRing(30.5, 48, 31, 49))}},
		{"empty russia", nil, DefaultContactToleranceM, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.russia.Clone()
			got := o.ContactLine(tc.russia, tc.toleranceM)
			if !reflect.DeepEqual(tc.russia, before) {
				t.Errorf("input changed: got %v, want %v", tc.russia, before)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// reversedPoints returns pts in reverse order.
func reversedPoints(pts []orb.Point) []orb.Point {
	out := make([]orb.Point, len(pts))
	for i, p := range pts {
		out[len(pts)-1-i] = p
	}
	return out
}

// ContactLine keeps the part of Russia's boundary inside the country: here
// the north-south cut through a square country whose east half it holds.
func ExampleOutline_ContactLine() {
	country := orb.MultiPolygon{{{{30, 48}, {31, 48}, {31, 49}, {30, 49}, {30, 48}}}}
	russia := orb.MultiPolygon{{{{30.5, 48}, {31, 48}, {31, 49}, {30.5, 49}, {30.5, 48}}}}
	fmt.Println(NewOutline(country).ContactLine(russia, DefaultContactToleranceM))
	// Output:
	// [[[30.5 49] [30.5 48]]]
}
