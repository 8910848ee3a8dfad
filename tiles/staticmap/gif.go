package staticmap

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/gif"

	"github.com/frontlinemap/frontline/tiles"
)

// MaxFrames bounds an animation's frames.
const MaxFrames = 60

// Frame delays of an animation, hundredths of a second: the last frame
// stays longer, so the end state reads before the loop starts again.
const (
	frameDelay     = 80
	lastFrameDelay = 250
)

// GIF draws each image as one frame of a looping animated GIF, with a
// palette built from the style's and the chrome's colours (and their
// blends, for anti-aliased edges), not from the pixels, so every frame
// shares it and flat fills stay flat.
func GIF(frames []Image, spec ViewSpec, size Size) ([]byte, error) {
	if len(frames) == 0 || len(frames) > MaxFrames {
		return nil, fmt.Errorf("%w: an animation has 1..%d frames, got %d", ErrInvalid, MaxFrames, len(frames))
	}
	var pal color.Palette
	anim := &gif.GIF{LoopCount: 0}
	q := quantizer{}
	for i, f := range frames {
		s, err := newScene(f, spec, size)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			pal = Palette(f.Panels[0].Style, f.Dark)
			q = quantizer{pal: pal, cache: map[uint32]uint8{}}
		}
		rgba := s.raster()
		pm := image.NewPaletted(rgba.Rect, pal)
		for y := 0; y < rgba.Rect.Dy(); y++ {
			row := rgba.Pix[y*rgba.Stride:]
			out := pm.Pix[y*pm.Stride:]
			for x := 0; x < rgba.Rect.Dx(); x++ {
				out[x] = q.index(row[4*x], row[4*x+1], row[4*x+2])
			}
		}
		anim.Image = append(anim.Image, pm)
		d := frameDelay
		if i == len(frames)-1 {
			d = lastFrameDelay
		}
		anim.Delay = append(anim.Delay, d)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, anim); err != nil {
		return nil, fmt.Errorf("encode gif: %w", err)
	}
	return b.Bytes(), nil
}

// quantizer maps opaque colours to their nearest palette entry, cached.
type quantizer struct {
	pal   color.Palette
	cache map[uint32]uint8
}

func (q quantizer) index(r, g, b uint8) uint8 {
	k := uint32(r)<<16 | uint32(g)<<8 | uint32(b)
	if i, ok := q.cache[k]; ok {
		return i
	}
	i := uint8(q.pal.Index(color.NRGBA{r, g, b, 255}))
	q.cache[k] = i
	return i
}

// Palette returns at most 256 opaque colours for st and the chrome: every
// colour the style paints, its fills and hatches as composited over the
// base map's fills, then halfway blends with the base map and chrome
// colours (for anti-aliased edges), then quarter blends, until full.
func Palette(st tiles.Style, dark bool) color.Palette {
	p := tiles.DefaultPalette(dark)
	box, text, muted := chromeColours(dark)
	box.A = 255
	grounds := []color.NRGBA{p.Oblast, p.Neighbour, p.Sea, box}
	var base []color.NRGBA
	seen := map[color.NRGBA]bool{}
	add := func(list *[]color.NRGBA, c color.NRGBA) {
		c.A = 255
		if !seen[c] {
			seen[c] = true
			*list = append(*list, c)
		}
	}
	for _, c := range []color.NRGBA{box, text, muted, p.Sea, p.Neighbour, p.Oblast} {
		add(&base, c)
	}
	paint := func(c color.NRGBA, o float64) {
		add(&base, c)
		for _, g := range grounds {
			add(&base, over(g, c, float64(c.A)/255*o))
		}
	}
	for _, ls := range st.Layers {
		if ls.Fill.Opacity > 0 {
			paint(ls.Fill.Color, ls.Fill.Opacity)
		}
		if ls.Hatch.SpacingPx > 0 {
			paint(ls.Hatch.Paint.Color, ls.Hatch.Paint.Opacity)
		}
		if ls.Stroke.Paint.Opacity > 0 {
			paint(ls.Stroke.Paint.Color, ls.Stroke.Paint.Opacity)
		}
		if ls.Symbol.RadiusPx > 0 {
			add(&base, ls.Symbol.Fill)
			add(&base, ls.Symbol.Outline)
		}
		if ls.Label.SizePx > 0 {
			add(&base, ls.Label.Color)
			add(&base, ls.Label.Halo)
		}
	}
	out := append([]color.NRGBA(nil), base...)
	for _, t := range []float64{0.5, 0.25, 0.75} {
		for _, g := range append(grounds, text) {
			for _, c := range base {
				if len(out) >= 256 {
					break
				}
				add(&out, over(g, c, t))
			}
		}
	}
	if len(out) > 256 {
		out = out[:256]
	}
	pal := make(color.Palette, len(out))
	for i, c := range out {
		pal[i] = c
	}
	return pal
}

// over composites c at alpha a (0..1) over the opaque colour g.
func over(g, c color.NRGBA, a float64) color.NRGBA {
	mix := func(x, y uint8) uint8 { return uint8(float64(x)*(1-a) + float64(y)*a + 0.5) }
	return color.NRGBA{mix(g.R, c.R), mix(g.G, c.G), mix(g.B, c.B), 255}
}
