#!/usr/bin/env python3
"""Expected areas for geo/area_test.go, from pyproj (GeographicLib's PolygonArea).

Run from the repository root (Debian: apt-get install python3-pyproj python3-mpmath):

    python3 geo/testdata/area/oracle.py

It prints, as Go table rows, the area in km2 of
  - each feature of geo/testdata/area/cases.geojson,
  - each unit of data/boundaries/ukraine.geojson, and of all of them together,
  - the first feature of deepstatemap_data_20250815.geojson, when present in
    $FRONTLINE_DEEPSTATE or ../shared/data/deepstate (that file is not part of
    the repository; only the resulting number is pinned in the test),
  - the 10 m square from an independent 40-digit computation (mpmath), since
    pyproj itself is only good to about 1e-7 relative on a 100 m2 polygon.

Each ring's area is taken unsigned, and a polygon's area is its outer ring's
minus its holes', which is what geo.AreaKm2 computes.
The values in area_test.go came from pyproj 3.4.1 (PROJ 9.1.1) and mpmath 1.2.1.
"""
import json
import os
import sys

from pyproj import Geod

GEOD = Geod(ellps="WGS84")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))


def ring_m2(ring):
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    area, _ = GEOD.polygon_area_perimeter(lons, lats)
    return abs(area)


def polygons(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    raise ValueError("not areal: " + geometry["type"])


def area_km2(geometry):
    total = 0.0
    for poly in polygons(geometry):
        if not poly:
            continue
        total += ring_m2(poly[0]) - sum(ring_m2(h) for h in poly[1:])
    return total / 1e6


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def authalic_km2_mpmath(ring):
    """Area of a small ring on the WGS84 ellipsoid to ~1e-12 relative: exact
    spherical excess on the authalic sphere (equal-area, so areas carry over)
    plus the first-order difference between geodesics and the authalic great
    circles, which is below 1e-10 m2 for 10 m edges anyway."""
    import mpmath as mp

    mp.mp.dps = 40
    a = mp.mpf(6378137)
    f = 1 / mp.mpf("298.257223563")
    e2 = f * (2 - f)
    e = mp.sqrt(e2)

    def q(phi):
        s = mp.sin(phi)
        return (1 - e2) * (s / (1 - e2 * s * s) + mp.atanh(e * s) / e)

    qp = q(mp.pi / 2)
    r2 = a * a * qp / 2
    total = mp.mpf(0)
    for (lon1, lat1), (lon2, lat2) in zip(ring, ring[1:]):
        b1 = mp.asin(q(mp.radians(mp.mpf(lat1))) / qp)
        b2 = mp.asin(q(mp.radians(mp.mpf(lat2))) / qp)
        dl = mp.radians(mp.mpf(lon2) - mp.mpf(lon1))
        t1, t2 = mp.tan(b1 / 2), mp.tan(b2 / 2)
        ex = 2 * mp.atan(mp.tan(dl / 2) * (t1 + t2) / (1 + t1 * t2))
        bm = (b1 + b2) / 2
        ex += e2 / 24 * mp.sin(2 * bm) * mp.cos(bm) * dl * ((b2 - b1) ** 2 + (mp.cos(bm) * dl) ** 2)
        total += ex
    return abs(total * r2) / 1e6


def main():
    cases = load(os.path.join(HERE, "cases.geojson"))
    print("// geo/testdata/area/cases.geojson")
    for feat in cases["features"]:
        print('{"%s", %r},' % (feat["properties"]["name"], area_km2(feat["geometry"])))

    try:
        square = next(f for f in cases["features"] if f["properties"]["name"] == "10 m square at 48N")
        print("// 10 m square, mpmath: %r" % float(authalic_km2_mpmath(square["geometry"]["coordinates"][0])))
    except ImportError:
        print("// mpmath not installed: no reference for the 10 m square", file=sys.stderr)

    units = load(os.path.join(ROOT, "data", "boundaries", "ukraine.geojson"))
    print("// data/boundaries/ukraine.geojson")
    total = 0.0
    for feat in units["features"]:
        a = area_km2(feat["geometry"])
        total += a
        print('{"%s", "%s", %r},' % (feat["properties"]["iso"], feat["properties"]["name_en"], a))
    print("// all %d units: %r" % (len(units["features"]), total))

    ds_dir = os.environ.get("FRONTLINE_DEEPSTATE") or os.path.join(ROOT, "..", "shared", "data", "deepstate")
    ds = os.path.join(ds_dir, "deepstatemap_data_20250815.geojson")
    if os.path.exists(ds):
        feat = load(ds)["features"][0]
        print("// deepstatemap_data_20250815.geojson, first feature: %r" % area_km2(feat["geometry"]))
    else:
        print("// %s absent" % ds, file=sys.stderr)


if __name__ == "__main__":
    main()
