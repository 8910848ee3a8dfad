#!/usr/bin/python3
"""PostGIS side of `make bench-tiles`: makes every tile of the list on stdin
(z/x/y per line, from `frontline -list`) as an MVT with ST_AsMVT, the way
Martin and pg_tileserv do, and prints `z/x/y nanoseconds bytes` per tile.

    /usr/bin/python3 bench/tiles/postgis.py GEOJSON [--subdivided FILE] < tiles.txt

Needs Debian's postgresql, postgresql-15-postgis-3 (the PostGIS package for
the installed server) and python3-psycopg2. Starts a private cluster
(initdb + pg_ctl, as the postgres user when run as root) in a temporary
directory, listening only on a Unix socket there on port 54329 (PGBENCH_PORT),
and stops and removes it at the end. The file's polygons are loaded with
psycopg2 + ST_GeomFromGeoJSON into `control(geom geometry(MultiPolygon,
4326))` with a GiST index, then ANALYZEd.

Timed per tile from psycopg2, after an untimed warm-up pass: one EXECUTE of
one prepared statement (one round trip) and fetching the tile's bytes:

    SELECT ST_AsMVT(q, 'control', 4096, 'geom') FROM (
      SELECT ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope(z,x,y), 4096, 64, true) AS geom
      FROM control WHERE geom && ST_Transform(ST_TileEnvelope(z,x,y, margin => 64/4096.), 4326)) q

With --subdivided FILE, the same is also timed against a copy cut with
ST_Subdivide(geom, 256) (an optimisation a PostGIS user may apply to one
huge polygon) and written to FILE; it is reported for information only.
"""
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time

import psycopg2

BIN = "/usr/lib/postgresql/15/bin"
PORT = int(os.environ.get("PGBENCH_PORT", "54329"))

QUERY = """PREPARE tile(int, int, int) AS
SELECT ST_AsMVT(q, 'control', 4096, 'geom') FROM (
  SELECT ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
  FROM {table}
  WHERE geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)
) q"""


def find_bin():
    if os.path.exists(os.path.join(BIN, "initdb")):
        return BIN
    base = "/usr/lib/postgresql"
    if os.path.isdir(base):
        for v in sorted(os.listdir(base), key=lambda s: int(s) if s.isdigit() else 0, reverse=True):
            if os.path.exists(os.path.join(base, v, "bin", "initdb")):
                return os.path.join(base, v, "bin")
    sys.exit("postgis.py: no PostgreSQL server binaries (install Debian postgresql)")


class Cluster:
    def __init__(self):
        self.bin = find_bin()
        self.dir = tempfile.mkdtemp(prefix="frontline-bench-pg-")
        self.data = os.path.join(self.dir, "data")
        self.user = None
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.user = "postgres"
        self.started = False

    def run(self, *args):
        cmd = list(args)
        if self.user:
            cmd = ["runuser", "-u", self.user, "--"] + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self):
        self.run(os.path.join(self.bin, "initdb"), "-D", self.data, "-U", "bench", "-A", "trust", "-E", "UTF8")
        opts = "-c listen_addresses='' -c unix_socket_directories=%s -p %d -c fsync=off" % (self.dir, PORT)
        self.run(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-o", opts, "-w", "-l",
                 os.path.join(self.dir, "log"), "start")
        self.started = True

    def stop(self):
        try:
            if self.started:
                self.run(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def timed(cur, tiles):
    for z, x, y in tiles:  # warm-up
        cur.execute("EXECUTE tile(%s, %s, %s)", (z, x, y))
        cur.fetchone()
    out = []
    for z, x, y in tiles:
        t0 = time.perf_counter_ns()
        cur.execute("EXECUTE tile(%s, %s, %s)", (z, x, y))
        b = cur.fetchone()[0]
        ns = time.perf_counter_ns() - t0
        out.append("%d/%d/%d %d %d" % (z, x, y, ns, len(b) if b is not None else 0))
    return out


def main():
    args = sys.argv[1:]
    sub_out = None
    if "--subdivided" in args:
        i = args.index("--subdivided")
        sub_out = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        sys.exit("usage: postgis.py GEOJSON [--subdivided FILE] < tiles.txt")
    with open(args[0]) as f:
        fc = json.load(f)
    tiles = [tuple(int(v) for v in line.split()[0].split("/")) for line in sys.stdin if line.strip()]
    geoms = [json.dumps(ft["geometry"]) for ft in fc["features"]
             if ft.get("geometry") and ft["geometry"]["type"] in ("Polygon", "MultiPolygon")]

    pg = Cluster()
    try:
        try:
            pg.start()
        except subprocess.CalledProcessError as e:
            sys.exit("postgis.py: starting PostgreSQL failed: %s\n%s" % (e, e.stderr.decode(errors="replace")))
        conn = psycopg2.connect(host=pg.dir, port=PORT, user="bench", dbname="postgres")
        conn.autocommit = True
        cur = conn.cursor()
        try:
            cur.execute("CREATE EXTENSION postgis")
        except psycopg2.Error as e:
            sys.exit("postgis.py: CREATE EXTENSION postgis failed (install postgresql-15-postgis-3): %s" % e)
        cur.execute("CREATE TABLE control (id serial PRIMARY KEY, geom geometry(MultiPolygon, 4326) NOT NULL)")
        for g in geoms:
            cur.execute("INSERT INTO control (geom) VALUES (ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(%s), 4326)))", (g,))
        cur.execute("CREATE INDEX ON control USING gist (geom)")
        cur.execute("ANALYZE control")
        cur.execute(QUERY.format(table="control"))
        print("\n".join(timed(cur, tiles)))
        sys.stdout.flush()
        if sub_out:
            cur.execute("DEALLOCATE tile")
            cur.execute("CREATE TABLE control_sub AS SELECT id, ST_Subdivide(geom, 256)::geometry(Polygon, 4326) AS geom FROM control")
            cur.execute("CREATE INDEX ON control_sub USING gist (geom)")
            cur.execute("ANALYZE control_sub")
            cur.execute(QUERY.format(table="control_sub"))
            with open(sub_out, "w") as f:
                f.write("\n".join(timed(cur, tiles)) + "\n")
        conn.close()
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
