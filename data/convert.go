package data

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"

	"github.com/frontlinemap/frontline/geo"
)

// BoundaryProps names the feature properties that hold a boundary's code,
// names and kind; empty names fall back to the defaults of DefaultBoundaryProps.
type BoundaryProps struct {
	Code   string // ISO code, e.g. "iso" or "iso_3166_2"
	NameEN string
	NameUK string
	Kind   string // property holding admin1 or country; when absent in a feature, DefaultKind applies
}

// DefaultBoundaryProps are the property names of Frontline's own boundary files.
var DefaultBoundaryProps = BoundaryProps{Code: "iso", NameEN: "name_en", NameUK: "name_uk", Kind: "kind"}

// Boundaries turns decoded features into boundaries. defaultKind applies to
// features without a kind property; source is recorded for attribution.
// A missing or duplicate code, or an unknown kind, is an *InputError.
func Boundaries(file string, features []Feature, p BoundaryProps, defaultKind, source string) ([]Boundary, error) {
	d := DefaultBoundaryProps
	if p.Code == "" {
		p.Code = d.Code
	}
	if p.NameEN == "" {
		p.NameEN = d.NameEN
	}
	if p.NameUK == "" {
		p.NameUK = d.NameUK
	}
	if p.Kind == "" {
		p.Kind = d.Kind
	}
	seen := map[string]int{}
	out := make([]Boundary, 0, len(features))
	for _, f := range features {
		fail := func(format string, args ...any) error {
			return &InputError{File: file, Feature: f.Index, Reason: fmt.Sprintf(format, args...)}
		}
		code := strings.TrimSpace(stringProp(f.Properties, p.Code))
		if code == "" {
			return nil, fail("property %q (the ISO code) is missing or empty", p.Code)
		}
		if prev, dup := seen[code]; dup {
			return nil, fail("code %s already used by feature %d", code, prev)
		}
		seen[code] = f.Index
		kind := stringProp(f.Properties, p.Kind)
		if kind == "" {
			kind = defaultKind
		}
		if kind != KindAdmin1 && kind != KindCountry {
			return nil, fail("kind %q is not %s or %s", kind, KindAdmin1, KindCountry)
		}
		nameEN := stringProp(f.Properties, p.NameEN)
		if nameEN == "" {
			nameEN = code
		}
		out = append(out, Boundary{
			ISO: code, Kind: kind, NameEN: nameEN, NameUK: stringProp(f.Properties, p.NameUK),
			Source: source, Geometry: f.Geometry,
		})
	}
	return out, nil
}

// ControlArea merges the polygons of all features into the one valid
// MultiPolygon that a snapshot stores (features of a file may overlap).
func ControlArea(file string, features []Feature) (orb.MultiPolygon, error) {
	if len(features) == 1 {
		return features[0].Geometry, nil
	}
	parts := make([]orb.MultiPolygon, len(features))
	for i, f := range features {
		parts[i] = f.Geometry
	}
	mp, err := geo.Union(parts...)
	if err != nil {
		return nil, &InputError{File: file, Feature: -1, Reason: fmt.Sprintf("merging %d features: %v", len(features), err)}
	}
	return mp, nil
}

func stringProp(props map[string]any, key string) string {
	v, ok := props[key]
	if !ok || v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}
