package main

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/frontlinemap/frontline/data"
	"github.com/frontlinemap/frontline/data/derive"
	"github.com/frontlinemap/frontline/tiles"
)

// tilesetEntry is one object of GET /tiles.json.
type tilesetEntry struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Format string `json:"format"`
	URL    string `json:"url"`
}

// tilesets answers GET /tiles.json: every tileset in both formats.
func (s *server) tilesets(c echo.Context) error {
	scenarios, err := s.db.Scenarios(c.Request().Context())
	if err != nil {
		return err
	}
	type named struct{ id, name string }
	list := []named{
		{"base", baseDescription},
		{"control", "Russian-held area and line of contact"},
		{"diff", "Land gained and lost between two dates"},
	}
	sort.Slice(scenarios, func(i, j int) bool { return scenarios[i].ID < scenarios[j].ID })
	for _, sc := range scenarios {
		list = append(list, named{"scenario-" + sc.ID, "Scenario: " + sc.Title})
	}
	base := s.baseURL(c)
	out := make([]tilesetEntry, 0, 2*len(list))
	for _, t := range list {
		for _, f := range []string{formatPNG, formatMVT} {
			out = append(out, tilesetEntry{ID: t.id, Name: t.name, Format: f, URL: base + "/tiles/" + t.id + ".json?format=" + f})
		}
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, out)
}

// tileJSON answers GET /tiles/{id}.json?format=png|mvt&date=|from=&to=.
func (s *server) tileJSON(c echo.Context) error {
	ctx := c.Request().Context()
	id, ok := strings.CutSuffix(c.Param("file"), ".json")
	if !ok {
		return fmt.Errorf("%w: want /tiles/{id}.json", data.ErrNotFound)
	}
	kind, scenarioID, err := tilesetKind(id)
	if err != nil {
		return err
	}
	format := c.QueryParam("format")
	if format == "" {
		format = formatPNG
	}
	if format != formatPNG && format != formatMVT {
		return fmt.Errorf("%w: format %q: want png or mvt", data.ErrInvalid, format)
	}
	style := c.QueryParam("style")
	if !styleAllowed(format, style) {
		return fmt.Errorf("%w: style %q: want dark, combined or combined-dark, with format png", data.ErrInvalid, style)
	}
	date, err := optionalDate(c, "date")
	if err != nil {
		return err
	}
	from, to, err := optionalFromTo(c)
	if err != nil {
		return err
	}
	name, err := s.tiles.tilesetName(ctx, kind, scenarioID)
	if err != nil {
		return err
	}
	r, err := s.tiles.resolve(ctx, kind, date, from, to)
	if err != nil {
		return err
	}
	// Derive the layers now, so that no tile request has to.
	if _, err := s.tiles.source(ctx, id, kind, scenarioID, r.version); err != nil {
		return err
	}
	dates, err := s.db.Dates(ctx)
	if err != nil {
		return err
	}
	tj := tiles.TileJSON{
		TileJSON: "3.0.0", Name: name, Version: "1.0.0", Scheme: "xyz",
		Attribution: attribution(kind, r),
		MinZoom:     0, MaxZoom: tiles.MaxZoom, Bounds: tiles.UkraineBounds, Center: tiles.FourOblastsCenter,
		AsOf: string(r.Date), AsOfNote: r.AsOfNote, Source: r.Source, Approximate: r.Approximate, Revision: r.Revision,
	}
	if kind == "diff" {
		tj.AsOf = string(r.To)
		tj.Description = diffDescription(r.From, r.To)
	}
	for _, d := range dates {
		tj.ValidDates = append(tj.ValidDates, string(d.Date))
	}
	path := s.baseURL(c) + "/tiles/" + id + "/" + r.version.String() + "/{z}/{x}/{y}"
	if format == formatMVT {
		tj.Format = "pbf"
		tj.Tiles = []string{path + ".mvt"}
		tj.VectorLayers = vectorLayers(kind)
	} else {
		tj.Format = "png"
		if style != "" {
			style = "." + style
		}
		tj.Tiles = []string{path + "{r}" + style + ".png"}
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, tj)
}

// tile answers GET /tiles/{id}/{version}/{z}/{x}/{y}.mvt|.png|@2x.png.
func (s *server) tile(c echo.Context) error {
	req, err := parseTilePath(c.Param("id"), c.Param("version"), c.Param("z"), c.Param("x"), c.Param("y"))
	if err != nil {
		return err
	}
	b, tag, ok := s.tiles.cached(req)
	if !ok {
		if b, tag, err = s.tiles.tile(c.Request().Context(), req); err != nil {
			return err
		}
	}
	h := c.Response().Header()
	setTileValidators(h, tag)
	if match := c.Request().Header.Get("If-None-Match"); match != "" && strings.Contains(match, tag) {
		return c.NoContent(http.StatusNotModified)
	}
	setTileContent(h, req, len(b))
	c.Response().WriteHeader(http.StatusOK)
	_, err = c.Response().Write(b)
	return err
}

// parseTilePath reads the parts of /tiles/{id}/{version}/{z}/{x}/{y}.
func parseTilePath(id, version, zs, xs, name string) (tileRequest, error) {
	kind, _, err := tilesetKind(id)
	if err != nil {
		return tileRequest{}, err
	}
	v, err := parseVersion(kind, version)
	if err != nil {
		return tileRequest{}, err
	}
	req, yPart, err := parseTileName(name)
	if err != nil {
		return tileRequest{}, err
	}
	z, errZ := strconv.Atoi(zs)
	x, errX := strconv.Atoi(xs)
	y, errY := strconv.Atoi(yPart)
	if errZ != nil || errX != nil || errY != nil {
		return tileRequest{}, fmt.Errorf("%w: tile %s/%s/%s: z, x and y must be integers", data.ErrInvalid, zs, xs, yPart)
	}
	if req.Tile, err = tiles.ParseTile(z, x, y); err != nil {
		return tileRequest{}, fmt.Errorf("%w: %v", data.ErrInvalid, err)
	}
	req.ID, req.Version = id, v
	return req, nil
}

// setTileValidators sets the caching headers of a tile (also on a 304).
func setTileValidators(h http.Header, etag string) {
	h["Etag"] = []string{etag}
	h["Cache-Control"] = cacheImmutable
}

// setTileContent describes a tile's body of n bytes. An explicit length
// sends the answer in one piece, not chunked.
func setTileContent(h http.Header, req tileRequest, n int) {
	h["Content-Length"] = []string{strconv.Itoa(n)}
	if req.Format == formatMVT {
		h["Content-Type"] = contentTypeMVT
	} else {
		h["Content-Type"] = contentTypePNG
	}
}

// Header values of tile responses, shared (never modified) so that a cached
// tile is answered without allocating them.
var (
	cacheImmutable = []string{"public, max-age=31536000, immutable"}
	contentTypeMVT = []string{"application/vnd.mapbox-vector-tile"}
	contentTypePNG = []string{"image/png"}
)

// parseTileName reads the last part of a tile path: {y}.mvt, or
// {y}[@2x][.{style}].png with a style of rasterStyles. It returns the
// request's format, size and style, and the {y} text.
func parseTileName(name string) (tileRequest, string, error) {
	var r tileRequest
	bad := func() error {
		return fmt.Errorf("%w: tile %q: want {y}.mvt or {y}[@2x][.dark|.combined|.combined-dark].png", data.ErrNotFound, name)
	}
	if y, ok := strings.CutSuffix(name, ".mvt"); ok {
		r.Format = formatMVT
		return r, y, nil
	}
	rest, ok := strings.CutSuffix(name, ".png")
	if !ok {
		return r, "", bad()
	}
	r.Format, r.Size = formatPNG, tiles.RasterTileSize
	rest, r.Style, _ = strings.Cut(rest, ".")
	if !slices.Contains(rasterStyles, r.Style) {
		return r, "", bad()
	}
	if y, ok := strings.CutSuffix(rest, "@2x"); ok {
		rest, r.Size = y, 2*tiles.RasterTileSize
	}
	return r, rest, nil
}

// baseURL is the public origin of this server: the configured one, or the
// one the client used, honouring a reverse proxy's X-Forwarded-Proto/-Host.
func (s *server) baseURL(c echo.Context) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	req := c.Request()
	scheme := "http"
	if req.TLS != nil {
		scheme = "https"
	}
	if p := req.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	host := req.Host
	if h := req.Header.Get("X-Forwarded-Host"); h != "" && !strings.ContainsAny(h, "/ \\\"<>") {
		host = strings.TrimSpace(strings.Split(h, ",")[0])
	}
	return scheme + "://" + host
}

func optionalFromTo(c echo.Context) (from, to data.Date, err error) {
	if from, err = optionalDate(c, "from"); err != nil {
		return
	}
	to, err = optionalDate(c, "to")
	return
}

func attribution(kind string, r resolved) string {
	a := "Boundaries: Natural Earth (public domain)"
	if kind != "base" {
		a += "; line of control: " + r.Source
		if r.Approximate {
			a += " (APPROXIMATE demonstration data, not a survey)"
		}
	}
	return a + "; Frontline"
}

func vectorLayers(kind string) []tiles.VectorLayer {
	line := map[string]string{"date": "date of the line (YYYY-MM-DD)", "source": "who published the line", "approximate": "true for hand-drawn demonstration data"}
	layer := func(id, desc string, fields map[string]string) tiles.VectorLayer {
		return tiles.VectorLayer{ID: id, Description: desc, Fields: fields, MinZoom: 0, MaxZoom: tiles.MaxZoom}
	}
	switch kind {
	case "base":
		names := map[string]string{"iso": "ISO 3166 code", "name_en": "English name", "name_uk": "Ukrainian name"}
		return []tiles.VectorLayer{
			layer("countries", "neighbouring countries", names),
			layer("oblasts", "Ukraine's 27 first-level units", names),
			layer("cities", "city points for labels", map[string]string{"name_en": "English name", "name_uk": "Ukrainian name",
				"pop_class":        "1 capital or over 1 M, 2 over 250k, 3 over 50k, 4 smaller",
				"label_zooms":      "bit z set: the label shows at zoom z without overlapping others",
				"label_left_zooms": "bit z set: at zoom z the label goes left of its point"}),
		}
	case "control":
		return []tiles.VectorLayer{
			layer(derive.LayerControl, "Russian-held area on the date", line),
			layer(derive.LayerLine, "line of contact (without the border and coast)", line),
		}
	case "diff":
		ft := map[string]string{"from": "first date", "to": "last date"}
		return []tiles.VectorLayer{
			layer(derive.LayerGained, "land Russia took between the dates", ft),
			layer(derive.LayerLost, "land Russia lost between the dates", ft),
		}
	}
	return []tiles.VectorLayer{
		layer(derive.LayerRussia, "area Russia would hold after the deal", line),
		layer(derive.LayerToRussia, "land Ukraine would cede (slivers absorbed)", line),
		layer(derive.LayerToUkraine, "land Russia would return (slivers absorbed)", line),
		layer(derive.LayerLine, "line of contact after the deal", line),
		layer("current_line", "today's line of contact, for reference", map[string]string{"date": "date of the line"}),
	}
}
