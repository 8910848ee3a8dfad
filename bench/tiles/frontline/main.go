// Command frontline is the Frontline side of `make bench-tiles`: it cuts
// and renders (PNG) or encodes (MVT) every tile of the benchmark's tile
// list from one DeepStateMap GeoJSON file, the way the server's control
// tileset does, and prints one line per tile: `z/x/y nanoseconds bytes`.
//
//	go run ./bench/tiles/frontline -list                # the tile list, z/x/y per line
//	go run ./bench/tiles/frontline -style               # the raster style as JSON (for mapnik.py)
//	go run ./bench/tiles/frontline -geojson F -format png
//	go run ./bench/tiles/frontline -geojson F -format mvt
//
// Timed per tile: Source.Tile + RenderPNG (png) or Source.Tile + EncodeMVT
// (mvt), after an untimed warm-up pass over the whole list. Loading the file
// and NewSource (projection, per-zoom simplification, indexing: done once
// per data revision by the server) are not timed; neither is any cache.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"time"

	"github.com/frontlinemap/frontline/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// The four oblasts (Zaporizhzhia, Kherson, Donetsk, Luhansk) with margin,
// and the zooms of the benchmark.
var (
	nw         = orb.Point{31.5, 50.1}
	se         = orb.Point{40.3, 44.3}
	minZ, maxZ = 5, 10
)

func tileList() []tiles.Tile {
	var list []tiles.Tile
	for z := minZ; z <= maxZ; z++ {
		a := maptile.At(nw, maptile.Zoom(z))
		b := maptile.At(se, maptile.Zoom(z))
		for x := a.X; x <= b.X; x++ {
			for y := a.Y; y <= b.Y; y++ {
				list = append(list, tiles.Tile{Z: z, X: x, Y: y})
			}
		}
	}
	return list
}

// style is tiles.DefaultStyle(false)'s "control" fill with the stroke of
// its "line" layer (the line of contact, which the server's control tileset
// draws from the outline of the same area) as the outline.
func style() tiles.Style {
	def := tiles.DefaultStyle(false)
	var ctl, line *tiles.LayerStyle
	for i := range def.Layers {
		switch def.Layers[i].Layer {
		case "control":
			ctl = &def.Layers[i]
		case "line":
			line = &def.Layers[i]
		}
	}
	if ctl == nil || line == nil {
		fail(fmt.Errorf("tiles.DefaultStyle has no control or line layer"))
	}
	ls := *ctl
	ls.Stroke = line.Stroke
	st := def
	st.Layers = []tiles.LayerStyle{ls}
	return st
}

func hex(c color.NRGBA) string { return fmt.Sprintf("#%02X%02X%02X", c.R, c.G, c.B) }

// printStyle writes what mapnik.py needs to draw the same style: fill and
// stroke colour and opacity, and the stroke width in pixels at each zoom.
func printStyle() {
	ls := style().Layers[0]
	widths := map[string]float64{}
	for z := minZ; z <= maxZ; z++ {
		widths[fmt.Sprint(z)] = ls.Stroke.Width.At(float64(z))
	}
	out := map[string]any{
		"fill": hex(ls.Fill.Color), "fill_opacity": ls.Fill.Opacity * float64(ls.Fill.Color.A) / 255,
		"stroke": hex(ls.Stroke.Paint.Color), "stroke_opacity": ls.Stroke.Paint.Opacity * float64(ls.Stroke.Paint.Color.A) / 255,
		"stroke_width": widths,
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail(err)
	}
}

func load(path string) *tiles.Source {
	b, err := os.ReadFile(path)
	if err != nil {
		fail(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		fail(fmt.Errorf("%s: %w", path, err))
	}
	l := tiles.Layer{Name: "control"}
	for _, f := range fc.Features {
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			l.Features = append(l.Features, tiles.Feature{Geometry: orb.MultiPolygon{g}, Properties: map[string]any{}})
		case orb.MultiPolygon:
			l.Features = append(l.Features, tiles.Feature{Geometry: g, Properties: map[string]any{}})
		}
	}
	if len(l.Features) == 0 {
		fail(fmt.Errorf("%s: no polygons", path))
	}
	return tiles.NewSource([]tiles.Layer{l})
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "frontline bench:", err)
	os.Exit(1)
}

func main() {
	path := flag.String("geojson", "", "DeepStateMap GeoJSON file")
	format := flag.String("format", "png", "png or mvt")
	list := flag.Bool("list", false, "print the tile list (z/x/y per line) and exit")
	printSt := flag.Bool("style", false, "print the raster style as JSON and exit")
	warm := flag.Int("warmup", 1, "untimed passes over the list before the timed one")
	buffer := flag.Int("buffer", tiles.LabelBufferPx, "raster Source.Tile buffer in px (the server's: LabelBufferPx)")
	outDir := flag.String("out", "", "also write each timed tile to DIR/z_x_y.png|mvt (for eyeballing; not timed)")
	flag.Parse()

	tl := tileList()
	if *list {
		w := bufio.NewWriter(os.Stdout)
		for _, t := range tl {
			fmt.Fprintln(w, t)
		}
		w.Flush()
		return
	}
	if *printSt {
		printStyle()
		return
	}
	if *path == "" {
		fail(fmt.Errorf("-geojson is required"))
	}
	src := load(*path)
	st := style()
	var one func(t tiles.Tile) ([]byte, error)
	switch *format {
	case "png":
		one = func(t tiles.Tile) ([]byte, error) {
			return tiles.RenderPNG(src.Tile(t, tiles.RasterTileSize, *buffer), st, t, tiles.RasterTileSize)
		}
	case "mvt":
		one = func(t tiles.Tile) ([]byte, error) {
			return tiles.EncodeMVT(src.Tile(t, tiles.MVTExtent, tiles.MVTBufferPx), tiles.MVTExtent)
		}
	default:
		fail(fmt.Errorf("-format %q: want png or mvt", *format))
	}
	for i := 0; i < *warm; i++ {
		for _, t := range tl {
			if _, err := one(t); err != nil {
				fail(fmt.Errorf("tile %s: %w", t, err))
			}
		}
	}
	ns := make([]int64, len(tl))
	size := make([]int, len(tl))
	for i, t := range tl {
		start := time.Now()
		b, err := one(t)
		ns[i] = time.Since(start).Nanoseconds()
		if err != nil {
			fail(fmt.Errorf("tile %s: %w", t, err))
		}
		size[i] = len(b)
		if *outDir != "" {
			name := fmt.Sprintf("%d_%d_%d.%s", t.Z, t.X, t.Y, *format)
			if err := os.WriteFile(filepath.Join(*outDir, name), b, 0o644); err != nil {
				fail(err)
			}
		}
	}
	w := bufio.NewWriter(os.Stdout)
	for i, t := range tl {
		fmt.Fprintf(w, "%s %d %d\n", t, ns[i], size[i])
	}
	w.Flush()
}
