#!/usr/bin/python3
"""Summary table of `make bench-tiles` (see README.md): reads the per-tile
files (`z/x/y nanoseconds bytes`) that run.sh wrote to DIR and prints
median, mean and p90 per tile, then the ratio of medians against each
target with PASS or MISS (decided on the unrounded ratio).

    python3 bench/tiles/summary.py DIR
"""
import os
import statistics
import sys

ROWS = [
    ("frontline-png", "raster  Frontline Source.Tile+RenderPNG"),
    ("mapnik-png", "raster  Mapnik render+png32"),
    ("frontline-mvt", "vector  Frontline Source.Tile+EncodeMVT"),
    ("postgis-mvt", "vector  PostGIS ST_AsMVT (1 round trip)"),
    ("postgis-sub-mvt", "vector  PostGIS, ST_Subdivide 256 (info)"),
]
TARGETS = [
    ("raster: Frontline / Mapnik median", "frontline-png", "mapnik-png", 1 / 3, "1/3"),
    ("vector: Frontline / PostGIS median", "frontline-mvt", "postgis-mvt", 1 / 2, "1/2"),
]


def read(path):
    rows = []
    with open(path) as f:
        for line in f:
            if line.strip():
                t, ns, size = line.split()
                rows.append((t, int(ns), int(size)))
    return rows


def main():
    d = sys.argv[1]
    tiles = [l.strip() for l in open(os.path.join(d, "tiles.txt")) if l.strip()]
    data, skipped = {}, {}
    for key, _ in ROWS:
        p = os.path.join(d, key + ".txt")
        if os.path.exists(p) and os.path.getsize(p) > 0:
            rows = read(p)
            if [r[0] for r in rows] != tiles:
                sys.exit("summary: %s does not hold the tile list of tiles.txt" % p)
            data[key] = rows
        elif os.path.exists(p + ".skip"):
            skipped[key] = open(p + ".skip").read().strip()
    med = {}
    print("%-42s %6s %11s %11s %11s %11s %7s" % (
        "per tile (timed pass after a warm-up pass)", "tiles", "median us", "mean us", "p90 us", "mean bytes", "empty"))
    for key, label in ROWS:
        if key in data:
            ns = sorted(r[1] for r in data[key])
            med[key] = statistics.median(ns)
            print("%-42s %6d %11.1f %11.1f %11.1f %11.0f %7d" % (
                label, len(ns), med[key] / 1e3, statistics.mean(ns) / 1e3, ns[int(0.9 * (len(ns) - 1))] / 1e3,
                statistics.mean(r[2] for r in data[key]), sum(1 for r in data[key] if r[2] == 0)))
        elif key in skipped:
            print("%-42s SKIP: %s" % (label, skipped[key]))
    print()
    print("%-36s %12s %8s  %s" % ("target", "ratio", "target", "result"))
    missed = False
    for label, a, b, target, tlabel in TARGETS:
        if a in med and b in med:
            r = med[a] / med[b]
            ok = r <= target
            missed |= not ok
            print("%-36s %12.6f %8s  %s (%.1fx faster)" % (label, r, "<= " + tlabel, "PASS" if ok else "MISS", med[b] / med[a]))
        else:
            print("%-36s %12s %8s  SKIP (no data: see above)" % (label, "-", "<= " + tlabel))
    print("(empty: tiles of 0 bytes, MVT only; the PNG rows encode empty tiles too)")

    # Most tiles of the list hold no data; the same medians over the tiles
    # that do (non-empty Frontline MVT), for information only.
    if "frontline-mvt" in data:
        keep = {r[0] for r in data["frontline-mvt"] if r[2] > 0}
        print()
        print("information only: the %d tiles with data (non-empty Frontline MVT)" % len(keep))
        m2 = {}
        for key, label in ROWS:
            if key in data:
                ns = sorted(r[1] for r in data[key] if r[0] in keep)
                if ns:
                    m2[key] = statistics.median(ns)
                    print("%-42s %6d %11.1f %11.1f %11.1f" % (label, len(ns), m2[key] / 1e3,
                          statistics.mean(ns) / 1e3, ns[int(0.9 * (len(ns) - 1))] / 1e3))
        for label, a, b, target, tlabel in TARGETS:
            if a in m2 and b in m2:
                r = m2[a] / m2[b]
                print("%-36s %12.6f %8s  %s" % (label, r, "<= " + tlabel, "would pass" if r <= target else "would miss"))


if __name__ == "__main__":
    main()
