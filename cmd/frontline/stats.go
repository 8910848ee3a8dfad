package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/frontlinemap/frontline/data"
	"github.com/frontlinemap/frontline/data/derive"
	"github.com/frontlinemap/frontline/data/sqlite"
	"github.com/frontlinemap/frontline/geo/scenario"
)

// outputFormats are the --format values of stats and series.
var outputFormats = []string{"table", "csv", "json"}

func statsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("stats", "stats --scenario ID [--date D] | --from D1 --to D2 [--format table|csv|json] [--scenarios DIR]", stderr)
	dbPath := dbFlag(fs)
	id := fs.String("scenario", "", "scenario `id` (see GET /api/scenarios); with --date")
	date := fs.String("date", "", "date of the line, `YYYY-MM-DD` (default the latest; a date without a line uses the nearest earlier one)")
	from := fs.String("from", "", "first date of a change, `YYYY-MM-DD`")
	to := fs.String("to", "", "last date of a change, `YYYY-MM-DD`")
	format := fs.String("format", "table", "output `format`: table, csv or json")
	scenarioDir := fs.String("scenarios", "", "`directory` of scenario files (*.json) to load first, replacing stored ones with the same ids")
	sliver := fs.Float64("sliver-m", 0, "absorb transfers lying within this many `metres` of Ukraine's border and coast (default 2000)")
	if rest, err := parseInterspersed(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return fmt.Errorf("%w: stats takes no arguments, got %q", errUsage, rest)
	}
	if err := checkFormat(*format); err != nil {
		return err
	}
	change := *from != "" || *to != ""
	switch {
	case change && (*id != "" || *date != ""):
		return fmt.Errorf("%w: give either --scenario [--date] or --from and --to", errUsage)
	case change && (*from == "" || *to == ""):
		return fmt.Errorf("%w: a change needs both --from and --to", errUsage)
	case !change && *id == "":
		return fmt.Errorf("%w: stats needs --scenario ID, or --from and --to", errUsage)
	}
	dates, err := parseDates(map[string]string{"--date": *date, "--from": *from, "--to": *to})
	if err != nil {
		return err
	}
	db, err := sqlite.Open(ctx, *dbPath, sqlite.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if *scenarioDir != "" {
		if _, _, err := importScenarios(ctx, db, []string{*scenarioDir}, true); err != nil {
			return err
		}
	}
	svc := derive.New(db, scenario.Options{SliverToleranceM: *sliver})
	if change {
		res, err := svc.Change(ctx, dates["--from"], dates["--to"])
		if err != nil {
			return err
		}
		return writeResult(stdout, *format, res, res.WriteCSV, res.WriteTable)
	}
	res, err := svc.Scenario(ctx, *id, dates["--date"])
	if err != nil {
		return err
	}
	return writeResult(stdout, *format, res, res.WriteCSV, res.WriteTable)
}

func seriesCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("series", "series [--oblast ISO] [--from D1] [--to D2] [--format table|csv|json]", stderr)
	dbPath := dbFlag(fs)
	iso := fs.String("oblast", "UA", "ISO `code` of the oblast, or UA for all of Ukraine")
	from := fs.String("from", "", "first date, `YYYY-MM-DD` (default: the first stored)")
	to := fs.String("to", "", "last date, `YYYY-MM-DD` (default: the last stored)")
	format := fs.String("format", "table", "output `format`: table, csv or json")
	if rest, err := parseInterspersed(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return fmt.Errorf("%w: series takes no arguments, got %q", errUsage, rest)
	}
	if err := checkFormat(*format); err != nil {
		return err
	}
	dates, err := parseDates(map[string]string{"--from": *from, "--to": *to})
	if err != nil {
		return err
	}
	db, err := sqlite.Open(ctx, *dbPath, sqlite.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	points, err := derive.New(db, scenario.Options{}).Series(ctx, *iso, dates["--from"], dates["--to"])
	if err != nil {
		return err
	}
	csvOut := func(w io.Writer) error { return derive.WriteSeriesCSV(w, *iso, points) }
	table := func(w io.Writer) error {
		for _, p := range points {
			approx := ""
			if p.Approximate {
				approx = "  (approximate)"
			}
			fmt.Fprintf(w, "%s  %s  %10.1f km2  %s%s\n", p.Date, *iso, p.OccupiedKm2, p.Source, approx)
		}
		return nil
	}
	return writeResult(stdout, *format, points, csvOut, table)
}

func checkFormat(f string) error {
	for _, v := range outputFormats {
		if f == v {
			return nil
		}
	}
	return fmt.Errorf("%w: --format %q: want %s", errUsage, f, strings.Join(outputFormats, ", "))
}

// parseDates validates the non-empty date flags.
func parseDates(flags map[string]string) (map[string]data.Date, error) {
	out := map[string]data.Date{}
	for name, v := range flags {
		if v == "" {
			continue
		}
		d, err := data.ParseDate(v)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", errUsage, name, err)
		}
		out[name] = d
	}
	return out, nil
}

func writeResult(w io.Writer, format string, v any, csvOut, table func(io.Writer) error) error {
	switch format {
	case "csv":
		return csvOut(w)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	default:
		return table(w)
	}
}
