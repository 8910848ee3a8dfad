package main

import (
	"fmt"
	"io/fs"
	"net/http"
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

// isTile reports whether path is that of a raster or vector tile (not
// a TileJSON document).
func isTile(path string) bool {
	return strings.HasPrefix(path, "/tiles/") && (strings.HasSuffix(path, ".png") || strings.HasSuffix(path, ".mvt"))
}

// isPage reports whether path is an HTML page of the viewer.
func isPage(path string) bool {
	return path == "/" || path == "/index.html" || isEmbed(path)
}

// securityHeaders sets, on every response (errors and panics included):
// nosniff, and but on tiles a CSP, a referrer policy and a framing policy
// that lets other sites frame /embed and nothing else (clickjacking). It also refuses paths with dot segments
// or empty segments (after percent-decoding) with a 400 instead of letting
// the file server redirect them: no path means anything but itself; and
// query strings that do not parse.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		// Shared, never modified values assigned under canonical keys: this
		// runs for every cached tile, so it allocates nothing.
		path := c.Request().URL.Path
		setSecurityHeaders(c.Response().Header(), path)
		if !canonical(path) {
			return fmt.Errorf("%w: path %q has empty, . or .. segments", data.ErrInvalid, path)
		}
		if q := c.Request().URL.RawQuery; q != "" {
			if _, err := url.ParseQuery(q); err != nil {
				return fmt.Errorf("%w: malformed query string: %v", data.ErrInvalid, err)
			}
		}
		return next(c)
	}
}

// setSecurityHeaders sets the headers of securityHeaders for path.
//
// A tile (PNG or MVT, or a plain-text error in its place) gets nosniff and
// none of the document policies: a browser never runs an image or a
// protobuf as a document, so a CSP, a referrer policy or a framing policy
// on it protects nothing, and their 140 bytes on each of the dozens of
// tiles of a map view cost about 8 % of the cached-tile throughput
// (bench/http).
func setSecurityHeaders(h http.Header, path string) {
	h["X-Content-Type-Options"] = hdrNosniff
	if isTile(path) {
		return
	}
	h["Referrer-Policy"] = hdrReferrer
	switch {
	case isEmbed(path):
		h["Content-Security-Policy"] = hdrCSPEmbed
	case isPage(path) || strings.HasSuffix(path, ".html"):
		h["Content-Security-Policy"] = hdrCSPApp
		h["X-Frame-Options"] = hdrDeny
	default:
		h["Content-Security-Policy"] = hdrCSPData
		h["X-Frame-Options"] = hdrDeny
	}
}

var (
	hdrNosniff  = []string{"nosniff"}
	hdrReferrer = []string{"strict-origin-when-cross-origin"}
	hdrDeny     = []string{"DENY"}
	hdrCSPEmbed = []string{cspApp + "; frame-ancestors *"}
	hdrCSPApp   = []string{cspApp + "; frame-ancestors 'none'"}
	hdrCSPData  = []string{cspData + "; frame-ancestors 'none'"}
)

// canonical reports whether path has no empty (//), "." or ".." segment;
// a trailing slash is allowed.
func canonical(path string) bool {
	if !strings.HasPrefix(path, "/") {
		return false
	}
	rest := strings.TrimSuffix(path[1:], "/")
	if rest == "" {
		return true // "/" (or "//", whose one segment is empty)
	}
	for seg := range strings.SplitSeq(rest, "/") {
		if seg == "" || seg == "." || seg == ".." || strings.ContainsRune(seg, '\\') {
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
