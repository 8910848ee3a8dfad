package main

import (
	"context"
	"slices"

	"github.com/paulmach/orb"

	"github.com/frontlinemap/frontline/data"
	"github.com/frontlinemap/frontline/data/sqlite"
)

// unitsBound returns the bounding box of the stored first-level units isos;
// ok is false when none of them is stored.
func unitsBound(ctx context.Context, db *sqlite.DB, isos []string) (b orb.Bound, ok bool, err error) {
	bs, err := db.Boundaries(ctx, data.KindAdmin1)
	if err != nil {
		return orb.Bound{}, false, err
	}
	for _, u := range bs {
		if !slices.Contains(isos, u.ISO) {
			continue
		}
		if ok {
			b = b.Union(u.Geometry.Bound())
		} else {
			b, ok = u.Geometry.Bound(), true
		}
	}
	return b, ok, nil
}
