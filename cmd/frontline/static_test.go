package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/frontlinemap/frontline/data"
	"github.com/frontlinemap/frontline/tiles"
)

// xnode is any XML element, for walking a parsed SVG.
type xnode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []xnode    `xml:",any"`
	Text    string     `xml:",chardata"`
}

func (n *xnode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// walk calls fn for n and every element under it.
func (n *xnode) walk(fn func(*xnode)) {
	fn(n)
	for i := range n.Nodes {
		n.Nodes[i].walk(fn)
	}
}

// byID returns the element with the id, or nil.
func (n *xnode) byID(id string) *xnode {
	var out *xnode
	n.walk(func(m *xnode) {
		if out == nil && m.attr("id") == id {
			out = m
		}
	})
	return out
}

// texts joins the text of every <text> under n.
func (n *xnode) texts() string {
	var b strings.Builder
	n.walk(func(m *xnode) {
		if m.XMLName.Local == "text" {
			b.WriteString(m.Text + "\n")
		}
	})
	return b.String()
}

func parseSVG(t *testing.T, b []byte) *xnode {
	t.Helper()
	var root xnode
	if err := xml.Unmarshal(b, &root); err != nil {
		t.Fatalf("SVG does not parse as XML: %v", err)
	}
	if root.XMLName.Local != "svg" {
		t.Fatalf("root element %q, want svg", root.XMLName.Local)
	}
	return &root
}

// pathRings reads the rings of an SVG path written as M x,y L x,y ... Z.
func pathRings(t *testing.T, d string) [][][2]float64 {
	t.Helper()
	var rings [][][2]float64
	for _, part := range strings.Split(d, "M")[1:] {
		var ring [][2]float64
		for _, pt := range strings.Split(strings.TrimSuffix(part, "Z"), "L") {
			xs, ys, ok := strings.Cut(pt, ",")
			x, e1 := strconv.ParseFloat(xs, 64)
			y, e2 := strconv.ParseFloat(ys, 64)
			if !ok || e1 != nil || e2 != nil {
				t.Fatalf("path point %q does not parse", pt)
			}
			ring = append(ring, [2]float64{x, y})
		}
		rings = append(rings, ring)
	}
	return rings
}

// windingNumber is the nonzero-rule winding of the rings around p.
func windingNumber(rings [][][2]float64, p [2]float64) int {
	w := 0
	for _, r := range rings {
		for i := range r {
			a, b := r[i], r[(i+1)%len(r)]
			cross := (b[0]-a[0])*(p[1]-a[1]) - (p[0]-a[0])*(b[1]-a[1])
			if a[1] <= p[1] && b[1] > p[1] && cross > 0 {
				w++
			} else if a[1] > p[1] && b[1] <= p[1] && cross < 0 {
				w--
			}
		}
	}
	return w
}

// mercatorPx projects lon/lat into an image of w x h device pixels
// centred on lon0/lat0 at zoom z and scale s (independently of the
// renderer's own projection).
func mercatorPx(lon, lat, lon0, lat0, z, s float64, w, h int) (float64, float64) {
	world := 256 * s * math.Exp2(z)
	my := func(lat float64) float64 {
		r := lat * math.Pi / 180
		return (1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * world
	}
	x := (lon-lon0)/360*world + float64(w)/2
	y := my(lat) - my(lat0) + float64(h)/2
	return x, y
}

// over composites c at alpha a over g, rounded like the renderer.
func over(g, c color.NRGBA, a float64) [3]float64 {
	return [3]float64{float64(g.R)*(1-a) + float64(c.R)*a, float64(g.G)*(1-a) + float64(c.G)*a, float64(g.B)*(1-a) + float64(c.B)*a}
}

func near(c color.Color, want [3]float64, tol float64) bool {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return math.Abs(float64(n.R)-want[0]) <= tol && math.Abs(float64(n.G)-want[1]) <= tol && math.Abs(float64(n.B)-want[2]) <= tol
}

func TestServeStaticImages(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "static.db")
	base, _ := startServer(t, dbPath)
	pal := tiles.DefaultPalette(false)
	controlOnLand := over(pal.Oblast, pal.Russian, pal.ControlOpacity)
	freeLand := over(pal.Oblast, pal.Oblast, 0)
	controlOnBox := over(pal.LabelHalo, pal.Russian, pal.ControlOpacity)

	// One view as PNG and SVG: a point in the Russian-held part of Luhansk
	// oblast and a free point in central Ukraine.
	const view = "37,48.5,6"
	w, h := 640, 480
	inside := [2]float64{39.7, 49.4}
	outside := [2]float64{34.6, 48.8}
	resp, pngBytes := get(t, base+"/static/control/"+view+"/640x480.png?title=Static%20test")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("png: %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), pngBytes)
	}
	img := decodePNG(t, pngBytes)
	if img.Bounds().Dx() != w || img.Bounds().Dy() != h {
		t.Fatalf("png is %v, want %dx%d", img.Bounds(), w, h)
	}
	ix, iy := mercatorPx(inside[0], inside[1], 37, 48.5, 6, 1, w, h)
	ox, oy := mercatorPx(outside[0], outside[1], 37, 48.5, 6, 1, w, h)
	if c := img.At(int(ix), int(iy)); !near(c, controlOnLand, 3) {
		t.Errorf("png at %v (%.1f, %.1f) is %v, want the control fill %v", inside, ix, iy, c, controlOnLand)
	}
	if c := img.At(int(ox), int(oy)); !near(c, freeLand, 2) {
		t.Errorf("png at %v is %v, want free land %v", outside, c, freeLand)
	}

	resp, svgBytes := get(t, base+"/static/control/"+view+"/640x480.svg?title=Static%20test")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("svg: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	svg := parseSVG(t, svgBytes)
	if svg.attr("width") != "640" || svg.attr("height") != "480" {
		t.Errorf("svg is %sx%s, want 640x480", svg.attr("width"), svg.attr("height"))
	}
	for _, id := range []string{"map", "sea", "countries", "oblasts", "claimed-oblasts", "control", "line", "labels", "title", "legend", "credits"} {
		if svg.byID(id) == nil {
			t.Errorf("svg has no <g id=%q>", id)
		}
	}
	ctl := svg.byID("control")
	if ctl == nil || len(ctl.Nodes) == 0 || ctl.Nodes[0].XMLName.Local != "path" {
		t.Fatalf("control group holds no path")
	}
	rings := pathRings(t, ctl.Nodes[0].attr("d"))
	if windingNumber(rings, [2]float64{ix, iy}) == 0 {
		t.Errorf("the svg control path does not contain %v at (%.1f, %.1f), which the png paints as control", inside, ix, iy)
	}
	if windingNumber(rings, [2]float64{ox, oy}) != 0 {
		t.Errorf("the svg control path contains the free point %v", outside)
	}
	if got := ctl.Nodes[0].attr("fill"); got != "#d55e00" {
		t.Errorf("control fill %q, want #d55e00", got)
	}
	labels := svg.byID("labels").texts()
	for _, city := range []string{"Luhansk", "Donetsk", "Dnipro"} {
		if !strings.Contains(labels, city) {
			t.Errorf("labels lack %s: %q", city, labels)
		}
	}
	if got := svg.byID("title").texts(); !strings.Contains(got, "Static test") {
		t.Errorf("title text %q", got)
	}
	credits := svg.byID("credits").texts()
	for _, want := range []string{"2025-08-15", "APPROXIMATE", "Method", "Natural Earth"} {
		if !strings.Contains(strings.ReplaceAll(credits, "\n", " "), want) {
			t.Errorf("credits lack %q: %q", want, credits)
		}
	}
	// The legend's control swatch, where the svg puts it, is painted in
	// the png with the control fill over the legend box.
	var swatch *xnode
	svg.byID("legend").walk(func(n *xnode) {
		if n.attr("data-layer") == "control" && swatch == nil {
			swatch = n
		}
	})
	if swatch == nil || len(swatch.Nodes) == 0 {
		t.Fatal("legend has no control swatch")
	}
	r := swatch.Nodes[0]
	sx, _ := strconv.ParseFloat(r.attr("x"), 64)
	sy, _ := strconv.ParseFloat(r.attr("y"), 64)
	sw, _ := strconv.ParseFloat(r.attr("width"), 64)
	sh, _ := strconv.ParseFloat(r.attr("height"), 64)
	if sx < 5 || sy < float64(h)/2 || sw < 10 || sh < 5 {
		t.Errorf("control swatch at %v,%v %vx%v: want it at the bottom left", sx, sy, sw, sh)
	}
	if c := img.At(int(sx+sw/2), int(sy+sh/2)); !near(c, controlOnBox, 3) {
		t.Errorf("png legend swatch centre is %v, want %v", c, controlOnBox)
	}
	// The credit strip: its box colour and dark text in the bottom rows.
	dark, boxPx := 0, 0
	for y := h - 12; y < h; y++ {
		for x := 0; x < w; x++ {
			n := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if n.R < 110 && n.G < 110 && n.B < 110 {
				dark++
			}
			if n == pal.LabelHalo {
				boxPx++
			}
		}
	}
	if dark < 100 || boxPx < 2000 {
		t.Errorf("credit strip: %d dark text pixels, %d box pixels in the bottom 12 rows; want text on a box", dark, boxPx)
	}

	// legend=0 leaves the legend out; the credits stay.
	_, noLegend := get(t, base+"/static/control/"+view+"/640x480.svg?legend=0")
	if s := parseSVG(t, noLegend); s.byID("legend") != nil || s.byID("credits") == nil || s.byID("title") != nil {
		t.Errorf("legend=0 without a title: want credits only")
	}
	_, noLegendPNG := get(t, base+"/static/control/"+view+"/640x480.png?legend=0")
	if c := decodePNG(t, noLegendPNG).At(int(sx+sw/2), int(sy+sh/2)); near(c, controlOnBox, 3) {
		t.Errorf("legend=0 still paints the swatch colour at the legend's place")
	}

	// @2x doubles the pixels and draws the same place at the same spot.
	_, retina := get(t, base+"/static/control/"+view+"/640x480@2x.png")
	big := decodePNG(t, retina)
	if big.Bounds().Dx() != 2*w || big.Bounds().Dy() != 2*h {
		t.Fatalf("@2x png is %v", big.Bounds())
	}
	if c := big.At(int(2*ix), int(2*iy)); !near(c, controlOnLand, 3) {
		t.Errorf("@2x png at the inside point is %v", c)
	}

	// A box view fits the box; fractional zooms, presets and the dark theme.
	for _, c := range []struct {
		path string
		w, h int
	}{
		{"/static/control/[36,46.5,40.5,50.2]/500x500.png", 500, 500},
		{"/static/control/%5B36,46.5,40.5,50.2%5D/300x300.png", 300, 300},
		{"/static/scenario-alaska-2025/36.5,48,6.5/300x200.png?theme=dark", 300, 200},
		{"/static/diff/auto/400x300.png", 400, 300},
		{"/static/base/auto/400x300@2x.png", 800, 600},
		{"/static/control/auto/social.png", 1200, 630},
		{"/static/control/auto/portrait.png", 1080, 1350},
		{"/static/compare/auto/800x400.png?left=control&right=scenario-alaska-2025", 800, 400},
	} {
		resp, b := get(t, base+c.path)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", c.path, resp.StatusCode, b)
			continue
		}
		if m := decodePNG(t, b); m.Bounds().Dx() != c.w || m.Bounds().Dy() != c.h {
			t.Errorf("%s is %v, want %dx%d", c.path, m.Bounds(), c.w, c.h)
		}
	}
	// The box view puts the box's centre at the image's centre, above the
	// credit strip: Donetsk oblast's held area around (38.25, 48.35).
	_, boxPNG := get(t, base+"/static/control/[36,46.5,40.5,50.2]/500x500.png?legend=0")
	bx := decodePNG(t, boxPNG)
	held := 0
	for y := 200; y < 280; y += 4 {
		for x := 210; x < 290; x += 4 {
			if near(bx.At(x, y), controlOnLand, 3) {
				held++
			}
		}
	}
	if held < 100 {
		t.Errorf("box view: %d of 400 samples around the centre are held land; want at least 100", held)
	}

	// A preset writes a title by default, with the date.
	_, social := get(t, base+"/static/control/auto/social.svg")
	if s := parseSVG(t, social); s.byID("title") == nil || !strings.Contains(s.byID("title").texts(), "2025-08-15") || s.attr("width") != "1200" {
		t.Errorf("social preset: want a 1200 px wide svg titled with the date")
	}
	// The comparison labels both panels.
	_, cmp := get(t, base+"/static/compare/auto/800x400.svg?left=control&right=scenario-alaska-2025&left_date=2025-08-15")
	cs := parseSVG(t, cmp)
	for _, id := range []string{"left", "right", "left-control", "right-to_russia", "left-legend", "right-legend", "credits"} {
		if cs.byID(id) == nil {
			t.Errorf("comparison svg has no %q", id)
		}
	}
	if l, r := cs.byID("left-title"), cs.byID("right-title"); l == nil || r == nil ||
		!strings.Contains(l.texts(), "Russian-held") || !strings.Contains(r.texts(), "Alaska") {
		t.Errorf("comparison panels are not labelled")
	}

	// An animation: one frame per step, each date stamped.
	resp, gifBytes := get(t, base+"/static/control/auto/320x200.gif?from=2025-08-15&to=2025-08-29&step=7")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/gif" {
		t.Fatalf("gif: %d %s", resp.StatusCode, gifBytes)
	}
	anim, err := gif.DecodeAll(bytes.NewReader(gifBytes))
	if err != nil {
		t.Fatalf("gif does not decode: %v", err)
	}
	if len(anim.Image) != 3 || anim.Config.Width != 320 || anim.Config.Height != 200 {
		t.Fatalf("gif: %d frames of %dx%d, want 3 of 320x200", len(anim.Image), anim.Config.Width, anim.Config.Height)
	}
	if bytes.Equal(anim.Image[0].Pix, anim.Image[1].Pix) {
		t.Errorf("frames 1 and 2 are identical: the date stamp does not change")
	}

	// Errors: 400 with a message for oversize and malformed requests.
	for _, c := range []struct{ path, msg string }{
		{"/static/control/auto/2049x100.png", "1..2048"},
		{"/static/control/auto/100x3000@2x.png", "1..2048"},
		{"/static/control/auto/0x100.png", "1..2048"},
		{"/static/control/auto/12x.png", "WIDTHxHEIGHT"},
		{"/static/control/auto/huge.png", "preset"},
		{"/static/control/37,48/100x100.png", "lon,lat,zoom"},
		{"/static/control/37,48,25/100x100.png", "zoom 25"},
		{"/static/control/[40,44,30,52]/100x100.png", "minlon"},
		{"/static/control/[30,44,40/100x100.png", "box"},
		{"/static/control/auto/100x100.jpg", "png, svg or gif"},
		{"/static/control/auto/100x100.png?theme=blue", "theme"},
		{"/static/control/auto/100x100.png?date=2025-13-01", "date"},
		{"/static/control/auto/100x100.png?legend=2", "legend"},
		{"/static/compare/auto/100x100.png?left=control", "right="},
		{"/static/control/auto/100x100.gif?from=2025-08-15&to=2026-08-15&step=1", "at most 60"},
		{"/static/control/auto/100x100.gif", "from="},
		{"/static/control/auto/social.gif?from=2025-08-15", "explicit"},
	} {
		resp, b := get(t, base+c.path)
		if resp.StatusCode != 400 || !strings.Contains(string(b), c.msg) {
			t.Errorf("%s: %d %s, want 400 mentioning %q", c.path, resp.StatusCode, b, c.msg)
		}
	}
	if resp, _ := get(t, base+"/static/scenario-nope/auto/100x100.png"); resp.StatusCode != 404 {
		t.Errorf("unknown scenario: %d, want 404", resp.StatusCode)
	}

	// The legend endpoints, from the tiles' style.
	resp, lj := get(t, base+"/legend/control.json")
	var doc struct {
		Style, Theme string
		Entries      []struct {
			ID, Label, Kind string
			Fill            *struct {
				Color   string
				Opacity float64
			}
			Stroke *struct {
				Color   string
				WidthPx float64 `json:"width_px"`
			}
		}
	}
	if err := json.Unmarshal(lj, &doc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("legend json: %d %v", resp.StatusCode, err)
	}
	if doc.Style != "control" || doc.Theme != "light" || len(doc.Entries) != 3 || doc.Entries[0].ID != "control" ||
		doc.Entries[0].Fill == nil || doc.Entries[0].Fill.Color != "#d55e00" || doc.Entries[0].Fill.Opacity != pal.ControlOpacity ||
		doc.Entries[1].ID != "line" || doc.Entries[1].Stroke == nil || doc.Entries[1].Stroke.Color != "#8f2d00" || doc.Entries[1].Stroke.WidthPx != 1.4 {
		t.Errorf("legend json: %s", lj)
	}
	_, dj := get(t, base+"/legend/scenario-alaska-2025.json?theme=dark")
	if !strings.Contains(string(dj), `"theme":"dark"`) || !strings.Contains(string(dj), `"to_ukraine"`) || !strings.Contains(string(dj), "#56b4e9") {
		t.Errorf("dark scenario legend: %s", dj)
	}
	resp, ls := get(t, base+"/legend/scenario-alaska-2025.svg")
	if resp.StatusCode != 200 {
		t.Fatalf("legend svg: %d", resp.StatusCode)
	}
	lsvg := parseSVG(t, ls)
	if lsvg.byID("hatch-legend-to_russia") == nil || !strings.Contains(lsvg.texts(), "Ukraine would cede") {
		t.Errorf("legend svg lacks the to_russia hatch pattern or its label")
	}

	// frontline render writes the same bytes as the endpoint.
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		url  string
	}{
		{[]string{"control", view, "640x480", "--title", "Static test"}, "/static/control/" + view + "/640x480.png?title=Static%20test"},
		{[]string{"compare", "[30,44,41,52]", "600x300@2x", "--left", "control", "--right", "scenario-alaska-2025", "--format", "svg"},
			"/static/compare/[30,44,41,52]/600x300@2x.svg?left=control&right=scenario-alaska-2025"},
		{[]string{"control", "auto", "320x200", "--from", "2025-08-15", "--to", "2025-08-29", "--step", "7"},
			"/static/control/auto/320x200.gif?from=2025-08-15&to=2025-08-29&step=7"},
	} {
		ext := ".png"
		if strings.Contains(c.url, ".svg") {
			ext = ".svg"
		} else if strings.Contains(c.url, ".gif") {
			ext = ".gif"
		}
		out := filepath.Join(dir, "out"+ext)
		args := append([]string{"render", "--db", dbPath, "-o", out}, c.args...)
		if code := run(context.Background(), args, io.Discard, os.Stderr); code != 0 {
			t.Fatalf("render %v exited %d", c.args, code)
		}
		file, _ := os.ReadFile(out)
		_, body := get(t, base+c.url)
		if len(file) == 0 || !bytes.Equal(file, body) {
			t.Errorf("render %v: %d bytes, the endpoint %d: want the same bytes", c.args, len(file), len(body))
		}
	}
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"render", "--db", dbPath, "-o", filepath.Join(dir, "x.png"), "control", "auto", "5000x10"}, io.Discard, &stderr); code != 2 && code != 1 {
		t.Errorf("render of an oversize image exited %d", code)
	} else if !strings.Contains(stderr.String(), "1..2048") {
		t.Errorf("render of an oversize image says %q", stderr.String())
	}
}

// TestStaticA4 checks the print preset's size: A4 at 300 dpi.
func TestStaticA4(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "a4.db")
	out := filepath.Join(t.TempDir(), "a4.png")
	if code := run(context.Background(), []string{"render", "--db", dbPath, "-o", out, "scenario-alaska-2025", "auto", "a4"}, io.Discard, os.Stderr); code != 0 {
		t.Fatalf("render a4 exited %d", code)
	}
	b, _ := os.ReadFile(out)
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width != 2480 || cfg.Height != 3508 {
		t.Fatalf("a4: %v %dx%d, want 2480x3508", err, cfg.Width, cfg.Height)
	}
}

// A static image is drawn once per data revision and request: repeats are
// answered from the image cache with the same bytes, another option or a
// new revision draws again.
func TestStaticImageCache(t *testing.T) {
	ctx := context.Background()
	s := newTestServer(t, 64<<20, io.Discard)
	db, ts := s.db, s.tiles
	get := func(path string) []byte {
		t.Helper()
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/png" {
			t.Fatalf("%s: %d %s: %s", path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes())
		}
		return rec.Body.Bytes()
	}
	const path = "/static/control/auto/320x200.png"
	renders := func() int64 { return ts.images.Stats().Renders }

	first := get(path)
	if second := get(path); !bytes.Equal(first, second) || renders() != 1 {
		t.Fatalf("repeat: %d renders, same bytes %v; want 1 render and the same bytes", renders(), bytes.Equal(first, second))
	}
	if dark := get(path + "?theme=dark"); bytes.Equal(dark, first) || renders() != 2 {
		t.Fatalf("another theme: %d renders, same bytes %v; want 2 renders and other bytes", renders(), bytes.Equal(dark, first))
	}
	// A new revision draws the image again, even if the import (here a
	// scenario) does not change what it shows.
	im, err := db.BeginImport(ctx, "scenarios", "test")
	if err != nil {
		t.Fatal(err)
	}
	sc := data.Scenario{ID: "cache-test", Title: "Cache test", Summary: "A test.", Reported: "2025-08-15",
		Sources: []data.Citation{{Publisher: "Test", Date: "2025-08-15"}}, Rule: "control"}
	if err := im.PutScenario(ctx, sc, false); err != nil {
		t.Fatal(err)
	}
	if _, err := im.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if again := get(path); !bytes.Equal(again, first) || renders() != 3 {
		t.Fatalf("new revision: %d renders; want 3 (same data, so the same bytes: %v)", renders(), bytes.Equal(again, first))
	}
	// Errors are not cached: a bad request stays a 400 and draws nothing.
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/static/control/auto/320x200.png?theme=sepia", nil))
	if rec.Code != http.StatusBadRequest || renders() != 3 {
		t.Fatalf("bad theme: %d, %d renders", rec.Code, renders())
	}
}

// A title or tileset name written to look like other fields cannot make one
// request's cache key another's: its image would be served for the other.
func TestStaticImageCacheKeyUnambiguous(t *testing.T) {
	pairs := [][2]staticRequest{
		// One key under fmt's %+v, which the first version used.
		{{Style: "control", Title: "x Date: From: To: Left: Right:r", Step: 7}, {Style: "control", Title: "x", Right: "r Date: From: To: Left: Right:", Step: 7}},
		// The same trick against JSON's quoting.
		{{Style: "control", Title: `x","Right":"r`, Step: 7}, {Style: "control", Title: "x", Right: "r", Step: 7}},
	}
	if fmt.Sprintf("%+v", pairs[0][0]) != fmt.Sprintf("%+v", pairs[0][1]) {
		t.Fatalf("the first pair no longer shows the %%+v collision this test guards against")
	}
	for i, p := range pairs {
		a, errA := p[0].cacheKey(3)
		b, errB := p[1].cacheKey(3)
		if errA != nil || errB != nil || a == b {
			t.Errorf("pair %d: keys %q and %q (errors %v, %v)", i, a, b, errA, errB)
		}
	}
	if a, _ := pairs[0][1].cacheKey(3); a == mustKey(t, pairs[0][1], 4) {
		t.Errorf("revisions 3 and 4 share the key %q", a)
	}
}

func mustKey(t *testing.T, r staticRequest, rev int64) string {
	t.Helper()
	k, err := r.cacheKey(rev)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// An animation's frames do not push the tile sources out: each frame's
// tileset source is built for the image and not kept (only the base map,
// shared by all frames, is).
func TestAnimationKeepsNoFrameSources(t *testing.T) {
	s := newTestServer(t, 64<<20, io.Discard)
	dates, err := s.db.Dates(context.Background())
	if err != nil || len(dates) == 0 {
		t.Fatalf("dates %v, %v", dates, err)
	}
	path := "/static/control/auto/160x100.gif?from=" + string(dates[0].Date) + "&step=1"
	if rec := serveOne(s, path); rec.Code != 200 || rec.Header().Get("Content-Type") != "image/gif" {
		t.Fatalf("%s: %d %s", path, rec.Code, rec.Body.Bytes())
	}
	s.tiles.srcMu.Lock()
	kept := slices.Clone(s.tiles.srcKeys)
	s.tiles.srcMu.Unlock()
	if len(kept) != 1 || !strings.HasPrefix(kept[0], "base/") {
		t.Errorf("sources kept after the animation: %q; want only the base map's", kept)
	}
}
