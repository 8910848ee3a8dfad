package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/frontlinemap/frontline/data"
)

// ErrBuiltin refuses to delete a scenario that ships with Frontline.
var ErrBuiltin = errors.New("it ships with Frontline and cannot be deleted, only replaced (POST with replace=true)")

// DeleteSnapshot removes the line of control stored for date. Its grid
// pieces and cached results go with it (triggers and foreign keys), and the
// revision rises. A date without a line wraps data.ErrNotFound.
func (im *Import) DeleteSnapshot(ctx context.Context, date data.Date) error {
	res, err := im.w.tx.ExecContext(ctx, `DELETE FROM snapshots WHERE date = ?`, date)
	if err != nil {
		return fmt.Errorf("delete control line for %s: %w", date, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("delete control line for %s: %w", date, data.ErrNotFound)
	}
	im.items++
	return nil
}

// DeleteScenario removes the scenario id and its cached results. Built-in
// scenarios are refused with ErrBuiltin: the viewer and the documentation
// rely on them; replace one instead. An unknown id wraps
// data.ErrNotFound.
func (im *Import) DeleteScenario(ctx context.Context, id string) error {
	var builtin bool
	err := im.w.tx.QueryRowContext(ctx, `SELECT builtin FROM scenarios WHERE id = ?`, id).Scan(&builtin)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("delete scenario %q: %w", id, data.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("delete scenario %s: %w", id, err)
	}
	if builtin {
		return fmt.Errorf("delete scenario %s: %w", id, ErrBuiltin)
	}
	if _, err := im.w.tx.ExecContext(ctx, `DELETE FROM scenarios WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete scenario %s: %w", id, err)
	}
	im.items++
	return nil
}

// IsBusy reports whether err means another writer held the database for
// longer than the busy timeout (10 s): worth retrying later.
func IsBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}
