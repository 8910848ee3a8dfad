package sqlite

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/frontlinemap/frontline/data"
)

func openTemp(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func checksum(t testing.TB, db *DB) string {
	t.Helper()
	sum, err := db.Checksum(context.Background())
	if err != nil {
		t.Fatalf("Checksum: %v", err)
	}
	return sum
}

// square returns a lon/lat square polygon with a square hole in its middle.
func squareWithHole(lon, lat, size float64) orb.Polygon {
	h := size / 4
	c := orb.Point{lon + size/2, lat + size/2}
	return orb.Polygon{
		{{lon, lat}, {lon + size, lat}, {lon + size, lat + size}, {lon, lat + size}, {lon, lat}},
		{{c[0] - h, c[1] - h}, {c[0] - h, c[1] + h}, {c[0] + h, c[1] + h}, {c[0] + h, c[1] - h}, {c[0] - h, c[1] - h}},
	}
}

func snapshot(date string, mp orb.MultiPolygon) data.Snapshot {
	return data.Snapshot{SnapshotInfo: data.SnapshotInfo{Date: data.Date(date), Source: "test"}, Geometry: mp}
}

func importSnapshots(t testing.TB, db *DB, replace bool, snaps ...data.Snapshot) (ImportRecord, error) {
	t.Helper()
	ctx := context.Background()
	im, err := db.BeginImport(ctx, "control", "test")
	if err != nil {
		t.Fatalf("BeginImport: %v", err)
	}
	defer im.Rollback()
	for _, s := range snaps {
		if err := im.PutSnapshot(ctx, s, replace); err != nil {
			return ImportRecord{}, err
		}
	}
	return im.Commit(ctx)
}

func TestOpenCreatesAndFillsNewDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new.db")
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	admin1, err := db.Boundaries(ctx, data.KindAdmin1)
	if err != nil {
		t.Fatal(err)
	}
	if len(admin1) != 27 {
		t.Errorf("got %d admin1 units, want 27", len(admin1))
	}
	countries, _ := db.Boundaries(ctx, data.KindCountry)
	if len(countries) < 5 {
		t.Errorf("got %d neighbouring countries, want at least 5", len(countries))
	}
	dates, err := db.Dates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(dates) != 1 || dates[0].Date != "2025-08-15" || !dates[0].Approximate {
		t.Errorf("got dates %+v, want one approximate line for 2025-08-15", dates)
	}
	scenarios, _ := db.Scenarios(ctx)
	var ids []string
	for _, s := range scenarios {
		ids = append(ids, s.ID)
		if !s.Builtin {
			t.Errorf("scenario %s: Builtin false, want true", s.ID)
		}
	}
	if got, want := strings.Join(ids, ","), "alaska-2025,current,four-oblasts,ukraine-1991"; got != want {
		t.Errorf("got scenarios %s, want %s", got, want)
	}
	var mode string
	db.sql.QueryRow("PRAGMA journal_mode").Scan(&mode)
	if mode != "wal" {
		t.Errorf("got journal_mode %q, want wal", mode)
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
	rev, _ := db.Revision(ctx)
	sum := checksum(t, db)
	db.Close()

	// Opening again neither migrates nor loads the defaults twice.
	db, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if rev2, _ := db.Revision(ctx); rev2 != rev {
		t.Errorf("revision after reopen = %d, want %d", rev2, rev)
	}
	if got := checksum(t, db); got != sum {
		t.Errorf("reopening changed the data")
	}
	imports, _ := db.Imports(ctx)
	if len(imports) != 1 || imports[0].Kind != "defaults" {
		t.Errorf("got imports %+v, want one defaults entry", imports)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	mp := orb.MultiPolygon{squareWithHole(36.0, 47.0, 2), squareWithHole(33.25, 44.5, 0.5)}
	rev0, _ := db.Revision(ctx)
	rec, err := importSnapshots(t, db, false, snapshot("2025-09-01", mp))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Revision <= rev0 {
		t.Errorf("revision after import = %d, want > %d", rec.Revision, rev0)
	}
	got, err := db.Snapshot(ctx, "2025-09-01")
	if err != nil {
		t.Fatal(err)
	}
	if !orb.Equal(got.Geometry, mp) {
		t.Errorf("geometry changed in the round trip:\n got %v\nwant %v", got.Geometry, mp)
	}
	if got.Source != "test" || got.Approximate || got.Vertices != 20 {
		t.Errorf("got %+v, want source test, not approximate, 20 vertices", got.SnapshotInfo)
	}
	if _, err := db.Snapshot(ctx, "2025-09-02"); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("missing date: got %v, want ErrNotFound", err)
	}
}

func TestControlWithinReadsOnlyNearbyPieces(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	// A 6x4 degree block cut into 24 one-degree pieces, plus a far island.
	block := orb.Polygon{{{32, 45}, {38, 45}, {38, 49}, {32, 49}, {32, 45}}}
	island := orb.Polygon{{{24.2, 51.2}, {24.8, 51.2}, {24.8, 51.8}, {24.2, 51.8}, {24.2, 51.2}}}
	if _, err := importSnapshots(t, db, false, snapshot("2025-09-01", orb.MultiPolygon{block, island})); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		bbox   orb.Bound
		pieces int
		area   float64
	}{
		{"inside one cell", orb.Bound{Min: orb.Point{37.1, 48.1}, Max: orb.Point{37.4, 48.4}}, 1, 1},
		{"across four cells", orb.Bound{Min: orb.Point{34.5, 46.5}, Max: orb.Point{35.5, 47.5}}, 4, 4},
		{"the island only", orb.Bound{Min: orb.Point{24, 51}, Max: orb.Point{25, 52}}, 1, 0.36},
		{"empty sea", orb.Bound{Min: orb.Point{30, 43}, Max: orb.Point{31, 44}}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mp, err := db.ControlWithin(ctx, "2025-09-01", tt.bbox)
			if err != nil {
				t.Fatal(err)
			}
			if len(mp) != tt.pieces {
				t.Errorf("got %d pieces, want %d", len(mp), tt.pieces)
			}
			if got := planar.Area(mp); math.Abs(got-tt.area) > 1e-9 {
				t.Errorf("got area %v, want %v", got, tt.area)
			}
		})
	}
	// Indexes answer both lookups: by place alone (the R*Tree's spatial
	// constraint) and by place and owner (the owner index and R*Tree ids);
	// neither scans the pieces table.
	for _, tt := range []struct {
		name      string
		withOwner bool
		want      string
	}{
		{"by place", false, "VIRTUAL TABLE INDEX 2:"},
		{"by place and owner", true, "USING INDEX pieces_owner"},
	} {
		rows, err := db.sql.Query("EXPLAIN QUERY PLAN "+piecesQuery(tt.withOwner), 1, 2, 3, 4, 2, 1)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			rows.Scan(&id, &parent, &notused, &detail)
			plan = append(plan, detail)
		}
		rows.Close()
		joined := strings.Join(plan, "; ")
		if !strings.Contains(joined, tt.want) || strings.Contains(joined, "SCAN p") {
			t.Errorf("%s: query plan %q, want %q and no scan of pieces", tt.name, joined, tt.want)
		}
	}
}

func TestGridPiecesKeepArea(t *testing.T) {
	mp := orb.MultiPolygon{squareWithHole(30.3, 44.7, 3.2), {{{36.5, 50.5}, {37.5, 50.5}, {37, 51.9}, {36.5, 50.5}}}}
	before := mp.Clone()
	pieces := gridPieces(mp, 1)
	if !orb.Equal(mp, before) {
		t.Fatal("gridPieces modified its input")
	}
	var sum float64
	for _, p := range pieces {
		sum += planar.Area(p)
		b := p.Bound()
		if math.Floor(b.Min.X()) < math.Ceil(b.Max.X())-1 || math.Floor(b.Min.Y()) < math.Ceil(b.Max.Y())-1 {
			t.Errorf("piece bound %v spans more than one cell", b)
		}
	}
	if want := planar.Area(mp); math.Abs(sum-want) > 1e-9 {
		t.Errorf("pieces add up to %v square degrees, want %v", sum, want)
	}
}

func TestImportReplaceRules(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	a := orb.MultiPolygon{squareWithHole(36, 47, 1)}
	b := orb.MultiPolygon{squareWithHole(36, 47, 1.5)}

	// The shipped approximate line is a placeholder: replaced without --replace.
	rec, err := importSnapshots(t, db, false, snapshot("2025-08-15", a))
	if err != nil {
		t.Fatalf("import over the placeholder: %v", err)
	}
	if len(rec.Warnings) != 1 || !strings.Contains(rec.Warnings[0], "replaced the approximate placeholder line for 2025-08-15") {
		t.Errorf("got warnings %q, want one about the placeholder", rec.Warnings)
	}
	s, _ := db.Snapshot(ctx, "2025-08-15")
	if s.Approximate || !orb.Equal(s.Geometry, a) {
		t.Errorf("placeholder not replaced: approximate=%v", s.Approximate)
	}

	// A real line is replaced only on request, and a refusal changes nothing.
	before := checksum(t, db)
	_, err = importSnapshots(t, db, false, snapshot("2025-09-01", b), snapshot("2025-08-15", b))
	if !errors.Is(err, data.ErrExists) || !strings.Contains(err.Error(), `a line for this date is already stored (source "test")`) {
		t.Fatalf("got %v, want ErrExists naming the stored source", err)
	}
	if after := checksum(t, db); after != before {
		t.Errorf("refused import changed the database")
	}
	if _, err := db.Snapshot(ctx, "2025-09-01"); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("the first snapshot of the refused import is visible: %v", err)
	}
	if _, err := importSnapshots(t, db, true, snapshot("2025-08-15", b)); err != nil {
		t.Fatalf("import with replace: %v", err)
	}
	s, _ = db.Snapshot(ctx, "2025-08-15")
	if !orb.Equal(s.Geometry, b) {
		t.Errorf("replace did not store the new geometry")
	}
	// Replacing removed the old pieces from the index.
	var n int
	db.sql.QueryRow(`SELECT count(*) FROM pieces p LEFT JOIN snapshots s ON s.id = p.owner WHERE p.layer = 2 AND s.id IS NULL`).Scan(&n)
	var orphans int
	db.sql.QueryRow(`SELECT count(*) FROM pieces_rtree r LEFT JOIN pieces p ON p.id = r.id WHERE p.id IS NULL`).Scan(&orphans)
	if n != 0 || orphans != 0 {
		t.Errorf("got %d orphan pieces and %d orphan index entries, want 0", n, orphans)
	}
}

func TestScenarioNeedsKnownOblasts(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	before := checksum(t, db)
	im, err := db.BeginImport(ctx, "scenarios", "test")
	if err != nil {
		t.Fatal(err)
	}
	defer im.Rollback()
	s := data.Scenario{ID: "x", Title: "X", Summary: "S", Reported: "2025-08-16", Rule: "control + oblast(UA-14, UA-99)"}
	err = im.PutScenario(ctx, s, false)
	if !errors.Is(err, data.ErrInvalid) || !strings.Contains(err.Error(), "unknown oblast code UA-99") {
		t.Fatalf("got %v, want ErrInvalid naming UA-99", err)
	}
	s.ID, s.Rule = "current", "control"
	if err := im.PutScenario(ctx, s, false); !errors.Is(err, data.ErrExists) {
		t.Fatalf("duplicate id: got %v, want ErrExists", err)
	}
	im.Rollback()
	if after := checksum(t, db); after != before {
		t.Errorf("rolled-back import changed the database")
	}
}

func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := Open(ctx, filepath.Join(dir, "missing.db"), Options{ReadOnly: true}); err == nil {
		t.Error("read-only open of a missing file succeeded, want an error")
	}
	path := filepath.Join(dir, "ro.db")
	rw, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rw.Close()
	ro, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if dates, err := ro.Dates(ctx); err != nil || len(dates) != 1 {
		t.Errorf("read-only Dates = %v, %v; want one date", dates, err)
	}
	if _, err := ro.BeginImport(ctx, "control", "x"); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("read-only BeginImport: got %v, want a read-only error", err)
	}
}

func TestImportTimestamps(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2025, 8, 20, 12, 0, 0, 0, time.UTC)
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"), Options{Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := importSnapshots(t, db, false, snapshot("2025-09-01", orb.MultiPolygon{squareWithHole(36, 47, 1)})); err != nil {
		t.Fatal(err)
	}
	s, _ := db.Snapshot(ctx, "2025-09-01")
	if !s.ImportedAt.Equal(at) {
		t.Errorf("got imported_at %v, want %v", s.ImportedAt, at)
	}
}

// deepstateDir is the shared real test data, relative to this package.
const deepstateDir = "../../../shared/data/deepstate"

func TestRealDeepStateLines(t *testing.T) {
	if _, err := os.Stat(deepstateDir); err != nil {
		t.Skipf("real data not found at %s (it lives outside the repository): %v", deepstateDir, err)
	}
	ctx := context.Background()
	db := openTemp(t)
	var snaps []data.Snapshot
	for _, day := range []string{"20240708", "20241205", "20250507", "20250815", "20260531"} {
		name := "deepstatemap_data_" + day + ".geojson"
		b, err := os.ReadFile(filepath.Join(deepstateDir, name))
		if err != nil {
			t.Fatal(err)
		}
		features, _, err := data.DecodePolygons(name, b)
		if err != nil {
			t.Fatal(err)
		}
		mp, err := data.ControlArea(name, features)
		if err != nil {
			t.Fatal(err)
		}
		date, _ := data.DateFromFileName(name)
		snaps = append(snaps, data.Snapshot{SnapshotInfo: data.SnapshotInfo{Date: date, Source: "DeepStateMap"}, Geometry: mp})
	}
	if _, err := importSnapshots(t, db, false, snaps...); err != nil {
		t.Fatal(err)
	}
	for _, want := range snaps {
		got, err := db.Snapshot(ctx, want.Date)
		if err != nil {
			t.Fatal(err)
		}
		if !orb.Equal(got.Geometry, want.Geometry) {
			t.Errorf("%s: geometry changed in the round trip", want.Date)
		}
	}
	// Around Pokrovsk only the pieces of one or two cells are read, and they
	// hold much less than the whole line.
	whole, _ := db.Snapshot(ctx, "2025-08-15")
	near, err := db.ControlWithin(ctx, "2025-08-15", orb.Bound{Min: orb.Point{37.05, 48.1}, Max: orb.Point{37.4, 48.4}})
	if err != nil {
		t.Fatal(err)
	}
	if len(near) == 0 {
		t.Fatal("no control pieces near Pokrovsk")
	}
	nb := near.Bound()
	if nb.Min.X() < 37 || nb.Max.X() > 38 || nb.Min.Y() < 48 || nb.Max.Y() > 49 {
		t.Errorf("pieces near Pokrovsk span %v, want within the cell 37..38 E, 48..49 N", nb)
	}
	if r := planar.Area(near) / planar.Area(whole.Geometry); r > 0.05 {
		t.Errorf("pieces near Pokrovsk hold %.1f %% of the area, want under 5 %%", 100*r)
	}
}

func TestBoundariesVersionFollowsBoundariesOnly(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	v0, err := db.BoundariesVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := importSnapshots(t, db, false, snapshot("2025-09-01", orb.MultiPolygon{squareWithHole(36, 47, 1)})); err != nil {
		t.Fatal(err)
	}
	if v1, _ := db.BoundariesVersion(ctx); v1 != v0 {
		t.Errorf("a line import changed the boundaries version from %s to %s", v0, v1)
	}
	im, err := db.BeginImport(ctx, "boundaries", "test")
	if err != nil {
		t.Fatal(err)
	}
	defer im.Rollback()
	b := data.Boundary{ISO: "UA-14", Kind: data.KindAdmin1, NameEN: "Donetsk", Source: "test", Geometry: orb.MultiPolygon{squareWithHole(37, 47, 1)}}
	if err := im.PutBoundary(ctx, b); err != nil {
		t.Fatal(err)
	}
	if _, err := im.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if v2, _ := db.BoundariesVersion(ctx); v2 == v0 {
		t.Errorf("replacing UA-14 left the boundaries version at %s", v2)
	}
}
