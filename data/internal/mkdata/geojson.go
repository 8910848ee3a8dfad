package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// feature is one output GeoJSON feature.
type feature struct {
	props any // a struct, so that the keys keep their order
	geom  mpoly
}

// writeFeatures writes feats as a GeoJSON FeatureCollection to path, in a
// fixed layout that diffs well: one line per feature header and one line per
// ring. Geometry is a Polygon when it has one part, unless forceMulti.
func writeFeatures(path string, feats []feature, forceMulti bool) error {
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
	for i, f := range feats {
		props, err := marshalNoEscape(f.props)
		if err != nil {
			return fmt.Errorf("%s feature %d: %w", path, i, err)
		}
		if len(f.geom) == 0 {
			return fmt.Errorf("%s feature %d: empty geometry", path, i)
		}
		multi := forceMulti || len(f.geom) > 1
		typ := "Polygon"
		if multi {
			typ = "MultiPolygon"
		}
		fmt.Fprintf(&b, `{"type":"Feature","properties":%s,"geometry":{"type":"%s","coordinates":[`+"\n", props, typ)
		for j, p := range f.geom {
			if multi {
				b.WriteByte('[')
			}
			for k, r := range p {
				if k > 0 {
					b.WriteString(",\n")
				}
				writeRing(&b, r)
			}
			if multi {
				b.WriteByte(']')
			}
			if j < len(f.geom)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString("]}}")
		if i < len(feats)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]}\n")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// writeRing writes r closed (first point repeated at the end), with
// coordinates in the shortest decimal form of their 5-decimal value.
func writeRing(b *bytes.Buffer, r ring) {
	b.WriteByte('[')
	for i := 0; i <= len(r); i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		xy := r[i%len(r)].xy()
		b.WriteByte('[')
		b.WriteString(strconv.FormatFloat(xy.X, 'f', -1, 64))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(xy.Y, 'f', -1, 64))
		b.WriteByte(']')
	}
	b.WriteByte(']')
}

// marshalNoEscape is json.Marshal without HTML escaping, so that text such
// as "<" stays readable; the output has no trailing newline.
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
