package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/frontlinemap/frontline/data"
)

// ResolveSnapshot returns the line of control in force on date: the one
// stored for that date or else the nearest earlier one; an empty date means
// the latest. No line on or before date is an error wrapping data.ErrNotFound.
func (db *DB) ResolveSnapshot(ctx context.Context, date data.Date) (data.SnapshotInfo, error) {
	q := `SELECT s.id, s.date, s.source, s.note, s.approximate, s.vertices, i.imported_at
		FROM snapshots s JOIN imports i ON i.id = s.import_id`
	args := []any{}
	if date != "" {
		q += ` WHERE s.date <= ?`
		args = append(args, date)
	}
	var (
		s  data.SnapshotInfo
		at string
	)
	err := db.sql.QueryRowContext(ctx, q+` ORDER BY s.date DESC LIMIT 1`, args...).
		Scan(&s.ID, &s.Date, &s.Source, &s.Note, &s.Approximate, &s.Vertices, &at)
	if errors.Is(err, sql.ErrNoRows) {
		if date == "" {
			return s, fmt.Errorf("no line of control is stored: %w", data.ErrNotFound)
		}
		return s, fmt.Errorf("no line of control on or before %s: %w", date, data.ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("resolve date %q: %w", date, err)
	}
	s.ImportedAt, _ = time.Parse(time.RFC3339, at)
	return s, nil
}

// SnapshotGeometry returns the stored geometry of the line with the given ID.
func (db *DB) SnapshotGeometry(ctx context.Context, id int64) (orb.MultiPolygon, error) {
	var blob []byte
	err := db.sql.QueryRowContext(ctx, `SELECT wkb FROM snapshot_geoms WHERE snapshot_id = ?`, id).Scan(&blob)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("line %d: %w (replaced meanwhile?)", id, data.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("line %d: %w", id, err)
	}
	return decodeMultiPolygon(blob)
}

// Scenario returns the stored scenario id; an unknown id wraps data.ErrNotFound.
func (db *DB) Scenario(ctx context.Context, id string) (data.Scenario, error) {
	s, err := scanScenario(db.sql.QueryRowContext(ctx, `SELECT json, builtin FROM scenarios WHERE id = ?`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return data.Scenario{}, fmt.Errorf("scenario %q: %w", id, data.ErrNotFound)
	}
	if err != nil {
		return data.Scenario{}, fmt.Errorf("scenario %q: %w", id, err)
	}
	return s, nil
}

// Occupied returns the cached occupied area per unit (km2 by ISO code) of the
// line with the given ID, and whether the cache held it.
func (db *DB) Occupied(ctx context.Context, snapshotID int64) (map[string]float64, bool, error) {
	var done int
	if err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM occupied_done WHERE snapshot_id = ?`, snapshotID).Scan(&done); err != nil {
		return nil, false, fmt.Errorf("read occupied cache: %w", err)
	}
	if done == 0 {
		return nil, false, nil
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT iso, km2 FROM occupied WHERE snapshot_id = ?`, snapshotID)
	if err != nil {
		return nil, false, fmt.Errorf("read occupied cache: %w", err)
	}
	defer rows.Close()
	out := map[string]float64{}
	for rows.Next() {
		var (
			iso string
			km2 float64
		)
		if err := rows.Scan(&iso, &km2); err != nil {
			return nil, false, err
		}
		out[iso] = km2
	}
	return out, true, rows.Err()
}

// PutOccupied caches the occupied area per unit of a line. A read-only
// database, or a line replaced meanwhile, is silently left uncached.
func (db *DB) PutOccupied(ctx context.Context, snapshotID int64, km2 map[string]float64) error {
	if db.readOnly {
		return nil
	}
	return db.cacheTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM occupied WHERE snapshot_id = ?`, snapshotID); err != nil {
			return err
		}
		for iso, v := range km2 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO occupied (snapshot_id, iso, km2) VALUES (?, ?, ?)`, snapshotID, iso, v); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO occupied_done (snapshot_id) VALUES (?)`, snapshotID)
		return err
	})
}

// Derived is a cached result: figures as JSON and named geometry layers.
type Derived struct {
	JSON   []byte
	Layers map[string]orb.Geometry
}

// Derived returns the cached result key for a line (and, for changes, the
// earlier line otherID; 0 otherwise), and whether the cache held it. Layers
// are decoded only when withLayers is true.
func (db *DB) Derived(ctx context.Context, key string, snapshotID, otherID int64, withLayers bool) (Derived, bool, error) {
	var d Derived
	err := db.sql.QueryRowContext(ctx, `SELECT json FROM derived WHERE key = ? AND snapshot_id = ? AND other_id = ?`,
		key, snapshotID, otherID).Scan(&d.JSON)
	if errors.Is(err, sql.ErrNoRows) {
		return d, false, nil
	}
	if err != nil {
		return d, false, fmt.Errorf("read cache %s: %w", key, err)
	}
	if !withLayers {
		return d, true, nil
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT layer, wkb FROM derived_layers WHERE key = ? AND snapshot_id = ? AND other_id = ?`,
		key, snapshotID, otherID)
	if err != nil {
		return d, false, fmt.Errorf("read cache %s: %w", key, err)
	}
	defer rows.Close()
	d.Layers = map[string]orb.Geometry{}
	for rows.Next() {
		var (
			name string
			blob []byte
		)
		if err := rows.Scan(&name, &blob); err != nil {
			return d, false, err
		}
		g, err := wkb.Unmarshal(blob)
		if err != nil {
			return d, false, fmt.Errorf("read cache %s layer %s: %w", key, name, err)
		}
		d.Layers[name] = g
	}
	return d, true, rows.Err()
}

// PutDerived caches a result; see Derived. A read-only database, or a line
// replaced meanwhile, is silently left uncached.
func (db *DB) PutDerived(ctx context.Context, key string, snapshotID, otherID int64, d Derived) error {
	if db.readOnly {
		return nil
	}
	return db.cacheTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM derived WHERE key = ? AND snapshot_id = ? AND other_id = ?`, key, snapshotID, otherID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO derived (key, snapshot_id, other_id, json) VALUES (?, ?, ?, ?)`,
			key, snapshotID, otherID, string(d.JSON)); err != nil {
			return err
		}
		for name, g := range d.Layers {
			if g == nil {
				continue
			}
			blob, err := wkb.Marshal(g)
			if err != nil {
				return fmt.Errorf("layer %s: %w", name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO derived_layers (key, snapshot_id, other_id, layer, wkb) VALUES (?, ?, ?, ?, ?)`,
				key, snapshotID, otherID, name, blob); err != nil {
				return err
			}
		}
		return nil
	})
}

// cacheTx runs fn in a write transaction. A foreign-key failure means the line
// was replaced while its result was computed: the result is dropped, not an error.
func (db *DB) cacheTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		if isConstraint(err) {
			return nil
		}
		return fmt.Errorf("write cache: %w", err)
	}
	if err := tx.Commit(); err != nil {
		if isConstraint(err) {
			return nil
		}
		return fmt.Errorf("write cache: %w", err)
	}
	return nil
}

// ClearCaches drops every cached derived result (they are recomputed on
// demand); stored data and the revision are untouched.
func (db *DB) ClearCaches(ctx context.Context) error {
	_, err := db.sql.ExecContext(ctx, `DELETE FROM occupied; DELETE FROM occupied_done; DELETE FROM derived;`)
	if err != nil {
		return fmt.Errorf("clear caches: %w", err)
	}
	return nil
}

// BoundariesVersion returns a string that changes whenever the stored
// boundaries change (and not when lines or scenarios do), for caches of
// values derived from boundaries alone.
func (db *DB) BoundariesVersion(ctx context.Context) (string, error) {
	var n, maxImport, sumID int64
	err := db.sql.QueryRowContext(ctx, `SELECT count(*), coalesce(max(import_id), 0), coalesce(sum(id), 0) FROM boundaries`).
		Scan(&n, &maxImport, &sumID)
	if err != nil {
		return "", fmt.Errorf("boundaries version: %w", err)
	}
	return fmt.Sprintf("%d:%d:%d", n, maxImport, sumID), nil
}
