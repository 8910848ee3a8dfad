#!/bin/sh
# Installs the viewer's npm packages from the committed lock file and copies the
# Leaflet distribution files that static/embed.go embeds into static/vendor/leaflet/.
# Run from anywhere: sh static/build.sh (the Makefile calls it before go build).
set -eu

cd "$(dirname "$0")"

# npm ci only when node_modules is missing or older than the lock file
# (npm writes node_modules/.package-lock.json on every install).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund
fi

src=node_modules/leaflet/dist
dst=vendor/leaflet
rm -rf "$dst"
mkdir -p "$dst/images"
cp "$src/leaflet.js" "$src/leaflet.css" "$dst/"
cp node_modules/leaflet/LICENSE "$dst/LICENSE"
cp "$src"/images/*.png "$dst/images/"
