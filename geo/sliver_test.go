package geo

import (
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// The synthetic country of these tests: lon [30, 31] x lat [48, 49] (about
// 74 x 111 km), with a peninsula 3.6 km wide and 22 km long sticking out of
// its east side at lat 48.5, and an island off its south coast.
var (
	sliverCountry = orb.MultiPolygon{
		{{{30, 48}, {31, 48}, {31, 48.5}, {31.3, 48.5}, {31.3, 48.5324}, {31, 48.5324}, {31, 49}, {30, 49}, {30, 48}}},
		// An island 600 m wide and 7.4 km long, 5.6 km off the south coast.
		{boxRing(30.3, 47.95-latM(100), 30.4, 47.95+latM(500))},
	}
	// metres per degree of latitude, for building fixtures
	mLat = outlineMetresPerDegree
)

// latM returns the latitude offset in degrees of a northward distance in
// metres.
func latM(m float64) float64 { return m / mLat }

func TestOutlineDistanceM(t *testing.T) {
	o := NewOutline(sliverCountry)
	for _, tc := range []struct {
		name string
		p    orb.Point
		want float64 // metres
		tol  float64 // relative
	}{
		{"1 km north of the south border", orb.Point{30.5, 48 + latM(1000)}, 1000, 1e-9},
		{"on the border", orb.Point{30.5, 48}, 0, 0},
		{"on a corner", orb.Point{30, 49}, 0, 0},
		// 0.01 degrees of longitude at 48.5 N: 737 m on the sphere.
		{"outside, east of the border", orb.Point{31.01, 48.2}, haversineM(orb.Point{31.01, 48.2}, orb.Point{31, 48.2}), 1e-9},
		{"inside the peninsula, off its centre line", orb.Point{31.15, 48.51}, 0.01 * mLat, 1e-9},
		{"deep inside, nearest the west border", orb.Point{30.2, 48.5}, haversineM(orb.Point{30.2, 48.5}, orb.Point{30, 48.5}), 1e-3},
		{"far outside the grid, nearest a corner", orb.Point{35, 52}, haversineM(orb.Point{35, 52}, orb.Point{31, 49}), 1e-9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := o.DistanceM(tc.p)
			if math.Abs(got-tc.want) > tc.tol*tc.want+1e-9 {
				t.Errorf("DistanceM(%v): got %.3f m, want %.3f m", tc.p, got, tc.want)
			}
		})
	}
	if got := NewOutline(nil).DistanceM(orb.Point{30, 48}); !math.IsInf(got, 1) {
		t.Errorf("empty outline: got %v, want +Inf", got)
	}
}

// TestOutlineDistanceMatchesBruteForce checks the grid search against a scan
// of every segment of the real outline of Ukraine, for random points in and
// around it.
func TestOutlineDistanceMatchesBruteForce(t *testing.T) {
	ukraine := realUkraine(t)
	o := NewOutline(ukraine)
	rng := rand.New(rand.NewSource(1))
	b := ukraine.Bound().Pad(1)
	for i := 0; i < 2000; i++ {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		if i%2 == 0 {
			// Half the points within a few km of a vertex of the outline.
			r := ukraine[0][0]
			q := r[rng.Intn(len(r))]
			p = orb.Point{q[0] + (rng.Float64()-0.5)*0.05, q[1] + (rng.Float64()-0.5)*0.05}
		}
		got := o.DistanceM(p)
		want := bruteDistanceM(o, p)
		if math.Abs(got-want) > 1e-9*want+1e-9 {
			t.Fatalf("point %v: got %.6f m, want %.6f m", p, got, want)
		}
		for _, tol := range []float64{500, 2000} {
			if gotIn, wantIn := o.withinM(p, tol), want <= tol; gotIn != wantIn && math.Abs(want-tol) > 1 {
				t.Fatalf("point %v within %g m: got %v, want %v (distance %.1f m)", p, tol, gotIn, wantIn, want)
			}
		}
	}
}

// bruteDistanceM is DistanceM by a scan of every segment.
func bruteDistanceM(o *Outline, p orb.Point) float64 {
	kx := outlineMetresPerDegree * math.Cos(p[1]*math.Pi/180)
	best, bestPt := math.Inf(1), orb.Point{}
	for _, s := range o.segs {
		if q, d := closestInFrame(p, s, kx, outlineMetresPerDegree); d < best {
			best, bestPt = d, q
		}
	}
	return haversineM(p, bestPt)
}

// TestOutlineConcurrent queries one Outline from several goroutines.
func TestOutlineConcurrent(t *testing.T) {
	o := NewOutline(sliverCountry)
	want := o.DistanceM(orb.Point{30.5, 48.2})
	var wg sync.WaitGroup
	errs := make(chan float64, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if got := o.DistanceM(orb.Point{30.5, 48.2}); got != want {
					errs <- got
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for got := range errs {
		t.Errorf("concurrent DistanceM: got %v, want %v", got, want)
	}
}

// boxAt returns the lon/lat box [x0, x1] x [y0, y1] as a polygon.
func boxAt(x0, y0, x1, y1 float64) orb.Polygon {
	return orb.Polygon{boxRing(x0, y0, x1, y1)}
}

func TestSplitSlivers(t *testing.T) {
	o := NewOutline(sliverCountry)
	for _, tc := range []struct {
		name   string
		p      orb.Polygon
		sliver bool
	}{
		{"300 m strip along the south border", boxAt(30.2, 48, 30.6, 48+latM(300)), true},
		// Near and thin, but land lies between it and the border: it does
		// not fill a gap between the outline and another line.
		{"300 m strip 1 km inside the border", boxAt(30.2, 48+latM(1000), 30.6, 48+latM(1300)), false},
		{"300 m strip 2.5 km inside the border", boxAt(30.2, 48+latM(2500), 30.6, 48+latM(2800)), false},
		{"small triangle in a corner", orb.Polygon{{{30, 48}, {30.01, 48}, {30, 48.007}, {30, 48}}}, true},
		{"strip with a bulge 3 km deep", orb.Polygon{{{30.2, 48}, {30.6, 48}, {30.6, 48 + latM(300)}, {30.4, 48 + latM(3000)}, {30.2, 48 + latM(300)}, {30.2, 48}}}, false},
		{"interior pocket", boxAt(30.4, 48.4, 30.45, 48.43), false},
		{"thin interior pocket", boxAt(30.2, 48.5, 30.6, 48.5+latM(300)), false},
		{"big area touching the border", boxAt(30.6, 48, 31, 48.3), false},
		// Every point of the filled peninsula is within 1.8 km of the
		// outline, but its mean width is 3.1 km: not thin.
		{"peninsula filled", boxAt(31, 48.5, 31.3, 48.5324), false},
		{"thin strip across a corner, ends on the border, middle 11 km in", orb.Polygon{{{30, 48.3}, {30.3, 48}, {30.3, 48.004}, {30, 48.304}, {30, 48.3}}}, false},
		// The island is a polygon of the outline; a polygon covering it, or
		// all but a band along one coast (the other source's coast), is real
		// land, not a sliver.
		{"whole island", orb.Polygon{sliverCountry[1][0]}, false},
		{"island but a 100 m band along its south coast", boxAt(30.3, 47.95, 30.4, 47.95+latM(500)), false},
		{"strip with a hole, along the border", orb.Polygon{boxRing(30.2, 48, 30.6, 48+latM(600)), reversed(boxRing(30.3, 48+latM(200), 30.4, 48+latM(400)))}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mp := orb.MultiPolygon{tc.p}
			before := mp.Clone()
			kept, slivers := o.SplitSlivers(mp, DefaultSliverToleranceM)
			if !reflect.DeepEqual(mp, before) {
				t.Errorf("input changed: got %v, want %v", mp, before)
			}
			want, other := kept, slivers
			if tc.sliver {
				want, other = slivers, kept
			}
			if len(want) != 1 || len(other) != 0 || !reflect.DeepEqual(want[0], tc.p) {
				t.Errorf("got kept %v, slivers %v; want it a sliver: %v (mean width %.0f m)", kept, slivers, tc.sliver, meanWidthM(tc.p))
			}
		})
	}
}

// TestSplitSliversMixed splits a multipolygon holding slivers and kept
// polygons, which keep their order, and checks the tolerance's effect.
func TestSplitSliversMixed(t *testing.T) {
	o := NewOutline(sliverCountry)
	strip := boxAt(30.2, 48, 30.6, 48+latM(300))
	pocket := boxAt(30.4, 48.4, 30.45, 48.43)
	corner := orb.Polygon{{{30, 48}, {30.01, 48}, {30, 48.007}, {30, 48}}}
	big := boxAt(30.6, 48, 31, 48.3)
	mp := orb.MultiPolygon{strip, pocket, corner, big}
	for _, tc := range []struct {
		name               string
		toleranceM         float64
		wantKept, wantSliv orb.MultiPolygon
	}{
		{"default tolerance", DefaultSliverToleranceM, orb.MultiPolygon{pocket, big}, orb.MultiPolygon{strip, corner}},
		// The strip's inner edge is 300 m from the outline; the middle of
		// the corner triangle's long side 372 m.
		{"200 m: no slivers", 200, mp, nil},
		{"350 m: the strip only", 350, orb.MultiPolygon{pocket, corner, big}, orb.MultiPolygon{strip}},
		{"negative tolerance: none", -1, mp, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kept, slivers := o.SplitSlivers(mp, tc.toleranceM)
			if !reflect.DeepEqual(kept, tc.wantKept) || !reflect.DeepEqual(slivers, tc.wantSliv) {
				t.Errorf("got kept %v, slivers %v; want %v, %v", kept, slivers, tc.wantKept, tc.wantSliv)
			}
		})
	}
	if kept, slivers := NewOutline(nil).SplitSlivers(mp, DefaultSliverToleranceM); !reflect.DeepEqual(kept, mp) || slivers != nil {
		t.Errorf("empty outline: got %v, %v; want everything kept", kept, slivers)
	}
	if kept, slivers := o.SplitSlivers(nil, DefaultSliverToleranceM); kept != nil || slivers != nil {
		t.Errorf("nil input: got %v, %v; want nil, nil", kept, slivers)
	}
}

// benchCircle returns a circular "country" of n vertices, radius 3 degrees
// of latitude, and a sliver of m vertices: a strip 300 m wide just inside
// the circle along a third of it, its outer side on the circle.
func benchCircle(n, m int) (country, sliver orb.MultiPolygon) {
	const cx, cy, r = 31.0, 48.5, 3.0
	k := 1 / math.Cos(cy*math.Pi/180)
	at := func(a, rr float64) orb.Point {
		return orb.Point{cx + k*rr*math.Cos(a), cy + rr*math.Sin(a)}
	}
	ring := make(orb.Ring, 0, n+1)
	for i := 0; i < n; i++ {
		ring = append(ring, at(2*math.Pi*float64(i)/float64(n), r))
	}
	country = orb.MultiPolygon{{append(ring, ring[0])}}
	half := m / 2
	s := make(orb.Ring, 0, 2*half+1)
	for i := 0; i < half; i++ {
		s = append(s, at(2*math.Pi/3*float64(i)/float64(half-1), r))
	}
	for i := half - 1; i >= 0; i-- {
		s = append(s, at(2*math.Pi/3*float64(i)/float64(half-1), r-latM(350)))
	}
	sliver = orb.MultiPolygon{{append(s, s[0])}}
	return country, sliver
}

// TestSplitSliversLarge pins what BenchmarkSplitSlivers measures: a
// 3,000-vertex strip along a 10,000-vertex outline is one sliver, found in
// milliseconds.
func TestSplitSliversLarge(t *testing.T) {
	country, strip := benchCircle(10000, 3000)
	start := time.Now()
	o := NewOutline(country)
	built := time.Since(start)
	start = time.Now()
	kept, slivers := o.SplitSlivers(strip, DefaultSliverToleranceM)
	split := time.Since(start)
	if len(kept) != 0 || len(slivers) != 1 {
		t.Errorf("got %d kept, %d slivers; want 0, 1", len(kept), len(slivers))
	}
	t.Logf("NewOutline(10,000 vertices) %v, SplitSlivers(3,000 vertices) %v", built, split)
}

// BenchmarkSplitSlivers measures SplitSlivers on a 3,000-vertex strip whose
// every vertex lies near a 10,000-vertex outline (the worst case: no early
// exit). Run: go test ./geo/ -run '^$' -bench SplitSlivers -benchmem
func BenchmarkSplitSlivers(b *testing.B) {
	country, strip := benchCircle(10000, 3000)
	o := NewOutline(country)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		o.SplitSlivers(strip, DefaultSliverToleranceM)
	}
}

// BenchmarkNewOutline measures building the index of a 10,000-vertex
// outline.
func BenchmarkNewOutline(b *testing.B) {
	country, _ := benchCircle(10000, 3000)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		NewOutline(country)
	}
}

// realUkraine is the union of the units in data/boundaries/ukraine.geojson,
// or a skip when the file is absent.
func realUkraine(t testing.TB) orb.MultiPolygon {
	t.Helper()
	u, _ := unionUkraine(t)
	return u
}

// SplitSlivers tells a 300 m strip along the border, where two sources
// disagree, from a pocket inside the country.
func ExampleOutline_SplitSlivers() {
	country := orb.MultiPolygon{{{{30, 48}, {31, 48}, {31, 49}, {30, 49}, {30, 48}}}}
	o := NewOutline(country)
	strip := orb.Polygon{{{30.2, 48}, {30.6, 48}, {30.6, 48.0027}, {30.2, 48.0027}, {30.2, 48}}}
	pocket := orb.Polygon{{{30.4, 48.4}, {30.45, 48.4}, {30.45, 48.43}, {30.4, 48.43}, {30.4, 48.4}}}
	kept, slivers := o.SplitSlivers(orb.MultiPolygon{strip, pocket}, DefaultSliverToleranceM)
	fmt.Println("kept:", kept)
	fmt.Println("slivers:", slivers)
	fmt.Printf("strip's inner edge: %.0f m from the border\n", o.DistanceM(orb.Point{30.4, 48.0027}))
	// Output:
	// kept: [[[[30.4 48.4] [30.45 48.4] [30.45 48.43] [30.4 48.43] [30.4 48.4]]]]
	// slivers: [[[[30.2 48] [30.6 48] [30.6 48.0027] [30.2 48.0027] [30.2 48]]]]
	// strip's inner edge: 300 m from the border
}
