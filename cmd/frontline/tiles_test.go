package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb/encoding/mvt"

	"github.com/frontlinemap/frontline/tiles"
)

// tileOf returns the tile of zoom z holding lon/lat and the pixel inside a
// size-pixel rendering of it (Web Mercator).
func tileOf(lon, lat float64, z, size int) (x, y, px, py int) {
	n := math.Exp2(float64(z))
	xf := (lon + 180) / 360 * n
	r := lat * math.Pi / 180
	yf := (1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n
	x, y = int(xf), int(yf)
	return x, y, int((xf - float64(x)) * float64(size)), int((yf - float64(y)) * float64(size))
}

type tileJSONDoc struct {
	TileJSON     string                `json:"tilejson"`
	Tiles        []string              `json:"tiles"`
	MinZoom      *int                  `json:"minzoom"`
	MaxZoom      int                   `json:"maxzoom"`
	Bounds       []float64             `json:"bounds"`
	Center       []float64             `json:"center"`
	Attribution  string                `json:"attribution"`
	ValidDates   []string              `json:"valid_dates"`
	AsOf         string                `json:"as_of"`
	AsOfNote     string                `json:"as_of_note"`
	Source       string                `json:"source"`
	Approximate  bool                  `json:"approximate"`
	VectorLayers []struct{ ID string } `json:"vector_layers"`
}

func getTileJSON(t *testing.T, url string, header ...string) tileJSONDoc {
	t.Helper()
	resp, body := get(t, url, header...)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: status %d: %s", url, resp.StatusCode, body)
	}
	var tj tileJSONDoc
	if err := json.Unmarshal(body, &tj); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return tj
}

// tileURL fills a TileJSON template.
func tileURL(template string, z, x, y int, retina string) string {
	r := strings.NewReplacer("{z}", fmt.Sprint(z), "{x}", fmt.Sprint(x), "{y}", fmt.Sprint(y), "{r}", retina)
	return r.Replace(template)
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	return img
}

func TestServeTiles(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "tiles.db")
	base, _ := startServer(t, dbPath)

	// The list names every tileset in both formats.
	resp, body := get(t, base+"/tiles.json")
	var list []struct{ ID, Name, Format, URL string }
	if err := json.Unmarshal(body, &list); err != nil || resp.StatusCode != 200 {
		t.Fatalf("tiles.json: %d %v", resp.StatusCode, err)
	}
	seen := map[string]bool{}
	for _, e := range list {
		seen[e.ID+"/"+e.Format] = true
		if !strings.HasPrefix(e.URL, base+"/tiles/"+e.ID+".json") || e.Name == "" {
			t.Errorf("entry %+v: want a name and a TileJSON URL", e)
		}
	}
	for _, id := range []string{"base", "control", "diff", "scenario-alaska-2025", "scenario-current", "scenario-four-oblasts", "scenario-ukraine-1991"} {
		for _, f := range []string{"png", "mvt"} {
			if !seen[id+"/"+f] {
				t.Errorf("tiles.json lacks %s in %s", id, f)
			}
		}
	}

	// TileJSON carries every required field, the date and the approximate mark.
	ctl := getTileJSON(t, base+"/tiles/control.json?format=mvt")
	if ctl.TileJSON != "3.0.0" || len(ctl.Tiles) != 1 || ctl.MinZoom == nil || ctl.MaxZoom != 14 || len(ctl.Bounds) != 4 || len(ctl.Center) != 3 {
		t.Errorf("TileJSON missing required fields: %+v", ctl)
	}
	if ctl.AsOf != "2025-08-15" || !ctl.Approximate || !strings.Contains(ctl.Attribution, "APPROXIMATE") || len(ctl.ValidDates) != 1 {
		t.Errorf("TileJSON does not name the approximate 2025-08-15 line: %+v", ctl)
	}
	if len(ctl.VectorLayers) != 2 || ctl.VectorLayers[0].ID != "control" || ctl.VectorLayers[1].ID != "line" {
		t.Errorf("vector_layers %+v, want control and line", ctl.VectorLayers)
	}
	if later := getTileJSON(t, base+"/tiles/control.json?date=2025-09-01"); later.AsOf != "2025-08-15" || !strings.Contains(later.AsOfNote, "no line for 2025-09-01") {
		t.Errorf("a date without a line: as_of %q note %q", later.AsOf, later.AsOfNote)
	}
	proxied := getTileJSON(t, base+"/tiles/base.json", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "maps.example.org")
	if !strings.HasPrefix(proxied.Tiles[0], "https://maps.example.org/tiles/base/r") || !strings.HasSuffix(proxied.Tiles[0], "/{z}/{x}/{y}{r}.png") {
		t.Errorf("behind a proxy the template is %q", proxied.Tiles[0])
	}

	// A vector tile over Donetsk decodes with both layers.
	x, y, _, _ := tileOf(37.80, 48.00, 8, 256)
	resp, body = get(t, tileURL(ctl.Tiles[0], 8, x, y, ""))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
		t.Fatalf("MVT: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	layers, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatalf("MVT does not decode: %v", err)
	}
	names := map[string]int{}
	for _, l := range layers {
		names[l.Name] = len(l.Features)
		if l.Extent != 4096 || l.Version != 2 {
			t.Errorf("layer %s: extent %d version %d, want 4096 and 2", l.Name, l.Extent, l.Version)
		}
	}
	if names["control"] != 1 || names["line"] != 1 {
		t.Errorf("MVT layers %v, want one control and one line feature", names)
	}

	// Caching: immutable, ETag, 304, CORS.
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control %q", cc)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Error("no CORS header on a tile")
	}
	resp2, body2 := get(t, tileURL(ctl.Tiles[0], 8, x, y, ""), "If-None-Match", resp.Header.Get("ETag"))
	if resp2.StatusCode != http.StatusNotModified || len(body2) != 0 {
		t.Errorf("revalidation: %d with %d bytes, want 304", resp2.StatusCode, len(body2))
	}

	// Raster: Donetsk (Russian-held) is filled, Kramatorsk (Ukrainian-held) is not.
	png := getTileJSON(t, base+"/tiles/control.json")
	x, y, px, py := tileOf(37.80, 48.00, 9, 256)
	_, body = get(t, tileURL(png.Tiles[0], 9, x, y, ""))
	if _, _, _, a := decodePNG(t, body).At(px, py).RGBA(); a < 0x4000 {
		t.Errorf("Donetsk pixel alpha %d, want the fill (at least 64)", a>>8)
	}
	x, y, px, py = tileOf(37.56, 48.72, 9, 256)
	_, body = get(t, tileURL(png.Tiles[0], 9, x, y, ""))
	if _, _, _, a := decodePNG(t, body).At(px, py).RGBA(); a != 0 {
		t.Errorf("Kramatorsk pixel alpha %d, want transparent", a>>8)
	}
	_, body = get(t, tileURL(png.Tiles[0], 9, x, y, "@2x"))
	if b := decodePNG(t, body).Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Errorf("@2x tile is %v, want 512x512", b)
	}

	// Under alaska-2025 Kramatorsk would be ceded: its neighbourhood shows the hatch,
	// pixels alternating between hatch lines and the light fill.
	sc := getTileJSON(t, base+"/tiles/scenario-alaska-2025.json")
	x, y, px, py = tileOf(37.56, 48.72, 9, 256)
	_, body = get(t, tileURL(sc.Tiles[0], 9, x, y, ""))
	img := decodePNG(t, body)
	changes := 0
	var prev uint32
	for dx := -20; dx <= 20; dx++ {
		r, _, _, a := img.At(px+dx, py).RGBA()
		if a == 0 {
			t.Fatalf("pixel %d,%d near Kramatorsk is transparent, want to_russia", px+dx, py)
		}
		if dx > -20 && (r>>8 > prev+40 || prev > r>>8+40) {
			changes++
		}
		prev = r >> 8
	}
	if changes < 4 {
		t.Errorf("%d colour changes along 41 px near Kramatorsk, want a hatch pattern (>= 4)", changes)
	}

	// Styles: dark differs from light; combined draws the base map under the
	// overlay in one opaque image, @2x included.
	light := getTileJSON(t, base+"/tiles/scenario-alaska-2025.json")
	for _, tt := range []struct{ style, suffix string }{{"dark", "{r}.dark.png"}, {"combined", "{r}.combined.png"}, {"combined-dark", "{r}.combined-dark.png"}} {
		tj := getTileJSON(t, base+"/tiles/scenario-alaska-2025.json?style="+tt.style)
		if !strings.HasSuffix(tj.Tiles[0], tt.suffix) {
			t.Errorf("style %s: template %q, want it to end in %s", tt.style, tj.Tiles[0], tt.suffix)
		}
	}
	x, y, _, _ = tileOf(37.56, 48.72, 7, 256)
	_, lightPNG := get(t, tileURL(light.Tiles[0], 7, x, y, ""))
	_, darkPNG := get(t, tileURL(strings.Replace(light.Tiles[0], "{r}.png", "{r}.dark.png", 1), 7, x, y, ""))
	if bytes.Equal(lightPNG, darkPNG) {
		t.Error("dark tile is identical to the light one")
	}
	for _, retina := range []string{"", "@2x"} {
		_, combined := get(t, tileURL(strings.Replace(light.Tiles[0], "{r}.png", "{r}.combined.png", 1), 7, x, y, retina))
		img := decodePNG(t, combined)
		b := img.Bounds()
		for _, p := range []image.Point{{0, 0}, {b.Dx() - 1, b.Dy() - 1}, {b.Dx() / 2, b.Dy() / 2}} {
			if _, _, _, a := img.At(p.X, p.Y).RGBA(); a != 0xffff {
				t.Errorf("combined%s tile: pixel %v alpha %d, want opaque", retina, p, a>>8)
			}
		}
	}

	// Bad tile paths: short messages with 400 or 404.
	tests := []struct {
		path   string
		status int
		want   string
	}{
		{"/tiles/control/2025-08-15.r1/6/38/22.png", 404, "tile URL is for data revision 1"},
		{"/tiles/control/2025-08-15.rX/6/38/22.png", 400, "want YYYY-MM-DD.rREVISION"},
		{"/tiles/control/2025-02-30.r1/6/38/22.png", 400, "not a calendar date"},
		{"/tiles/nope/r1/6/38/22.png", 404, `unknown tileset "nope"`},
		{"/tiles/base/r1/15/0/0.png", 400, "zoom 15 is outside 0..14"},
		{"/tiles/base/r1/3/8/0.png", 400, "x and y must be in 0..7"},
		{"/tiles/base/r1/3/a/0.png", 400, "must be integers"},
		{"/tiles/base/r1/3/1/1.jpg", 404, "want {y}.mvt or {y}[@2x]"},
		{"/tiles/base/r1/3/1/1.sepia.png", 404, "want {y}.mvt or {y}[@2x]"},
		{"/tiles/base.json?format=mvt&style=dark", 400, `style "dark": want dark, combined or combined-dark, with format png`},
		{"/tiles/nope.json", 404, `unknown tileset "nope"`},
		{"/tiles/base.json?format=svg", 400, `format "svg": want png or mvt`},
	}
	for _, tt := range tests {
		resp, body := get(t, base+tt.path)
		var e struct{ Error string }
		json.Unmarshal(body, &e)
		if resp.StatusCode != tt.status || !strings.Contains(e.Error, tt.want) {
			t.Errorf("%s: got %d %q, want %d containing %q", tt.path, resp.StatusCode, e.Error, tt.status, tt.want)
		}
	}

	// After an import the revision moves on: a tile of the old revision still
	// in memory keeps answering with its bytes, one never rendered is a 404.
	oldURL := tileURL(png.Tiles[0], 9, x, y, "")
	_, oldBody := get(t, oldURL)
	if code, _, stderr := cli(t, "import", "control", "../../data/testdata/repair/unclosed.geojson", "--date", "2025-09-01", "--source", "test", "--db", dbPath); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	resp, body = get(t, oldURL)
	if resp.StatusCode != 200 || !bytes.Equal(body, oldBody) {
		t.Errorf("cached tile of the old revision: %d, same bytes %v; want 200 and the same bytes", resp.StatusCode, bytes.Equal(body, oldBody))
	}
	resp, body = get(t, tileURL(png.Tiles[0], 9, x+1, y, ""))
	if resp.StatusCode != 404 || !strings.Contains(string(body), "fetch /tiles/control.json again") {
		t.Errorf("uncached tile of the old revision: %d %s, want 404", resp.StatusCode, body)
	}
	if now := getTileJSON(t, base+"/tiles/control.json"); now.AsOf != "2025-09-01" || now.Tiles[0] == png.Tiles[0] {
		t.Errorf("TileJSON after the import: as_of %s, template %s; want the new line and a new template", now.AsOf, now.Tiles[0])
	}
}

func TestServeTileCacheDir(t *testing.T) {
	dir := t.TempDir()
	cacheDir := filepath.Join(dir, "tile-cache")
	base, stop := startServer(t, filepath.Join(dir, "c.db"), "--tile-cache-dir", cacheDir)
	tj := getTileJSON(t, base+"/tiles/control.json")
	x, y, _, _ := tileOf(37.80, 48.00, 6, 256)
	resp, _ := get(t, tileURL(tj.Tiles[0], 6, x, y, ""))
	stop()
	if resp.StatusCode != 200 {
		t.Fatalf("tile: %d", resp.StatusCode)
	}
	disk, err := tiles.NewDiskCache(cacheDir)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := disk.Files(); err != nil || n != 1 {
		t.Errorf("%d tiles in %s (%v), want 1", n, cacheDir, err)
	}
}
