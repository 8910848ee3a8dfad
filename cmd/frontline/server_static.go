package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/frontlinemap/frontline/data"
)

// staticImage answers GET /static/{style}/{view}/{size}.{png|svg|gif} and
// /static/compare/{view}/{size}.{png|svg}?left=&right=.
func (s *server) staticImage(c echo.Context) error {
	view, err := url.PathUnescape(c.Param("view"))
	if err != nil {
		return fmt.Errorf("%w: view %q: %v", data.ErrInvalid, c.Param("view"), err)
	}
	size, format, err := splitStaticFile(c.Param("file"))
	if err != nil {
		return err
	}
	r := staticRequest{Style: c.Param("style"), View: view, Size: size, Format: format}
	if err := r.setOptions(c.QueryParam); err != nil {
		return err
	}
	rev, done, err := s.freshRevision(c)
	if done || err != nil {
		return err
	}
	b, ctype, err := s.tiles.cachedStaticImage(c.Request().Context(), rev, r)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, ctype, b)
}

// legend answers GET /legend/{style}.json and /legend/{style}.svg[?theme=dark].
func (s *server) legend(c echo.Context) error {
	file := c.Param("file")
	i := strings.LastIndexByte(file, '.')
	if i < 0 {
		return fmt.Errorf("%w: want /legend/{style}.json or .svg", data.ErrNotFound)
	}
	dark, err := parseTheme(c.QueryParam("theme"))
	if err != nil {
		return err
	}
	if done, err := s.fresh(c); done || err != nil {
		return err
	}
	b, ctype, err := s.tiles.legend(c.Request().Context(), file[:i], file[i+1:], dark)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, ctype, b)
}
