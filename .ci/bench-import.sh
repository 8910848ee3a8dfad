#!/bin/sh
# Times importing every daily line of the shared test data into a new database
# and reports wall time, peak memory (max RSS) and database size.
# Usage: sh .ci/bench-import.sh BIN DIR
set -eu
bin=$1
dir=$2
if [ ! -d "$dir" ]; then
	echo "bench-import: skipped, $dir not found (the shared test data lives outside the repository)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=$(ls "$dir"/*.geojson | wc -l)
start=$(date +%s.%N)
/usr/bin/env time -f '%M' -o "$tmp/rss" "$bin" import control "$dir" --source DeepStateMap --db "$tmp/bench.db" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
end=$(date +%s.%N)
rss=$(cat "$tmp/rss")
size=$(du -k "$tmp/bench.db" | cut -f1)
wal=$(du -k "$tmp/bench.db-wal" 2>/dev/null | cut -f1 || echo 0)
echo "import of $n files: $(awk "BEGIN{printf \"%.1f\", $end - $start}") s wall, peak RSS $((rss / 1024)) MiB, database $((size / 1024)) MiB (+ WAL $((${wal:-0} / 1024)) MiB)"
