package tiles

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
)

// Style says how Render paints layers: a background colour and an ordered
// list of layer styles. It is a plain value: build it once (DefaultStyle)
// and share it; Render never modifies it.
type Style struct {
	// Background fills the whole image before anything else; the zero
	// value leaves it transparent, as overlay tiles must be.
	Background color.NRGBA
	// Layers are painted in this order (fills, hatches, strokes and point
	// symbols first; then, after every layer, all labels in the same
	// order). Several entries may name the same layer, with different
	// filters or zooms; a layer that no entry names is not drawn.
	Layers []LayerStyle
}

// LayerStyle paints the features of one named layer that match Filter, at
// zooms MinZoom..MaxZoom. Each part is optional: its zero value paints
// nothing.
type LayerStyle struct {
	// Layer is the name of the Layer painted.
	Layer string
	// Filter selects features by a property; the zero value selects all.
	Filter Filter
	// MinZoom and MaxZoom bound the zooms at which the entry paints;
	// MaxZoom 0 means no upper bound.
	MinZoom, MaxZoom int
	// Fill paints polygons.
	Fill Paint
	// Hatch paints parallel lines over polygons, after Fill.
	Hatch Hatch
	// Stroke paints lines and polygon outlines, after Fill and Hatch.
	Stroke Stroke
	// Symbol paints a circle at each point.
	Symbol Symbol
	// Label writes a property's text beside each point, after every
	// layer's fills, strokes and symbols.
	Label Label
}

// Filter selects features whose property Key, formatted as text (1 and
// 1.0 both read "1"), is one of Values. The zero Filter selects every
// feature; a Key with no Values selects none.
type Filter struct {
	Key    string
	Values []string
}

// Match reports whether the properties pass the filter.
func (f Filter) Match(props map[string]any) bool {
	if f.Key == "" {
		return true
	}
	v, ok := props[f.Key]
	if !ok {
		return false
	}
	s := propertyText(v)
	for _, want := range f.Values {
		if s == want {
			return true
		}
	}
	return false
}

// propertyText formats a property value as text: strings as they are,
// integral numbers without a decimal point, other values with fmt.
func propertyText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e15 {
			return strconv.FormatInt(int64(v), 10)
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	case float32:
		return propertyText(float64(v))
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// Paint is a colour with an opacity (0..1) that multiplies its alpha. The
// zero Paint, like any Paint with Opacity 0, paints nothing.
type Paint struct {
	Color   color.NRGBA
	Opacity float64
}

// alpha returns the paint's effective alpha, 0..255.
func (p Paint) alpha() uint32 {
	a := float64(p.Color.A) * p.Opacity
	switch {
	case !(a > 0):
		return 0
	case a >= 255:
		return 255
	}
	return uint32(a + 0.5)
}

// Hatch paints parallel lines, anchored to the world's pixel grid so that
// the pattern runs on unbroken across tile edges, clipped to the polygons
// of the layer. Sizes are CSS pixels (doubled on @2x tiles).
type Hatch struct {
	Paint Paint
	// AngleDeg is the lines' direction in degrees anticlockwise from east
	// as seen on the map: 45 draws "/", -45 draws "\", 0 horizontal.
	AngleDeg float64
	// SpacingPx is the distance between neighbouring lines, centre to
	// centre; zero draws no hatch.
	SpacingPx float64
	// WidthPx is each line's width.
	WidthPx float64
	// Cross adds a second set of lines at right angles (a cross-hatch).
	Cross bool
}

// Stroke paints lines and polygon outlines with round joins and caps.
type Stroke struct {
	Paint Paint
	// Width is the line width in CSS pixels as a function of zoom; an
	// empty Ramp paints no stroke.
	Width Ramp
	// DashPx alternates dash and gap lengths in CSS pixels; empty draws a
	// solid line. The pattern restarts at the start of every line piece a
	// tile holds, so dashes may not meet exactly at tile edges:
	// DefaultStyle draws no dashed lines.
	DashPx []float64
}

// Symbol paints a circle at each point: Fill inside, an Outline ring of
// OutlinePx around it. Sizes are CSS pixels.
type Symbol struct {
	// RadiusPx is the circle's radius; zero draws no symbol.
	RadiusPx  float64
	Fill      color.NRGBA
	Outline   color.NRGBA
	OutlinePx float64
}

// Label writes the text of a point's property to the right of the point,
// vertically centred on it, in Go Regular or Go Bold with a halo. Sizes
// are CSS pixels.
type Label struct {
	// Property holds the text; empty means "name_en".
	Property string
	// SizePx is the font size (the em); zero writes no label.
	SizePx float64
	Bold   bool
	Color  color.NRGBA
	// Halo is painted HaloPx around the glyphs, under them, so that text
	// stays legible over fills and lines.
	Halo   color.NRGBA
	HaloPx float64
	// OffsetPx is the gap between the point and the text's left edge.
	OffsetPx float64
}

// Stop is one point of a Ramp: Value at zoom Zoom.
type Stop struct {
	Zoom, Value float64
}

// Ramp is a value that varies with zoom: linear between its stops (sorted
// by Zoom), constant before the first and after the last. An empty Ramp
// is zero at every zoom.
type Ramp []Stop

// Const returns a Ramp that is v at every zoom.
func Const(v float64) Ramp { return Ramp{{Zoom: 0, Value: v}} }

// At returns the ramp's value at zoom z.
func (r Ramp) At(z float64) float64 {
	if len(r) == 0 {
		return 0
	}
	if z <= r[0].Zoom {
		return r[0].Value
	}
	for i := 1; i < len(r); i++ {
		if z <= r[i].Zoom {
			a, b := r[i-1], r[i]
			if b.Zoom == a.Zoom {
				return b.Value
			}
			return a.Value + (b.Value-a.Value)*(z-a.Zoom)/(b.Zoom-a.Zoom)
		}
	}
	return r[len(r)-1].Value
}

// visible reports whether the entry paints at zoom z.
func (ls *LayerStyle) visible(z int) bool {
	return z >= ls.MinZoom && (ls.MaxZoom == 0 || z <= ls.MaxZoom)
}

// FourOblasts are the ISO 3166-2 codes of the four oblasts that Russia
// claims in full (Donetsk, Luhansk, Zaporizhzhia, Kherson), the ones the
// proposals are about: DefaultStyle draws their border thicker and darker,
// and exports and "auto" views default to their area.
var FourOblasts = [...]string{"UA-14", "UA-09", "UA-23", "UA-65"}

// Palette is the set of colours DefaultStyle paints with. Overlay colours
// come from the Okabe-Ito palette (vermillion for Russian-held land, blue
// for land returned to Ukraine), which stays distinct in protanopia,
// deuteranopia and tritanopia; see tiles/STYLE.md for every value and why.
type Palette struct {
	Sea                       color.NRGBA // background layer, and the Background of a basemap image
	Neighbour, NeighbourEdge  color.NRGBA // countries
	Oblast, OblastEdge        color.NRGBA // oblasts
	Emphasis                  color.NRGBA // border of the four claimed oblasts
	Russian, RussianLine      color.NRGBA // control fill, line of contact, russia fill, to_russia hatch
	Returned                  color.NRGBA // to_ukraine hatch and lost fill (land back to Ukraine)
	Current                   color.NRGBA // current_line (today's line for reference)
	Gained, Lost              color.NRGBA // diff: land Russia took, land Russia lost
	City, CityOutline         color.NRGBA // city dots
	LabelText, LabelHalo      color.NRGBA // city names
	ControlOpacity            float64     // control fill
	RussiaOpacity             float64     // russia (area held after a deal) fill
	HatchFillOpacity          float64     // light fill under the to_russia and to_ukraine hatches
	DiffOpacity               float64     // gained and lost fills
	HatchOpacity, LineOpacity float64
}

// rgb builds an opaque colour from 0xRRGGBB.
func rgb(hex uint32) color.NRGBA {
	return color.NRGBA{R: uint8(hex >> 16), G: uint8(hex >> 8), B: uint8(hex), A: 255}
}

// DefaultPalette returns Frontline's light (dark false) or dark palette.
func DefaultPalette(dark bool) Palette {
	if dark {
		return Palette{
			Sea:              rgb(0x111B24),
			Neighbour:        rgb(0x262A30),
			NeighbourEdge:    rgb(0x565D66),
			Oblast:           rgb(0x30353C),
			OblastEdge:       rgb(0x5E6570),
			Emphasis:         rgb(0xD9DDE3),
			Russian:          rgb(0xF0803C),
			RussianLine:      rgb(0xFFB07A),
			Returned:         rgb(0x56B4E9),
			Current:          rgb(0xF2F2F2),
			Gained:           rgb(0xF0803C),
			Lost:             rgb(0x56B4E9),
			City:             rgb(0xF2F2F2),
			CityOutline:      rgb(0x111111),
			LabelText:        rgb(0xF2F2F2),
			LabelHalo:        rgb(0x111418),
			ControlOpacity:   0.5,
			RussiaOpacity:    0.28,
			HatchFillOpacity: 0.14,
			DiffOpacity:      0.75,
			HatchOpacity:     1,
			LineOpacity:      1,
		}
	}
	return Palette{
		Sea:              rgb(0xD4E4EE),
		Neighbour:        rgb(0xE4E1D9),
		NeighbourEdge:    rgb(0xA39E93),
		Oblast:           rgb(0xFBFAF7),
		OblastEdge:       rgb(0xA7A298),
		Emphasis:         rgb(0x3B3833),
		Russian:          rgb(0xD55E00),
		RussianLine:      rgb(0x8F2D00),
		Returned:         rgb(0x0072B2),
		Current:          rgb(0x1A1A1A),
		Gained:           rgb(0xD55E00),
		Lost:             rgb(0x0072B2),
		City:             rgb(0x262626),
		CityOutline:      rgb(0xFFFFFF),
		LabelText:        rgb(0x1C1C1C),
		LabelHalo:        rgb(0xFFFFFF),
		ControlOpacity:   0.4,
		RussiaOpacity:    0.2,
		HatchFillOpacity: 0.12,
		DiffOpacity:      0.7,
		HatchOpacity:     1,
		LineOpacity:      1,
	}
}

// cityClass describes how DefaultStyle draws cities of one pop_class
// (1 the largest, 4 the smallest).
type cityClass struct {
	class    string
	minZoom  int
	radiusPx float64
	sizePx   float64
	bold     bool
}

var cityClasses = []cityClass{
	// Painted smallest first, so bigger cities' labels lie on top.
	{"4", 7, 2.25, 11, false},
	{"3", 7, 2.5, 11.5, false},
	{"2", 5, 3, 12, true},
	{"1", 3, 3.75, 13.5, true},
}

// DefaultStyle returns Frontline's style for every layer name the server
// produces: background, countries, oblasts, cities, control, line,
// russia, to_russia, to_ukraine, current_line, gained and lost, with the
// light or dark palette. Its Background is transparent so overlay tiles
// stay transparent; for a basemap image set it to DefaultPalette(dark).Sea.
// Each call returns a fresh value that the caller may change.
func DefaultStyle(dark bool) Style {
	p := DefaultPalette(dark)
	solid := func(c color.NRGBA) Paint { return Paint{Color: c, Opacity: 1} }
	layers := []LayerStyle{
		{Layer: "background", Fill: solid(p.Sea)},
		{
			Layer: "countries",
			Fill:  solid(p.Neighbour),
			Stroke: Stroke{Paint: solid(p.NeighbourEdge),
				Width: Ramp{{3, 0.6}, {6, 0.9}, {10, 1.4}}},
		},
		{
			Layer: "oblasts",
			Fill:  solid(p.Oblast),
			Stroke: Stroke{Paint: solid(p.OblastEdge),
				Width: Ramp{{3, 0.4}, {6, 0.7}, {10, 1.2}}},
		},
		{Layer: "russia", Fill: Paint{Color: p.Russian, Opacity: p.RussiaOpacity}},
		{Layer: "control", Fill: Paint{Color: p.Russian, Opacity: p.ControlOpacity}},
		{
			Layer: "gained",
			Fill:  Paint{Color: p.Gained, Opacity: p.DiffOpacity},
			Stroke: Stroke{Paint: solid(p.Gained),
				Width: Ramp{{5, 0.5}, {10, 1}}},
		},
		{
			Layer: "lost",
			Fill:  Paint{Color: p.Lost, Opacity: p.DiffOpacity},
			Stroke: Stroke{Paint: solid(p.Lost),
				Width: Ramp{{5, 0.5}, {10, 1}}},
		},
		{
			Layer: "to_russia",
			Fill:  Paint{Color: p.Russian, Opacity: p.HatchFillOpacity},
			Hatch: Hatch{Paint: Paint{Color: p.Russian, Opacity: p.HatchOpacity},
				AngleDeg: 45, SpacingPx: 6, WidthPx: 1.5},
		},
		{
			Layer: "to_ukraine",
			Fill:  Paint{Color: p.Returned, Opacity: p.HatchFillOpacity},
			Hatch: Hatch{Paint: Paint{Color: p.Returned, Opacity: p.HatchOpacity},
				AngleDeg: 0, SpacingPx: 5, WidthPx: 1, Cross: true},
		},
		{
			Layer:  "oblasts",
			Filter: Filter{Key: "iso", Values: slices.Clone(FourOblasts[:])},
			Stroke: Stroke{Paint: solid(p.Emphasis),
				Width: Ramp{{3, 0.9}, {6, 1.5}, {10, 2.4}}},
		},
		{
			Layer: "current_line",
			Stroke: Stroke{Paint: Paint{Color: p.Current, Opacity: 0.85},
				Width: Ramp{{4, 0.7}, {8, 1}, {12, 1.4}}},
		},
		{
			Layer: "line",
			Stroke: Stroke{Paint: Paint{Color: p.RussianLine, Opacity: p.LineOpacity},
				Width: Ramp{{4, 1}, {7, 1.6}, {10, 2.4}, {13, 3.2}}},
		},
	}
	for _, c := range cityClasses {
		layers = append(layers, LayerStyle{
			Layer:   "cities",
			Filter:  Filter{Key: "pop_class", Values: []string{c.class}},
			MinZoom: c.minZoom,
			Symbol: Symbol{RadiusPx: c.radiusPx, Fill: p.City,
				Outline: p.CityOutline, OutlinePx: 1},
			Label: Label{Property: "name_en", SizePx: c.sizePx, Bold: c.bold,
				Color: p.LabelText, Halo: p.LabelHalo, HaloPx: 1.6,
				OffsetPx: 3},
		})
	}
	return Style{Layers: layers}
}
