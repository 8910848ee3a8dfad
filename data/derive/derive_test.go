package derive

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/frontlinemap/frontline/data"
	"github.com/frontlinemap/frontline/data/sqlite"
	"github.com/frontlinemap/frontline/geo"
	"github.com/frontlinemap/frontline/geo/scenario"
)

const deepstateDir = "../../../shared/data/deepstate"

func openTemp(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "d.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// importDeepState imports real daily lines; it skips the test when the shared data is absent.
func importDeepState(t testing.TB, db *sqlite.DB, days ...string) {
	t.Helper()
	if _, err := os.Stat(deepstateDir); err != nil {
		t.Skipf("real data not found at %s (it lives outside the repository): %v", deepstateDir, err)
	}
	ctx := context.Background()
	im, err := db.BeginImport(ctx, "control", "test")
	if err != nil {
		t.Fatal(err)
	}
	defer im.Rollback()
	for _, day := range days {
		name := "deepstatemap_data_" + strings.ReplaceAll(day, "-", "") + ".geojson"
		b, err := os.ReadFile(filepath.Join(deepstateDir, name))
		if err != nil {
			t.Fatal(err)
		}
		fs, _, err := data.DecodePolygons(name, b)
		if err != nil {
			t.Fatal(err)
		}
		mp, err := data.ControlArea(name, fs)
		if err != nil {
			t.Fatal(err)
		}
		s := data.Snapshot{SnapshotInfo: data.SnapshotInfo{Date: data.Date(day), Source: "DeepStateMap"}, Geometry: mp}
		if err := im.PutSnapshot(ctx, s, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := im.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func row(t *testing.T, rows []Row, iso string) Row {
	t.Helper()
	for _, r := range rows {
		if r.ISO == iso {
			return r
		}
	}
	t.Fatalf("no row for %s", iso)
	return Row{}
}

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

func TestScenariosOnRealLine(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	importDeepState(t, db, "2025-08-15")
	svc := New(db, scenario.Options{})

	alaska, err := svc.Scenario(ctx, "alaska-2025", "")
	if err != nil {
		t.Fatal(err)
	}
	if alaska.AsOf != "2025-08-15" || alaska.Line.Source != "DeepStateMap" || alaska.Line.Approximate {
		t.Errorf("got line %+v as of %s, want the DeepStateMap line of 2025-08-15", alaska.Line, alaska.AsOf)
	}
	donetsk := row(t, alaska.Oblasts, "UA-14")
	// The check: Ukraine would cede 6,660-6,770 km2 of Donetsk oblast on these boundaries.
	if donetsk.ToRussiaKm2 < 6660 || donetsk.ToRussiaKm2 > 6770 {
		t.Errorf("alaska-2025 Donetsk to_russia = %.1f km2, want 6,660-6,770", donetsk.ToRussiaKm2)
	}
	// Natural Earth's Donetsk is within 1.5 % of the official 26,517 km2.
	if !near(donetsk.TotalKm2, 26517, 0.015*26517) {
		t.Errorf("Donetsk total = %.1f km2, want 26,517 ± 1.5 %%", donetsk.TotalKm2)
	}
	// After the deal Russia holds all of Donetsk and Luhansk, less nothing.
	for _, iso := range []string{"UA-14", "UA-09"} {
		r := row(t, alaska.Oblasts, iso)
		if !near(r.RussiaAfterKm2, r.TotalKm2, 0.001*r.TotalKm2) {
			t.Errorf("%s russia_after = %.1f, want the whole unit %.1f", iso, r.RussiaAfterKm2, r.TotalKm2)
		}
	}
	// Russia returns its pockets in Sumy, Kharkiv and Dnipropetrovsk.
	for _, iso := range []string{"UA-59", "UA-63", "UA-12"} {
		r := row(t, alaska.Oblasts, iso)
		if r.ToUkraineKm2 <= 0 || r.RussiaAfterKm2 > 0.5 {
			t.Errorf("%s: to_ukraine %.1f, russia_after %.1f; want everything returned", iso, r.ToUkraineKm2, r.RussiaAfterKm2)
		}
	}
	// Kherson and Zaporizhzhia stay frozen: nothing changes hands there but slivers.
	for _, iso := range []string{"UA-23", "UA-65"} {
		r := row(t, alaska.Oblasts, iso)
		if r.ToRussiaKm2 > 1 || r.ToUkraineKm2 > 1 {
			t.Errorf("%s: to_russia %.1f, to_ukraine %.1f; want ~0 (line frozen)", iso, r.ToRussiaKm2, r.ToUkraineKm2)
		}
	}
	if alaska.Total.AbsorbedToRussiaKm2 <= 0 {
		t.Errorf("absorbed to_russia = %.1f, want the border and coast slivers (> 0)", alaska.Total.AbsorbedToRussiaKm2)
	}
	// Totals add up: russia_after = occupied + transfers + absorbed.
	tot := alaska.Total
	if want := tot.OccupiedKm2 + tot.ToRussiaKm2 - tot.ToUkraineKm2 + tot.AbsorbedToRussiaKm2 - tot.AbsorbedToUkraineKm2; !near(tot.RussiaAfterKm2, want, 0.5) {
		t.Errorf("total russia_after %.1f, want %.1f", tot.RussiaAfterKm2, want)
	}
	// The occupied area on 2025-08-15: about a fifth of Ukraine, about 114,000 km2 reported.
	if tot.OccupiedKm2 < 110000 || tot.OccupiedKm2 > 118000 {
		t.Errorf("occupied total %.0f km2, want about 114,000", tot.OccupiedKm2)
	}

	current, err := svc.Scenario(ctx, "current", "2025-08-20")
	if err != nil {
		t.Fatal(err)
	}
	if current.AsOf != "2025-08-15" || current.RequestedDate != "2025-08-20" {
		t.Errorf("got as_of %s requested %s, want the nearest earlier line 2025-08-15 for 2025-08-20", current.AsOf, current.RequestedDate)
	}
	if current.Total.ToRussiaKm2 != 0 || current.Total.ToUkraineKm2 != 0 {
		t.Errorf("current moves %.1f / %.1f km2, want nothing", current.Total.ToRussiaKm2, current.Total.ToUkraineKm2)
	}
	ua1991, err := svc.Scenario(ctx, "ukraine-1991", "")
	if err != nil {
		t.Fatal(err)
	}
	if !near(ua1991.Total.ToUkraineKm2+ua1991.Total.AbsorbedToUkraineKm2, ua1991.Total.OccupiedKm2, 1) || ua1991.Total.RussiaAfterKm2 > 1 {
		t.Errorf("ukraine-1991 returns %.1f of %.1f km2, keeps %.1f", ua1991.Total.ToUkraineKm2, ua1991.Total.OccupiedKm2, ua1991.Total.RussiaAfterKm2)
	}

	var csv bytes.Buffer
	if err := alaska.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csv.String()), "\n")
	if lines[0] != "iso,name,total_km2,occupied_km2,to_russia_km2,to_ukraine_km2,russia_after_km2" {
		t.Errorf("CSV header %q", lines[0])
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "UA,Ukraine,") {
		t.Errorf("CSV last row %q, want the total row UA,Ukraine,...", last)
	}

	// Every derived layer is valid, and the cache returns the same figures.
	for _, layer := range ScenarioLayers {
		g, _, err := svc.ScenarioLayer(ctx, "alaska-2025", "", layer)
		if err != nil {
			t.Fatal(err)
		}
		if mp, ok := g.(orb.MultiPolygon); ok {
			if err := geo.Validate(mp); err != nil && len(mp) > 0 {
				t.Errorf("layer %s invalid: %v", layer, err)
			}
		}
	}
	again, err := New(db, scenario.Options{}).Scenario(ctx, "alaska-2025", "2025-08-15")
	if err != nil {
		t.Fatal(err)
	}
	if again.Total != alaska.Total {
		t.Errorf("cached total %+v, want %+v", again.Total, alaska.Total)
	}
}

func TestChangeAndSeriesOnRealLines(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	importDeepState(t, db, "2025-08-01", "2025-08-15")
	svc := New(db, scenario.Options{})
	ch, err := svc.Change(ctx, "2025-08-01", "2025-08-15")
	if err != nil {
		t.Fatal(err)
	}
	// Net change equals the change of the occupied area (within rounding and slivers).
	tot := ch.Total
	diff := tot.OccupiedToKm2 - tot.OccupiedFromKm2
	if want := tot.NetKm2 + tot.AbsorbedGainedKm2 - tot.AbsorbedLostKm2; !near(diff, want, 0.5) {
		t.Errorf("occupied grew %.1f km2, gained-lost+absorbed = %.1f", diff, want)
	}
	if tot.GainedKm2 <= 0 {
		t.Errorf("gained %.1f km2 in August 2025, want > 0", tot.GainedKm2)
	}
	points, err := svc.Series(ctx, "UA-14", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != 2 || points[0].Date != "2025-08-01" || points[1].Approximate {
		t.Fatalf("got %+v, want 2 real points (the placeholder line of 2025-08-15 was replaced)", points)
	}
	d14 := row(t, mustScenario(t, svc, "current", "2025-08-15").Oblasts, "UA-14")
	if !near(points[1].OccupiedKm2, d14.OccupiedKm2, 1e-6) {
		t.Errorf("series Donetsk %.3f, scenario occupied %.3f: want equal", points[1].OccupiedKm2, d14.OccupiedKm2)
	}
	if _, err := svc.Series(ctx, "UA-99", "", ""); err == nil {
		t.Error("series of UA-99: want an unknown-oblast error")
	}
}

func mustScenario(t *testing.T, svc *Service, id string, date data.Date) *ScenarioResult {
	t.Helper()
	r, err := svc.Scenario(context.Background(), id, date)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestScenarioErrors(t *testing.T) {
	ctx := context.Background()
	svc := New(openTemp(t), scenario.Options{})
	if _, err := svc.Scenario(ctx, "nope", ""); err == nil || !strings.Contains(err.Error(), `scenario "nope": not found`) {
		t.Errorf("unknown scenario: got %v", err)
	}
	if _, err := svc.Scenario(ctx, "current", "2020-01-01"); err == nil || !strings.Contains(err.Error(), "no line of control on or before 2020-01-01") {
		t.Errorf("date before every line: got %v", err)
	}
	if _, _, err := svc.ScenarioLayer(ctx, "current", "", "pizza"); err == nil || !strings.Contains(err.Error(), `unknown layer "pizza"`) {
		t.Errorf("unknown layer: got %v", err)
	}
	if _, err := svc.Change(ctx, "2025-08-15", "2025-08-01"); err == nil || !strings.Contains(err.Error(), "is after") {
		t.Errorf("reversed change: got %v", err)
	}
}
