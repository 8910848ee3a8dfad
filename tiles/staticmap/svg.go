package staticmap

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"

	"github.com/paulmach/orb"

	"github.com/frontlinemap/frontline/tiles"
)

// SVG draws the image as an SVG document for designers to restyle: the
// same geometry as PNG, in the same device pixels, as paths in one <g id>
// per style entry (sea, countries, oblasts, claimed-oblasts, control, ...,
// cities, labels), hatches as <pattern>s, every text as <text>, and the
// chrome in title, stamp, legend and credits groups. In a two-panel image
// the panels are the groups left and right, their ids prefixed alike.
func SVG(img Image, spec ViewSpec, size Size) ([]byte, error) {
	s, err := newScene(img, spec, size)
	if err != nil {
		return nil, err
	}
	return s.svg(), nil
}

// svgWriter accumulates the document and its pattern definitions.
type svgWriter struct {
	body     bytes.Buffer
	defs     bytes.Buffer
	patterns map[string]bool
}

func (s *scene) svg() []byte {
	w := &svgWriter{patterns: map[string]bool{}}
	box, _, _ := chromeColours(s.dark)
	box.A = 255
	fmt.Fprintf(&w.body, `<rect id="background" width="%d" height="%d" fill="%s"/>`+"\n", s.width, s.height, hexColor(box))
	for _, p := range s.panels {
		dw, dh := p.vp.DeviceSize()
		clip := p.id + "-clip"
		fmt.Fprintf(&w.defs, `<clipPath id="%s"><rect width="%d" height="%d"/></clipPath>`+"\n", clip, dw, dh)
		fmt.Fprintf(&w.body, `<g id="%s" transform="translate(%d 0)" clip-path="url(#%s)">`+"\n", p.id, p.x, clip)
		w.mapLayers(p)
		w.body.WriteString("</g>\n")
	}
	for _, p := range s.panels {
		for _, b := range p.blocks {
			w.block(s, b)
		}
	}
	w.block(s, s.credits)
	return w.document(strconv.Itoa(s.width), strconv.Itoa(s.height))
}

// groupID names a style entry's group: its layer name, the emphasised
// oblast border "claimed-oblasts", a repeat of a name (another filter of
// the same layer) numbered.
func groupID(ls tiles.LayerStyle, seen map[string]int) string {
	id := ls.Layer
	if id == "background" {
		id = "sea"
	}
	switch {
	case ls.Layer == "oblasts" && ls.Filter.Key == "iso":
		id = "claimed-oblasts"
	case ls.Filter.Key != "" && len(ls.Filter.Values) > 0:
		id += "-" + ls.Filter.Key + "-" + ls.Filter.Values[0]
	}
	seen[id]++
	if n := seen[id]; n > 1 {
		id += "-" + strconv.Itoa(n)
	}
	return id
}

func visible(ls *tiles.LayerStyle, z int) bool {
	return z >= ls.MinZoom && (ls.MaxZoom == 0 || z <= ls.MaxZoom)
}

// mapLayers writes a panel's map: one group per style entry that paints
// something, in paint order, then the labels.
func (w *svgWriter) mapLayers(p panelScene) {
	z := p.vp.styleZoom()
	sc := p.vp.Scale
	dw, dh := p.vp.DeviceSize()
	seen := map[string]int{}
	if bg := p.style.Background; bg.A > 0 {
		fmt.Fprintf(&w.body, `<g id="%ssea-background"><rect width="%d" height="%d" fill="%s"%s/></g>`+"\n", p.prefix, dw, dh, hexColor(bg), opacityAttr("fill-opacity", float64(bg.A)/255))
	}
	for i := range p.style.Layers {
		ls := &p.style.Layers[i]
		if !visible(ls, z) {
			continue
		}
		var feats []tiles.Feature
		for _, l := range p.layers {
			if l.Name != ls.Layer {
				continue
			}
			for _, f := range l.Features {
				if ls.Filter.Match(f.Properties) {
					feats = append(feats, f)
				}
			}
		}
		if ls.Layer == "background" {
			feats = nil
			if ls.Fill.Opacity > 0 {
				// The background layer is the whole world.
				feats = []tiles.Feature{{Geometry: orb.Bound{Max: orb.Point{float64(dw), float64(dh)}}.ToPolygon()}}
			}
		}
		if len(feats) == 0 {
			continue
		}
		fmt.Fprintf(&w.body, `<g id="%s%s">`+"\n", p.prefix, groupID(*ls, seen))
		d := polygonPath(feats)
		if d != "" && ls.Fill.Opacity > 0 && ls.Fill.Color.A > 0 {
			fmt.Fprintf(&w.body, `<path d="%s" fill="%s"%s/>`+"\n", d, hexColor(ls.Fill.Color), opacityAttr("fill-opacity", paintOpacity(ls.Fill)))
		}
		if h := ls.Hatch; d != "" && h.SpacingPx > 0 && h.WidthPx > 0 && h.Paint.Opacity > 0 {
			pid := w.hatchPattern(p.prefix+ls.Layer, h, sc)
			fmt.Fprintf(&w.body, `<path d="%s" fill="url(#%s)"/>`+"\n", d, pid)
		}
		if st := ls.Stroke; st.Paint.Opacity > 0 && len(st.Width) > 0 {
			if l := linePath(feats); l != "" {
				fmt.Fprintf(&w.body, `<path d="%s" fill="none" stroke="%s"%s stroke-width="%s" stroke-linejoin="round" stroke-linecap="round"/>`+"\n",
					l, hexColor(st.Paint.Color), opacityAttr("stroke-opacity", paintOpacity(st.Paint)), num(st.Width.At(float64(z))*sc))
			}
		}
		if sym := ls.Symbol; sym.RadiusPx > 0 {
			for _, f := range feats {
				tiles.EachPoint(f.Geometry, func(q orb.Point) {
					r := sym.RadiusPx * sc
					if sym.Outline.A > 0 && sym.OutlinePx > 0 {
						o := sym.OutlinePx * sc
						fmt.Fprintf(&w.body, `<circle cx="%s" cy="%s" r="%s" fill="%s" stroke="%s" stroke-width="%s"/>`+"\n",
							num(q[0]), num(q[1]), num(r+o/2), hexColor(sym.Fill), hexColor(sym.Outline), num(o))
						return
					}
					fmt.Fprintf(&w.body, `<circle cx="%s" cy="%s" r="%s" fill="%s"/>`+"\n", num(q[0]), num(q[1]), num(r), hexColor(sym.Fill))
				})
			}
		}
		w.body.WriteString("</g>\n")
	}
	w.labels(p, z, sc)
}

// labels writes the points' labels where the tiles put them: the side
// PlaceLabels chose, the text's left (or right) edge beside the symbol,
// vertically centred on the point; the halo as a stroked copy under it.
func (w *svgWriter) labels(p panelScene, z int, sc float64) {
	var body bytes.Buffer
	for i := range p.style.Layers {
		ls := &p.style.Layers[i]
		lab := ls.Label
		if lab.SizePx <= 0 || !visible(ls, z) {
			continue
		}
		prop := lab.Property
		if prop == "" {
			prop = "name_en"
		}
		size := lab.SizePx * sc
		capH := capHeight(lab.Bold) * size
		dx := (max(ls.Symbol.RadiusPx, 0) + max(lab.OffsetPx, 0)) * sc
		weight := ""
		if lab.Bold {
			weight = ` font-weight="bold"`
		}
		for _, l := range p.layers {
			if l.Name != ls.Layer {
				continue
			}
			for _, f := range l.Features {
				if !ls.Filter.Match(f.Properties) {
					continue
				}
				show, left := tiles.LabelSide(f.Properties, z)
				text, _ := f.Properties[prop].(string)
				if !show || text == "" {
					continue
				}
				tiles.EachPoint(f.Geometry, func(q orb.Point) {
					x, anchor := q[0]+dx, "start"
					if left {
						x, anchor = q[0]-dx, "end"
					}
					y := q[1] + capH/2
					attrs := fmt.Sprintf(`x="%s" y="%s" font-size="%s"%s text-anchor="%s"`, num(x), num(y), num(size), weight, anchor)
					if lab.Halo.A > 0 && lab.HaloPx > 0 {
						fmt.Fprintf(&body, `<text %s fill="none" stroke="%s" stroke-width="%s" stroke-linejoin="round">%s</text>`+"\n",
							attrs, hexColor(lab.Halo), num(2*lab.HaloPx*sc), escape(text))
					}
					fmt.Fprintf(&body, `<text %s fill="%s">%s</text>`+"\n", attrs, hexColor(lab.Color), escape(text))
				})
			}
		}
	}
	if body.Len() > 0 {
		fmt.Fprintf(&w.body, `<g id="%slabels">`+"\n", p.prefix)
		w.body.Write(body.Bytes())
		w.body.WriteString("</g>\n")
	}
}

// capHeight is the font's cap height as a fraction of its size.
func capHeight(bold bool) float64 {
	f := newFace(bold, 100)
	defer f.Close()
	m := f.Metrics()
	if m.CapHeight > 0 {
		return fixedToFloat(m.CapHeight) / 100
	}
	return 0.7 * fixedToFloat(m.Ascent) / 100
}

// hatchPattern defines (once) the pattern of a hatch and returns its id:
// lines WidthPx wide every SpacingPx, turned to the hatch's angle.
func (w *svgWriter) hatchPattern(name string, h tiles.Hatch, sc float64) string {
	id := "hatch-" + name
	if w.patterns[id] {
		return id
	}
	w.patterns[id] = true
	sp, lw := h.SpacingPx*sc, h.WidthPx*sc
	c, o := hexColor(h.Paint.Color), paintOpacity(h.Paint)
	fmt.Fprintf(&w.defs, `<pattern id="%s" patternUnits="userSpaceOnUse" width="%s" height="%s" patternTransform="rotate(%s)">`,
		id, num(sp), num(sp), num(-h.AngleDeg))
	fmt.Fprintf(&w.defs, `<line x1="0" y1="%s" x2="%s" y2="%s" stroke="%s"%s stroke-width="%s"/>`,
		num(sp/2), num(sp), num(sp/2), c, opacityAttr("stroke-opacity", o), num(lw))
	if h.Cross {
		fmt.Fprintf(&w.defs, `<line x1="%s" y1="0" x2="%s" y2="%s" stroke="%s"%s stroke-width="%s"/>`,
			num(sp/2), num(sp/2), num(sp), c, opacityAttr("stroke-opacity", o), num(lw))
	}
	w.defs.WriteString("</pattern>\n")
	return id
}

// block writes a piece of chrome as a group: boxes, swatches, texts.
func (w *svgWriter) block(s *scene, b block) {
	fmt.Fprintf(&w.body, `<g id="%s">`+"\n", b.id)
	for _, r := range b.boxes {
		fmt.Fprintf(&w.body, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"%s/>`+"\n",
			num(s.dev(r.x)), num(s.dev(r.y)), num(s.dev(r.w)), num(s.dev(r.h)), hexColor(b.boxColor), opacityAttr("fill-opacity", float64(b.boxColor.A)/255))
	}
	for _, sw := range b.swatches {
		e := sw.entry
		x, y, ww, hh := s.dev(sw.r.x), s.dev(sw.r.y), s.dev(sw.r.w), s.dev(sw.r.h)
		fmt.Fprintf(&w.body, `<g class="swatch" data-layer="%s">`, e.ID)
		if e.Kind == "line" {
			st := e.style.Stroke
			fmt.Fprintf(&w.body, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"%s stroke-width="%s" stroke-linecap="round"/>`,
				num(x+1), num(y+hh/2), num(x+ww-1), num(y+hh/2), hexColor(st.Paint.Color), opacityAttr("stroke-opacity", paintOpacity(st.Paint)), num(st.Width.At(float64(b.styleZ))*s.scale))
		} else {
			rectAttrs := fmt.Sprintf(`x="%s" y="%s" width="%s" height="%s"`, num(x), num(y), num(ww), num(hh))
			if f := e.style.Fill; f.Opacity > 0 {
				fmt.Fprintf(&w.body, `<rect %s fill="%s"%s/>`, rectAttrs, hexColor(f.Color), opacityAttr("fill-opacity", paintOpacity(f)))
			}
			if h := e.style.Hatch; h.SpacingPx > 0 && h.WidthPx > 0 {
				fmt.Fprintf(&w.body, `<rect %s fill="url(#%s)"/>`, rectAttrs, w.hatchPattern(b.id+"-"+e.ID, h, s.scale))
			}
			if st := e.style.Stroke; st.Paint.Opacity > 0 && len(st.Width) > 0 {
				fmt.Fprintf(&w.body, `<rect %s fill="none" stroke="%s"%s stroke-width="%s"/>`, rectAttrs, hexColor(st.Paint.Color),
					opacityAttr("stroke-opacity", paintOpacity(st.Paint)), num(st.Width.At(float64(b.styleZ))*s.scale))
			}
		}
		w.body.WriteString("</g>\n")
	}
	for _, t := range b.texts {
		weight := ""
		if t.bold {
			weight = ` font-weight="bold"`
		}
		fmt.Fprintf(&w.body, `<text x="%s" y="%s" font-size="%s"%s text-anchor="%s" fill="%s">%s</text>`+"\n",
			num(s.dev(t.x)), num(s.dev(t.y)), num(s.dev(t.size)), weight, t.anchor, hexColor(t.color), escape(t.text))
	}
	w.body.WriteString("</g>\n")
}

// LegendSVG draws a legend alone, as an SVG document of its box.
func LegendSVG(entries []LegendEntry, dark bool) []byte {
	p := Panel{Legend: entries}
	blocks := layoutPanel(&p, "", -margin, 1000, 0, -margin, LegendZoom, dark)
	s := &scene{scale: 1, dark: dark}
	w := &svgWriter{patterns: map[string]bool{}}
	var bw, bh float64
	for _, b := range blocks {
		// The legend box is laid out upwards from the bottom edge at y=0:
		// move it down to the origin.
		r := b.boxes[0]
		bw, bh = r.w, r.h
		shift := -r.y
		for i := range b.boxes {
			b.boxes[i].y += shift
		}
		for i := range b.swatches {
			b.swatches[i].r.y += shift
		}
		for i := range b.texts {
			b.texts[i].y += shift
		}
		w.block(s, b)
	}
	return w.document(num(math.Ceil(bw)), num(math.Ceil(bh)))
}

// document wraps what w wrote into an SVG document of the given size.
func (w *svgWriter) document(width, height string) []byte {
	var out bytes.Buffer
	out.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="Go, 'Helvetica Neue', Arial, sans-serif">`+"\n",
		width, height, width, height)
	out.WriteString("<defs>\n")
	out.Write(w.defs.Bytes())
	out.WriteString("</defs>\n")
	out.Write(w.body.Bytes())
	out.WriteString("</svg>\n")
	return out.Bytes()
}

// polygonPath is the SVG path of every polygon ring of feats (already in
// device pixels). Rings keep the source's winding (exteriors one way,
// holes the other), so the default nonzero fill leaves holes open and
// merges overlapping polygons, as the raster renderer does.
func polygonPath(feats []tiles.Feature) string {
	var b bytes.Buffer
	for _, f := range feats {
		tiles.EachPolygon(f.Geometry, func(p orb.Polygon) {
			for _, r := range p {
				if len(r) < 3 {
					continue
				}
				writeRing(&b, r, true)
			}
		})
	}
	return b.String()
}

// linePath is the SVG path of every line and polygon ring of feats.
func linePath(feats []tiles.Feature) string {
	var b bytes.Buffer
	for _, f := range feats {
		tiles.EachLine(f.Geometry, func(pts []orb.Point, closed bool) {
			if len(pts) >= 2 {
				writeRing(&b, pts, closed)
			}
		})
	}
	return b.String()
}

func writeRing(b *bytes.Buffer, pts []orb.Point, closed bool) {
	if closed && len(pts) > 1 && pts[0] == pts[len(pts)-1] {
		pts = pts[:len(pts)-1]
	}
	for i, q := range pts {
		if i == 0 {
			b.WriteByte('M')
		} else {
			b.WriteByte('L')
		}
		b.WriteString(num(q[0]))
		b.WriteByte(',')
		b.WriteString(num(q[1]))
	}
	if closed {
		b.WriteByte('Z')
	}
}

// num formats a coordinate with two decimals (a hundredth of a device
// pixel), without trailing zeros.
func num(v float64) string {
	r := round2(v)
	if r == 0 {
		r = 0 // not "-0"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

func paintOpacity(p tiles.Paint) float64 {
	return math.Max(0, math.Min(1, float64(p.Color.A)/255*p.Opacity))
}

func opacityAttr(name string, o float64) string {
	if o >= 1 {
		return ""
	}
	return fmt.Sprintf(` %s="%s"`, name, strconv.FormatFloat(math.Round(o*1000)/1000, 'f', -1, 64))
}

func escape(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
