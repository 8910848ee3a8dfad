package archive

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/frontlinemap/frontline/tiles"
)

// PMTiles v3 layout (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md):
// a 127-byte header, the root directory, JSON metadata, leaf directories,
// then tile data. Clients fetch the first 16 KiB in one request, so the
// root directory must end within it.
const (
	pmHeaderLen   = 127
	pmRootMaxLen  = 16384 - pmHeaderLen
	pmCompNone    = 1
	pmCompGzip    = 2
	pmTypeMVT     = 1
	pmTypePNG     = 2
	pmMaxRootOnly = 16384 // entries tried in a root-only directory
)

// pmEntry is one directory entry: RunLength consecutive tile ids sharing
// one content at Offset (in the tile data section), or, with RunLength 0,
// a leaf directory.
type pmEntry struct {
	TileID    uint64
	Offset    uint64
	Length    uint32
	RunLength uint32
}

// content locates stored tile bytes.
type content struct {
	offset uint64
	length uint32
}

// pmWriter writes tile data to a temporary file in tile id order (a
// "clustered" archive), storing each distinct content once and folding runs
// of consecutive ids with the same content into one entry; Commit writes
// header, directories and metadata into the final temporary file, appends
// the tile data and renames it into place.
type pmWriter struct {
	path     string
	md       Metadata
	out      *os.File // the archive being built
	data     *os.File // tile data, copied after the directories on Commit
	buf      *bufio.Writer
	offset   uint64
	entries  []pmEntry
	contents map[[sha256.Size]byte]content
	tiles    int
	lastID   uint64
	bytes    int64
	done     bool
}

func createPMTiles(path string, md Metadata) (*pmWriter, error) {
	out, err := tempBeside(path, ".tmp")
	if err != nil {
		return nil, err
	}
	data, err := tempBeside(path, ".data.tmp")
	if err != nil {
		out.Close()
		os.Remove(out.Name())
		return nil, err
	}
	return &pmWriter{path: path, md: md, out: out, data: data, buf: bufio.NewWriterSize(data, 1<<20),
		contents: map[[sha256.Size]byte]content{}}, nil
}

func (w *pmWriter) Add(t tiles.Tile, b []byte) error {
	if w.done {
		return errors.New("pmtiles: Add after Commit or Abort")
	}
	id := TileID(t)
	if w.tiles > 0 && id <= w.lastID {
		return fmt.Errorf("pmtiles: tile %s added out of order (tile id %d after %d): add tiles in TileID order", t, id, w.lastID)
	}
	if t.Z < w.md.MinZoom || t.Z > w.md.MaxZoom {
		return fmt.Errorf("pmtiles: tile %s is outside zooms %d..%d", t, w.md.MinZoom, w.md.MaxZoom)
	}
	sum := sha256.Sum256(b)
	c, ok := w.contents[sum]
	if !ok {
		if w.md.Content == ContentMVT {
			b = gzipTile(b)
		}
		if uint64(len(b)) > math.MaxUint32 {
			return fmt.Errorf("pmtiles: tile %s is %d bytes, over 4 GiB", t, len(b))
		}
		if _, err := w.buf.Write(b); err != nil {
			return fmt.Errorf("pmtiles: write tile %s: %w", t, err)
		}
		c = content{offset: w.offset, length: uint32(len(b))}
		w.offset += uint64(len(b))
		w.contents[sum] = c
	}
	if n := len(w.entries); n > 0 {
		last := &w.entries[n-1]
		if last.TileID+uint64(last.RunLength) == id && last.Offset == c.offset && last.Length == c.length {
			last.RunLength++
			w.tiles++
			w.lastID = id
			return nil
		}
	}
	w.entries = append(w.entries, pmEntry{TileID: id, Offset: c.offset, Length: c.length, RunLength: 1})
	w.tiles++
	w.lastID = id
	return nil
}

func (w *pmWriter) Stats() Stats {
	return Stats{Tiles: w.tiles, Contents: len(w.contents), Bytes: w.bytes}
}

func (w *pmWriter) Commit() (err error) {
	if w.done {
		return errors.New("pmtiles: Commit after Commit or Abort")
	}
	defer func() {
		if err != nil {
			w.Abort()
		}
	}()
	if err := w.buf.Flush(); err != nil {
		return fmt.Errorf("pmtiles: write tile data: %w", err)
	}
	root, leaves, err := buildDirectories(w.entries)
	if err != nil {
		return err
	}
	meta, err := json.Marshal(w.md.jsonFields())
	if err != nil {
		return fmt.Errorf("pmtiles: metadata: %w", err)
	}
	meta = gzipTile(meta)

	h := w.header()
	h.rootOffset = pmHeaderLen
	h.rootLength = uint64(len(root))
	h.metadataOffset = h.rootOffset + h.rootLength
	h.metadataLength = uint64(len(meta))
	h.leafOffset = h.metadataOffset + h.metadataLength
	h.leafLength = uint64(len(leaves))
	h.dataOffset = h.leafOffset + h.leafLength
	h.dataLength = w.offset

	bw := bufio.NewWriterSize(w.out, 1<<20)
	for _, part := range [][]byte{h.bytes(), root, meta, leaves} {
		if _, err := bw.Write(part); err != nil {
			return fmt.Errorf("pmtiles: write %s: %w", w.out.Name(), err)
		}
	}
	if _, err := w.data.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("pmtiles: rewind tile data: %w", err)
	}
	if _, err := io.Copy(bw, w.data); err != nil {
		return fmt.Errorf("pmtiles: copy tile data to %s: %w", w.out.Name(), err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("pmtiles: write %s: %w", w.out.Name(), err)
	}
	w.bytes = int64(h.dataOffset + h.dataLength)
	if err := commitFile(w.out, w.path); err != nil {
		return err
	}
	w.done = true
	w.data.Close()
	os.Remove(w.data.Name())
	return nil
}

func (w *pmWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.out.Close()
	w.data.Close()
	return errors.Join(os.Remove(w.out.Name()), os.Remove(w.data.Name()))
}

// pmHeader is the fixed-size PMTiles v3 header.
type pmHeader struct {
	rootOffset, rootLength         uint64
	metadataOffset, metadataLength uint64
	leafOffset, leafLength         uint64
	dataOffset, dataLength         uint64
	addressed, entries, contents   uint64
	tileCompression, tileType      uint8
	minZoom, maxZoom, centerZoom   uint8
	bounds                         [4]int32 // min lon, min lat, max lon, max lat, 1e-7 degrees
	center                         [2]int32 // lon, lat, 1e-7 degrees
}

func (w *pmWriter) header() pmHeader {
	h := pmHeader{
		addressed: uint64(w.tiles), entries: uint64(len(w.entries)), contents: uint64(len(w.contents)),
		tileCompression: pmCompNone, tileType: pmTypePNG,
		minZoom: uint8(w.md.MinZoom), maxZoom: uint8(w.md.MaxZoom),
	}
	if w.md.Content == ContentMVT {
		h.tileCompression, h.tileType = pmCompGzip, pmTypeMVT
	}
	for i, v := range w.md.Bounds {
		h.bounds[i] = e7(v)
	}
	h.center = [2]int32{e7(w.md.Center[0]), e7(w.md.Center[1])}
	h.centerZoom = uint8(min(max(int(w.md.Center[2]), w.md.MinZoom), w.md.MaxZoom))
	return h
}

func e7(deg float64) int32 { return int32(math.Round(deg * 1e7)) }

func (h pmHeader) bytes() []byte {
	b := make([]byte, pmHeaderLen)
	copy(b, "PMTiles")
	b[7] = 3
	le := binary.LittleEndian
	for i, v := range []uint64{h.rootOffset, h.rootLength, h.metadataOffset, h.metadataLength,
		h.leafOffset, h.leafLength, h.dataOffset, h.dataLength, h.addressed, h.entries, h.contents} {
		le.PutUint64(b[8+8*i:], v)
	}
	b[96] = 1 // clustered: tile data in tile id order
	b[97] = pmCompGzip
	b[98] = h.tileCompression
	b[99] = h.tileType
	b[100] = h.minZoom
	b[101] = h.maxZoom
	for i, v := range h.bounds {
		le.PutUint32(b[102+4*i:], uint32(v))
	}
	b[118] = h.centerZoom
	le.PutUint32(b[119:], uint32(h.center[0]))
	le.PutUint32(b[123:], uint32(h.center[1]))
	return b
}

// serializeEntries encodes a directory: the entry count, then columns of
// tile id deltas, run lengths, lengths and offsets (0 meaning "right after
// the previous entry's bytes", else offset+1), as varints, gzipped.
func serializeEntries(entries []pmEntry) []byte {
	var raw []byte
	raw = binary.AppendUvarint(raw, uint64(len(entries)))
	last := uint64(0)
	for _, e := range entries {
		raw = binary.AppendUvarint(raw, e.TileID-last)
		last = e.TileID
	}
	for _, e := range entries {
		raw = binary.AppendUvarint(raw, uint64(e.RunLength))
	}
	for _, e := range entries {
		raw = binary.AppendUvarint(raw, uint64(e.Length))
	}
	for i, e := range entries {
		if i > 0 && e.Offset == entries[i-1].Offset+uint64(entries[i-1].Length) {
			raw = binary.AppendUvarint(raw, 0)
		} else {
			raw = binary.AppendUvarint(raw, e.Offset+1)
		}
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(raw)
	zw.Close()
	return buf.Bytes()
}

// buildDirectories returns the root directory and the leaf directories: all
// entries in the root when they fit in the first 16 KiB, else leaves of
// equal entry counts, grown until the root of pointers to them fits.
func buildDirectories(entries []pmEntry) (root, leaves []byte, err error) {
	if len(entries) < pmMaxRootOnly {
		if root := serializeEntries(entries); len(root) <= pmRootMaxLen {
			return root, nil, nil
		}
	}
	leafSize := max(4096, float64(len(entries))/3500)
	for {
		var ptrs []pmEntry
		leaves = leaves[:0]
		for i := 0; i < len(entries); i += int(leafSize) {
			leaf := serializeEntries(entries[i:min(i+int(leafSize), len(entries))])
			ptrs = append(ptrs, pmEntry{TileID: entries[i].TileID, Offset: uint64(len(leaves)), Length: uint32(len(leaf))})
			leaves = append(leaves, leaf...)
		}
		if root = serializeEntries(ptrs); len(root) <= pmRootMaxLen {
			return root, leaves, nil
		}
		if len(ptrs) == 1 {
			return nil, nil, fmt.Errorf("pmtiles: root directory of %d bytes does not fit in %d", len(root), pmRootMaxLen)
		}
		leafSize *= 1.2
	}
}
