#!/usr/bin/env python3
"""Export time and archive size of every tileset, z0-z10 over the four oblasts,
against ogr2ogr -f MVT building the same vector pyramid. See README.md."""

import json
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

FOUR_OBLASTS = ("UA-14", "UA-09", "UA-23", "UA-65")
MAXZOOM = int(os.environ.get("MAXZOOM", "10"))
REPEAT = int(os.environ.get("REPEAT", "3"))
TARGET = 3.0  # Frontline's vector export at least this many times faster


def timed(cmd, **kw):
    """Runs cmd; returns (wall seconds, CPU seconds of the child, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"bench-export: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, p.stdout


def median_run(cmd, before=None):
    """Median wall and CPU seconds of REPEAT runs, and the last stdout."""
    walls, cpus, out = [], [], ""
    for _ in range(REPEAT):
        if before:
            before()
        w, c, out = timed(cmd)
        walls.append(w)
        cpus.append(c)
    return statistics.median(walls), statistics.median(cpus), out


def fetch(base, path):
    with urllib.request.urlopen(base + path, timeout=120) as r:
        return r.read()


def start_server(fl, db):
    p = subprocess.Popen([fl, "serve", "--db", db, "--addr", "127.0.0.1:0"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline()
    m = re.match(r"frontline: serving (http://\S+?)/?$", line.strip())
    if not m:
        p.kill()
        sys.exit(f"bench-export: serve did not start: {line!r}")
    return p, m.group(1)


def tile_aligned(b, z):
    """The bounds b (lon/lat) grown to the edges of the zoom-z tiles they meet."""
    n = 2 ** z

    def tx(lon):
        return (lon + 180) / 360 * n

    def ty(lat):
        r = math.radians(lat)
        return (1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n

    def lon(x):
        return x / n * 360 - 180

    def lat(y):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))

    x0, x1 = math.floor(tx(b[0])), math.floor(tx(b[2])) + 1
    y0, y1 = math.floor(ty(b[3])), math.floor(ty(b[1])) + 1
    return [lon(x0), lat(y1), lon(x1), lat(y0)]


def dir_stats(d):
    n = size = 0
    for root, _, files in os.walk(d):
        for f in files:
            if f.endswith(".pbf"):
                n += 1
                size += os.path.getsize(os.path.join(root, f))
    return n, size


def human(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def main():
    fl, tmp, line15, line_from = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    db = os.path.join(tmp, "bench.db")
    files = [line15] + ([line_from] if line_from else [])
    timed([fl, "import", "control", "--db", db, "--source", "DeepStateMap"] + files)
    date = "2025-08-15"
    date_from = re.search(r"(\d{4})(\d\d)(\d\d)", os.path.basename(line_from)) if line_from else None
    date_from = "-".join(date_from.groups()) if date_from else ""

    # GeoJSON of every layer, from the API of the same database; this also
    # derives (and caches in the database) every layer before any timing.
    srv, base = start_server(fl, db)
    gj = os.path.join(tmp, "geojson")
    try:
        scenarios = sorted(s["id"] for s in json.loads(fetch(base, "/api/scenarios"))["scenarios"])
        layers = {
            "base": {"countries": "/api/boundaries?kind=country", "oblasts": "/api/boundaries?kind=admin1",
                     "cities": None},
            "control": {"control": f"/api/scenarios/current/layers/control.geojson?date={date}",
                        "line": f"/api/scenarios/current/layers/line.geojson?date={date}"},
        }
        if date_from:
            layers["diff"] = {l: f"/api/change/layers/{l}.geojson?from={date_from}&to={date}" for l in ("gained", "lost")}
        for s in scenarios:
            layers["scenario-" + s] = {
                l: f"/api/scenarios/{s}/layers/{l}.geojson?date={date}" for l in ("russia", "to_russia", "to_ukraine", "line")}
            layers["scenario-" + s]["current_line"] = f"/api/scenarios/current/layers/line.geojson?date={date}"
        for ts, ls in layers.items():
            os.makedirs(os.path.join(gj, ts), exist_ok=True)
            for name, path in ls.items():
                dst = os.path.join(gj, ts, name + ".geojson")
                if path is None:  # cities are not in the API: the file the binary embeds
                    shutil.copy("data/cities.geojson", dst)
                else:
                    with open(dst, "wb") as f:
                        f.write(fetch(base, path))
        fc = json.loads(fetch(base, "/api/boundaries?kind=admin1"))
    finally:
        srv.terminate()
        srv.wait()
    bb = None
    for f in fc["features"]:
        if f["properties"]["iso"] in FOUR_OBLASTS:
            pts = []

            def walk(c):
                if isinstance(c[0], (int, float)):
                    pts.append(c)
                else:
                    for x in c:
                        walk(x)
            walk(f["geometry"]["coordinates"])
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            b = [min(xs), min(ys), max(xs), max(ys)]
            bb = b if bb is None else [min(bb[0], b[0]), min(bb[1], b[1]), max(bb[2], b[2]), max(bb[3], b[3])]
    clip = tile_aligned(bb, MAXZOOM)
    print(f"bench-export: z0-{MAXZOOM}, four oblasts {', '.join(f'{v:.4f}' for v in bb)}; "
          f"line {date}{' (diff from ' + date_from + ')' if date_from else ''}; "
          f"median of {REPEAT} runs; {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")

    out = os.path.join(tmp, "out")
    os.makedirs(out)
    rows = []
    for ts in layers:
        extra = ["--from", date_from, "--to", date] if ts == "diff" else (["--date", date] if ts != "base" else [])
        for fmt in ("png", "mvt"):
            dst = os.path.join(out, f"{ts}-{fmt}.pmtiles")
            cmd = [fl, "export", "--db", db, "--tileset", ts, "--tiles", fmt, "--maxzoom", str(MAXZOOM), "-o", dst] + extra
            wall, cpu, stdout = median_run(cmd)
            m = re.search(r", (\d+) tiles? \((\d+) distinct\), (\d+) tiles? left out", stdout)
            row = {"tileset": ts, "fmt": fmt, "wall": wall, "cpu": cpu, "tiles": int(m.group(1)),
                   "empty": int(m.group(3)), "size": os.path.getsize(dst)}
            if fmt == "mvt":
                vrt = os.path.join(tmp, ts + ".vrt")
                with open(vrt, "w") as f:
                    f.write("<OGRVRTDataSource>\n")
                    for name in layers[ts]:
                        src = os.path.join(gj, ts, name + ".geojson")
                        f.write(f'  <OGRVRTLayer name="{name}"><SrcDataSource>{src}</SrcDataSource></OGRVRTLayer>\n')
                    f.write("</OGRVRTDataSource>\n")
                mvt = os.path.join(out, ts + "-ogr")
                ogr = ["ogr2ogr", "-q", "-f", "MVT", mvt, vrt,
                       "-dsco", "MINZOOM=0", "-dsco", f"MAXZOOM={MAXZOOM}", "-dsco", "EXTENT=4096",
                       "-dsco", "BUFFER=64", "-dsco", "SIMPLIFICATION=2",
                       "-clipsrc"] + [f"{v:.7f}" for v in clip]
                gw, gc, _ = median_run(ogr, before=lambda: shutil.rmtree(mvt, ignore_errors=True))
                n, size = dir_stats(mvt)
                row.update(ogr_wall=gw, ogr_cpu=gc, ogr_tiles=n, ogr_size=size)
            rows.append(row)

    print()
    print(f"{'tileset':<26} {'tiles':>5} {'frontline':>10} {'cpu':>6} {'size':>10} | {'ogr2ogr':>8} {'cpu':>6} {'tiles':>5} {'size':>10} | {'ratio':>6} {'cpu':>6}")
    fw = gw = fc_ = gc_ = 0.0
    for r in rows:
        s = f"{r['tileset'] + ' ' + r['fmt']:<26} {r['tiles']:>5} {r['wall']:>8.2f} s {r['cpu']:>6.2f} {human(r['size']):>10}"
        if "ogr_wall" in r:
            s += (f" | {r['ogr_wall']:>6.2f} s {r['ogr_cpu']:>6.2f} {r['ogr_tiles']:>5} {human(r['ogr_size']):>10}"
                  f" | {r['ogr_wall'] / r['wall']:>5.1f}x {r['ogr_cpu'] / max(r['cpu'], 1e-9):>5.1f}x")
            fw, gw, fc_, gc_ = fw + r["wall"], gw + r["ogr_wall"], fc_ + r["cpu"], gc_ + r["ogr_cpu"]
        print(s)
    ratio = gw / fw
    print(f"\nvector, all tilesets: Frontline {fw:.2f} s ({fc_:.2f} s CPU), ogr2ogr {gw:.2f} s ({gc_:.2f} s CPU): "
          f"{ratio:.1f}x wall, {gc_ / fc_:.1f}x CPU; target {TARGET:.0f}x wall: {'PASS' if ratio >= TARGET else 'MISS'}")


if __name__ == "__main__":
    main()
