package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/frontlinemap/frontline/data"
	"github.com/frontlinemap/frontline/data/derive"
	"github.com/frontlinemap/frontline/data/sqlite"
	"github.com/frontlinemap/frontline/static"
)

// server translates HTTP requests into store calls; it holds no geometry logic.
type server struct {
	db        *sqlite.DB
	derived   *derive.Service
	tiles     *tileServer
	publicURL string // origin for URLs in TileJSON, "" to take it from each request
	log       *slog.Logger
	access    *accessLog
	echo      *echo.Echo
	metrics   *metrics
	draining  atomic.Bool // shutting down: /readyz answers 503
	requestID func() string
}

// routeHook lets tests add routes (a handler that panics, say) to a real
// server, whatever its options.
var routeHook func(*echo.Echo)

// newServer returns the HTTP handler of frontline serve. It logs JSON lines
// to logs, one per request and one per error.
func newServer(db *sqlite.DB, derived *derive.Service, ts *tileServer, publicURL string, logs io.Writer, opts ...serverOption) *server {
	logs = syncWriter(logs)
	s := &server{db: db, derived: derived, tiles: ts, publicURL: strings.TrimSuffix(publicURL, "/"),
		log: slog.New(slog.NewJSONHandler(logs, nil)), access: newAccessLog(logs), metrics: newMetrics(db, ts.cache)}
	ts.onRender = s.metrics.observeRender
	e := echo.New()
	s.echo = e
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	s.requestID = newRequestIDs()
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: s.requestID}))
	// The logger turns a handler's error into its response (HandleError)
	// before logging, so the logged status is the one sent; Recover runs
	// inside it, so a panic is logged as a 500 request too. It also feeds
	// the request metrics.
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod: true, LogURI: true, LogStatus: true, LogLatency: true, LogRequestID: true, LogResponseSize: true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			s.metrics.request(c.Path(), v.Method, v.Status, v.Latency)
			s.access.write(time.Now(), v.RequestID, v.Method, v.URI, v.Status, v.ResponseSize, v.Latency)
			return nil
		},
	}))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, StackSize: 8 << 10, // the stack goes to LogErrorFunc, never to the client
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic", "id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err.Error(), "stack", string(stack))
			return err
		}}))
	e.Use(securityHeaders) // inside the logger: its refusals are logged too
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{Skipper: skipGzip, MinLength: 1024}))

	readRoute(e, "/healthz", s.healthz)
	readRoute(e, "/readyz", s.readyz)
	readRoute(e, "/metrics", s.metrics.handler(s.log))
	api := e.Group("/api", s.cors)
	readRoute(api, "/boundaries", s.boundaries)
	readRoute(api, "/dates", s.dates)
	readRoute(api, "/control", s.control)
	readRoute(api, "/scenarios", s.scenarios)
	readRoute(api, "/scenarios/:id", s.scenario)
	readRoute(api, "/scenarios/:id/layers/:layer", s.scenarioLayer)
	readRoute(api, "/change", s.change)
	readRoute(api, "/change.csv", s.change)
	readRoute(api, "/change/layers/:layer", s.changeLayer)
	readRoute(api, "/series", s.series)
	readRoute(api, "/series.csv", s.series)
	// Not a group: a group with middleware and prefix "" would claim every
	// unmatched path, the static files' included.
	readRoute(e, "/tiles.json", s.tilesets, s.cors)
	readRoute(e, "/tiles/:file", s.tileJSON, s.cors)
	readRoute(e, tileRoute, s.tile, s.cors)
	readRoute(e, "/static/:style/:view/:file", s.staticImage, s.cors)
	readRoute(e, "/legend/:file", s.legend, s.cors)
	readRoute(e, "/embed", s.embedPage)
	// Browsers ask for /favicon.ico on pages that are not HTML (a tile, a CSV).
	readRoute(e, "/favicon.ico", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/favicon.svg") })
	readRoute(e, "/*", echo.WrapHandler(http.FileServer(http.FS(noDirs{static.Files}))))
	for _, o := range opts {
		o(e, s)
	}
	if routeHook != nil {
		routeHook(e)
	}
	return s
}

// readRouter is an echo.Echo or an echo.Group.
type readRouter interface {
	GET(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	HEAD(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}

// readRoute registers a read-only route for GET and HEAD: link checkers and
// CDNs probe with HEAD, and net/http sends the headers without the body.
func readRoute(r readRouter, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	r.GET(path, h, m...)
	r.HEAD(path, h, m...)
}

// skipGzip leaves out of compression what is compressed already (PNG and
// GIF tiles and images), vector tiles (answered from the cache as they are,
// without a copy), ranges (a range of a compressed body is not the range
// asked for) and /metrics (which compresses itself). Text (the viewer's
// files, JSON, CSV, SVG) is compressed: it is most of a page's weight.
func skipGzip(c echo.Context) bool {
	r := c.Request()
	if r.Header.Get("Range") != "" {
		return true
	}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/tiles/"):
		return !strings.HasSuffix(p, ".json")
	case strings.HasPrefix(p, "/static/"):
		return !strings.HasSuffix(p, ".svg")
	case p == "/metrics":
		return true
	}
	return false
}

// newRequestIDs returns a generator of request ids: a random prefix per
// process and a counter, unique and in order, without reading random bytes
// for every request.
func newRequestIDs() func() string {
	var b [4]byte
	rand.Read(b[:])
	prefix := hex.EncodeToString(b[:]) + "-"
	var seq atomic.Uint64
	return func() string {
		var b [32]byte // one allocation, the string's
		return string(strconv.AppendUint(append(b[:0], prefix...), seq.Add(1), 10))
	}
}

// setCORS lets any origin read the answer (also used by the cached-tile path).
func setCORS(h http.Header) { h["Access-Control-Allow-Origin"] = hdrAnyOrigin }

var hdrAnyOrigin = []string{"*"}

// cors lets other origins (newsroom pages) read the public GET API.
func (s *server) cors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		setCORS(c.Response().Header())
		return next(c)
	}
}

// handleError turns a handler's error into the answer (see errorStatus);
// internal details go to the log, never to the client.
func (s *server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, msg, internal := errorStatus(err)
	if internal {
		s.log.Error("request failed", "id", c.Response().Header().Get(echo.HeaderXRequestID), "uri", c.Request().RequestURI, "err", err.Error())
	}
	if c.Request().Method == http.MethodHead {
		c.NoContent(status)
		return
	}
	c.JSON(status, map[string]string{"error": msg})
}

// errorStatus is the one mapping of an error to the status and message a
// client gets (handleError sends them; the write log records the status).
// An internal error's details are for the log only.
func errorStatus(err error) (status int, msg string, internal bool) {
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		return he.Code, fmt.Sprint(he.Message), false
	case errors.Is(err, data.ErrNotFound):
		return http.StatusNotFound, err.Error(), false
	case errors.Is(err, data.ErrInvalid):
		return http.StatusBadRequest, err.Error(), false
	}
	return http.StatusInternalServerError, "internal error", true
}

func (s *server) healthz(c echo.Context) error {
	rev, err := s.db.Revision(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"status": "ok", "revision": rev})
}

// fresh sets validators from the data revision and reports whether the
// client's copy is current, in which case it has answered 304.
func (s *server) fresh(c echo.Context) (bool, error) {
	_, done, err := s.freshRevision(c)
	return done, err
}

// freshRevision is fresh that also returns the data revision of the answer.
func (s *server) freshRevision(c echo.Context) (rev int64, done bool, err error) {
	rev, err = s.db.Revision(c.Request().Context())
	if err != nil {
		return 0, false, err
	}
	etag := `"r` + strconv.FormatInt(rev, 10) + `"`
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age=60, must-revalidate")
	if match := c.Request().Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		return rev, true, c.NoContent(http.StatusNotModified)
	}
	return rev, false, nil
}

func (s *server) boundaries(c echo.Context) error {
	kind := c.QueryParam("kind")
	if kind != "" && kind != data.KindAdmin1 && kind != data.KindCountry {
		return fmt.Errorf("%w: kind %q: want admin1 or country", data.ErrInvalid, kind)
	}
	bbox, err := parseBBox(c.QueryParam("bbox"))
	if err != nil {
		return err
	}
	if done, err := s.fresh(c); done || err != nil {
		return err
	}
	ctx := c.Request().Context()
	var bs []data.Boundary
	if bbox != nil {
		bs, err = s.db.BoundariesWithin(ctx, kind, *bbox)
	} else {
		bs, err = s.db.Boundaries(ctx, kind)
	}
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, b := range bs {
		f := geojson.NewFeature(b.Geometry)
		f.Properties = geojson.Properties{"iso": b.ISO, "name_en": b.NameEN, "name_uk": b.NameUK, "kind": b.Kind, "source": b.Source}
		fc.Append(f)
	}
	return geoJSON(c, fc)
}

// dateJSON is one entry of GET /api/dates.
type dateJSON struct {
	Date        data.Date `json:"date"`
	Source      string    `json:"source"`
	Approximate bool      `json:"approximate"`
	Note        string    `json:"note,omitempty"`
	ImportedAt  string    `json:"imported_at"`
}

func (s *server) dates(c echo.Context) error {
	if done, err := s.fresh(c); done || err != nil {
		return err
	}
	infos, err := s.db.Dates(c.Request().Context())
	if err != nil {
		return err
	}
	out := struct {
		Dates  []dateJSON `json:"dates"`
		Latest data.Date  `json:"latest,omitempty"`
	}{Dates: []dateJSON{}}
	for _, d := range infos {
		out.Dates = append(out.Dates, dateJSON{d.Date, d.Source, d.Approximate, d.Note, d.ImportedAt.Format("2006-01-02T15:04:05Z")})
		out.Latest = d.Date
	}
	return c.JSON(http.StatusOK, out)
}

func (s *server) control(c echo.Context) error {
	ctx := c.Request().Context()
	bbox, err := parseBBox(c.QueryParam("bbox"))
	if err != nil {
		return err
	}
	date, err := s.resolveDate(c)
	if err != nil {
		return err
	}
	if done, err := s.fresh(c); done || err != nil {
		return err
	}
	snap, err := s.db.Snapshot(ctx, date)
	if err != nil {
		return err
	}
	geom := snap.Geometry
	if bbox != nil {
		if geom, err = s.db.ControlWithin(ctx, date, *bbox); err != nil {
			return err
		}
	}
	f := geojson.NewFeature(geom)
	f.Properties = geojson.Properties{
		"date": snap.Date, "source": snap.Source, "approximate": snap.Approximate, "note": snap.Note,
		"imported_at": snap.ImportedAt.Format("2006-01-02T15:04:05Z"),
	}
	fc := geojson.NewFeatureCollection()
	fc.Append(f)
	return geoJSON(c, fc)
}

// optionalDate parses the query parameter name; empty means unset.
func optionalDate(c echo.Context, name string) (data.Date, error) {
	q := c.QueryParam(name)
	if q == "" {
		return "", nil
	}
	d, err := data.ParseDate(q)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

// resolveDate reads ?date=, defaulting to the latest stored line.
func (s *server) resolveDate(c echo.Context) (data.Date, error) {
	if q := c.QueryParam("date"); q != "" {
		return data.ParseDate(q)
	}
	latest, err := s.db.ResolveSnapshot(c.Request().Context(), "")
	return latest.Date, err
}

// parseBBox parses "minlon,minlat,maxlon,maxlat"; empty means no box.
func parseBBox(q string) (*orb.Bound, error) {
	if q == "" {
		return nil, nil
	}
	parts := strings.Split(q, ",")
	if len(parts) != 4 {
		return nil, fmt.Errorf("%w: bbox %q: want minlon,minlat,maxlon,maxlat", data.ErrInvalid, q)
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || f != f {
			return nil, fmt.Errorf("%w: bbox %q: %q is not a number", data.ErrInvalid, q, p)
		}
		v[i] = f
	}
	if v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90 || v[0] > v[2] || v[1] > v[3] {
		return nil, fmt.Errorf("%w: bbox %q: want -180 <= minlon <= maxlon <= 180 and -90 <= minlat <= maxlat <= 90", data.ErrInvalid, q)
	}
	return &orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}

func geoJSON(c echo.Context, fc *geojson.FeatureCollection) error {
	b, err := fc.MarshalJSON()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/geo+json", b)
}
