package staticmap

import (
	"fmt"
	"image/color"
	"math"

	"github.com/paulmach/orb"

	"github.com/frontlinemap/frontline/tiles"
)

// LegendEntry is one row of a legend: what a layer means and how the style
// paints it, read from the same tiles.Style the tiles are drawn with.
type LegendEntry struct {
	ID     string      `json:"id"` // layer name, or claimed-oblasts
	Label  string      `json:"label"`
	Kind   string      `json:"kind"` // fill, hatch or line: how the swatch is drawn
	Fill   *PaintJSON  `json:"fill,omitempty"`
	Hatch  *HatchJSON  `json:"hatch,omitempty"`
	Stroke *StrokeJSON `json:"stroke,omitempty"`
	style  tiles.LayerStyle
}

// PaintJSON is a colour (#rrggbb) with its opacity.
type PaintJSON struct {
	Color   string  `json:"color"`
	Opacity float64 `json:"opacity"`
}

// HatchJSON describes a hatch: parallel lines (two sets when Cross).
type HatchJSON struct {
	PaintJSON
	AngleDeg  float64 `json:"angle_deg"`
	SpacingPx float64 `json:"spacing_px"`
	WidthPx   float64 `json:"width_px"`
	Cross     bool    `json:"cross"`
}

// StrokeJSON describes a line: its width in CSS pixels at LegendZoom and
// the zoom stops it is interpolated between.
type StrokeJSON struct {
	PaintJSON
	WidthPx    float64      `json:"width_px"`
	WidthStops [][2]float64 `json:"width_stops"` // [zoom, px]
}

// LegendZoom is the zoom at which a legend reports line widths: about
// the four oblasts filling a phone screen.
const LegendZoom = 6

// legendRow names one legend row: the style entry it shows.
type legendRow struct {
	id, layer, label string
	claimed          bool // the emphasised oblast border (filtered entry)
}

var claimedRow = legendRow{"claimed-oblasts", "oblasts", "Oblasts Russia claims in full (border)", true}

// legendRows lists, per tileset kind, the rows of its legend in order.
var legendRows = map[string][]legendRow{
	"base": {
		{"oblasts", "oblasts", "Ukraine (oblasts)", false},
		{"countries", "countries", "Neighbouring countries", false},
		claimedRow,
	},
	"control": {
		{"control", "control", "Held by Russia", false},
		{"line", "line", "Line of contact", false},
		claimedRow,
	},
	"diff": {
		{"gained", "gained", "Taken by Russia", false},
		{"lost", "lost", "Retaken by Ukraine", false},
		claimedRow,
	},
	"scenario": {
		{"russia", "russia", "Held by Russia after the deal", false},
		{"to_russia", "to_russia", "Ukraine would cede", false},
		{"to_ukraine", "to_ukraine", "Russia would return", false},
		{"line", "line", "Line of contact after the deal", false},
		{"current_line", "current_line", "Line of contact today", false},
		claimedRow,
	},
}

// Legend returns the legend of a tileset kind (base, control, diff or
// scenario) as st paints it.
func Legend(st tiles.Style, kind string) ([]LegendEntry, error) {
	rows, ok := legendRows[kind]
	if !ok {
		return nil, fmt.Errorf("%w: no legend for tileset kind %q (want base, control, diff or scenario)", ErrInvalid, kind)
	}
	var out []LegendEntry
	for _, r := range rows {
		ls, ok := findEntry(st, r)
		if !ok {
			continue
		}
		e := LegendEntry{ID: r.id, Label: r.label, style: ls}
		if ls.Fill.Opacity > 0 && ls.Fill.Color.A > 0 {
			e.Fill = &PaintJSON{hexColor(ls.Fill.Color), ls.Fill.Opacity}
			e.Kind = "fill"
		}
		if h := ls.Hatch; h.SpacingPx > 0 && h.WidthPx > 0 {
			e.Hatch = &HatchJSON{PaintJSON{hexColor(h.Paint.Color), h.Paint.Opacity}, h.AngleDeg, h.SpacingPx, h.WidthPx, h.Cross}
			e.Kind = "hatch"
		}
		if s := ls.Stroke; len(s.Width) > 0 && s.Paint.Opacity > 0 {
			sj := &StrokeJSON{PaintJSON: PaintJSON{hexColor(s.Paint.Color), s.Paint.Opacity}, WidthPx: round3(s.Width.At(LegendZoom))}
			for _, st := range s.Width {
				sj.WidthStops = append(sj.WidthStops, [2]float64{st.Zoom, st.Value})
			}
			e.Stroke = sj
			if e.Kind == "" {
				e.Kind = "line"
			}
		}
		if e.Kind != "" {
			out = append(out, e)
		}
	}
	return out, nil
}

func findEntry(st tiles.Style, r legendRow) (tiles.LayerStyle, bool) {
	for _, ls := range st.Layers {
		if ls.Layer == r.layer && (ls.Filter.Key != "") == r.claimed {
			if r.claimed {
				ls.Fill, ls.Hatch = tiles.Paint{}, tiles.Hatch{}
			}
			return ls, true
		}
	}
	return tiles.LayerStyle{}, false
}

func hexColor(c color.NRGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// swatchGeometry is the shape a legend swatch paints in the box b (device
// pixels): the box for areas, a line through its middle for lines.
func (e LegendEntry) swatchGeometry(b orb.Bound) orb.Geometry {
	if e.Kind == "line" {
		y := (b.Min[1] + b.Max[1]) / 2
		return orb.LineString{{b.Min[0] + 1, y}, {b.Max[0] - 1, y}}
	}
	return b.ToPolygon()
}

// swatchStyle is the entry's style for drawing a swatch as layer name,
// for every feature at every zoom.
func (e LegendEntry) swatchStyle(name string) tiles.LayerStyle {
	ls := e.style
	ls.Layer, ls.Filter, ls.MinZoom, ls.MaxZoom = name, tiles.Filter{}, 0, 0
	ls.Label, ls.Symbol = tiles.Label{}, tiles.Symbol{}
	return ls
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
