package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/frontlinemap/frontline/data"
	"github.com/frontlinemap/frontline/data/sqlite"
)

// maxErrorsShown caps how many bad files one failed import lists.
const maxErrorsShown = 10

func importBoundariesCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import boundaries", "import boundaries FILE.geojson [flags]", stderr)
	dbPath := dbFlag(fs)
	codeProp := fs.String("code-prop", "iso", "feature `property` holding the ISO code (e.g. iso_3166_2)")
	nameProp := fs.String("name-prop", "name_en", "feature `property` holding the English name")
	nameUKProp := fs.String("name-uk-prop", "name_uk", "feature `property` holding the Ukrainian name")
	kind := fs.String("kind", data.KindAdmin1, "kind of the features without a kind property: admin1 or country")
	source := fs.String("source", "", "where the boundaries come from, for attribution (default: the file name)")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return fmt.Errorf("%w: import boundaries takes one FILE.geojson, got %d arguments", errUsage, len(files))
	}
	file := files[0]
	if *source == "" {
		*source = filepath.Base(file)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("import boundaries: %w", err)
	}
	features, warnings, err := data.DecodePolygons(file, b)
	if err != nil {
		return fmt.Errorf("import boundaries: %w", err)
	}
	props := data.BoundaryProps{Code: *codeProp, NameEN: *nameProp, NameUK: *nameUKProp}
	bounds, err := data.Boundaries(file, features, props, *kind, *source)
	if err != nil {
		return fmt.Errorf("import boundaries: %w", err)
	}
	db, err := sqlite.Open(ctx, *dbPath, sqlite.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	im, err := db.BeginImport(ctx, "boundaries", file)
	if err != nil {
		return err
	}
	defer im.Rollback()
	for _, bd := range bounds {
		if err := im.PutBoundary(ctx, bd); err != nil {
			return fmt.Errorf("import boundaries %s: %w", file, err)
		}
	}
	for _, w := range warnings {
		im.Warn(w.String())
	}
	rec, err := im.Commit(ctx)
	if err != nil {
		return err
	}
	printWarnings(stderr, warnings, rec.Warnings)
	fmt.Fprintf(stdout, "imported %s from %s (data revision %d)\n", plural(len(bounds), "boundary"), file, rec.Revision)
	return nil
}

// controlFile is one input of an import control command.
type controlFile struct {
	origin string // path or URL, as given
	date   data.Date
}

// decoded is the outcome of reading and decoding one controlFile.
type decoded struct {
	snap     data.Snapshot
	warnings []data.Warning
	err      error
}

func importControlCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import control", "import control FILE.geojson|DIR|URL ... --source TEXT [flags]", stderr)
	dbPath := dbFlag(fs)
	dateFlag := fs.String("date", "", "date of the line, `YYYY-MM-DD` (default: taken from each file name, e.g. deepstatemap_data_20250815.geojson)")
	source := fs.String("source", "", "who published the line, e.g. DeepStateMap (required)")
	note := fs.String("note", "", "free-text note stored with each line")
	replace := fs.Bool("replace", false, "replace lines already stored for the same dates")
	timeout := fs.Duration("timeout", 60*time.Second, "time limit for fetching each URL")
	maxBytes := fs.Int64("max-bytes", 64<<20, "size limit in bytes for each fetched URL")
	targets, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		return fmt.Errorf("%w: import control needs a FILE.geojson, DIR or URL", errUsage)
	}
	if strings.TrimSpace(*source) == "" {
		return fmt.Errorf("%w: import control: --source is required (who published the line, e.g. \"DeepStateMap\")", errUsage)
	}
	var date data.Date
	if *dateFlag != "" {
		if date, err = data.ParseDate(*dateFlag); err != nil {
			return fmt.Errorf("%w: --date: %v", errUsage, err)
		}
	}
	files, err := listControlFiles(targets, date)
	if err != nil {
		return fmt.Errorf("import control: %w", err)
	}

	fetch := fetcher{timeout: *timeout, maxBytes: *maxBytes}
	results := decodeAll(ctx, files, func(f controlFile) decoded {
		return decodeControl(ctx, fetch, f, *source, *note)
	})

	db, err := sqlite.Open(ctx, *dbPath, sqlite.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	origin := strings.Join(targets, " ")
	im, err := db.BeginImport(ctx, "control", origin)
	if err != nil {
		return err
	}
	defer im.Rollback()

	bar := newProgress(stderr, len(files), "importing")
	var (
		errs     []error
		warnings []data.Warning
	)
	for i := range files {
		r := <-results[i]
		bar.Add(1)
		if r.err != nil {
			errs = append(errs, r.err)
			continue
		}
		if len(errs) > 0 {
			continue // keep decoding to report every bad file, but write nothing more
		}
		for _, w := range r.warnings {
			im.Warn(w.String())
		}
		warnings = append(warnings, r.warnings...)
		if err := im.PutSnapshot(ctx, r.snap, *replace); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", files[i].origin, err))
		}
	}
	bar.Finish()
	if len(errs) > 0 {
		return importFailed(errs)
	}
	rec, err := im.Commit(ctx)
	if err != nil {
		return err
	}
	printWarnings(stderr, warnings, rec.Warnings)
	first, last := files[0].date, files[len(files)-1].date
	span := string(first)
	if last != first {
		span += ".." + string(last)
	}
	fmt.Fprintf(stdout, "imported %s (%s) from %s (data revision %d)\n", plural(len(files), "line"), span, origin, rec.Revision)
	return nil
}

// listControlFiles expands directories and assigns each input its date, in
// date order; two inputs for one date are an error.
func listControlFiles(targets []string, date data.Date) ([]controlFile, error) {
	var files []controlFile
	for _, t := range targets {
		if isURL(t) {
			files = append(files, controlFile{origin: t})
			continue
		}
		info, err := os.Stat(t)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, controlFile{origin: t})
			continue
		}
		if date != "" {
			return nil, fmt.Errorf("%w: --date cannot be used with a directory (%s): each file's date comes from its name", errUsage, t)
		}
		matches, err := filepath.Glob(filepath.Join(t, "*.geojson"))
		if err != nil {
			return nil, err
		}
		n := 0
		for _, m := range matches {
			_, err := data.DateFromFileName(filepath.Base(m))
			switch {
			case err == nil:
				files = append(files, controlFile{origin: m})
				n++
			case !errors.Is(err, data.ErrNoDate):
				// A name like 2025-02-30.geojson is a typo, not an unrelated file.
				return nil, fmt.Errorf("%s: %w", m, err)
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("%w: directory %s holds no *.geojson file with a date in its name", data.ErrInvalid, t)
		}
	}
	if date != "" && len(files) > 1 {
		return nil, fmt.Errorf("%w: --date names one date, but %d files were given", errUsage, len(files))
	}
	seen := map[data.Date]string{}
	for i := range files {
		f := &files[i]
		if date != "" {
			f.date = date
		} else {
			d, err := data.DateFromFileName(baseName(f.origin))
			if err != nil {
				return nil, fmt.Errorf("%s: %w; give --date", f.origin, err)
			}
			f.date = d
		}
		if prev, dup := seen[f.date]; dup {
			return nil, fmt.Errorf("%w: %s and %s are both for %s", data.ErrInvalid, prev, f.origin, f.date)
		}
		seen[f.date] = f.origin
	}
	sort.SliceStable(files, func(i, j int) bool { return files[i].date < files[j].date })
	return files, nil
}

// decodeAll runs decode over files on all cores and returns one channel per
// file, so results can be consumed in order while later files still decode.
func decodeAll(ctx context.Context, files []controlFile, decode func(controlFile) decoded) []chan decoded {
	out := make([]chan decoded, len(files))
	for i := range out {
		out[i] = make(chan decoded, 1)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out[i] <- decode(files[i])
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range files {
			select {
			case jobs <- i:
			case <-ctx.Done():
				for ; i < len(files); i++ {
					out[i] <- decoded{err: ctx.Err()}
				}
				return
			}
		}
	}()
	return out
}

func decodeControl(ctx context.Context, fetch fetcher, f controlFile, source, note string) decoded {
	var (
		b   []byte
		err error
	)
	if isURL(f.origin) {
		b, err = fetch.get(ctx, f.origin)
	} else {
		b, err = os.ReadFile(f.origin)
	}
	if err != nil {
		return decoded{err: err}
	}
	return decodeControlBytes(f.origin, f.date, b, source, note)
}

// decodeControlBytes validates and repairs one line of control; the CLI and
// POST /api/control both go through it, so they accept and refuse the same inputs.
func decodeControlBytes(origin string, date data.Date, b []byte, source, note string) decoded {
	features, warnings, err := data.DecodePolygons(origin, b)
	if err != nil {
		return decoded{err: err}
	}
	mp, err := data.ControlArea(origin, features)
	if err != nil {
		return decoded{err: err}
	}
	return decoded{
		snap: data.Snapshot{
			SnapshotInfo: data.SnapshotInfo{Date: date, Source: source, Note: note},
			Geometry:     mp,
		},
		warnings: warnings,
	}
}

// importFailed summarises the errors of a failed import.
func importFailed(errs []error) error { return &importError{errs: errs} }

// importError lists what made an import fail; errors.Is and errors.As see
// every one of them.
type importError struct{ errs []error }

func (e *importError) Error() string {
	if len(e.errs) == 1 {
		return "import failed, nothing was changed: " + e.errs[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "import failed, nothing was changed: %d errors:", len(e.errs))
	for i, err := range e.errs {
		if i == maxErrorsShown {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.errs)-maxErrorsShown)
			break
		}
		fmt.Fprintf(&b, "\n  %v", err)
	}
	return b.String()
}

func (e *importError) Unwrap() []error { return e.errs }

// maxWarningsPerKind is how many warnings of one kind are printed one by
// one; the rest are counted (all of them stay in the import log).
const maxWarningsPerKind = 3

// printWarnings prints the decoding warnings, summarising long runs of one
// kind (every DeepStateMap file needs its rings reoriented, say), then the
// store's own notes from the import log.
func printWarnings(w io.Writer, decoded []data.Warning, logged []string) {
	var kinds []string
	byKind := map[string][]data.Warning{}
	printed := map[string]bool{}
	for _, d := range decoded {
		if _, ok := byKind[d.Kind]; !ok {
			kinds = append(kinds, d.Kind)
		}
		byKind[d.Kind] = append(byKind[d.Kind], d)
		printed[d.String()] = true
	}
	for _, k := range kinds {
		ws := byKind[k]
		for i, d := range ws {
			if i == maxWarningsPerKind {
				fmt.Fprintf(w, "warning: ... and %d more %s warnings (all kept in the import log)\n", len(ws)-i, k)
				break
			}
			fmt.Fprintf(w, "warning: %s\n", d)
		}
	}
	for _, msg := range logged {
		if !printed[msg] {
			fmt.Fprintf(w, "warning: %s\n", msg)
		}
	}
}

// newProgress returns a progress bar on a terminal and a silent one otherwise.
func newProgress(w io.Writer, n int, what string) *progressbar.ProgressBar {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) && n > 1 {
		return progressbar.NewOptions(n,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(what),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish(),
		)
	}
	return progressbar.NewOptions(n, progressbar.OptionSetWriter(io.Discard), progressbar.OptionSetVisibility(false))
}

func datesCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("dates", "dates [--db PATH]", stderr)
	dbPath := dbFlag(fs)
	if rest, err := parseInterspersed(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return fmt.Errorf("%w: dates takes no arguments", errUsage)
	}
	db, err := sqlite.Open(ctx, *dbPath, sqlite.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	dates, err := db.Dates(ctx)
	if err != nil {
		return err
	}
	for _, d := range dates {
		approx := ""
		if d.Approximate {
			approx = "  (approximate)"
		}
		fmt.Fprintf(stdout, "%s  %-40s %7d points%s\n", d.Date, d.Source, d.Vertices, approx)
	}
	return nil
}

func importScenariosCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import scenarios", "import scenarios FILE.json|DIR ... [--replace]", stderr)
	dbPath := dbFlag(fs)
	replace := fs.Bool("replace", false, "replace stored scenarios with the same ids")
	targets, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		return fmt.Errorf("%w: import scenarios needs a FILE.json or DIR", errUsage)
	}
	db, err := sqlite.Open(ctx, *dbPath, sqlite.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	n, rev, err := importScenarios(ctx, db, targets, *replace)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %s from %s (data revision %d)\n", plural(n, "scenario"), strings.Join(targets, " "), rev)
	return nil
}

// importScenarios stores the scenario files named by targets (files, or
// directories of *.json) in one all-or-nothing import.
func importScenarios(ctx context.Context, db *sqlite.DB, targets []string, replace bool) (n int, revision int64, err error) {
	var files []string
	for _, t := range targets {
		info, err := os.Stat(t)
		if err != nil {
			return 0, 0, fmt.Errorf("import scenarios: %w", err)
		}
		if !info.IsDir() {
			files = append(files, t)
			continue
		}
		matches, _ := filepath.Glob(filepath.Join(t, "*.json"))
		if len(matches) == 0 {
			return 0, 0, fmt.Errorf("import scenarios: %w: directory %s holds no *.json file", data.ErrInvalid, t)
		}
		files = append(files, matches...)
	}
	im, err := db.BeginImport(ctx, "scenarios", strings.Join(targets, " "))
	if err != nil {
		return 0, 0, err
	}
	defer im.Rollback()
	seen := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return 0, 0, importFailed([]error{err})
		}
		sc, err := data.DecodeScenario(f, b)
		if err != nil {
			return 0, 0, importFailed([]error{err})
		}
		if prev, dup := seen[sc.ID]; dup {
			return 0, 0, importFailed([]error{fmt.Errorf("%w: %s and %s both define scenario %s", data.ErrInvalid, prev, f, sc.ID)})
		}
		seen[sc.ID] = f
		if err := im.PutScenario(ctx, sc, replace); err != nil {
			return 0, 0, importFailed([]error{fmt.Errorf("%s: %w", f, err)})
		}
	}
	rec, err := im.Commit(ctx)
	if err != nil {
		return 0, 0, err
	}
	return len(files), rec.Revision, nil
}
