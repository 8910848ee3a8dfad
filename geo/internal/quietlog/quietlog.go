// Package quietlog drops the one line that github.com/go-spatial/geom v0.1.0
// prints from an init function ("debug.go:32: Debug false", in
// planar/triangulate/delaunay/subdivision) to the standard logger, which
// would otherwise start the output of every frontline command.
//
// Go initialises ready packages in import-path order, so this package
// (github.com/frontlinemap/...) runs before github.com/go-spatial/... when
// the package that uses makevalid imports it. Everything else written to the
// standard logger passes through unchanged.
package quietlog

import (
	"bytes"
	"log"
)

func init() {
	log.SetOutput(filter{w: log.Writer()})
}

type filter struct {
	w interface{ Write([]byte) (int, error) }
}

func (f filter) Write(p []byte) (int, error) {
	if bytes.HasSuffix(bytes.TrimSpace(p), []byte("Debug false")) && bytes.Contains(p, []byte("debug.go:")) {
		return len(p), nil
	}
	return f.w.Write(p)
}
