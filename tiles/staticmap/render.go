package staticmap

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	"github.com/paulmach/orb"
	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"github.com/frontlinemap/frontline/tiles"
)

// scene is an image laid out once for every output format: panels with
// their viewports and geometry in device pixels, and the chrome in CSS
// pixels.
type scene struct {
	width, height int // device pixels
	scale         float64
	dark          bool
	panels        []panelScene
	credits       block
}

type panelScene struct {
	id     string // SVG group id: map, left or right
	prefix string // of the chrome's group ids
	x      int    // device pixel of the panel's left edge
	vp     Viewport
	layers []tiles.Layer
	style  tiles.Style
	blocks []block
}

// newScene lays img out for the view and size.
func newScene(img Image, spec ViewSpec, size Size) (*scene, error) {
	n := len(img.Panels)
	if n < 1 || n > 2 {
		return nil, fmt.Errorf("%w: an image has one or two panels, got %d", ErrInvalid, n)
	}
	if size.Width < 1 || size.Height < 1 || !(size.Scale > 0) {
		return nil, fmt.Errorf("%w: size %dx%d at scale %g", ErrInvalid, size.Width, size.Height, size.Scale)
	}
	s := &scene{scale: size.Scale, dark: img.Dark}
	s.width, s.height = size.Device()
	W, H := float64(size.Width), float64(size.Height)
	var creditsH float64
	s.credits, creditsH = layoutCredits(img.Credits, W, H, img.Dark)
	// Panel edges in device pixels, so that panels tile the image exactly.
	edges := make([]int, n+1)
	gutter := int(math.Round(panelGutter * size.Scale))
	for i := 0; i <= n; i++ {
		edges[i] = int(math.Round(float64(s.width+gutter) * float64(i) / float64(n)))
	}
	for i, p := range img.Panels {
		x0, x1 := edges[i], edges[i+1]-gutter
		cssW := float64(x1-x0) / size.Scale
		vp := spec.viewport(int(math.Round(cssW)), size.Height, size.Scale, creditsH)
		ps := panelScene{id: "map", x: x0, vp: vp, style: p.Style}
		if n == 2 {
			ps.id = [2]string{"left", "right"}[i]
			ps.prefix = ps.id + "-"
		}
		ps.layers = vp.layers(p.Sources)
		ps.blocks = layoutPanel(&p, ps.prefix, float64(x0)/size.Scale, cssW, H, creditsH, vp.styleZoom(), img.Dark)
		s.panels = append(s.panels, ps)
	}
	return s, nil
}

// Raster draws the image with the tiles' anti-aliased renderer.
func Raster(img Image, spec ViewSpec, size Size) (*image.NRGBA, error) {
	s, err := newScene(img, spec, size)
	if err != nil {
		return nil, err
	}
	return s.raster(), nil
}

// PNG is Raster encoded as PNG.
func PNG(img Image, spec ViewSpec, size Size) ([]byte, error) {
	out, err := Raster(img, spec, size)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, out); err != nil {
		return nil, fmt.Errorf("encode static png: %w", err)
	}
	return b.Bytes(), nil
}

func (s *scene) raster() *image.NRGBA {
	out := image.NewNRGBA(image.Rect(0, 0, s.width, s.height))
	box, _, _ := chromeColours(s.dark)
	box.A = 255
	fillRect(out, out.Rect, box)
	for _, p := range s.panels {
		v := p.vp.view()
		m := tiles.RenderView(p.layers, p.style, v)
		at := image.Rect(p.x, 0, p.x+v.Width, v.Height)
		if p.style.Background.A == 255 {
			// An opaque map replaces what is under it: copy rows rather
			// than take draw's slow generic path for NRGBA.
			at = at.Intersect(out.Rect)
			for y := at.Min.Y; y < at.Max.Y; y++ {
				copy(out.Pix[out.PixOffset(at.Min.X, y):out.PixOffset(at.Max.X, y)], m.Pix[m.PixOffset(0, y):])
			}
			continue
		}
		draw.Draw(out, at, m, image.Point{}, draw.Over)
	}
	for _, p := range s.panels {
		for _, b := range p.blocks {
			s.drawBlock(out, b)
		}
	}
	s.drawBlock(out, s.credits)
	return out
}

// dev converts CSS pixels to device pixels.
func (s *scene) dev(v float64) float64 { return v * s.scale }

func (s *scene) devRect(r rect) image.Rectangle {
	return image.Rect(int(math.Round(s.dev(r.x))), int(math.Round(s.dev(r.y))),
		int(math.Round(s.dev(r.x+r.w))), int(math.Round(s.dev(r.y+r.h))))
}

func (s *scene) drawBlock(out *image.NRGBA, b block) {
	for _, r := range b.boxes {
		fillRect(out, s.devRect(r), b.boxColor)
	}
	if len(b.swatches) > 0 && len(b.boxes) > 0 {
		// The swatches are painted by the tiles' renderer with the legend
		// entries' own layer styles, in a view over the legend box.
		area := s.devRect(b.boxes[0])
		var layers []tiles.Layer
		var st tiles.Style
		for i, sw := range b.swatches {
			name := fmt.Sprintf("legend-%d", i)
			r := s.devRect(sw.r).Sub(area.Min)
			g := sw.entry.swatchGeometry(orb.Bound{Min: orb.Point{float64(r.Min.X), float64(r.Min.Y)}, Max: orb.Point{float64(r.Max.X), float64(r.Max.Y)}})
			layers = append(layers, tiles.Layer{Name: name, Features: []tiles.Feature{{Geometry: g}}})
			st.Layers = append(st.Layers, sw.entry.swatchStyle(name))
		}
		v := tiles.View{Z: b.styleZ, X: float64(area.Min.X), Y: float64(area.Min.Y), Width: area.Dx(), Height: area.Dy(), Scale: s.scale}
		m := tiles.RenderView(layers, st, v)
		draw.Draw(out, area, m, image.Point{}, draw.Over)
	}
	for _, t := range b.texts {
		f := newFace(t.bold, s.dev(t.size))
		x := s.dev(t.x)
		if t.anchor == "end" {
			x -= fixedToFloat(font.MeasureString(f, t.text))
		}
		d := font.Drawer{Dst: out, Src: image.NewUniform(t.color), Face: f,
			Dot: fixed.Point26_6{X: fixed.Int26_6(math.Round(x * 64)), Y: fixed.Int26_6(math.Round(s.dev(t.y) * 64))}}
		d.DrawString(t.text)
		f.Close()
	}
}

// fillRect composites c over the pixels of r (image/draw takes a slow
// generic path for NRGBA images).
func fillRect(img *image.NRGBA, r image.Rectangle, c color.NRGBA) {
	r = r.Intersect(img.Rect)
	a := uint32(c.A)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)]
		for i := 0; i+4 <= len(row); i += 4 {
			if a == 255 || row[i+3] == 0 {
				row[i], row[i+1], row[i+2], row[i+3] = c.R, c.G, c.B, c.A
				continue
			}
			// Over, in non-premultiplied terms, onto an opaque or
			// translucent pixel.
			da := uint32(row[i+3]) * (255 - a) / 255
			oa := a + da
			row[i] = uint8((uint32(c.R)*a + uint32(row[i])*da) / oa)
			row[i+1] = uint8((uint32(c.G)*a + uint32(row[i+1])*da) / oa)
			row[i+2] = uint8((uint32(c.B)*a + uint32(row[i+2])*da) / oa)
			row[i+3] = uint8(oa)
		}
	}
}
