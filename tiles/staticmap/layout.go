package staticmap

import (
	"image/color"
	"math"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/frontlinemap/frontline/tiles"
)

// Panel is one map in an image: its geometry, style and what is written on it.
type Panel struct {
	// Sources are drawn bottom up with Style (base map first).
	Sources []*tiles.Source
	Style   tiles.Style
	// Title is written at the top left; empty writes none.
	Title string
	// Legend rows, drawn at the bottom left above the credits; nil draws none.
	Legend []LegendEntry
	// Stamp is written large at the top right (the date of a GIF frame).
	Stamp string
}

// Image is what Render draws: one panel, or two side by side (a
// comparison), with credits across the bottom.
type Image struct {
	Panels  []Panel
	Credits string // always drawn; wrapped to the width
	Dark    bool
}

// Chrome sizes, CSS pixels.
const (
	margin       = 12.0
	pad          = 8.0
	titlePx      = 20.0
	stampPx      = 22.0
	legendPx     = 12.0
	legendRowPx  = 20.0
	swatchW      = 26.0
	swatchH      = 14.0
	creditsPx    = 11.0
	creditsLead  = 14.0
	panelGutter  = 2.0
	smallImagePx = 480.0 // narrower panels get smaller text
)

// rect is a box in CSS pixels.
type rect struct{ x, y, w, h float64 }

// textLine is one line of text, baseline at (x, y), CSS pixels.
type textLine struct {
	text   string
	x, y   float64
	size   float64
	bold   bool
	color  color.NRGBA
	anchor string // start or end
}

// swatch is a legend entry's sample in a box.
type swatch struct {
	r     rect
	entry LegendEntry
}

// block is one piece of chrome: boxes under texts and swatches; id names
// its SVG group.
type block struct {
	id       string
	boxes    []rect
	boxColor color.NRGBA
	texts    []textLine
	swatches []swatch
	styleZ   int // zoom at which swatch line widths are taken
}

// chromeColours are the box and text colours of the chrome, from the palette.
func chromeColours(dark bool) (box, text, muted color.NRGBA) {
	p := tiles.DefaultPalette(dark)
	// Opaque boxes: text and legend swatches read the same over any map,
	// and print without transparency.
	box = p.LabelHalo
	text = p.LabelText
	if dark {
		muted = color.NRGBA{0xC8, 0xCC, 0xD2, 0xFF}
	} else {
		muted = color.NRGBA{0x3A, 0x3A, 0x3A, 0xFF}
	}
	return box, text, muted
}

// layoutCredits wraps the credits over the full width w and returns the
// strip at the bottom of an image h high.
func layoutCredits(credits string, w, h float64, dark bool) (block, float64) {
	boxC, _, muted := chromeColours(dark)
	size, lead := creditsPx, creditsLead
	if w < smallImagePx {
		size, lead = 9, 11.5
	}
	lines := wrap(credits, false, size, w-2*pad)
	sh := float64(len(lines))*lead + pad
	b := block{id: "credits", boxColor: boxC, boxes: []rect{{0, h - sh, w, sh}}}
	for i, l := range lines {
		b.texts = append(b.texts, textLine{text: l, x: pad, y: h - sh + pad/2 + lead*float64(i) + size, size: size, color: muted, anchor: "start"})
	}
	return b, sh
}

// layoutPanel places a panel's title, stamp and legend within the panel's
// column (x0, width w, image height h), above a bottom strip of bottom.
func layoutPanel(p *Panel, prefix string, x0, w, h, bottom float64, styleZ int, dark bool) []block {
	boxC, text, _ := chromeColours(dark)
	var out []block
	top := margin
	scale := 1.0
	if w < smallImagePx {
		scale = 0.75
	}
	if p.Stamp != "" {
		size := stampPx * scale
		tw := measure(p.Stamp, true, size)
		r := rect{x0 + w - margin - tw - 2*pad, margin, tw + 2*pad, size + pad*1.5}
		out = append(out, block{id: prefix + "stamp", boxColor: boxC, boxes: []rect{r},
			texts: []textLine{{text: p.Stamp, x: r.x + r.w - pad, y: r.y + pad*0.6 + size*0.8, size: size, bold: true, color: text, anchor: "end"}}})
	}
	if p.Title != "" {
		size := titlePx * scale
		lead := size * 1.25
		maxW := w - 2*margin - 2*pad
		if p.Stamp != "" {
			maxW -= measure(p.Stamp, true, stampPx*scale) + 2*pad + margin
		}
		lines := wrap(p.Title, true, size, maxW)
		tw := 0.0
		for _, l := range lines {
			tw = max(tw, measure(l, true, size))
		}
		r := rect{x0 + margin, top, tw + 2*pad, float64(len(lines))*lead + pad}
		b := block{id: prefix + "title", boxColor: boxC, boxes: []rect{r}}
		for i, l := range lines {
			b.texts = append(b.texts, textLine{text: l, x: r.x + pad, y: r.y + pad/2 + lead*float64(i) + size, size: size, bold: true, color: text, anchor: "start"})
		}
		out = append(out, b)
	}
	if len(p.Legend) > 0 {
		size, row := legendPx*scale, legendRowPx*scale
		sw, sh := swatchW*scale, swatchH*scale
		lw := 0.0
		for _, e := range p.Legend {
			lw = max(lw, measure(e.Label, false, size))
		}
		bw := pad + sw + pad + lw + pad
		bh := float64(len(p.Legend))*row + pad
		r := rect{x0 + margin, h - bottom - margin - bh, bw, bh}
		b := block{id: prefix + "legend", boxColor: boxC, boxes: []rect{r}, styleZ: styleZ}
		for i, e := range p.Legend {
			y := r.y + pad/2 + row*float64(i)
			b.swatches = append(b.swatches, swatch{rect{r.x + pad, y + (row-sh)/2, sw, sh}, e})
			b.texts = append(b.texts, textLine{text: e.Label, x: r.x + pad + sw + pad, y: y + row/2 + size*0.35, size: size, color: text, anchor: "start"})
		}
		out = append(out, b)
	}
	return out
}

// wrap breaks text into lines no wider than w (a single word wider than w
// gets a line of its own).
func wrap(text string, bold bool, size, w float64) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if line != "" && measure(try, bold, size) > w {
				lines = append(lines, line)
				line = word
				continue
			}
			line = try
		}
		if line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}

// The chrome's fonts: Go Regular and Go Bold, the tiles' label fonts.
var fonts = sync.OnceValue(func() [2]*sfnt.Font {
	r, err := opentype.Parse(goregular.TTF)
	if err != nil {
		panic(err)
	}
	b, err := opentype.Parse(gobold.TTF)
	if err != nil {
		panic(err)
	}
	return [2]*sfnt.Font{r, b}
})

func fontOf(bold bool) *sfnt.Font {
	if bold {
		return fonts()[1]
	}
	return fonts()[0]
}

// newFace returns a face of size pixels; faces are not safe for
// concurrent use, so each drawing makes its own.
func newFace(bold bool, size float64) font.Face {
	f, err := opentype.NewFace(fontOf(bold), &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		panic(err) // only for a non-positive size, which layout never asks for
	}
	return f
}

// measure returns the advance width of text in CSS pixels at size.
func measure(text string, bold bool, size float64) float64 {
	f := newFace(bold, size)
	defer f.Close()
	return fixedToFloat(font.MeasureString(f, text))
}

func fixedToFloat(v fixed.Int26_6) float64 { return float64(v) / 64 }

func round2(v float64) float64 { return math.Round(v*100) / 100 }
