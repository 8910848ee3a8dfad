// Command tilelist prints the tile paths the HTTP benchmark requests: tiles
// of the control tileset (PNG and MVT) and the base tileset (PNG) that cover
// the four oblasts (Donetsk, Luhansk, Zaporizhzhia, Kherson) at z5..z10,
// found through a running Frontline server's /tiles.json, TileJSON documents
// and /api/boundaries. Zooms with many tiles are sampled evenly so the list
// stays at a few hundred paths.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"strings"
)

var oblasts = map[string]bool{"UA-14": true, "UA-09": true, "UA-23": true, "UA-65": true}

func main() {
	base := flag.String("base", "", "origin of the running Frontline server, e.g. http://127.0.0.1:8080")
	zmin := flag.Int("zmin", 5, "lowest zoom")
	zmax := flag.Int("zmax", 10, "highest zoom")
	perZoom := flag.Int("per-zoom", 30, "at most this many tiles per zoom and tileset (evenly sampled)")
	flag.Parse()
	if *base == "" {
		fail("-base is required")
	}
	origin := strings.TrimSuffix(*base, "/")

	var sets []struct{ ID, Format, URL string }
	getJSON(origin+"/tiles.json", &sets)
	want := []struct{ id, format string }{{"control", "png"}, {"control", "mvt"}, {"base", "png"}}
	var templates []string
	for _, w := range want {
		found := false
		for _, s := range sets {
			if s.ID == w.id && s.Format == w.format {
				var tj struct{ Tiles []string }
				getJSON(s.URL, &tj)
				if len(tj.Tiles) == 0 {
					fail("TileJSON " + s.URL + " has no tiles")
				}
				templates = append(templates, tj.Tiles[0])
				found = true
			}
		}
		if !found {
			fail(fmt.Sprintf("/tiles.json has no %s %s entry", w.id, w.format))
		}
	}

	var fc struct {
		Features []struct {
			Properties struct{ ISO string }
			Geometry   json.RawMessage
		}
	}
	getJSON(origin+"/api/boundaries?kind=admin1", &fc)
	var boxes [][4]float64 // minlon, minlat, maxlon, maxlat
	for _, f := range fc.Features {
		if oblasts[f.Properties.ISO] {
			boxes = append(boxes, bbox(f.Geometry))
		}
	}
	if len(boxes) != len(oblasts) {
		fail(fmt.Sprintf("found %d of the four oblasts in /api/boundaries", len(boxes)))
	}

	for z := *zmin; z <= *zmax; z++ {
		seen := map[[2]int]bool{}
		var tiles [][2]int
		for _, b := range boxes {
			x0, y0 := tileXY(z, b[0], b[3])
			x1, y1 := tileXY(z, b[2], b[1])
			for x := x0; x <= x1; x++ {
				for y := y0; y <= y1; y++ {
					if k := [2]int{x, y}; !seen[k] {
						seen[k] = true
						tiles = append(tiles, k)
					}
				}
			}
		}
		picked := tiles
		if len(tiles) > *perZoom {
			picked = nil
			for i := 0; i < *perZoom; i++ {
				picked = append(picked, tiles[i*len(tiles) / *perZoom])
			}
		}
		for _, tmpl := range templates {
			for _, t := range picked {
				u := strings.NewReplacer("{z}", fmt.Sprint(z), "{x}", fmt.Sprint(t[0]), "{y}", fmt.Sprint(t[1]), "{r}", "").Replace(tmpl)
				p, err := url.Parse(u)
				if err != nil {
					fail(err.Error())
				}
				fmt.Println(p.RequestURI())
			}
		}
	}
}

func tileXY(z int, lon, lat float64) (int, int) {
	n := math.Exp2(float64(z))
	x := int(math.Floor((lon + 180) / 360 * n))
	r := lat * math.Pi / 180
	y := int(math.Floor((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n))
	return x, y
}

// bbox returns the bounding box of a GeoJSON Polygon or MultiPolygon.
func bbox(raw json.RawMessage) [4]float64 {
	var g struct {
		Type        string
		Coordinates json.RawMessage
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		fail(err.Error())
	}
	var polys [][][][2]float64
	switch g.Type {
	case "Polygon":
		var p [][][2]float64
		must(json.Unmarshal(g.Coordinates, &p))
		polys = append(polys, p)
	case "MultiPolygon":
		must(json.Unmarshal(g.Coordinates, &polys))
	default:
		fail("unexpected geometry " + g.Type)
	}
	b := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range polys {
		for _, ring := range p {
			for _, pt := range ring {
				b[0], b[1] = math.Min(b[0], pt[0]), math.Min(b[1], pt[1])
				b[2], b[3] = math.Max(b[2], pt[0]), math.Max(b[3], pt[1])
			}
		}
	}
	return b
}

func getJSON(u string, v any) {
	resp, err := http.Get(u)
	if err != nil {
		fail(err.Error())
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fail(fmt.Sprintf("GET %s: %s", u, resp.Status))
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		fail(fmt.Sprintf("GET %s: %v", u, err))
	}
}

func must(err error) {
	if err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "tilelist:", msg)
	os.Exit(1)
}
