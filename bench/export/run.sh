#!/bin/sh
# make bench-export: frontline export of every tileset, z0-z10 over the four
# oblasts, against ogr2ogr -f MVT; see bench/export/README.md. Run from anywhere.
set -eu
cd "$(dirname "$0")/../.."
GO=${GO:-go}
PYTHON=${PYTHON:-/usr/bin/python3}
SHARED=${SHARED:-../shared/data/deepstate}
LINE="$SHARED/deepstatemap_data_20250815.geojson"
FROM="$SHARED/deepstatemap_data_20250801.geojson"

if [ ! -f "$LINE" ]; then
	echo "bench-export: SKIP: $LINE is absent (the DeepStateMap daily file of 2025-08-15; set SHARED=DIR)"
	exit 0
fi
[ -f "$FROM" ] || { echo "bench-export: $FROM is absent: no diff tileset"; FROM=""; }
if ! command -v ogr2ogr >/dev/null 2>&1; then
	echo "bench-export: ogr2ogr not found: install the Debian package gdal-bin" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
$GO build -o "$tmp/frontline" ./cmd/frontline
"$PYTHON" bench/export/bench.py "$tmp/frontline" "$tmp" "$LINE" "$FROM"
