// Package staticmap renders one view of the map, not a tile: any Web
// Mercator centre and (fractional) zoom or a box fitted to the image, at
// any pixel size, as PNG (the tiles' anti-aliased renderer), SVG (real
// vector: projected paths, one group per layer, text as text) or animated
// GIF, with a title, a legend and credits drawn in. Geometry comes from
// the same prepared tiles.Source and paint from the same tiles.Style as
// the raster tiles, so an image and the tiles of the same view agree.
package staticmap

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/frontlinemap/frontline/tiles"
)

// MaxSide is the largest width or height, in CSS pixels, of a requested
// image (an @2x image is twice as many device pixels).
const MaxSide = 2048

// MaxZoom is the deepest zoom a view may ask for; geometry carries no
// detail past tiles.MaxZoom, but a print may want to look closer.
const MaxZoom = 20

// ErrInvalid marks a malformed view, size or option: the caller's fault.
var ErrInvalid = errors.New("invalid static image request")

// ViewSpec is where an image looks: a centre and zoom, or a lon/lat box
// fitted into whatever size the image has (Bound set, Fit true).
type ViewSpec struct {
	Center orb.Point // lon, lat
	Zoom   float64
	Bound  orb.Bound // lon/lat, when Fit
	Fit    bool
}

// ParseView reads the view part of a static image path: "lon,lat,zoom"
// or "[minlon,minlat,maxlon,maxlat]" (the Mapbox Static Images forms).
// "auto" is the caller's business (it knows which area to fit).
func ParseView(s string) (ViewSpec, error) {
	bad := func(why string) (ViewSpec, error) {
		return ViewSpec{}, fmt.Errorf("%w: view %q: %s", ErrInvalid, s, why)
	}
	if inner, ok := strings.CutPrefix(s, "["); ok {
		inner, ok = strings.CutSuffix(inner, "]")
		if !ok {
			return bad("a box must be [minlon,minlat,maxlon,maxlat]")
		}
		v, err := numbers(inner, 4)
		if err != nil {
			return bad(err.Error())
		}
		b := orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}
		if v[0] < -180 || v[2] > 180 || v[1] < -85 || v[3] > 85 || v[0] >= v[2] || v[1] >= v[3] {
			return bad("want -180 <= minlon < maxlon <= 180 and -85 <= minlat < maxlat <= 85")
		}
		return ViewSpec{Bound: b, Fit: true}, nil
	}
	v, err := numbers(s, 3)
	if err != nil {
		return bad(err.Error() + " (want lon,lat,zoom or [minlon,minlat,maxlon,maxlat])")
	}
	if v[0] < -180 || v[0] > 180 || v[1] < -85 || v[1] > 85 {
		return bad("centre outside -180..180, -85..85")
	}
	if v[2] < 0 || v[2] > MaxZoom {
		return bad(fmt.Sprintf("zoom %g outside 0..%d", v[2], MaxZoom))
	}
	return ViewSpec{Center: orb.Point{v[0], v[1]}, Zoom: v[2]}, nil
}

func numbers(s string, n int) ([]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != n {
		return nil, fmt.Errorf("want %d comma-separated numbers, got %d", n, len(parts))
	}
	out := make([]float64, n)
	for i, p := range parts {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%q is not a number", p)
		}
		out[i] = f
	}
	return out, nil
}

// Size is an image's size in CSS pixels and its device scale.
type Size struct {
	Width, Height int
	Scale         float64 // device pixels per CSS pixel
	Preset        string  // the preset's name, "" for an explicit size
}

// Device returns the size in device pixels: what the PNG measures.
func (s Size) Device() (int, int) {
	return int(math.Round(float64(s.Width) * s.Scale)), int(math.Round(float64(s.Height) * s.Scale))
}

// Presets are the named sizes for social media and print. A4 is 2480 x
// 3508 device pixels (300 dpi) drawn at about 300/96 device pixels per
// CSS pixel (794 x 1123 CSS pixels, the A4 page at 96 dpi), so its lines and text have the weight of a 96 dpi screen image
// rather than shrinking to hairlines.
var Presets = map[string]Size{
	"social":   {Width: 1200, Height: 630, Scale: 1, Preset: "social"},
	"portrait": {Width: 1080, Height: 1350, Scale: 1, Preset: "portrait"},
	"hd":       {Width: 1920, Height: 1080, Scale: 1, Preset: "hd"},
	"a4":       {Width: 794, Height: 1123, Scale: 2480.0 / 794, Preset: "a4"},
}

// ParseSize reads "WxH", "WxH@2x" or a preset name. Sides must be 1..MaxSide.
func ParseSize(s string) (Size, error) {
	if p, ok := Presets[s]; ok {
		return p, nil
	}
	rest, retina := strings.CutSuffix(s, "@2x")
	ws, hs, ok := strings.Cut(rest, "x")
	w, errW := strconv.Atoi(ws)
	h, errH := strconv.Atoi(hs)
	if !ok || errW != nil || errH != nil || strings.HasPrefix(ws, "+") || strings.HasPrefix(hs, "+") {
		return Size{}, fmt.Errorf("%w: size %q: want WIDTHxHEIGHT, WIDTHxHEIGHT@2x or a preset (social, portrait, hd, a4)", ErrInvalid, s)
	}
	if w < 1 || h < 1 || w > MaxSide || h > MaxSide {
		return Size{}, fmt.Errorf("%w: size %dx%d: width and height must be 1..%d pixels", ErrInvalid, w, h, MaxSide)
	}
	sz := Size{Width: w, Height: h, Scale: 1}
	if retina {
		sz.Scale = 2
	}
	return sz, nil
}

// Viewport is a resolved view: a centre and zoom drawn into Width x Height
// CSS pixels at Scale device pixels each.
type Viewport struct {
	Center        orb.Point // lon, lat
	Zoom          float64
	Width, Height int // CSS pixels
	Scale         float64
}

// fitPadding is the margin, as a fraction of each side, left around a
// fitted box.
const fitPadding = 0.04

// Viewport resolves the spec for an image of w x h CSS pixels.
func (s ViewSpec) Viewport(w, h int, scale float64) Viewport {
	return s.viewport(w, h, scale, 0)
}

// viewport resolves the spec; a fitted box goes into the part of the
// image above a strip bottom CSS pixels high (the credits).
func (s ViewSpec) viewport(w, h int, scale, bottom float64) Viewport {
	v := Viewport{Center: s.Center, Zoom: s.Zoom, Width: w, Height: h, Scale: scale}
	if !s.Fit {
		return v
	}
	bottom = min(max(bottom, 0), float64(h)/2)
	a, b := tiles.ToWorld(s.Bound.Min), tiles.ToWorld(s.Bound.Max) // b is north-east: smaller y
	dx, dy := b[0]-a[0], a[1]-b[1]
	cw, ch := float64(w)*(1-2*fitPadding), (float64(h)-bottom)*(1-2*fitPadding)
	z := MaxZoom + 0.0
	if dx > 0 {
		z = min(z, math.Log2(cw/(tiles.RasterTileSize*dx)))
	}
	if dy > 0 {
		z = min(z, math.Log2(ch/(tiles.RasterTileSize*dy)))
	}
	v.Zoom = max(0, z)
	// The box's centre sits bottom/2 CSS pixels above the image's.
	shift := bottom / 2 / (tiles.RasterTileSize * math.Exp2(v.Zoom))
	v.Center = unworld(orb.Point{(a[0] + b[0]) / 2, (a[1]+b[1])/2 + shift})
	return v
}

// unworld is the inverse of tiles.ToWorld.
func unworld(p orb.Point) orb.Point {
	n := math.Pi - 2*math.Pi*p[1]
	return orb.Point{p[0]*360 - 180, 180 / math.Pi * math.Atan(math.Sinh(n))}
}

// DeviceSize is the image's size in device pixels.
func (v Viewport) DeviceSize() (int, int) {
	return int(math.Round(float64(v.Width) * v.Scale)), int(math.Round(float64(v.Height) * v.Scale))
}

// WorldPx is the width of the whole world in device pixels.
func (v Viewport) WorldPx() float64 {
	return tiles.RasterTileSize * v.Scale * math.Exp2(v.Zoom)
}

// origin is the global device pixel of the image's top-left corner.
func (v Viewport) origin() (float64, float64) {
	c := tiles.ToWorld(v.Center)
	w, h := v.DeviceSize()
	wp := v.WorldPx()
	return c[0]*wp - float64(w)/2, c[1]*wp - float64(h)/2
}

// Project returns the device pixel of a lon/lat point in the image.
func (v Viewport) Project(p orb.Point) orb.Point {
	x0, y0 := v.origin()
	q := tiles.ToWorld(p)
	wp := v.WorldPx()
	return orb.Point{q[0]*wp - x0, q[1]*wp - y0}
}

// styleZoom is the whole zoom the style is evaluated at (line widths,
// which layers and labels show): the zoom below, whose label placement
// has room to spare at the larger scale.
func (v Viewport) styleZoom() int { return int(math.Floor(v.Zoom)) }

// view is the tiles.View the raster renderer draws.
func (v Viewport) view() tiles.View {
	x, y := v.origin()
	w, h := v.DeviceSize()
	return tiles.View{Z: v.styleZoom(), X: x, Y: y, Width: w, Height: h, Scale: v.Scale}
}

// bufferPx is the margin of geometry taken beyond the image: enough for
// labels whose point is just outside, in device pixels.
func (v Viewport) bufferPx() int {
	return int(math.Ceil(tiles.LabelBufferPx * v.Scale))
}

// layers cuts every source to the view, in device pixels, in order.
func (v Viewport) layers(srcs []*tiles.Source) []tiles.Layer {
	// The copy simplified for the zoom whose tiles have about this many
	// device pixels per world: within a quarter pixel.
	z := int(math.Ceil(v.Zoom + math.Log2(max(v.Scale, 1))))
	x, y := v.origin()
	w, h := v.DeviceSize()
	var out []tiles.Layer
	for _, s := range srcs {
		if s != nil {
			out = append(out, s.Window(z, v.WorldPx(), x, y, w, h, v.bufferPx())...)
		}
	}
	return out
}
