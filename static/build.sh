#!/bin/sh
# Installs the viewer's npm packages from the committed lock file and copies the
# browser files that static/embed.go embeds into static/vendor/ (gitignored):
# Leaflet, leaflet-side-by-side (swipe compare), leaflet.sync (twin maps) and
# pmtiles (static hosting mode). Run from anywhere: sh static/build.sh (the
# Makefile calls it before go build).
set -eu

cd "$(dirname "$0")"

# npm ci only when node_modules is missing or older than the lock file
# (npm writes node_modules/.package-lock.json on every install).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund
fi

# Everything under vendor/ is this script's output (the glob leaves vendor/.gitkeep).
rm -rf vendor/*

src=node_modules/leaflet/dist
dst=vendor/leaflet
mkdir -p "$dst/images"
cp "$src/leaflet.js" "$src/leaflet.css" "$dst/"
cp node_modules/leaflet/LICENSE "$dst/LICENSE"
cp "$src"/images/*.png "$dst/images/"

# leaflet-side-by-side ships only its CommonJS source (require('leaflet') and two
# CSS requires, meant for browserify); a function wrapper hands it the global L.
src=node_modules/leaflet-side-by-side
dst=vendor/leaflet-side-by-side
mkdir -p "$dst"
{
	printf '/* leaflet-side-by-side %s (MIT), wrapped for the global L by static/build.sh */\n' \
		"$(node -p "require('./$src/package.json').version")"
	printf '(function (L) {\nvar module = { exports: {} };\nvar require = function (name) { return name === "leaflet" ? L : {}; };\n'
	cat "$src/index.js"
	printf '\n})(window.L);\n'
} > "$dst/leaflet-side-by-side.js"
cat "$src/layout.css" "$src/range.css" > "$dst/leaflet-side-by-side.css"
cp "$src/range-icon.png" "$src/LICENSE" "$dst/"

mkdir -p vendor/leaflet.sync
cp node_modules/leaflet.sync/L.Map.Sync.js node_modules/leaflet.sync/LICENSE vendor/leaflet.sync/

mkdir -p vendor/pmtiles
cp node_modules/pmtiles/dist/pmtiles.js vendor/pmtiles/
