package tiles

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/adler32"
	"hash/crc32"
	"image"
	"image/draw"
	"math"
	"math/bits"
	"slices"
	"sync"

	"github.com/paulmach/orb"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// RasterTileSize is the width in pixels of a standard raster tile; an @2x
// tile is twice as wide and draws everything (line widths, hatch spacing,
// text) at twice the resolution, not upscaled. Style sizes are CSS pixels:
// device pixels of a RasterTileSize tile.
const RasterTileSize = 256

// LabelBufferPx is the margin, in CSS pixels (times size/256 in tile
// pixels), that a raster tile's point layers should carry beyond each edge
// (Source.Tile's bufferPx) so that every label reaching into the tile has
// its point in the tile's data: labels then cross tile edges whole, drawn
// identically on both sides. Every shipped city's label, in DefaultStyle,
// ends within it (TestPlaceLabelsKeepsLabelsApartAtEveryZoom checks).
const LabelBufferPx = 128

// ErrRasterSize is returned by RenderPNG for a size other than 256 or 512.
var ErrRasterSize = errors.New("tiles: raster size must be 256 or 512 pixels")

// View is the part of the Web Mercator world that RenderView draws:
// Width x Height device pixels whose top-left corner is the global device
// pixel (X, Y) of zoom Z, where the world is 256 * Scale * 2^Z device
// pixels wide. Layers drawn into a View are in its device pixels: x east
// and y down from its top-left corner. Hatches are anchored to global
// pixels and labels to whole global pixels, so views that share an edge
// (neighbouring tiles) join without a seam.
type View struct {
	Z             int
	X, Y          float64
	Width, Height int
	// Scale is device pixels per CSS pixel: 1 for 256 px tiles, 2 for @2x.
	Scale float64
}

// TileView returns the View of tile t drawn size pixels wide (Scale
// size/256).
func TileView(t Tile, size int) View {
	return View{
		Z: t.Z, X: float64(t.X) * float64(size), Y: float64(t.Y) * float64(size),
		Width: size, Height: size, Scale: float64(size) / RasterTileSize,
	}
}

// Render draws layers, in tile pixel coordinates 0..size (x east, y down;
// as Source.Tile(t, size, buffer) returns them, buffer included), onto a
// new size x size image of tile t with style st: 256 for a standard tile,
// 512 for @2x. The background is transparent unless st.Background is set.
// Render is RenderView(layers, st, TileView(t, size)); the layers are not
// modified.
func Render(layers []Layer, st Style, t Tile, size int) *image.NRGBA {
	return RenderView(layers, st, TileView(t, size))
}

// RenderView draws layers, in the view's device pixels, onto a new image
// of v.Width x v.Height with style st. A view with no area gives an empty
// image. It is safe for concurrent use.
func RenderView(layers []Layer, st Style, v View) *image.NRGBA {
	if v.Width <= 0 || v.Height <= 0 {
		return image.NewNRGBA(image.Rectangle{})
	}
	if !(v.Scale > 0) {
		v.Scale = 1
	}
	img := image.NewNRGBA(image.Rect(0, 0, v.Width, v.Height))
	r := rendererPool.Get().(*renderer)
	r.draw(img, layers, &st, v)
	r.release()
	rendererPool.Put(r)
	return img
}

// RenderPNG is Render encoded as PNG: 8-bit RGBA, or RGB when every pixel
// is opaque, compressed for speed (see pngWriter). A tile with nothing
// drawn on it is a fully transparent PNG, encoded once per size. The
// returned slice belongs to the caller. size must be 256 or 512
// (ErrRasterSize). It is safe for concurrent use.
func RenderPNG(layers []Layer, st Style, t Tile, size int) ([]byte, error) {
	if size != RasterTileSize && size != 2*RasterTileSize {
		return nil, fmt.Errorf("%w: got %d", ErrRasterSize, size)
	}
	r := rendererPool.Get().(*renderer)
	defer rendererPool.Put(r)
	img := r.canvas(size)
	drawn := r.draw(img, layers, &st, TileView(t, size))
	r.release()
	if !drawn {
		return emptyPNG(size)
	}
	r.out.Reset()
	if err := r.png.encode(&r.out, img); err != nil {
		return nil, fmt.Errorf("encode png tile %s@%d: %w", t, size, err)
	}
	return bytes.Clone(r.out.Bytes()), nil
}

// emptyPNGs holds the encoded fully transparent tile of each size.
var emptyPNGs = [2]func() ([]byte, error){
	sync.OnceValues(func() ([]byte, error) { return encodeEmpty(RasterTileSize) }),
	sync.OnceValues(func() ([]byte, error) { return encodeEmpty(2 * RasterTileSize) }),
}

func encodeEmpty(size int) ([]byte, error) {
	var b bytes.Buffer
	var pw pngWriter
	err := pw.encode(&b, image.NewNRGBA(image.Rect(0, 0, size, size)))
	return b.Bytes(), err
}

func emptyPNG(size int) ([]byte, error) {
	b, err := emptyPNGs[size/RasterTileSize-1]()
	if err != nil {
		return nil, fmt.Errorf("encode empty png tile: %w", err)
	}
	return bytes.Clone(b), nil
}

// pngWriter encodes images as PNG several times faster than image/png on
// map tiles, for tiles a little bigger: every row unfiltered and deflated
// by zlibPixelRuns (fixed Huffman codes, matches only one pixel, one row
// or one row and one pixel back), one IDAT chunk, buffers reused across
// images. RGB when every pixel is opaque, else RGBA; 8 bits a channel.
type pngWriter struct {
	rows []byte // filtered scanlines
	idat []byte // their zlib stream
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

func (pw *pngWriter) encode(out *bytes.Buffer, img *image.NRGBA) error {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if w <= 0 || h <= 0 {
		return errors.New("png: empty image")
	}
	opaque := true
	for y := 0; y < h && opaque; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for i := 3; i < len(row); i += 4 {
			if row[i] != 0xff {
				opaque = false
				break
			}
		}
	}
	bpp, colorType := 4, byte(6)
	if opaque {
		bpp, colorType = 3, 2
	}
	stride := 1 + w*bpp
	if cap(pw.rows) < h*stride {
		pw.rows = make([]byte, h*stride)
	}
	rows := pw.rows[:h*stride]
	for y := 0; y < h; y++ {
		dst := rows[y*stride : (y+1)*stride]
		src := img.Pix[y*img.Stride : y*img.Stride+4*w]
		dst[0] = 0 // filter type None
		if opaque {
			for x, j := 0, 1; x < len(src); x, j = x+4, j+3 {
				dst[j], dst[j+1], dst[j+2] = src[x], src[x+1], src[x+2]
			}
		} else {
			copy(dst[1:], src)
		}
	}
	pw.idat = zlibPixelRuns(pw.idat[:0], rows, stride, bpp)
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, colorType // bit depth, colour type; then deflate, adaptive filtering, no interlace: 0
	out.Grow(len(pngSignature) + 3*12 + len(ihdr) + len(pw.idat))
	out.Write(pngSignature)
	writePNGChunk(out, "IHDR", ihdr[:])
	writePNGChunk(out, "IDAT", pw.idat)
	writePNGChunk(out, "IEND", nil)
	return nil
}

// zlibPixelRuns appends to dst data compressed as a zlib stream (RFC 1950)
// holding one deflate block (RFC 1951) with the fixed Huffman codes. Its
// matches look back only one pixel (bpp bytes), one row (stride bytes) or
// one row and one pixel either way, where a map tile repeats itself: flat
// fills, straight edges, 45-degree hatching. That takes no hash table
// and no Huffman tree, and runs several times faster than compress/flate
// at its fastest level, at some cost in size on busy tiles.
func zlibPixelRuns(dst, data []byte, stride, bpp int) []byte {
	dst = append(dst, 0x78, 0x01) // deflate, 32 KiB window, fastest
	bw := bitWriter{out: dst}
	bw.write(1|1<<1, 3) // BFINAL, BTYPE 01: fixed Huffman codes
	dists := [...]int{bpp, stride, stride - bpp, stride + bpp}
	var dcode [len(dists)]struct {
		code  uint64 // reversed 5-bit code with its extra bits above it
		nbits uint
	}
	for i, d := range dists {
		c, extra, nextra := distanceCode(d)
		dcode[i].code = uint64(reverseBits(uint16(c), 5)) | uint64(extra)<<5
		dcode[i].nbits = 5 + nextra
	}
	n := len(data)
	for i := 0; i < n; {
		best, bestLen := -1, 2
		limit := min(258, n-i)
		for k, d := range dists {
			if d <= 0 || d > i || data[i] != data[i-d] {
				continue
			}
			if l := matchLength(data[i:i+limit], data[i-d:]); l > bestLen {
				best, bestLen = k, l
				if l == limit {
					break
				}
			}
		}
		if best < 0 {
			lit := fixedLiteral[data[i]]
			bw.write(uint64(lit.code), uint(lit.nbits))
			i++
			continue
		}
		lc := fixedLength[bestLen]
		bw.write(uint64(lc.code), uint(lc.nbits))
		bw.write(dcode[best].code, dcode[best].nbits)
		i += bestLen
	}
	bw.write(0, 7) // end of block: code 256 is seven zero bits
	dst = bw.flush()
	return binary.BigEndian.AppendUint32(dst, adler32.Checksum(data))
}

// matchLength returns how many leading bytes a and b share, at most
// len(a); b must be at least as long as a.
func matchLength(a, b []byte) int {
	n := 0
	for n+8 <= len(a) {
		if x := binary.LittleEndian.Uint64(a[n:]) ^ binary.LittleEndian.Uint64(b[n:]); x != 0 {
			return n + bits.TrailingZeros64(x)/8
		}
		n += 8
	}
	for n < len(a) && a[n] == b[n] {
		n++
	}
	return n
}

// bitWriter packs deflate's least-significant-bit-first bit stream.
type bitWriter struct {
	out   []byte
	acc   uint64
	nbits uint
}

// write adds the n (at most 32) low bits of v.
func (w *bitWriter) write(v uint64, n uint) {
	w.acc |= v << w.nbits
	w.nbits += n
	if w.nbits >= 32 {
		w.out = binary.LittleEndian.AppendUint32(w.out, uint32(w.acc))
		w.acc >>= 32
		w.nbits -= 32
	}
}

// flush writes the bits left, padded to a byte, and returns the output.
func (w *bitWriter) flush() []byte {
	for w.nbits > 0 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.nbits = max(w.nbits, 8) - 8
	}
	return w.out
}

// huffCode is a fixed Huffman code, bit-reversed for the LSB-first
// stream, with the extra bits of a length already above it.
type huffCode struct {
	code  uint32
	nbits uint8
}

// fixedLiteral and fixedLength are the fixed Huffman codes (RFC 1951
// 3.2.6) of each literal byte and of each match length 3..258.
var fixedLiteral, fixedLength = func() (lit [256]huffCode, length [259]huffCode) {
	symbol := func(s int) huffCode {
		switch {
		case s < 144:
			return huffCode{uint32(reverseBits(uint16(0x30+s), 8)), 8}
		case s < 256:
			return huffCode{uint32(reverseBits(uint16(0x190+s-144), 9)), 9}
		case s < 280:
			return huffCode{uint32(reverseBits(uint16(s-256), 7)), 7}
		}
		return huffCode{uint32(reverseBits(uint16(0xC0+s-280), 8)), 8}
	}
	for b := range lit {
		lit[b] = symbol(b)
	}
	// Length codes 257..284 cover 3..257 in groups with 0..5 extra bits;
	// 285 is 258.
	base := [...]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227}
	extra := [...]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5}
	for l := 3; l <= 258; l++ {
		if l == 258 {
			length[l] = symbol(285)
			continue
		}
		c := 0
		for c+1 < len(base) && base[c+1] <= l {
			c++
		}
		h := symbol(257 + c)
		h.code |= uint32(l-base[c]) << h.nbits
		h.nbits += extra[c]
		length[l] = h
	}
	return lit, length
}()

// distanceCode returns deflate's distance code for d (1..32768) with its
// extra bits and their number.
func distanceCode(d int) (code int, extra uint32, nextra uint) {
	if d <= 4 {
		return d - 1, 0, 0
	}
	// Codes 2k and 2k+1 (k >= 1) hold k-1 extra bits each, from base
	// 1 + 2^k and 1 + 3*2^(k-1).
	v := d - 1
	k := bits.Len(uint(v)) - 1 // v in [2^k, 2^(k+1))
	nextra = uint(k - 1)
	code = 2*k + (v>>(k-1))&1
	return code, uint32(v & (1<<nextra - 1)), nextra
}

// reverseBits reverses the n low bits of v.
func reverseBits(v uint16, n uint) uint16 {
	return bits.Reverse16(v) >> (16 - n)
}

// writePNGChunk appends one PNG chunk: length, type, data, CRC-32.
func writePNGChunk(out *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	out.Write(n[:])
	out.WriteString(typ)
	out.Write(data)
	crc := crc32.Update(crc32.ChecksumIEEE([]byte(typ)), crc32.IEEETable, data)
	binary.BigEndian.PutUint32(n[:], crc)
	out.Write(n[:])
}

// rendererPool recycles renderers (rasteriser, mask, canvas and glyph
// buffers) between tiles.
var rendererPool = sync.Pool{New: func() any { return &renderer{} }}

// renderer holds the scratch state of one drawing; not for concurrent use.
type renderer struct {
	img   *image.NRGBA
	view  View
	drawn bool // something was painted with non-zero alpha

	ras  vector.Rasterizer
	mask image.Alpha     // coverage of the current pass, over rect
	rect image.Rectangle // where the current pass lands in img
	ox   float64         // rect.Min as floats: path coordinates are offset by them
	oy   float64
	pts  []devPt // scratch polyline
	pen  pen     // current stroke
	dash []devPt // scratch dash piece

	sbuf    sfnt.Buffer
	glyphs  map[glyphKey]*glyphOutline
	metrics map[glyphKey]font.Metrics
	labels  []placedSprite
	sprites map[spriteKey]*labelSprite

	own *image.NRGBA // canvas reused by RenderPNG
	out bytes.Buffer // PNG bytes reused by RenderPNG
	png pngWriter
}

// devPt is a point or direction in device pixels.
type devPt struct{ x, y float64 }

// canvas returns the renderer's own size x size image, cleared.
func (r *renderer) canvas(size int) *image.NRGBA {
	if r.own == nil || r.own.Rect.Dx() != size {
		r.own = image.NewNRGBA(image.Rect(0, 0, size, size))
	} else {
		clear(r.own.Pix)
	}
	return r.own
}

// release drops references to caller data before the renderer is pooled.
func (r *renderer) release() {
	r.img = nil
	clear(r.labels)
	r.labels = r.labels[:0]
}

// draw paints layers onto img (which must be cleared, Width x Height) and
// reports whether anything was painted.
func (r *renderer) draw(img *image.NRGBA, layers []Layer, st *Style, v View) bool {
	r.img, r.view, r.drawn = img, v, false
	if bg := st.Background; bg.A > 0 {
		c := uint32(bg.R) | uint32(bg.G)<<8 | uint32(bg.B)<<16 | uint32(bg.A)<<24
		pix := img.Pix
		for i := 0; i+4 <= len(pix); i += 4 {
			binary.LittleEndian.PutUint32(pix[i:], c)
		}
		r.drawn = true
	}
	for i := range st.Layers {
		ls := &st.Layers[i]
		if !ls.visible(v.Z) {
			continue
		}
		for j := range layers {
			if layers[j].Name == ls.Layer {
				r.paintLayer(ls, layers[j].Features)
			}
		}
	}
	// Labels go on top of every layer's fills, lines and symbols.
	for i := range st.Layers {
		ls := &st.Layers[i]
		if ls.Label.SizePx <= 0 || !ls.visible(v.Z) {
			continue
		}
		for j := range layers {
			if layers[j].Name == ls.Layer {
				r.paintLabels(ls, layers[j].Features)
			}
		}
	}
	return r.drawn
}

// paintLayer paints one layer style's fill, hatch, stroke and symbols.
func (r *renderer) paintLayer(ls *LayerStyle, feats []Feature) {
	s := r.view.Scale
	fillA := ls.Fill.alpha()
	h := ls.Hatch
	hatchA := uint32(0)
	if h.SpacingPx > 0 && h.WidthPx > 0 {
		hatchA = h.Paint.alpha()
	}
	if (fillA > 0 || hatchA > 0) && r.polygonMask(ls, feats) {
		if fillA > 0 {
			r.composite(ls.Fill.Color.R, ls.Fill.Color.G, ls.Fill.Color.B, fillA, nil)
		}
		if hatchA > 0 {
			hg := newHatchGeom(h, s)
			r.composite(h.Paint.Color.R, h.Paint.Color.G, h.Paint.Color.B, hatchA, &hg)
		}
	}
	if a := ls.Stroke.Paint.alpha(); a > 0 {
		if w := ls.Stroke.Width.At(float64(r.view.Z)) * s; w > 0 && r.strokeMask(ls, feats, w/2) {
			c := ls.Stroke.Paint.Color
			r.composite(c.R, c.G, c.B, a, nil)
		}
	}
	if sym := ls.Symbol; sym.RadiusPx > 0 {
		rad := sym.RadiusPx * s
		if sym.Outline.A > 0 && sym.OutlinePx > 0 && r.circleMask(ls, feats, rad+sym.OutlinePx*s) {
			r.composite(sym.Outline.R, sym.Outline.G, sym.Outline.B, uint32(sym.Outline.A), nil)
		}
		if sym.Fill.A > 0 && r.circleMask(ls, feats, rad) {
			r.composite(sym.Fill.R, sym.Fill.G, sym.Fill.B, uint32(sym.Fill.A), nil)
		}
	}
}

// begin starts a pass whose paths lie within the device-pixel bound b:
// it sizes the rasteriser to b's whole pixels inside the image and reports
// false when nothing of b is visible.
func (r *renderer) begin(b orb.Bound) bool {
	rect := image.Rect(
		int(math.Floor(max(b.Min[0], -1))), int(math.Floor(max(b.Min[1], -1))),
		int(math.Ceil(min(b.Max[0], float64(r.view.Width)+1))), int(math.Ceil(min(b.Max[1], float64(r.view.Height)+1))),
	).Intersect(r.img.Rect)
	if rect.Empty() {
		return false
	}
	r.rect = rect
	r.ox, r.oy = float64(rect.Min.X), float64(rect.Min.Y)
	r.ras.Reset(rect.Dx(), rect.Dy())
	return true
}

// finish rasterises the pass's paths into r.mask.
func (r *renderer) finish() {
	w, h := r.rect.Dx(), r.rect.Dy()
	if cap(r.mask.Pix) < w*h {
		r.mask.Pix = make([]uint8, w*h)
	}
	r.mask.Pix = r.mask.Pix[:w*h]
	r.mask.Stride = w
	r.mask.Rect = image.Rect(0, 0, w, h)
	r.ras.DrawOp = draw.Src
	r.ras.Draw(&r.mask, r.mask.Rect, image.Opaque, image.Point{})
}

func (r *renderer) moveTo(x, y float64) { r.ras.MoveTo(float32(x-r.ox), float32(y-r.oy)) }
func (r *renderer) lineTo(x, y float64) { r.ras.LineTo(float32(x-r.ox), float32(y-r.oy)) }

// polygonMask rasterises the polygons of the matching features into
// r.mask and reports whether any of it is visible. Exteriors and holes
// are oriented opposite ways first, so holes stay empty whatever their
// input winding, and overlapping polygons merge.
func (r *renderer) polygonMask(ls *LayerStyle, feats []Feature) bool {
	var b orb.Bound
	empty := true
	for i := range feats {
		if !ls.Filter.Match(feats[i].Properties) {
			continue
		}
		EachPolygon(feats[i].Geometry, func(p orb.Polygon) {
			if len(p) > 0 && len(p[0]) > 2 {
				b, empty = extendPoints(b, empty, p[0])
			}
		})
	}
	if empty || !r.begin(b) {
		return false
	}
	for i := range feats {
		if !ls.Filter.Match(feats[i].Properties) {
			continue
		}
		EachPolygon(feats[i].Geometry, func(p orb.Polygon) {
			for k, ring := range p {
				if len(ring) < 3 {
					continue
				}
				a := twiceSignedArea(ring)
				if a == 0 || math.IsNaN(a) || math.IsInf(a, 0) {
					continue // degenerate, or with a NaN: skipped whole
				}
				n := len(ring)
				first := true
				for j := range ring {
					q := ring[j]
					if (a > 0) != (k == 0) {
						q = ring[n-1-j]
					}
					if !finite(q) {
						continue
					}
					if first {
						r.moveTo(q[0], q[1])
						first = false
					} else {
						r.lineTo(q[0], q[1])
					}
				}
				r.ras.ClosePath()
			}
		})
	}
	r.finish()
	return true
}

// strokeMask rasterises the outlines, hw device pixels to each side, of
// the lines and polygon rings of the matching features into r.mask.
func (r *renderer) strokeMask(ls *LayerStyle, feats []Feature, hw float64) bool {
	var b orb.Bound
	empty := true
	for i := range feats {
		if !ls.Filter.Match(feats[i].Properties) {
			continue
		}
		EachLine(feats[i].Geometry, func(pts []orb.Point, _ bool) {
			if len(pts) > 0 {
				b, empty = extendPoints(b, empty, pts)
			}
		})
	}
	if empty {
		return false
	}
	b = b.Pad(hw + 1)
	if !r.begin(b) {
		return false
	}
	r.setPen(hw)
	var dash []float64
	if len(ls.Stroke.DashPx) > 0 {
		dash = make([]float64, 0, len(ls.Stroke.DashPx))
		total := 0.0
		for _, d := range ls.Stroke.DashPx {
			d = max(d, 0) * r.view.Scale
			dash = append(dash, d)
			total += d
		}
		if !(total > 0) {
			dash = nil
		}
	}
	for i := range feats {
		if !ls.Filter.Match(feats[i].Properties) {
			continue
		}
		EachLine(feats[i].Geometry, func(pts []orb.Point, closed bool) {
			r.pts = dedupePx(r.pts[:0], pts, closed)
			if dash != nil {
				r.dashed(r.pts, closed, dash)
				return
			}
			if closed && len(r.pts) >= 3 {
				r.strokeClosed(r.pts)
			} else {
				r.strokeOpen(r.pts)
			}
		})
	}
	r.finish()
	return true
}

// circleMask rasterises a disc of radius rad around every point of the
// matching features into r.mask.
func (r *renderer) circleMask(ls *LayerStyle, feats []Feature, rad float64) bool {
	var b orb.Bound
	empty := true
	for i := range feats {
		if !ls.Filter.Match(feats[i].Properties) {
			continue
		}
		EachPoint(feats[i].Geometry, func(p orb.Point) {
			b, empty = extendBound(b, empty, orb.Bound{Min: p, Max: p})
		})
	}
	if empty || !r.begin(b.Pad(rad+1)) {
		return false
	}
	for i := range feats {
		if !ls.Filter.Match(feats[i].Properties) {
			continue
		}
		EachPoint(feats[i].Geometry, func(p orb.Point) {
			r.circle(devPt{p[0], p[1]}, rad)
		})
	}
	r.finish()
	return true
}

// circle adds a closed polygon approximating a circle.
func (r *renderer) circle(c devPt, rad float64) {
	n := int(math.Ceil(2 * math.Pi / arcStep(rad)))
	n = max(12, min(n, 128))
	r.moveTo(c.x+rad, c.y)
	for k := 1; k < n; k++ {
		a := 2 * math.Pi * float64(k) / float64(n)
		r.lineTo(c.x+rad*math.Cos(a), c.y+rad*math.Sin(a))
	}
	r.ras.ClosePath()
}

// extendPoints grows b to hold the finite points of pts, starting afresh
// when b is still empty, and reports whether it still is.
func extendPoints(b orb.Bound, empty bool, pts []orb.Point) (orb.Bound, bool) {
	x0, y0, x1, y1 := b.Min[0], b.Min[1], b.Max[0], b.Max[1]
	for _, p := range pts {
		if !finite(p) {
			continue
		}
		if empty {
			x0, y0, x1, y1, empty = p[0], p[1], p[0], p[1], false
		}
		x0, x1 = min(x0, p[0]), max(x1, p[0])
		y0, y1 = min(y0, p[1]), max(y1, p[1])
	}
	return orb.Bound{Min: orb.Point{x0, y0}, Max: orb.Point{x1, y1}}, empty
}

// finite reports whether both coordinates are numbers, not NaN or
// infinite: the rasteriser must never see another kind.
func finite(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && !math.IsInf(p[0], 0) && !math.IsInf(p[1], 0)
}

// extendBound grows b by o, starting from o when b is still empty.
func extendBound(b orb.Bound, empty bool, o orb.Bound) (orb.Bound, bool) {
	if empty {
		return o, false
	}
	return b.Union(o), false
}

// signedArea is twice a ring's signed area (shoelace), relative to its
// first point for precision.
func twiceSignedArea(ring orb.Ring) float64 {
	ox, oy := ring[0][0], ring[0][1]
	a := 0.0
	for i := 1; i+1 < len(ring); i++ {
		a += (ring[i][0]-ox)*(ring[i+1][1]-oy) - (ring[i+1][0]-ox)*(ring[i][1]-oy)
	}
	return a
}

// dedupe appends to dst the points of pts without consecutive repeats
// (and, for a ring, without the closing point), skipping NaNs.
func dedupePx(dst []devPt, pts []orb.Point, closed bool) []devPt {
	const eps2 = 1e-12
	for _, p := range pts {
		v := devPt{p[0], p[1]}
		if math.IsNaN(v.x) || math.IsNaN(v.y) || math.IsInf(v.x, 0) || math.IsInf(v.y, 0) {
			continue
		}
		if n := len(dst); n > 0 {
			dx, dy := v.x-dst[n-1].x, v.y-dst[n-1].y
			if dx*dx+dy*dy < eps2 {
				continue
			}
		}
		dst = append(dst, v)
	}
	if closed {
		for len(dst) > 1 {
			dx, dy := dst[0].x-dst[len(dst)-1].x, dst[0].y-dst[len(dst)-1].y
			if dx*dx+dy*dy >= eps2 {
				break
			}
			dst = dst[:len(dst)-1]
		}
	}
	return dst
}

// arcTolerancePx is how far, in device pixels, the chords approximating
// round joins, caps and circles may stray from the true arc.
const arcTolerancePx = 0.05

// arcStep returns the largest angle, in radians, whose chord on a circle
// of radius rad stays within arcTolerancePx of the arc.
func arcStep(rad float64) float64 {
	if rad <= arcTolerancePx {
		return math.Pi / 2
	}
	return min(math.Pi/2, 2*math.Acos(1-arcTolerancePx/rad))
}

func unitDir(a, b devPt) devPt {
	dx, dy := b.x-a.x, b.y-a.y
	l := math.Sqrt(dx*dx + dy*dy)
	return devPt{dx / l, dy / l}
}

// pen is a stroke's half-width with its arc resolution, set by setPen.
type pen struct {
	hw      float64 // half the width, device pixels
	step    float64 // largest angle one chord of a round join may span
	cosStep float64 // its cosine
}

// setPen prepares the stroker for half-width hw.
func (r *renderer) setPen(hw float64) {
	st := arcStep(hw)
	r.pen = pen{hw: hw, step: st, cosStep: math.Cos(st)}
}

// strokeOpen adds the outline of an open polyline stroked with the
// current pen, with round joins and caps: its left side forward, a cap,
// its right side backward, a cap, as one closed path. Every outline the
// stroker makes winds the same way, so overlapping strokes merge.
func (r *renderer) strokeOpen(p []devPt) {
	n := len(p)
	if n == 0 {
		return
	}
	if n == 1 {
		r.circle(p[0], r.pen.hw)
		return
	}
	r.side(p, false, false, true)
	last := unitDir(p[n-2], p[n-1])
	r.arc(p[n-1], devPt{-last.y, last.x}, -math.Pi)
	r.side(p, true, false, false)
	first := unitDir(p[1], p[0])
	r.arc(p[0], devPt{-first.y, first.x}, -math.Pi)
	r.ras.ClosePath()
}

// strokeClosed adds the outline of a ring (closing point removed) stroked
// with the current pen, with round joins: two closed paths, one per side.
func (r *renderer) strokeClosed(p []devPt) {
	r.side(p, false, true, true)
	r.side(p, true, true, true)
}

// pointAt returns p's i-th point, counting from the end when rev is set
// and wrapping once past the end.
func pointAt(p []devPt, i int, rev bool) devPt {
	if i >= len(p) {
		i -= len(p)
	}
	if rev {
		return p[len(p)-1-i]
	}
	return p[i]
}

// side adds the offset, half the pen's width to the left, of the polyline
// p taken forward or backward (rev), with round outer joins and inner
// joins through the vertex; a gentle turn, where the two offsets meet
// within the arc tolerance on the outside, or within the near half of
// both segments on the inside (so that the meeting points of consecutive
// vertices never pass each other), takes that single point instead. It starts a new path
// when start is set, else continues the current one; a closed side ends
// with the join at its first vertex and closes the path.
func (r *renderer) side(p []devPt, rev, closed, start bool) {
	hw := r.pen.hw
	segs := len(p) - 1
	if closed {
		segs = len(p)
	}
	a := pointAt(p, 0, rev)
	d0, l0 := unitLen(a, pointAt(p, 1, rev))
	if start {
		r.moveTo(a.x-hw*d0.y, a.y+hw*d0.x)
	} else {
		r.lineTo(a.x-hw*d0.y, a.y+hw*d0.x)
	}
	d, l := d0, l0
	for i := 0; i < segs; i++ {
		b := pointAt(p, i+1, rev)
		var e devPt
		var le float64
		switch {
		case i+1 < segs:
			e, le = unitLen(b, pointAt(p, i+2, rev))
		case closed:
			e, le = d0, l0
		default:
			r.lineTo(b.x-hw*d.y, b.y+hw*d.x)
			return
		}
		cross := d.x*e.y - d.y*e.x
		dot := d.x*e.x + d.y*e.y
		if i+1 < segs && (dot >= r.pen.cosStep && cross <= 0 ||
			cross > 0 && dot >= 0.5 && 2*hw*cross <= (1+dot)*min(l, le)) {
			// The offsets' meeting point: hw / cos(turn/2) along the
			// bisector of the two normals.
			k := hw / (1 + dot)
			r.lineTo(b.x-k*(d.y+e.y), b.y+k*(d.x+e.x))
		} else {
			r.lineTo(b.x-hw*d.y, b.y+hw*d.x)
			r.join(b, d, e)
		}
		d, l = e, le
	}
	r.ras.ClosePath()
}

// unitLen returns the unit direction from a to b and the distance.
func unitLen(a, b devPt) (devPt, float64) {
	dx, dy := b.x-a.x, b.y-a.y
	l := math.Sqrt(dx*dx + dy*dy)
	return devPt{dx / l, dy / l}, l
}

// join connects, at vertex v, the left offset of a segment heading d to
// that of the next segment heading e: an arc on the outside of the turn,
// a path through the vertex on the inside.
func (r *renderer) join(v, d, e devPt) {
	hw := r.pen.hw
	cross := d.x*e.y - d.y*e.x
	dot := d.x*e.x + d.y*e.y
	switch {
	case dot > 0.9999995:
		// Straight on (under a milliradian): the offsets meet.
		r.lineTo(v.x-hw*e.y, v.y+hw*e.x)
	case cross > 0 && dot > -0.9999995:
		// Turning towards this side: the inner corner.
		r.lineTo(v.x, v.y)
		r.lineTo(v.x-hw*e.y, v.y+hw*e.x)
	case dot >= r.pen.cosStep:
		// A gentle outer turn: one chord is round enough.
		r.lineTo(v.x-hw*e.y, v.y+hw*e.x)
	default:
		theta := math.Atan2(cross, dot)
		if theta > 0 {
			theta = -math.Pi // a U-turn: go round the outside
		}
		r.arc(v, devPt{-d.y, d.x}, theta)
	}
}

// arc adds points on the pen's circle around c, from direction n turning
// by theta radians (negative: the stroker's outer direction).
func (r *renderer) arc(c, n devPt, theta float64) {
	hw := r.pen.hw
	steps := max(1, int(math.Ceil(math.Abs(theta)/r.pen.step)))
	sin, cos := math.Sincos(theta / float64(steps))
	x, y := n.x, n.y
	for k := 0; k < steps; k++ {
		x, y = x*cos-y*sin, x*sin+y*cos
		r.lineTo(c.x+hw*x, c.y+hw*y)
	}
}

// dashed strokes the dashes of p: pattern alternates dash and gap lengths
// (device pixels), starting at p's first point.
func (r *renderer) dashed(p []devPt, closed bool, pattern []float64) {
	if closed && len(p) > 1 {
		p = append(p, p[0])
	}
	k, left, on := 0, pattern[0], true
	r.dash = r.dash[:0]
	if len(p) > 0 {
		r.dash = append(r.dash, p[0])
	}
	for i := 1; i < len(p); i++ {
		a, b := p[i-1], p[i]
		seg := math.Hypot(b.x-a.x, b.y-a.y)
		pos := 0.0
		for seg-pos > left {
			pos += left
			t := pos / seg
			q := devPt{a.x + (b.x-a.x)*t, a.y + (b.y-a.y)*t}
			if on {
				r.dash = append(r.dash, q)
				r.strokeOpen(r.dash)
			}
			r.dash = append(r.dash[:0], q)
			on = !on
			k = (k + 1) % len(pattern)
			left = pattern[k]
		}
		left -= seg - pos
		r.dash = append(r.dash, b)
	}
	if on && len(r.dash) > 1 {
		r.strokeOpen(r.dash)
	}
}

// hatchGeom is a Hatch in device pixels.
type hatchGeom struct {
	nx, ny  float64 // unit normal of the first set of lines
	spacing float64
	half    float64 // half the line width
	phase   float64 // offset that centres odd-width lines on pixel centres
	cross   bool
}

func newHatchGeom(h Hatch, scale float64) hatchGeom {
	sin, cos := math.Sincos(h.AngleDeg * math.Pi / 180)
	w := h.WidthPx * scale
	g := hatchGeom{nx: sin, ny: cos, spacing: h.SpacingPx * scale, half: w / 2, cross: h.Cross}
	if int(math.Round(w))%2 == 1 {
		g.phase = 0.5
	}
	return g
}

// band returns how much of a one-pixel span centred at t (along the normal)
// is covered by the hatch lines, 0..1.
func (g *hatchGeom) band(t float64) float64 {
	u := (t - g.phase) / g.spacing
	f := (u - math.Floor(u)) * g.spacing
	d := min(f, g.spacing-f)
	lo, hi := max(d-0.5, -g.half), min(d+0.5, g.half)
	if hi <= lo {
		return 0
	}
	return min(hi-lo, 1)
}

// coverage returns the hatch's coverage of the pixel whose centre is at
// global device pixel (x, y).
func (g *hatchGeom) coverage(x, y float64) float64 {
	c := g.band(x*g.nx + y*g.ny)
	if g.cross && c < 1 {
		c2 := g.band(y*g.nx - x*g.ny)
		c = c + c2 - c*c2
	}
	return c
}

// composite paints the colour (cr, cg, cb) with alpha a (0..255) through
// the current pass's mask onto the image, source-over, modulated by the
// hatch when h is not nil.
func (r *renderer) composite(cr, cg, cb uint8, a uint32, h *hatchGeom) {
	r.compositeMask(r.mask.Pix, r.mask.Stride, r.rect, cr, cg, cb, a, h)
}

// compositeMask is composite through any mask: mask, rows of stride
// bytes, covers the image rectangle at (which may stick out of the image).
func (r *renderer) compositeMask(mask []uint8, stride int, at image.Rectangle, cr, cg, cb uint8, a uint32, h *hatchGeom) {
	img := r.img
	clip := at.Intersect(img.Rect)
	if clip.Empty() || a == 0 {
		return
	}
	w := clip.Dx()
	gx0 := r.view.X + float64(clip.Min.X) + 0.5
	solid := uint32(cr) | uint32(cg)<<8 | uint32(cb)<<16 | 0xff<<24
	drawn := false
	for y := clip.Min.Y; y < clip.Max.Y; y++ {
		mrow := mask[(y-at.Min.Y)*stride+(clip.Min.X-at.Min.X):][:w]
		pix := img.Pix[img.PixOffset(clip.Min.X, y):][: 4*w : 4*w]
		gy := r.view.Y + float64(y) + 0.5
		// The last blend, reused along runs of one colour under one
		// coverage: the inside of a fill over a flat background.
		lastSA, lastIn, lastOut := uint32(0), uint32(0), uint32(0)
		for x := 0; x < len(mrow); x++ {
			if x+8 <= len(mrow) {
				// Eight pixels at a time: most of a stroke's box is empty,
				// most of an opaque fill's is full.
				switch binary.LittleEndian.Uint64(mrow[x:]) {
				case 0:
					x += 7
					continue
				case math.MaxUint64:
					if h != nil {
						break
					}
					drawn = true
					if a == 255 {
						for i := 4 * x; i < 4*x+32; i += 4 {
							binary.LittleEndian.PutUint32(pix[i:], solid)
						}
						x += 7
						continue
					}
					// A translucent fill's inside: one blend per run of
					// one colour beneath.
					for i := 4 * x; i < 4*x+32; i += 4 {
						in := binary.LittleEndian.Uint32(pix[i:])
						if a != lastSA || in != lastIn {
							lastSA, lastIn, lastOut = a, in, blendOver(in, cr, cg, cb, a)
						}
						binary.LittleEndian.PutUint32(pix[i:], lastOut)
					}
					x += 7
					continue
				}
			}
			m := mrow[x]
			if m == 0 {
				continue
			}
			sa := uint32(m) * a // 0..255*255
			if h != nil {
				c := h.coverage(gx0+float64(x), gy)
				if c <= 0 {
					continue
				}
				sa = uint32(float64(sa)*c + 0.5)
			}
			sa = (sa + 127) / 255
			if sa == 0 {
				continue
			}
			drawn = true
			p := pix[4*x : 4*x+4 : 4*x+4]
			in := binary.LittleEndian.Uint32(p)
			if sa == lastSA && in == lastIn {
				binary.LittleEndian.PutUint32(p, lastOut)
				continue
			}
			lastSA, lastIn, lastOut = sa, in, blendOver(in, cr, cg, cb, sa)
			binary.LittleEndian.PutUint32(p, lastOut)
		}
	}
	if drawn {
		r.drawn = true
	}
}

// blendOver returns the straight-alpha RGBA pixel in (R in the low byte)
// with the colour (cr, cg, cb) at alpha sa (1..255) painted over it.
func blendOver(in uint32, cr, cg, cb uint8, sa uint32) uint32 {
	dr, dg, db, da := in&0xff, in>>8&0xff, in>>16&0xff, in>>24
	var r, g, b, a uint32
	switch {
	case sa == 255 || da == 0:
		r, g, b, a = uint32(cr), uint32(cg), uint32(cb), sa
	case da == 255:
		ia := 255 - sa
		r = (uint32(cr)*sa + dr*ia + 127) / 255
		g = (uint32(cg)*sa + dg*ia + 127) / 255
		b = (uint32(cb)*sa + db*ia + 127) / 255
		a = 255
	default:
		// Source-over on straight alpha: weights sa*255 for the source
		// and da*(255-sa) for what lies under it.
		ws, wd := sa*255, da*(255-sa)
		t := ws + wd
		r = (uint32(cr)*ws + dr*wd + t/2) / t
		g = (uint32(cg)*ws + dg*wd + t/2) / t
		b = (uint32(cb)*ws + db*wd + t/2) / t
		a = (t + 127) / 255
	}
	return r | g<<8 | b<<16 | a<<24
}

// Text.

// goFonts are Go Regular and Go Bold, parsed once; sfnt fonts are safe for
// concurrent use with one sfnt.Buffer per goroutine.
var goFonts = sync.OnceValue(func() [2]*sfnt.Font {
	var fs [2]*sfnt.Font
	for i, ttf := range [][]byte{goregular.TTF, gobold.TTF} {
		f, err := sfnt.Parse(ttf)
		if err != nil {
			panic(fmt.Sprintf("tiles: parse embedded Go font: %v", err))
		}
		fs[i] = f
	}
	return fs
})

// glyphKey identifies a glyph (or, with glyph 0, a font's metrics) at a
// size.
type glyphKey struct {
	bold  bool
	glyph sfnt.GlyphIndex
	ppem  fixed.Int26_6
}

// glyphOutline is a glyph flattened to polygons in device pixels,
// relative to its origin on the baseline, y down.
type glyphOutline struct {
	pts     []devPt
	ends    []int // end (exclusive) of each contour in pts
	advance float64
	bound   orb.Bound // of pts
}

// maxGlyphCache bounds each renderer's glyph cache.
const maxGlyphCache = 2048

// glyph returns the outline of glyph g, cached.
func (r *renderer) glyph(k glyphKey) *glyphOutline {
	if o, ok := r.glyphs[k]; ok {
		return o
	}
	if r.glyphs == nil || len(r.glyphs) >= maxGlyphCache {
		r.glyphs = make(map[glyphKey]*glyphOutline)
	}
	f := goFonts()[boolIndex(k.bold)]
	o := &glyphOutline{}
	if adv, err := f.GlyphAdvance(&r.sbuf, k.glyph, k.ppem, font.HintingNone); err == nil {
		o.advance = fromFixed(adv)
	}
	segs, err := f.LoadGlyph(&r.sbuf, k.glyph, k.ppem, nil)
	if err == nil {
		var pen devPt
		for _, s := range segs {
			switch s.Op {
			case sfnt.SegmentOpMoveTo:
				if len(o.pts) > 0 {
					o.ends = append(o.ends, len(o.pts))
				}
				pen = pt26(s.Args[0])
				o.pts = append(o.pts, pen)
			case sfnt.SegmentOpLineTo:
				pen = pt26(s.Args[0])
				o.pts = append(o.pts, pen)
			case sfnt.SegmentOpQuadTo:
				b, c := pt26(s.Args[0]), pt26(s.Args[1])
				o.pts = flattenQuad(o.pts, pen, b, c)
				pen = c
			case sfnt.SegmentOpCubeTo:
				b, c, d := pt26(s.Args[0]), pt26(s.Args[1]), pt26(s.Args[2])
				o.pts = flattenCube(o.pts, pen, b, c, d)
				pen = d
			}
		}
		if len(o.pts) > 0 {
			o.ends = append(o.ends, len(o.pts))
			o.bound = orb.Bound{Min: orb.Point{o.pts[0].x, o.pts[0].y}, Max: orb.Point{o.pts[0].x, o.pts[0].y}}
			for _, q := range o.pts {
				o.bound = o.bound.Extend(orb.Point{q.x, q.y})
			}
		}
	}
	r.glyphs[k] = o
	return o
}

// fontMetrics returns a font's metrics at a size, cached.
func (r *renderer) fontMetrics(bold bool, ppem fixed.Int26_6) font.Metrics {
	k := glyphKey{bold: bold, ppem: ppem}
	if m, ok := r.metrics[k]; ok {
		return m
	}
	if r.metrics == nil {
		r.metrics = make(map[glyphKey]font.Metrics)
	}
	m, _ := goFonts()[boolIndex(bold)].Metrics(&r.sbuf, ppem, font.HintingNone)
	r.metrics[k] = m
	return m
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

func fromFixed(v fixed.Int26_6) float64 { return float64(v) / 64 }

func pt26(p fixed.Point26_6) devPt { return devPt{fromFixed(p.X), fromFixed(p.Y)} }

// flattenQuad appends the points after a on the quadratic Bézier a-b-c,
// within about a hundredth of a pixel.
func flattenQuad(dst []devPt, a, b, c devPt) []devPt {
	dx, dy := a.x-2*b.x+c.x, a.y-2*b.y+c.y
	n := 1 + int(math.Sqrt(math.Sqrt(dx*dx+dy*dy)*10))
	n = min(n, 32)
	for i := 1; i <= n; i++ {
		t := float64(i) / float64(n)
		u := 1 - t
		dst = append(dst, devPt{u*u*a.x + 2*u*t*b.x + t*t*c.x, u*u*a.y + 2*u*t*b.y + t*t*c.y})
	}
	return dst
}

// flattenCube appends the points after a on the cubic Bézier a-b-c-d.
func flattenCube(dst []devPt, a, b, c, d devPt) []devPt {
	d1x, d1y := a.x-2*b.x+c.x, a.y-2*b.y+c.y
	d2x, d2y := b.x-2*c.x+d.x, b.y-2*c.y+d.y
	dev := max(math.Hypot(d1x, d1y), math.Hypot(d2x, d2y))
	n := 1 + int(math.Sqrt(dev*10))
	n = min(n, 32)
	for i := 1; i <= n; i++ {
		t := float64(i) / float64(n)
		u := 1 - t
		dst = append(dst, devPt{
			u*u*u*a.x + 3*u*u*t*b.x + 3*u*t*t*c.x + t*t*t*d.x,
			u*u*u*a.y + 3*u*u*t*b.y + 3*u*t*t*c.y + t*t*t*d.y,
		})
	}
	return dst
}

// placedLabel is one label laid out: glyphs with their device-pixel
// origins.
type placedLabel struct {
	glyphs []placedGlyph
}

// placedSprite is a label sprite placed on the image.
type placedSprite struct {
	sp *labelSprite
	at image.Rectangle
}

type placedGlyph struct {
	g      *glyphOutline
	origin devPt
}

// LabelZoomsProperty names the property of a labelled point feature that
// lists the zooms at which its label is drawn, as a bit mask (bit z for
// zoom z). PlaceLabels sets it; Render draws a label only at the zooms
// it lists. A feature without it is labelled wherever its style says.
const LabelZoomsProperty = "label_zooms"

// LabelLeftZoomsProperty names the property, set with LabelZoomsProperty,
// listing the zooms (bit z for zoom z) at which the label is written to
// the left of its point instead of the right.
const LabelLeftZoomsProperty = "label_left_zooms"

// LabelSide reads the placement PlaceLabels decided for a point's label at
// zoom z: whether it is drawn and whether on the left of the point. It is
// for renderers other than Render (vector images) that must place labels
// as the tiles do.
func LabelSide(props map[string]any, z int) (draw, left bool) { return labelSide(props, z) }

// labelSide reads the placement properties for zoom z: whether the label
// is drawn and whether on the left.
func labelSide(props map[string]any, z int) (draw, left bool) {
	if z < 0 || z > 62 {
		return true, false
	}
	zooms, ok := propertyInt(props[LabelZoomsProperty])
	if !ok {
		return true, false
	}
	lefts, _ := propertyInt(props[LabelLeftZoomsProperty])
	return zooms&(1<<z) != 0, lefts&(1<<z) != 0
}

// propertyInt reads an integral property value of any numeric type.
func propertyInt(v any) (int64, bool) {
	switch v := v.(type) {
	case int:
		return int64(v), true
	case int64:
		return v, true
	case int32:
		return int64(v), true
	case uint64:
		return int64(v), true
	case uint32:
		return int64(v), true
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<62 {
			return int64(v), true
		}
	}
	return 0, false
}

// labelFont is a Label's font resolved at one device size.
type labelFont struct {
	bold       bool
	ppem       fixed.Int26_6
	capH, halo float64 // device pixels
	dx         float64 // from the point to the text's near edge
}

func (r *renderer) labelFont(ls *LayerStyle, scale float64) (labelFont, bool) {
	lab := ls.Label
	ppem := fixed.Int26_6(math.Round(lab.SizePx * scale * 64))
	if ppem <= 0 {
		return labelFont{}, false
	}
	m := r.fontMetrics(lab.Bold, ppem)
	lf := labelFont{bold: lab.Bold, ppem: ppem, capH: fromFixed(m.CapHeight)}
	if lf.capH <= 0 {
		lf.capH = 0.7 * fromFixed(m.Ascent)
	}
	if lab.Halo.A > 0 {
		lf.halo = max(lab.HaloPx, 0) * scale
	}
	lf.dx = (max(ls.Symbol.RadiusPx, 0) + max(lab.OffsetPx, 0)) * scale
	return lf, true
}

// layoutText lays text out from the pen (0, 0) on the baseline into pl,
// returning the advance width and the ink bound of the glyphs (empty
// when nothing has ink).
func (r *renderer) layoutText(text string, lf labelFont, pl *placedLabel) (float64, orb.Bound) {
	f := goFonts()[boolIndex(lf.bold)]
	pl.glyphs = pl.glyphs[:0]
	x := 0.0
	var ink orb.Bound
	empty := true
	var prev sfnt.GlyphIndex
	for j, ch := range text {
		gi, err := f.GlyphIndex(&r.sbuf, ch)
		if err != nil {
			gi = 0
		}
		if j > 0 && prev != 0 && gi != 0 {
			if k, err := f.Kern(&r.sbuf, prev, gi, lf.ppem, font.HintingNone); err == nil {
				x += fromFixed(k)
			}
		}
		g := r.glyph(glyphKey{bold: lf.bold, glyph: gi, ppem: lf.ppem})
		if gi != 0 && len(g.pts) > 0 {
			pl.glyphs = append(pl.glyphs, placedGlyph{g: g, origin: devPt{x, 0}})
			b := g.bound
			ink, empty = extendBound(ink, empty, orb.Bound{
				Min: orb.Point{b.Min[0] + x, b.Min[1]}, Max: orb.Point{b.Max[0] + x, b.Max[1]},
			})
		}
		x += g.advance
		prev = gi
	}
	if empty {
		return x, orb.Bound{Min: orb.Point{1, 1}, Max: orb.Point{-1, -1}}
	}
	return x, ink
}

// labelBox returns where a label laid out with width w and ink bound ink
// lands for a point at p (device pixels of a grid whose origin is at
// global pixel (gx, gy)): the pen position, snapped to whole global pixels
// so that every tile showing the label places it alike, and the ink bound
// padded by the halo.
func labelBox(p orb.Point, lf labelFont, w float64, ink orb.Bound, left bool, gx, gy float64) (devPt, orb.Bound) {
	x0 := p[0] + lf.dx
	if left {
		x0 = p[0] - lf.dx - w
	}
	pen := devPt{math.Round(gx+x0) - gx, math.Round(gy+p[1]+lf.capH/2) - gy}
	pad := lf.halo + 1
	return pen, orb.Bound{
		Min: orb.Point{pen.x + ink.Min[0] - pad, pen.y + ink.Min[1] - pad},
		Max: orb.Point{pen.x + ink.Max[0] + pad, pen.y + ink.Max[1] + pad},
	}
}

// paintLabels lays out the labels of the matching points, then paints
// all their halos and then all their text, so that no halo covers a
// neighbour's letters.
func (r *renderer) paintLabels(ls *LayerStyle, feats []Feature) {
	lab := ls.Label
	prop := lab.Property
	if prop == "" {
		prop = "name_en"
	}
	lf, ok := r.labelFont(ls, r.view.Scale)
	if !ok {
		return
	}
	canvas := orb.Bound{Max: orb.Point{float64(r.view.Width), float64(r.view.Height)}}

	r.labels = r.labels[:0]
	for i := range feats {
		props := feats[i].Properties
		if !ls.Filter.Match(props) {
			continue
		}
		show, left := labelSide(props, r.view.Z)
		if !show {
			continue
		}
		text := propertyText(props[prop])
		if text == "" {
			continue
		}
		sp := r.sprite(text, lf)
		if sp.at.Empty() {
			continue
		}
		EachPoint(feats[i].Geometry, func(p orb.Point) {
			pen, lb := labelBox(p, lf, sp.width, sp.ink, left, r.view.X, r.view.Y)
			if !lb.Intersects(canvas) {
				return
			}
			at := sp.at.Add(image.Pt(int(math.Round(pen.x)), int(math.Round(pen.y))))
			r.labels = append(r.labels, placedSprite{sp: sp, at: at})
		})
	}
	if lf.halo > 0 {
		for _, pl := range r.labels {
			r.compositeMask(pl.sp.halo, pl.sp.at.Dx(), pl.at, lab.Halo.R, lab.Halo.G, lab.Halo.B, uint32(lab.Halo.A), nil)
		}
	}
	for _, pl := range r.labels {
		r.compositeMask(pl.sp.text, pl.sp.at.Dx(), pl.at, lab.Color.R, lab.Color.G, lab.Color.B, uint32(lab.Color.A), nil)
	}
}

// spriteKey identifies a label's rendering: its text in a font and size
// with a halo.
type spriteKey struct {
	text string
	font labelFont
}

// labelSprite is a label rasterised once, with its pen at (0, 0) on a
// whole pixel: labels are placed on whole pixels, so the same masks serve
// wherever the label is drawn.
type labelSprite struct {
	at         image.Rectangle // relative to the pen
	halo, text []uint8         // coverage masks over at, at.Dx() a row
	width      float64         // advance width
	ink        orb.Bound       // of the glyphs, relative to the pen
}

// maxSprites bounds each renderer's sprite cache.
const maxSprites = 1024

// sprite returns the label sprite of text, cached.
func (r *renderer) sprite(text string, lf labelFont) *labelSprite {
	k := spriteKey{text, lf}
	if sp, ok := r.sprites[k]; ok {
		return sp
	}
	if r.sprites == nil || len(r.sprites) >= maxSprites {
		r.sprites = make(map[spriteKey]*labelSprite)
	}
	sp := &labelSprite{}
	r.sprites[k] = sp
	var laid placedLabel
	sp.width, sp.ink = r.layoutText(text, lf, &laid)
	if len(laid.glyphs) == 0 {
		return sp
	}
	pad := lf.halo + 1
	sp.at = image.Rect(
		int(math.Floor(sp.ink.Min[0]-pad)), int(math.Floor(sp.ink.Min[1]-pad)),
		int(math.Ceil(sp.ink.Max[0]+pad)), int(math.Ceil(sp.ink.Max[1]+pad)),
	)
	raster := func(hw float64) []uint8 {
		r.ox, r.oy = float64(sp.at.Min.X), float64(sp.at.Min.Y)
		r.ras.Reset(sp.at.Dx(), sp.at.Dy())
		if hw > 0 {
			r.setPen(hw)
		}
		for _, pg := range laid.glyphs {
			r.glyphPaths(pg, hw)
		}
		m := image.NewAlpha(image.Rect(0, 0, sp.at.Dx(), sp.at.Dy()))
		r.ras.DrawOp = draw.Src
		r.ras.Draw(m, m.Rect, image.Opaque, image.Point{})
		return m.Pix
	}
	if lf.halo > 0 {
		sp.halo = raster(lf.halo)
	}
	sp.text = raster(0)
	return sp
}

// PlaceLabels decides once, for a whole layer of lon/lat points labelled
// by st, at which zooms 0..MaxZoom each label is drawn and on which side
// of its point, so that no label overlaps another label or a point's
// symbol: at each zoom, labels are placed in order of importance (the
// style's later entries first, as DefaultStyle lists the largest cities
// last; then in feature order), to the right of the point if the space is
// free, else to the left, else not at that zoom. Decided on the whole
// layer in world pixels, the outcome is the same in every tile, so a
// label crossing a tile edge is drawn on both sides of it. Call it before
// NewSource. It returns a copy of l whose Point features carry
// LabelZoomsProperty and LabelLeftZoomsProperty in new property maps
// (other geometries are left as they are); l is not modified.
func PlaceLabels(l Layer, st Style) Layer {
	out := Layer{Name: l.Name, Features: slices.Clone(l.Features)}
	r := rendererPool.Get().(*renderer)
	defer rendererPool.Put(r)

	type candidate struct {
		feature  int
		entry    int // index in st.Layers of the label's entry
		p        orb.Point
		w        float64
		ink      orb.Bound
		lf       labelFont
		symbolPx float64 // radius of the point's symbol with its outline
	}
	zooms := make([]int64, len(l.Features))
	lefts := make([]int64, len(l.Features))
	var cands []candidate
	type obstacle struct {
		b     orb.Bound
		owner int // feature whose symbol or label it is
	}
	var taken []obstacle
	var laid placedLabel
	for z := 0; z <= MaxZoom; z++ {
		world := RasterTileSize * math.Exp2(float64(z))
		cands = cands[:0]
		for i, f := range l.Features {
			pt, ok := f.Geometry.(orb.Point)
			if !ok {
				continue
			}
			c := candidate{feature: i, entry: -1, p: worldPixel(pt, world)}
			for j := range st.Layers {
				ls := &st.Layers[j]
				if ls.Layer != l.Name || !ls.visible(z) || !ls.Filter.Match(f.Properties) {
					continue
				}
				if sym := ls.Symbol; sym.RadiusPx > 0 {
					c.symbolPx = max(c.symbolPx, sym.RadiusPx+max(sym.OutlinePx, 0))
				}
				if ls.Label.SizePx > 0 {
					prop := ls.Label.Property
					if prop == "" {
						prop = "name_en"
					}
					text := propertyText(f.Properties[prop])
					lf, ok := r.labelFont(ls, 1)
					if text == "" || !ok {
						continue
					}
					c.entry, c.lf = j, lf
					c.w, c.ink = r.layoutText(text, lf, &laid)
					if len(laid.glyphs) == 0 {
						c.entry = -1
					}
				}
			}
			if c.entry >= 0 || c.symbolPx > 0 {
				cands = append(cands, c)
			}
		}
		// Every symbol is an obstacle; then labels, most important first.
		taken = taken[:0]
		for _, c := range cands {
			if c.symbolPx > 0 {
				taken = append(taken, obstacle{orb.Bound{Min: c.p, Max: c.p}.Pad(c.symbolPx + 1), c.feature})
			}
		}
		slices.SortStableFunc(cands, func(a, b candidate) int { return b.entry - a.entry })
		for _, c := range cands {
			if c.entry < 0 {
				continue
			}
			for _, left := range []bool{false, true} {
				_, box := labelBox(c.p, c.lf, c.w, c.ink, left, 0, 0)
				free := true
				for _, t := range taken {
					if t.owner != c.feature && t.b.Intersects(box) {
						free = false
						break
					}
				}
				if free {
					taken = append(taken, obstacle{box, c.feature})
					zooms[c.feature] |= 1 << z
					if left {
						lefts[c.feature] |= 1 << z
					}
					break
				}
			}
		}
	}
	for i, f := range l.Features {
		if _, ok := f.Geometry.(orb.Point); !ok {
			continue
		}
		props := make(map[string]any, len(f.Properties)+2)
		for k, v := range f.Properties {
			props[k] = v
		}
		props[LabelZoomsProperty] = zooms[i]
		props[LabelLeftZoomsProperty] = lefts[i]
		out.Features[i].Properties = props
	}
	return out
}

// worldPixel projects lon/lat to Web Mercator pixels of a world width
// pixels wide, x east and y south from the north-west corner.
func worldPixel(p orb.Point, width float64) orb.Point {
	w := ToWorld(p)
	return orb.Point{w[0] * width, w[1] * width}
}

// glyphPaths adds a placed glyph's contours: filled when hw is 0, else
// stroked hw to each side (its halo).
func (r *renderer) glyphPaths(pg placedGlyph, hw float64) {
	start := 0
	for _, end := range pg.g.ends {
		c := pg.g.pts[start:end]
		start = end
		if len(c) < 2 {
			continue
		}
		if hw == 0 {
			r.moveTo(pg.origin.x+c[0].x, pg.origin.y+c[0].y)
			for _, q := range c[1:] {
				r.lineTo(pg.origin.x+q.x, pg.origin.y+q.y)
			}
			r.ras.ClosePath()
			continue
		}
		r.pts = r.pts[:0]
		for _, q := range c {
			v := devPt{pg.origin.x + q.x, pg.origin.y + q.y}
			if n := len(r.pts); n > 0 && math.Abs(v.x-r.pts[n-1].x)+math.Abs(v.y-r.pts[n-1].y) < 1e-6 {
				continue
			}
			r.pts = append(r.pts, v)
		}
		for len(r.pts) > 1 && math.Abs(r.pts[0].x-r.pts[len(r.pts)-1].x)+math.Abs(r.pts[0].y-r.pts[len(r.pts)-1].y) < 1e-6 {
			r.pts = r.pts[:len(r.pts)-1]
		}
		if len(r.pts) >= 3 {
			r.strokeClosed(r.pts)
		}
	}
}
