package main

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/frontlinemap/frontline/data/sqlite"
	"github.com/frontlinemap/frontline/tiles"
)

// metrics are the Prometheus series of one server. They live in a registry
// of the server's own, not the global one, so that several servers (tests)
// can run in one process.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec   // route, method, code
	latency  *prometheus.HistogramVec // route
	render   *prometheus.HistogramVec // kind, format

	// Resolved children by (route, method, code): a request costs one map
	// lookup and two atomic updates, not a label hash per series. The map is
	// copied on write (a new pair is rare), so reads take no lock and box
	// no key.
	mu       sync.Mutex
	children atomic.Pointer[map[routeKey]*routeChildren]
}

type routeKey struct {
	route, method string
	code          int
}

type routeChildren struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

// Latency buckets in seconds: a cached tile takes tens of microseconds, a
// first render of a large area seconds.
var (
	requestBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	renderBuckets  = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
)

func newMetrics(db *sqlite.DB, cache *tiles.Cache) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontline_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "frontline_http_request_duration_seconds",
			Help:    "Time from routing a request to its handler's return, by route pattern.",
			Buckets: requestBuckets,
		}, []string{"route"}),
		render: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "frontline_tile_render_seconds",
			Help:    "Time to produce a tile missing from the memory and disk caches (preparing the tileset's layers if needed, then encoding), by tileset kind and format.",
			Buckets: renderBuckets,
		}, []string{"kind", "format"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.render,
		&storeCollector{db: db, cache: cache},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// request counts and times one request under its route pattern (never the
// raw path, whose values are unbounded). The request logger calls it with
// the status sent and the latency it measured: echo wraps every request in
// its middleware anew, so a middleware of its own would cost an allocation
// and two more clock reads per request.
func (m *metrics) request(route, method string, status int, d time.Duration) {
	m.child(route, method, status).observe(d)
}

func (rc *routeChildren) observe(d time.Duration) {
	rc.requests.Inc()
	rc.latency.Observe(d.Seconds())
}

func (m *metrics) child(route, method string, code int) *routeChildren {
	k := routeKey{route, method, code}
	if cur := m.children.Load(); cur != nil {
		if rc, ok := (*cur)[k]; ok {
			return rc
		}
	}
	if route == "" {
		route = "unmatched"
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
	default:
		method = "other" // a client's made-up method must not add series
	}
	rc := &routeChildren{
		requests: m.requests.WithLabelValues(route, method, strconv.Itoa(code)),
		latency:  m.latency.WithLabelValues(route),
	}
	if method == "other" {
		return rc // not kept: the key holds the client's string
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	next := map[routeKey]*routeChildren{}
	if cur := m.children.Load(); cur != nil {
		if got, ok := (*cur)[k]; ok {
			return got
		}
		maps.Copy(next, *cur)
	}
	next[k] = rc
	m.children.Store(&next)
	return rc
}

// observeRender records one tile render; format is "mvt", "png" or "png@2x".
func (m *metrics) observeRender(kind, format string, d time.Duration) {
	m.render.WithLabelValues(kind, format).Observe(d.Seconds())
}

// handler answers GET /metrics in the Prometheus text format. A series that
// cannot be read (the database is gone) is left out and logged with the
// request id, and the others are still served.
func (m *metrics) handler(log *slog.Logger) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		// Made per scrape (a few a minute) so that its log lines carry the id.
		errLog := scrapeLog{log.With("id", c.Response().Header().Get(echo.HeaderXRequestID))}
		promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, ErrorLog: errLog}).
			ServeHTTP(c.Response(), c.Request())
		return nil
	}
}

// scrapeLog writes promhttp's error lines as JSON log records.
type scrapeLog struct{ log *slog.Logger }

func (l scrapeLog) Println(v ...any) { l.log.Error("metrics scrape", "err", fmt.Sprint(v...)) }

// storeCollector reads the database and tile cache figures when scraped, so
// that they cost nothing between scrapes.
type storeCollector struct {
	db    *sqlite.DB
	cache *tiles.Cache
}

var (
	descDBSize       = prometheus.NewDesc("frontline_db_size_bytes", "Size of the SQLite database on disk: the main file plus its write-ahead log.", nil, nil)
	descRevision     = prometheus.NewDesc("frontline_data_revision", "Data revision of the database (raised by every change of boundaries, lines or scenarios; tile URLs carry it).", nil, nil)
	descCacheHits    = prometheus.NewDesc("frontline_tile_cache_hits_total", "Tile requests answered from the memory cache.", nil, nil)
	descCacheMisses  = prometheus.NewDesc("frontline_tile_cache_misses_total", "Tile requests not in the memory cache (answered from the disk cache, rendered, or waiting on another request's render).", nil, nil)
	descCacheDisk    = prometheus.NewDesc("frontline_tile_cache_disk_hits_total", "Memory cache misses answered from the --tile-cache-dir disk cache.", nil, nil)
	descCacheRenders = prometheus.NewDesc("frontline_tile_cache_renders_total", "Tiles rendered after a cache miss.", nil, nil)
	descCacheEvicted = prometheus.NewDesc("frontline_tile_cache_evictions_total", "Tiles dropped from the memory cache to stay within its budget.", nil, nil)
	descCacheBytes   = prometheus.NewDesc("frontline_tile_cache_bytes", "Bytes of tile data held in the memory cache.", nil, nil)
	descCacheEntries = prometheus.NewDesc("frontline_tile_cache_entries", "Tiles held in the memory cache.", nil, nil)
	descCacheMax     = prometheus.NewDesc("frontline_tile_cache_max_bytes", "Budget of the memory cache (--tile-cache-mb).", nil, nil)
)

func (sc *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descDBSize, descRevision, descCacheHits, descCacheMisses, descCacheDisk,
		descCacheRenders, descCacheEvicted, descCacheBytes, descCacheEntries, descCacheMax} {
		ch <- d
	}
}

func (sc *storeCollector) Collect(ch chan<- prometheus.Metric) {
	if size, err := dbSize(sc.db.Path()); err != nil {
		ch <- prometheus.NewInvalidMetric(descDBSize, err)
	} else {
		ch <- prometheus.MustNewConstMetric(descDBSize, prometheus.GaugeValue, float64(size))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if rev, err := sc.db.Revision(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(descRevision, err)
	} else {
		ch <- prometheus.MustNewConstMetric(descRevision, prometheus.GaugeValue, float64(rev))
	}
	s := sc.cache.Stats()
	for _, v := range []struct {
		d *prometheus.Desc
		t prometheus.ValueType
		n int64
	}{
		{descCacheHits, prometheus.CounterValue, s.Hits},
		{descCacheMisses, prometheus.CounterValue, s.Misses},
		{descCacheDisk, prometheus.CounterValue, s.DiskHits},
		{descCacheRenders, prometheus.CounterValue, s.Renders},
		{descCacheEvicted, prometheus.CounterValue, s.Evictions},
		{descCacheBytes, prometheus.GaugeValue, s.Bytes},
		{descCacheEntries, prometheus.GaugeValue, int64(s.Entries)},
		{descCacheMax, prometheus.GaugeValue, max(s.MaxBytes, 0)},
	} {
		ch <- prometheus.MustNewConstMetric(v.d, v.t, float64(v.n))
	}
}

// dbSize is the size of the database file and its write-ahead log, if any.
func dbSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	n := fi.Size()
	if wal, err := os.Stat(path + "-wal"); err == nil {
		n += wal.Size()
	}
	return n, nil
}
