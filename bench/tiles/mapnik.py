#!/usr/bin/python3
"""Mapnik side of `make bench-tiles`: renders every tile of the list on
stdin (z/x/y per line, from `frontline -list`) as a 256 px PNG of the
DeepStateMap control area, and prints `z/x/y nanoseconds bytes` per tile.

    /usr/bin/python3 bench/tiles/mapnik.py GEOJSON STYLE.json < tiles.txt

Needs Debian's python3-mapnik. STYLE.json is `frontline -style`: fill colour
and opacity, stroke colour and opacity, stroke width per zoom (one Map per
zoom, since the width follows tiles.DefaultStyle's zoom ramp). The data is
the file's polygons, projected to Web Mercator once in Python (as Frontline
projects once, in NewSource; MAPNIK_LONLAT=1 keeps lon/lat and lets Mapnik
reproject per tile, about twice as slow) and written to a temporary GeoJSON
(outside the repo) read by Mapnik's geojson datasource, which holds it in
memory with its own spatial index. Timed per tile, after an untimed warm-up
pass: zoom_to_box, mapnik.render into a new 256x256 image and the PNG encode
('png32', RGBA, as Frontline writes). MAPNIK_OUT=DIR also writes the tiles.
Adapted from tiles/testdata/raster/mapnik_compare.py.
"""
import json
import math
import os
import sys
import tempfile
import time

# This file is named mapnik.py: drop its own directory from the path so that
# the import below finds the library, not this script.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]
import mapnik  # noqa: E402

MERC = ("+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 "
        "+units=m +nadgrids=@null +no_defs")
HALF = 20037508.342789244
LAYER_SRS = "+proj=longlat +datum=WGS84 +no_defs" if os.environ.get("MAPNIK_LONLAT") == "1" else MERC


def merc(c):
    """lon/lat to Web Mercator metres, recursively over GeoJSON coordinates."""
    if isinstance(c[0], (int, float)):
        lat = max(-85.0511287798, min(85.0511287798, c[1]))
        return [c[0] * HALF / 180, math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * HALF / math.pi]
    return [merc(x) for x in c]


def build(path, st, z):
    sym = ('<PolygonSymbolizer fill="%s" fill-opacity="%r"/>'
           '<LineSymbolizer stroke="%s" stroke-width="%r" stroke-opacity="%r" '
           'stroke-linejoin="round" stroke-linecap="round"/>') % (
        st["fill"], st["fill_opacity"], st["stroke"], st["stroke_width"][str(z)], st["stroke_opacity"])
    xml = ('<Map srs="%s"><Style name="control"><Rule>%s</Rule></Style>'
           '<Layer name="control" srs="%s"><StyleName>control</StyleName>'
           '<Datasource><Parameter name="type">geojson</Parameter><Parameter name="file">%s</Parameter>'
           '</Datasource></Layer></Map>') % (MERC, sym, LAYER_SRS, path)
    m = mapnik.Map(256, 256)
    mapnik.load_map_from_string(m, xml)
    return m


def render(m, z, x, y):
    size = 2 * HALF / 2 ** z
    m.zoom_to_box(mapnik.Box2d(-HALF + x * size, HALF - (y + 1) * size,
                               -HALF + (x + 1) * size, HALF - y * size))
    im = mapnik.Image(256, 256)
    mapnik.render(m, im)
    return im.tostring("png32")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: mapnik.py GEOJSON STYLE.json < tiles.txt")
    with open(sys.argv[2]) as f:
        st = json.load(f)
    with open(sys.argv[1]) as f:
        fc = json.load(f)
    tiles = [tuple(int(v) for v in line.split()[0].split("/")) for line in sys.stdin if line.strip()]
    feats = [ft for ft in fc["features"]
             if ft.get("geometry") and ft["geometry"]["type"] in ("Polygon", "MultiPolygon")]
    if os.environ.get("MAPNIK_LONLAT") != "1":
        for ft in feats:
            ft["geometry"]["coordinates"] = merc(ft["geometry"]["coordinates"])
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "control.geojson")
        with open(path, "w") as f:
            json.dump({"type": "FeatureCollection", "features": feats}, f)
        maps = {z: build(path, st, z) for z in sorted({t[0] for t in tiles})}
        for z, x, y in tiles:  # warm-up: loads and indexes the datasource
            render(maps[z], z, x, y)
        out = []
        for z, x, y in tiles:
            t0 = time.perf_counter_ns()
            b = render(maps[z], z, x, y)
            out.append("%d/%d/%d %d %d" % (z, x, y, time.perf_counter_ns() - t0, len(b)))
            if os.environ.get("MAPNIK_OUT"):  # for eyeballing; not timed
                with open(os.path.join(os.environ["MAPNIK_OUT"], "%d_%d_%d.png" % (z, x, y)), "wb") as f:
                    f.write(b)
    print("\n".join(out))


if __name__ == "__main__":
    main()
