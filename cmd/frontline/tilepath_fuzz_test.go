package main

import (
	"errors"
	"testing"

	"github.com/frontlinemap/frontline/data"
	"github.com/frontlinemap/frontline/tiles"
)

// FuzzTilePath checks that tile paths (parseTilePath, which the tile route
// and the cached-tile fast path share) either parse into an existing tile of
// a known tileset, with a version that prints and parses back the same, or
// fail with a 400 or 404 error (data.ErrInvalid or data.ErrNotFound); never a panic.
// Seed corpus: testdata/fuzz/FuzzTilePath.
func FuzzTilePath(f *testing.F) {
	f.Add("control", "2025-08-15.r7", "6", "38", "22@2x.png")
	f.Add("base", "r1", "0", "0", "0.mvt")
	f.Add("diff", "2025-08-01_2025-08-15.r3", "14", "16383", "0.combined-dark.png")
	f.Add("scenario-alaska-2025", "2025-08-15.r12", "7", "77", "44@2x.dark.png")
	f.Fuzz(func(t *testing.T, id, ver, z, x, y string) {
		req, err := parseTilePath(id, ver, z, x, y)
		if err != nil {
			if !errors.Is(err, data.ErrInvalid) && !errors.Is(err, data.ErrNotFound) {
				t.Fatalf("error %v (%T) would be a 500", err, err)
			}
			return
		}
		tl := req.Tile
		if tl.Z < 0 || tl.Z > tiles.MaxZoom || tl.X >= 1<<tl.Z || tl.Y >= 1<<tl.Z {
			t.Fatalf("tile %v outside the pyramid", tl)
		}
		kind, _, _ := tilesetKind(id)
		again, err := parseVersion(kind, req.Version.String())
		if err != nil || again != req.Version {
			t.Fatalf("version %q prints as %q, which parses to %+v, %v", ver, req.Version, again, err)
		}
		if req.Format != formatMVT && req.Format != formatPNG {
			t.Fatalf("format %q", req.Format)
		}
		if req.Format == formatPNG && req.Size != tiles.RasterTileSize && req.Size != 2*tiles.RasterTileSize {
			t.Fatalf("PNG size %d", req.Size)
		}
	})
}
