package geo

import (
	"context"
	"errors"
	"fmt"
	"math"

	gs "github.com/go-spatial/geom"
	"github.com/go-spatial/geom/planar/makevalid"
	"github.com/go-spatial/geom/planar/makevalid/hitmap"
	"github.com/paulmach/orb"

	// Must initialise before go-spatial's packages to hide their start-up log line.
	_ "github.com/frontlinemap/frontline/geo/internal/quietlog"
)

// This file is the only place that speaks go-spatial/geom: it hands one
// polygon to planar/makevalid and converts the answer back to orb.

// mvFrame moves a polygon into the coordinates makevalid works well in and
// back. makevalid's triangulation rounds every point to 1/1000 of a unit
// (subdivision.RoundingFactor), which in degrees would move vertices by up to
// 55 m, so coordinates are centred and scaled by a power of two so that the
// polygon spans about 2^30 units and the rounding step is ~1e-12 of its size.
type mvFrame struct {
	cx, cy, scale float64
	back          map[[2]float64]orb.Point // rounded frame point -> input point
}

// mvRound is the rounding makevalid applies to every point.
func mvRound(v float64) float64 { return math.Round(v*1000) / 1000 }

// newFrame builds the frame for p.
func newFrame(p orb.Polygon) *mvFrame {
	b := p.Bound()
	ext := math.Max(b.Max[0]-b.Min[0], b.Max[1]-b.Min[1])
	f := &mvFrame{cx: (b.Min[0] + b.Max[0]) / 2, cy: (b.Min[1] + b.Max[1]) / 2, scale: 1}
	if ext > 0 {
		_, e := math.Frexp(ext)
		f.scale = math.Ldexp(1, 30-e)
	}
	f.back = make(map[[2]float64]orb.Point)
	for _, r := range p {
		for _, pt := range r {
			q := f.to(pt)
			k := [2]float64{mvRound(q[0]), mvRound(q[1])}
			if _, ok := f.back[k]; !ok {
				f.back[k] = pt
			}
		}
	}
	return f
}

// to maps an input point into the frame.
func (f *mvFrame) to(p orb.Point) [2]float64 {
	return [2]float64{(p[0] - f.cx) * f.scale, (p[1] - f.cy) * f.scale}
}

// from maps a frame point back: exactly to the input vertex it came from
// when there is one, else by the inverse transform.
func (f *mvFrame) from(q [2]float64) orb.Point {
	if p, ok := f.back[[2]float64{mvRound(q[0]), mvRound(q[1])}]; ok {
		return p
	}
	return orb.Point{q[0]/f.scale + f.cx, q[1]/f.scale + f.cy}
}

// gsPolygon converts an orb polygon to go-spatial rings in frame f; go-spatial
// rings are open (the closing point is implicit).
func gsPolygon(p orb.Polygon, f *mvFrame) gs.Polygon {
	out := make(gs.Polygon, 0, len(p))
	for _, r := range p {
		n := len(r)
		if n > 1 && r[0] == r[n-1] {
			n--
		}
		ring := make([][2]float64, n)
		for i := 0; i < n; i++ {
			ring[i] = f.to(r[i])
		}
		out = append(out, ring)
	}
	return out
}

// orbFromGS converts go-spatial polygons (open rings in frame f) to an orb
// multipolygon with closed rings.
func orbFromGS(mp gs.MultiPolygon, f *mvFrame) orb.MultiPolygon {
	out := make(orb.MultiPolygon, 0, len(mp))
	for _, p := range mp {
		var poly orb.Polygon
		for _, r := range p {
			if len(r) < 3 {
				continue
			}
			ring := make(orb.Ring, 0, len(r)+1)
			for _, pt := range r {
				ring = append(ring, f.from(pt))
			}
			if ring[0] != ring[len(ring)-1] {
				ring = append(ring, ring[0])
			}
			poly = append(poly, ring)
		}
		if len(poly) > 0 {
			out = append(out, poly)
		}
	}
	return out
}

// errMakevalidEmpty reports that makevalid labelled every triangle outside.
var errMakevalidEmpty = errors.New("makevalid returned no polygons")

// makeValidGS rebuilds p with go-spatial's makevalid: the polygon's linework
// is noded and triangulated, and each triangle is kept when the hitmap (outer
// ring inside, holes outside, each ring even-odd) puts its centre inside. A
// panic inside go-spatial (it panics on failed internal assumptions) is
// returned as an error.
func makeValidGS(p orb.Polygon) (out orb.MultiPolygon, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("makevalid panicked: %v", r)
		}
	}()
	f := newFrame(p)
	in := gsPolygon(p, f)
	hm, err := hitmap.NewFromPolygons(nil, in)
	if err != nil {
		return nil, fmt.Errorf("makevalid hitmap: %w", err)
	}
	mv := makevalid.Makevalid{Hitmap: hm}
	g, _, err := mv.Makevalid(context.Background(), in, nil)
	if err != nil {
		return nil, fmt.Errorf("makevalid: %w", err)
	}
	mp, ok := g.(*gs.MultiPolygon)
	if !ok || mp == nil || len(*mp) == 0 {
		return nil, errMakevalidEmpty
	}
	return orbFromGS(*mp, f), nil
}
