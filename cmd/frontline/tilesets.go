package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"golang.org/x/sync/singleflight"

	"github.com/frontlinemap/frontline/data"
	"github.com/frontlinemap/frontline/data/derive"
	"github.com/frontlinemap/frontline/data/sqlite"
	"github.com/frontlinemap/frontline/geo/scenario"
	"github.com/frontlinemap/frontline/tiles"
)

// Tile formats.
const (
	formatPNG = "png"
	formatMVT = "mvt"
)

// tileServer answers tile and TileJSON requests: it turns stored and derived
// layers into prepared tile sources (kept per tileset version) and renders
// tiles through a byte-budgeted cache.
type tileServer struct {
	db      *sqlite.DB
	derived *derive.Service
	cache   *tiles.Cache
	images  *tiles.Cache           // static images, by revision and request; memory only
	styles  map[string]tiles.Style // by raster style name; see rasterStyles
	flight  singleflight.Group
	cities  []data.City
	// onRender, if set, is told how long each render on a cache miss took;
	// format is "mvt", "png" or "png@2x".
	onRender func(kind, format string, d time.Duration)

	srcMu   sync.Mutex
	srcs    map[string]*tiles.Source // prepared sources by tileset version
	srcKeys []string                 // oldest first, for eviction
}

// maxSources bounds the prepared sources kept in memory (one per tileset,
// date and revision in use).
const maxSources = 24

// newTileServer renders tiles into a memory cache of cacheBytes and, when
// cacheDir is not empty, a persistent cache in that directory.
func newTileServer(db *sqlite.DB, derived *derive.Service, cacheBytes int64, cacheDir string) (*tileServer, error) {
	cities, err := data.Cities()
	if err != nil {
		return nil, err
	}
	styles := map[string]tiles.Style{}
	for _, dark := range []bool{false, true} {
		overlay := tiles.DefaultStyle(dark)
		opaque := tiles.DefaultStyle(dark)
		opaque.Background = tiles.DefaultPalette(dark).Sea
		suffix := ""
		if dark {
			suffix = "-dark"
		}
		styles["overlay"+suffix] = overlay
		styles["opaque"+suffix] = opaque
	}
	var disk *tiles.DiskCache
	if cacheDir != "" {
		if disk, err = tiles.NewDiskCache(cacheDir); err != nil {
			return nil, err
		}
	}
	// Static images get an eighth of the budget on top of the tiles': a
	// social card embedded in a story is asked for as often as a tile, and
	// took 0.65 s (social card) to 1 s (A4) to draw here.
	return &tileServer{db: db, derived: derived, cache: tiles.NewCache(cacheBytes, disk), images: tiles.NewCache(cacheBytes/8, nil),
		styles: styles, srcs: map[string]*tiles.Source{}, cities: cities}, nil
}

// tilesetKind splits a tileset id into its kind and, for scenarios, the scenario id.
func tilesetKind(id string) (kind, scenarioID string, err error) {
	switch {
	case id == "base" || id == "control" || id == "diff":
		return id, "", nil
	case strings.HasPrefix(id, "scenario-") && len(id) > len("scenario-"):
		return "scenario", strings.TrimPrefix(id, "scenario-"), nil
	}
	return "", "", fmt.Errorf("unknown tileset %q (want base, control, diff or scenario-ID): %w", id, data.ErrNotFound)
}

// version is what a tile URL pins: the data revision and, for dated
// tilesets, the date(s) of the line(s) drawn.
type version struct {
	Revision int64
	Date     data.Date // control and scenario tilesets
	From, To data.Date // diff
}

func (v version) String() string {
	return string(v.append(make([]byte, 0, 32)))
}

// append appends v as it appears in a tile path to b.
func (v version) append(b []byte) []byte {
	switch {
	case v.From != "":
		b = append(b, v.From...)
		b = append(b, '_')
		b = append(b, v.To...)
		b = append(b, '.')
	case v.Date != "":
		b = append(b, v.Date...)
		b = append(b, '.')
	}
	b = append(b, 'r')
	return strconv.AppendInt(b, v.Revision, 10)
}

// parseVersion parses the version part of a tile path for tileset kind.
func parseVersion(kind, s string) (version, error) {
	var v version
	dates, rev, ok := strings.Cut(s, ".r")
	if kind == "base" {
		rev, ok = strings.CutPrefix(s, "r")
		dates = ""
	}
	n, err := strconv.ParseInt(rev, 10, 64)
	if !ok || err != nil || n <= 0 {
		return v, fmt.Errorf("%w: tile version %q: want %s", data.ErrInvalid, s, versionForm(kind))
	}
	v.Revision = n
	switch kind {
	case "base":
	case "diff":
		from, to, ok := strings.Cut(dates, "_")
		if !ok {
			return v, fmt.Errorf("%w: tile version %q: want %s", data.ErrInvalid, s, versionForm(kind))
		}
		if v.From, err = data.ParseDate(from); err != nil {
			return v, err
		}
		if v.To, err = data.ParseDate(to); err != nil {
			return v, err
		}
	default:
		if v.Date, err = data.ParseDate(dates); err != nil {
			return v, err
		}
	}
	return v, nil
}

func versionForm(kind string) string {
	switch kind {
	case "base":
		return "rREVISION"
	case "diff":
		return "FROM_TO.rREVISION (dates YYYY-MM-DD)"
	}
	return "YYYY-MM-DD.rREVISION"
}

// resolved is a tileset version with what TileJSON reports about it.
type resolved struct {
	version
	AsOfNote    string
	Source      string
	Approximate bool
}

// resolve finds the version a TileJSON request means: the current revision
// and the lines in force on the requested dates (latest by default).
func (ts *tileServer) resolve(ctx context.Context, kind string, date, from, to data.Date) (resolved, error) {
	var r resolved
	rev, err := ts.db.Revision(ctx)
	if err != nil {
		return r, err
	}
	r.Revision = rev
	switch kind {
	case "base":
		return r, nil
	case "diff":
		dates, err := ts.db.Dates(ctx)
		if err != nil {
			return r, err
		}
		if len(dates) == 0 {
			return r, fmt.Errorf("no line of control is stored: %w", data.ErrNotFound)
		}
		if from == "" {
			from = dates[0].Date
			if len(dates) > 1 {
				from = dates[len(dates)-2].Date
			}
		}
		s1, err := ts.db.ResolveSnapshot(ctx, from)
		if err != nil {
			return r, err
		}
		s2, err := ts.db.ResolveSnapshot(ctx, to)
		if err != nil {
			return r, err
		}
		r.From, r.To = s1.Date, s2.Date
		r.Source = s2.Source
		r.Approximate = s1.Approximate || s2.Approximate
		if (from != "" && s1.Date != from) || (to != "" && s2.Date != to) {
			r.AsOfNote = fmt.Sprintf("requested %s..%s; no line on a requested date, so the nearest earlier lines are drawn", from, to)
		}
		return r, nil
	}
	s, err := ts.db.ResolveSnapshot(ctx, date)
	if err != nil {
		return r, err
	}
	r.Date, r.Source, r.Approximate = s.Date, s.Source, s.Approximate
	if date != "" && date != s.Date {
		r.AsOfNote = fmt.Sprintf("no line for %s; the nearest earlier line, %s, is drawn", date, s.Date)
	}
	return r, nil
}

// source returns the prepared tile source of a tileset version, building it
// once (layers in lon/lat from the store and the derived-results caches).
func (ts *tileServer) source(ctx context.Context, id, kind, scenarioID string, v version) (*tiles.Source, error) {
	return ts.sourceKept(ctx, id, kind, scenarioID, v, true)
}

// sourceKept is source that, when keep is false, builds a source it does
// not hold yet without keeping it: the frames of an animation, one tileset
// version each, would otherwise push every tileset's source out of the
// maxSources kept for tiles.
func (ts *tileServer) sourceKept(ctx context.Context, id, kind, scenarioID string, v version, keep bool) (*tiles.Source, error) {
	key := id + "/" + v.String()
	ts.srcMu.Lock()
	src, ok := ts.srcs[key]
	ts.srcMu.Unlock()
	if ok {
		return src, nil
	}
	if !keep {
		layers, err := ts.layers(ctx, kind, scenarioID, v)
		if err != nil {
			return nil, err
		}
		return tiles.NewSource(layers), nil
	}
	got, err, _ := ts.flight.Do(key, func() (any, error) {
		layers, err := ts.layers(ctx, kind, scenarioID, v)
		if err != nil {
			return nil, err
		}
		src := tiles.NewSource(layers)
		ts.srcMu.Lock()
		if len(ts.srcKeys) >= maxSources {
			delete(ts.srcs, ts.srcKeys[0])
			ts.srcKeys = ts.srcKeys[1:]
		}
		ts.srcs[key] = src
		ts.srcKeys = append(ts.srcKeys, key)
		ts.srcMu.Unlock()
		return src, nil
	})
	if err != nil {
		return nil, err
	}
	return got.(*tiles.Source), nil
}

// layers gathers a tileset's layers in drawing order.
func (ts *tileServer) layers(ctx context.Context, kind, scenarioID string, v version) ([]tiles.Layer, error) {
	switch kind {
	case "base":
		return ts.baseLayers(ctx)
	case "diff":
		var out []tiles.Layer
		for _, name := range []string{derive.LayerGained, derive.LayerLost} {
			g, res, err := ts.derived.ChangeLayer(ctx, v.From, v.To, name)
			if err != nil {
				return nil, err
			}
			out = append(out, oneFeature(name, g, map[string]any{"from": string(res.From.Date), "to": string(res.To.Date)}))
		}
		return out, nil
	case "control":
		return ts.scenarioLayers(ctx, "current", v.Date, []string{derive.LayerControl, derive.LayerLine}, nil)
	}
	current, _, err := ts.derived.ScenarioLayer(ctx, "current", v.Date, derive.LayerLine)
	if err != nil {
		return nil, err
	}
	extra := oneFeature("current_line", current, map[string]any{"date": string(v.Date)})
	return ts.scenarioLayers(ctx, scenarioID, v.Date,
		[]string{derive.LayerRussia, derive.LayerToRussia, derive.LayerToUkraine, derive.LayerLine}, &extra)
}

func (ts *tileServer) scenarioLayers(ctx context.Context, scenarioID string, date data.Date, names []string, extra *tiles.Layer) ([]tiles.Layer, error) {
	var out []tiles.Layer
	for _, name := range names {
		g, res, err := ts.derived.ScenarioLayer(ctx, scenarioID, date, name)
		if err != nil {
			return nil, err
		}
		out = append(out, oneFeature(name, g, map[string]any{
			"date": string(res.AsOf), "source": res.Line.Source, "approximate": res.Line.Approximate,
		}))
	}
	if extra != nil {
		out = append(out, *extra)
	}
	return out, nil
}

func (ts *tileServer) baseLayers(ctx context.Context) ([]tiles.Layer, error) {
	bs, err := ts.db.Boundaries(ctx, "")
	if err != nil {
		return nil, err
	}
	countries := tiles.Layer{Name: "countries"}
	oblasts := tiles.Layer{Name: "oblasts"}
	for _, b := range bs {
		f := tiles.Feature{Geometry: b.Geometry, Properties: map[string]any{"iso": b.ISO, "name_en": b.NameEN, "name_uk": b.NameUK}}
		if b.Kind == data.KindCountry {
			countries.Features = append(countries.Features, f)
		} else {
			oblasts.Features = append(oblasts.Features, f)
		}
	}
	cities := tiles.Layer{Name: "cities"}
	for _, c := range ts.cities {
		cities.Features = append(cities.Features, tiles.Feature{Geometry: orb.Point{c.Lon, c.Lat},
			Properties: map[string]any{"name_en": c.NameEN, "name_uk": c.NameUK, "pop_class": c.PopClass}})
	}
	// Label places are decided once for the whole layer, so labels never
	// overlap and read the same on both sides of a tile edge.
	return []tiles.Layer{countries, oblasts, tiles.PlaceLabels(cities, ts.styles["opaque"])}, nil
}

func oneFeature(name string, g orb.Geometry, props map[string]any) tiles.Layer {
	l := tiles.Layer{Name: name}
	if isNonEmpty(g) {
		l.Features = []tiles.Feature{{Geometry: g, Properties: props}}
	}
	return l
}

// isNonEmpty reports whether g has any coordinates.
func isNonEmpty(g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.MultiPolygon:
		return len(g) > 0
	case orb.MultiLineString:
		return len(g) > 0
	case nil:
		return false
	}
	return true
}

// Raster styles, the optional part of a PNG tile name ({y}{r}.{style}.png):
// "" light, "dark", and "combined" / "combined-dark", which draw the base map
// under the overlay in one opaque image for users who want one URL.
var rasterStyles = []string{"", "dark", "combined", "combined-dark"}

// styleAllowed reports whether style (a raster style name) may go with
// tiles of format: only PNG tiles have styles.
func styleAllowed(format, style string) bool {
	return style == "" || (format == formatPNG && slices.Contains(rasterStyles, style))
}

// tilesetName names a tileset in TileJSON and in archive metadata.
func (ts *tileServer) tilesetName(ctx context.Context, kind, scenarioID string) (string, error) {
	if kind != "scenario" {
		return "Frontline", nil
	}
	sc, err := ts.db.Scenario(ctx, scenarioID)
	if err != nil {
		return "", err
	}
	return "Frontline: " + sc.Title, nil
}

// Descriptions of tilesets in /tiles.json, TileJSON and archive metadata.
const baseDescription = "Base map: Ukraine's oblasts, neighbouring countries, cities"

func diffDescription(from, to data.Date) string {
	return fmt.Sprintf("Land gained (Russian advances) and lost between %s and %s", from, to)
}

// tileRequest is one tile of one tileset version in one format.
type tileRequest struct {
	ID      string
	Version version
	Tile    tiles.Tile
	Format  string // formatPNG or formatMVT
	Size    int    // PNG width in pixels: 256, or 512 for @2x
	Style   string // PNG only: one of rasterStyles
}

// formatLabel names the request's format in metrics: "mvt", "png" or "png@2x".
func (r tileRequest) formatLabel() string {
	if r.Format == formatPNG && r.Size > tiles.RasterTileSize {
		return "png@2x"
	}
	return r.Format
}

// key names the rendered tile in the cache.
// It is built by appending, not fmt, because every cached tile request makes one.
func (r tileRequest) key() string {
	b := make([]byte, 0, 96)
	b = append(b, r.ID...)
	b = append(b, '/')
	b = r.Version.append(b)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(r.Tile.Z), 10)
	b = append(b, '/')
	b = strconv.AppendUint(b, uint64(r.Tile.X), 10)
	b = append(b, '/')
	b = strconv.AppendUint(b, uint64(r.Tile.Y), 10)
	b = append(b, '/')
	b = append(b, r.Format...)
	b = append(b, '@')
	b = strconv.AppendInt(b, int64(r.Size), 10)
	b = append(b, '.')
	b = append(b, r.Style...)
	return string(b)
}

// cached returns a tile still in memory and its ETag, whatever its revision:
// a tile URL never changes meaning, so its bytes stay right for that URL.
// Answering from memory needs no database read.
func (ts *tileServer) cached(r tileRequest) ([]byte, string, bool) {
	return ts.cache.GetWithETag(r.key())
}

// tile renders one tile and returns it with its ETag; the revision must be current.
func (ts *tileServer) tile(ctx context.Context, r tileRequest) ([]byte, string, error) {
	kind, scenarioID, err := tilesetKind(r.ID)
	if err != nil {
		return nil, "", err
	}
	rev, err := ts.db.Revision(ctx)
	if err != nil {
		return nil, "", err
	}
	if r.Version.Revision != rev {
		return nil, "", fmt.Errorf("tile URL is for data revision %d, the data is now at revision %d: fetch /tiles/%s.json again: %w", r.Version.Revision, rev, r.ID, data.ErrNotFound)
	}
	return ts.cache.GetOrRender(r.key(), func() ([]byte, error) {
		if ts.onRender != nil {
			defer func(start time.Time) { ts.onRender(kind, r.formatLabel(), time.Since(start)) }(time.Now())
		}
		return ts.render(ctx, kind, scenarioID, r)
	})
}

// render draws one tile, uncached, without checking the revision: the
// server's tiles and exported archives both come from here, so an archive
// holds the bytes a tile URL answers.
func (ts *tileServer) render(ctx context.Context, kind, scenarioID string, r tileRequest) ([]byte, error) {
	src, err := ts.source(ctx, r.ID, kind, scenarioID, r.Version)
	if err != nil {
		return nil, err
	}
	if r.Format == formatMVT {
		return tiles.EncodeMVT(src.Tile(r.Tile, tiles.MVTExtent, tiles.MVTBufferPx), tiles.MVTExtent)
	}
	buffer := tiles.LabelBufferPx * r.Size / tiles.RasterTileSize
	layers := src.Tile(r.Tile, r.Size, buffer)
	dark := strings.HasSuffix(r.Style, "dark")
	opaque := kind == "base" || strings.HasPrefix(r.Style, "combined")
	if kind != "base" && opaque {
		baseSrc, err := ts.source(ctx, "base", "base", "", version{Revision: r.Version.Revision})
		if err != nil {
			return nil, err
		}
		layers = append(baseSrc.Tile(r.Tile, r.Size, buffer), layers...)
	}
	name := "overlay"
	if opaque {
		name = "opaque"
	}
	if dark {
		name += "-dark"
	}
	return tiles.RenderPNG(layers, ts.styles[name], r.Tile, r.Size)
}

// openTileServer opens the database of a one-shot command (export,
// render) with the tile server over it; close closes the database.
func openTileServer(ctx context.Context, path string) (ts *tileServer, close func() error, err error) {
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return nil, nil, err
	}
	ts, err = newTileServer(db, derive.New(db, scenario.Options{}), 0, "")
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return ts, db.Close, nil
}
