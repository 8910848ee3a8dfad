// Command frontline loads boundaries and dated lines of control into SQLite
// and serves them to the map.
//
//	frontline serve  [--db PATH] [--addr HOST:PORT]
//	frontline import boundaries FILE.geojson [--code-prop P] [--name-prop P] [--name-uk-prop P] [--kind admin1|country] [--source TEXT]
//	frontline import control FILE.geojson|DIR|URL ... [--date YYYY-MM-DD] --source TEXT [--note TEXT] [--replace]
//	frontline import scenarios FILE.json|DIR ... [--replace]
//	frontline dates  [--db PATH]
//	frontline stats  --scenario ID [--date D] | --from D1 --to D2 [--format table|csv|json]
//	frontline series [--oblast ISO] [--from D1] [--to D2] [--format table|csv|json]
//	frontline render STYLE VIEW SIZE [--format png|svg|gif] [...] -o FILE
//	frontline export --tileset ID [--date D | --from D1 --to D2] [--tiles png|png@2x|mvt] [--minzoom N] [--maxzoom N] [--bbox B] -o FILE.pmtiles|FILE.mbtiles
//
// Every command takes --db PATH (default frontline.db, env FRONTLINE_DB); a
// missing database is created and filled with the embedded defaults.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `frontline: territorial control maps from SQLite

Usage:
  frontline serve  [--db PATH] [--addr HOST:PORT] [--scenarios DIR]
  frontline import boundaries FILE.geojson [--code-prop P] [--name-prop P] [--name-uk-prop P] [--kind admin1|country] [--source TEXT]
  frontline import control FILE.geojson|DIR|URL ... [--date YYYY-MM-DD] --source TEXT [--note TEXT] [--replace]
  frontline import scenarios FILE.json|DIR ... [--replace]
  frontline dates  [--db PATH]
  frontline stats  --scenario ID [--date YYYY-MM-DD] [--format table|csv|json]
  frontline stats  --from YYYY-MM-DD --to YYYY-MM-DD [--format table|csv|json]
  frontline series [--oblast ISO] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format table|csv|json]
  frontline render STYLE VIEW SIZE [--format png|svg|gif] [--date D] [--title T] [...] -o FILE
  frontline export --tileset ID [--date D | --from D --to D] [--tiles png|png@2x|mvt] [--style S]
                   [--minzoom N] [--maxzoom N] [--bbox minlon,minlat,maxlon,maxlat]
                   [--format pmtiles|mbtiles] -o FILE

Every command takes --db PATH (default frontline.db, environment FRONTLINE_DB).
A missing database is created and filled with the embedded default data.
Run "frontline COMMAND --help" for the flags of a command.
`

// errUsage marks errors that are the caller's fault; run prints the usage hint.
var errUsage = errors.New("usage")

// run executes one command and returns the process exit code: 0 on success,
// 1 on failure, 2 on a usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := dispatch(ctx, args, stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "frontline: %v\n", err)
		fmt.Fprint(stderr, "run \"frontline help\" for usage\n")
		return 2
	default:
		fmt.Fprintf(stderr, "frontline: %v\n", err)
		return 1
	}
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: no command given", errUsage)
	}
	switch args[0] {
	case "serve":
		return serveCmd(ctx, args[1:], stdout, stderr)
	case "import":
		if len(args) < 2 {
			return fmt.Errorf("%w: import what? (boundaries, control or scenarios)", errUsage)
		}
		switch args[1] {
		case "boundaries":
			return importBoundariesCmd(ctx, args[2:], stdout, stderr)
		case "control":
			return importControlCmd(ctx, args[2:], stdout, stderr)
		case "scenarios":
			return importScenariosCmd(ctx, args[2:], stdout, stderr)
		}
		return fmt.Errorf("%w: unknown import %q (boundaries, control or scenarios)", errUsage, args[1])
	case "dates":
		return datesCmd(ctx, args[1:], stdout, stderr)
	case "stats":
		return statsCmd(ctx, args[1:], stdout, stderr)
	case "series":
		return seriesCmd(ctx, args[1:], stdout, stderr)
	case "render":
		return renderCmd(ctx, args[1:], stdout, stderr)
	case "export":
		return exportCmd(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
}

// parseInterspersed parses flags that may come before, between or after the
// positional arguments, and returns the positional arguments in order.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// newFlagSet returns a flag set that reports errors instead of exiting and
// prints its help to stderr.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: frontline %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// dbUsage documents --db wherever it appears.
const dbUsage = "SQLite database `path` (environment FRONTLINE_DB); created with the default data if missing"

// dbFlag adds --db, defaulting to $FRONTLINE_DB or frontline.db.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", envOr("FRONTLINE_DB", "frontline.db"), dbUsage)
}

// envOr returns the environment variable key, or def when it is unset or empty.
func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	}
	return fmt.Sprintf("%d %ss", n, word)
}
