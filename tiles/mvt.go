package tiles

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
)

// MVTExtent is the width of a vector tile in tile units (MVT spec 2.1's
// usual 4096: 16 units per pixel of a 256 px tile).
const MVTExtent = 4096

// MVTBufferPx is the margin, in tile units of MVTExtent (not screen
// pixels), that vector tiles carry beyond each edge: 64 units, 4 pixels of
// a 256 px tile, so that strokes and fills meet cleanly across tile edges.
const MVTBufferPx = 64

// EncodeMVT encodes layers, already in tile coordinates 0..extent with y
// down (as Source.Tile returns them), as a Mapbox Vector Tile (spec 2.1,
// layer version 2), uncompressed. Layers and features keep their order, so
// the same input always gives the same bytes. Coordinates are rounded to
// integers; lines left with fewer than two distinct points and polygon
// rings left with fewer than four points or no area are dropped (a polygon
// with its exterior); exterior rings are written clockwise on the y-down
// tile (positive area by the spec's surveyor's formula) and holes
// anticlockwise. Feature properties may be string, bool, any int or uint,
// float32 or float64; nil values are left out (MVT has no null) and other
// types are an error. Layers with no feature left are omitted, so a tile
// with nothing in it (or an empty layer list) is zero bytes, which is a
// valid empty MVT. extent is normally MVTExtent; a non-positive one is an
// error. The input is not modified (properties without nil values are
// handed to orb's encoder as they are, read only).
func EncodeMVT(layers []Layer, extent int) ([]byte, error) {
	if extent <= 0 {
		return nil, fmt.Errorf("mvt: extent %d is not positive", extent)
	}
	out := make(mvt.Layers, 0, len(layers))
	for _, l := range layers {
		ml := &mvt.Layer{Name: l.Name, Version: 2, Extent: uint32(extent)}
		for i, f := range l.Features {
			g, err := mvtGeometry(f.Geometry)
			if err != nil {
				return nil, fmt.Errorf("mvt layer %q feature %d: %w", l.Name, i, err)
			}
			if g == nil {
				continue
			}
			props, err := mvtProperties(f.Properties)
			if err != nil {
				return nil, fmt.Errorf("mvt layer %q feature %d: %w", l.Name, i, err)
			}
			ml.Features = append(ml.Features, &geojson.Feature{Geometry: g, Properties: props})
		}
		if len(ml.Features) > 0 {
			out = append(out, ml)
		}
	}
	if len(out) == 0 {
		return []byte{}, nil
	}
	b, err := mvt.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("mvt marshal: %w", err)
	}
	return b, nil
}

// mvtProperties returns the properties as orb's encoder takes them: the
// same map when every value is encodable as is, else a copy without the
// nil values.
func mvtProperties(props map[string]any) (geojson.Properties, error) {
	hasNil := false
	for k, v := range props {
		switch v.(type) {
		case nil:
			hasNil = true
		case string, bool, int, int8, int16, int32, int64,
			uint, uint8, uint16, uint32, uint64, float32, float64:
		default:
			return nil, fmt.Errorf("property %q: unsupported type %T (want string, bool, int or float)", k, v)
		}
	}
	if !hasNil {
		return geojson.Properties(props), nil
	}
	out := make(geojson.Properties, len(props))
	for k, v := range props {
		if v != nil {
			out[k] = v
		}
	}
	return out, nil
}

// mvtGeometry rounds g to integer tile coordinates and drops what rounding
// made degenerate, returning nil when nothing is left.
func mvtGeometry(g orb.Geometry) (orb.Geometry, error) {
	switch g := g.(type) {
	case nil:
		return nil, nil
	case orb.Point:
		return roundPoint(g)
	case orb.MultiPoint:
		if len(g) == 0 {
			return nil, nil
		}
		mp := make(orb.MultiPoint, len(g))
		for i, p := range g {
			var err error
			if mp[i], err = roundPoint(p); err != nil {
				return nil, err
			}
		}
		return mp, nil
	case orb.LineString:
		ls, err := roundLine(g)
		if ls == nil || err != nil {
			return nil, err
		}
		return ls, nil
	case orb.MultiLineString:
		var mls orb.MultiLineString
		for _, l := range g {
			ls, err := roundLine(l)
			if err != nil {
				return nil, err
			}
			if ls != nil {
				mls = append(mls, ls)
			}
		}
		switch len(mls) {
		case 0:
			return nil, nil
		case 1:
			return mls[0], nil
		}
		return mls, nil
	case orb.Ring:
		return mvtGeometry(orb.Polygon{g})
	case orb.Bound:
		return mvtGeometry(g.ToPolygon())
	case orb.Polygon:
		p, err := roundPolygon(g)
		if p == nil || err != nil {
			return nil, err
		}
		return p, nil
	case orb.MultiPolygon:
		var mp orb.MultiPolygon
		for _, poly := range g {
			p, err := roundPolygon(poly)
			if err != nil {
				return nil, err
			}
			if p != nil {
				mp = append(mp, p)
			}
		}
		switch len(mp) {
		case 0:
			return nil, nil
		case 1:
			return mp[0], nil
		}
		return mp, nil
	}
	return nil, fmt.Errorf("unsupported geometry %T", g)
}

// maxCoord bounds rounded coordinates: MVT stores them as 32-bit deltas.
const maxCoord = 1 << 30

func roundPoint(p orb.Point) (orb.Point, error) {
	x, y := math.Round(p[0]), math.Round(p[1])
	if !(math.Abs(x) < maxCoord && math.Abs(y) < maxCoord) {
		return orb.Point{}, fmt.Errorf("coordinate %v out of range for MVT", p)
	}
	return orb.Point{x, y}, nil
}

// roundPoints returns a rounded copy of ps without consecutive duplicates.
func roundPoints(ps []orb.Point) ([]orb.Point, error) {
	out := make([]orb.Point, 0, len(ps))
	for _, p := range ps {
		r, err := roundPoint(p)
		if err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1] != r {
			out = append(out, r)
		}
	}
	return out, nil
}

func roundLine(ls orb.LineString) (orb.LineString, error) {
	out, err := roundPoints(ls)
	if err != nil || len(out) < 2 {
		return nil, err
	}
	return out, nil
}

// roundPolygon rounds a polygon, drops degenerate rings (the whole polygon
// when it is the exterior) and sets MVT winding: exterior positive area,
// holes negative.
func roundPolygon(p orb.Polygon) (orb.Polygon, error) {
	var out orb.Polygon
	for i, r := range p {
		rr, err := roundPoints(r)
		if err != nil {
			return nil, err
		}
		ring := orb.Ring(rr)
		if len(ring) > 0 && ring[0] != ring[len(ring)-1] {
			ring = append(ring, ring[0])
		}
		a := ringArea(ring)
		if len(ring) < 4 || a == 0 {
			if i == 0 {
				return nil, nil
			}
			continue
		}
		if (i == 0) != (a > 0) {
			ring.Reverse()
		}
		out = append(out, ring)
	}
	return out, nil
}
