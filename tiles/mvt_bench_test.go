package tiles

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkEncodeMVT cuts and encodes every tile of fourOblastTiles (z5 to
// z10 over the four oblasts) from the 2025-08-15 DeepStateMap snapshot, as
// a vector tile request does when the cache misses: "tile+encode" is
// Source.Tile then EncodeMVT, "encode" EncodeMVT alone on tiles cut
// beforehand. One op is the whole list; ns/tile is the mean and
// median-ns/tile the median of the per-tile times. TestEncodeMVTTileList
// pins the output.
func BenchmarkEncodeMVT(b *testing.B) {
	src := NewSource(loadDeepstateControl(b))
	tiles := fourOblastTiles()

	b.Run("tile+encode", func(b *testing.B) {
		b.ReportAllocs()
		per := make([]time.Duration, 0, len(tiles)*8)
		for b.Loop() {
			for _, tl := range tiles {
				start := time.Now()
				if _, err := EncodeMVT(src.Tile(tl, MVTExtent, MVTBufferPx), MVTExtent); err != nil {
					b.Fatal(err)
				}
				per = append(per, time.Since(start))
			}
		}
		reportPerTile(b, len(tiles), per)
	})

	b.Run("encode", func(b *testing.B) {
		cut := make([][]Layer, len(tiles))
		for i, tl := range tiles {
			cut[i] = src.Tile(tl, MVTExtent, MVTBufferPx)
		}
		b.ReportAllocs()
		per := make([]time.Duration, 0, len(tiles)*8)
		for b.Loop() {
			for _, layers := range cut {
				start := time.Now()
				if _, err := EncodeMVT(layers, MVTExtent); err != nil {
					b.Fatal(err)
				}
				per = append(per, time.Since(start))
			}
		}
		reportPerTile(b, len(tiles), per)
	})
}

// reportPerTile adds ns/tile (mean over the run) and median-ns/tile.
func reportPerTile(b *testing.B, tiles int, per []time.Duration) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*tiles), "ns/tile")
	if len(per) > 0 {
		slices.Sort(per)
		b.ReportMetric(float64(per[len(per)/2].Nanoseconds()), "median-ns/tile")
	}
}

// TestEncodeMVTTileList pins what BenchmarkEncodeMVT produces, so that a
// faster benchmark cannot come from doing less: the tile count, the tiles
// with features, the feature total and the byte total of the list.
func TestEncodeMVTTileList(t *testing.T) {
	src := NewSource(loadDeepstateControl(t))
	tiles := fourOblastTiles()
	nonEmpty, features, size := 0, 0, 0
	for _, tl := range tiles {
		layers := src.Tile(tl, MVTExtent, MVTBufferPx)
		b, err := EncodeMVT(layers, MVTExtent)
		if err != nil {
			t.Fatalf("tile %v: %v", tl, err)
		}
		if len(b) > 0 {
			nonEmpty++
		}
		for _, l := range layers {
			features += len(l.Features)
		}
		size += len(b)
	}
	cases := []struct {
		name      string
		got, want int
	}{
		{"tiles", len(tiles), 936},
		{"tiles with features", nonEmpty, 373},
		{"features", features, 373},
		{"bytes", size, 51413},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, c.got, c.want)
		}
	}
}
