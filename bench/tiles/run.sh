#!/bin/sh
# make bench-tiles: Frontline against Mapnik (raster) and PostGIS (vector)
# on one tile list; see bench/tiles/README.md. Run from anywhere.
set -eu
cd "$(dirname "$0")/../.."
GO=${GO:-go}
PYTHON=${PYTHON:-/usr/bin/python3}
GEOJSON=${GEOJSON:-../shared/data/deepstate/deepstatemap_data_20250815.geojson}

if [ ! -f "$GEOJSON" ]; then
	echo "bench-tiles: SKIP: $GEOJSON is absent (the DeepStateMap daily file of 2025-08-15; set GEOJSON=PATH)"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

$GO build -o "$tmp/frontline-bench" ./bench/tiles/frontline
fl="$tmp/frontline-bench"
"$fl" -list >"$tmp/tiles.txt"
"$fl" -style >"$tmp/style.json"
echo "bench-tiles: $(wc -l <"$tmp/tiles.txt") tiles (z5-z10, lon 31.5..40.3, lat 44.3..50.1) from $GEOJSON"

echo "bench-tiles: Frontline png, mvt"
"$fl" -geojson "$GEOJSON" -format png >"$tmp/frontline-png.txt"
"$fl" -geojson "$GEOJSON" -format mvt >"$tmp/frontline-mvt.txt"

# Imported from / so that no mapnik.py in the current directory shadows the library.
if (cd / && "$PYTHON" -c 'import mapnik') 2>/dev/null; then
	echo "bench-tiles: Mapnik png"
	"$PYTHON" bench/tiles/mapnik.py "$GEOJSON" "$tmp/style.json" <"$tmp/tiles.txt" >"$tmp/mapnik-png.txt"
else
	echo "bench-tiles: SKIP Mapnik: $PYTHON cannot import mapnik (install Debian python3-mapnik)" |
		tee "$tmp/mapnik-png.txt.skip"
fi

if ! (cd / && "$PYTHON" -c 'import psycopg2') 2>/dev/null; then
	echo "$PYTHON cannot import psycopg2 (install Debian python3-psycopg2)" >"$tmp/postgis-mvt.txt.skip"
elif ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
	echo "no PostgreSQL server (install Debian postgresql and postgresql-15-postgis-3)" >"$tmp/postgis-mvt.txt.skip"
fi
if [ -f "$tmp/postgis-mvt.txt.skip" ]; then
	echo "bench-tiles: SKIP PostGIS: $(cat "$tmp/postgis-mvt.txt.skip")"
else
	echo "bench-tiles: PostGIS mvt (private cluster in a temporary directory)"
	"$PYTHON" bench/tiles/postgis.py "$GEOJSON" --subdivided "$tmp/postgis-sub-mvt.txt" \
		<"$tmp/tiles.txt" >"$tmp/postgis-mvt.txt"
fi

echo
"$PYTHON" bench/tiles/summary.py "$tmp"
