package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/frontlinemap/frontline/data"
)

// Dates lists the stored lines of control, oldest first, without geometry.
func (db *DB) Dates(ctx context.Context) ([]data.SnapshotInfo, error) {
	rows, err := db.sql.QueryContext(ctx, `
		SELECT s.id, s.date, s.source, s.note, s.approximate, s.vertices, i.imported_at
		FROM snapshots s JOIN imports i ON i.id = s.import_id
		ORDER BY s.date`)
	if err != nil {
		return nil, fmt.Errorf("list dates: %w", err)
	}
	defer rows.Close()
	var out []data.SnapshotInfo
	for rows.Next() {
		var (
			s  data.SnapshotInfo
			at string
		)
		if err := rows.Scan(&s.ID, &s.Date, &s.Source, &s.Note, &s.Approximate, &s.Vertices, &at); err != nil {
			return nil, fmt.Errorf("list dates: %w", err)
		}
		s.ImportedAt, _ = time.Parse(time.RFC3339, at)
		out = append(out, s)
	}
	return out, rows.Err()
}

// Snapshot returns the line of control stored for date. A date with no line
// is an error wrapping data.ErrNotFound.
func (db *DB) Snapshot(ctx context.Context, date data.Date) (data.Snapshot, error) {
	var (
		s    data.Snapshot
		at   string
		blob []byte
	)
	err := db.sql.QueryRowContext(ctx, `
		SELECT s.id, s.date, s.source, s.note, s.approximate, s.vertices, i.imported_at, g.wkb
		FROM snapshots s JOIN imports i ON i.id = s.import_id JOIN snapshot_geoms g ON g.snapshot_id = s.id
		WHERE s.date = ?`, date).Scan(&s.ID, &s.Date, &s.Source, &s.Note, &s.Approximate, &s.Vertices, &at, &blob)
	if errors.Is(err, sql.ErrNoRows) {
		return data.Snapshot{}, fmt.Errorf("control line for %s: %w", date, data.ErrNotFound)
	}
	if err != nil {
		return data.Snapshot{}, fmt.Errorf("control line for %s: %w", date, err)
	}
	s.ImportedAt, _ = time.Parse(time.RFC3339, at)
	if s.Geometry, err = decodeMultiPolygon(blob); err != nil {
		return data.Snapshot{}, fmt.Errorf("control line for %s: %w", date, err)
	}
	return s, nil
}

// ControlWithin returns the parts of the line of control for date whose grid
// pieces meet b, reading only those pieces through the R*Tree. The result
// covers at least the part of the area inside b (pieces are not clipped to b).
func (db *DB) ControlWithin(ctx context.Context, date data.Date, b orb.Bound) (orb.MultiPolygon, error) {
	var id int64
	err := db.sql.QueryRowContext(ctx, `SELECT id FROM snapshots WHERE date = ?`, date).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("control line for %s: %w", date, data.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("control line for %s: %w", date, err)
	}
	var out orb.MultiPolygon
	err = db.piecesWithin(ctx, layerSnapshot, id, b, func(_ int64, mp orb.MultiPolygon) {
		out = append(out, mp...)
	})
	if err != nil {
		return nil, fmt.Errorf("control line for %s within %v: %w", date, b, err)
	}
	return out, nil
}

// piecesWithin calls fn for every piece of layer (and owner, unless it is 0)
// whose bounds meet b.
func (db *DB) piecesWithin(ctx context.Context, layer int, owner int64, b orb.Bound, fn func(owner int64, mp orb.MultiPolygon)) error {
	args := []any{b.Min.X(), b.Max.X(), b.Min.Y(), b.Max.Y(), layer}
	if owner != 0 {
		args = append(args, owner)
	}
	q := piecesQuery(owner != 0)
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			o    int64
			blob []byte
		)
		if err := rows.Scan(&o, &blob); err != nil {
			return err
		}
		mp, err := decodeMultiPolygon(blob)
		if err != nil {
			return err
		}
		fn(o, mp)
	}
	return rows.Err()
}

// piecesQuery returns the SQL of piecesWithin. With an owner, its few pieces
// come from the owner index and are checked against the R*Tree by id; without
// one, the R*Tree's spatial search must come first (CROSS JOIN fixes the
// order), or SQLite walks every piece of the layer.
func piecesQuery(withOwner bool) string {
	if withOwner {
		return `SELECT p.owner, p.wkb FROM pieces_rtree r JOIN pieces p ON p.id = r.id
			WHERE r.max_lon >= ? AND r.min_lon <= ? AND r.max_lat >= ? AND r.min_lat <= ? AND p.layer = ? AND p.owner = ?
			ORDER BY p.id`
	}
	return `SELECT p.owner, p.wkb FROM pieces_rtree r CROSS JOIN pieces p ON p.id = r.id
		WHERE r.max_lon >= ? AND r.min_lon <= ? AND r.max_lat >= ? AND r.min_lat <= ? AND p.layer = ?
		ORDER BY p.id`
}

// Boundaries returns the stored boundaries of kind (data.KindAdmin1,
// data.KindCountry, or "" for all), sorted by kind and ISO code.
func (db *DB) Boundaries(ctx context.Context, kind string) ([]data.Boundary, error) {
	rows, err := db.sql.QueryContext(ctx, `
		SELECT iso, kind, name_en, name_uk, source, wkb FROM boundaries
		WHERE ? = '' OR kind = ? ORDER BY kind, iso`, kind, kind)
	if err != nil {
		return nil, fmt.Errorf("list boundaries: %w", err)
	}
	defer rows.Close()
	var out []data.Boundary
	for rows.Next() {
		var (
			b    data.Boundary
			blob []byte
		)
		if err := rows.Scan(&b.ISO, &b.Kind, &b.NameEN, &b.NameUK, &b.Source, &blob); err != nil {
			return nil, fmt.Errorf("list boundaries: %w", err)
		}
		if b.Geometry, err = decodeMultiPolygon(blob); err != nil {
			return nil, fmt.Errorf("boundary %s: %w", b.ISO, err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// BoundariesWithin returns the boundaries of kind ("" for all) that have a
// grid piece meeting b, each with only those pieces as its geometry, reading
// only those pieces through the R*Tree.
func (db *DB) BoundariesWithin(ctx context.Context, kind string, b orb.Bound) ([]data.Boundary, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, iso, kind, name_en, name_uk, source FROM boundaries WHERE ? = '' OR kind = ? ORDER BY kind, iso`, kind, kind)
	if err != nil {
		return nil, fmt.Errorf("list boundaries: %w", err)
	}
	byID := map[int64]*data.Boundary{}
	var order []int64
	for rows.Next() {
		var (
			id int64
			bd data.Boundary
		)
		if err := rows.Scan(&id, &bd.ISO, &bd.Kind, &bd.NameEN, &bd.NameUK, &bd.Source); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list boundaries: %w", err)
		}
		byID[id] = &bd
		order = append(order, id)
	}
	rows.Close()
	err = db.piecesWithin(ctx, layerBoundary, 0, b, func(owner int64, mp orb.MultiPolygon) {
		if bd, ok := byID[owner]; ok {
			bd.Geometry = append(bd.Geometry, mp...)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("boundaries within %v: %w", b, err)
	}
	var out []data.Boundary
	for _, id := range order {
		if bd := byID[id]; len(bd.Geometry) > 0 {
			out = append(out, *bd)
		}
	}
	return out, nil
}

// Scenarios returns the stored scenarios sorted by id.
func (db *DB) Scenarios(ctx context.Context) ([]data.Scenario, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT json, builtin FROM scenarios ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list scenarios: %w", err)
	}
	defer rows.Close()
	var out []data.Scenario
	for rows.Next() {
		s, err := scanScenario(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("list scenarios: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// scanScenario reads a row of (json, builtin) from the scenarios table.
func scanScenario(scan func(...any) error) (data.Scenario, error) {
	var (
		js string
		s  data.Scenario
	)
	if err := scan(&js, &s.Builtin); err != nil {
		return data.Scenario{}, err
	}
	if err := json.Unmarshal([]byte(js), &s); err != nil {
		return data.Scenario{}, fmt.Errorf("decode: %w", err)
	}
	return s, nil
}

// Imports returns the import log, newest first.
func (db *DB) Imports(ctx context.Context) ([]ImportRecord, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, imported_at, kind, origin, items, warnings FROM imports ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	defer rows.Close()
	var out []ImportRecord
	for rows.Next() {
		var (
			r      ImportRecord
			at, ws string
		)
		if err := rows.Scan(&r.ID, &at, &r.Kind, &r.Origin, &r.Items, &ws); err != nil {
			return nil, fmt.Errorf("list imports: %w", err)
		}
		r.ImportedAt, _ = time.Parse(time.RFC3339, at)
		if ws != "" {
			r.Warnings = strings.Split(ws, "\n")
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func decodeMultiPolygon(blob []byte) (orb.MultiPolygon, error) {
	g, err := wkb.Unmarshal(blob)
	if err != nil {
		return nil, fmt.Errorf("decode geometry: %w", err)
	}
	switch g := g.(type) {
	case orb.MultiPolygon:
		return g, nil
	case orb.Polygon:
		return orb.MultiPolygon{g}, nil
	}
	return nil, fmt.Errorf("decode geometry: stored %s, want MultiPolygon", g.GeoJSONType())
}
