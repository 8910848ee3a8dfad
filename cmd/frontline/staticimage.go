package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/frontlinemap/frontline/data"
	"github.com/frontlinemap/frontline/tiles"
	"github.com/frontlinemap/frontline/tiles/staticmap"
)

// Static image formats.
const (
	formatSVG = "svg"
	formatGIF = "gif"
)

// staticRequest is one static image as a URL or the render command asks
// for it; both go through staticImage.
type staticRequest struct {
	Style  string // tileset id, or "compare"
	View   string // "auto", "lon,lat,zoom" or "[minlon,minlat,maxlon,maxlat]"
	Size   string // "WxH", "WxH@2x" or a preset name
	Format string // png, svg or gif
	Dark   bool
	Legend bool
	Title  string
	// Date is the line's date (default the latest); From and To bound a
	// diff and an animation.
	Date, From, To data.Date
	// Left and Right are the tilesets of a comparison, with their dates.
	Left, Right         string
	LeftDate, RightDate data.Date
	Step                int // days between animation frames
}

// staticOptions are the query parameters (or command flags) of a static
// image, by name: date, from, to, title, legend, theme, left, right,
// left_date, right_date, step.
func (r *staticRequest) setOptions(get func(string) string) error {
	var err error
	dates := []struct {
		name string
		dst  *data.Date
	}{{"date", &r.Date}, {"from", &r.From}, {"to", &r.To}, {"left_date", &r.LeftDate}, {"right_date", &r.RightDate}}
	for _, d := range dates {
		if v := get(d.name); v != "" {
			if *d.dst, err = data.ParseDate(v); err != nil {
				return fmt.Errorf("%s: %w", d.name, err)
			}
		}
	}
	r.Title = get("title")
	if len(r.Title) > 200 {
		return fmt.Errorf("%w: title is %d bytes long; at most 200", data.ErrInvalid, len(r.Title))
	}
	switch get("legend") {
	case "", "1", "true":
		r.Legend = true
	case "0", "false":
		r.Legend = false
	default:
		return fmt.Errorf("%w: legend %q: want 0 or 1", data.ErrInvalid, get("legend"))
	}
	if r.Dark, err = parseTheme(get("theme")); err != nil {
		return err
	}
	r.Left, r.Right = get("left"), get("right")
	r.Step = 7
	if s := get("step"); s != "" {
		if r.Step, err = strconv.Atoi(s); err != nil || r.Step < 1 || r.Step > 3660 {
			return fmt.Errorf("%w: step %q: want a whole number of days, 1..3660", data.ErrInvalid, s)
		}
	}
	return nil
}

// parseTheme reads a theme= option: light (the default) or dark.
func parseTheme(s string) (dark bool, err error) {
	switch s {
	case "", "light":
		return false, nil
	case "dark":
		return true, nil
	}
	return false, fmt.Errorf("%w: theme %q: want light or dark", data.ErrInvalid, s)
}

// splitStaticFile splits the last part of a static image path,
// "{size}.{format}", into size and format.
func splitStaticFile(file string) (size, format string, err error) {
	i := strings.LastIndexByte(file, '.')
	if i < 0 {
		return "", "", fmt.Errorf("%w: %q: want {width}x{height}[@2x].{png|svg|gif} or {preset}.{png|svg}", data.ErrInvalid, file)
	}
	size, format = file[:i], file[i+1:]
	if format != formatPNG && format != formatSVG && format != formatGIF {
		return "", "", fmt.Errorf("%w: format %q: want png, svg or gif", data.ErrInvalid, format)
	}
	return size, format, nil
}

// contentTypes of the static image formats.
var contentTypes = map[string]string{formatPNG: "image/png", formatSVG: "image/svg+xml", formatGIF: "image/gif"}

// maxGIFPixels bounds an animation's pixels over all frames.
const maxGIFPixels = 60_000_000

// staticSlots bounds the static images rendered at once: a large one takes
// seconds of a core and hundreds of MB, and tiles must keep flowing.
var staticSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))

// staticImage renders one static image and returns it with its content type.
func (ts *tileServer) staticImage(ctx context.Context, r staticRequest) ([]byte, string, error) {
	select {
	case staticSlots <- struct{}{}:
		defer func() { <-staticSlots }()
	case <-ctx.Done():
		return nil, "", ctx.Err()
	}
	size, err := staticmap.ParseSize(r.Size)
	if err != nil {
		return nil, "", invalid(err)
	}
	ctype, ok := contentTypes[r.Format]
	if !ok {
		return nil, "", fmt.Errorf("%w: format %q: want png, svg or gif", data.ErrInvalid, r.Format)
	}
	spec, err := ts.viewSpec(ctx, r.View)
	if err != nil {
		return nil, "", err
	}
	if r.Format == formatGIF {
		if size.Preset != "" || size.Scale != 1 {
			return nil, "", fmt.Errorf("%w: an animation takes an explicit WIDTHxHEIGHT size, without @2x", data.ErrInvalid)
		}
		frames, err := ts.animation(ctx, r, size)
		if err != nil {
			return nil, "", err
		}
		b, err := staticmap.GIF(frames, spec, size)
		return b, ctype, invalid(err)
	}
	var img staticmap.Image
	if r.Style == "compare" {
		img, err = ts.comparison(ctx, r)
	} else {
		img, err = ts.single(ctx, r, size.Preset != "")
	}
	if err != nil {
		return nil, "", err
	}
	var b []byte
	if r.Format == formatSVG {
		b, err = staticmap.SVG(img, spec, size)
	} else {
		b, err = staticmap.PNG(img, spec, size)
	}
	return b, ctype, invalid(err)
}

// cachedStaticImage is staticImage through the image cache. The key
// holds every field of r and the data revision rev, and a static image is
// drawn from nothing else, so an entry never answers for other data.
// Concurrent requests for the same image draw it once.
func (ts *tileServer) cachedStaticImage(ctx context.Context, rev int64, r staticRequest) ([]byte, string, error) {
	key, err := r.cacheKey(rev)
	if err != nil {
		return nil, "", err
	}
	b, _, err := ts.images.GetOrRender(key, func() ([]byte, error) {
		b, _, err := ts.staticImage(ctx, r)
		return b, err
	})
	if err != nil {
		return nil, "", err
	}
	return b, contentTypes[r.Format], nil
}

// cacheKey identifies r at data revision rev. The fields are quoted (JSON),
// so that no title or tileset name written to look like other fields can
// make one request's key another's and have its image served for it.
func (r staticRequest) cacheKey(rev int64) (string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("static image key: %w", err)
	}
	return "r" + strconv.FormatInt(rev, 10) + " " + string(b), nil
}

// invalid maps staticmap's invalid-request errors to data.ErrInvalid (a 400).
func invalid(err error) error {
	if err != nil && errors.Is(err, staticmap.ErrInvalid) && !errors.Is(err, data.ErrInvalid) {
		return fmt.Errorf("%w: %s", data.ErrInvalid, strings.TrimPrefix(err.Error(), staticmap.ErrInvalid.Error()+": "))
	}
	return err
}

// viewSpec reads a view; "auto" fits the four oblasts Russia claims.
func (ts *tileServer) viewSpec(ctx context.Context, view string) (staticmap.ViewSpec, error) {
	if view != "auto" {
		v, err := staticmap.ParseView(view)
		return v, invalid(err)
	}
	b, found, err := unitsBound(ctx, ts.db, tiles.FourOblasts[:])
	if err != nil {
		return staticmap.ViewSpec{}, err
	}
	if !found {
		f := tiles.FourOblastsCenter
		return staticmap.ViewSpec{Center: orb.Point{f[0], f[1]}, Zoom: f[2]}, nil
	}
	return staticmap.ViewSpec{Bound: b, Fit: true}, nil
}

// panelInfo is a panel with what its credits and labels say.
type panelInfo struct {
	panel    staticmap.Panel
	kind     string
	resolved resolved
	scenario *data.Scenario
}

// panel prepares one map: the base map under the tileset's layers on the
// resolved date(s), in the combined (opaque) style. keep tells whether the
// tileset's source is kept for later requests (see sourceKept).
func (ts *tileServer) panel(ctx context.Context, id string, date, from, to data.Date, dark, legend, keep bool) (panelInfo, error) {
	kind, scenarioID, err := tilesetKind(id)
	if err != nil {
		return panelInfo{}, err
	}
	info := panelInfo{kind: kind}
	if kind == "scenario" {
		sc, err := ts.db.Scenario(ctx, scenarioID)
		if err != nil {
			return info, err
		}
		info.scenario = &sc
	}
	if info.resolved, err = ts.resolve(ctx, kind, date, from, to); err != nil {
		return info, err
	}
	base, err := ts.source(ctx, "base", "base", "", version{Revision: info.resolved.Revision})
	if err != nil {
		return info, err
	}
	info.panel.Sources = []*tiles.Source{base}
	if kind != "base" {
		src, err := ts.sourceKept(ctx, id, kind, scenarioID, info.resolved.version, keep)
		if err != nil {
			return info, err
		}
		info.panel.Sources = append(info.panel.Sources, src)
	}
	name := "opaque"
	if dark {
		name += "-dark"
	}
	info.panel.Style = ts.styles[name]
	if legend {
		if info.panel.Legend, err = staticmap.Legend(info.panel.Style, kind); err != nil {
			return info, err
		}
	}
	return info, nil
}

// single is a one-panel image; a preset gets a title by default.
func (ts *tileServer) single(ctx context.Context, r staticRequest, preset bool) (staticmap.Image, error) {
	if r.Left != "" || r.Right != "" {
		return staticmap.Image{}, fmt.Errorf("%w: left= and right= are for /static/compare/...", data.ErrInvalid)
	}
	p, err := ts.panel(ctx, r.Style, r.Date, r.From, r.To, r.Dark, r.Legend, true)
	if err != nil {
		return staticmap.Image{}, err
	}
	p.panel.Title = r.Title
	if preset && r.Title == "" {
		p.panel.Title = p.label()
	}
	return staticmap.Image{Panels: []staticmap.Panel{p.panel}, Credits: ts.credits(p), Dark: r.Dark}, nil
}

// label names what a panel shows, with its date(s).
func (p panelInfo) label() string {
	r := p.resolved
	switch p.kind {
	case "base":
		return "Ukraine's oblasts"
	case "diff":
		return fmt.Sprintf("Changes %s to %s", r.From, r.To)
	case "scenario":
		return fmt.Sprintf("%s (line of %s)", p.scenario.Title, r.Date)
	}
	return "Russian-held area, " + string(r.Date)
}

// credits names the line's source and date, says when it is approximate
// and how the map was made.
func (ts *tileServer) credits(p panelInfo) string {
	r := p.resolved
	var b strings.Builder
	switch p.kind {
	case "base":
		b.WriteString("Oblast boundaries only.")
	case "diff":
		fmt.Fprintf(&b, "Lines of control: %s, %s and %s.", r.Source, r.From, r.To)
	default:
		fmt.Fprintf(&b, "Line of control: %s, as of %s.", r.Source, r.Date)
	}
	if r.AsOfNote != "" {
		b.WriteString(" (" + r.AsOfNote + ".)")
	}
	if r.Approximate {
		b.WriteString(" APPROXIMATE: demonstration data, not a survey.")
	}
	switch p.kind {
	case "control":
		b.WriteString(" Method: shaded is the Russian-held area of the published line; the line of contact is its edge inside Ukraine.")
	case "diff":
		b.WriteString(" Method: taken and retaken land are the differences between the two lines.")
	case "scenario":
		fmt.Fprintf(&b, " Method: the scenario's rule (GET /api/scenarios/%s) applied to that line; ceded and returned land is the difference from the held area, strips within %g km of the border absorbed.",
			p.scenario.ID, ts.derived.SliverToleranceM()/1000)
	}
	b.WriteString(" Boundaries: Natural Earth. Map: Frontline.")
	return b.String()
}

// comparison is a two-panel image: left and right tilesets, each on its
// own date, each labelled.
func (ts *tileServer) comparison(ctx context.Context, r staticRequest) (staticmap.Image, error) {
	if r.Left == "" || r.Right == "" {
		return staticmap.Image{}, fmt.Errorf("%w: a comparison needs left=STYLE and right=STYLE (tileset ids, e.g. control or scenario-alaska-2025)", data.ErrInvalid)
	}
	img := staticmap.Image{Dark: r.Dark}
	var credits []string
	for i, side := range []struct {
		id   string
		date data.Date
	}{{r.Left, r.LeftDate}, {r.Right, r.RightDate}} {
		date := side.date
		if date == "" {
			date = r.Date
		}
		p, err := ts.panel(ctx, side.id, date, r.From, r.To, r.Dark, r.Legend, true)
		if err != nil {
			return img, fmt.Errorf("%s: %w", [2]string{"left", "right"}[i], err)
		}
		p.panel.Title = p.label()
		img.Panels = append(img.Panels, p.panel)
		c := ts.credits(p)
		if i == 0 || c != credits[0] {
			credits = append(credits, [2]string{"Left: ", "Right: "}[i]+c)
		}
	}
	if len(credits) == 2 && strings.TrimPrefix(credits[0], "Left: ") == strings.TrimPrefix(credits[1], "Right: ") {
		credits = credits[:1]
	}
	if len(credits) == 1 {
		credits[0] = strings.TrimPrefix(credits[0], "Left: ")
	}
	if r.Title != "" {
		credits = append([]string{r.Title + "."}, credits...)
	}
	img.Credits = strings.Join(credits, "\n")
	return img, nil
}

// animation is one image per step from From to To (default the latest
// line), each drawing the line in force on its date, date stamped.
func (ts *tileServer) animation(ctx context.Context, r staticRequest, size staticmap.Size) ([]staticmap.Image, error) {
	if r.Style == "compare" || r.Style == "base" || r.Style == "diff" {
		return nil, fmt.Errorf("%w: an animation is of control or a scenario-ID tileset, not %s", data.ErrInvalid, r.Style)
	}
	if r.From == "" {
		return nil, fmt.Errorf("%w: an animation needs from=YYYY-MM-DD (and to=, default the latest line, and step= days, default 7)", data.ErrInvalid)
	}
	to := r.To
	if to == "" {
		latest, err := ts.db.ResolveSnapshot(ctx, "")
		if err != nil {
			return nil, err
		}
		to = latest.Date
	}
	t0, _ := time.Parse(time.DateOnly, string(r.From))
	t1, _ := time.Parse(time.DateOnly, string(to))
	if t1.Before(t0) {
		return nil, fmt.Errorf("%w: from %s is after to %s", data.ErrInvalid, r.From, to)
	}
	n := int(t1.Sub(t0).Hours()/24)/r.Step + 1
	if n > staticmap.MaxFrames {
		return nil, fmt.Errorf("%w: %s to %s every %d days is %d frames; at most %d (take a larger step)", data.ErrInvalid, r.From, to, r.Step, n, staticmap.MaxFrames)
	}
	if w, h := size.Device(); n*w*h > maxGIFPixels {
		return nil, fmt.Errorf("%w: %d frames of %dx%d is too many pixels (at most %d in all): take a larger step or a smaller size", data.ErrInvalid, n, w, h, maxGIFPixels)
	}
	frames := make([]staticmap.Image, 0, n)
	for i := 0; i < n; i++ {
		d := data.Date(t0.AddDate(0, 0, i*r.Step).Format(time.DateOnly))
		p, err := ts.panel(ctx, r.Style, d, "", "", r.Dark, r.Legend, false) // one frame's source is not kept
		if err != nil {
			return nil, fmt.Errorf("frame %d (%s): %w", i+1, d, err)
		}
		p.panel.Title = r.Title
		p.panel.Stamp = string(d)
		if p.resolved.Date != d {
			p.panel.Stamp += " (line of " + string(p.resolved.Date) + ")"
		}
		p.resolved.AsOfNote = "" // the stamp says it
		frames = append(frames, staticmap.Image{Panels: []staticmap.Panel{p.panel}, Credits: ts.credits(p), Dark: r.Dark})
	}
	return frames, nil
}

// legendDoc is GET /legend/{style}.json.
type legendDoc struct {
	Style   string                  `json:"style"`
	Theme   string                  `json:"theme"`
	Entries []staticmap.LegendEntry `json:"entries"`
}

// legend returns a tileset's legend as JSON or SVG.
func (ts *tileServer) legend(ctx context.Context, id, format string, dark bool) ([]byte, string, error) {
	kind, scenarioID, err := tilesetKind(id)
	if err != nil {
		return nil, "", err
	}
	if kind == "scenario" {
		if _, err := ts.db.Scenario(ctx, scenarioID); err != nil {
			return nil, "", err
		}
	}
	name, theme := "opaque", "light"
	if dark {
		name, theme = name+"-dark", "dark"
	}
	entries, err := staticmap.Legend(ts.styles[name], kind)
	if err != nil {
		return nil, "", invalid(err)
	}
	switch format {
	case "json":
		b, err := json.Marshal(legendDoc{Style: id, Theme: theme, Entries: entries})
		return b, "application/json", err
	case formatSVG:
		return staticmap.LegendSVG(entries, dark), "image/svg+xml", nil
	}
	return nil, "", fmt.Errorf("%w: legend format %q: want json or svg", data.ErrNotFound, format)
}
