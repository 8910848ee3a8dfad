package geo

import (
	"errors"
	"fmt"

	"github.com/paulmach/orb"
	sf "github.com/peterstace/simplefeatures/geom"
)

// Union merges all polygons of mps into one valid MultiPolygon in canonical
// form (outer rings counter-clockwise, holes clockwise, rings starting at
// their smallest point, polygons sorted) using simplefeatures' robust
// overlay. Coordinates are treated as planar. Invalid operands are repaired
// with Repair first; empty operands, or ones that repair to nothing, are
// skipped, and when nothing is left Union returns an error wrapping
// ErrEmpty. It never mutates its inputs.
func Union(mps ...orb.MultiPolygon) (orb.MultiPolygon, error) {
	geoms := make([]sf.Geometry, 0, len(mps))
	for i, mp := range mps {
		if len(mp) == 0 {
			continue
		}
		if Validate(mp) != nil {
			fixed, _, err := Repair(mp)
			if errors.Is(err, ErrEmpty) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("union: operand %d: %w", i, err)
			}
			mp = fixed
		}
		geoms = append(geoms, sfMultiPolygon(mp).AsGeometry())
	}
	if len(geoms) == 0 {
		return nil, fmt.Errorf("union: %w", ErrEmpty)
	}
	g, err := sf.UnionMany(geoms)
	if err != nil {
		return nil, fmt.Errorf("union: %w", err)
	}
	out, err := orbAreal(g)
	if err != nil {
		return nil, fmt.Errorf("union: %w", err)
	}
	out = canonical(out)
	if len(out) == 0 {
		return nil, fmt.Errorf("union: %w", ErrEmpty)
	}
	if err := Validate(out); err != nil {
		return nil, fmt.Errorf("union: result invalid: %w", err)
	}
	return out, nil
}
