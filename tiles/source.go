package tiles

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/simplify"
)

// SimplifyTileFraction is the Douglas-Peucker tolerance of the per-zoom
// copies as a fraction of a tile's width at that zoom: 1/2048 is a quarter
// of a pixel of a 512 px (@2x) tile, an eighth of a pixel of a 256 px tile
// and 2 units of a 4096 MVT extent, so the simplification never shows.
const SimplifyTileFraction = 1.0 / 2048

// maxLat is the latitude where Web Mercator's square world ends; input
// beyond it is clamped.
const maxLat = 85.05112877980659

// zeroArea is the area, in tile units squared, at or under which a clipped
// ring or polygon counts as empty (a sliver along the tile edge).
const zeroArea = 1e-9

// Source is a prepared, immutable set of layers ready to be cut into tiles:
// geometry projected to Web Mercator once, simplified per zoom and indexed
// per zoom. It is safe for concurrent use.
type Source struct {
	layers []sourceLayer
}

// sourceLayer is one input layer prepared for every zoom.
type sourceLayer struct {
	name     string
	features []sourceFeature
	zooms    [MaxZoom + 1]*zoomIndex
}

// sourceFeature keeps what a tile copies from the input feature.
type sourceFeature struct {
	kind       featureKind
	properties map[string]any
}

// featureKind is the geometry type a clipped feature is rebuilt as.
type featureKind uint8

const (
	kindPoint featureKind = iota + 1
	kindMultiPoint
	kindLineString
	kindMultiLineString
	kindPolygon
	kindMultiPolygon
)

// part is one point, line or polygon of a feature in world coordinates
// (Web Mercator scaled to 0..1, y down), simplified for one zoom. Parts
// are shared between zooms and between tiles: never modified.
type part struct {
	feature int32
	geom    orb.Geometry // orb.Point, orb.LineString or orb.Polygon
	bound   orb.Bound
	// chunks holds, per line or ring, the bounds of its runs of chunkSize
	// points, so that a tile skips the runs that lie wholly off one side.
	chunks [][]orb.Bound
}

// chunkSize is the number of points under one chunk bound: small enough
// to skip most of a long ring in a small tile, large enough that the
// bounds cost little to check.
const chunkSize = 32

func newPart(feature int32, g orb.Geometry) part {
	p := part{feature: feature, geom: g, bound: g.Bound()}
	switch g := g.(type) {
	case orb.LineString:
		p.chunks = [][]orb.Bound{chunkBounds(g)}
	case orb.Polygon:
		p.chunks = make([][]orb.Bound, len(g))
		for i, r := range g {
			p.chunks[i] = chunkBounds(r)
		}
	}
	return p
}

func chunkBounds(ps []orb.Point) []orb.Bound {
	out := make([]orb.Bound, 0, (len(ps)+chunkSize-1)/chunkSize)
	for lo := 0; lo < len(ps); lo += chunkSize {
		out = append(out, orb.MultiPoint(ps[lo:min(lo+chunkSize, len(ps))]).Bound())
	}
	return out
}

// zoomIndex holds a layer's parts for one zoom and a hierarchical grid
// over their bounds: each part sits in the cells (at most 2x2) of the
// deepest grid level, not deeper than the zoom, where its bound spans at
// most two cells a side, so a big polygon costs four entries, not
// thousands.
type zoomIndex struct {
	parts  []part
	levels uint32             // bit l set when grid level l holds parts
	cells  map[uint64][]int32 // cellKey(level, x, y) -> ascending part indices
}

// NewSource projects layers (lon/lat WGS84) to Web Mercator once, keeps
// per-zoom copies simplified with Douglas-Peucker at SimplifyTileFraction
// of the tile width for every zoom 0..MaxZoom (sharing a part's copy
// between zooms where simplification no longer changes it) and builds a
// spatial index of part bounds per zoom (parts: the polygons, lines and
// points of multi-geometries), plus bounds of every 32-point run of each
// ring and line, so that a tile touches only what intersects it and, of a
// long ring, only the points near it. Layer order, names and feature
// order are kept; features with a nil or empty geometry are skipped, a
// Collection is split into one feature per member (sharing the
// properties), a Ring or Bound becomes a Polygon. Rings that collapse
// under simplification (fewer than four points or no area) are dropped at
// that zoom, and with an exterior its whole polygon: shapes under about
// half a pixel thin vanish at low zooms.
// Rings are closed and rewound once: exteriors clockwise in tile
// coordinates (y down; positive area by MVT's surveyor's formula), holes
// anticlockwise, so nonzero and even-odd fills agree. Latitudes are
// clamped to Web Mercator's +-85.0511. The input is not modified;
// properties are kept by reference.
func NewSource(layers []Layer) *Source {
	s := &Source{layers: make([]sourceLayer, len(layers))}
	for i, l := range layers {
		s.layers[i] = newSourceLayer(l)
	}
	return s
}

func newSourceLayer(l Layer) sourceLayer {
	sl := sourceLayer{name: l.Name}
	var full []part // full-resolution parts in world coordinates
	var add func(g orb.Geometry, props map[string]any)
	add = func(g orb.Geometry, props map[string]any) {
		fi := int32(len(sl.features))
		push := func(kind featureKind, parts ...orb.Geometry) {
			n := 0
			for _, p := range parts {
				if p != nil {
					full = append(full, part{feature: fi, geom: p})
					n++
				}
			}
			if n > 0 {
				sl.features = append(sl.features, sourceFeature{kind: kind, properties: props})
			}
		}
		switch g := g.(type) {
		case nil:
		case orb.Point:
			push(kindPoint, toWorldPoint(g))
		case orb.MultiPoint:
			ps := make([]orb.Geometry, len(g))
			for i, p := range g {
				ps[i] = toWorldPoint(p)
			}
			push(kindMultiPoint, ps...)
		case orb.LineString:
			push(kindLineString, toWorldLine(g))
		case orb.MultiLineString:
			ps := make([]orb.Geometry, len(g))
			for i, ls := range g {
				ps[i] = toWorldLine(ls)
			}
			push(kindMultiLineString, ps...)
		case orb.Ring:
			push(kindPolygon, toWorldPolygon(orb.Polygon{g}))
		case orb.Bound:
			push(kindPolygon, toWorldPolygon(g.ToPolygon()))
		case orb.Polygon:
			push(kindPolygon, toWorldPolygon(g))
		case orb.MultiPolygon:
			ps := make([]orb.Geometry, len(g))
			for i, p := range g {
				ps[i] = toWorldPolygon(p)
			}
			push(kindMultiPolygon, ps...)
		case orb.Collection:
			for _, m := range g {
				add(m, props)
			}
		}
	}
	for _, f := range l.Features {
		add(f.Geometry, f.Properties)
	}

	// Simplify from the full geometry at each zoom, deepest first. Douglas-
	// Peucker keeps a subset of the points it keeps at a smaller tolerance,
	// so a copy equal to the next zoom's is shared rather than stored twice.
	cur := make([]part, len(full)) // each part at the zoom just deeper; geom nil when dropped
	for z := MaxZoom; z >= 0; z-- {
		tol := SimplifyTileFraction / float64(uint64(1)<<z)
		parts := make([]part, 0, len(full))
		for i, p := range full {
			if z < MaxZoom && cur[i].geom == nil {
				continue // dropped deeper, so dropped here
			}
			g := simplifyWorld(p.geom, tol)
			switch {
			case g == nil:
				cur[i] = part{}
				continue
			case cur[i].geom == nil || !orb.Equal(g, cur[i].geom):
				cur[i] = newPart(p.feature, g)
			}
			parts = append(parts, cur[i])
		}
		sl.zooms[z] = newZoomIndex(parts, z)
	}
	return sl
}

// ToWorld projects lon/lat to world coordinates: Web Mercator scaled so
// that the world is 0..1 on both axes, x east, y south.
func ToWorld(p orb.Point) orb.Point {
	lat := math.Max(-maxLat, math.Min(maxLat, p[1]))
	sin := math.Sin(lat * math.Pi / 180)
	return orb.Point{
		(p[0] + 180) / 360,
		0.5 - math.Log((1+sin)/(1-sin))/(4*math.Pi),
	}
}

func toWorldPoint(p orb.Point) orb.Geometry { return ToWorld(p) }

func toWorldLine(ls orb.LineString) orb.Geometry {
	if len(ls) == 0 {
		return nil
	}
	out := make(orb.LineString, len(ls))
	for i, p := range ls {
		out[i] = ToWorld(p)
	}
	return out
}

func toWorldPolygon(p orb.Polygon) orb.Geometry {
	if len(p) == 0 || len(p[0]) == 0 {
		return nil
	}
	out := make(orb.Polygon, 0, len(p))
	for _, r := range p {
		if len(r) == 0 {
			continue
		}
		wr := make(orb.Ring, len(r), len(r)+1)
		for i, q := range r {
			wr[i] = ToWorld(q)
		}
		if wr[0] != wr[len(wr)-1] {
			wr = append(wr, wr[0])
		}
		// Exterior clockwise on the y-down world, holes anticlockwise,
		// whatever the input's winding: MVT wants it, and a nonzero fill
		// then leaves the holes open.
		if a := ringArea(wr); (len(out) == 0) != (a > 0) {
			wr.Reverse()
		}
		out = append(out, wr)
	}
	return out
}

// simplifyWorld returns a simplified copy of a part, or nil when a line
// or polygon exterior collapses. The argument is not modified.
func simplifyWorld(g orb.Geometry, tol float64) orb.Geometry {
	dp := simplify.DouglasPeucker(tol)
	switch g := g.(type) {
	case orb.Point:
		return g
	case orb.LineString:
		ls := dp.LineString(g.Clone())
		if len(ls) < 2 || (len(ls) == 2 && ls[0] == ls[1]) {
			return nil
		}
		return ls
	case orb.Polygon:
		out := make(orb.Polygon, 0, len(g))
		for i, r := range g {
			sr := dp.Ring(r.Clone())
			if len(sr) < 4 || ringArea(sr) == 0 {
				if i == 0 {
					return nil
				}
				continue
			}
			out = append(out, sr)
		}
		return out
	}
	return nil
}

// ringArea is the surveyor's formula over a closed ring: positive when the
// ring runs clockwise on a y-down screen (counter-clockwise with y up).
func ringArea(r orb.Ring) float64 {
	if len(r) < 3 {
		return 0
	}
	// Offsetting by the first point keeps precision for small rings far
	// from the origin.
	ox, oy := r[0][0], r[0][1]
	a := 0.0
	for i := 1; i < len(r)-1; i++ {
		a += (r[i][0]-ox)*(r[i+1][1]-oy) - (r[i+1][0]-ox)*(r[i][1]-oy)
	}
	return a / 2
}

// cellKey addresses one grid cell: level (0..MaxZoom) and cell x, y.
func cellKey(level, x, y int) uint64 {
	return uint64(level)<<56 | uint64(x)<<28 | uint64(y)
}

// cellRange returns the cells of grid level l that a world bound touches,
// clamped to the world.
func cellRange(b orb.Bound, l int) (x0, y0, x1, y1 int) {
	n := float64(int(1) << l)
	clampCell := func(v float64) int {
		c := int(math.Floor(v * n))
		return max(0, min(int(n)-1, c))
	}
	return clampCell(b.Min[0]), clampCell(b.Min[1]), clampCell(b.Max[0]), clampCell(b.Max[1])
}

func newZoomIndex(parts []part, z int) *zoomIndex {
	zi := &zoomIndex{parts: parts, cells: make(map[uint64][]int32)}
	for i, p := range parts {
		l := z
		var x0, y0, x1, y1 int
		for ; ; l-- {
			x0, y0, x1, y1 = cellRange(p.bound, l)
			if (x1-x0 <= 1 && y1-y0 <= 1) || l == 0 {
				break
			}
		}
		zi.levels |= 1 << l
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				k := cellKey(l, x, y)
				zi.cells[k] = append(zi.cells[k], int32(i))
			}
		}
	}
	return zi
}

// candidates appends to dst the indices of the parts whose bound meets the
// world bound q, ascending and without duplicates, and returns it with the
// number of index entries visited (what the index could not rule out).
func (zi *zoomIndex) candidates(dst []int32, q orb.Bound, z int) ([]int32, int) {
	visited := 0
	for l := 0; l <= z; l++ {
		if zi.levels&(1<<l) == 0 {
			continue
		}
		x0, y0, x1, y1 := cellRange(q, l)
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				ids := zi.cells[cellKey(l, x, y)]
				visited += len(ids)
				for _, id := range ids {
					if zi.parts[id].bound.Intersects(q) {
						dst = append(dst, id)
					}
				}
			}
		}
	}
	slices.Sort(dst)
	return slices.Compact(dst), visited
}

// Tile returns every layer of the source (same names, same order, empty
// ones kept) with the features meeting tile t plus bufferPx of margin,
// clipped to that buffered tile and transformed to tile coordinates:
// 0..extent across the tile, x east, y down (MVT wants extent 4096 and a
// buffer of MVTBufferPx, PNG 256 or 512 and a few pixels). Geometry comes
// from the copy simplified for t.Z (for zooms past MaxZoom, MaxZoom's).
// Polygons are clipped with orb/clip (Sutherland-Hodgman, valid enough to
// fill: edges may run along the tile border) and dropped when empty or of
// zero area; lines are clipped as lines, possibly into several; points
// outside the buffered tile are dropped. A feature keeps its geometry type
// (a LineString clipped in two becomes a MultiLineString). Coordinates are
// floats, not rounded. Properties are copied by reference; the source and
// its inputs are never modified. A non-positive extent gives empty layers.
func (s *Source) Tile(t Tile, extent, bufferPx int) []Layer {
	out, _ := s.tile(t, extent, bufferPx)
	return out
}

// tile is Tile, also returning how many index entries it visited (for
// tests proving the index works).
func (s *Source) tile(t Tile, extent, bufferPx int) ([]Layer, int) {
	out := make([]Layer, len(s.layers))
	for i, l := range s.layers {
		out[i].Name = l.name
	}
	if extent <= 0 {
		return out, 0
	}

	z := min(max(t.Z, 0), MaxZoom)
	n := float64(uint64(1) << uint(max(t.Z, 0)))
	e := float64(extent)
	buf := float64(max(bufferPx, 0))
	// Buffered tile in world coordinates (for the index) and in tile
	// coordinates (for clipping).
	q := orb.Bound{
		Min: orb.Point{(float64(t.X) - buf/e) / n, (float64(t.Y) - buf/e) / n},
		Max: orb.Point{(float64(t.X) + 1 + buf/e) / n, (float64(t.Y) + 1 + buf/e) / n},
	}
	box := orb.Bound{Min: orb.Point{-buf, -buf}, Max: orb.Point{e + buf, e + buf}}
	tr := tileTransform{scale: n * e, dx: float64(t.X) * e, dy: float64(t.Y) * e}
	return s.window(out, z, q, box, tr)
}

// Window is Tile for any rectangle of the map rather than one tile: every
// layer (same names, same order, empty ones kept) with the features meeting
// the window plus bufferPx, clipped to it and transformed to its pixels,
// x east and y down from its top-left corner. The window is width x height
// pixels whose top-left corner is the global pixel (x, y) of a world
// worldPx pixels wide (256 * 2^zoom times the device scale; zoom may be
// fractional). Geometry comes from the copy simplified for zoom z
// (clamped to 0..MaxZoom): pick the zoom whose tiles would be drawn at
// about this world size.
func (s *Source) Window(z int, worldPx, x, y float64, width, height, bufferPx int) []Layer {
	out := make([]Layer, len(s.layers))
	for i, l := range s.layers {
		out[i].Name = l.name
	}
	if width <= 0 || height <= 0 || !(worldPx > 0) {
		return out
	}
	z = min(max(z, 0), MaxZoom)
	buf := float64(max(bufferPx, 0))
	q := orb.Bound{
		Min: orb.Point{(x - buf) / worldPx, (y - buf) / worldPx},
		Max: orb.Point{(x + float64(width) + buf) / worldPx, (y + float64(height) + buf) / worldPx},
	}
	box := orb.Bound{Min: orb.Point{-buf, -buf}, Max: orb.Point{float64(width) + buf, float64(height) + buf}}
	out, _ = s.window(out, z, q, box, tileTransform{scale: worldPx, dx: x, dy: y})
	return out
}

// window fills out (named after the layers) with the features of zoom z's
// copy meeting the world bound q, transformed by tr and clipped to box (q
// in the transformed coordinates), and returns it with the number of index
// entries visited.
func (s *Source) window(out []Layer, z int, q, box orb.Bound, tr tileTransform) ([]Layer, int) {
	visited := 0
	var ids []int32
	for li, l := range s.layers {
		zi := l.zooms[z]
		var v int
		ids, v = zi.candidates(ids[:0], q, z)
		visited += v

		var feats []Feature
		var pieces []orb.Geometry // clipped parts of the current feature
		cur := int32(-1)
		flush := func() {
			if cur >= 0 && len(pieces) > 0 {
				f := l.features[cur]
				feats = append(feats, Feature{Geometry: assemble(f.kind, pieces), Properties: f.properties})
			}
			pieces = pieces[:0]
		}
		for _, id := range ids {
			p := zi.parts[id]
			if p.feature != cur {
				flush()
				cur = p.feature
			}
			if g := clipPart(p, tr, q, box); g != nil {
				pieces = append(pieces, g)
			}
		}
		flush()
		out[li].Features = feats
	}
	return out, visited
}

// tileTransform maps world coordinates to tile coordinates:
// world*scale - (dx, dy).
type tileTransform struct{ scale, dx, dy float64 }

func (tr tileTransform) point(p orb.Point) orb.Point {
	return orb.Point{p[0]*tr.scale - tr.dx, p[1]*tr.scale - tr.dy}
}

// line returns a transformed copy of ls, which clipping may then use as
// scratch space. With q, the world bound of the clip box, each run of
// chunks lying wholly off one side of q (left of it, say) is cut down to
// its first and last points: the segment between them stays off that side
// as the run did, so clipping to q gives the same lines, and the same
// polygon fill, as with the whole run. A tile thus transforms and clips
// only the points near it, plus two per run.
func (tr tileTransform) line(ls []orb.Point, chunks []orb.Bound, q *orb.Bound) []orb.Point {
	if q == nil {
		out := make([]orb.Point, len(ls), len(ls)+1)
		for i, p := range ls {
			out[i] = tr.point(p)
		}
		return out
	}
	out := make([]orb.Point, 0, 16)
	runSide := 0
	var runLast orb.Point
	for i, c := range chunks {
		lo, hi := i*chunkSize, min((i+1)*chunkSize, len(ls))
		side := offSide(c, *q)
		if side != 0 && side == runSide {
			runLast = ls[hi-1]
			continue
		}
		if runSide != 0 {
			out = append(out, tr.point(runLast))
		}
		runSide = side
		if side != 0 {
			out = append(out, tr.point(ls[lo]))
			runLast = ls[hi-1]
			continue
		}
		for _, p := range ls[lo:hi] {
			out = append(out, tr.point(p))
		}
	}
	if runSide != 0 {
		out = append(out, tr.point(runLast))
	}
	return out
}

// offSide tells which side of q the bound c lies wholly beyond: 1 west,
// 2 east, 3 north, 4 south (y down), 0 none.
func offSide(c, q orb.Bound) int {
	switch {
	case c.Max[0] < q.Min[0]:
		return 1
	case c.Min[0] > q.Max[0]:
		return 2
	case c.Max[1] < q.Min[1]:
		return 3
	case c.Min[1] > q.Max[1]:
		return 4
	}
	return 0
}

// clipPart transforms a part to tile coordinates and clips it to box (q in
// world coordinates), returning nil when nothing of it is left: a Point, a
// MultiLineString or a Polygon.
func clipPart(p part, tr tileTransform, q, box orb.Bound) orb.Geometry {
	tb := orb.Bound{Min: tr.point(p.bound.Min), Max: tr.point(p.bound.Max)}
	inside := box.Contains(tb.Min) && box.Contains(tb.Max)
	qp := &q
	if inside {
		qp = nil
	}
	switch g := p.geom.(type) {
	case orb.Point:
		tp := tr.point(g)
		if !box.Contains(tp) {
			return nil
		}
		return tp
	case orb.LineString:
		ls := orb.LineString(tr.line(g, p.chunks[0], qp))
		if inside {
			return orb.MultiLineString{ls}
		}
		var out orb.MultiLineString
		for _, piece := range clip.LineString(box, ls) {
			if len(piece) >= 2 {
				out = append(out, piece)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case orb.Polygon:
		poly := make(orb.Polygon, 0, len(g))
		net := 0.0 // exterior area less the holes'
		for i, r := range g {
			ring := orb.Ring(tr.line(r, p.chunks[i], qp))
			if !inside {
				ring = clip.Ring(box, ring)
			}
			a := math.Abs(ringArea(ring))
			if len(ring) < 4 || a <= zeroArea {
				if i == 0 {
					return nil
				}
				continue
			}
			if i == 0 {
				net = a
			} else {
				net -= a
			}
			poly = append(poly, ring)
		}
		if net <= zeroArea {
			return nil // holes covering the whole clipped exterior
		}
		return poly
	}
	return nil
}

// assemble rebuilds a feature of the given kind from its clipped parts
// (Points, MultiLineStrings, Polygons).
func assemble(kind featureKind, pieces []orb.Geometry) orb.Geometry {
	switch kind {
	case kindPoint:
		return pieces[0]
	case kindMultiPoint:
		mp := make(orb.MultiPoint, len(pieces))
		for i, p := range pieces {
			mp[i] = p.(orb.Point)
		}
		return mp
	case kindLineString, kindMultiLineString:
		var mls orb.MultiLineString
		for _, p := range pieces {
			mls = append(mls, p.(orb.MultiLineString)...)
		}
		if kind == kindLineString && len(mls) == 1 {
			return mls[0]
		}
		return mls
	case kindPolygon:
		return pieces[0]
	case kindMultiPolygon:
		mp := make(orb.MultiPolygon, len(pieces))
		for i, p := range pieces {
			mp[i] = p.(orb.Polygon)
		}
		return mp
	}
	return nil
}
