package derive

import (
	"context"
	"fmt"
	"slices"

	"github.com/paulmach/orb"

	"github.com/frontlinemap/frontline/data"
	"github.com/frontlinemap/frontline/geo/scenario"
)

// ChangeRow holds the movement of the line in one oblast (or the total)
// between two dates, in km2 on the WGS84 ellipsoid. Gained is land Russia
// took, Lost land it lost; NetKm2 = GainedKm2 - LostKm2.
type ChangeRow struct {
	ISO               string  `json:"iso"`
	Name              string  `json:"name"`
	TotalKm2          float64 `json:"total_km2"`
	OccupiedFromKm2   float64 `json:"occupied_from_km2"`
	OccupiedToKm2     float64 `json:"occupied_to_km2"`
	GainedKm2         float64 `json:"gained_km2"`
	LostKm2           float64 `json:"lost_km2"`
	NetKm2            float64 `json:"net_km2"`
	AbsorbedGainedKm2 float64 `json:"absorbed_gained_km2"`
	AbsorbedLostKm2   float64 `json:"absorbed_lost_km2"`
}

// ChangeResult is the movement of the line between two stored lines.
type ChangeResult struct {
	From             LineInfo    `json:"from"`
	To               LineInfo    `json:"to"`
	SliverToleranceM float64     `json:"sliver_tolerance_m"`
	Oblasts          []ChangeRow `json:"oblasts"`
	Total            ChangeRow   `json:"total"`
}

// Change compares the lines in force on from and to (nearest earlier lines
// when a date has none).
func (s *Service) Change(ctx context.Context, from, to data.Date) (*ChangeResult, error) {
	res, _, err := s.change(ctx, from, to, false)
	return res, err
}

// ChangeLayer returns one layer (see ChangeLayers) of the change between two dates.
func (s *Service) ChangeLayer(ctx context.Context, from, to data.Date, layer string) (orb.Geometry, *ChangeResult, error) {
	if !slices.Contains(ChangeLayers, layer) {
		return nil, nil, fmt.Errorf("%w: unknown layer %q (want one of %v)", data.ErrInvalid, layer, ChangeLayers)
	}
	res, layers, err := s.change(ctx, from, to, true)
	if err != nil {
		return nil, nil, err
	}
	return layers[layer], res, nil
}

func (s *Service) change(ctx context.Context, from, to data.Date, withLayers bool) (*ChangeResult, map[string]orb.Geometry, error) {
	if from == "" || to == "" {
		return nil, nil, fmt.Errorf("%w: a change needs both dates (from and to)", data.ErrInvalid)
	}
	if from > to {
		return nil, nil, fmt.Errorf("%w: from %s is after to %s", data.ErrInvalid, from, to)
	}
	s1, err := s.db.ResolveSnapshot(ctx, from)
	if err != nil {
		return nil, nil, err
	}
	s2, err := s.db.ResolveSnapshot(ctx, to)
	if err != nil {
		return nil, nil, err
	}
	return cached(ctx, s, "change", s2.ID, s1.ID, withLayers, func() (*ChangeResult, map[string]orb.Geometry, error) {
		return s.compare(ctx, s1, s2)
	})
}

func (s *Service) compare(ctx context.Context, s1, s2 data.SnapshotInfo) (*ChangeResult, map[string]orb.Geometry, error) {
	in, err := s.load(ctx)
	if err != nil {
		return nil, nil, err
	}
	c1, err := s.db.SnapshotGeometry(ctx, s1.ID)
	if err != nil {
		return nil, nil, err
	}
	c2, err := s.db.SnapshotGeometry(ctx, s2.ID)
	if err != nil {
		return nil, nil, err
	}
	ch, err := scenario.Compare(c1, c2, in.env, in.outline, s.opt)
	if err != nil {
		return nil, nil, fmt.Errorf("change %s..%s: %w", s1.Date, s2.Date, err)
	}
	occ1, err := s.occupied(ctx, in, s1, c1)
	if err != nil {
		return nil, nil, err
	}
	occ2, err := s.occupied(ctx, in, s2, c2)
	if err != nil {
		return nil, nil, err
	}
	byLayer, err := areasByUnit(in, map[string]orb.MultiPolygon{
		LayerGained: ch.Gained, LayerLost: ch.Lost, LayerAbsorbedGained: ch.AbsorbedGained, LayerAbsorbedLost: ch.AbsorbedLost,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("change %s..%s: %w", s1.Date, s2.Date, err)
	}
	res := &ChangeResult{From: lineInfo(s1), To: lineInfo(s2), SliverToleranceM: s.opt.SliverToleranceM,
		Oblasts: []ChangeRow{}, Total: ChangeRow{ISO: TotalISO, Name: "Ukraine"}}
	for _, code := range in.codes {
		r := ChangeRow{
			ISO: code, Name: in.names[code], TotalKm2: in.totals[code],
			OccupiedFromKm2: occ1[code], OccupiedToKm2: occ2[code],
			GainedKm2: byLayer[LayerGained][code], LostKm2: byLayer[LayerLost][code],
			AbsorbedGainedKm2: byLayer[LayerAbsorbedGained][code], AbsorbedLostKm2: byLayer[LayerAbsorbedLost][code],
		}
		r.NetKm2 = r.GainedKm2 - r.LostKm2
		res.Total.add(r)
		if r.OccupiedFromKm2 > 0 || r.OccupiedToKm2 > 0 || r.GainedKm2 > 0 || r.LostKm2 > 0 {
			res.Oblasts = append(res.Oblasts, r)
		}
	}
	layers := map[string]orb.Geometry{
		LayerGained: clipped(ch.Gained), LayerLost: clipped(ch.Lost),
		LayerAbsorbedGained: clipped(ch.AbsorbedGained), LayerAbsorbedLost: clipped(ch.AbsorbedLost),
	}
	return res, layers, nil
}

func (t *ChangeRow) add(r ChangeRow) {
	t.TotalKm2 += r.TotalKm2
	t.OccupiedFromKm2 += r.OccupiedFromKm2
	t.OccupiedToKm2 += r.OccupiedToKm2
	t.GainedKm2 += r.GainedKm2
	t.LostKm2 += r.LostKm2
	t.NetKm2 += r.NetKm2
	t.AbsorbedGainedKm2 += r.AbsorbedGainedKm2
	t.AbsorbedLostKm2 += r.AbsorbedLostKm2
}
