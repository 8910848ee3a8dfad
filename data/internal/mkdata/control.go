package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/peterstace/simplefeatures/geom"
)

// waypointFile is the hand-authored description of the approximate line of
// control (data/control/approximate-2025-08-15.waypoints.json).
type waypointFile struct {
	Date   string         `json:"date"`   // YYYY-MM-DD, copied to the output
	Source string         `json:"source"` // copied to the output
	Note   string         `json:"note"`   // copied to the output
	About  []string       `json:"about"`  // free text for readers of the file
	Areas  []waypointArea `json:"areas"`
}

// waypointArea is one closed area held by Russia before clipping to Ukraine:
// the line of contact (Line, inside Ukraine), then points outside Ukraine
// (Closure: Russia, the sea) that close the ring back to the first point.
type waypointArea struct {
	Name    string     `json:"name"`
	About   string     `json:"about"`
	Line    []waypoint `json:"line"`
	Closure []waypoint `json:"closure"`
}

// waypoint is a position (Lon, Lat in degrees) or, with Follow, the
// instruction to follow the boundary of that Ukrainian unit between the
// previous and the next position. Note says which place or river the point
// follows and why; it is required.
type waypoint struct {
	Lon    *float64 `json:"lon,omitempty"`
	Lat    *float64 `json:"lat,omitempty"`
	Follow string   `json:"follow,omitempty"`
	Note   string   `json:"note"`
}

// controlProps is the property object of the control feature.
type controlProps struct {
	Date        string `json:"date"`
	Source      string `json:"source"`
	Approximate bool   `json:"approximate"`
	Note        string `json:"note"`
}

// readWaypoints reads and checks a waypoint file; unknown keys are errors, so
// that a misspelt key cannot be silently ignored.
func readWaypoints(path string) (*waypointFile, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(buf))
	dec.DisallowUnknownFields()
	var wp waypointFile
	if err := dec.Decode(&wp); err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	if wp.Date == "" || wp.Source == "" || wp.Note == "" || len(wp.Areas) == 0 {
		return nil, fmt.Errorf("%s: date, source, note and areas are required", path)
	}
	for _, a := range wp.Areas {
		all := append(append([]waypoint(nil), a.Line...), a.Closure...)
		if len(all) < 3 {
			return nil, fmt.Errorf("%s area %q: %d waypoints, want at least 3", path, a.Name, len(all))
		}
		for i, w := range all {
			switch {
			case w.Note == "":
				return nil, fmt.Errorf("%s area %q waypoint %d: missing note", path, a.Name, i)
			case w.Follow != "" && (w.Lon != nil || w.Lat != nil):
				return nil, fmt.Errorf("%s area %q waypoint %d: follow and lon/lat are exclusive", path, a.Name, i)
			case w.Follow == "" && (w.Lon == nil || w.Lat == nil):
				return nil, fmt.Errorf("%s area %q waypoint %d: missing lon or lat", path, a.Name, i)
			case w.Follow != "" && (i == 0 || i == len(all)-1 || all[i-1].Follow != "" || all[i+1].Follow != ""):
				return nil, fmt.Errorf("%s area %q waypoint %d: follow must stand between two positions", path, a.Name, i)
			case w.Lon != nil && (*w.Lon < -180 || *w.Lon > 180 || *w.Lat < -90 || *w.Lat > 90):
				return nil, fmt.Errorf("%s area %q waypoint %d: position out of range", path, a.Name, i)
			}
		}
	}
	return &wp, nil
}

// buildControl returns the Russian-held area described by wp: the union of
// its areas, each a ring of waypoints, intersected with ukraine (the union of
// the units). units resolve Follow waypoints.
func buildControl(wp *waypointFile, units []unit, ukraine mpoly) (mpoly, error) {
	var held mpoly
	for _, a := range wp.Areas {
		r, err := areaRing(a, units)
		if err != nil {
			return nil, fmt.Errorf("area %q: %w", a.Name, err)
		}
		ap := mpoly{{r.canonical(true)}}
		if err := ap.geom().Validate(); err != nil {
			return nil, fmt.Errorf("area %q: waypoint ring is not a simple polygon: %w", a.Name, err)
		}
		if held == nil {
			held = ap
		} else if held, err = union(held, ap); err != nil {
			return nil, fmt.Errorf("area %q: union: %w", a.Name, err)
		}
	}
	out, err := intersect(held, ukraine)
	if err != nil {
		return nil, fmt.Errorf("clip to Ukraine: %w", err)
	}
	if len(out) == 0 {
		return nil, errors.New("empty after clipping to Ukraine")
	}
	return out, nil
}

// areaRing expands the waypoints of a into a cleaned grid ring.
func areaRing(a waypointArea, units []unit) (ring, error) {
	all := append(append([]waypoint(nil), a.Line...), a.Closure...)
	var r ring
	for i, w := range all {
		if w.Follow == "" {
			r = append(r, toGrid(geom.XY{X: *w.Lon, Y: *w.Lat}))
			continue
		}
		b, ok := boundaryRing(units, w.Follow)
		if !ok {
			return nil, fmt.Errorf("waypoint %d: unknown unit %q", i, w.Follow)
		}
		from := toGrid(geom.XY{X: *all[i-1].Lon, Y: *all[i-1].Lat})
		to := toGrid(geom.XY{X: *all[i+1].Lon, Y: *all[i+1].Lat})
		r = append(r, followPath(b, from, to)...)
	}
	r = r.clean()
	if r == nil {
		return nil, errors.New("waypoints enclose no area")
	}
	return r, nil
}

// boundaryRing returns the exterior ring of the largest polygon of the unit
// with ISO code iso.
func boundaryRing(units []unit, iso string) (ring, bool) {
	for _, u := range units {
		if u.iso != iso {
			continue
		}
		best := -1.0
		var r ring
		for _, p := range u.geom {
			if a := ringAreaKm2(p[0]); a > best {
				best, r = a, p[0]
			}
		}
		return r, true
	}
	return nil, false
}

// followPath returns the vertices of boundary b from the vertex nearest to
// from to the vertex nearest to to, going the shorter way round.
func followPath(b ring, from, to gridPt) []gridPt {
	i, j := nearest(b, from), nearest(b, to)
	n := len(b)
	fwd := make([]gridPt, 0, n)
	for k := i; ; k = (k + 1) % n {
		fwd = append(fwd, b[k])
		if k == j {
			break
		}
	}
	back := make([]gridPt, 0, n)
	for k := i; ; k = (k - 1 + n) % n {
		back = append(back, b[k])
		if k == j {
			break
		}
	}
	if pathLength(back) < pathLength(fwd) {
		return back
	}
	return fwd
}

func nearest(b ring, p gridPt) int {
	best, bi := math.Inf(1), 0
	for i, q := range b {
		dx, dy := float64(q.x-p.x), float64(q.y-p.y)
		if d := dx*dx + dy*dy; d < best {
			best, bi = d, i
		}
	}
	return bi
}

func pathLength(ps []gridPt) float64 {
	var l float64
	for i := 1; i < len(ps); i++ {
		l += math.Hypot(float64(ps[i].x-ps[i-1].x), float64(ps[i].y-ps[i-1].y))
	}
	return l
}

// controlFeature returns the output feature of the control area m.
func controlFeature(wp *waypointFile, m mpoly) feature {
	return feature{props: controlProps{Date: wp.Date, Source: wp.Source, Approximate: true, Note: wp.Note}, geom: m}
}
