package derive

import (
	"context"
	"fmt"
	"slices"

	"github.com/paulmach/orb"

	"github.com/frontlinemap/frontline/data"
	"github.com/frontlinemap/frontline/geo/scenario"
)

// Row holds the figures of one oblast (or the total) under a scenario, in km2
// on the WGS84 ellipsoid.
//
// RussiaAfterKm2 = OccupiedKm2 + ToRussiaKm2 - ToUkraineKm2
// + AbsorbedToRussiaKm2 - AbsorbedToUkraineKm2: the absorbed slivers are
// source disagreements along the border and coast, not transfers, but they
// are part of the area held after the deal.
type Row struct {
	ISO                  string  `json:"iso"`
	Name                 string  `json:"name"`
	TotalKm2             float64 `json:"total_km2"`
	OccupiedKm2          float64 `json:"occupied_km2"`
	ToRussiaKm2          float64 `json:"to_russia_km2"`
	ToUkraineKm2         float64 `json:"to_ukraine_km2"`
	RussiaAfterKm2       float64 `json:"russia_after_km2"`
	AbsorbedToRussiaKm2  float64 `json:"absorbed_to_russia_km2"`
	AbsorbedToUkraineKm2 float64 `json:"absorbed_to_ukraine_km2"`
}

// ScenarioResult is a scenario evaluated on one line of control.
type ScenarioResult struct {
	Scenario         data.Scenario `json:"scenario"`
	RequestedDate    data.Date     `json:"requested_date,omitempty"`
	AsOf             data.Date     `json:"as_of"` // the date of the line used: the requested one or the nearest earlier
	Line             LineInfo      `json:"line"`
	SliverToleranceM float64       `json:"sliver_tolerance_m"`
	Oblasts          []Row         `json:"oblasts"` // the units with any non-zero figure, by ISO code
	Total            Row           `json:"total"`   // all 27 units; ISO "UA"
}

// Scenario evaluates scenario id on the line in force on date (empty: the
// latest), from the cache when it holds the result.
func (s *Service) Scenario(ctx context.Context, id string, date data.Date) (*ScenarioResult, error) {
	res, _, err := s.scenario(ctx, id, date, false)
	return res, err
}

// ScenarioLayer returns one layer (see ScenarioLayers) of scenario id on the
// line in force on date, with the figures it belongs to.
func (s *Service) ScenarioLayer(ctx context.Context, id string, date data.Date, layer string) (orb.Geometry, *ScenarioResult, error) {
	if !slices.Contains(ScenarioLayers, layer) {
		return nil, nil, fmt.Errorf("%w: unknown layer %q (want one of %v)", data.ErrInvalid, layer, ScenarioLayers)
	}
	res, layers, err := s.scenario(ctx, id, date, true)
	if err != nil {
		return nil, nil, err
	}
	return layers[layer], res, nil
}

func (s *Service) scenario(ctx context.Context, id string, date data.Date, withLayers bool) (*ScenarioResult, map[string]orb.Geometry, error) {
	sc, err := s.db.Scenario(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	snap, err := s.db.ResolveSnapshot(ctx, date)
	if err != nil {
		return nil, nil, err
	}
	res, layers, err := cached(ctx, s, "scenario:"+id, snap.ID, 0, withLayers, func() (*ScenarioResult, map[string]orb.Geometry, error) {
		return s.evaluate(ctx, sc, snap)
	})
	if err != nil {
		return nil, nil, err
	}
	out := *res // the cached value is shared; the requested date is this caller's
	out.RequestedDate = date
	return &out, layers, nil
}

// evaluate computes a scenario's outcome and its figures per oblast.
func (s *Service) evaluate(ctx context.Context, sc data.Scenario, snap data.SnapshotInfo) (*ScenarioResult, map[string]orb.Geometry, error) {
	rule, err := scenario.Parse(sc.Rule)
	if err != nil {
		return nil, nil, fmt.Errorf("scenario %s: %w", sc.ID, err)
	}
	in, err := s.load(ctx)
	if err != nil {
		return nil, nil, err
	}
	control, err := s.db.SnapshotGeometry(ctx, snap.ID)
	if err != nil {
		return nil, nil, err
	}
	env := in.env
	env.Control = control
	out, err := scenario.Evaluate(rule, env, in.outline, s.opt)
	if err != nil {
		return nil, nil, fmt.Errorf("scenario %s on %s: %w", sc.ID, snap.Date, err)
	}
	occupied, err := s.occupied(ctx, in, snap, control)
	if err != nil {
		return nil, nil, err
	}
	byLayer, err := areasByUnit(in, map[string]orb.MultiPolygon{
		LayerToRussia: out.ToRussia, LayerToUkraine: out.ToUkraine,
		LayerAbsorbedToRussia: out.AbsorbedToRussia, LayerAbsorbedToUkraine: out.AbsorbedToUkraine,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("scenario %s on %s: %w", sc.ID, snap.Date, err)
	}
	res := &ScenarioResult{Scenario: sc, AsOf: snap.Date, Line: lineInfo(snap), SliverToleranceM: s.opt.SliverToleranceM,
		Oblasts: []Row{}, Total: Row{ISO: TotalISO, Name: "Ukraine"}}
	for _, code := range in.codes {
		r := Row{
			ISO: code, Name: in.names[code], TotalKm2: in.totals[code], OccupiedKm2: occupied[code],
			ToRussiaKm2: byLayer[LayerToRussia][code], ToUkraineKm2: byLayer[LayerToUkraine][code],
			AbsorbedToRussiaKm2: byLayer[LayerAbsorbedToRussia][code], AbsorbedToUkraineKm2: byLayer[LayerAbsorbedToUkraine][code],
		}
		r.RussiaAfterKm2 = max(0, r.OccupiedKm2+r.ToRussiaKm2-r.ToUkraineKm2+r.AbsorbedToRussiaKm2-r.AbsorbedToUkraineKm2)
		res.Total.add(r)
		if r.OccupiedKm2 > 0 || r.ToRussiaKm2 > 0 || r.ToUkraineKm2 > 0 || r.RussiaAfterKm2 > 0 {
			res.Oblasts = append(res.Oblasts, r)
		}
	}
	layers := map[string]orb.Geometry{
		LayerControl: clipped(out.Control), LayerRussia: clipped(out.Russia), LayerToRussia: clipped(out.ToRussia),
		LayerToUkraine: clipped(out.ToUkraine), LayerAbsorbedToRussia: clipped(out.AbsorbedToRussia),
		LayerAbsorbedToUkraine: clipped(out.AbsorbedToUkraine), LayerLine: lines(out.Line),
	}
	return res, layers, nil
}

// clipped returns mp, or an empty MultiPolygon for nil so that it encodes.
func clipped(mp orb.MultiPolygon) orb.MultiPolygon {
	if mp == nil {
		return orb.MultiPolygon{}
	}
	return mp
}

// lines returns ml, or an empty MultiLineString for nil so that it encodes.
func lines(ml orb.MultiLineString) orb.MultiLineString {
	if ml == nil {
		return orb.MultiLineString{}
	}
	return ml
}

func (t *Row) add(r Row) {
	t.TotalKm2 += r.TotalKm2
	t.OccupiedKm2 += r.OccupiedKm2
	t.ToRussiaKm2 += r.ToRussiaKm2
	t.ToUkraineKm2 += r.ToUkraineKm2
	t.RussiaAfterKm2 += r.RussiaAfterKm2
	t.AbsorbedToRussiaKm2 += r.AbsorbedToRussiaKm2
	t.AbsorbedToUkraineKm2 += r.AbsorbedToUkraineKm2
}
