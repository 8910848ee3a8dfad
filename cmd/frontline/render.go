package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

const renderSynopsis = "render STYLE VIEW SIZE [--format png|svg|gif] [--date D] [--from D --to D] [--step DAYS] [--title T] [--legend 0|1] [--theme dark] [--left STYLE --right STYLE] [--left-date D] [--right-date D] -o FILE"

// renderCmd writes a static image to a file: the same image, byte for
// byte, as GET /static/STYLE/VIEW/SIZE.FORMAT with the same options.
func renderCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("render", renderSynopsis, stderr)
	dbPath := dbFlag(fs)
	out := fs.String("o", "", "output `file` (required); its extension gives the format unless --format is set")
	format := fs.String("format", "", "png, svg or gif (default: from the -o extension, else png)")
	opts := map[string]*string{}
	for _, o := range []struct{ flag, query, usage string }{
		{"date", "date", "date of the line, `YYYY-MM-DD` (default the latest; a date without a line uses the nearest earlier one)"},
		{"from", "from", "first date, `YYYY-MM-DD`: of a diff, or of an animation"},
		{"to", "to", "last date, `YYYY-MM-DD`: of a diff, or of an animation (default the latest line)"},
		{"step", "step", "`days` between the frames of an animation (default 7)"},
		{"title", "title", "title `text` written at the top left"},
		{"legend", "legend", "1 draws the legend (default), 0 leaves it out"},
		{"theme", "theme", "light (default) or dark"},
		{"left", "left", "left tileset of a comparison (STYLE compare)"},
		{"right", "right", "right tileset of a comparison (STYLE compare)"},
		{"left-date", "left_date", "date of the left side of a comparison"},
		{"right-date", "right_date", "date of the right side of a comparison"},
	} {
		opts[o.query] = fs.String(o.flag, "", o.usage)
	}
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 3 {
		return fmt.Errorf("%w: render takes STYLE VIEW SIZE (e.g. control auto 1200x630), got %q", errUsage, rest)
	}
	if *out == "" {
		return fmt.Errorf("%w: render needs -o FILE", errUsage)
	}
	if *format == "" {
		*format = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
		if _, ok := contentTypes[*format]; !ok {
			*format = formatPNG
		}
	}
	r := staticRequest{Style: rest[0], View: rest[1], Size: rest[2], Format: *format}
	if err := r.setOptions(func(k string) string { return *opts[k] }); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}

	ts, closeDB, err := openTileServer(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer closeDB()
	b, _, err := ts.staticImage(ctx, r)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	fmt.Fprintf(stdout, "frontline: wrote %s (%d bytes)\n", *out, len(b))
	return nil
}
