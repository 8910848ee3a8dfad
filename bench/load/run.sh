#!/bin/sh
# Load test (make loadtest): a real server on 127.0.0.1 under wrk.
#   phase 1: DURATION of mixed valid requests (cached tiles, TileJSON, API)
#            while imports run in a loop -> no socket errors, no 4xx or 5xx;
#   phase 2: DURATION of random malformed paths -> only 4xx; then /healthz 200.
# Peak RSS (VmHWM) of the server must stay under RSS_MB. Exits 3 on a miss.
# Usage: sh bench/load/run.sh (from the repository root). Needs wrk and curl.
# Environment: DURATION (30s), THREADS (2), CONNS (32), RSS_MB (512),
#   SHARED (../shared/data/deepstate), LINES (20 copies imported per round),
#   PAUSE (2 s between import rounds), TIMEOUT (10 s: wrk's per-request limit).
set -eu
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-30s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-32}
RSS_MB=${RSS_MB:-512}
SHARED=${SHARED:-../shared/data/deepstate}
LINES=${LINES:-20}
PAUSE=${PAUSE:-2}
TIMEOUT=${TIMEOUT:-10s}
HERE=bench/load

command -v wrk >/dev/null || { echo "loadtest: wrk not found (Debian: apt-get install wrk)" >&2; exit 1; }
command -v curl >/dev/null || { echo "loadtest: curl not found" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/frontline-load.XXXXXX")
FL_PID= IMP_PID=
cleanup() {
	[ -n "$IMP_PID" ] && kill "$IMP_PID" 2>/dev/null && wait "$IMP_PID" 2>/dev/null || true
	[ -n "$FL_PID" ] && kill "$FL_PID" 2>/dev/null && wait "$FL_PID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

echo "== build"
go build -o bin/frontline ./cmd/frontline
go build -o "$TMP/tilelist" ./bench/http/tilelist

# The lines imported during phase 1: copies of one real line if the shared
# data is there, else of the shipped demonstration line, one per date.
LINE=$SHARED/deepstatemap_data_20250815.geojson
[ -f "$LINE" ] || LINE=data/control/2025-08-15.geojson
mkdir "$TMP/lines"
i=1
while [ $i -le "$LINES" ]; do
	cp "$LINE" "$TMP/lines/2030-01-$(printf %02d $i).geojson"
	i=$((i + 1))
done
echo "import source: $LINES copies of $LINE"

bin/frontline serve --db "$TMP/load.db" --addr 127.0.0.1:0 >"$TMP/serve.out" 2>"$TMP/serve.log" &
FL_PID=$!
n=0 FL=
while [ $n -lt 300 ] && [ -z "$FL" ]; do
	FL=$(sed -n 's|^frontline: serving \(http://[^/]*\)/.*|\1|p' "$TMP/serve.out" | head -n1)
	n=$((n + 1)); sleep 0.1
done
[ -n "$FL" ] || { echo "server did not start" >&2; cat "$TMP/serve.log" >&2; exit 1; }
echo "server $FL (pid $FL_PID)"

echo "== request list"
"$TMP/tilelist" -base "$FL" -per-zoom 10 >"$TMP/tiles.txt"
# Warm the tiles once: a tile URL pins a revision and stays answerable from
# memory after imports move the revision on.
while IFS= read -r p; do
	code=$(curl -sS -o /dev/null -w '%{http_code}' "$FL$p")
	[ "$code" = 200 ] || { echo "GET $p: HTTP $code" >&2; exit 1; }
done <"$TMP/tiles.txt"
{
	cat "$TMP/tiles.txt"
	for p in /tiles.json "/tiles/control.json?format=png" "/tiles/control.json?format=mvt&date=2025-08-15" "/tiles/base.json" \
		"/tiles/scenario-alaska-2025.json?date=2025-08-15" /api/dates "/api/control?date=2025-08-15" \
		"/api/control?date=2025-08-15&bbox=37,48,38,49" "/api/boundaries?kind=admin1" /api/scenarios \
		"/api/scenarios/alaska-2025?date=2025-08-15" "/api/scenarios/four-oblasts.csv?date=2025-08-15" /healthz /; do
		# 20 slots for each of these 14 paths, one for each tile: with 144 tiles,
		# 280 of 424 picks (about two in three) are API and TileJSON requests
		k=0; while [ $k -lt 20 ]; do echo "$p"; k=$((k + 1)); done
	done
} >"$TMP/mixed.txt"
for p in $(sort -u "$TMP/mixed.txt" | grep -v '^/tiles/[^/]*/'); do
	code=$(curl -sS -o /dev/null -w '%{http_code}' "$FL$p")
	[ "$code" = 200 ] || { echo "GET $p: HTTP $code" >&2; exit 1; }
done
echo "$(wc -l <"$TMP/tiles.txt") tile paths, $(sort -u "$TMP/mixed.txt" | grep -vc '^/tiles/[^/]*/') API and TileJSON paths"

rss() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$FL_PID/status"; }
# result KEY LINE: the value of KEY= in a RESULT line
result() { echo "$2" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

echo "== phase 1: $DURATION mixed valid requests while importing ($THREADS threads, $CONNS connections)"
(
	r=0
	while :; do
		bin/frontline import control "$TMP/lines" --source "load test" --replace --db "$TMP/load.db" >/dev/null 2>"$TMP/import.last" ||
			{ cp "$TMP/import.last" "$TMP/import.err"; exit 1; }
		r=$((r + 1)); echo $r >"$TMP/imports"
		sleep "$PAUSE"
	done
) &
IMP_PID=$!
out1=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout "$TIMEOUT" --latency -s $HERE/mixed.lua "$FL" -- "$TMP/mixed.txt")
kill $IMP_PID 2>/dev/null; wait $IMP_PID 2>/dev/null || true
IMP_PID=
rounds=$(cat "$TMP/imports" 2>/dev/null || echo 0)
r1=$(echo "$out1" | grep '^RESULT')
rss1=$(rss)
echo "$r1"
echo "imports completed during phase 1: $rounds rounds of $LINES lines; revision now $(curl -sS "$FL/healthz")"
[ -s "$TMP/import.err" ] && { echo "an import failed:" >&2; cat "$TMP/import.err" >&2; }

echo "== phase 2: $DURATION random malformed paths"
out2=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout "$TIMEOUT" --latency -s $HERE/malformed.lua "$FL")
r2=$(echo "$out2" | grep '^RESULT')
echo "$r2"
health=$(curl -sS -o /dev/null -w '%{http_code}' "$FL/healthz")
rss2=$(rss)
kill -0 "$FL_PID" 2>/dev/null && alive=yes || alive=no

cp "$TMP/serve.log" "${TMPDIR:-/tmp}/frontline-loadtest-serve.log" 2>/dev/null || true
echo "== summary"
fail=0
check() { # NAME OK(0/1) DETAIL
	if [ "$2" = 1 ]; then echo "PASS $1: $3"; else echo "MISS $1: $3"; fail=1; fi
}
check "phase 1 errors" "$( [ "$(result errors "$r1")" = 0 ] && echo 1 || echo 0)" "$(result errors "$r1") socket errors"
check "phase 1 5xx" "$( [ "$(result s5xx "$r1")" = 0 ] && echo 1 || echo 0)" "$(result s5xx "$r1") answers"
check "phase 1 4xx" "$( [ "$(result s4xx "$r1")" = 0 ] && echo 1 || echo 0)" "$(result s4xx "$r1") answers"
check "phase 1 imports" "$( [ "$rounds" -ge 1 ] && [ ! -s "$TMP/import.err" ] && echo 1 || echo 0)" "$rounds rounds, all succeeded"
check "phase 2 only 4xx" "$( [ "$(result s2xx "$r2")" = 0 ] && [ "$(result s3xx "$r2")" = 0 ] && [ "$(result s5xx "$r2")" = 0 ] && echo 1 || echo 0)" \
	"2xx=$(result s2xx "$r2") 3xx=$(result s3xx "$r2") 4xx=$(result s4xx "$r2") 5xx=$(result s5xx "$r2")"
# Go's server answers a request line it cannot parse (an invalid %-escape in
# the path) with 400 and closes the connection; wrk counts each close as a
# read error. Any other socket error is a miss.
# (wrk may also count one read on each of its connections when it stops.)
check "phase 2 errors" "$( [ "$(result errors "$r2")" -le $(($(result closes "$r2") + CONNS)) ] && echo 1 || echo 0)" \
	"$(result errors "$r2") socket errors: reads of the $(result closes "$r2") connections the server closed after a 400"
check "healthy after" "$( [ "$health" = 200 ] && [ $alive = yes ] && echo 1 || echo 0)" "healthz $health, process alive: $alive"
check "peak RSS" "$( [ "$rss2" -lt $((RSS_MB * 1024)) ] && echo 1 || echo 0)" "$((rss1 / 1024)) MiB after phase 1, $((rss2 / 1024)) MiB after phase 2 (bound $RSS_MB MiB)"
echo "phase 1: $(result requests "$r1") requests, $(result rps "$r1") req/s, p50 $(result p50_ms "$r1") ms, p99 $(result p99_ms "$r1") ms"
echo "phase 2: $(result requests "$r2") requests, $(result rps "$r2") req/s, p50 $(result p50_ms "$r2") ms, p99 $(result p99_ms "$r2") ms"
if grep -q '"msg":"panic"' "$TMP/serve.log"; then echo "MISS the server log records a panic"; fail=1; fi
[ $fail = 0 ] || exit 3
