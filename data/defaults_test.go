package data

import (
	"io/fs"
	"regexp"
	"testing"
)

func TestEmbeddedFilesDecodeWithoutRepairs(t *testing.T) {
	for _, pattern := range []string{"boundaries/*.geojson", "control/*.geojson"} {
		names, _ := fs.Glob(Embedded(), pattern)
		if len(names) == 0 {
			t.Fatalf("no embedded files match %s", pattern)
		}
		for _, name := range names {
			b, _ := fs.ReadFile(Embedded(), name)
			_, warnings, err := DecodePolygons(name, b)
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			// Shipped files are generated valid (make data); a repair here means a bad regeneration.
			if len(warnings) > 0 {
				t.Errorf("%s: got %d warnings, want none; first: %s", name, len(warnings), warnings[0])
			}
		}
	}
}

func TestDefaults(t *testing.T) {
	d, err := Defaults()
	if err != nil {
		t.Fatal(err)
	}
	iso := regexp.MustCompile(`^UA-\d\d$`)
	admin1 := map[string]bool{}
	for _, b := range d.Boundaries {
		if b.Kind != KindAdmin1 {
			continue
		}
		if !iso.MatchString(b.ISO) || b.NameEN == "" || b.NameUK == "" {
			t.Errorf("admin1 %q: names %q / %q: want UA-NN and both names", b.ISO, b.NameEN, b.NameUK)
		}
		admin1[b.ISO] = true
	}
	if len(admin1) != 27 {
		t.Errorf("got %d distinct admin1 units, want 27", len(admin1))
	}
	for _, code := range []string{"UA-14", "UA-09", "UA-23", "UA-65", "UA-43", "UA-40", "UA-30", "UA-63", "UA-59", "UA-12", "UA-48"} {
		if !admin1[code] {
			t.Errorf("%s missing", code)
		}
	}
	if len(d.Snapshots) != 1 || d.Snapshots[0].Date != "2025-08-15" || !d.Snapshots[0].Approximate {
		t.Errorf("got %d snapshots, want the approximate 2025-08-15 line", len(d.Snapshots))
	}
	if len(d.Scenarios) != 4 {
		t.Errorf("got %d scenarios, want 4", len(d.Scenarios))
	}
}

func TestCities(t *testing.T) {
	cities, err := Cities()
	if err != nil {
		t.Fatal(err)
	}
	if len(cities) < 30 {
		t.Errorf("got %d cities, want at least 30", len(cities))
	}
	for _, c := range cities {
		if c.PopClass < 1 || c.PopClass > 4 || c.Lon < 22 || c.Lon > 41 || c.Lat < 44 || c.Lat > 53 {
			t.Errorf("%s: class %d at %.2f,%.2f, want class 1..4 inside Ukraine's box", c.NameEN, c.PopClass, c.Lon, c.Lat)
		}
	}
}
