package main

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// readyTimeout bounds the database check of /readyz: a database that takes
// longer to answer one row is not ready to serve.
const readyTimeout = 2 * time.Second

// readyz answers GET /readyz: 200 when this process should get traffic, 503
// otherwise. It checks that the server is not shutting down and that the
// database is open and answers a query (the data revision) within
// readyTimeout. /healthz, by contrast, says the process is alive.
func (s *server) readyz(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	if s.draining.Load() {
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "reason": "shutting down"})
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), readyTimeout)
	defer cancel()
	rev, err := s.db.Revision(ctx)
	if err != nil {
		s.log.Warn("not ready", "id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err.Error())
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "reason": "database does not answer"})
	}
	return c.JSON(http.StatusOK, map[string]any{"status": "ready", "revision": rev})
}

// drain makes /readyz answer 503 from now on: the process is shutting down.
func (s *server) drain() { s.draining.Store(true) }
