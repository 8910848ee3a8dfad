// Package static holds the browser viewer (a Leaflet map) that the server serves at "/".
//
// The files under vendor/ are not committed: run "sh static/build.sh"
// (the Makefile does) before "go build" so that they exist to be embedded.
package static

import "embed"

// Files is the viewer's file tree rooted at this folder: index.html, app.js,
// state.js, app.css, favicon.svg and vendor/ (leaflet, leaflet-side-by-side,
// leaflet.sync, pmtiles: copied from node_modules by build.sh).
// It is read-only and safe for concurrent use; serve it with http.FS.
//
//go:embed index.html app.js state.js app.css favicon.svg all:vendor
var Files embed.FS
