package derive

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontlinemap/frontline/geo/scenario"
)

// TestSeriesStepsMatchDirectMeasurement checks the step-by-step occupied
// areas of a series against measuring each line directly.
func TestSeriesStepsMatchDirectMeasurement(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	days := []string{"2025-08-10", "2025-08-11", "2025-08-12", "2025-08-13", "2025-08-14"}
	importDeepState(t, db, days...)
	svc := New(db, scenario.Options{})
	points, err := svc.Series(ctx, "UA-14", "2025-08-10", "2025-08-14")
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != len(days) {
		t.Fatalf("got %d points, want %d", len(points), len(days))
	}
	in, err := svc.load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dates, _ := db.Dates(ctx)
	for i, p := range points {
		var id int64
		for _, d := range dates {
			if d.Date == p.Date {
				id = d.ID
			}
		}
		c, err := db.SnapshotGeometry(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		direct, err := in.index.AreaKm2(c)
		if err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(direct["UA-14"] - p.OccupiedKm2); d > 0.01 {
			t.Errorf("point %d (%s): stepped %.4f km2, direct %.4f km2: differ by %.4f, want under 0.01", i, p.Date, p.OccupiedKm2, direct["UA-14"], d)
		}
	}
}

// BenchmarkScenariosOneDate evaluates the four shipped scenarios on the
// 2025-08-15 line with empty result caches, as the first requests after an
// import of that line do in a running server (the boundary inputs, built
// once per boundaries version, are warm).
func BenchmarkScenariosOneDate(b *testing.B) { benchmarkScenarios(b, false) }

// BenchmarkScenariosOneDateColdStart is BenchmarkScenariosOneDate in a new
// process: it also builds the boundary inputs (Ukraine's outline as the
// union of the 27 units, the outline and unit indexes).
func BenchmarkScenariosOneDateColdStart(b *testing.B) { benchmarkScenarios(b, true) }

func benchmarkScenarios(b *testing.B, coldStart bool) {
	ctx := context.Background()
	db := openTemp(b)
	importDeepState(b, db, "2025-08-15")
	ids := []string{"alaska-2025", "current", "four-oblasts", "ukraine-1991"}
	svc := New(db, scenario.Options{})
	if _, err := svc.load(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		if err := db.ClearCaches(ctx); err != nil {
			b.Fatal(err)
		}
		if coldStart {
			svc = New(db, scenario.Options{})
		}
		b.StartTimer()
		for _, id := range ids {
			if _, err := svc.Scenario(ctx, id, ""); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkSeriesAllDeepState measures the occupied km2 per oblast of every
// daily line in the shared data, with empty caches.
func BenchmarkSeriesAllDeepState(b *testing.B) {
	ctx := context.Background()
	files, _ := filepath.Glob(filepath.Join(deepstateDir, "deepstatemap_data_*.geojson"))
	if len(files) == 0 {
		b.Skipf("real data not found at %s", deepstateDir)
	}
	var days []string
	for _, f := range files {
		d := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "deepstatemap_data_"), ".geojson")
		days = append(days, d[:4]+"-"+d[4:6]+"-"+d[6:])
	}
	db := openTemp(b)
	importDeepState(b, db, days...)
	b.ReportMetric(float64(len(days)), "lines")
	for b.Loop() {
		b.StopTimer()
		if err := db.ClearCaches(ctx); err != nil {
			b.Fatal(err)
		}
		svc := New(db, scenario.Options{})
		b.StartTimer()
		points, err := svc.Series(ctx, "", "", "")
		if err != nil {
			b.Fatal(err)
		}
		if len(points) != len(days) {
			b.Fatal(fmt.Sprintf("got %d points, want %d", len(points), len(days)))
		}
	}
}
