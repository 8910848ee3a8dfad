#!/bin/sh
# HTTP benchmark of cached tiles (issue 4): wrk -t2 -c64 against Frontline and
# against a bare net/http handler serving the same bytes, on 127.0.0.1.
# Usage: sh bench/http/run.sh   (from the repository root; make bench-http)
# Environment: DURATION (default 15s), THREADS (2), CONNS (64),
#   SHARED (../shared/data/deepstate), PER_ZOOM (30 tiles per zoom and tileset).
set -eu
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-15s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
SHARED=${SHARED:-../shared/data/deepstate}
PER_ZOOM=${PER_ZOOM:-30}
LINE=$SHARED/deepstatemap_data_20250815.geojson
HERE=bench/http

command -v wrk >/dev/null || { echo "bench-http: wrk not found (Debian: apt-get install wrk)" >&2; exit 1; }
command -v curl >/dev/null || { echo "bench-http: curl not found" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/frontline-bench-http.XXXXXX")
FL_PID= BARE_PID=
cleanup() {
	[ -n "$FL_PID" ] && kill "$FL_PID" 2>/dev/null && wait "$FL_PID" 2>/dev/null|| true
	[ -n "$BARE_PID" ] && kill "$BARE_PID" 2>/dev/null && wait "$BARE_PID" 2>/dev/null|| true
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

echo "== build"
go build -o bin/frontline ./cmd/frontline
go build -o "$TMP/tilelist" ./$HERE/tilelist
go build -o "$TMP/bare" ./$HERE/bare

if [ -f "$LINE" ]; then
	echo "== import $LINE"
	bin/frontline import control "$LINE" --source DeepStateMap --db "$TMP/bench.db" >"$TMP/import.log" 2>&1 ||
		{ cat "$TMP/import.log" >&2; exit 1; }
else
	echo "== $LINE not found: the embedded demonstration line is used"
fi

# wait_url FILE PREFIX: waits for a line "PREFIX http://..." in FILE, prints the origin.
wait_url() {
	n=0
	while [ $n -lt 300 ]; do
		u=$(sed -n "s|^$2 \(http://[^/]*\)/.*|\1|p" "$1" | head -n1)
		[ -n "$u" ] && { echo "$u"; return 0; }
		n=$((n + 1)); sleep 0.1
	done
	return 1
}

echo "== start frontline"
bin/frontline serve --db "$TMP/bench.db" --addr 127.0.0.1:0 >"$TMP/frontline.out" 2>"$TMP/frontline.log" &
FL_PID=$!
FL=$(wait_url "$TMP/frontline.out" "frontline: serving") ||
	{ echo "frontline did not start:" >&2; cat "$TMP/frontline.log" >&2; exit 1; }
echo "frontline $FL (pid $FL_PID)"

echo "== tile list"
"$TMP/tilelist" -base "$FL" -per-zoom "$PER_ZOOM" >"$TMP/paths.txt"
echo "$(wc -l <"$TMP/paths.txt") tile paths (control png, control mvt, base png; four oblasts; z5..z10)"
head -n1 "$TMP/paths.txt"; grep -m1 '\.mvt$' "$TMP/paths.txt"; grep -m1 '^/tiles/base/' "$TMP/paths.txt"

echo "== warm the cache (one curl per tile; bytes saved for the bare server)"
mkdir "$TMP/tiles"
n=0 bytes=0
: >"$TMP/manifest.tsv"
while IFS= read -r p; do
	n=$((n + 1))
	out=$(curl -sS -o "$TMP/tiles/$n" -w '%{http_code}\t%{content_type}' "$FL$p")
	code=${out%%	*} ct=${out#*	}
	[ "$code" = 200 ] || { echo "GET $p: HTTP $code" >&2; exit 1; }
	printf '%s\t%s\t%s\n' "$p" "$ct" "$TMP/tiles/$n" >>"$TMP/manifest.tsv"
	bytes=$((bytes + $(wc -c <"$TMP/tiles/$n")))
done <"$TMP/paths.txt"
echo "$n tiles, $bytes bytes, all HTTP 200"
# A second pass must be served from the cache with the same bytes.
p=$(head -n1 "$TMP/paths.txt")
curl -sS -o "$TMP/check" "$FL$p"
cmp -s "$TMP/check" "$TMP/tiles/1" || { echo "second GET $p returned different bytes" >&2; exit 1; }
echo "frontline response headers for $p:"
curl -sS -o /dev/null -D - "$FL$p" | tr -d '\r' | sed '/^$/d; s/^/  /'

WRK="wrk -t$THREADS -c$CONNS -d$DURATION --latency -s $HERE/paths.lua"
echo "== $WRK \$URL -- paths.txt    (frontline)"
$WRK "$FL" -- "$TMP/paths.txt" | tee "$TMP/wrk-frontline.txt"
HWM=$(awk '/^VmHWM:/ {print $2}' "/proc/$FL_PID/status")   # kB
RSS=$(awk '/^VmRSS:/ {print $2}' "/proc/$FL_PID/status")
kill "$FL_PID"; wait "$FL_PID" 2>/dev/null || true; FL_PID=

echo "== start bare net/http handler"
"$TMP/bare" -manifest "$TMP/manifest.tsv" >"$TMP/bare.out" 2>&1 &
BARE_PID=$!
BARE=$(wait_url "$TMP/bare.out" "bare: serving") ||
	{ echo "bare server did not start:" >&2; cat "$TMP/bare.out" >&2; exit 1; }
curl -sS -o "$TMP/check" "$BARE$p"
cmp -s "$TMP/check" "$TMP/tiles/1" || { echo "bare server returned different bytes for $p" >&2; exit 1; }
echo "bare $BARE (pid $BARE_PID)"
echo "== $WRK \$URL -- paths.txt    (bare)"
$WRK "$BARE" -- "$TMP/paths.txt" | tee "$TMP/wrk-bare.txt"
kill "$BARE_PID"; wait "$BARE_PID" 2>/dev/null || true; BARE_PID=

# field FILE NAME: value of NAME= on the RESULT line.
field() { sed -n "s/^RESULT.* $2=\([^ ]*\).*/\1/p" "$1"; }
FR=$(field "$TMP/wrk-frontline.txt" rps); F50=$(field "$TMP/wrk-frontline.txt" p50_us); F99=$(field "$TMP/wrk-frontline.txt" p99_us)
FN=$(field "$TMP/wrk-frontline.txt" non2xx); FE=$(field "$TMP/wrk-frontline.txt" errors)
BR=$(field "$TMP/wrk-bare.txt" rps); B50=$(field "$TMP/wrk-bare.txt" p50_us); B99=$(field "$TMP/wrk-bare.txt" p99_us)
BN=$(field "$TMP/wrk-bare.txt" non2xx); BE=$(field "$TMP/wrk-bare.txt" errors)

# Comparisons are exact (awk on the unrounded figures); printing rounds only for display.
NPATHS=$(wc -l <"$TMP/paths.txt") awk -v fr="$FR" -v f50="$F50" -v f99="$F99" -v fn="$FN" -v fe="$FE" \
    -v br="$BR" -v b50="$B50" -v b99="$B99" -v bn="$BN" -v be="$BE" \
    -v hwm="$HWM" -v rss="$RSS" -v w="$WRK" 'BEGIN {
	printf "\n== summary (%s, %d tile paths)\n", w, 0 + ENVIRON["NPATHS"]
	printf "%-10s %12s %10s %10s %8s %8s\n", "", "req/s", "p50 ms", "p99 ms", "non-2xx", "errors"
	printf "%-10s %12.0f %10.3f %10.3f %8d %8d\n", "frontline", fr, f50 / 1000, f99 / 1000, fn, fe
	printf "%-10s %12.0f %10.3f %10.3f %8d %8d\n", "bare", br, b50 / 1000, b99 / 1000, bn, be
	ratio = fr / br; p99r = f99 / b99
	printf "ratio req/s frontline/bare: %.4f   p99 frontline/bare: %.4f   p50 frontline/bare: %.4f\n", ratio, p99r, f50 / b50
	printf "frontline peak RSS (VmHWM): %.1f MB   (VmRSS at end: %.1f MB)\n", hwm / 1024, rss / 1024
	ok = 1
	r = (fr >= 30000); ok = ok && r; printf "%-4s req/s >= 30000            (%.1f)\n", r ? "PASS" : "MISS", fr
	r = (fr >= 0.6 * br); ok = ok && r; printf "%-4s req/s >= 0.6 x bare       (%.4f)\n", r ? "PASS" : "MISS", ratio
	r = (f99 <= 2 * b99); ok = ok && r; printf "%-4s p99 <= 2 x bare p99       (%.4f)\n", r ? "PASS" : "MISS", p99r
	r = (hwm < 300 * 1024); ok = ok && r; printf "%-4s peak RSS < 300 MB          (%.1f MB)\n", r ? "PASS" : "MISS", hwm / 1024
	r = (fn == 0 && fe == 0); ok = ok && r; printf "%-4s no non-2xx or socket errors (frontline %d/%d)\n", r ? "PASS" : "MISS", fn, fe
	printf "%s\n", ok ? "bench-http: PASS" : "bench-http: MISS"
	exit ok ? 0 : 3
}'
