package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/frontlinemap/frontline/tiles"
	"github.com/frontlinemap/frontline/tiles/archive"
	"github.com/frontlinemap/frontline/tiles/archive/archivetest"
)

// The export tests read archives with tools that share no code with the
// writers: go-pmtiles (its verifier, header decoder and the tile lookup of
// its server) and GDAL (gdalinfo, ogrinfo), and compare tiles with what a
// real frontline serve answers for the same URL.

// needTool returns the path of a command-line tool. CI installs it (see
// .ci/run), so there a missing tool fails the test; elsewhere it skips.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not found: .ci/run installs the Debian package %s", name, pkg)
		}
		t.Skipf("%s not found: install the Debian package %s", name, pkg)
	}
	return p
}

// exportSummary is what the export command prints.
type exportSummary struct{ tiles, distinct, empty int }

var summaryRE = regexp.MustCompile(`, (\d+) tiles? \((\d+) distinct\), (\d+) tiles? left out as empty,`)

func runExport(t *testing.T, db, out string, args ...string) exportSummary {
	t.Helper()
	code, stdout, stderr := cli(t, append([]string{"export", "--db", db, "-o", out}, args...)...)
	if code != 0 {
		t.Fatalf("export %v: exit %d: %s", args, code, stderr)
	}
	if stderr != "" {
		t.Errorf("export %v wrote to stderr (no terminal, so no progress bar): %q", args, stderr)
	}
	m := summaryRE.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("export %v: no summary in %q", args, stdout)
	}
	var s exportSummary
	s.tiles, _ = strconv.Atoi(m[1])
	s.distinct, _ = strconv.Atoi(m[2])
	s.empty, _ = strconv.Atoi(m[3])
	return s
}

// fourOblastBox is the bounding box of the four oblasts as the server's
// boundaries API gives them.
func fourOblastBox(t *testing.T, base string) [4]float64 {
	t.Helper()
	_, body := get(t, base+"/api/boundaries?kind=admin1")
	fc, err := geojson.UnmarshalFeatureCollection(body)
	if err != nil {
		t.Fatal(err)
	}
	var b orb.Bound
	n := 0
	for _, f := range fc.Features {
		switch f.Properties["iso"] {
		case "UA-14", "UA-09", "UA-23", "UA-65":
			if n == 0 {
				b = f.Geometry.Bound()
			} else {
				b = b.Union(f.Geometry.Bound())
			}
			n++
		}
	}
	if n != 4 {
		t.Fatalf("the boundaries API has %d of the four oblasts", n)
	}
	return [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
}

// isEmptyTile tells whether a server tile draws nothing: an empty MVT, or
// a PNG whose every pixel is transparent.
func isEmptyTile(t *testing.T, b []byte, mvt bool) bool {
	t.Helper()
	if mvt {
		return len(b) == 0
	}
	img := decodePNG(t, b)
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a != 0 {
				return false
			}
		}
	}
	return true
}

func tileJSONMap(t *testing.T, url string) map[string]any {
	t.Helper()
	resp, body := get(t, url)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", url, resp.StatusCode, body)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// compareWithServer checks a sample of the tiles the export covered (every
// step-th in tile id order) against the server: a tile in the archive has
// the server's bytes, a tile left out is one the server answers empty. It
// returns how many sampled tiles were in the archive and how many not.
func compareWithServer(t *testing.T, a archivetest.PMTiles, template, retina string, list []tiles.Tile, maxRequests int) (present, absent int) {
	t.Helper()
	step := max(1, len(list)/maxRequests)
	for i := 0; i < len(list); i += step {
		tl := list[i]
		url := tileURL(template, tl.Z, int(tl.X), int(tl.Y), retina)
		resp, want := get(t, url)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d: %s", url, resp.StatusCode, want)
		}
		got, ok := a.Tile(t, tl)
		switch {
		case ok && !bytes.Equal(got, want):
			t.Errorf("tile %s: the archive's %d bytes differ from the server's %d (%s)", tl, len(got), len(want), url)
		case ok:
			present++
		case !isEmptyTile(t, want, a.Ext == "mvt"):
			t.Errorf("tile %s is not in the archive, but the server draws something there (%s)", tl, url)
		default:
			absent++
		}
	}
	return present, absent
}

func TestExportPMTilesMatchesServer(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "f.db")
	type exportCase struct {
		name             string
		tileset          string
		args             []string
		query            string // TileJSON query for the server's template
		retina           string
		minZoom, maxZoom int
		bbox             *[4]float64 // nil: the four oblasts
		layers           []string    // vector layers
		repeats          bool        // the area has equal tiles (inside the held area, open sea)
	}
	cases := []exportCase{
		{name: "control-mvt", tileset: "control", args: []string{"--tiles", "mvt", "--maxzoom", "9"},
			query: "format=mvt", maxZoom: 9, layers: []string{"control", "line"}, repeats: true},
		{name: "base-mvt", tileset: "base", args: []string{"--tiles", "mvt", "--maxzoom", "7"},
			query: "format=mvt", maxZoom: 7, layers: []string{"countries", "oblasts", "cities"}},
		{name: "alaska-png2x", tileset: "scenario-alaska-2025", args: []string{"--tiles", "png@2x", "--minzoom", "5", "--maxzoom", "8", "--date", "2025-08-15"},
			query: "format=png&date=2025-08-15", retina: "@2x", minZoom: 5, maxZoom: 8},
		{name: "control-dark", tileset: "control", args: []string{"--style", "dark", "--minzoom", "2", "--maxzoom", "9", "--bbox", "37,47.5,38.5,48.5"},
			query: "format=png&style=dark", minZoom: 2, maxZoom: 9, bbox: &[4]float64{37, 47.5, 38.5, 48.5}},
	}
	sums := map[string]exportSummary{}
	for _, c := range cases {
		sums[c.name] = runExport(t, db, filepath.Join(dir, c.name+".pmtiles"), append([]string{"--tileset", c.tileset}, c.args...)...)
	}

	base, _ := startServer(t, db)
	oblasts := fourOblastBox(t, base)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := archivetest.OpenPMTiles(t, filepath.Join(dir, c.name+".pmtiles"))
			h := a.Header
			box := oblasts
			if c.bbox != nil {
				box = *c.bbox
			}
			got := [4]float64{float64(h.MinLonE7) / 1e7, float64(h.MinLatE7) / 1e7, float64(h.MaxLonE7) / 1e7, float64(h.MaxLatE7) / 1e7}
			for i := range got {
				if math.Abs(got[i]-box[i]) > 1e-7 {
					t.Fatalf("header bounds %v, want %v", got, box)
				}
			}
			if int(h.MinZoom) != c.minZoom || int(h.MaxZoom) != c.maxZoom {
				t.Errorf("header zooms %d..%d, want %d..%d", h.MinZoom, h.MaxZoom, c.minZoom, c.maxZoom)
			}
			list := archive.TilesIn(box, c.minZoom, c.maxZoom)
			s := sums[c.name]
			if int(h.AddressedTilesCount) != s.tiles || int(h.TileContentsCount) != s.distinct || s.tiles+s.empty != len(list) {
				t.Errorf("header: %d tiles, %d contents; export said %+v; the area has %d tiles", h.AddressedTilesCount, h.TileContentsCount, s, len(list))
			}
			if c.repeats && s.distinct >= s.tiles {
				t.Errorf("%d distinct of %d tiles: equal tiles are stored once", s.distinct, s.tiles)
			}

			tj := tileJSONMap(t, base+"/tiles/"+c.tileset+".json?"+c.query)
			md := a.Metadata(t)
			for _, k := range []string{"name", "attribution", "as_of", "revision", "source", "approximate"} {
				if fmt.Sprint(md[k]) != fmt.Sprint(tj[k]) {
					t.Errorf("metadata %s = %v, TileJSON says %v", k, md[k], tj[k])
				}
			}
			if c.layers != nil {
				var ids []string
				for _, l := range md["vector_layers"].([]any) {
					ids = append(ids, l.(map[string]any)["id"].(string))
				}
				if fmt.Sprint(ids) != fmt.Sprint(c.layers) {
					t.Errorf("vector_layers %v, want %v", ids, c.layers)
				}
			}

			template := tj["tiles"].([]any)[0].(string)
			present, absent := compareWithServer(t, a, template, c.retina, list, 60)
			if present == 0 {
				t.Errorf("no sampled tile is in the archive")
			}
			t.Logf("%d tiles (%d empty left out); sampled %d present, %d absent", s.tiles, s.empty, present, absent)
		})
	}
}

// TestExportRealLine exports the DeepStateMap line of 2025-08-15 as
// vector tiles z0-10 over the four oblasts.
func TestExportRealLine(t *testing.T) {
	needDeepState(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "f.db")
	if code, _, stderr := cli(t, "import", "control", "--db", db, "--source", "DeepStateMap",
		filepath.Join(deepstateDir, "deepstatemap_data_20250815.geojson")); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	out := filepath.Join(dir, "real.pmtiles")
	s := runExport(t, db, out, "--tileset", "control", "--tiles", "mvt", "--date", "2025-08-15")
	a := archivetest.OpenPMTiles(t, out)
	base, _ := startServer(t, db)
	tj := tileJSONMap(t, base+"/tiles/control.json?format=mvt&date=2025-08-15")
	if md := a.Metadata(t); md["source"] != "DeepStateMap" || md["as_of"] != "2025-08-15" || md["attribution"] != tj["attribution"] {
		t.Errorf("metadata %v", md)
	}
	list := archive.TilesIn(fourOblastBox(t, base), 0, 10)
	if s.tiles+s.empty != len(list) || a.Header.MaxZoom != 10 {
		t.Errorf("export said %+v, header max zoom %d; the area has %d tiles z0-10", s, a.Header.MaxZoom, len(list))
	}
	present, _ := compareWithServer(t, a, tj["tiles"].([]any)[0].(string), "", list, 120)
	if present < 30 {
		t.Errorf("only %d sampled tiles are in the archive", present)
	}
}

func TestExportMBTilesOpensInGDAL(t *testing.T) {
	gdalinfo := needTool(t, "gdalinfo", "gdal-bin")
	ogrinfo := needTool(t, "ogrinfo", "gdal-bin")
	dir := t.TempDir()
	db := filepath.Join(dir, "f.db")
	raster := filepath.Join(dir, "base.mbtiles")
	vector := filepath.Join(dir, "control.mbtiles")
	rs := runExport(t, db, raster, "--tileset", "base", "--tiles", "png", "--maxzoom", "8")
	vs := runExport(t, db, vector, "--tileset", "control", "--tiles", "mvt", "--maxzoom", "8")
	base, _ := startServer(t, db)
	box := fourOblastBox(t, base)

	// Raster: GDAL's MBTiles driver sizes the image from the bounds at the
	// deepest zoom, with one overview per zoom above it.
	out, err := exec.Command(gdalinfo, "-json", raster).Output()
	if err != nil {
		t.Fatalf("gdalinfo: %v", err)
	}
	var info struct {
		Driver string `json:"driverShortName"`
		Size   [2]int `json:"size"`
		Bands  []struct {
			Overviews []struct{ Size [2]int } `json:"overviews"`
		} `json:"bands"`
		Metadata map[string]map[string]string `json:"metadata"`
	}
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatalf("gdalinfo -json: %v\n%s", err, out)
	}
	const earth = 2 * math.Pi * 6378137
	mercX := func(lon float64) float64 { return lon / 360 * earth }
	mercY := func(lat float64) float64 { return math.Log(math.Tan(math.Pi/4+lat*math.Pi/360)) * 6378137 }
	res := earth / (256 << 8)
	wantW, wantH := (mercX(box[2])-mercX(box[0]))/res, (mercY(box[3])-mercY(box[1]))/res
	if info.Driver != "MBTiles" || math.Abs(float64(info.Size[0])-wantW) > 1 || math.Abs(float64(info.Size[1])-wantH) > 1 || len(info.Bands) != 4 {
		t.Errorf("gdalinfo: driver %s, size %v, %d bands; want MBTiles, %.0fx%.0f, 4 (RGBA)", info.Driver, info.Size, len(info.Bands), wantW, wantH)
	} else if ov := info.Bands[0].Overviews; len(ov) < 3 || math.Abs(float64(ov[0].Size[0])-wantW/2) > 1 {
		t.Errorf("gdalinfo overviews %v, want at least 3, the first %.0f wide", ov, wantW/2)
	}
	if md := info.Metadata[""]; md["name"] != "Frontline" || md["format"] != "png" || md["type"] != "baselayer" || md["maxzoom"] != "8" {
		t.Errorf("gdalinfo metadata %v", md)
	}

	// Vector: ogrinfo decodes every tile of the deepest zoom into the layers
	// the metadata declares.
	out, err = exec.Command(ogrinfo, "-ro", "-so", "-al", vector).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "using driver `MBTiles' successful") {
		t.Fatalf("ogrinfo did not open the file with its MBTiles driver:\n%s", out)
	}
	counts := map[string]int{}
	var layer string
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "Layer name: "); ok {
			layer = v
		}
		if v, ok := strings.CutPrefix(line, "Feature Count: "); ok {
			counts[layer], _ = strconv.Atoi(v)
		}
	}
	if len(counts) != 2 || counts["control"] < 1 || counts["line"] < 1 {
		t.Errorf("ogrinfo layers %v, want control and line with features\n%s", counts, out)
	}

	// Tile counts and the TMS row order, read with SQL.
	for _, tc := range []struct {
		path     string
		sum      exportSummary
		template string
		mvt      bool
	}{
		{raster, rs, "/tiles/base.json?format=png", false},
		{vector, vs, "/tiles/control.json?format=mvt", true},
	} {
		sdb, err := sql.Open("sqlite3", "file:"+tc.path+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer sdb.Close()
		var n, images int
		sdb.QueryRow(`SELECT count(*) FROM tiles`).Scan(&n)
		sdb.QueryRow(`SELECT count(*) FROM images`).Scan(&images)
		if n != tc.sum.tiles || images != tc.sum.distinct {
			t.Errorf("%s: %d tiles, %d images; export said %+v", tc.path, n, images, tc.sum)
		}
		template := tileJSONMap(t, base+tc.template)["tiles"].([]any)[0].(string)
		// Mariupol's tile at z8, held by Russia so never empty; MBTiles
		// rows count from the south.
		x, y, _, _ := tileOf(37.55, 47.10, 8, 256)
		var blob []byte
		if err := sdb.QueryRow(`SELECT tile_data FROM tiles WHERE zoom_level = 8 AND tile_column = ? AND tile_row = ?`, x, 255-y).Scan(&blob); err != nil {
			t.Fatalf("%s: tile 8/%d/%d (row %d): %v", tc.path, x, y, 255-y, err)
		}
		if tc.mvt {
			blob = archivetest.Gunzip(t, blob)
		}
		if _, want := get(t, tileURL(template, 8, x, y, "")); !bytes.Equal(blob, want) {
			t.Errorf("%s: tile 8/%d/%d differs from the server's (%d and %d bytes)", tc.path, x, y, len(blob), len(want))
		}
	}
}

func TestExportErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "f.db")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-o", "x.pmtiles"}, 2, "--tileset is required"},
		{[]string{"--tileset", "roads", "-o", "x.pmtiles"}, 2, `--tileset "roads": want base, control, diff or scenario-ID`},
		{[]string{"--tileset", "control"}, 2, "-o FILE is required"},
		{[]string{"--tileset", "control", "-o", "x.zip"}, 2, "-o x.zip: name the format with --format pmtiles|mbtiles"},
		{[]string{"--tileset", "control", "-o", "x", "--format", "zip"}, 2, `--format "zip": want pmtiles or mbtiles`},
		{[]string{"--tileset", "control", "-o", "x.pmtiles", "--tiles", "jpg"}, 2, `--tiles "jpg": want png, png@2x or mvt`},
		{[]string{"--tileset", "control", "-o", "x.pmtiles", "--tiles", "mvt", "--style", "dark"}, 2, `--style "dark": want dark, combined or combined-dark, with --tiles png`},
		{[]string{"--tileset", "base", "-o", "x.pmtiles", "--date", "2025-08-15"}, 2, "--date is for the control and scenario-* tilesets; base has no date"},
		{[]string{"--tileset", "diff", "-o", "x.pmtiles", "--date", "2025-08-15"}, 2, "diff takes --from and --to"},
		{[]string{"--tileset", "control", "-o", "x.pmtiles", "--from", "2025-08-15"}, 2, "--from and --to are for the diff tileset"},
		{[]string{"--tileset", "control", "-o", "x.pmtiles", "--date", "15/08/2025"}, 2, "--date:"},
		{[]string{"--tileset", "control", "-o", "x.pmtiles", "--minzoom", "6", "--maxzoom", "5"}, 2, "--minzoom 6 --maxzoom 5: want 0 <= minzoom <= maxzoom <= 14"},
		{[]string{"--tileset", "control", "-o", "x.pmtiles", "--maxzoom", "15"}, 2, "want 0 <= minzoom <= maxzoom <= 14"},
		{[]string{"--tileset", "control", "-o", "x.pmtiles", "--bbox", "36,47,38"}, 2, `--bbox "36,47,38": want minlon,minlat,maxlon,maxlat`},
		{[]string{"--tileset", "control", "-o", "x.pmtiles", "--bbox", "38,47,36,48"}, 2, "want -180 <= minlon <= maxlon <= 180"},
		{[]string{"--tileset", "control", "-o", "x.pmtiles", "--bbox", "36,47,36,48"}, 2, `--bbox "36,47,36,48" has no area`},
		{[]string{"--tileset", "control", "-o", "x.pmtiles", "--workers", "0"}, 2, "--workers must be at least 1"},
		{[]string{"--tileset", "scenario-nope", "-o", filepath.Join(dir, "x.pmtiles")}, 1, `nope`},
		{[]string{"--tileset", "control", "--date", "2000-01-01", "-o", filepath.Join(dir, "x.pmtiles")}, 1, "2000-01-01"},
		{[]string{"--tileset", "control", "-o", filepath.Join(dir, "missing", "x.pmtiles")}, 1, "create temporary file for " + filepath.Join(dir, "missing", "x.pmtiles")},
	} {
		code, stdout, stderr := cli(t, append([]string{"export", "--db", db}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("export %v: exit %d, stderr %q, stdout %q; want exit %d and %q", tc.args, code, stderr, stdout, tc.code, tc.want)
		}
	}
	if got := archivetest.Entries(t, dir); strings.Join(got, " ") != "f.db f.db-shm f.db-wal" && strings.Join(got, " ") != "f.db" {
		t.Errorf("failed exports left %v", got)
	}

	// Everything rendered and written, then the rename fails: the
	// destination is a directory. The temporary files go.
	for _, ext := range []string{"pmtiles", "mbtiles"} {
		out := filepath.Join(dir, "taken."+ext)
		if err := os.Mkdir(out, 0o755); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := cli(t, "export", "--db", db, "--tileset", "control", "--maxzoom", "6", "-o", out)
		if code != 1 || !strings.Contains(stderr, out) {
			t.Errorf("export onto a directory: exit %d, %q; want 1 and an error naming %s", code, stderr, out)
		}
		for _, name := range archivetest.Entries(t, dir) {
			if strings.Contains(name, ".tmp") {
				t.Errorf("a failed export left %s", name)
			}
		}
	}
}

// entries lists a directory's file names.
// TestExportFailsWhenTheDataChanged renders a whole archive for a revision
// the data has left (as when an import lands during an export): the export
// fails after rendering and leaves no file.
func TestExportFailsWhenTheDataChanged(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	ts, closeDB, err := openTileServer(ctx, filepath.Join(dir, "f.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	out := filepath.Join(dir, "x.pmtiles")
	c := exportConfig{Tileset: "control", Tiles: "mvt", MaxZoom: 6, Out: out, Workers: 2}
	p, err := c.Validate()
	if err != nil {
		t.Fatal(err)
	}
	r, err := ts.resolve(ctx, p.kind, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	r.Revision-- // the data moved on since r was resolved
	md := exportMetadata(c, p, r, "Frontline", [4]float64{31.5, 45.7, 40.2, 50.1})
	_, err = writeExport(ctx, ts, c, p, r, md, io.Discard)
	want := fmt.Sprintf("the data changed during the export (revision %d, now %d): export again", r.Revision, r.Revision+1)
	if err == nil || err.Error() != want {
		t.Errorf("export of an old revision: %v, want %q", err, want)
	}
	for _, name := range archivetest.Entries(t, dir) {
		if strings.Contains(name, "pmtiles") {
			t.Errorf("the failed export left %s", name)
		}
	}
}

// TestRenderOrdered checks the parallel loop under the export: results
// come out in order however the renders interleave, and the first error
// stops everything after it.
func TestRenderOrdered(t *testing.T) {
	render := func(fail int) func(context.Context, int) ([]byte, error) {
		return func(_ context.Context, i int) ([]byte, error) {
			// Later items finish first within each group of 7.
			time.Sleep(time.Duration(7-i%7) * 100 * time.Microsecond)
			if i == fail {
				return nil, fmt.Errorf("item %d broke", i)
			}
			return []byte(strconv.Itoa(i)), nil
		}
	}
	var got []int
	write := func(i int, b []byte) error {
		if string(b) != strconv.Itoa(i) {
			return fmt.Errorf("item %d got %q", i, b)
		}
		got = append(got, i)
		return nil
	}
	if err := renderOrdered(context.Background(), 500, 4, render(-1), write); err != nil || len(got) != 500 {
		t.Fatalf("500 items: %v, %d written", err, len(got))
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("item %d written as number %d", v, i)
		}
	}

	got = nil
	err := renderOrdered(context.Background(), 500, 4, render(120), write)
	if err == nil || err.Error() != "item 120 broke" || len(got) > 120 {
		t.Errorf("failing item 120: %v, %d written; want its error and at most items 0..119", err, len(got))
	}

	got = nil
	err = renderOrdered(context.Background(), 500, 4, render(-1), func(i int, b []byte) error {
		if i == 30 {
			return fmt.Errorf("disk full at %d", i)
		}
		return write(i, b)
	})
	if err == nil || err.Error() != "disk full at 30" || len(got) != 30 {
		t.Errorf("failing write 30: %v, %d written; want its error and items 0..29", err, len(got))
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got = nil
	if err := renderOrdered(ctx, 500, 4, render(-1), write); err != context.Canceled || len(got) == 500 {
		t.Errorf("cancelled: %v, %d written", err, len(got))
	}
}
