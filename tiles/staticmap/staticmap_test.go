package staticmap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/color"
	"image/gif"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/frontlinemap/frontline/tiles"
)

func TestParseView(t *testing.T) {
	for _, c := range []struct {
		in   string
		want ViewSpec
		err  string
	}{
		{in: "37.5,48,6", want: ViewSpec{Center: orb.Point{37.5, 48}, Zoom: 6}},
		{in: "-10,-20,0.5", want: ViewSpec{Center: orb.Point{-10, -20}, Zoom: 0.5}},
		{in: "[30,44,41,52]", want: ViewSpec{Bound: orb.Bound{Min: orb.Point{30, 44}, Max: orb.Point{41, 52}}, Fit: true}},
		{in: "37,48", err: "want 3 comma-separated numbers"},
		{in: "37,48,x", err: `"x" is not a number`},
		{in: "37,48,NaN", err: "is not a number"},
		{in: "37,48,21", err: "zoom 21 outside 0..20"},
		{in: "190,48,3", err: "centre outside"},
		{in: "[30,44,41]", err: "want 4"},
		{in: "[30,44,41,52", err: "a box must be"},
		{in: "[41,44,30,52]", err: "minlon < maxlon"},
		{in: "[30,44,30,52]", err: "minlon < maxlon"},
	} {
		got, err := ParseView(c.in)
		if c.err != "" {
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseView(%q): %v, want an ErrInvalid with %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseView(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		w, h int // device pixels
		err  string
	}{
		{in: "600x400", w: 600, h: 400},
		{in: "600x400@2x", w: 1200, h: 800},
		{in: "2048x1", w: 2048, h: 1},
		{in: "2048x2048@2x", w: 4096, h: 4096},
		{in: "social", w: 1200, h: 630},
		{in: "portrait", w: 1080, h: 1350},
		{in: "hd", w: 1920, h: 1080},
		{in: "a4", w: 2480, h: 3508},
		{in: "2049x10", err: "1..2048"},
		{in: "0x10", err: "1..2048"},
		{in: "-5x10", err: "1..2048"},
		{in: "10x", err: "WIDTHxHEIGHT"},
		{in: "+10x10", err: "WIDTHxHEIGHT"},
		{in: "10x10@3x", err: "WIDTHxHEIGHT"},
		{in: "poster", err: "preset"},
	} {
		got, err := ParseSize(c.in)
		if c.err != "" {
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseSize(%q): %v, want an ErrInvalid with %q", c.in, err, c.err)
			}
			continue
		}
		w, h := got.Device()
		if err != nil || w != c.w || h != c.h {
			t.Errorf("ParseSize(%q) = %dx%d, %v; want %dx%d", c.in, w, h, err, c.w, c.h)
		}
	}
}

// A fitted box lands inside the image with the padding, filling one axis.
func TestFitBox(t *testing.T) {
	b := orb.Bound{Min: orb.Point{32, 44.3}, Max: orb.Point{40.3, 50.1}}
	for _, sz := range []Size{{Width: 1200, Height: 630, Scale: 1}, {Width: 400, Height: 900, Scale: 2}} {
		for _, bottom := range []float64{0, 60} {
			v := ViewSpec{Bound: b, Fit: true}.viewport(sz.Width, sz.Height, sz.Scale, bottom)
			w, h := v.DeviceSize()
			lo, hi := v.Project(orb.Point{b.Min[0], b.Max[1]}), v.Project(orb.Point{b.Max[0], b.Min[1]})
			padX, padY := fitPadding*float64(w), fitPadding*(float64(h)-bottom*sz.Scale)
			const eps = 1e-6
			if lo[0] < padX-eps || lo[1] < padY-eps || hi[0] > float64(w)-padX+eps || hi[1] > float64(h)-bottom*sz.Scale-padY+eps {
				t.Errorf("%+v bottom %g: box at %v..%v, outside the padded %dx%d", sz, bottom, lo, hi, w, h)
			}
			if math.Abs(lo[0]-padX) > 1e-6 && math.Abs(lo[1]-padY) > 1e-6 {
				t.Errorf("%+v bottom %g: box at %v..%v touches neither padding", sz, bottom, lo, hi)
			}
		}
	}
}

// scene of two squares (control in the middle, a to_russia square with a
// hatch) over a sea background, with a legend and credits.
func testImage(dark bool) Image {
	st := tiles.DefaultStyle(dark)
	st.Background = tiles.DefaultPalette(dark).Sea
	sq := func(x0, y0, x1, y1 float64) orb.Polygon {
		return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
	}
	src := tiles.NewSource([]tiles.Layer{
		{Name: "oblasts", Features: []tiles.Feature{{Geometry: sq(30, 45, 40, 50), Properties: map[string]any{"iso": "UA-14"}}}},
		{Name: "control", Features: []tiles.Feature{{Geometry: sq(34, 47, 36, 48)}}},
		{Name: "to_russia", Features: []tiles.Feature{{Geometry: sq(36, 47, 38, 48)}}},
	})
	lg, _ := Legend(st, "scenario")
	return Image{Panels: []Panel{{Sources: []*tiles.Source{src}, Style: st, Title: "A & B <test>", Legend: lg}},
		Credits: "Line of control: test, as of 2025-08-15.", Dark: dark}
}

func TestSVGIsVectorWithGroupsAndPatterns(t *testing.T) {
	spec := ViewSpec{Center: orb.Point{35, 47.5}, Zoom: 6}
	b, err := SVG(testImage(false), spec, Size{Width: 500, Height: 300, Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	ids := map[string]bool{}
	var texts []string
	inText := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			for _, a := range e.Attr {
				if a.Name.Local == "id" {
					if ids[a.Value] {
						t.Errorf("duplicate id %q", a.Value)
					}
					ids[a.Value] = true
				}
			}
			inText = e.Name.Local == "text"
		case xml.CharData:
			if inText {
				texts = append(texts, string(e))
			}
		case xml.EndElement:
			inText = false
		}
	}
	for _, id := range []string{"map", "sea", "oblasts", "claimed-oblasts", "control", "to_russia", "hatch-to_russia", "hatch-legend-to_russia", "title", "legend", "credits"} {
		if !ids[id] {
			t.Errorf("no element with id %q in %v", id, ids)
		}
	}
	all := strings.Join(texts, "|")
	for _, want := range []string{"A & B <test>", "Ukraine would cede", "as of 2025-08-15"} {
		if !strings.Contains(all, want) {
			t.Errorf("texts %q lack %q", all, want)
		}
	}
	if bytes.Contains(b, []byte("<image")) {
		t.Error("the SVG embeds a raster image")
	}
}

// The PNG has the control fill and the hatch at the points Viewport.Project
// gives, the projection the SVG's paths are written with.
func TestPNGPixelsAtProjectedPoints(t *testing.T) {
	spec := ViewSpec{Center: orb.Point{35, 47.5}, Zoom: 6}
	size := Size{Width: 500, Height: 300, Scale: 2}
	img, err := Raster(testImage(false), spec, size)
	if err != nil {
		t.Fatal(err)
	}
	if img.Rect.Dx() != 1000 || img.Rect.Dy() != 600 {
		t.Fatalf("size %v", img.Rect)
	}
	v := spec.Viewport(size.Width, size.Height, size.Scale)
	p := tiles.DefaultPalette(false)
	in := v.Project(orb.Point{35, 47.7})
	got := img.NRGBAAt(int(in[0]), int(in[1]))
	a := p.ControlOpacity
	want := color.NRGBA{uint8(float64(p.Oblast.R)*(1-a) + float64(p.Russian.R)*a + 0.5), uint8(float64(p.Oblast.G)*(1-a) + float64(p.Russian.G)*a + 0.5), uint8(float64(p.Oblast.B)*(1-a) + float64(p.Russian.B)*a + 0.5), 255}
	if d := max(absDiff(got.R, want.R), absDiff(got.G, want.G), absDiff(got.B, want.B)); d > 2 {
		t.Errorf("control pixel %v, want %v", got, want)
	}
	// Across the hatched square: some pixels are the hatch colour, some the
	// light fill between lines.
	hatch, between := 0, 0
	h0, h1 := v.Project(orb.Point{36.2, 47.9}), v.Project(orb.Point{37.8, 47.1})
	for y := int(h0[1]); y < int(h1[1]); y++ {
		for x := int(h0[0]); x < int(h1[0]); x++ {
			c := img.NRGBAAt(x, y)
			if absDiff(c.R, p.Russian.R) < 8 && absDiff(c.G, p.Russian.G) < 8 && absDiff(c.B, p.Russian.B) < 8 {
				hatch++
			} else if c.R > 230 {
				between++
			}
		}
	}
	if hatch < 100 || between < 100 {
		t.Errorf("to_russia square: %d hatch pixels, %d between; want both", hatch, between)
	}
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

func TestGIFFramesAndPalette(t *testing.T) {
	spec := ViewSpec{Center: orb.Point{35, 47.5}, Zoom: 5}
	var frames []Image
	for _, d := range []string{"2025-08-01", "2025-08-08", "2025-08-15", "2025-08-22"} {
		f := testImage(true)
		f.Panels[0].Stamp = d
		frames = append(frames, f)
	}
	b, err := GIF(frames, spec, Size{Width: 240, Height: 160, Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	g, err := gif.DecodeAll(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Image) != 4 || g.Config.Width != 240 || g.Config.Height != 160 || g.Delay[3] <= g.Delay[0] {
		t.Errorf("%d frames %dx%d delays %v", len(g.Image), g.Config.Width, g.Config.Height, g.Delay)
	}
	pal := Palette(frames[0].Panels[0].Style, true)
	if len(pal) > 256 || len(pal) < 64 {
		t.Errorf("palette of %d colours", len(pal))
	}
	sea := tiles.DefaultPalette(true).Sea
	found := false
	for _, c := range pal {
		if c == sea {
			found = true
		}
	}
	if !found {
		t.Errorf("palette lacks the sea colour %v", sea)
	}
	if _, err := GIF(make([]Image, MaxFrames+1), spec, Size{Width: 10, Height: 10, Scale: 1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("too many frames: %v", err)
	}
}

func TestLegendFromStyle(t *testing.T) {
	st := tiles.DefaultStyle(false)
	lg, err := Legend(st, "scenario")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range lg {
		ids = append(ids, e.ID+":"+e.Kind)
	}
	if got := strings.Join(ids, " "); got != "russia:fill to_russia:hatch to_ukraine:hatch line:line current_line:line claimed-oblasts:line" {
		t.Errorf("legend rows %s", got)
	}
	// Changing the style changes the legend: it is read, not copied.
	st.Layers[4].Fill.Color = color.NRGBA{1, 2, 3, 255} // control
	lg, _ = Legend(st, "control")
	if lg[0].ID != "control" || lg[0].Fill.Color != "#010203" {
		t.Errorf("control entry %+v does not follow the style", lg[0])
	}
	if _, err := Legend(st, "nope"); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown kind: %v", err)
	}
	svg := LegendSVG(lg, false)
	if err := xml.Unmarshal(svg, new(struct{})); err != nil || !bytes.Contains(svg, []byte("Held by Russia")) {
		t.Errorf("legend svg: %v %s", err, svg)
	}
}
