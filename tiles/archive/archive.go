// Package archive writes tile pyramids into single-file archives for static
// hosting and offline use: PMTiles v3 (one file that a CDN serves with range
// requests) and MBTiles 1.3 (SQLite). Writers take tiles as the tile server
// sends them; identical tiles are stored once. An archive is built in a
// temporary file beside its destination and renamed into place on Commit, so
// the destination holds either the old file or a complete new one, never a
// partial archive.
package archive

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/paulmach/orb"

	"github.com/frontlinemap/frontline/tiles"
)

// Format is an archive file format.
type Format string

// Archive formats.
const (
	PMTiles Format = "pmtiles"
	MBTiles Format = "mbtiles"
)

// Tile content types, as MBTiles' format metadata names them.
const (
	ContentPNG = "png"
	ContentMVT = "pbf"
)

// Metadata describes the tileset an archive holds. Both formats store all
// of it: PMTiles in its header and JSON metadata, MBTiles in its metadata
// table (vector_layers and Extra in the "json" row).
type Metadata struct {
	Name        string
	Description string
	Attribution string
	Version     string
	Type        string     // "overlay" or "baselayer"
	Content     string     // ContentPNG or ContentMVT
	Bounds      [4]float64 // min lon, min lat, max lon, max lat
	Center      [3]float64 // lon, lat, zoom
	MinZoom     int
	MaxZoom     int
	// VectorLayers documents the layers of MVT tiles (TileJSON's vector_layers).
	VectorLayers []tiles.VectorLayer
	// Extra holds further keys, e.g. the date and data revision drawn.
	Extra map[string]any
}

func (m Metadata) validate() error {
	if m.Content != ContentPNG && m.Content != ContentMVT {
		return fmt.Errorf("archive: tile content %q: want %q or %q", m.Content, ContentPNG, ContentMVT)
	}
	if m.MinZoom < 0 || m.MaxZoom > tiles.MaxZoom || m.MinZoom > m.MaxZoom {
		return fmt.Errorf("archive: zooms %d..%d: want 0 <= minzoom <= maxzoom <= %d", m.MinZoom, m.MaxZoom, tiles.MaxZoom)
	}
	b := m.Bounds
	if !(b[0] >= -180 && b[2] <= 180 && b[1] >= -90 && b[3] <= 90 && b[0] < b[2] && b[1] < b[3]) {
		return fmt.Errorf("archive: bounds %v: want min lon < max lon and min lat < max lat within -180..180, -90..90", b)
	}
	return nil
}

// jsonFields is the metadata as one JSON object: TileJSON-style keys plus Extra.
func (m Metadata) jsonFields() map[string]any {
	out := map[string]any{}
	for k, v := range m.Extra {
		out[k] = v
	}
	out["name"] = m.Name
	out["description"] = m.Description
	out["attribution"] = m.Attribution
	out["version"] = m.Version
	out["type"] = m.Type
	out["format"] = m.Content
	if m.Content == ContentMVT {
		layers := m.VectorLayers
		if layers == nil {
			layers = []tiles.VectorLayer{}
		}
		out["vector_layers"] = layers
	}
	return out
}

// Writer builds one archive. Add tiles in ascending TileID order (the order
// of SortTiles), then Commit; on any error call Abort, which removes every
// file written. A Writer is not safe for concurrent use.
type Writer interface {
	// Add stores one tile: PNG bytes, or an uncompressed MVT, which the
	// writer gzips as both formats expect of vector tiles.
	Add(t tiles.Tile, data []byte) error
	// Commit completes the archive and renames it to its destination.
	Commit() error
	// Abort removes the unfinished archive; after Commit it does nothing.
	Abort() error
	// Stats reports what was stored so far.
	Stats() Stats
}

// Stats counts an archive's tiles.
type Stats struct {
	Tiles    int   // tiles added
	Contents int   // distinct tile contents stored
	Bytes    int64 // size of the finished file (after Commit)
}

// Create starts an archive of format f at path.
func Create(path string, f Format, md Metadata) (Writer, error) {
	if err := md.validate(); err != nil {
		return nil, err
	}
	switch f {
	case PMTiles:
		return createPMTiles(path, md)
	case MBTiles:
		return createMBTiles(path, md)
	}
	return nil, fmt.Errorf("archive: format %q: want %s or %s", f, PMTiles, MBTiles)
}

// FormatOf guesses the format from a file name's extension.
func FormatOf(path string) (Format, bool) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".pmtiles":
		return PMTiles, true
	case ".mbtiles":
		return MBTiles, true
	}
	return "", false
}

// tempBeside creates an empty temporary file in path's directory, so that
// the final rename stays on one file system and is atomic.
func tempBeside(path, suffix string) (*os.File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*"+suffix)
	if err != nil {
		return nil, fmt.Errorf("archive: create temporary file for %s: %w", path, err)
	}
	// An archive is for publishing: readable by all, like any new file
	// (CreateTemp makes it private).
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("archive: %w", err)
	}
	return f, nil
}

// commitFile flushes f to disk, closes it and renames it to path.
func commitFile(f *os.File, path string) error {
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("archive: sync %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("archive: close %s: %w", f.Name(), err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

// gzipWriters are reused: a new gzip.Writer allocates most of a megabyte
// of compressor state, many times what a tile takes to compress.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression)
	return zw
}}

// gzipTile compresses a vector tile. Deterministic: no name, no time, so
// equal tiles give equal bytes.
func gzipTile(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	zw.Write(b)
	zw.Close()
	gzipWriters.Put(zw)
	return buf.Bytes()
}

// TileID is a tile's PMTiles v3 id: the number of tiles of all lower zooms
// plus the tile's position along the Hilbert curve of its zoom. Ids of
// nearby tiles are close, which keeps an archive's directory small.
func TileID(t tiles.Tile) uint64 {
	var acc uint64
	for z := 0; z < t.Z; z++ {
		acc += 1 << (2 * z)
	}
	n := uint64(1) << t.Z
	x, y := uint64(t.X), uint64(t.Y)
	var d uint64
	for s := n / 2; s > 0; s /= 2 {
		var rx, ry uint64
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += s * s * ((3 * rx) ^ ry)
		// Rotate the quadrant so that the curve inside it runs the right way.
		if ry == 0 {
			if rx == 1 {
				x, y = n-1-x, n-1-y
			}
			x, y = y, x
		}
	}
	return acc + d
}

// TilesIn lists the tiles of zooms minZoom..maxZoom that meet the lon/lat
// bounds b (min lon, min lat, max lon, max lat), in ascending TileID order.
// Latitudes are clamped to Web Mercator's range.
func TilesIn(b [4]float64, minZoom, maxZoom int) []tiles.Tile {
	var out []tiles.Tile
	for z := minZoom; z <= maxZoom; z++ {
		x0, y0 := tileXY(b[0], b[3], z)
		x1, y1 := tileXY(b[2], b[1], z)
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				out = append(out, tiles.Tile{Z: z, X: x, Y: y})
			}
		}
	}
	SortTiles(out)
	return out
}

// SortTiles orders tiles by TileID, the order Writer.Add wants.
func SortTiles(ts []tiles.Tile) {
	slices.SortFunc(ts, func(a, b tiles.Tile) int { return cmp.Compare(TileID(a), TileID(b)) })
}

// tileXY is the tile of zoom z holding lon/lat, clamped to the world.
func tileXY(lon, lat float64, z int) (uint32, uint32) {
	n := math.Exp2(float64(z))
	w := tiles.ToWorld(orb.Point{lon, lat})
	clamp := func(v float64) uint32 {
		return uint32(math.Max(0, math.Min(n-1, math.Floor(v*n))))
	}
	return clamp(w[0]), clamp(w[1])
}
