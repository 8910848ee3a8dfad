package tiles

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

func TestRampAt(t *testing.T) {
	r := Ramp{{Zoom: 4, Value: 1}, {Zoom: 8, Value: 3}, {Zoom: 8, Value: 5}, {Zoom: 12, Value: 6}}
	for _, tc := range []struct {
		name string
		z    float64
		want float64
	}{
		{"before the first stop", 0, 1},
		{"at the first stop", 4, 1},
		{"between stops, linear", 6, 2},
		{"two stops at one zoom: the later wins past it", 9, 5.25},
		{"after the last stop", 20, 6},
	} {
		if got := r.At(tc.z); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: At(%v) = %v, want %v", tc.name, tc.z, got, tc.want)
		}
	}
	if got := (Ramp{}).At(5); got != 0 {
		t.Errorf("empty ramp: got %v, want 0", got)
	}
	if got := Const(2.5).At(13); got != 2.5 {
		t.Errorf("Const(2.5).At(13) = %v", got)
	}
}

func TestFilterMatch(t *testing.T) {
	for _, tc := range []struct {
		name  string
		f     Filter
		props map[string]any
		want  bool
	}{
		{"zero filter selects all", Filter{}, nil, true},
		{"string value", Filter{Key: "iso", Values: []string{"UA-14", "UA-09"}}, map[string]any{"iso": "UA-09"}, true},
		{"other value", Filter{Key: "iso", Values: []string{"UA-14"}}, map[string]any{"iso": "UA-63"}, false},
		{"missing key", Filter{Key: "iso", Values: []string{"UA-14"}}, map[string]any{}, false},
		{"JSON number reads as integer text", Filter{Key: "pop_class", Values: []string{"2"}}, map[string]any{"pop_class": 2.0}, true},
		{"Go int", Filter{Key: "pop_class", Values: []string{"2"}}, map[string]any{"pop_class": 2}, true},
		{"key without values selects none", Filter{Key: "iso"}, map[string]any{"iso": ""}, false},
	} {
		if got := tc.f.Match(tc.props); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestPaintAlpha(t *testing.T) {
	c := color.NRGBA{1, 2, 3, 255}
	for _, tc := range []struct {
		p    Paint
		want uint32
	}{
		{Paint{}, 0},
		{Paint{Color: c}, 0},
		{Paint{Color: c, Opacity: 1}, 255},
		{Paint{Color: c, Opacity: 0.4}, 102},
		{Paint{Color: color.NRGBA{A: 128}, Opacity: 0.5}, 64},
		{Paint{Color: c, Opacity: 7}, 255},
		{Paint{Color: c, Opacity: math.NaN()}, 0},
	} {
		if got := tc.p.alpha(); got != tc.want {
			t.Errorf("%+v: alpha %d, want %d", tc.p, got, tc.want)
		}
	}
}

func TestDefaultStyleCoversEveryLayer(t *testing.T) {
	for _, dark := range []bool{false, true} {
		st := DefaultStyle(dark)
		if st.Background.A != 0 {
			t.Errorf("dark %v: background %v, want transparent so overlays stay transparent", dark, st.Background)
		}
		for _, name := range []string{"background", "countries", "oblasts", "cities", "control", "line",
			"russia", "to_russia", "to_ukraine", "current_line", "gained", "lost"} {
			if !slices.ContainsFunc(st.Layers, func(ls LayerStyle) bool { return ls.Layer == name }) {
				t.Errorf("dark %v: no style for layer %q", dark, name)
			}
		}
		// Every pop_class has a symbol and a label, small cities from z7.
		for class, minZoom := range map[string]int{"1": 3, "2": 5, "3": 7, "4": 7} {
			i := slices.IndexFunc(st.Layers, func(ls LayerStyle) bool {
				return ls.Layer == "cities" && ls.Filter.Match(map[string]any{"pop_class": class})
			})
			if i < 0 {
				t.Errorf("no style for cities of pop_class %s", class)
				continue
			}
			ls := st.Layers[i]
			if ls.MinZoom != minZoom || ls.Symbol.RadiusPx <= 0 || ls.Label.SizePx <= 0 || ls.Label.Property != "name_en" {
				t.Errorf("pop_class %s: min zoom %d symbol %v label %v, want min zoom %d with both", class, ls.MinZoom, ls.Symbol, ls.Label, minZoom)
			}
		}
	}
	// The two transfers differ in pattern, not only in colour.
	st := DefaultStyle(false)
	get := func(name string) Hatch {
		return st.Layers[slices.IndexFunc(st.Layers, func(ls LayerStyle) bool { return ls.Layer == name })].Hatch
	}
	if r, u := get("to_russia"), get("to_ukraine"); r.Cross == u.Cross && r.AngleDeg == u.AngleDeg {
		t.Errorf("to_russia %+v and to_ukraine %+v hatch alike", r, u)
	}
	// DefaultStyle returns a fresh value each time.
	a, b := DefaultStyle(false), DefaultStyle(false)
	a.Layers[0].Layer = "changed"
	if b.Layers[0].Layer == "changed" {
		t.Errorf("DefaultStyle values share their layers")
	}
}

// Colour vision deficiency, simulated with the matrices of Machado,
// Oliveira and Fernandes (2009) at full severity, on linear RGB.
var cvdMatrices = map[string][3][3]float64{
	"normal":       {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
	"protanopia":   {{0.152286, 1.052583, -0.204868}, {0.114503, 0.786281, 0.099216}, {-0.003882, -0.048116, 1.051998}},
	"deuteranopia": {{0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413}, {-0.011820, 0.042940, 0.968881}},
	"tritanopia":   {{1.255528, -0.076749, -0.178779}, {-0.078411, 0.930809, 0.147602}, {0.004733, 0.691367, 0.303900}},
}

func srgbToLinear(c uint8) float64 {
	v := float64(c) / 255
	if v <= 0.04045 {
		return v / 12.92
	}
	return math.Pow((v+0.055)/1.055, 2.4)
}

// lab returns the CIELAB (D65) coordinates of c as seen with a CVD.
func lab(c color.NRGBA, m [3][3]float64) [3]float64 {
	in := [3]float64{srgbToLinear(c.R), srgbToLinear(c.G), srgbToLinear(c.B)}
	var rgb [3]float64
	for i := range rgb {
		rgb[i] = min(1, max(0, m[i][0]*in[0]+m[i][1]*in[1]+m[i][2]*in[2]))
	}
	x := 0.4124*rgb[0] + 0.3576*rgb[1] + 0.1805*rgb[2]
	y := 0.2126*rgb[0] + 0.7152*rgb[1] + 0.0722*rgb[2]
	z := 0.0193*rgb[0] + 0.1192*rgb[1] + 0.9505*rgb[2]
	f := func(t float64) float64 {
		if t > 216.0/24389 {
			return math.Cbrt(t)
		}
		return (24389.0/27*t + 16) / 116
	}
	fx, fy, fz := f(x/0.95047), f(y), f(z/1.08883)
	return [3]float64{116*fy - 16, 500 * (fx - fy), 200 * (fy - fz)}
}

// deltaE is the CIE76 colour difference of a and b seen with a CVD.
func deltaE(a, b color.NRGBA, m [3][3]float64) float64 {
	la, lb := lab(a, m), lab(b, m)
	return math.Sqrt((la[0]-lb[0])*(la[0]-lb[0]) + (la[1]-lb[1])*(la[1]-lb[1]) + (la[2]-lb[2])*(la[2]-lb[2]))
}

// over composites c at opacity o over an opaque colour.
func over(c color.NRGBA, o float64, under color.NRGBA) color.NRGBA {
	mix := func(a, b uint8) uint8 { return uint8(math.Round(float64(a)*o + float64(b)*(1-o))) }
	return color.NRGBA{mix(c.R, under.R), mix(c.G, under.G), mix(c.B, under.B), 255}
}

// TestPaletteStaysDistinctInColourBlindVision checks the pairs a reader
// must tell apart, as painted on the map, in normal vision and in the
// three dichromacies: each pair's CIE76 difference must reach the given
// minimum (about 2.3 is a just noticeable difference; 20 reads at a
// glance on a map).
func TestPaletteStaysDistinctInColourBlindVision(t *testing.T) {
	for _, dark := range []bool{false, true} {
		p := DefaultPalette(dark)
		land := p.Oblast
		control := over(p.Russian, p.ControlOpacity, land)
		russia := over(p.Russian, p.RussiaOpacity, land)
		pairs := []struct {
			name string
			a, b color.NRGBA
			min  float64
		}{
			{"to_russia hatch vs to_ukraine hatch", over(p.Russian, p.HatchOpacity, russia), over(p.Returned, p.HatchOpacity, land), 25},
			{"gained vs lost", over(p.Gained, p.DiffOpacity, land), over(p.Lost, p.DiffOpacity, land), 25},
			{"Russian-held fill vs free land", control, land, 12},
			{"russia (after a deal) fill vs free land", russia, land, 6},
			{"line of contact vs Russian-held fill", p.RussianLine, control, 25},
			{"line of contact vs free land", p.RussianLine, land, 30},
			{"today's line vs russia fill", p.Current, russia, 40},
			{"emphasised border vs land", p.Emphasis, land, 40},
			{"label vs halo", p.LabelText, p.LabelHalo, 70},
			{"land vs sea", land, p.Sea, 3},
		}
		for name, m := range cvdMatrices {
			for _, pr := range pairs {
				if d := deltaE(pr.a, pr.b, m); d < pr.min {
					t.Errorf("dark %v, %s: %s differ by %.1f, want at least %.0f", dark, name, pr.name, d, pr.min)
				}
			}
		}
	}
}

// ExampleDefaultStyle renders one @2x scenario tile: the light style, with
// the sea behind the basemap layers, from layers in tile pixels.
func ExampleDefaultStyle() {
	st := DefaultStyle(false)
	st.Background = DefaultPalette(false).Sea
	area := orb.Polygon{{{100, 100}, {100, 400}, {400, 400}, {400, 100}, {100, 100}}}
	layers := []Layer{{Name: "to_russia", Features: []Feature{{Geometry: area}}}}
	png, err := RenderPNG(layers, st, Tile{Z: 8, X: 154, Y: 89}, 512)
	fmt.Println(len(png) > 0, err)
	// Output: true <nil>
}
