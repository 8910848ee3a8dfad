package main

import (
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"github.com/frontlinemap/frontline/data"

	"github.com/labstack/echo/v4"
)

// serverOption adds routes or middleware to the server built by newServer.
type serverOption func(e *echo.Echo, s *server)

// Content-Security-Policy values. The viewer loads only its own files: no
// inline scripts or styles (Leaflet positions elements through the CSSOM,
// which CSP does not restrict), images from this origin and data:/blob: URLs
// (Leaflet's icons, canvas exports).
const (
	cspApp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
		"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"
	// Everything that is not a page (JSON, tiles, scripts) renders nothing.
	cspData = "default-src 'none'"
)

// isEmbed reports whether path is the embeddable page, the only one other
// sites may put in a frame.
func isEmbed(path string) bool {
	return path == "/embed" || path == "/embed/" || path == "/embed.html"
}

// isPage reports whether path is an HTML page of the viewer.
func isPage(path string) bool {
	return path == "/" || path == "/index.html" || isEmbed(path)
}

// securityHeaders sets, on every response (errors and panics included):
// nosniff, a CSP, and a framing policy that lets other sites frame /embed
// and nothing else (clickjacking). It also refuses paths with dot segments
// or empty segments (after percent-decoding) with a 400 instead of letting
// the file server redirect them: no path means anything but itself; and
// query strings that do not parse.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		path := c.Request().URL.Path
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		csp := cspData
		if isPage(path) || strings.HasSuffix(path, ".html") {
			csp = cspApp
		}
		if isEmbed(path) {
			h.Set("Content-Security-Policy", csp+"; frame-ancestors *")
		} else {
			h.Set("Content-Security-Policy", csp+"; frame-ancestors 'none'")
			h.Set("X-Frame-Options", "DENY")
		}
		if !canonical(path) {
			return fmt.Errorf("%w: path %q has empty, . or .. segments", data.ErrInvalid, path)
		}
		// Go drops query pairs it cannot parse without a word, so
		// ?kind=%zz would silently mean "no kind".
		if _, err := url.ParseQuery(c.Request().URL.RawQuery); err != nil {
			return fmt.Errorf("%w: malformed query string: %v", data.ErrInvalid, err)
		}
		return next(c)
	}
}

// canonical reports whether path has no empty (//), "." or ".." segment;
// a trailing slash is allowed.
func canonical(path string) bool {
	if !strings.HasPrefix(path, "/") {
		return false
	}
	segs := strings.Split(strings.TrimSuffix(path[1:], "/"), "/")
	for i, s := range segs {
		if s == "." || s == ".." || strings.ContainsRune(s, '\\') || (s == "" && !(i == 0 && len(segs) == 1)) {
			return false
		}
	}
	return true
}

// noDirs hides directories from http.FileServer, which would list them:
// only the root (which serves index.html) opens.
type noDirs struct{ fs.FS }

func (n noDirs) Open(name string) (fs.File, error) {
	f, err := n.FS.Open(name)
	if err != nil || name == "." {
		return f, err
	}
	if st, err := f.Stat(); err != nil || st.IsDir() {
		f.Close()
		return nil, fs.ErrNotExist
	}
	return f, nil
}
