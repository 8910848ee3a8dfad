package geo

import (
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// Real-data checks on the DeepState daily files (lon/lat MultiPolygons of
// ~3000 vertices). They skip when the data is absent; nothing derived from
// the data is committed except the few figures pinned below.

// maxAreaChange is the largest relative planar area change Repair may cause
// on a file that was already valid: 0.01 %.
const maxAreaChange = 1e-4

// deepStateFiles lists the daily files in date order.
func deepStateFiles(t testing.TB) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(deepStateDir(t), "deepstatemap_data_*.geojson"))
	sort.Strings(files)
	if len(files) == 0 {
		t.Skip("no deepstatemap_data_*.geojson files")
	}
	return files
}

// fileCheck is what checkDeepStateFile found for one file.
type fileCheck struct {
	name        string
	validAsIs   bool // OGC valid before Repair
	woundAsIs   bool // outer rings CCW, holes CW before Repair
	areaChange  float64
	fixes       []Fix
	repairTime  time.Duration
	vertices    int
	rings       int
	outVertices int
	err         error
}

// checkDeepStateFile repairs one file and checks the invariants: no error,
// input untouched, result valid and correctly wound, the area unchanged
// (within maxAreaChange) when the input was valid, and a fix reported for
// every difference from the input.
func checkDeepStateFile(path string) fileCheck {
	fc := fileCheck{name: filepath.Base(path)}
	in, err := decodeDeepState(path)
	if err != nil {
		fc.err = err
		return fc
	}
	fc.vertices = vertexCount(in)
	for _, p := range in {
		fc.rings += len(p)
	}
	fc.validAsIs = Validate(in) == nil
	fc.woundAsIs = isWound(in)
	before := in.Clone()
	start := time.Now()
	got, fixes, err := Repair(in)
	fc.repairTime = time.Since(start)
	fc.fixes = fixes
	if err != nil {
		fc.err = fmt.Errorf("repair: %w", err)
		return fc
	}
	fc.outVertices = vertexCount(got)
	switch {
	case !reflect.DeepEqual(in, before):
		fc.err = fmt.Errorf("input changed")
	case Validate(got) != nil:
		fc.err = fmt.Errorf("result invalid: %w", Validate(got))
	case !isWound(got):
		fc.err = fmt.Errorf("result not wound outer CCW, holes CW")
	}
	a0, a1 := planarArea(in), planarArea(got)
	fc.areaChange = math.Abs(a1-a0) / a0
	if fc.err == nil && fc.validAsIs && fc.areaChange >= maxAreaChange {
		fc.err = fmt.Errorf("valid input: area changed by %.6f %%, want < %.2f %%", 100*fc.areaChange, 100*maxAreaChange)
	}
	if fc.err == nil && !(fc.validAsIs && fc.woundAsIs) && len(fixes) == 0 {
		fc.err = fmt.Errorf("input needed repair but no fixes were reported")
	}
	if fc.err == nil && fc.validAsIs && fc.woundAsIs && len(fixes) > 0 {
		fc.err = fmt.Errorf("valid, wound input: got fixes %v, want none", fixes)
	}
	return fc
}

// isWound reports whether every outer ring of mp is counter-clockwise and
// every hole clockwise.
func isWound(mp orb.MultiPolygon) bool {
	for _, p := range mp {
		for j, r := range p {
			if (j == 0) != (signedArea(r) > 0) {
				return false
			}
		}
	}
	return true
}

func TestRepairDeepStateSample(t *testing.T) {
	files := deepStateFiles(t)
	for i := 0; i < len(files); i += len(files)/6 + 1 {
		path := files[i]
		t.Run(filepath.Base(path), func(t *testing.T) {
			fc := checkDeepStateFile(path)
			if fc.err != nil {
				t.Fatal(fc.err)
			}
			for _, f := range fc.fixes {
				if f.Count <= 0 || f.Detail == "" {
					t.Errorf("fix %v: got Count %d and Detail %q, want both set", f.Kind, f.Count, f.Detail)
				}
			}
			t.Logf("valid as is %v, wound as is %v, area change %.2g, fixes %v", fc.validAsIs, fc.woundAsIs, fc.areaChange, fc.fixes)
		})
	}
}

// TestRepairDeepStateAll repairs every daily file (about 10 s; skipped with
// -short) and logs how many were valid as is and which fixes the others
// needed; run with -v to see the summary.
func TestRepairDeepStateAll(t *testing.T) {
	if testing.Short() {
		t.Skip("repairs all DeepState files; skipped with -short")
	}
	files := deepStateFiles(t)
	results := make([]fileCheck, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = checkDeepStateFile(files[i])
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()

	var valid, wound, clean, rings, reversed int
	var maxChange float64
	var total time.Duration
	kinds := map[FixKind]int{}
	for _, fc := range results {
		if fc.err != nil {
			t.Errorf("%s: %v", fc.name, fc.err)
		}
		if fc.validAsIs {
			valid++
			maxChange = math.Max(maxChange, fc.areaChange)
		}
		if fc.woundAsIs {
			wound++
		}
		if len(fc.fixes) == 0 {
			clean++
		}
		for _, f := range fc.fixes {
			kinds[f.Kind]++
			if f.Kind == FixWinding {
				reversed += f.Count
			}
		}
		rings += fc.rings
		total += fc.repairTime
	}
	var summary []string
	for _, k := range []FixKind{FixDuplicatePoints, FixClosedRing, FixDegenerateRing, FixSelfIntersection, FixOverlap, FixWinding} {
		summary = append(summary, fmt.Sprintf("%s %d", k, kinds[k]))
	}
	t.Logf("%d files: %d OGC-valid as is, %d also wound outer CCW/holes CW, %d needed no fix; files needing each fix: %s; %d of %d rings rewound; largest area change on valid files %.3g; mean Repair time %v (%d workers)",
		len(files), valid, wound, clean, strings.Join(summary, ", "), reversed, rings, maxChange,
		total/time.Duration(len(files)), runtime.GOMAXPROCS(0))
}

// TestRepairDeepStateCorrupted breaks one real file in known ways and checks
// that Repair reports the right fix and restores a valid geometry of nearly
// the same area.
func TestRepairDeepStateCorrupted(t *testing.T) {
	files := deepStateFiles(t)
	orig := readDeepState(t, files[len(files)/2])
	want := planarArea(orig)
	largest := 0
	for i, p := range orig {
		if len(p[0]) > len(orig[largest][0]) {
			largest = i
		}
	}
	for _, tc := range []struct {
		name     string
		corrupt  func(mp orb.MultiPolygon) orb.MultiPolygon
		wantFix  FixKind
		maxDelta float64 // relative area change allowed
	}{
		{"reversed stretch of 7 vertices (self-intersection)", func(mp orb.MultiPolygon) orb.MultiPolygon {
			r := mp[largest][0]
			for a, b := len(r)/2, len(r)/2+6; a < b; a, b = a+1, b-1 {
				r[a], r[b] = r[b], r[a]
			}
			return mp
		}, FixSelfIntersection, 1e-4},
		{"polygon listed twice (overlap)", func(mp orb.MultiPolygon) orb.MultiPolygon {
			return append(mp, mp[largest].Clone())
		}, FixOverlap, 1e-9},
		{"closing points dropped", func(mp orb.MultiPolygon) orb.MultiPolygon {
			for _, p := range mp {
				for j := range p {
					p[j] = p[j][:len(p[j])-1]
				}
			}
			return mp
		}, FixClosedRing, 1e-12},
		{"every vertex doubled", func(mp orb.MultiPolygon) orb.MultiPolygon {
			for _, p := range mp {
				for j, r := range p {
					d := make(orb.Ring, 0, 2*len(r))
					for _, pt := range r {
						d = append(d, pt, pt)
					}
					p[j] = d
				}
			}
			return mp
		}, FixDuplicatePoints, 1e-12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.corrupt(orig.Clone())
			got, fixes, err := Repair(in)
			if err != nil {
				t.Fatalf("Repair: got error %v, want nil", err)
			}
			if err := Validate(got); err != nil {
				t.Errorf("Validate(result): got %v, want nil", err)
			}
			found := false
			for _, f := range fixes {
				found = found || f.Kind == tc.wantFix
			}
			if !found {
				t.Errorf("fixes: got %v, want one of kind %s", fixes, tc.wantFix)
			}
			if d := math.Abs(planarArea(got)-want) / want; d > tc.maxDelta {
				t.Errorf("area change: got %.3g, want <= %.3g", d, tc.maxDelta)
			}
			t.Logf("fixes %v", fixes)
		})
	}
}

// pinnedFile is the day BenchmarkRepairDeepState repairs; the figures below
// pin what Repair makes of it.
const (
	pinnedFile     = "deepstatemap_data_20250620.geojson"
	pinnedPolygons = 10
	pinnedVertices = 3043
	pinnedArea     = 13.4753215112115 // planar, square degrees
)

// TestRepairDeepStatePinned pins the output of the benchmarked repair.
func TestRepairDeepStatePinned(t *testing.T) {
	in := readDeepState(t, filepath.Join(deepStateDir(t), pinnedFile))
	got, fixes, err := Repair(in)
	if err != nil {
		t.Fatalf("Repair: %v", err)
	}
	if len(got) != pinnedPolygons {
		t.Errorf("polygons: got %d, want %d", len(got), pinnedPolygons)
	}
	if n := vertexCount(got); n != pinnedVertices {
		t.Errorf("vertices: got %d, want %d", n, pinnedVertices)
	}
	if a := planarArea(got); !near(a, pinnedArea, 1e-12) {
		t.Errorf("area: got %.15g, want %.15g", a, pinnedArea)
	}
	if len(fixes) != 1 || fixes[0].Kind != FixWinding {
		t.Errorf("fixes: got %v, want only %s", fixes, FixWinding)
	}
}

// BenchmarkRepairDeepState measures Repair on one real day (decoding
// excluded). Run: go test ./geo/ -run '^$' -bench RepairDeepState -benchmem
func BenchmarkRepairDeepState(b *testing.B) {
	in := readDeepState(b, filepath.Join(deepStateDir(b), pinnedFile))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := Repair(in); err != nil {
			b.Fatal(err)
		}
	}
}
