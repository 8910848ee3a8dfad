#!/usr/bin/python3
"""Render realistic_tile.geojson with Mapnik in a style equivalent to
tiles.DefaultStyle, to compare per-tile times with BenchmarkRenderPNG.

Needs Debian's python3-mapnik (run with /usr/bin/python3):

    /usr/bin/python3 tiles/testdata/raster/mapnik_compare.py [-n 200] [-o DIR]
    /usr/bin/python3 tiles/testdata/raster/mapnik_compare.py --deepstate 3

The fixture is in pixels of a 256 px tile, y down; it is flipped to y up
and drawn with an identity projection, so Mapnik only renders and encodes,
as Frontline's RenderPNG does (neither reprojects: Source.Tile has already
cut the tile). Prints the median and mean time per tile of each variant,
for 'png' (Mapnik's default, 8-bit palette) and 'png32' (RGBA, as Frontline
writes), and writes one PNG of each to DIR when -o is given.
"""
import argparse
import json
import os
import statistics
import tempfile
import time

import mapnik

HERE = os.path.dirname(os.path.abspath(__file__))

# tiles.DefaultPalette(false)
SEA, NEIGHBOUR, NEIGHBOUR_EDGE = "#D4E4EE", "#E4E1D9", "#A39E93"
OBLAST, OBLAST_EDGE, EMPHASIS = "#FBFAF7", "#A7A298", "#3B3833"
RUSSIAN, RUSSIAN_LINE, RETURNED = "#D55E00", "#8F2D00", "#0072B2"
CURRENT, CITY, LABEL = "#1A1A1A", "#262626", "#1C1C1C"
EMPHASISED = ("UA-14", "UA-09", "UA-23", "UA-65")


def hatch_png(path, color, cross):
    """A 6 px (5 px cross) repeating hatch tile for PolygonPatternSymbolizer."""
    size = 5 if cross else 6
    im = mapnik.Image(size, size)
    c = mapnik.Color(color)
    for i in range(size):
        if cross:
            im.set_pixel(i, 0, c)
            im.set_pixel(0, i, c)
        else:
            im.set_pixel(i, size - 1 - i, c)
    im.save(path, "png32")


def poly(color, opacity=1.0):
    return '<PolygonSymbolizer fill="%s" fill-opacity="%s"/>' % (color, opacity)


def line(color, width, opacity=1.0):
    return ('<LineSymbolizer stroke="%s" stroke-width="%s" stroke-opacity="%s" '
            'stroke-linejoin="round" stroke-linecap="round"/>' % (color, width, opacity))


def pattern(path):
    return '<PolygonPatternSymbolizer file="%s"/>' % path


def city(size, radius, bold):
    face = "DejaVu Sans Bold" if bold else "DejaVu Sans Book"
    return ('<MarkersSymbolizer width="%s" height="%s" fill="%s" stroke="white" stroke-width="1" '
            'allow-overlap="true"/>' % (2 * radius, 2 * radius, CITY) +
            '<TextSymbolizer face-name="%s" size="%s" fill="%s" halo-fill="white" halo-radius="1.6" '
            'dx="%s" horizontal-alignment="right">[name_en]</TextSymbolizer>' % (face, size, LABEL, radius + 3))


def build(tmp, layers):
    with open(os.path.join(HERE, "realistic_tile.geojson")) as f:
        fc = json.load(f)

    def flip(c):
        if isinstance(c[0], (int, float)):
            return [c[0], -c[1]]
        return [flip(x) for x in c]

    per_layer = {}
    for ft in fc["features"]:
        ft["geometry"]["coordinates"] = flip(ft["geometry"]["coordinates"])
        per_layer.setdefault(ft["properties"]["layer"], []).append(ft)
    to_russia = os.path.join(tmp, "to_russia.png")
    to_ukraine = os.path.join(tmp, "to_ukraine.png")
    hatch_png(to_russia, RUSSIAN, False)
    hatch_png(to_ukraine, RETURNED, True)

    emph = " or ".join("[iso] = '%s'" % i for i in EMPHASISED)
    styles = {
        "background": [(None, poly(SEA))],
        "countries": [(None, poly(NEIGHBOUR) + line(NEIGHBOUR_EDGE, 0.9))],
        "oblasts": [(None, poly(OBLAST) + line(OBLAST_EDGE, 0.7))],
        "oblasts_emphasis": [(emph, line(EMPHASIS, 1.5))],
        "control": [(None, poly(RUSSIAN, 0.4))],
        "russia": [(None, poly(RUSSIAN, 0.2))],
        "to_russia": [(None, poly(RUSSIAN, 0.12) + pattern(to_russia))],
        "to_ukraine": [(None, poly(RETURNED, 0.12) + pattern(to_ukraine))],
        "line": [(None, line(RUSSIAN_LINE, 1.4))],
        "current_line": [(None, line(CURRENT, 0.85, 0.85))],
        "cities": [("[pop_class] = 1", city(13.5, 3.75, True)),
                   ("[pop_class] = 2", city(12, 3, True))],
    }
    order = list(layers)
    if "oblasts" in order:  # the emphasis is drawn over the overlay's fills
        order.insert(order.index("line") if "line" in order else order.index("cities"), "oblasts_emphasis")
    xml = ['<Map srs="+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs">']
    for name in order:
        src = name.replace("_emphasis", "")
        path = os.path.join(tmp, src + ".geojson")
        with open(path, "w") as f:
            json.dump({"type": "FeatureCollection", "features": per_layer.get(src, [])}, f)
        xml.append('<Style name="%s">' % name)
        for filt, syms in styles[name]:
            xml.append("<Rule>%s%s</Rule>" % (
                "<Filter>%s</Filter>" % filt.replace("'", "&apos;") if filt else "", syms))
        xml.append("</Style>")
        xml.append('<Layer name="%s" srs="+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs"><StyleName>%s</StyleName>'
                   '<Datasource><Parameter name="type">geojson</Parameter>'
                   '<Parameter name="file">%s</Parameter></Datasource></Layer>' % (name, name, path))
    xml.append("</Map>")
    m = mapnik.Map(256, 256)
    mapnik.load_map_from_string(m, "\n".join(xml))
    m.zoom_to_box(mapnik.Box2d(0, -256, 256, 0))
    return m


VARIANTS = {
    "combined": ["background", "countries", "oblasts", "russia", "to_russia", "to_ukraine",
                 "line", "current_line", "cities"],
    "control-overlay": ["control", "line"],
    "scenario-overlay": ["russia", "to_russia", "to_ukraine", "line", "current_line"],
    "base": ["background", "countries", "oblasts", "cities"],
}


MERC = ("+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 "
        "+units=m +nadgrids=@null +no_defs")
DEEPSTATE = os.path.join(HERE, "..", "..", "..", "..", "shared", "data", "deepstate",
                         "deepstatemap_data_20250815.geojson")


def deepstate(passes):
    """The issue's tile list (every tile z5-z10 over lon 31.5..40.3, lat
    44.3..50.1) from the DeepStateMap snapshot, as BenchmarkRenderPNGDeepstate
    renders it: control fill 40 % and a 1.5 px outline, 256 px PNG."""
    import math
    xml = ('<Map srs="%s"><Style name="control"><Rule>%s%s</Rule></Style>'
           '<Layer name="control" srs="+proj=longlat +datum=WGS84 +no_defs"><StyleName>control</StyleName>'
           '<Datasource><Parameter name="type">geojson</Parameter><Parameter name="file">%s</Parameter>'
           '</Datasource></Layer></Map>') % (MERC, poly(RUSSIAN, 0.4), line(RUSSIAN_LINE, 1.5), DEEPSTATE)
    m = mapnik.Map(256, 256)
    mapnik.load_map_from_string(m, xml)
    half = 20037508.342789244

    def tile(lon, lat, z):
        n = 2 ** z
        x = int((lon + 180) / 360 * n)
        s = math.sin(math.radians(lat))
        y = int((0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * n)
        return x, y

    tiles = []
    for z in range(5, 11):
        x0, y0 = tile(31.5, 50.1, z)
        x1, y1 = tile(40.3, 44.3, z)
        tiles += [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    times = []
    for _ in range(passes):
        for z, x, y in tiles:
            size = 2 * half / 2 ** z
            t0 = time.perf_counter()
            m.zoom_to_box(mapnik.Box2d(-half + x * size, half - (y + 1) * size,
                                       -half + (x + 1) * size, half - y * size))
            im = mapnik.Image(256, 256)
            mapnik.render(m, im)
            im.tostring("png32")
            times.append(time.perf_counter() - t0)
    print("deepstate %d tiles x %d: median %7.0f us  mean %7.0f us per tile" % (
        len(tiles), passes, statistics.median(times) * 1e6, statistics.mean(times) * 1e6))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("-o")
    ap.add_argument("--deepstate", type=int, metavar="PASSES",
                    help="render the issue's DeepState tile list PASSES times instead")
    args = ap.parse_args()
    if args.deepstate:
        deepstate(args.deepstate)
        return
    with tempfile.TemporaryDirectory() as tmp:
        for name, layers in VARIANTS.items():
            m = build(tmp, layers)
            for fmt in ("png", "png32"):
                times = []
                for _ in range(args.n):
                    t0 = time.perf_counter()
                    im = mapnik.Image(256, 256)
                    mapnik.render(m, im)
                    b = im.tostring(fmt)
                    times.append(time.perf_counter() - t0)
                print("%-17s %-6s median %7.0f us  mean %7.0f us  %6d bytes" % (
                    name, fmt, statistics.median(times) * 1e6, statistics.mean(times) * 1e6, len(b)))
                if args.o:
                    with open(os.path.join(args.o, "mapnik_%s_%s.png" % (name, fmt)), "wb") as f:
                        f.write(b)


if __name__ == "__main__":
    main()
