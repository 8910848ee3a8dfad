package data

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb/planar"
)

// badCases maps each file of testdata/bad to the error it must produce.
// Every file there must be listed, so a new hostile input needs a stated outcome.
var badCases = map[string]struct {
	feature   int    // feature index the error names, -1 for none
	line, col int    // position of a JSON error, 0 for none
	reason    string // substring of the reason
}{
	"syntax-missing-comma.geojson":         {-1, 3, 38, "bad JSON: invalid character '\"' after object key:value pair"},
	"truncated.geojson":                    {-1, 1, 41, "bad JSON: unexpected end of JSON input"},
	"empty-file.geojson":                   {-1, 1, 1, "bad JSON: unexpected end of JSON input"},
	"not-an-object.geojson":                {-1, 1, 2, "bad GeoJSON: member \"\" is a JSON array, want data.document"},
	"topojson.geojson":                     {-1, 0, 0, `type "Topology" is not a GeoJSON object type`},
	"no-type.geojson":                      {-1, 0, 0, `no "type" member`},
	"no-features.geojson":                  {-1, 0, 0, "no polygons"},
	"only-points-and-lines.geojson":        {-1, 0, 0, "no polygons"},
	"nan-literal.geojson":                  {-1, 1, 140, "bad JSON: invalid character 'N'"},
	"overflow-1e400.geojson":               {0, 0, 0, "cannot unmarshal number 1e400"},
	"huge-1e308.geojson":                   {0, 0, 0, "polygon 0 ring 0 point 2: latitude 1e+308 outside [-90, 90]"},
	"lon-out-of-range.geojson":             {1, 0, 0, "polygon 0 ring 0 point 0: longitude 181 outside [-180, 180]"},
	"lat-out-of-range.geojson":             {0, 0, 0, "polygon 0 ring 0 point 0: latitude 91 outside [-90, 90]"},
	"empty-polygon.geojson":                {0, 0, 0, "polygon 0 is empty"},
	"empty-multipolygon.geojson":           {0, 0, 0, "MultiPolygon has no polygons"},
	"null-geometry.geojson":                {0, 0, 0, "geometry is null or missing"},
	"coordinates-string.geojson":           {0, 0, 0, "Polygon coordinates: json: cannot unmarshal string"},
	"unknown-geometry-type.geojson":        {0, 0, 0, `geometry type "Hexagon" is not a GeoJSON geometry type`},
	"feature-wrong-type.geojson":           {0, 0, 0, `type is "Feat", want "Feature"`},
	"crs-web-mercator.geojson":             {-1, 0, 0, `crs "urn:ogc:def:crs:EPSG::3857" is not supported`},
	"all-same-point.geojson":               {0, 0, 0, "geometry cannot be repaired"},
	"two-point-ring.geojson":               {0, 0, 0, "geometry cannot be repaired"},
	"invalid-utf8.geojson":                 {-1, 1, 81, "invalid UTF-8"},
	"deep-nesting.geojson":                 {-1, 1, 10001, "exceeded max depth"},
	"ragged-positions.geojson":             {0, 0, 0, "polygon 0 ring 0 point 1: position has 1 numbers, want longitude and latitude"},
	"crs-link.geojson":                     {-1, 0, 0, `crs of type "link" is not supported`},
	"crs-string.geojson":                   {-1, 1, 46, `bad GeoJSON: member "crs" is a JSON string`},
	"lon-1e308.geojson":                    {0, 0, 0, "polygon 0 ring 0 point 1: longitude 1e+308 outside [-180, 180]"},
	"overflow-neg-1e400.geojson":           {0, 0, 0, "cannot unmarshal number -1e400"},
	"infinity-literal.geojson":             {-1, 1, 44, "bad JSON: invalid character 'I'"},
	"empty-ring.geojson":                   {0, 0, 0, "polygon 0 ring 1 is empty"},
	"null-coordinates.geojson":             {0, 0, 0, "polygon 0 is empty"},
	"missing-coordinates.geojson":          {0, 0, 0, "MultiPolygon coordinates: unexpected end of JSON input"},
	"bool-coordinates.geojson":             {0, 0, 0, "cannot unmarshal bool"},
	"features-object.geojson":              {-1, 1, 41, `bad GeoJSON: member "features" is a JSON object`},
	"type-number.geojson":                  {-1, 1, 10, `bad GeoJSON: member "type" is a JSON number`},
	"geometry-wkt-string.geojson":          {0, 0, 0, "geometry: json: cannot unmarshal string"},
	"trailing-garbage.geojson":             {-1, 1, 166, "bad JSON: invalid character '<' after top-level value"},
	"collinear-ring.geojson":               {0, 0, 0, "geometry cannot be repaired: repair: all 1 polygon degenerate"},
	"hole-covers-shell.geojson":            {0, 0, 0, "geometry cannot be repaired: repair: nothing left after rebuilding invalid polygons"},
	"geometry-collection-too-deep.geojson": {0, 0, 0, "GeometryCollections nested deeper than 8 levels"},
	"invalid-utf8-in-property.geojson":     {-1, 3, 33, "invalid UTF-8"},
}

func TestDecodePolygonsRejectsBadInput(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 25 {
		t.Fatalf("got %d bad inputs, want at least 25", len(files))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			want, ok := badCases[name]
			if !ok {
				t.Fatalf("testdata/bad/%s has no expected outcome in badCases", name)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = DecodePolygons(name, b)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got error %v, want *InputError", err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid")
			}
			if ie.File != name || ie.Feature != want.feature || ie.Line != want.line || ie.Column != want.col {
				t.Errorf("got file %s feature %d at %d:%d, want %s feature %d at %d:%d (%v)",
					ie.File, ie.Feature, ie.Line, ie.Column, name, want.feature, want.line, want.col, err)
			}
			if !strings.Contains(ie.Reason, want.reason) {
				t.Errorf("got reason %q, want it to contain %q", ie.Reason, want.reason)
			}
		})
	}
}

func TestDecodePolygonsRepairs(t *testing.T) {
	tests := []struct {
		file     string
		warnings []string // substrings, in order
		polygons int
		area     float64 // planar square degrees, ±1e-9
	}{
		{"unclosed.geojson", []string{"closed"}, 1, 1},
		{"clockwise.geojson", []string{"winding"}, 1, 1},
		{"duplicate-points.geojson", []string{"duplicate"}, 1, 1},
		{"bow-tie.geojson", []string{"self-intersection"}, 2, 0.5},
		// The zero-width excursion from (38, 48.5) to (40, 48.5) is cut off; the square stays.
		{"spike.geojson", []string{"self-intersection"}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata/repair", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			features, warnings, err := DecodePolygons(tt.file, b)
			if err != nil {
				t.Fatalf("DecodePolygons: %v", err)
			}
			if len(warnings) != len(tt.warnings) {
				t.Fatalf("got warnings %v, want %d containing %v", warnings, len(tt.warnings), tt.warnings)
			}
			for i, w := range warnings {
				if !strings.Contains(w.String(), tt.warnings[i]) || !strings.HasPrefix(w.String(), tt.file+": feature 0: repaired: ") {
					t.Errorf("warning %d = %q, want %q prefix and %q", i, w, tt.file+": feature 0: repaired: ", tt.warnings[i])
				}
			}
			mp := features[0].Geometry
			if len(mp) != tt.polygons {
				t.Errorf("got %d polygons, want %d", len(mp), tt.polygons)
			}
			if got := planar.Area(mp); got < tt.area-1e-9 || got > tt.area+1e-9 {
				t.Errorf("got area %v, want %v", got, tt.area)
			}
		})
	}
}

func TestControlAreaMergesOverlappingFeatures(t *testing.T) {
	b, err := os.ReadFile("testdata/repair/overlapping-features.geojson")
	if err != nil {
		t.Fatal(err)
	}
	features, _, err := DecodePolygons("overlapping-features.geojson", b)
	if err != nil {
		t.Fatal(err)
	}
	mp, err := ControlArea("overlapping-features.geojson", features)
	if err != nil {
		t.Fatal(err)
	}
	// Two 2x1 rectangles overlapping in a 1x0.5 square: 2 + 2 - 0.5.
	if got, want := planar.Area(mp), 3.5; got < want-1e-9 || got > want+1e-9 {
		t.Errorf("got area %v, want %v", got, want)
	}
	if len(mp) != 1 {
		t.Errorf("got %d polygons, want 1 merged polygon", len(mp))
	}
}

func TestDateFromFileName(t *testing.T) {
	tests := []struct {
		name, want, err string
	}{
		{"deepstatemap_data_20250815.geojson", "2025-08-15", ""},
		{"2025-08-15.geojson", "2025-08-15", ""},
		{"line-2024-02-29-v2.geojson", "2024-02-29", ""},
		{"20250230.geojson", "", `date "2025-02-30" is not a calendar date`},
		{"line.geojson", "", "holds no date"},
		{"123456789.geojson", "", "holds no date"},
		{"19000101.geojson", "", "outside 1991-08-24..2099-12-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DateFromFileName(tt.name)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrInvalid) {
					t.Fatalf("got %q, %v; want error containing %q", got, err, tt.err)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestDecodeScenarioErrors(t *testing.T) {
	valid := `{"id":"x","title":"T","summary":"S","reported":"2025-08-16","sources":[{"publisher":"P","date":"2025-08-16"}],"rule":"control"}`
	tests := []struct {
		name, json, want string
	}{
		{"valid", valid, ""},
		{"bad id", strings.Replace(valid, `"id":"x"`, `"id":"X Y"`, 1), `id "X Y" must be`},
		{"unknown field", strings.Replace(valid, `"title"`, `"titel":"",
"title"`, 1), `unknown field "titel"`},
		{"bad rule", strings.Replace(valid, `"rule":"control"`, `"rule":"control + donbas"`, 1), `at character 11: unknown name "donbas"`},
		{"self reference", strings.Replace(valid, `"rule":"control"`, `"rule":"scenario(x)"`, 1), `unknown name "scenario"`},
		{"bad reported date", strings.Replace(valid, `"reported":"2025-08-16"`, `"reported":"16.08.2025"`, 1), "reported:"},
		{"bad url", strings.Replace(valid, `"date":"2025-08-16"}`, `"date":"2025-08-16","url":"javascript:alert(1)"}`, 1), "is not an http(s) URL"},
		{"empty title", strings.Replace(valid, `"title":"T"`, `"title":""`, 1), "title is empty"},
		{"trailing data", valid + "{}", "trailing data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeScenario("s.json", []byte(tt.json))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want an ErrInvalid containing %q", err, tt.want)
			}
		})
	}
}
