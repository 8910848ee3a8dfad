package archive

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"

	_ "github.com/mattn/go-sqlite3" // the "sqlite3" driver

	"github.com/frontlinemap/frontline/tiles"
)

// mbtilesSchema is MBTiles 1.3 with deduplicated tiles: tiles is a view over
// map (one row per tile) and images (one row per distinct content), the
// layout of mbutil and tippecanoe that readers such as GDAL accept.
const mbtilesSchema = `
CREATE TABLE metadata (name TEXT NOT NULL, value TEXT);
CREATE UNIQUE INDEX metadata_name ON metadata (name);
CREATE TABLE map (zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL, tile_id TEXT NOT NULL);
CREATE UNIQUE INDEX map_index ON map (zoom_level, tile_column, tile_row);
CREATE TABLE images (tile_id TEXT NOT NULL, tile_data BLOB NOT NULL);
CREATE UNIQUE INDEX images_id ON images (tile_id);
CREATE VIEW tiles AS
  SELECT map.zoom_level AS zoom_level, map.tile_column AS tile_column, map.tile_row AS tile_row, images.tile_data AS tile_data
  FROM map JOIN images ON images.tile_id = map.tile_id;
`

// mbWriter fills an SQLite file in one transaction, without a journal (the
// file is temporary until Commit renames it, so a crash loses nothing).
type mbWriter struct {
	path     string
	md       Metadata
	name     string // temporary file
	db       *sql.DB
	tx       *sql.Tx
	putMap   *sql.Stmt
	putImage *sql.Stmt
	seen     map[[sha256.Size]byte]bool
	tiles    int
	bytes    int64
	done     bool
}

func createMBTiles(path string, md Metadata) (w *mbWriter, err error) {
	f, err := tempBeside(path, ".tmp")
	if err != nil {
		return nil, err
	}
	f.Close()
	w = &mbWriter{path: path, md: md, name: f.Name(), seen: map[[sha256.Size]byte]bool{}}
	defer func() {
		if err != nil {
			w.Abort()
		}
	}()
	// One connection: the transaction, the statements and the pragmas all
	// act on it.
	if w.db, err = sql.Open("sqlite3", "file:"+w.name+"?_journal_mode=OFF&_synchronous=OFF"); err != nil {
		return nil, fmt.Errorf("mbtiles: open %s: %w", w.name, err)
	}
	w.db.SetMaxOpenConns(1)
	ctx := context.Background()
	if _, err = w.db.ExecContext(ctx, mbtilesSchema); err != nil {
		return nil, fmt.Errorf("mbtiles: create schema in %s: %w", w.name, err)
	}
	if w.tx, err = w.db.BeginTx(ctx, nil); err != nil {
		return nil, fmt.Errorf("mbtiles: %w", err)
	}
	if w.putMap, err = w.tx.Prepare(`INSERT INTO map (zoom_level, tile_column, tile_row, tile_id) VALUES (?, ?, ?, ?)`); err != nil {
		return nil, fmt.Errorf("mbtiles: %w", err)
	}
	if w.putImage, err = w.tx.Prepare(`INSERT INTO images (tile_id, tile_data) VALUES (?, ?)`); err != nil {
		return nil, fmt.Errorf("mbtiles: %w", err)
	}
	return w, nil
}

func (w *mbWriter) Add(t tiles.Tile, b []byte) error {
	if w.done {
		return errors.New("mbtiles: Add after Commit or Abort")
	}
	if t.Z < w.md.MinZoom || t.Z > w.md.MaxZoom {
		return fmt.Errorf("mbtiles: tile %s is outside zooms %d..%d", t, w.md.MinZoom, w.md.MaxZoom)
	}
	sum := sha256.Sum256(b)
	id := hex.EncodeToString(sum[:16])
	if !w.seen[sum] {
		if w.md.Content == ContentMVT {
			b = gzipTile(b)
		}
		if _, err := w.putImage.Exec(id, b); err != nil {
			return fmt.Errorf("mbtiles: store tile %s: %w", t, err)
		}
		w.seen[sum] = true
	}
	// MBTiles rows count from the south (TMS), XYZ rows from the north.
	row := (1 << t.Z) - 1 - int64(t.Y)
	if _, err := w.putMap.Exec(t.Z, t.X, row, id); err != nil {
		return fmt.Errorf("mbtiles: store tile %s: %w", t, err)
	}
	w.tiles++
	return nil
}

func (w *mbWriter) Stats() Stats {
	return Stats{Tiles: w.tiles, Contents: len(w.seen), Bytes: w.bytes}
}

// metadataRows are the rows of the metadata table (MBTiles 1.3): the
// fields the spec names, with vector_layers and everything else in "json".
func (m Metadata) metadataRows() ([][2]string, error) {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	b := m.Bounds
	rows := [][2]string{
		{"name", m.Name},
		{"format", m.Content},
		{"bounds", f(b[0]) + "," + f(b[1]) + "," + f(b[2]) + "," + f(b[3])},
		{"center", f(m.Center[0]) + "," + f(m.Center[1]) + "," + strconv.Itoa(int(m.Center[2]))},
		{"minzoom", strconv.Itoa(m.MinZoom)},
		{"maxzoom", strconv.Itoa(m.MaxZoom)},
		{"attribution", m.Attribution},
		{"description", m.Description},
		{"type", m.Type},
		{"version", m.Version},
	}
	extra := map[string]any{}
	for k, v := range m.Extra {
		extra[k] = v
	}
	if m.Content == ContentMVT {
		layers := m.VectorLayers
		if layers == nil {
			layers = []tiles.VectorLayer{}
		}
		extra["vector_layers"] = layers
	}
	if len(extra) > 0 {
		js, err := json.Marshal(extra)
		if err != nil {
			return nil, fmt.Errorf("mbtiles: metadata json: %w", err)
		}
		rows = append(rows, [2]string{"json", string(js)})
	}
	return rows, nil
}

func (w *mbWriter) Commit() (err error) {
	if w.done {
		return errors.New("mbtiles: Commit after Commit or Abort")
	}
	defer func() {
		if err != nil {
			w.Abort()
		}
	}()
	rows, err := w.md.metadataRows()
	if err != nil {
		return err
	}
	for _, r := range rows {
		if _, err := w.tx.Exec(`INSERT INTO metadata (name, value) VALUES (?, ?)`, r[0], r[1]); err != nil {
			return fmt.Errorf("mbtiles: metadata %s: %w", r[0], err)
		}
	}
	w.putMap.Close()
	w.putImage.Close()
	if err := w.tx.Commit(); err != nil {
		return fmt.Errorf("mbtiles: commit %s: %w", w.name, err)
	}
	if _, err := w.db.Exec(`ANALYZE`); err != nil {
		return fmt.Errorf("mbtiles: analyze %s: %w", w.name, err)
	}
	if err := w.db.Close(); err != nil {
		return fmt.Errorf("mbtiles: close %s: %w", w.name, err)
	}
	f, err := os.OpenFile(w.name, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("mbtiles: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("mbtiles: %w", err)
	}
	if err := commitFile(f, w.path); err != nil {
		return err
	}
	w.bytes = st.Size()
	w.done = true
	return nil
}

func (w *mbWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	if w.tx != nil {
		w.tx.Rollback()
	}
	if w.db != nil {
		w.db.Close()
	}
	err := os.Remove(w.name)
	for _, suffix := range []string{"-journal", "-wal", "-shm"} {
		os.Remove(w.name + suffix)
	}
	return err
}
