package archive

import (
	"bytes"
	"compress/gzip"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protomaps/go-pmtiles/pmtiles"

	"github.com/frontlinemap/frontline/tiles"
	"github.com/frontlinemap/frontline/tiles/archive/archivetest"
)

// The PMTiles checks read archives back with go-pmtiles, an implementation
// independent of the writer here: its verifier, header and directory
// decoders and the tile lookup of its server.

func TestTileIDMatchesGoPMTiles(t *testing.T) {
	for z := 0; z <= 6; z++ {
		for x := uint32(0); x < 1<<z; x++ {
			for y := uint32(0); y < 1<<z; y++ {
				if got, want := TileID(tiles.Tile{Z: z, X: x, Y: y}), pmtiles.ZxyToID(uint8(z), x, y); got != want {
					t.Fatalf("TileID(%d/%d/%d) = %d, go-pmtiles says %d", z, x, y, got, want)
				}
			}
		}
	}
	for _, tl := range []tiles.Tile{{Z: 10, X: 612, Y: 356}, {Z: 14, X: 9830, Y: 5632}, {Z: 14, X: 16383, Y: 16383}, {Z: 14, X: 0, Y: 16383}} {
		if got, want := TileID(tl), pmtiles.ZxyToID(uint8(tl.Z), tl.X, tl.Y); got != want {
			t.Errorf("TileID(%s) = %d, go-pmtiles says %d", tl, got, want)
		}
	}
}

func TestTilesIn(t *testing.T) {
	world := [4]float64{-180, -90, 180, 90}
	if got := len(TilesIn(world, 0, 3)); got != 1+4+16+64 {
		t.Errorf("whole world z0-3: %d tiles, want 85", got)
	}
	// Kyiv (30.52, 50.45) at z10 is tile 598/345; a box around it of
	// 0.1 degree stays inside one tile.
	got := TilesIn([4]float64{30.50, 50.44, 30.53, 50.46}, 10, 10)
	if len(got) != 1 || got[0] != (tiles.Tile{Z: 10, X: 598, Y: 345}) {
		t.Errorf("Kyiv box at z10: %v, want [10/598/345]", got)
	}
	// Ascending tile ids, which Writer.Add wants.
	ts := TilesIn([4]float64{22, 44.3, 40.3, 52.4}, 0, 8)
	for i := 1; i < len(ts); i++ {
		if TileID(ts[i]) <= TileID(ts[i-1]) {
			t.Fatalf("tile %d (%s) is not after %s in tile id order", i, ts[i], ts[i-1])
		}
	}
}

func testMetadata(content string, minZoom, maxZoom int) Metadata {
	return Metadata{
		Name: "test", Description: "a test", Attribution: "Natural Earth; Frontline", Version: "1.0.0",
		Type: "overlay", Content: content, Bounds: [4]float64{32, 45.5, 40.3, 50.2}, Center: [3]float64{36, 47.6, 6},
		MinZoom: minZoom, MaxZoom: maxZoom,
		VectorLayers: []tiles.VectorLayer{{ID: "control", Description: "held", Fields: map[string]string{"date": "date"}, MaxZoom: 14}},
		Extra:        map[string]any{"as_of": "2025-08-15", "revision": 7},
	}
}

// pattern gives every tile of z0..maxZoom a content: many repeat (runs of
// consecutive ids and duplicates far apart), some are unique.
func pattern(tl tiles.Tile) []byte {
	if tl.Z >= 3 && TileID(tl)%5 != 0 {
		return []byte(fmt.Sprintf("same-%d", TileID(tl)%3/2)) // runs and repeats
	}
	return []byte("tile " + tl.String())
}

func allTiles(maxZoom int) []tiles.Tile {
	return TilesIn([4]float64{-180, -85, 180, 85}, 0, maxZoom)
}

func writeArchive(t *testing.T, path string, f Format, md Metadata, ts []tiles.Tile, content func(tiles.Tile) []byte) Stats {
	t.Helper()
	w, err := Create(path, f, md)
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range ts {
		if err := w.Add(tl, content(tl)); err != nil {
			w.Abort()
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	return w.Stats()
}

func TestPMTilesRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content string
		ext     string
		maxZoom int
		leaves  bool
		step    int // read back every step-th tile
	}{
		{"vector, root directory only", ContentMVT, "mvt", 6, false, 1},
		{"raster, leaf directories", ContentPNG, "png", 8, true, 13},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.pmtiles")
			ts := allTiles(tc.maxZoom)
			// Leave one tile out, as an exporter leaves out empty tiles.
			missing := ts[len(ts)/2]
			ts = append(ts[:len(ts)/2:len(ts)/2], ts[len(ts)/2+1:]...)
			md := testMetadata(tc.content, 0, tc.maxZoom)
			st := writeArchive(t, path, PMTiles, md, ts, pattern)
			a := archivetest.OpenPMTiles(t, path)
			h := a.Header
			if a.Ext != tc.ext {
				t.Errorf("tile type says %s, want %s", a.Ext, tc.ext)
			}
			distinct := map[string]bool{}
			for _, tl := range ts {
				distinct[string(pattern(tl))] = true
			}
			if h.AddressedTilesCount != uint64(len(ts)) || h.TileContentsCount != uint64(len(distinct)) {
				t.Errorf("header: %d tiles, %d contents; want %d, %d", h.AddressedTilesCount, h.TileContentsCount, len(ts), len(distinct))
			}
			if h.TileEntriesCount >= h.AddressedTilesCount {
				t.Errorf("header: %d entries for %d tiles: runs of equal tiles were not folded", h.TileEntriesCount, h.AddressedTilesCount)
			}
			if st.Tiles != len(ts) || st.Contents != len(distinct) {
				t.Errorf("stats %+v, want %d tiles, %d contents", st, len(ts), len(distinct))
			}
			if fi, _ := os.Stat(path); fi.Size() != st.Bytes || fi.Mode().Perm() != 0o644 {
				t.Errorf("file is %d bytes, mode %v; stats say %d, want mode 0644", fi.Size(), fi.Mode().Perm(), st.Bytes)
			}
			if (h.LeafDirectoryLength > 0) != tc.leaves {
				t.Errorf("leaf directories %d bytes, want leaves %v", h.LeafDirectoryLength, tc.leaves)
			}
			wantType, wantComp := pmtiles.TileType(pmtiles.Png), pmtiles.Compression(pmtiles.NoCompression)
			if tc.content == ContentMVT {
				wantType, wantComp = pmtiles.Mvt, pmtiles.Gzip
			}
			if h.TileType != wantType || h.TileCompression != wantComp || !h.Clustered || h.InternalCompression != pmtiles.Gzip {
				t.Errorf("header type %d compression %d clustered %v internal %d", h.TileType, h.TileCompression, h.Clustered, h.InternalCompression)
			}
			if h.MinZoom != 0 || h.MaxZoom != uint8(tc.maxZoom) || h.CenterZoom != 6 ||
				h.MinLonE7 != 320000000 || h.MinLatE7 != 455000000 || h.MaxLonE7 != 403000000 || h.MaxLatE7 != 502000000 ||
				h.CenterLonE7 != 360000000 || h.CenterLatE7 != 476000000 {
				t.Errorf("header zooms/bounds/center: %+v", h)
			}

			for i := 0; i < len(ts); i += tc.step {
				tl := ts[i]
				got, ok := a.Tile(t, tl)
				if !ok || !bytes.Equal(got, pattern(tl)) {
					t.Fatalf("tile %s: read %q (found %v), wrote %q", tl, got, ok, pattern(tl))
				}
			}
			if got, ok := a.Tile(t, missing); ok {
				t.Errorf("tile %s was never added but reads as %q", missing, got)
			}
			m := a.Metadata(t)
			if m["name"] != "test" || m["attribution"] != "Natural Earth; Frontline" || m["as_of"] != "2025-08-15" || m["revision"] != 7.0 || m["format"] != tc.content {
				t.Errorf("metadata %v", m)
			}
			if vl, _ := m["vector_layers"].([]any); (tc.content == ContentMVT) != (len(vl) == 1) {
				t.Errorf("vector_layers %v for content %s", m["vector_layers"], tc.content)
			}
		})
	}
}

func TestMBTilesRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.mbtiles")
	ts := allTiles(5)
	md := testMetadata(ContentMVT, 0, 5)
	st := writeArchive(t, path, MBTiles, md, ts, pattern)

	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	meta := map[string]string{}
	rows, err := db.Query(`SELECT name, value FROM metadata`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k, v string
		rows.Scan(&k, &v)
		meta[k] = v
	}
	rows.Close()
	want := map[string]string{"name": "test", "format": "pbf", "bounds": "32,45.5,40.3,50.2", "center": "36,47.6,6",
		"minzoom": "0", "maxzoom": "5", "attribution": "Natural Earth; Frontline", "type": "overlay", "version": "1.0.0", "description": "a test"}
	for k, v := range want {
		if meta[k] != v {
			t.Errorf("metadata %s = %q, want %q", k, meta[k], v)
		}
	}
	var js struct {
		VectorLayers []struct{ ID string } `json:"vector_layers"`
		AsOf         string                `json:"as_of"`
		Revision     int                   `json:"revision"`
	}
	if err := json.Unmarshal([]byte(meta["json"]), &js); err != nil || len(js.VectorLayers) != 1 || js.VectorLayers[0].ID != "control" || js.AsOf != "2025-08-15" || js.Revision != 7 {
		t.Errorf("metadata json %s (%v)", meta["json"], err)
	}

	var n, images int
	db.QueryRow(`SELECT count(*) FROM tiles`).Scan(&n)
	db.QueryRow(`SELECT count(*) FROM images`).Scan(&images)
	distinct := map[string]bool{}
	for _, tl := range ts {
		distinct[string(pattern(tl))] = true
	}
	if n != len(ts) || images != len(distinct) || st.Contents != images {
		t.Errorf("%d tiles, %d images (stats %+v); want %d, %d", n, images, st, len(ts), len(distinct))
	}
	// Rows count from the south: XYZ 3/2/1 is TMS row 8-1-1 = 6.
	for _, tl := range []tiles.Tile{{Z: 3, X: 2, Y: 1}, {Z: 5, X: 17, Y: 10}, {Z: 0}} {
		var blob []byte
		row := (1 << tl.Z) - 1 - int(tl.Y)
		if err := db.QueryRow(`SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?`, tl.Z, tl.X, row).Scan(&blob); err != nil {
			t.Fatalf("tile %s (row %d): %v", tl, row, err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(blob))
		if err != nil {
			t.Fatalf("tile %s is not gzipped: %v", tl, err)
		}
		got, _ := io.ReadAll(zr)
		if !bytes.Equal(got, pattern(tl)) {
			t.Errorf("tile %s: %q, want %q", tl, got, pattern(tl))
		}
	}
}

// entries lists a directory's files.
func TestFailuresLeaveNothing(t *testing.T) {
	for _, f := range []Format{PMTiles, MBTiles} {
		t.Run(string(f), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out."+string(f))

			// Aborted after some tiles.
			w, err := Create(path, f, testMetadata(ContentPNG, 0, 3))
			if err != nil {
				t.Fatal(err)
			}
			for _, tl := range allTiles(2) {
				if err := w.Add(tl, pattern(tl)); err != nil {
					t.Fatal(err)
				}
			}
			if got := archivetest.Entries(t, dir); len(got) == 0 {
				t.Fatal("no temporary file while writing")
			}
			if err := w.Abort(); err != nil {
				t.Fatal(err)
			}
			if got := archivetest.Entries(t, dir); len(got) != 0 {
				t.Errorf("after Abort the directory holds %v", got)
			}

			// The destination is a directory: Commit fails at the rename and
			// removes its temporary files.
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
			w, err = Create(path, f, testMetadata(ContentPNG, 0, 3))
			if err != nil {
				t.Fatal(err)
			}
			for _, tl := range allTiles(3) {
				if err := w.Add(tl, pattern(tl)); err != nil {
					t.Fatal(err)
				}
			}
			err = w.Commit()
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("Commit onto a directory: %v, want an error naming %s", err, path)
			}
			if got := archivetest.Entries(t, dir); len(got) != 1 || got[0] != filepath.Base(path) {
				t.Errorf("after a failed Commit the directory holds %v, want only %s", got, filepath.Base(path))
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.pmtiles")
	w, err := Create(path, PMTiles, testMetadata(ContentMVT, 2, 4))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if err := w.Add(tiles.Tile{Z: 3, X: 1, Y: 1}, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		tile tiles.Tile
		want string
	}{
		{tiles.Tile{Z: 3, X: 0, Y: 0}, "tile 3/0/0 added out of order (tile id 21 after 23)"},
		{tiles.Tile{Z: 5, X: 0, Y: 0}, "tile 5/0/0 is outside zooms 2..4"},
	} {
		if err := w.Add(tc.tile, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Add(%s): %v, want %q", tc.tile, err, tc.want)
		}
	}

	for _, tc := range []struct {
		f    Format
		md   func(*Metadata)
		want string
	}{
		{PMTiles, func(m *Metadata) { m.Content = "jpg" }, `tile content "jpg": want "png" or "pbf"`},
		{PMTiles, func(m *Metadata) { m.MinZoom, m.MaxZoom = 5, 3 }, "zooms 5..3"},
		{MBTiles, func(m *Metadata) { m.Bounds = [4]float64{40, 45, 30, 50} }, "bounds [40 45 30 50]"},
		{"tar", func(*Metadata) {}, `format "tar": want pmtiles or mbtiles`},
	} {
		md := testMetadata(ContentPNG, 0, 3)
		tc.md(&md)
		if _, err := Create(filepath.Join(dir, "y"), tc.f, md); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Create: %v, want %q", err, tc.want)
		}
	}
	if got := archivetest.Entries(t, dir); len(got) != 2 { // x.pmtiles' two temporary files
		t.Errorf("directory holds %v", got)
	}
}
