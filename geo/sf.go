package geo

import (
	"fmt"

	"github.com/paulmach/orb"
	sf "github.com/peterstace/simplefeatures/geom"
)

// This file is the only place that speaks simplefeatures: it converts orb
// geometry to simplefeatures geometry (without validation, so that invalid
// input can be inspected) and back.

// sfRing converts an orb ring to a simplefeatures LineString without
// validating it.
func sfRing(r orb.Ring) sf.LineString {
	flat := make([]float64, 0, 2*len(r))
	for _, p := range r {
		flat = append(flat, p[0], p[1])
	}
	return sf.NewLineString(sf.NewSequence(flat, sf.DimXY))
}

// sfPolygon converts an orb polygon to a simplefeatures Polygon without
// validating it.
func sfPolygon(p orb.Polygon) sf.Polygon {
	rings := make([]sf.LineString, len(p))
	for i, r := range p {
		rings[i] = sfRing(r)
	}
	return sf.NewPolygon(rings)
}

// sfMultiPolygon converts an orb multipolygon to a simplefeatures
// MultiPolygon without validating it.
func sfMultiPolygon(mp orb.MultiPolygon) sf.MultiPolygon {
	polys := make([]sf.Polygon, len(mp))
	for i, p := range mp {
		polys[i] = sfPolygon(p)
	}
	return sf.NewMultiPolygon(polys)
}

// orbRing converts a simplefeatures LineString to an orb ring.
func orbRing(ls sf.LineString) orb.Ring {
	seq := ls.Coordinates()
	r := make(orb.Ring, seq.Length())
	for i := range r {
		xy := seq.GetXY(i)
		r[i] = orb.Point{xy.X, xy.Y}
	}
	return r
}

// orbPolygon converts a simplefeatures Polygon to an orb polygon.
func orbPolygon(p sf.Polygon) orb.Polygon {
	if p.IsEmpty() {
		return nil
	}
	out := make(orb.Polygon, 0, p.NumRings())
	out = append(out, orbRing(p.ExteriorRing()))
	for i := 0; i < p.NumInteriorRings(); i++ {
		out = append(out, orbRing(p.InteriorRingN(i)))
	}
	return out
}

// orbAreal extracts the polygons of a simplefeatures geometry (Polygon,
// MultiPolygon or the areal members of a GeometryCollection) as an orb
// multipolygon; lower-dimensional parts are dropped.
func orbAreal(g sf.Geometry) (orb.MultiPolygon, error) {
	switch g.Type() {
	case sf.TypePolygon:
		if p := orbPolygon(g.MustAsPolygon()); p != nil {
			return orb.MultiPolygon{p}, nil
		}
		return nil, nil
	case sf.TypeMultiPolygon:
		m := g.MustAsMultiPolygon()
		out := make(orb.MultiPolygon, 0, m.NumPolygons())
		for i := 0; i < m.NumPolygons(); i++ {
			if p := orbPolygon(m.PolygonN(i)); p != nil {
				out = append(out, p)
			}
		}
		return out, nil
	case sf.TypeGeometryCollection:
		gc := g.MustAsGeometryCollection()
		var out orb.MultiPolygon
		for i := 0; i < gc.NumGeometries(); i++ {
			part, err := orbAreal(gc.GeometryN(i))
			if err != nil {
				return nil, err
			}
			out = append(out, part...)
		}
		return out, nil
	case sf.TypePoint, sf.TypeMultiPoint, sf.TypeLineString, sf.TypeMultiLineString:
		return nil, nil
	default:
		return nil, fmt.Errorf("unexpected geometry type %v", g.Type())
	}
}
