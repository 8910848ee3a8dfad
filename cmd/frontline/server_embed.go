package main

import (
	"fmt"
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/frontlinemap/frontline/static"
)

// embedPage answers GET /embed: the viewer page itself. app.js reads the path
// and drops the chrome, so an embed takes exactly the viewer's query and hash.
func (s *server) embedPage(c echo.Context) error {
	page, err := fs.ReadFile(static.Files, "index.html")
	if err != nil {
		return fmt.Errorf("embed page: %w", err)
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.HTMLBlob(http.StatusOK, page)
}
