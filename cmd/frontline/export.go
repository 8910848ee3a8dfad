package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/frontlinemap/frontline/data"
	"github.com/frontlinemap/frontline/data/sqlite"
	"github.com/frontlinemap/frontline/tiles"
	"github.com/frontlinemap/frontline/tiles/archive"
)

// exportConfig is the configuration of the export command.
type exportConfig struct {
	DB             string
	Tileset        string
	Date, From, To string
	Format         string // archive.PMTiles or archive.MBTiles; "" takes the output's extension
	Tiles          string // png, png@2x or mvt
	Style          string // PNG style: "", dark, combined, combined-dark
	MinZoom        int
	MaxZoom        int
	BBox           string // minlon,minlat,maxlon,maxlat, or "" for the four oblasts
	Out            string
	Workers        int
}

// exportPlan is a checked configuration.
type exportPlan struct {
	kind, scenarioID string
	date, from, to   data.Date
	format           archive.Format
	req              tileRequest // format, size and style of every tile
	bbox             *[4]float64 // nil: the four oblasts
}

// Validate checks the flags and turns them into a plan; every problem is a
// usage error.
func (c exportConfig) Validate() (exportPlan, error) {
	var p exportPlan
	bad := func(format string, args ...any) (exportPlan, error) {
		return p, fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
	}
	if c.Tileset == "" {
		return bad("--tileset is required: base, control, diff or scenario-ID (the ids of /tiles.json)")
	}
	var err error
	if p.kind, p.scenarioID, err = tilesetKind(c.Tileset); err != nil {
		return bad("--tileset %q: want base, control, diff or scenario-ID (the ids of /tiles.json)", c.Tileset)
	}
	if c.Out == "" {
		return bad("-o FILE is required")
	}
	switch {
	case c.Format != "":
		p.format = archive.Format(c.Format)
		if p.format != archive.PMTiles && p.format != archive.MBTiles {
			return bad("--format %q: want pmtiles or mbtiles", c.Format)
		}
	default:
		f, ok := archive.FormatOf(c.Out)
		if !ok {
			return bad("-o %s: name the format with --format pmtiles|mbtiles or a .pmtiles/.mbtiles extension", c.Out)
		}
		p.format = f
	}
	switch c.Tiles {
	case "png":
		p.req = tileRequest{Format: formatPNG, Size: tiles.RasterTileSize}
	case "png@2x":
		p.req = tileRequest{Format: formatPNG, Size: 2 * tiles.RasterTileSize}
	case "mvt":
		p.req = tileRequest{Format: formatMVT}
	default:
		return bad("--tiles %q: want png, png@2x or mvt", c.Tiles)
	}
	if !styleAllowed(p.req.Format, c.Style) {
		return bad("--style %q: want dark, combined or combined-dark, with --tiles png or png@2x", c.Style)
	}
	p.req.Style = c.Style
	if p.kind == "base" && strings.HasPrefix(c.Style, "combined") {
		return bad("--style %s draws the base map under an overlay: the base tileset has no overlay; use --style dark or none", c.Style)
	}
	dated := p.kind == "control" || p.kind == "scenario"
	if c.Date != "" {
		if !dated {
			if p.kind == "diff" {
				return bad("--date is for the control and scenario-* tilesets; diff takes --from and --to")
			}
			return bad("--date is for the control and scenario-* tilesets; base has no date")
		}
		if p.date, err = data.ParseDate(c.Date); err != nil {
			return bad("--date: %v", err)
		}
	}
	if c.From != "" || c.To != "" {
		if p.kind != "diff" {
			return bad("--from and --to are for the diff tileset; use --date with %s", c.Tileset)
		}
		if c.From != "" {
			if p.from, err = data.ParseDate(c.From); err != nil {
				return bad("--from: %v", err)
			}
		}
		if c.To != "" {
			if p.to, err = data.ParseDate(c.To); err != nil {
				return bad("--to: %v", err)
			}
		}
	}
	if c.MinZoom < 0 || c.MaxZoom > tiles.MaxZoom || c.MinZoom > c.MaxZoom {
		return bad("--minzoom %d --maxzoom %d: want 0 <= minzoom <= maxzoom <= %d", c.MinZoom, c.MaxZoom, tiles.MaxZoom)
	}
	if c.BBox != "" {
		// The API's parser, so that --bbox reads like ?bbox=.
		b, err := parseBBox(c.BBox)
		if err != nil {
			return bad("--%s", strings.TrimPrefix(err.Error(), data.ErrInvalid.Error()+": "))
		}
		if b.Min[0] == b.Max[0] || b.Min[1] == b.Max[1] {
			return bad("--bbox %q has no area", c.BBox)
		}
		p.bbox = &[4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	}
	if c.Workers < 1 {
		return bad("--workers must be at least 1")
	}
	return p, nil
}

func exportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", "export --tileset ID [--date D | --from D --to D] [--tiles png|png@2x|mvt] [--minzoom N] [--maxzoom N] [--bbox minlon,minlat,maxlon,maxlat] [--format pmtiles|mbtiles] -o FILE", stderr)
	var c exportConfig
	fs.StringVar(&c.DB, "db", envOr("FRONTLINE_DB", "frontline.db"), dbUsage)
	fs.StringVar(&c.Tileset, "tileset", "", "tileset `id` as in /tiles.json: base, control, diff or scenario-ID")
	fs.StringVar(&c.Date, "date", "", "date of the line (control, scenario-*): `YYYY-MM-DD`; without a line that day the nearest earlier one; default the latest")
	fs.StringVar(&c.From, "from", "", "first date (diff), `YYYY-MM-DD`; default the line before the last")
	fs.StringVar(&c.To, "to", "", "last date (diff), `YYYY-MM-DD`; default the latest")
	fs.StringVar(&c.Format, "format", "", "archive format: pmtiles or mbtiles (default: from the extension of -o)")
	fs.StringVar(&c.Tiles, "tiles", "png", "tile format: png (256 px), png@2x (512 px) or mvt")
	fs.StringVar(&c.Style, "style", "", "PNG style: dark, combined or combined-dark (as the .dark.png etc. tile URLs)")
	fs.IntVar(&c.MinZoom, "minzoom", 0, "first zoom")
	fs.IntVar(&c.MaxZoom, "maxzoom", 10, fmt.Sprintf("last zoom (at most %d)", tiles.MaxZoom))
	fs.StringVar(&c.BBox, "bbox", "", "area `minlon,minlat,maxlon,maxlat` (default: the bounding box of Donetsk, Luhansk, Zaporizhzhia and Kherson oblasts)")
	fs.StringVar(&c.Out, "o", "", "output `file`, written atomically (a temporary file beside it, renamed when complete)")
	fs.IntVar(&c.Workers, "workers", runtime.NumCPU(), "tiles rendered in parallel")
	if rest, err := parseInterspersed(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return fmt.Errorf("%w: export takes no arguments, got %q", errUsage, rest)
	}
	p, err := c.Validate()
	if err != nil {
		return err
	}

	ts, closeDB, err := openTileServer(ctx, c.DB)
	if err != nil {
		return err
	}
	defer closeDB()
	res, err := exportTiles(ctx, ts, c, p, stderr)
	if err != nil {
		return fmt.Errorf("export %s: %w", c.Tileset, err)
	}
	fmt.Fprintf(stdout, "wrote %s: %s %s z%d-%d, %s (%d distinct), %s left out as empty, %s in %.1f s\n",
		c.Out, c.Tileset, res.version, c.MinZoom, c.MaxZoom, plural(res.stats.Tiles, "tile"), res.stats.Contents,
		plural(res.empty, "tile"), byteSize(res.stats.Bytes), res.elapsed.Seconds())
	return nil
}

// exportResult is what an export did.
type exportResult struct {
	version version
	stats   archive.Stats
	empty   int // tiles left out because they are empty
	elapsed time.Duration
}

// exportTiles renders every tile of the plan with the server's renderer and
// writes the archive.
func exportTiles(ctx context.Context, ts *tileServer, c exportConfig, p exportPlan, stderr io.Writer) (exportResult, error) {
	var out exportResult
	start := time.Now()
	name, err := ts.tilesetName(ctx, p.kind, p.scenarioID)
	if err != nil {
		return out, err
	}
	r, err := ts.resolve(ctx, p.kind, p.date, p.from, p.to)
	if err != nil {
		return out, err
	}
	if r.AsOfNote != "" {
		fmt.Fprintf(stderr, "note: %s\n", r.AsOfNote)
	}
	bounds := p.bbox
	if bounds == nil {
		b, err := oblastBounds(ctx, ts.db, tiles.FourOblasts[:])
		if err != nil {
			return out, err
		}
		bounds = &b
	}
	out, err = writeExport(ctx, ts, c, p, r, exportMetadata(c, p, r, name, *bounds), stderr)
	out.elapsed = time.Since(start)
	return out, err
}

// writeExport renders the tiles of version r that meet md.Bounds and
// writes them into the archive, which it renames into place only when the
// data is still at revision r.
func writeExport(ctx context.Context, ts *tileServer, c exportConfig, p exportPlan, r resolved, md archive.Metadata, stderr io.Writer) (exportResult, error) {
	out := exportResult{version: r.version}
	// Derive the layers before the clock of the progress bar starts.
	if _, err := ts.source(ctx, c.Tileset, p.kind, p.scenarioID, r.version); err != nil {
		return out, err
	}
	list := archive.TilesIn(md.Bounds, c.MinZoom, c.MaxZoom)
	var err error

	// The tile a tile URL answers when nothing is drawn: an empty MVT or a
	// transparent PNG. Archives leave these out (a missing tile is empty to
	// PMTiles and MBTiles readers); opaque tiles (base map, combined
	// styles) are never this tile, so sea tiles are kept.
	var empty []byte
	if p.req.Format == formatPNG {
		if empty, err = tiles.RenderPNG(nil, tiles.Style{}, tiles.Tile{}, p.req.Size); err != nil {
			return out, err
		}
	}

	w, err := archive.Create(c.Out, p.format, md)
	if err != nil {
		return out, err
	}
	committed := false
	defer func() {
		if !committed {
			w.Abort()
		}
	}()
	bar := newProgress(stderr, len(list), "exporting "+c.Tileset)
	defer bar.Close()
	req := p.req
	req.ID, req.Version = c.Tileset, r.version
	err = renderOrdered(ctx, len(list), c.Workers,
		func(ctx context.Context, i int) ([]byte, error) {
			tr := req
			tr.Tile = list[i]
			b, err := ts.render(ctx, p.kind, p.scenarioID, tr)
			if err != nil {
				return nil, fmt.Errorf("tile %s: %w", tr.Tile, err)
			}
			return b, nil
		},
		func(i int, b []byte) error {
			bar.Add(1)
			if len(b) == 0 || (empty != nil && bytes.Equal(b, empty)) {
				out.empty++
				return nil
			}
			return w.Add(list[i], b)
		})
	if err != nil {
		return out, err
	}
	// The layers were read at the start; an import since then would make
	// the archive disagree with its revision.
	rev, err := ts.db.Revision(ctx)
	if err != nil {
		return out, err
	}
	if rev != r.Revision {
		return out, fmt.Errorf("the data changed during the export (revision %d, now %d): export again", r.Revision, rev)
	}
	if err := w.Commit(); err != nil {
		return out, err
	}
	committed = true
	out.stats = w.Stats()
	return out, nil
}

// exportMetadata describes the archive as the tileset's TileJSON does.
func exportMetadata(c exportConfig, p exportPlan, r resolved, name string, b [4]float64) archive.Metadata {
	md := archive.Metadata{
		Name:        name,
		Attribution: attribution(p.kind, r),
		Version:     "1.0.0",
		Type:        "overlay",
		Content:     archive.ContentPNG,
		Bounds:      b,
		Center:      [3]float64{(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, float64(min(max(6, c.MinZoom), c.MaxZoom))},
		MinZoom:     c.MinZoom,
		MaxZoom:     c.MaxZoom,
		Extra: map[string]any{
			"tileset": c.Tileset, "tile_version": r.version.String(), "revision": r.Revision,
			"approximate": r.Approximate, "generator": "frontline export",
		},
	}
	if p.kind == "base" || strings.HasPrefix(p.req.Style, "combined") {
		md.Type = "baselayer"
	}
	if p.req.Format == formatMVT {
		md.Content = archive.ContentMVT
		md.VectorLayers = vectorLayers(p.kind)
	} else {
		md.Extra["tile_size"] = p.req.Size
		if p.req.Style != "" {
			md.Extra["style"] = p.req.Style
		}
	}
	switch p.kind {
	case "base":
		md.Description = baseDescription
	case "diff":
		md.Description = diffDescription(r.From, r.To)
		md.Extra["as_of"], md.Extra["from"], md.Extra["to"] = string(r.To), string(r.From), string(r.To)
	default:
		md.Description = fmt.Sprintf("%s on the line of %s", name, r.Date)
		md.Extra["as_of"] = string(r.Date)
	}
	if r.Source != "" {
		md.Extra["source"] = r.Source
	}
	return md
}

// oblastBounds is the lon/lat bounding box of the stored units with the
// given ISO codes, an error when none is stored.
func oblastBounds(ctx context.Context, db *sqlite.DB, isos []string) ([4]float64, error) {
	b, ok, err := unitsBound(ctx, db, isos)
	if err != nil {
		return [4]float64{}, err
	}
	if !ok {
		return [4]float64{}, fmt.Errorf("none of the units %s is stored, so there is no default area: give --bbox", strings.Join(isos, ", "))
	}
	return [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}, nil
}

// renderOrdered renders items 0..n-1 on workers goroutines and hands the
// results to write in index order, from one goroutine, as soon as each is
// next in line; at most a few items per worker wait, so memory stays small
// however many tiles there are. The first error of render or write stops
// the rest and is returned; so is ctx's error when it ends first.
func renderOrdered(ctx context.Context, n, workers int, render func(context.Context, int) ([]byte, error), write func(int, []byte) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		i   int
		b   []byte
		err error
	}
	window := 4 * workers
	slots := make(chan struct{}, window) // taken when dispatched, freed when written
	jobs := make(chan int)
	results := make(chan result, window)
	go func() {
		defer close(jobs)
		for i := 0; i < n; i++ {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				if ctx.Err() != nil {
					results <- result{i: i, err: ctx.Err()}
					continue
				}
				b, err := render(ctx, i)
				results <- result{i, b, err}
			}
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	var firstErr error
	pending := map[int][]byte{}
	next := 0
	for res := range results {
		if firstErr != nil {
			continue // draining
		}
		if res.err != nil {
			firstErr = res.err
			cancel()
			continue
		}
		pending[res.i] = res.b
		for {
			b, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			if err := write(next, b); err != nil {
				firstErr = err
				cancel()
				break
			}
			next++
			<-slots
		}
	}
	if firstErr == nil && next < n {
		firstErr = ctx.Err()
		if firstErr == nil {
			firstErr = errors.New("rendering stopped early")
		}
	}
	return firstErr
}

// byteSize formats a size for people: 1.5 MiB.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
