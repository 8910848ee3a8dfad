// Package sqlite is Frontline's store: boundaries, dated lines of control,
// scenarios and the import log in one SQLite file (WAL mode, versioned
// migrations, an R*Tree over geometry pieces). All SQL and cgo live here.
package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/frontlinemap/frontline/data"
)

// DB is an open Frontline database. It is safe for concurrent use.
type DB struct {
	sql      *sql.DB
	path     string
	readOnly bool
	now      func() time.Time
}

// Options tune Open.
type Options struct {
	// ReadOnly opens an existing database without write access; a missing or
	// outdated database is then an error instead of being created or migrated.
	ReadOnly bool
	// Now returns the current time for import records; nil means time.Now.
	Now func() time.Time
}

// Open opens the database at path, creating it and filling it with the
// embedded default data when it does not exist, and applying pending schema
// migrations.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("open database: %w: empty path", data.ErrInvalid)
	}
	if opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("open database %s read-only: %w", path, err)
		}
	}
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "on")
	if opts.ReadOnly {
		q.Set("mode", "ro")
	} else {
		q.Set("_journal_mode", "WAL")
		q.Set("_synchronous", "NORMAL")
		// Writers take the lock when they begin, so two writers queue
		// instead of failing on a lock upgrade half-way.
		q.Set("_txlock", "immediate")
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	sdb, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db := &DB{sql: sdb, path: path, readOnly: opts.ReadOnly, now: opts.Now}
	if db.now == nil {
		db.now = time.Now
	}
	if err := db.migrate(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error { return db.sql.Close() }

// Path returns the file the database was opened from.
func (db *DB) Path() string { return db.path }

// migrate brings the schema up to date and, for a new database, loads the
// embedded defaults, all in one transaction.
func (db *DB) migrate(ctx context.Context) error {
	var version int
	if err := db.sql.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this program knows (%d): upgrade frontline", version, len(migrations))
	}
	if version == len(migrations) {
		return nil
	}
	if db.readOnly {
		return fmt.Errorf("schema version %d needs migrating to %d, which a read-only database cannot do", version, len(migrations))
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin migration: %w", err)
	}
	defer tx.Rollback()
	// Read again under the write lock: another process may have migrated.
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	fresh := version == 0
	for v := version; v < len(migrations); v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(migrations))); err != nil {
		return fmt.Errorf("set schema version: %w", err)
	}
	if fresh {
		if err := db.seed(ctx, tx); err != nil {
			return fmt.Errorf("load embedded defaults: %w", err)
		}
	}
	return tx.Commit()
}

// seed loads the embedded boundaries, approximate line and scenarios.
func (db *DB) seed(ctx context.Context, tx *sql.Tx) error {
	def, err := data.Defaults()
	if err != nil {
		return err
	}
	w := &writer{tx: tx, now: db.now}
	items := len(def.Boundaries) + len(def.Snapshots) + len(def.Scenarios)
	if err := w.begin(ctx, "defaults", "embedded", items, nil); err != nil {
		return err
	}
	for _, b := range def.Boundaries {
		if err := w.putBoundary(ctx, b); err != nil {
			return err
		}
	}
	for _, s := range def.Snapshots {
		if _, err := w.putSnapshot(ctx, s, false); err != nil {
			return err
		}
	}
	for _, s := range def.Scenarios {
		if err := w.putScenario(ctx, s, false); err != nil {
			return err
		}
	}
	return nil
}

// Revision returns the data revision, a number that grows whenever stored
// data changes; caches and tile URLs key on it.
func (db *DB) Revision(ctx context.Context) (int64, error) {
	var rev int64
	if err := db.sql.QueryRowContext(ctx, "SELECT value FROM revision WHERE id = 1").Scan(&rev); err != nil {
		return 0, fmt.Errorf("read revision: %w", err)
	}
	return rev, nil
}

// Checksum returns a SHA-256 over the contents of every table, in a fixed
// order: equal checksums mean equal data, whatever the file layout.
func (db *DB) Checksum(ctx context.Context) (string, error) {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	// One read transaction: every table is read from the same snapshot, so a
	// commit by another process during the checksum cannot mix old and new.
	// (BeginTx would take the write lock: the DSN asks for immediate transactions.)
	if _, err := conn.ExecContext(ctx, "BEGIN DEFERRED"); err != nil {
		return "", fmt.Errorf("checksum: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	rows, err := conn.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return "", fmt.Errorf("checksum: %w", err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return "", err
		}
		tables = append(tables, n)
	}
	rows.Close()
	h := sha256.New()
	var version int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return "", err
	}
	fmt.Fprintf(h, "user_version %d\n", version)
	for _, t := range tables {
		fmt.Fprintf(h, "table %s\n", t)
		rows, err := conn.QueryContext(ctx, fmt.Sprintf(`SELECT * FROM "%s" ORDER BY 1`, t))
		if err != nil {
			return "", fmt.Errorf("checksum %s: %w", t, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return "", err
			}
			for _, v := range vals {
				fmt.Fprintf(h, "%T:%v|", v, v)
			}
			h.Write([]byte{'\n'})
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return "", err
		}
		rows.Close()
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// IntegrityCheck runs SQLite's PRAGMA integrity_check and returns an error
// unless it answers "ok".
func (db *DB) IntegrityCheck(ctx context.Context) error {
	var res string
	if err := db.sql.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}

// isConstraint reports whether err is a SQLite constraint violation.
func isConstraint(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrConstraint
}
