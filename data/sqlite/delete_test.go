package sqlite

import (
	"context"
	"errors"
	"testing"

	"github.com/paulmach/orb"

	"github.com/frontlinemap/frontline/data"
)

func TestDeleteSnapshotTakesItsPiecesAndCaches(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	if _, err := importSnapshots(t, db, false, snapshot("2025-09-01", orb.MultiPolygon{squareWithHole(36, 47, 3)})); err != nil {
		t.Fatal(err)
	}
	info, err := db.ResolveSnapshot(ctx, "2025-09-01")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutOccupied(ctx, info.ID, map[string]float64{"UA-14": 1}); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		var n int
		if err := db.sql.QueryRow(q, info.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count(`SELECT count(*) FROM pieces WHERE layer = 2 AND owner = ?`) == 0 || count(`SELECT count(*) FROM occupied WHERE snapshot_id = ?`) == 0 {
		t.Fatal("the line has no pieces or cache rows to delete")
	}
	rev, _ := db.Revision(ctx)

	im, err := db.BeginImport(ctx, "control", "delete test")
	if err != nil {
		t.Fatal(err)
	}
	if err := im.DeleteSnapshot(ctx, "2025-09-01"); err != nil {
		t.Fatal(err)
	}
	if err := im.DeleteSnapshot(ctx, "2025-09-02"); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("deleting a missing date: %v, want ErrNotFound", err)
	}
	if _, err := im.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`SELECT count(*) FROM pieces WHERE layer = 2 AND owner = ?`,
		`SELECT count(*) FROM pieces_rtree WHERE id NOT IN (SELECT id FROM pieces) AND ? IS NOT NULL`,
		`SELECT count(*) FROM occupied WHERE snapshot_id = ?`,
		`SELECT count(*) FROM snapshot_geoms WHERE snapshot_id = ?`,
	} {
		if n := count(q); n != 0 {
			t.Errorf("%s: %d rows left", q, n)
		}
	}
	if r, _ := db.Revision(ctx); r <= rev {
		t.Errorf("revision %d after the delete, want above %d", r, rev)
	}
}

func TestDeleteScenarioRefusesBuiltins(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	im, err := db.BeginImport(ctx, "scenarios", "delete test")
	if err != nil {
		t.Fatal(err)
	}
	defer im.Rollback()
	if err := im.DeleteScenario(ctx, "alaska-2025"); !errors.Is(err, ErrBuiltin) {
		t.Errorf("deleting a built-in scenario: %v, want ErrBuiltin", err)
	}
	if err := im.DeleteScenario(ctx, "nope"); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("deleting an unknown scenario: %v, want ErrNotFound", err)
	}
}
