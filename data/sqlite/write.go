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
	"github.com/frontlinemap/frontline/geo/scenario"
)

// Geometry layers of the pieces table.
const (
	layerBoundary = 1
	layerSnapshot = 2
)

// Import is one all-or-nothing import. Nothing it writes is visible to
// readers until Commit; Rollback, or a failed Commit, leaves the database
// exactly as it was. An Import is not safe for concurrent use.
type Import struct {
	w        *writer
	items    int
	warnings []string
	done     bool
}

// ImportRecord describes a committed import, as kept in the import log.
type ImportRecord struct {
	ID         int64
	ImportedAt time.Time
	Kind       string // boundaries, control, scenarios or defaults
	Origin     string // file, directory or URL
	Items      int
	Warnings   []string
	Revision   int64 // data revision after the import
}

// BeginImport starts an import of kind (boundaries, control or scenarios)
// from origin (a file, directory or URL, for the import log). It waits for
// other writers to finish.
func (db *DB) BeginImport(ctx context.Context, kind, origin string) (*Import, error) {
	if db.readOnly {
		return nil, fmt.Errorf("import %s: database %s is open read-only", origin, db.path)
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("import %s: begin: %w", origin, err)
	}
	w := &writer{tx: tx, now: db.now}
	if err := w.begin(ctx, kind, origin, 0, nil); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("import %s: %w", origin, err)
	}
	return &Import{w: w}, nil
}

// PutBoundary stores b, replacing a stored boundary with the same ISO code.
func (im *Import) PutBoundary(ctx context.Context, b data.Boundary) error {
	if err := im.w.putBoundary(ctx, b); err != nil {
		return err
	}
	im.items++
	return nil
}

// PutSnapshot stores the line of control s. A stored line for the same date
// is replaced when replace is true or when the stored one is approximate
// (a placeholder); otherwise the error wraps data.ErrExists.
func (im *Import) PutSnapshot(ctx context.Context, s data.Snapshot, replace bool) error {
	replaced, err := im.w.putSnapshot(ctx, s, replace)
	if err != nil {
		return err
	}
	if replaced != "" {
		im.Warn(replaced)
	}
	im.items++
	return nil
}

// PutScenario stores s after checking that every ISO code in its rule names
// a stored boundary. A stored scenario with the same id is replaced only
// when replace is true; otherwise the error wraps data.ErrExists.
func (im *Import) PutScenario(ctx context.Context, s data.Scenario, replace bool) error {
	if err := im.w.putScenario(ctx, s, replace); err != nil {
		return err
	}
	im.items++
	return nil
}

// Warn adds a message to the import log entry.
func (im *Import) Warn(msg string) { im.warnings = append(im.warnings, msg) }

// Commit makes the import visible and returns its log entry.
func (im *Import) Commit(ctx context.Context) (ImportRecord, error) {
	if im.done {
		return ImportRecord{}, errors.New("import already finished")
	}
	im.done = true
	defer im.w.tx.Rollback()
	w := im.w
	if _, err := w.tx.ExecContext(ctx, `UPDATE imports SET items = ?, warnings = ? WHERE id = ?`,
		im.items, strings.Join(im.warnings, "\n"), w.importID); err != nil {
		return ImportRecord{}, fmt.Errorf("commit import: %w", err)
	}
	rec := ImportRecord{ID: w.importID, ImportedAt: w.at, Kind: w.kind, Origin: w.origin, Items: im.items, Warnings: im.warnings}
	if err := w.tx.QueryRowContext(ctx, "SELECT value FROM revision WHERE id = 1").Scan(&rec.Revision); err != nil {
		return ImportRecord{}, fmt.Errorf("commit import: %w", err)
	}
	if err := w.tx.Commit(); err != nil {
		return ImportRecord{}, fmt.Errorf("commit import: %w", err)
	}
	return rec, nil
}

// Rollback abandons the import; it is a no-op after Commit.
func (im *Import) Rollback() error {
	if im.done {
		return nil
	}
	im.done = true
	return im.w.tx.Rollback()
}

// writer does the writes of one transaction.
type writer struct {
	tx       *sql.Tx
	now      func() time.Time
	importID int64
	at       time.Time
	kind     string
	origin   string
}

func (w *writer) begin(ctx context.Context, kind, origin string, items int, warnings []string) error {
	w.at = w.now().UTC().Truncate(time.Second)
	w.kind, w.origin = kind, origin
	res, err := w.tx.ExecContext(ctx, `INSERT INTO imports (imported_at, kind, origin, items, warnings) VALUES (?, ?, ?, ?, ?)`,
		w.at.Format(time.RFC3339), kind, origin, items, strings.Join(warnings, "\n"))
	if err != nil {
		return fmt.Errorf("log import: %w", err)
	}
	w.importID, err = res.LastInsertId()
	return err
}

func (w *writer) putBoundary(ctx context.Context, b data.Boundary) error {
	if b.ISO == "" || (b.Kind != data.KindAdmin1 && b.Kind != data.KindCountry) || len(b.Geometry) == 0 {
		return fmt.Errorf("store boundary %q: %w: needs an ISO code, kind admin1 or country, and a geometry", b.ISO, data.ErrInvalid)
	}
	if _, err := w.tx.ExecContext(ctx, `DELETE FROM boundaries WHERE iso = ?`, b.ISO); err != nil {
		return fmt.Errorf("store boundary %s: %w", b.ISO, err)
	}
	blob, err := wkb.Marshal(b.Geometry)
	if err != nil {
		return fmt.Errorf("store boundary %s: encode: %w", b.ISO, err)
	}
	res, err := w.tx.ExecContext(ctx, `INSERT INTO boundaries (iso, kind, name_en, name_uk, source, import_id, wkb) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		b.ISO, b.Kind, b.NameEN, b.NameUK, b.Source, w.importID, blob)
	if err != nil {
		return fmt.Errorf("store boundary %s: %w", b.ISO, err)
	}
	id, _ := res.LastInsertId()
	if err := w.putPieces(ctx, layerBoundary, id, b.Geometry); err != nil {
		return fmt.Errorf("store boundary %s: %w", b.ISO, err)
	}
	return nil
}

// putSnapshot stores s and returns a note when it replaced an approximate placeholder.
func (w *writer) putSnapshot(ctx context.Context, s data.Snapshot, replace bool) (string, error) {
	if _, err := data.ParseDate(string(s.Date)); err != nil {
		return "", fmt.Errorf("store control line: %w", err)
	}
	if s.Source == "" {
		return "", fmt.Errorf("store control line for %s: %w: source is empty", s.Date, data.ErrInvalid)
	}
	if len(s.Geometry) == 0 {
		return "", fmt.Errorf("store control line for %s: %w: empty geometry", s.Date, data.ErrInvalid)
	}
	var (
		oldID       int64
		oldSource   string
		oldApprox   bool
		replacedMsg string
	)
	err := w.tx.QueryRowContext(ctx, `SELECT id, source, approximate FROM snapshots WHERE date = ?`, s.Date).Scan(&oldID, &oldSource, &oldApprox)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return "", fmt.Errorf("store control line for %s: %w", s.Date, err)
	case oldApprox && !replace:
		replacedMsg = fmt.Sprintf("replaced the approximate placeholder line for %s", s.Date)
	case !replace:
		return "", fmt.Errorf("store control line for %s: %w: a line for this date is already stored (source %q); replace it explicitly (--replace)", s.Date, data.ErrExists, oldSource)
	}
	if oldID != 0 {
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM snapshots WHERE id = ?`, oldID); err != nil {
			return "", fmt.Errorf("store control line for %s: remove old: %w", s.Date, err)
		}
	}
	blob, err := wkb.Marshal(s.Geometry)
	if err != nil {
		return "", fmt.Errorf("store control line for %s: encode: %w", s.Date, err)
	}
	res, err := w.tx.ExecContext(ctx, `INSERT INTO snapshots (date, source, note, approximate, vertices, import_id) VALUES (?, ?, ?, ?, ?, ?)`,
		s.Date, s.Source, s.Note, s.Approximate, vertexCount(s.Geometry), w.importID)
	if err != nil {
		return "", fmt.Errorf("store control line for %s: %w", s.Date, err)
	}
	id, _ := res.LastInsertId()
	if _, err := w.tx.ExecContext(ctx, `INSERT INTO snapshot_geoms (snapshot_id, wkb) VALUES (?, ?)`, id, blob); err != nil {
		return "", fmt.Errorf("store control line for %s: %w", s.Date, err)
	}
	if err := w.putPieces(ctx, layerSnapshot, id, s.Geometry); err != nil {
		return "", fmt.Errorf("store control line for %s: %w", s.Date, err)
	}
	return replacedMsg, nil
}

func (w *writer) putScenario(ctx context.Context, s data.Scenario, replace bool) error {
	rule, err := scenario.Parse(s.Rule)
	if err != nil {
		return fmt.Errorf("store scenario %s: %w: %v", s.ID, data.ErrInvalid, err)
	}
	for _, code := range rule.Codes() {
		var n int
		if err := w.tx.QueryRowContext(ctx, `SELECT count(*) FROM boundaries WHERE iso = ? AND kind = 'admin1'`, code).Scan(&n); err != nil {
			return fmt.Errorf("store scenario %s: %w", s.ID, err)
		}
		if n == 0 {
			return fmt.Errorf("store scenario %s: %w: unknown oblast code %s in rule", s.ID, data.ErrInvalid, code)
		}
	}
	def, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("store scenario %s: %w", s.ID, err)
	}
	if replace {
		// Loading the same file again changes nothing, so caches survive restarts with --scenarios.
		var stored string
		err := w.tx.QueryRowContext(ctx, `SELECT json FROM scenarios WHERE id = ? AND builtin = ?`, s.ID, s.Builtin).Scan(&stored)
		if err == nil && stored == string(def) {
			return nil
		}
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM scenarios WHERE id = ?`, s.ID); err != nil {
			return fmt.Errorf("store scenario %s: %w", s.ID, err)
		}
	}
	_, err = w.tx.ExecContext(ctx, `INSERT INTO scenarios (id, builtin, json, import_id) VALUES (?, ?, ?, ?)`, s.ID, s.Builtin, string(def), w.importID)
	if isConstraint(err) {
		return fmt.Errorf("store scenario %s: %w: a scenario with this id is already stored; replace it explicitly (--replace)", s.ID, data.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("store scenario %s: %w", s.ID, err)
	}
	return nil
}

// putPieces cuts mp along the grid and indexes each piece in the R*Tree.
func (w *writer) putPieces(ctx context.Context, layer int, owner int64, mp orb.MultiPolygon) error {
	insPiece, err := w.tx.PrepareContext(ctx, `INSERT INTO pieces (layer, owner, wkb) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insPiece.Close()
	insTree, err := w.tx.PrepareContext(ctx, `INSERT INTO pieces_rtree (id, min_lon, max_lon, min_lat, max_lat) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insTree.Close()
	for _, piece := range gridPieces(mp, gridDeg) {
		blob, err := wkb.Marshal(piece)
		if err != nil {
			return fmt.Errorf("encode piece: %w", err)
		}
		res, err := insPiece.ExecContext(ctx, layer, owner, blob)
		if err != nil {
			return fmt.Errorf("insert piece: %w", err)
		}
		id, _ := res.LastInsertId()
		b := piece.Bound()
		if _, err := insTree.ExecContext(ctx, id, b.Min.X(), b.Max.X(), b.Min.Y(), b.Max.Y()); err != nil {
			return fmt.Errorf("index piece: %w", err)
		}
	}
	return nil
}

func vertexCount(mp orb.MultiPolygon) int {
	n := 0
	for _, p := range mp {
		for _, r := range p {
			n += len(r)
		}
	}
	return n
}
