// Package derive evaluates scenarios and changes between dates over the
// stored data, and keeps the results in the store's caches so that each is
// computed once per input: the figures a newsroom quotes (km2 per oblast) and
// the layers the map draws.
package derive

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"sync"

	"github.com/paulmach/orb"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/singleflight"

	"github.com/frontlinemap/frontline/data"
	"github.com/frontlinemap/frontline/data/sqlite"
	"github.com/frontlinemap/frontline/geo"
	"github.com/frontlinemap/frontline/geo/scenario"
)

// Layer names of a scenario outcome and of a change, as stored and served.
const (
	LayerControl           = "control"
	LayerRussia            = "russia"
	LayerToRussia          = "to_russia"
	LayerToUkraine         = "to_ukraine"
	LayerAbsorbedToRussia  = "absorbed_to_russia"
	LayerAbsorbedToUkraine = "absorbed_to_ukraine"
	LayerLine              = "line"
	LayerGained            = "gained"
	LayerLost              = "lost"
	LayerAbsorbedGained    = "absorbed_gained"
	LayerAbsorbedLost      = "absorbed_lost"
)

// ScenarioLayers and ChangeLayers list the layers in a fixed order.
var (
	ScenarioLayers = []string{LayerControl, LayerRussia, LayerToRussia, LayerToUkraine, LayerAbsorbedToRussia, LayerAbsorbedToUkraine, LayerLine}
	ChangeLayers   = []string{LayerGained, LayerLost, LayerAbsorbedGained, LayerAbsorbedLost}
)

// TotalISO is the code of the total row.
const TotalISO = "UA"

// Service computes and caches derived results. It is safe for concurrent use.
type Service struct {
	db     *sqlite.DB
	opt    scenario.Options
	flight singleflight.Group

	mu     sync.Mutex
	inputs *inputs // rebuilt when the stored boundaries change
}

// New returns a Service over db; zero options mean the documented defaults
// (slivers within 2 km of Ukraine's outline absorbed, line tolerance 500 m).
func New(db *sqlite.DB, opt scenario.Options) *Service {
	if opt.SliverToleranceM == 0 {
		opt.SliverToleranceM = geo.DefaultSliverToleranceM
	}
	if opt.LineToleranceM == 0 {
		opt.LineToleranceM = 500
	}
	return &Service{db: db, opt: opt}
}

// SliverToleranceM is the distance from Ukraine's outline within which thin
// transfers are absorbed as source disagreements.
func (s *Service) SliverToleranceM() float64 { return s.opt.SliverToleranceM }

// inputs are the boundary-derived inputs shared by every evaluation.
type inputs struct {
	version string // sqlite.DB.BoundariesVersion they were built from
	env     scenario.Env
	outline *geo.Outline
	index   *geo.UnitIndex
	names   map[string]string  // ISO -> English name
	totals  map[string]float64 // ISO -> km2
	codes   []string           // sorted
}

// load returns the boundary inputs (units, Ukraine's outline, the unit
// index), rebuilt only when the stored boundaries change: importing a line
// of control leaves them as they are.
func (s *Service) load(ctx context.Context) (*inputs, error) {
	version, err := s.db.BoundariesVersion(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	in := s.inputs
	s.mu.Unlock()
	if in != nil && in.version == version {
		return in, nil
	}
	v, err, _ := s.flight.Do("inputs:"+version, func() (any, error) {
		units, err := s.db.Boundaries(ctx, data.KindAdmin1)
		if err != nil {
			return nil, err
		}
		if len(units) == 0 {
			return nil, fmt.Errorf("no Ukrainian units are stored: %w", data.ErrNotFound)
		}
		in := &inputs{version: version, env: scenario.Env{Units: map[string]orb.MultiPolygon{}},
			names: map[string]string{}, totals: map[string]float64{}}
		all := make([]orb.MultiPolygon, 0, len(units))
		for _, u := range units {
			in.env.Units[u.ISO] = u.Geometry
			in.names[u.ISO] = u.NameEN
			in.totals[u.ISO] = geo.AreaKm2(u.Geometry)
			in.codes = append(in.codes, u.ISO)
			all = append(all, u.Geometry)
		}
		sort.Strings(in.codes)
		if in.env.Ukraine, err = geo.Union(all...); err != nil {
			return nil, fmt.Errorf("outline of Ukraine: %w", err)
		}
		in.outline = geo.NewOutline(in.env.Ukraine)
		in.index = geo.NewUnitIndex(in.env.Units)
		s.mu.Lock()
		s.inputs = in
		s.mu.Unlock()
		return in, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*inputs), nil
}

// LineInfo says which stored line a result used.
type LineInfo struct {
	Date        data.Date `json:"date"`
	Source      string    `json:"source"`
	Approximate bool      `json:"approximate"`
	Note        string    `json:"note,omitempty"`
}

func lineInfo(s data.SnapshotInfo) LineInfo {
	return LineInfo{Date: s.Date, Source: s.Source, Approximate: s.Approximate, Note: s.Note}
}

// occupied returns the occupied km2 per unit of a line, from the cache or computed and cached.
func (s *Service) occupied(ctx context.Context, in *inputs, snap data.SnapshotInfo, control orb.MultiPolygon) (map[string]float64, error) {
	if km2, ok, err := s.db.Occupied(ctx, snap.ID); err != nil || ok {
		return km2, err
	}
	v, err, _ := s.flight.Do("occupied:"+strconv.FormatInt(snap.ID, 10), func() (any, error) {
		if control == nil {
			var err error
			if control, err = s.db.SnapshotGeometry(ctx, snap.ID); err != nil {
				return nil, err
			}
		}
		km2, err := in.index.AreaKm2(control)
		if err != nil {
			return nil, fmt.Errorf("occupied area on %s: %w", snap.Date, err)
		}
		if err := s.db.PutOccupied(ctx, snap.ID, km2); err != nil {
			return nil, err
		}
		return km2, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(map[string]float64), nil
}

// SeriesPoint is the occupied area of one unit (or all of Ukraine) on one date.
type SeriesPoint struct {
	Date        data.Date `json:"date"`
	Source      string    `json:"source"`
	Approximate bool      `json:"approximate"`
	OccupiedKm2 float64   `json:"occupied_km2"`
}

// Series returns the occupied km2 of unit iso (TotalISO or "" for all of
// Ukraine) for every stored line from..to (empty bounds are open), computing
// missing figures on all cores and caching them.
func (s *Service) Series(ctx context.Context, iso string, from, to data.Date) ([]SeriesPoint, error) {
	in, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	if iso == "" {
		iso = TotalISO
	}
	if _, ok := in.names[iso]; !ok && iso != TotalISO {
		return nil, fmt.Errorf("%w: unknown oblast %q", data.ErrInvalid, iso)
	}
	all, err := s.db.Dates(ctx)
	if err != nil {
		return nil, err
	}
	var snaps []data.SnapshotInfo
	for _, d := range all {
		if (from == "" || d.Date >= from) && (to == "" || d.Date <= to) {
			snaps = append(snaps, d)
		}
	}
	occupied := make([]map[string]float64, len(snaps))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for start := 0; start < len(snaps); start += chainLength {
		end := min(start+chainLength, len(snaps))
		g.Go(func() error { return s.occupiedChain(gctx, in, snaps[start:end], occupied[start:end]) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	points := make([]SeriesPoint, len(snaps))
	for i, snap := range snaps {
		v := occupied[i][iso]
		if iso == TotalISO {
			v = 0
			for _, code := range in.codes {
				v += occupied[i][code]
			}
		}
		points[i] = SeriesPoint{Date: snap.Date, Source: snap.Source, Approximate: snap.Approximate, OccupiedKm2: v}
	}
	return points, nil
}

// chainLength is how many consecutive lines occupiedChain derives from one
// directly measured line. Consecutive daily lines differ little, so adding
// what was gained and taking away what was lost costs about a third of
// measuring each line against every oblast; the direct measurement at the
// head of every chain keeps the rounding of the steps (about 1e-5 km2 per
// step on the daily DeepStateMap lines) from adding up.
const chainLength = 30

// occupiedChain fills out[i] with the occupied km2 per unit of snaps[i],
// from the cache, by direct measurement for the first line not cached, and
// then step by step from the line before.
func (s *Service) occupiedChain(ctx context.Context, in *inputs, snaps []data.SnapshotInfo, out []map[string]float64) error {
	var prev orb.MultiPolygon // geometry of snaps[i-1], when loaded
	for i, snap := range snaps {
		km2, ok, err := s.db.Occupied(ctx, snap.ID)
		if err != nil {
			return err
		}
		if ok {
			out[i], prev = km2, nil
			continue
		}
		control, err := s.db.SnapshotGeometry(ctx, snap.ID)
		if err != nil {
			return err
		}
		if i == 0 || out[i-1] == nil {
			if out[i], err = s.occupied(ctx, in, snap, control); err != nil {
				return err
			}
			prev = control
			continue
		}
		if prev == nil {
			if prev, err = s.db.SnapshotGeometry(ctx, snaps[i-1].ID); err != nil {
				return err
			}
		}
		if out[i], err = stepOccupied(in, out[i-1], prev, control); err != nil {
			return fmt.Errorf("occupied area on %s: %w", snap.Date, err)
		}
		if err := s.db.PutOccupied(ctx, snap.ID, out[i]); err != nil {
			return err
		}
		prev = control
	}
	return nil
}

// stepOccupied derives the occupied km2 per unit of line c2 from that of the
// line c1 before it: add what was gained, take away what was lost.
func stepOccupied(in *inputs, occ1 map[string]float64, c1, c2 orb.MultiPolygon) (map[string]float64, error) {
	gained, err := geo.Difference(c2, c1)
	if err != nil {
		return nil, err
	}
	lost, err := geo.Difference(c1, c2)
	if err != nil {
		return nil, err
	}
	plus, err := in.index.AreaKm2(gained)
	if err != nil {
		return nil, err
	}
	minus, err := in.index.AreaKm2(lost)
	if err != nil {
		return nil, err
	}
	out := make(map[string]float64, len(occ1)+len(plus))
	for code, v := range occ1 {
		out[code] = v
	}
	for code, v := range plus {
		out[code] += v
	}
	for code, v := range minus {
		out[code] -= v
	}
	for code, v := range out {
		// A unit the line left entirely can end a hair below zero.
		if v < 1e-9 {
			delete(out, code)
		}
	}
	return out, nil
}

// areasByUnit measures the km2 of each layer in each unit, the layers in
// parallel (each is independent and most of a scenario's cost).
func areasByUnit(in *inputs, layers map[string]orb.MultiPolygon) (map[string]map[string]float64, error) {
	var (
		mu  sync.Mutex
		out = make(map[string]map[string]float64, len(layers))
		g   errgroup.Group
	)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for name, mp := range layers {
		g.Go(func() error {
			km2, err := in.index.AreaKm2(mp)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			mu.Lock()
			out[name] = km2
			mu.Unlock()
			return nil
		})
	}
	return out, g.Wait()
}

// cached returns the result key of a line (and, for changes, an earlier
// line otherID) from the store's cache, or computes it once for all
// concurrent callers and caches it. Layers are read from the cache only when
// withLayers is true; a fresh computation always has them.
func cached[T any](ctx context.Context, s *Service, key string, snapshotID, otherID int64, withLayers bool,
	compute func() (*T, map[string]orb.Geometry, error)) (*T, map[string]orb.Geometry, error) {
	if d, ok, err := s.db.Derived(ctx, key, snapshotID, otherID, withLayers); err != nil {
		return nil, nil, err
	} else if ok {
		res := new(T)
		if err := json.Unmarshal(d.JSON, res); err != nil {
			return nil, nil, fmt.Errorf("cached %s: %w", key, err)
		}
		return res, d.Layers, nil
	}
	type computed struct {
		res    *T
		layers map[string]orb.Geometry
	}
	v, err, _ := s.flight.Do(fmt.Sprintf("%s@%d-%d", key, snapshotID, otherID), func() (any, error) {
		res, layers, err := compute()
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(res)
		if err != nil {
			return nil, err
		}
		if err := s.db.PutDerived(ctx, key, snapshotID, otherID, sqlite.Derived{JSON: b, Layers: layers}); err != nil {
			return nil, err
		}
		return computed{res, layers}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	c := v.(computed)
	return c.res, c.layers, nil
}
