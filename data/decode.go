package data

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/frontlinemap/frontline/geo"
)

// Feature is one polygonal feature of a decoded GeoJSON file, repaired and
// validated, in WGS84 lon/lat.
type Feature struct {
	Index      int            // position in the file's features array (0 for a bare geometry)
	Properties map[string]any // the feature's properties; nil when it had none
	Geometry   orb.MultiPolygon
}

// InputError says what is wrong with an input file and where.
type InputError struct {
	File    string // file name or URL
	Feature int    // index in the features array, or -1 when the problem is not in one feature
	Line    int    // 1-based line of a JSON syntax error, or 0
	Column  int    // 1-based column of a JSON syntax error, or 0
	Reason  string
}

func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	if e.Feature >= 0 {
		fmt.Fprintf(&b, ": feature %d", e.Feature)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap makes every InputError an ErrInvalid.
func (e *InputError) Unwrap() error { return ErrInvalid }

// Warning reports something that was repaired or skipped during decoding.
type Warning struct {
	File    string
	Feature int
	Kind    string // the geo.FixKind of a repair, or "skipped"
	Message string
}

func (w Warning) String() string {
	if w.Feature >= 0 {
		return fmt.Sprintf("%s: feature %d: %s", w.File, w.Feature, w.Message)
	}
	return fmt.Sprintf("%s: %s", w.File, w.Message)
}

// document is the part of a GeoJSON object that decoding looks at first.
type document struct {
	Type       string            `json:"type"`
	CRS        *crsMember        `json:"crs"`
	Features   []json.RawMessage `json:"features"`
	Geometry   json.RawMessage   `json:"geometry"`
	Properties map[string]any    `json:"properties"`
}

// crsMember is the obsolete (2008) GeoJSON crs member that many tools still write.
type crsMember struct {
	Type       string `json:"type"`
	Properties struct {
		Name string `json:"name"`
	} `json:"properties"`
}

// lonLatCRS lists the crs names that mean WGS84 longitude, latitude.
var lonLatCRS = map[string]bool{
	"urn:ogc:def:crs:OGC:1.3:CRS84": true,
	"urn:ogc:def:crs:OGC::CRS84":    true,
	"urn:ogc:def:crs:EPSG::4326":    true,
	"EPSG:4326":                     true,
	"CRS84":                         true,
	"OGC:CRS84":                     true,
}

// MaxVertices bounds the points of one input file. Repair and the overlay
// of a scenario grow faster than linearly with the vertex count, so a file
// far beyond any real line (a daily DeepStateMap line has about 3,000, the
// 27 shipped units 20,000) is refused before any of that work starts.
const MaxVertices = 500_000

// DecodePolygons decodes a GeoJSON FeatureCollection, Feature or bare geometry
// and returns its polygonal features, each repaired into a valid MultiPolygon.
// name is used in messages only. Non-polygonal features are skipped with a
// warning; a file with no polygons, bad JSON, coordinates outside lon/lat
// range or an unsupported crs is an *InputError.
func DecodePolygons(name string, b []byte) ([]Feature, []Warning, error) {
	fail := func(feature int, format string, args ...any) error {
		return &InputError{File: name, Feature: feature, Reason: fmt.Sprintf(format, args...)}
	}
	if err := checkUTF8(name, b); err != nil {
		return nil, nil, err
	}
	var doc document
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, nil, jsonError(name, b, err)
	}
	if doc.CRS != nil {
		if doc.CRS.Type != "name" {
			return nil, nil, fail(-1, "crs of type %q is not supported: coordinates must be WGS84 longitude, latitude (CRS84)", doc.CRS.Type)
		}
		if n := doc.CRS.Properties.Name; !lonLatCRS[n] {
			return nil, nil, fail(-1, "crs %q is not supported: coordinates must be WGS84 longitude, latitude (CRS84)", n)
		}
	}

	var raws []json.RawMessage
	switch doc.Type {
	case "FeatureCollection":
		raws = doc.Features
	case "Feature":
		raws = []json.RawMessage{b}
	case "Polygon", "MultiPolygon", "GeometryCollection", "Point", "MultiPoint", "LineString", "MultiLineString":
		raws = nil
	case "":
		return nil, nil, fail(-1, `no "type" member: not a GeoJSON object`)
	default:
		return nil, nil, fail(-1, "type %q is not a GeoJSON object type", doc.Type)
	}

	var (
		features []Feature
		warnings []Warning
		vertices int
	)
	add := func(index int, props map[string]any, rawGeom []byte) error {
		mp, skipped, err := decodeGeometry(rawGeom)
		if err != nil {
			return fail(index, "%v", err)
		}
		if skipped != "" {
			warnings = append(warnings, Warning{File: name, Feature: index, Kind: "skipped", Message: skipped})
		}
		if mp == nil {
			return nil
		}
		for _, p := range mp {
			for _, r := range p {
				vertices += len(r)
			}
		}
		if vertices > MaxVertices {
			return fail(index, "more than %d vertices in the file: split it or simplify the lines (limit MaxVertices)", MaxVertices)
		}
		if err := geo.CheckLonLat(mp); err != nil {
			return fail(index, "%v", err)
		}
		fixed, fixes, err := geo.Repair(mp)
		if err != nil {
			return fail(index, "geometry cannot be repaired: %v", err)
		}
		for _, f := range fixes {
			warnings = append(warnings, Warning{File: name, Feature: index, Kind: string(f.Kind), Message: "repaired: " + f.String()})
		}
		features = append(features, Feature{Index: index, Properties: props, Geometry: fixed})
		return nil
	}

	if raws == nil {
		if err := add(0, nil, b); err != nil {
			return nil, nil, err
		}
	}
	for i, raw := range raws {
		var f document
		if err := json.Unmarshal(raw, &f); err != nil {
			return nil, nil, fail(i, "%v", err)
		}
		if f.Type != "Feature" {
			return nil, nil, fail(i, `type is %q, want "Feature"`, f.Type)
		}
		if len(f.Geometry) == 0 || bytes.Equal(bytes.TrimSpace(f.Geometry), []byte("null")) {
			return nil, nil, fail(i, "geometry is null or missing")
		}
		if err := add(i, f.Properties, f.Geometry); err != nil {
			return nil, nil, err
		}
	}
	if len(features) == 0 {
		return nil, nil, fail(-1, "no polygons: want Polygon or MultiPolygon geometries")
	}
	return features, warnings, nil
}

// rawGeometry is a GeoJSON geometry before its coordinates are checked.
type rawGeometry struct {
	Type        string            `json:"type"`
	Coordinates json.RawMessage   `json:"coordinates"`
	Geometries  []json.RawMessage `json:"geometries"`
}

// maxCollectionDepth bounds nested GeometryCollections.
const maxCollectionDepth = 8

// decodeGeometry turns one GeoJSON geometry into a MultiPolygon. It returns
// nil and a warning for geometries with no polygonal part. Positions must
// hold at least longitude and latitude: decoders that read [31] as (31, 0)
// would move a vertex to the equator without a word.
func decodeGeometry(raw []byte) (orb.MultiPolygon, string, error) {
	var (
		mp      orb.MultiPolygon
		skipped []string
	)
	var collect func(raw []byte, depth int) error
	collect = func(raw []byte, depth int) error {
		var g rawGeometry
		if err := json.Unmarshal(raw, &g); err != nil {
			return fmt.Errorf("geometry: %w", err)
		}
		switch g.Type {
		case "Polygon":
			var p [][][]float64
			if err := json.Unmarshal(g.Coordinates, &p); err != nil {
				return fmt.Errorf("Polygon coordinates: %w", err)
			}
			poly, err := toPolygon(len(mp), p)
			if err != nil {
				return err
			}
			mp = append(mp, poly)
		case "MultiPolygon":
			var ps [][][][]float64
			if err := json.Unmarshal(g.Coordinates, &ps); err != nil {
				return fmt.Errorf("MultiPolygon coordinates: %w", err)
			}
			if len(ps) == 0 {
				return errors.New("MultiPolygon has no polygons")
			}
			for _, p := range ps {
				poly, err := toPolygon(len(mp), p)
				if err != nil {
					return err
				}
				mp = append(mp, poly)
			}
		case "GeometryCollection":
			if depth >= maxCollectionDepth {
				return fmt.Errorf("GeometryCollections nested deeper than %d levels", maxCollectionDepth)
			}
			for _, m := range g.Geometries {
				if err := collect(m, depth+1); err != nil {
					return err
				}
			}
		case "Point", "MultiPoint", "LineString", "MultiLineString":
			skipped = append(skipped, g.Type)
		case "":
			return errors.New(`geometry has no "type"`)
		default:
			return fmt.Errorf("geometry type %q is not a GeoJSON geometry type", g.Type)
		}
		return nil
	}
	if err := collect(raw, 0); err != nil {
		return nil, "", err
	}
	var warning string
	if len(skipped) > 0 {
		warning = fmt.Sprintf("skipped %s (only polygons are imported)", strings.Join(skipped, ", "))
	}
	if len(mp) == 0 {
		if len(skipped) == 0 {
			return nil, "", errors.New("geometry is empty")
		}
		return nil, warning, nil
	}
	return mp, warning, nil
}

// toPolygon converts decoded coordinates of polygon number i.
func toPolygon(i int, rings [][][]float64) (orb.Polygon, error) {
	if len(rings) == 0 {
		return nil, fmt.Errorf("polygon %d is empty", i)
	}
	poly := make(orb.Polygon, len(rings))
	for j, r := range rings {
		if len(r) == 0 {
			return nil, fmt.Errorf("polygon %d ring %d is empty", i, j)
		}
		ring := make(orb.Ring, len(r))
		for k, pos := range r {
			if len(pos) < 2 {
				return nil, fmt.Errorf("polygon %d ring %d point %d: position has %d numbers, want longitude and latitude", i, j, k, len(pos))
			}
			ring[k] = orb.Point{pos[0], pos[1]}
		}
		poly[j] = ring
	}
	return poly, nil
}

// jsonError turns an encoding/json error into an InputError with a line and column.
func jsonError(name string, b []byte, err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		// Offset counts the bytes read, the bad one included; at the end of
		// the input, point just past the last byte.
		off := int(syn.Offset)
		if off > 0 && off < len(b) {
			off--
		}
		line, col := lineCol(b, off)
		return &InputError{File: name, Feature: -1, Line: line, Column: col, Reason: "bad JSON: " + syn.Error()}
	case errors.As(err, &typ):
		line, col := lineCol(b, int(typ.Offset))
		return &InputError{File: name, Feature: -1, Line: line, Column: col,
			Reason: fmt.Sprintf("bad GeoJSON: member %q is a JSON %s, want %s", typ.Field, typ.Value, typ.Type)}
	default:
		return &InputError{File: name, Feature: -1, Reason: "bad JSON: " + err.Error()}
	}
}

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(b []byte, off int) (line, col int) {
	if off > len(b) {
		off = len(b)
	}
	if off < 0 {
		off = 0
	}
	before := b[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = off - bytes.LastIndexByte(before, '\n')
	return line, col
}

// checkUTF8 refuses a file of name that is not valid UTF-8, saying where:
// encoding/json would turn invalid UTF-8 into U+FFFD without a word.
func checkUTF8(name string, b []byte) error {
	if utf8.Valid(b) {
		return nil
	}
	line, col := lineCol(b, invalidUTF8Offset(b))
	return &InputError{File: name, Feature: -1, Line: line, Column: col, Reason: "invalid UTF-8"}
}

// invalidUTF8Offset returns the byte offset of the first invalid UTF-8 sequence.
func invalidUTF8Offset(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}
