package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Geodesic area on the WGS84 ellipsoid.
//
// The area of a ring is the sum over its edges of S12, the area between the
// edge and the equator, as in GeographicLib's PolygonArea. S12 is computed in
// one of two ways:
//
//   - Short edges (nearly all: DeepState and boundary edges have a median
//     length of 0.7 to 0.9 km and 99 % are under 10 km) take a fast path. Both
//     ends go to the authalic sphere (radius R with the ellipsoid's area,
//     reached by the equal-area map (lat, lon) -> (authalic latitude, lon)),
//     and S12 is R² times the spherical excess of the trapezoid between the
//     great-circle edge and the equator. The map being equal-area, this is
//     exactly the ellipsoidal area under the image of that great circle; it
//     differs from the area under the geodesic by e²·sin(2·lat)·s²·X/(24R) to
//     first order in e², for an edge of length s spanning X east-west, a term
//     that is added (derivation at edgeS12). What remains is below
//     2e-13·s³ m² (s in metres), under 0.4 % of the uncorrected difference.
//   - Long edges, and edges beyond 80° of latitude, solve the geodesic inverse
//     problem with Karney's algorithm, ported by hand from GeographicLib's
//     geodesic.c (below), which is accurate to round-off but ~15 times slower.
//
// TestAreaFastPathError measures the difference between the two paths, edge
// by edge and on whole polygons.

// WGS84 ellipsoid.
const (
	geodWGS84A = 6378137.0         // equatorial radius, metres
	geodWGS84F = 1 / 298.257223563 // flattening
)

const (
	// geodFastEdgeDeg is the largest |Δlat| + |Δlon| (degrees) of an edge
	// whose S12 is taken on the authalic sphere. Up to 0.1° (11 km) the fast
	// path is within 2e-13·s³ m² of the geodesic's S12 (0.3 m² at 11 km),
	// so even a square of side s with only such edges is within 8e-13·s
	// (1e-8) relative; on real polygons the errors of neighbouring edges
	// largely cancel (see AreaKm2). Lowering it costs speed, not accuracy
	// worth having: at 0.1°, 97.6 % of the DeepState edges take the fast path.
	// It must stay at most 1° (edgeS12's series).
	geodFastEdgeDeg = 0.1
	// geodFastMaxLat is the largest |lat| (degrees) of the fast path: nearer
	// the poles cos(authalic latitude) loses digits.
	geodFastMaxLat = 80.0
)

// AreaKm2 returns the area of mp in square kilometres on the WGS84 ellipsoid, with edges taken as
// geodesics, as GeographicLib's PolygonArea does. Holes are subtracted whatever their winding; empty
// input gives 0. mp is in lon/lat degrees and is not modified.
//
// Each ring's area is unsigned (a clockwise outer ring counts as positive) and is that of the smaller
// of the two regions the ring bounds; a polygon's area is its outer ring's minus its holes', and
// overlapping polygons count twice. Rings need not repeat their first point; rings with fewer than 3
// distinct points give 0, and latitudes outside [-90, 90] give NaN.
//
// Measured relative error against pyproj 3.4.1 (GeographicLib) in area_test.go: 7e-11 on the 27
// Ukrainian units, 1e-12 on a 3,000-vertex DeepState line of control, 3e-10 on random polygons 1 to
// 1,000 km across, 1e-14 on 1-degree cells and a triangle with a 10-degree edge; on a 10 m square
// 2.5e-10 against an exact (40-digit) value, where pyproj is off by 4e-10. It takes about 65 ns per
// vertex (0.2 ms for 3,000 vertices) and does not allocate.
func AreaKm2(mp orb.MultiPolygon) float64 {
	var a geodAccumulator
	for _, p := range mp {
		a.add(geodPolygonAreaM2(p))
	}
	return a.sum() / 1e6
}

// PolygonAreaKm2 is AreaKm2 for one polygon: its outer ring's area minus its holes' in square
// kilometres on the WGS84 ellipsoid; p is in lon/lat degrees and is not modified.
func PolygonAreaKm2(p orb.Polygon) float64 {
	return geodPolygonAreaM2(p) / 1e6
}

// RingAreaKm2 returns the unsigned geodesic area enclosed by r in square kilometres on the WGS84
// ellipsoid, whatever its winding; r is in lon/lat degrees, need not repeat its first point at the
// end, and is not modified. Rings with fewer than 3 points give 0.
func RingAreaKm2(r orb.Ring) float64 {
	return math.Abs(geodRingAreaM2(r, geodFastEdgeDeg)) / 1e6
}

// geodPolygonAreaM2 returns the area of p in m²: outer ring minus holes, each
// unsigned.
func geodPolygonAreaM2(p orb.Polygon) float64 {
	if len(p) == 0 {
		return 0
	}
	var a geodAccumulator
	a.add(math.Abs(geodRingAreaM2(p[0], geodFastEdgeDeg)))
	for _, h := range p[1:] {
		a.add(-math.Abs(geodRingAreaM2(h, geodFastEdgeDeg)))
	}
	return a.sum()
}

// geodRingAreaM2 returns the signed area of r in m², positive when r is
// counter-clockwise, in (-A/2, A/2] where A is the ellipsoid's area. Edges
// spanning at most fastDeg degrees take the authalic-sphere fast path (see
// geodFastEdgeDeg); fastDeg < 0 solves every edge with Karney's algorithm.
func geodRingAreaM2(r orb.Ring, fastDeg float64) float64 {
	n := len(r)
	if n > 1 && r[n-1] == r[0] {
		n-- // the closing edge is zero-length
	}
	if n < 3 {
		return 0
	}
	g := geodWGS84
	var sum geodAccumulator // Σ S12, clockwise positive
	crossings := 0
	prev := r[n-1]
	pv := g.authalic(prev[1])
	for i := 0; i < n; i++ {
		cur := r[i]
		cv := g.authalic(cur[1])
		sum.add(g.edgeS12(prev, cur, pv, cv, fastDeg))
		crossings += geodTransit(prev[0], cur[0])
		prev, pv = cur, cv
	}
	return geodAreaReduce(sum, 4*math.Pi*g.c2, crossings)
}

// geodAuthalic holds sin and cos of a point's authalic latitude.
type geodAuthalic struct{ s, c float64 }

// authalic returns the authalic latitude of lat (degrees) as sine and cosine:
// sin(authalic) = q(lat)/q(90°), with q(lat) from Snyder (1987) eq. 3-12
// summed as a power series in sin(lat)² (see newGeodEllipsoid).
func (g *geodEllipsoid) authalic(lat float64) geodAuthalic {
	s := math.Sin(lat * geodDegree)
	sb := s * geodPolyval(g.authq[:], s*s)
	cb2 := (1 - sb) * (1 + sb)
	if cb2 < 0 { // |sb| rounded above 1 at a pole (math.Max is slower here)
		cb2 = 0
	}
	return geodAuthalic{sb, math.Sqrt(cb2)}
}

// edgeS12 returns the area in m² between the geodesic from p1 to p2 and the
// equator, positive for an east-going edge north of the equator, as
// GeographicLib's S12; a1 and a2 are the authalic latitudes of p1 and p2,
// and fastDeg (at most 1) is geodRingAreaM2's.
func (g *geodEllipsoid) edgeS12(p1, p2 orb.Point, a1, a2 geodAuthalic, fastDeg float64) float64 {
	dlon := p2[0] - p1[0]
	if dlon > 180 || dlon < -180 {
		dlon = geodAngDiff(p1[0], p2[0])
	}
	if math.Abs(p2[1]-p1[1])+math.Abs(dlon) > fastDeg ||
		math.Abs(p1[1]) > geodFastMaxLat || math.Abs(p2[1]) > geodFastMaxLat {
		return g.inverseS12(p1[1], p1[0], p2[1], p2[0])
	}
	// Spherical excess E of the trapezoid (lat1, lon1), (0, lon1), (0, lon2),
	// (lat2, lon2) on the authalic sphere: tan(E/2) = tan(Δlon/2) ·
	// (tan(b1/2) + tan(b2/2)) / (1 + tan(b1/2)·tan(b2/2)), with
	// tan(b/2) = sin(b)/(1 + cos(b)) and the denominators cleared. As
	// |Δlon/2| <= 1/2° here, tan and atan are their Taylor series to x^7,
	// exact to round-off.
	x := dlon * (geodDegree / 2)
	x2 := x * x
	tau := x * (1 + x2*(1.0/3+x2*(2.0/15+x2*(17.0/315))))
	d1, d2 := 1+a1.c, 1+a2.c
	z := tau * (a1.s*d2 + a2.s*d1) / (a1.s*a2.s + d1*d2)
	z2 := z * z
	ex := 2 * z * (1 - z2*(1.0/3-z2*(1.0/5-z2*(1.0/7))))
	// Correction from the authalic great circle to the geodesic. In the
	// coordinates (b, lon) the ellipsoid's metric is the sphere's with the
	// parallels stretched by k = 1 + e²·cos²(b)/6 and the meridians shrunk
	// by 1/k (to first order in e²; the map is equal-area). Liouville's
	// formula then gives the image of a geodesic on the sphere a geodesic
	// curvature κ = e²·sin(2b)·sin(azimuth)/(2R), so it bows away from the
	// great circle by a sliver of area κ·L³/12 = e²·sin(2b)·L²·X/(24R) for
	// an edge of length L spanning X = L·sin(azimuth) east-west. This removes
	// over 99.6 % of the difference (TestAreaFastPathError).
	sm, cm := (a1.s+a2.s)/2, (a1.c+a2.c)/2
	db := a2.s*a1.c - a2.c*a1.s // sin(b2 - b1)
	dl := 2 * x                 // Δlon, radians
	ex += g.e2 / 12 * sm * cm * cm * dl * (db*db + cm*cm*dl*dl)
	return g.c2 * ex
}

// geodAreaReduce turns Σ S12 of a closed ring (clockwise positive) and the number
// of times the ring crosses the prime meridian into the ring's signed area,
// counter-clockwise positive, in (-area0/2, area0/2], as GeographicLib's
// areareduceA with reverse = false and sign = true.
func geodAreaReduce(a geodAccumulator, area0 float64, crossings int) float64 {
	a.rem(area0)
	if crossings&1 != 0 {
		if a.s < 0 {
			a.add(area0 / 2)
		} else {
			a.add(-area0 / 2)
		}
	}
	a.s, a.t = -a.s, -a.t
	if a.s > area0/2 {
		a.add(-area0)
	} else if a.s <= -area0/2 {
		a.add(area0)
	}
	return 0 + a.s
}

// geodAccumulator is GeographicLib's double-double sum: s + t holds the exact
// sum of the values added, to about 106 bits.
type geodAccumulator struct{ s, t float64 }

// add adds y to a.
func (a *geodAccumulator) add(y float64) {
	z, u := geodTwoSum(y, a.t)
	a.s, a.t = geodTwoSum(z, a.s)
	if a.s == 0 {
		a.s = u
	} else {
		a.t += u
	}
}

// sum returns the sum rounded to float64.
func (a geodAccumulator) sum() float64 { return a.s }

// rem reduces a to [-y/2, y/2].
func (a *geodAccumulator) rem(y float64) {
	a.s = math.Remainder(a.s, y)
	a.add(0)
}

// geodTwoSum returns s = round(u + v) and t with u + v = s + t exactly.
func geodTwoSum(u, v float64) (s, t float64) {
	s = u + v
	up := s - v
	vpp := s - up
	up -= u
	vpp -= v
	if s != 0 {
		t = 0 - (up + vpp)
	} else {
		t = s
	}
	return s, t
}

// geodTransit returns 1 or -1 when the edge from lon1 to lon2 crosses the prime
// meridian going east or west, else 0 (GeographicLib's transit).
func geodTransit(lon1, lon2 float64) int {
	var lon12 float64
	if d := lon2 - lon1; lon1 > -180 && lon1 < 180 && lon2 > -180 && lon2 < 180 && d > -180 && d < 180 {
		lon12 = d // what AngDiff and AngNormalize give, without their cost
	} else {
		lon12 = geodAngDiff(lon1, lon2)
		lon1 = geodAngNormalize(lon1)
		lon2 = geodAngNormalize(lon2)
	}
	switch {
	case lon12 > 0 && ((lon1 < 0 && lon2 >= 0) || (lon1 > 0 && lon2 == 0)):
		return 1
	case lon12 < 0 && lon1 >= 0 && lon2 < 0:
		return -1
	}
	return 0
}

// The rest of this file is the part of GeographicLib's geodesic.c that
// computes S12 for the inverse problem, ported to Go by hand.
//
// GeographicLib, geodesic.c: Copyright (c) Charles Karney (2012-2022)
// <charles@karney.com>, licensed under the MIT/X11 License,
// https://geographiclib.sourceforge.io/. The algorithms are described in
// C. F. F. Karney, Algorithms for geodesics, J. Geodesy 87, 43-55 (2013),
// https://doi.org/10.1007/s00190-012-0578-z.
//
// Only the area output is kept (no distance, azimuths or reduced length
// outputs), the ellipsoid is fixed to be oblate, and the variable names
// follow the C code so that the two can be read side by side.

const (
	geodOrder = 6
	geodNA3   = geodOrder
	geodNC1   = geodOrder
	geodNC2   = geodOrder
	geodNC3   = geodOrder
	geodNC4   = geodOrder
	geodNC3x  = (geodNC3 * (geodNC3 - 1)) / 2
	geodNC4x  = (geodNC4 * (geodNC4 + 1)) / 2
	geodNC    = geodOrder + 1

	geodNAuthalic = 9 // terms of the authalic latitude series: the first left out is < 3e-20

	geodDegree  = math.Pi / 180
	geodMaxit1  = 20
	geodMaxit2  = geodMaxit1 + 53 + 10
	geodEpsilon = 0x1p-52 // DBL_EPSILON
	geodTol0    = geodEpsilon
	geodTol1    = 200 * geodTol0
	geodTolb    = geodTol0
	geodTiny    = 0x1p-511 // sqrt(DBL_MIN)
	geodTol2    = 0x1p-26  // sqrt(geodTol0)
	geodXthresh = 1000 * geodTol2
)

// geodEllipsoid holds an ellipsoid's constants and series coefficients.
type geodEllipsoid struct {
	a, f, f1, e2, ep2, n, b, c2, etol2 float64
	authq                              [geodNAuthalic]float64 // q(lat)/(q(90°)·sin(lat)) in powers of sin(lat)²
	a3x                                [geodNA3]float64
	c3x                                [geodNC3x]float64
	c4x                                [geodNC4x]float64
}

// geodWGS84 is the WGS84 ellipsoid; it is computed once and never changed.
var geodWGS84 = newGeodEllipsoid(geodWGS84A, geodWGS84F)

// newGeodEllipsoid returns the constants of the ellipsoid with equatorial radius
// a (metres) and flattening f > 0 (geod_init).
func newGeodEllipsoid(a, f float64) *geodEllipsoid {
	g := &geodEllipsoid{a: a, f: f}
	g.f1 = 1 - f
	g.e2 = f * (2 - f)
	g.ep2 = g.e2 / (g.f1 * g.f1)
	g.n = f / (2 - f)
	g.b = a * g.f1
	e := math.Sqrt(g.e2)
	// Authalic radius squared: (a² + b²·atanh(e)/e)/2 = a²·q(90°)/2.
	g.c2 = (a*a + g.b*g.b*math.Atanh(e)/e) / 2
	// q(lat) = (1-e²)·(s/(1-e²s²) + atanh(e·s)/e) with s = sin(lat)
	//        = (1-e²)·s·Σ_k (2k+2)/(2k+1)·(e²s²)^k,
	// whose terms shrink by e² = 0.0067 or more: geodNAuthalic terms reach
	// round-off. Dividing by q(90°) = 2c2/a² gives sin(authalic latitude).
	qp := 2 * g.c2 / (a * a)
	ek := 1.0
	for k := 0; k < geodNAuthalic; k++ {
		g.authq[geodNAuthalic-1-k] = (1 - g.e2) * float64(2*k+2) / float64(2*k+1) * ek / qp
		ek *= g.e2
	}
	g.etol2 = 0.1 * geodTol2 / math.Sqrt(math.Max(0.001, math.Abs(f))*math.Min(1, 1-f/2)/2)
	g.a3coeff()
	g.c3coeff()
	g.c4coeff()
	return g
}

// inverseS12 returns S12 in m² for the geodesic from (lat1, lon1) to
// (lat2, lon2), degrees: the area between the geodesic and the equator,
// counter-clockwise around (lat1, lon1), (0, lon1), (0, lon2), (lat2, lon2)
// (geod_geninverse_int with only GEOD_AREA).
func (g *geodEllipsoid) inverseS12(lat1, lon1, lat2, lon2 float64) float64 {
	var ca [geodNC]float64
	lon12, lon12s := geodAngDiffErr(lon1, lon2)
	lonsign := 1.0
	if math.Signbit(lon12) {
		lonsign = -1
	}
	lon12 *= lonsign
	lon12s *= lonsign
	lam12 := lon12 * geodDegree
	slam12, clam12 := geodSincosde(lon12, lon12s)
	lon12s = (180 - lon12) - lon12s // the supplementary longitude difference

	lat1 = geodAngRound(geodLatFix(lat1))
	lat2 = geodAngRound(geodLatFix(lat2))
	swapp := 1.0
	if math.Abs(lat1) < math.Abs(lat2) || math.IsNaN(lat2) {
		swapp = -1
		lonsign *= -1
		lat1, lat2 = lat2, lat1
	}
	latsign := -1.0
	if math.Signbit(lat1) {
		latsign = 1
	}
	lat1 *= latsign
	lat2 *= latsign
	// Now 0 <= lon12 <= 180, -90 <= lat1 <= -0, lat1 <= lat2 <= -lat1.

	sbet1, cbet1 := geodSincosd(lat1)
	sbet1 *= g.f1
	sbet1, cbet1 = geodNorm2(sbet1, cbet1)
	cbet1 = math.Max(geodTiny, cbet1)
	sbet2, cbet2 := geodSincosd(lat2)
	sbet2 *= g.f1
	sbet2, cbet2 = geodNorm2(sbet2, cbet2)
	cbet2 = math.Max(geodTiny, cbet2)

	if cbet1 < -sbet1 {
		if cbet2 == cbet1 {
			sbet2 = math.Copysign(sbet1, sbet2)
		}
	} else if math.Abs(sbet2) == -sbet1 {
		cbet2 = cbet1
	}

	dn1 := math.Sqrt(1 + g.ep2*sbet1*sbet1)
	dn2 := math.Sqrt(1 + g.ep2*sbet2*sbet2)

	var salp1, calp1, salp2, calp2, omg12 float64
	somg12, comg12 := 2.0, 0.0 // somg12 == 2 marks that it needs computing

	// For an oblate ellipsoid a meridional geodesic is always shortest, so
	// the m12 check of the C code (which needs Lengths) is not needed.
	meridian := lat1 == -90 || slam12 == 0
	if meridian {
		calp1, salp1 = clam12, slam12 // head to the target longitude
		calp2, salp2 = 1, 0           // at the target we're heading north
	}

	if !meridian && sbet1 == 0 && lon12s >= g.f*180 {
		// Geodesic runs along equator.
		calp1, calp2, salp1, salp2 = 0, 0, 1, 1
		omg12 = lam12 / g.f1
	} else if !meridian {
		var sig12, dnm float64
		sig12, salp1, calp1, salp2, calp2, dnm = g.inverseStart(sbet1, cbet1, dn1, sbet2, cbet2, dn2,
			lam12, slam12, clam12, &ca)
		if sig12 >= 0 {
			// Short lines (inverseStart set salp2, calp2, dnm).
			omg12 = lam12 / (g.f1 * dnm)
		} else {
			// Newton's method on lambda12(alp1) - lam12 = 0, keeping a bracket
			// (alp1a, alp1b) of the root and bisecting when a step leaves it.
			var domg12 float64
			salp1a, calp1a, salp1b, calp1b := geodTiny, 1.0, geodTiny, -1.0
			tripn, tripb := false, false
			for numit := 0; ; numit++ {
				var v, dv float64
				v, salp2, calp2, domg12, dv = g.lambda12(sbet1, cbet1, dn1, sbet2, cbet2, dn2,
					salp1, calp1, slam12, clam12, numit < geodMaxit1, &ca)
				tol := 1.0
				if tripn {
					tol = 8
				}
				if tripb || !(math.Abs(v) >= tol*geodTol0) || numit == geodMaxit2 {
					break
				}
				if v > 0 && (numit > geodMaxit1 || calp1/salp1 > calp1b/salp1b) {
					salp1b, calp1b = salp1, calp1
				} else if v < 0 && (numit > geodMaxit1 || calp1/salp1 < calp1a/salp1a) {
					salp1a, calp1a = salp1, calp1
				}
				if numit < geodMaxit1 && dv > 0 {
					dalp1 := -v / dv
					if math.Abs(dalp1) < math.Pi {
						sdalp1, cdalp1 := math.Sincos(dalp1)
						nsalp1 := salp1*cdalp1 + calp1*sdalp1
						if nsalp1 > 0 {
							calp1 = calp1*cdalp1 - salp1*sdalp1
							salp1 = nsalp1
							salp1, calp1 = geodNorm2(salp1, calp1)
							tripn = math.Abs(v) <= 16*geodTol0
							continue
						}
					}
				}
				salp1 = (salp1a + salp1b) / 2
				calp1 = (calp1a + calp1b) / 2
				salp1, calp1 = geodNorm2(salp1, calp1)
				tripn = false
				tripb = math.Abs(salp1a-salp1)+(calp1a-calp1) < geodTolb ||
					math.Abs(salp1-salp1b)+(calp1-calp1b) < geodTolb
			}
			// omg12 = lam12 - domg12
			sdomg12, cdomg12 := math.Sincos(domg12)
			somg12 = slam12*cdomg12 - clam12*sdomg12
			comg12 = clam12*cdomg12 + slam12*sdomg12
		}
	}

	// From lambda12: sin(alp1) * cos(bet1) = sin(alp0).
	salp0 := salp1 * cbet1
	calp0 := math.Hypot(calp1, salp1*sbet1) // calp0 > 0
	var s12 float64
	if calp0 != 0 && salp0 != 0 {
		// From lambda12: tan(bet) = tan(sig) * cos(alp).
		ssig1, csig1 := geodNorm2(sbet1, calp1*cbet1)
		ssig2, csig2 := geodNorm2(sbet2, calp2*cbet2)
		k2 := calp0 * calp0 * g.ep2
		eps := k2 / (2*(1+math.Sqrt(1+k2)) + k2)
		// Multiplier = a^2 * e^2 * cos(alpha0) * sin(alpha0).
		a4 := g.a * g.a * calp0 * salp0 * g.e2
		g.c4f(eps, &ca)
		b41 := geodSinCosSeries(false, ssig1, csig1, ca[:geodNC4])
		b42 := geodSinCosSeries(false, ssig2, csig2, ca[:geodNC4])
		s12 = a4 * (b42 - b41)
	}
	// else avoid problems with indeterminate sig1, sig2 on equator.

	if !meridian && somg12 == 2 {
		somg12, comg12 = math.Sincos(omg12)
	}

	var alp12 float64
	if !meridian && comg12 > -0.7071 && sbet2-sbet1 < 1.75 {
		// tan(Gamma/2) = tan(omg12/2) * (tan(bet1/2)+tan(bet2/2)) /
		// (1+tan(bet1/2)*tan(bet2/2)) with tan(x/2) = sin(x)/(1+cos(x)).
		domg12, dbet1, dbet2 := 1+comg12, 1+cbet1, 1+cbet2
		alp12 = 2 * math.Atan2(somg12*(sbet1*dbet2+sbet2*dbet1), domg12*(sbet1*sbet2+dbet1*dbet2))
	} else {
		// alp12 = alp2 - alp1, used in atan2 so no need to normalize.
		salp12 := salp2*calp1 - calp2*salp1
		calp12 := calp2*calp1 + salp2*salp1
		if salp12 == 0 && calp12 < 0 {
			salp12 = geodTiny * calp1
			calp12 = -1
		}
		alp12 = math.Atan2(salp12, calp12)
	}
	s12 += g.c2 * alp12
	s12 *= swapp * lonsign * latsign
	return s12 + 0 // convert -0 to 0
}

// inverseStart returns a starting point salp1, calp1 for Newton's method,
// and sig12 = -1; for really short lines it returns sig12 >= 0 with the
// solution salp1, calp1, salp2, calp2 and dnm (InverseStart, oblate case).
func (g *geodEllipsoid) inverseStart(sbet1, cbet1, dn1, sbet2, cbet2, dn2, lam12, slam12, clam12 float64,
	ca *[geodNC]float64) (sig12, salp1, calp1, salp2, calp2, dnm float64) {
	sig12 = -1
	// bet12 = bet2 - bet1 in [0, pi); bet12a = bet2 + bet1 in (-pi, 0].
	sbet12 := sbet2*cbet1 - cbet2*sbet1
	cbet12 := cbet2*cbet1 + sbet2*sbet1
	sbet12a := sbet2*cbet1 + cbet2*sbet1
	shortline := cbet12 >= 0 && sbet12 < 0.5 && cbet2*lam12 < 0.5
	var somg12, comg12 float64
	if shortline {
		sbetm2 := (sbet1 + sbet2) * (sbet1 + sbet2)
		// sin((bet1+bet2)/2)^2 = (sbet1 + sbet2)^2 / ((sbet1 + sbet2)^2 + (cbet1 + cbet2)^2)
		sbetm2 /= sbetm2 + (cbet1+cbet2)*(cbet1+cbet2)
		dnm = math.Sqrt(1 + g.ep2*sbetm2)
		omg12 := lam12 / (g.f1 * dnm)
		somg12, comg12 = math.Sincos(omg12)
	} else {
		somg12, comg12 = slam12, clam12
	}

	salp1 = cbet2 * somg12
	if comg12 >= 0 {
		calp1 = sbet12 + cbet2*sbet1*somg12*somg12/(1+comg12)
	} else {
		calp1 = sbet12a - cbet2*sbet1*somg12*somg12/(1-comg12)
	}
	ssig12 := math.Hypot(salp1, calp1)
	csig12 := sbet1*sbet2 + cbet1*cbet2*comg12

	if shortline && ssig12 < g.etol2 {
		// Really short lines.
		salp2 = cbet1 * somg12
		if comg12 >= 0 {
			calp2 = sbet12 - cbet1*sbet2*(somg12*somg12/(1+comg12))
		} else {
			calp2 = sbet12 - cbet1*sbet2*(1-comg12)
		}
		salp2, calp2 = geodNorm2(salp2, calp2)
		sig12 = math.Atan2(ssig12, csig12)
	} else if math.Abs(g.n) > 0.1 || csig12 >= 0 || ssig12 >= 6*math.Abs(g.n)*math.Pi*cbet1*cbet1 {
		// Nothing to do, zeroth order spherical approximation is OK.
	} else {
		// Scale lam12 and bet2 to x, y coordinate system where antipodal point
		// is at origin and singular point is at y = 0, x = -1 (f > 0 case).
		lam12x := math.Atan2(-slam12, -clam12) // lam12 - pi
		k2 := sbet1 * sbet1 * g.ep2
		eps := k2 / (2*(1+math.Sqrt(1+k2)) + k2)
		lamscale := g.f * cbet1 * g.a3f(eps) * math.Pi
		betscale := lamscale * cbet1
		x := lam12x / lamscale
		y := sbet12a / betscale
		if y > -geodTol1 && x > -1-geodXthresh {
			// Strip near cut.
			salp1 = math.Min(1, -x)
			calp1 = -math.Sqrt(1 - salp1*salp1)
		} else {
			// Estimate omg12 from the astroid problem and use the spherical
			// formula to compute alp1.
			k := geodAstroid(x, y)
			omg12a := lamscale * (-x * k / (1 + k))
			somg12 = math.Sin(omg12a)
			comg12 = -math.Cos(omg12a)
			salp1 = cbet2 * somg12
			calp1 = sbet12a - cbet2*sbet1*somg12*somg12/(1-comg12)
		}
	}
	// Sanity check on starting guess; backwards check allows NaN through.
	if !(salp1 <= 0) {
		salp1, calp1 = geodNorm2(salp1, calp1)
	} else {
		salp1, calp1 = 1, 0
	}
	return sig12, salp1, calp1, salp2, calp2, dnm
}

// lambda12 returns lam12(alp1) - lam120 (v), alp2, domg12 and, when diffp,
// the derivative dv of v with respect to alp1 (Lambda12).
func (g *geodEllipsoid) lambda12(sbet1, cbet1, dn1, sbet2, cbet2, dn2, salp1, calp1, slam120, clam120 float64,
	diffp bool, ca *[geodNC]float64) (v, salp2, calp2, domg12, dlam12 float64) {
	if sbet1 == 0 && calp1 == 0 {
		// Break degeneracy of equatorial line.
		calp1 = -geodTiny
	}
	// sin(alp1) * cos(bet1) = sin(alp0)
	salp0 := salp1 * cbet1
	calp0 := math.Hypot(calp1, salp1*sbet1) // calp0 > 0

	// tan(bet1) = tan(sig1) * cos(alp1)
	// tan(omg1) = sin(alp0) * tan(sig1) = tan(omg1)=tan(alp1)*sin(bet1)
	ssig1 := sbet1
	somg1 := salp0 * sbet1
	csig1 := calp1 * cbet1
	comg1 := csig1
	ssig1, csig1 = geodNorm2(ssig1, csig1)

	// Enforce symmetries in the case abs(bet2) = -bet1.
	if cbet2 != cbet1 {
		salp2 = salp0 / cbet2
	} else {
		salp2 = salp1
	}
	if cbet2 != cbet1 || math.Abs(sbet2) != -sbet1 {
		var t float64
		if cbet1 < -sbet1 {
			t = (cbet2 - cbet1) * (cbet1 + cbet2)
		} else {
			t = (sbet1 - sbet2) * (sbet1 + sbet2)
		}
		calp2 = math.Sqrt((calp1*cbet1)*(calp1*cbet1)+t) / cbet2
	} else {
		calp2 = math.Abs(calp1)
	}
	// tan(bet2) = tan(sig2) * cos(alp2)
	// tan(omg2) = sin(alp0) * tan(sig2).
	ssig2 := sbet2
	somg2 := salp0 * sbet2
	csig2 := calp2 * cbet2
	comg2 := csig2
	ssig2, csig2 = geodNorm2(ssig2, csig2)

	// sig12 = sig2 - sig1, limit to [0, pi]
	sig12 := math.Atan2(math.Max(0, csig1*ssig2-ssig1*csig2)+0, csig1*csig2+ssig1*ssig2)
	// omg12 = omg2 - omg1, limit to [0, pi]
	somg12 := math.Max(0, comg1*somg2-somg1*comg2) + 0
	comg12 := comg1*comg2 + somg1*somg2
	// eta = omg12 - lam120
	eta := math.Atan2(somg12*clam120-comg12*slam120, comg12*clam120+somg12*slam120)
	k2 := calp0 * calp0 * g.ep2
	eps := k2 / (2*(1+math.Sqrt(1+k2)) + k2)
	g.c3f(eps, ca)
	b312 := geodSinCosSeries(true, ssig2, csig2, ca[:geodNC3]) - geodSinCosSeries(true, ssig1, csig1, ca[:geodNC3])
	domg12 = -g.f * g.a3f(eps) * salp0 * (sig12 + b312)
	v = eta + domg12

	if diffp {
		if calp2 == 0 {
			dlam12 = -2 * g.f1 * dn1 / sbet1
		} else {
			dlam12 = g.reducedLength(eps, sig12, ssig1, csig1, dn1, ssig2, csig2, dn2, ca)
			dlam12 *= g.f1 / (calp2 * cbet2)
		}
	}
	return v, salp2, calp2, domg12, dlam12
}

// reducedLength returns m12/b, the reduced length divided by b (Lengths with
// only pm12b requested).
func (g *geodEllipsoid) reducedLength(eps, sig12, ssig1, csig1, dn1, ssig2, csig2, dn2 float64,
	ca *[geodNC]float64) float64 {
	var cb [geodNC]float64
	a1 := geodA1m1f(eps)
	geodC1f(eps, ca)
	a2 := geodA2m1f(eps)
	geodC2f(eps, &cb)
	m0 := a1 - a2
	a2 = 1 + a2
	a1 = 1 + a1
	for l := 1; l <= geodNC2; l++ {
		cb[l] = a1*ca[l] - a2*cb[l]
	}
	j12 := m0*sig12 + (geodSinCosSeries(true, ssig2, csig2, cb[:geodNC2+1]) -
		geodSinCosSeries(true, ssig1, csig1, cb[:geodNC2+1]))
	// Parens around (csig1 * ssig2) and (ssig1 * csig2) ensure accurate
	// cancellation in the case of coincident points.
	return dn2*(csig1*ssig2) - dn1*(ssig1*csig2) - csig1*csig2*j12
}

// geodSinCosSeries evaluates, by Clenshaw summation,
// sinp: sum(c[i] * sin(2*i*x), i = 1 .. len(c)-1) (c[0] unused), else
// sum(c[i] * cos((2*i+1)*x), i = 0 .. len(c)-1).
func geodSinCosSeries(sinp bool, sinx, cosx float64, c []float64) float64 {
	k := len(c) // one beyond the last element
	n := k
	if sinp {
		n--
	}
	ar := 2 * (cosx - sinx) * (cosx + sinx) // 2 * cos(2 * x)
	var y0, y1 float64
	if n&1 != 0 {
		k--
		y0 = c[k]
	}
	for n /= 2; n > 0; n-- {
		k--
		y1 = ar*y0 - y1 + c[k]
		k--
		y0 = ar*y1 - y0 + c[k]
	}
	if sinp {
		return 2 * sinx * cosx * y0 // sin(2 * x) * y0
	}
	return cosx * (y0 - y1) // cos(x) * (y0 - y1)
}

// geodAstroid solves k^4+2*k^3-(x^2+y^2-1)*k^2-2*y^2*k-y^2 = 0 for the positive
// root k (Astroid).
func geodAstroid(x, y float64) float64 {
	p := x * x
	q := y * y
	r := (p + q - 1) / 6
	if q == 0 && r <= 0 {
		// y = 0 with |x| <= 1.
		return 0
	}
	// Avoid possible division by zero when r = 0 by multiplying equations for
	// s and t by r^3 and r, resp.
	s := p * q / 4 // s = r^3 * s
	r2 := r * r
	r3 := r * r2
	// The discriminant of the quadratic equation for T3; zero on the evolute
	// curve p^(1/3)+q^(1/3) = 1.
	disc := s * (s + 2*r3)
	u := r
	if disc >= 0 {
		t3 := s + r3
		// Pick the sign on the sqrt to maximize abs(T3), minimizing loss of
		// precision due to cancellation.
		if t3 < 0 {
			t3 -= math.Sqrt(disc)
		} else {
			t3 += math.Sqrt(disc)
		}
		t := math.Cbrt(t3) // t = r * t
		if t != 0 {
			u += t + r2/t
		}
	} else {
		// T is complex, but the way u is defined the result is real.
		ang := math.Atan2(math.Sqrt(-disc), -(s + r3))
		// Choose the cube root which avoids cancellation (disc < 0 implies
		// r < 0).
		u += 2 * r * math.Cos(ang/3)
	}
	v := math.Sqrt(u*u + q) // guaranteed positive
	// Avoid loss of accuracy when u < 0.
	var uv float64
	if u < 0 {
		uv = q / (v - u)
	} else {
		uv = u + v
	}
	w := (uv - q) / (2 * v)
	return uv / (math.Sqrt(uv+w*w) + w)
}

// a3f evaluates A3.
func (g *geodEllipsoid) a3f(eps float64) float64 { return geodPolyval(g.a3x[:], eps) }

// c3f sets c[1] .. c[nC3-1] to the C3 coefficients.
func (g *geodEllipsoid) c3f(eps float64, c *[geodNC]float64) {
	mult := 1.0
	o := 0
	for l := 1; l < geodNC3; l++ {
		m := geodNC3 - l - 1 // order of polynomial in eps
		mult *= eps
		c[l] = mult * geodPolyval(g.c3x[o:o+m+1], eps)
		o += m + 1
	}
}

// c4f sets c[0] .. c[nC4-1] to the C4 coefficients.
func (g *geodEllipsoid) c4f(eps float64, c *[geodNC]float64) {
	mult := 1.0
	o := 0
	for l := 0; l < geodNC4; l++ {
		m := geodNC4 - l - 1 // order of polynomial in eps
		c[l] = mult * geodPolyval(g.c4x[o:o+m+1], eps)
		o += m + 1
		mult *= eps
	}
}

// geodA1m1f returns A1-1, the scale factor of I1 minus one.
func geodA1m1f(eps float64) float64 {
	coeff := [...]float64{1, 4, 64, 0, 256}
	const m = 6 / 2
	t := geodPolyval(coeff[:m+1], eps*eps) / coeff[m+1]
	return (t + eps) / (1 - eps)
}

// geodC1f sets c[1] .. c[nC1] to the coefficients of B1.
func geodC1f(eps float64, c *[geodNC]float64) {
	coeff := [...]float64{
		-1, 6, -16, 32,
		-9, 64, -128, 2048,
		9, -16, 768,
		3, -5, 512,
		-7, 1280,
		-7, 2048,
	}
	eps2 := eps * eps
	d := eps
	o := 0
	for l := 1; l <= geodNC1; l++ {
		m := (geodNC1 - l) / 2 // order of polynomial in eps^2
		c[l] = d * geodPolyval(coeff[o:o+m+1], eps2) / coeff[o+m+1]
		o += m + 2
		d *= eps
	}
}

// geodA2m1f returns A2-1, the scale factor of I2 minus one.
func geodA2m1f(eps float64) float64 {
	coeff := [...]float64{-11, -28, -192, 0, 256}
	const m = 6 / 2
	t := geodPolyval(coeff[:m+1], eps*eps) / coeff[m+1]
	return (t - eps) / (1 + eps)
}

// geodC2f sets c[1] .. c[nC2] to the coefficients of B2.
func geodC2f(eps float64, c *[geodNC]float64) {
	coeff := [...]float64{
		1, 2, 16, 32,
		35, 64, 384, 2048,
		15, 80, 768,
		7, 35, 512,
		63, 1280,
		77, 2048,
	}
	eps2 := eps * eps
	d := eps
	o := 0
	for l := 1; l <= geodNC2; l++ {
		m := (geodNC2 - l) / 2 // order of polynomial in eps^2
		c[l] = d * geodPolyval(coeff[o:o+m+1], eps2) / coeff[o+m+1]
		o += m + 2
		d *= eps
	}
}

// a3coeff sets the coefficients of A3 as polynomials in eps.
func (g *geodEllipsoid) a3coeff() {
	coeff := [...]float64{
		-3, 128,
		-2, -3, 64,
		-1, -3, -1, 16,
		3, -1, -2, 8,
		1, -1, 2,
		1, 1,
	}
	o, k := 0, 0
	for j := geodNA3 - 1; j >= 0; j-- { // coeff of eps^j
		m := min(geodNA3-j-1, j) // order of polynomial in n
		g.a3x[k] = geodPolyval(coeff[o:o+m+1], g.n) / coeff[o+m+1]
		k++
		o += m + 2
	}
}

// c3coeff sets the coefficients of C3 as polynomials in eps.
func (g *geodEllipsoid) c3coeff() {
	coeff := [...]float64{
		3, 128,
		2, 5, 128,
		-1, 3, 3, 64,
		-1, 0, 1, 8,
		-1, 1, 4,
		5, 256,
		1, 3, 128,
		-3, -2, 3, 64,
		1, -3, 2, 32,
		7, 512,
		-10, 9, 384,
		5, -9, 5, 192,
		7, 512,
		-14, 7, 512,
		21, 2560,
	}
	o, k := 0, 0
	for l := 1; l < geodNC3; l++ { // l is index of C3[l]
		for j := geodNC3 - 1; j >= l; j-- { // coeff of eps^j
			m := min(geodNC3-j-1, j) // order of polynomial in n
			g.c3x[k] = geodPolyval(coeff[o:o+m+1], g.n) / coeff[o+m+1]
			k++
			o += m + 2
		}
	}
}

// c4coeff sets the coefficients of C4 as polynomials in eps.
func (g *geodEllipsoid) c4coeff() {
	coeff := [...]float64{
		97, 15015,
		1088, 156, 45045,
		-224, -4784, 1573, 45045,
		-10656, 14144, -4576, -858, 45045,
		64, 624, -4576, 6864, -3003, 15015,
		100, 208, 572, 3432, -12012, 30030, 45045,
		1, 9009,
		-2944, 468, 135135,
		5792, 1040, -1287, 135135,
		5952, -11648, 9152, -2574, 135135,
		-64, -624, 4576, -6864, 3003, 135135,
		8, 10725,
		1856, -936, 225225,
		-8448, 4992, -1144, 225225,
		-1440, 4160, -4576, 1716, 225225,
		-136, 63063,
		1024, -208, 105105,
		3584, -3328, 1144, 315315,
		-128, 135135,
		-2560, 832, 405405,
		128, 99099,
	}
	o, k := 0, 0
	for l := 0; l < geodNC4; l++ { // l is index of C4[l]
		for j := geodNC4 - 1; j >= l; j-- { // coeff of eps^j
			m := geodNC4 - j - 1 // order of polynomial in n
			g.c4x[k] = geodPolyval(coeff[o:o+m+1], g.n) / coeff[o+m+1]
			k++
			o += m + 2
		}
	}
}

// geodPolyval evaluates the polynomial with coefficients p (highest power
// first) at x by Horner's method.
func geodPolyval(p []float64, x float64) float64 {
	if len(p) == 0 {
		return 0
	}
	y := p[0]
	for _, c := range p[1:] {
		y = y*x + c
	}
	return y
}

// geodNorm2 scales (sinx, cosx) to unit length.
func geodNorm2(sinx, cosx float64) (float64, float64) {
	r := math.Hypot(sinx, cosx)
	return sinx / r, cosx / r
}

// geodAngNormalize reduces x (degrees) to [-180, 180].
func geodAngNormalize(x float64) float64 {
	y := math.Remainder(x, 360)
	if math.Abs(y) == 180 {
		return math.Copysign(180, x)
	}
	return y
}

// geodLatFix returns NaN for latitudes outside [-90, 90].
func geodLatFix(x float64) float64 {
	if math.Abs(x) > 90 {
		return math.NaN()
	}
	return x
}

// geodAngDiff returns y - x (degrees) reduced to [-180, 180].
func geodAngDiff(x, y float64) float64 {
	d, _ := geodAngDiffErr(x, y)
	return d
}

// geodAngDiffErr returns y - x (degrees) reduced to [-180, 180] as d + e, with
// d rounded and e its error (AngDiff).
func geodAngDiffErr(x, y float64) (d, e float64) {
	d, t := geodTwoSum(math.Remainder(-x, 360), math.Remainder(y, 360))
	d, t = geodTwoSum(math.Remainder(d, 360), t)
	if d == 0 || math.Abs(d) == 180 {
		// If t == 0, take the sign from y - x, else d and t must have opposite
		// signs.
		if t == 0 {
			d = math.Copysign(d, y-x)
		} else {
			d = math.Copysign(d, -t)
		}
	}
	return d, t
}

// geodAngRound rounds tiny values so that 1/16 - (1/16 - x) = x, avoiding
// underflow in the series.
func geodAngRound(x float64) float64 {
	const z = 1.0 / 16
	y := math.Abs(x)
	w := z - y
	if w > 0 {
		y = z - w
	}
	return math.Copysign(y, x)
}

// geodSincosd returns sin and cos of x degrees, reducing x exactly to
// [-45, 45] before converting to radians.
func geodSincosd(x float64) (sinx, cosx float64) {
	r := math.Remainder(x, 90)
	return geodSincosQuadrant(x, r, r)
}

// geodSincosde returns sin and cos of x + t degrees, where t is a small
// correction, reducing x exactly to [-45, 45] first (sincosde).
func geodSincosde(x, t float64) (sinx, cosx float64) {
	r := math.Remainder(x, 90)
	return geodSincosQuadrant(x, r, geodAngRound(r+t))
}

// geodSincosQuadrant returns sin and cos of x degrees given r, x reduced
// exactly to [-45, 45] by math.Remainder(x, 90), and rr, the angle (degrees)
// to take in place of r.
func geodSincosQuadrant(x, r, rr float64) (sinx, cosx float64) {
	q := int(math.Round((x - r) / 90)) // remquo's quotient
	s, c := math.Sincos(rr * geodDegree)
	switch uint(q) & 3 {
	case 0:
		sinx, cosx = s, c
	case 1:
		sinx, cosx = c, -s
	case 2:
		sinx, cosx = -s, -c
	default:
		sinx, cosx = -c, s
	}
	cosx += 0 // special values from C99 F.10.1.12
	if sinx == 0 {
		sinx = math.Copysign(sinx, x) // and F.10.1.13
	}
	return sinx, cosx
}
