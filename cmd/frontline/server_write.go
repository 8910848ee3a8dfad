package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontlinemap/frontline/data"
	"github.com/frontlinemap/frontline/data/sqlite"
)

// hardenConfig holds the serve flags of the write API and the HTTP timeouts.
type hardenConfig struct {
	WriteToken        string // bearer token of the write API; "" disables it
	MaxBody           int64  // size limit of a write request's body in bytes
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
}

// minTokenLen keeps guessable tokens out: 16 characters of a random string.
const minTokenLen = 16

// hardenFlags adds the write API and timeout flags of serve to fs.
func hardenFlags(fs *flag.FlagSet) *hardenConfig {
	c := &hardenConfig{}
	fs.StringVar(&c.WriteToken, "write-token", "", "bearer `token` that enables the write API (POST/DELETE /api/control, /api/scenarios); at least 16 characters; default: write API off; prefer the environment variable, which ps does not show (environment FRONTLINE_WRITE_TOKEN)")
	fs.Int64Var(&c.MaxBody, "max-body", 64<<20, "size limit in `bytes` of a write request's body (larger: 413)")
	fs.DurationVar(&c.ReadHeaderTimeout, "read-header-timeout", 10*time.Second, "time a client has to send the request headers")
	fs.DurationVar(&c.ReadTimeout, "read-timeout", 60*time.Second, "time a client has to send a whole request, body included")
	fs.DurationVar(&c.WriteTimeout, "write-timeout", 60*time.Second, "time to answer a request, from the end of its headers")
	fs.DurationVar(&c.IdleTimeout, "idle-timeout", 120*time.Second, "how long an idle keep-alive connection stays open")
	return c
}

// validate checks the flags; errors are usage errors.
func (c *hardenConfig) validate() error {
	if c.WriteToken != "" && len(c.WriteToken) < minTokenLen {
		return fmt.Errorf("%w: --write-token is %d characters; use at least %d (e.g. openssl rand -hex 32)", errUsage, len(c.WriteToken), minTokenLen)
	}
	if strings.ContainsAny(c.WriteToken, " \t\r\n") {
		return fmt.Errorf("%w: --write-token must not contain white space", errUsage)
	}
	if c.MaxBody <= 0 {
		return fmt.Errorf("%w: --max-body must be positive", errUsage)
	}
	for name, d := range map[string]time.Duration{"read-header-timeout": c.ReadHeaderTimeout, "read-timeout": c.ReadTimeout,
		"write-timeout": c.WriteTimeout, "idle-timeout": c.IdleTimeout} {
		if d <= 0 {
			return fmt.Errorf("%w: --%s must be positive", errUsage, name)
		}
	}
	return nil
}

// applyTimeouts sets the server's timeouts, so that slow or stalled clients
// (slowloris) cannot hold connections open.
func (c *hardenConfig) applyTimeouts(srv *http.Server) {
	srv.ReadHeaderTimeout = c.ReadHeaderTimeout
	srv.ReadTimeout = c.ReadTimeout
	srv.WriteTimeout = c.WriteTimeout
	srv.IdleTimeout = c.IdleTimeout
}

// writeAPI serves the write routes: the same decoding, validation and
// all-or-nothing imports as the import command, behind a bearer token.
type writeAPI struct {
	db        *sqlite.DB
	log       *slog.Logger
	tokenHash [sha256.Size]byte
	who       string // token fingerprint for the logs; never the token itself
	enabled   bool
	readOnly  bool
	maxBody   int64
}

// withWrites registers the write routes. Without a token they answer 404,
// as if they did not exist. They get no CORS headers: browsers on other
// origins cannot call them.
func withWrites(db *sqlite.DB, c *hardenConfig, readOnly bool) serverOption {
	return func(e *echo.Echo, s *server) {
		w := &writeAPI{db: db, log: s.log, enabled: c.WriteToken != "", readOnly: readOnly, maxBody: c.MaxBody}
		w.tokenHash = sha256.Sum256([]byte(c.WriteToken))
		w.who = "token:" + hex.EncodeToString(w.tokenHash[:4])
		e.POST("/api/control", w.postControl, w.guard)
		e.DELETE("/api/control/:date", w.deleteControl, w.guard)
		e.POST("/api/scenarios", w.postScenario, w.guard)
		e.DELETE("/api/scenarios/:id", w.deleteScenario, w.guard)
	}
}

// guard checks the token (in constant time), refuses writes to a read-only
// replica, bounds the body and logs the outcome of every write.
func (w *writeAPI) guard(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !w.enabled {
			return echo.ErrNotFound
		}
		req := c.Request()
		start := time.Now()
		logRefused := func(status int, why string) {
			w.log.Warn("write refused", "id", c.Response().Header().Get(echo.HeaderXRequestID), "method", req.Method,
				"uri", req.RequestURI, "remote", c.RealIP(), "status", status, "why", why)
		}
		given, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
		if !ok || given == "" {
			logRefused(http.StatusUnauthorized, "no bearer token")
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="frontline"`)
			return echo.NewHTTPError(http.StatusUnauthorized, "write API: send the token as Authorization: Bearer TOKEN")
		}
		// Hashing first gives equal lengths, so the comparison leaks neither
		// the token's content nor its length.
		h := sha256.Sum256([]byte(given))
		if subtle.ConstantTimeCompare(h[:], w.tokenHash[:]) != 1 {
			logRefused(http.StatusForbidden, "wrong token")
			return echo.NewHTTPError(http.StatusForbidden, "write API: wrong token")
		}
		if w.readOnly {
			logRefused(http.StatusForbidden, "read-only")
			return echo.NewHTTPError(http.StatusForbidden, "this server is a read-only replica (--read-only): send writes to the primary")
		}
		if req.ContentLength > w.maxBody {
			logRefused(http.StatusRequestEntityTooLarge, "body too large")
			return w.tooLarge()
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, w.maxBody)
		err := next(c)
		status := c.Response().Status
		if err != nil {
			status, _, _ = errorStatus(err)
		}
		w.log.Info("write", "id", c.Response().Header().Get(echo.HeaderXRequestID), "who", w.who, "method", req.Method,
			"uri", req.RequestURI, "remote", c.RealIP(), "status", status, "ms", time.Since(start).Milliseconds(), "err", errText(err))
		return err
	}
}

func (w *writeAPI) tooLarge() error {
	return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("body is over the limit of %d bytes (--max-body)", w.maxBody))
}

// body reads the whole request body within the size limit.
func (w *writeAPI) body(c echo.Context) ([]byte, error) {
	b, err := io.ReadAll(c.Request().Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, w.tooLarge()
	}
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "reading the body: "+err.Error())
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty body", data.ErrInvalid)
	}
	return b, nil
}

// single returns the one value of query parameter name; given twice it is an error.
func single(c echo.Context, name string, required bool) (string, error) {
	vs := c.QueryParams()[name]
	switch {
	case len(vs) > 1:
		return "", fmt.Errorf("%w: %s is given %d times", data.ErrInvalid, name, len(vs))
	case len(vs) == 0 || vs[0] == "":
		if required {
			return "", fmt.Errorf("%w: %s is required", data.ErrInvalid, name)
		}
		return "", nil
	}
	return vs[0], nil
}

func replaceParam(c echo.Context) (bool, error) {
	q, err := single(c, "replace", false)
	if err != nil || q == "" {
		return false, err
	}
	r, err := strconv.ParseBool(q)
	if err != nil {
		return false, fmt.Errorf("%w: replace %q: want true or false", data.ErrInvalid, q)
	}
	return r, nil
}

// origin names a write in the import log: the request and who made it.
func (w *writeAPI) origin(c echo.Context) string {
	u := c.Request().URL
	target := u.Path
	if u.RawQuery != "" {
		target += "?" + u.RawQuery
	}
	return c.Request().Method + " " + target + " by " + w.who
}

// postControl answers POST /api/control?date=&source=[&note=][&replace=true]
// with a GeoJSON body: the CLI's import control for one line.
func (w *writeAPI) postControl(c echo.Context) error {
	q, err := single(c, "date", true)
	if err != nil {
		return err
	}
	date, err := data.ParseDate(q)
	if err != nil {
		return err
	}
	source, err := single(c, "source", true)
	if err != nil {
		return err
	}
	if strings.TrimSpace(source) == "" {
		return fmt.Errorf("%w: source is blank", data.ErrInvalid)
	}
	note, err := single(c, "note", false)
	if err != nil {
		return err
	}
	replace, err := replaceParam(c)
	if err != nil {
		return err
	}
	b, err := w.body(c)
	if err != nil {
		return err
	}
	d := decodeControlBytes("body", date, b, source, note)
	if d.err != nil {
		return d.err
	}
	rec, err := w.commit(c, "control", func(im *sqlite.Import) error {
		for _, wn := range d.warnings {
			im.Warn(wn.String())
		}
		return im.PutSnapshot(c.Request().Context(), d.snap, replace)
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/control?date="+string(date))
	return c.JSON(http.StatusCreated, map[string]any{"date": date, "source": source, "revision": rec.Revision, "warnings": nonNil(rec.Warnings)})
}

// deleteControl answers DELETE /api/control/{date}.
func (w *writeAPI) deleteControl(c echo.Context) error {
	date, err := data.ParseDate(c.Param("date"))
	if err != nil {
		return err
	}
	rec, err := w.commit(c, "control", func(im *sqlite.Import) error { return im.DeleteSnapshot(c.Request().Context(), date) })
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"deleted": date, "revision": rec.Revision})
}

// postScenario answers POST /api/scenarios[?replace=true] with a scenario
// definition (data/scenarios/README.md) as the body.
func (w *writeAPI) postScenario(c echo.Context) error {
	replace, err := replaceParam(c)
	if err != nil {
		return err
	}
	b, err := w.body(c)
	if err != nil {
		return err
	}
	sc, err := data.DecodeScenario("body", b)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/scenarios/"+sc.ID)
	rec, err := w.commit(c, "scenarios", func(im *sqlite.Import) error { return im.PutScenario(c.Request().Context(), sc, replace) })
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": sc.ID, "revision": rec.Revision})
}

// deleteScenario answers DELETE /api/scenarios/{id}.
func (w *writeAPI) deleteScenario(c echo.Context) error {
	id := c.Param("id")
	rec, err := w.commit(c, "scenarios", func(im *sqlite.Import) error { return im.DeleteScenario(c.Request().Context(), id) })
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"deleted": id, "revision": rec.Revision})
}

// commit runs one change in its own import and returns the import's record
// (its revision and warnings); a conflict is a 409, a busy database a 503.
func (w *writeAPI) commit(c echo.Context, kind string, change func(*sqlite.Import) error) (sqlite.ImportRecord, error) {
	ctx := c.Request().Context()
	im, err := w.db.BeginImport(ctx, kind, w.origin(c))
	if err != nil {
		return sqlite.ImportRecord{}, conflict(err)
	}
	defer im.Rollback()
	if err := change(im); err != nil {
		return sqlite.ImportRecord{}, conflict(err)
	}
	rec, err := im.Commit(ctx)
	if err != nil {
		return sqlite.ImportRecord{}, conflict(err)
	}
	return rec, nil
}

// conflict turns "already exists" and "built in" into a 409 and a database
// held by another import into a 503; other errors pass to handleError.
func conflict(err error) error {
	switch {
	case errors.Is(err, data.ErrExists) || errors.Is(err, sqlite.ErrBuiltin):
		return echo.NewHTTPError(http.StatusConflict, err.Error())
	case sqlite.IsBusy(err):
		return echo.NewHTTPError(http.StatusServiceUnavailable, "another import holds the database; retry later")
	}
	return err
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
