#!/bin/sh
# HTTP benchmark of cached tiles (issue 4): wrk -t2 -c64 against Frontline and
# against a bare net/http handler serving the same bytes, on 127.0.0.1.
# Usage: sh bench/http/run.sh   (from the repository root; make bench-http)
# Environment: ROUNDS (default 3), DURATION (default 10s, per round and server),
#   THREADS (2), CONNS (64), SHARED (../shared/data/deepstate),
#   PER_ZOOM (30 tiles per zoom and tileset).
set -eu
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
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

echo "== start bare net/http handler"
"$TMP/bare" -manifest "$TMP/manifest.tsv" >"$TMP/bare.out" 2>&1 &
BARE_PID=$!
BARE=$(wait_url "$TMP/bare.out" "bare: serving") ||
	{ echo "bare server did not start:" >&2; cat "$TMP/bare.out" >&2; exit 1; }
curl -sS -o "$TMP/check" "$BARE$p"
cmp -s "$TMP/check" "$TMP/tiles/1" || { echo "bare server returned different bytes for $p" >&2; exit 1; }
echo "bare $BARE (pid $BARE_PID)"

# The two servers take turns, ROUNDS times, so that a change in the
# machine's load (other tenants of a shared host) falls on both alike; the
# idle one costs nothing meanwhile. Each figure is the median of its rounds.
WRK="wrk -t$THREADS -c$CONNS -d$DURATION --latency -s $HERE/paths.lua"
: >"$TMP/wrk-frontline.txt"
: >"$TMP/wrk-bare.txt"
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	echo "== round $r/$ROUNDS: $WRK \$URL -- paths.txt    (frontline)"
	$WRK "$FL" -- "$TMP/paths.txt" | tee -a "$TMP/wrk-frontline.txt"
	echo "== round $r/$ROUNDS: $WRK \$URL -- paths.txt    (bare)"
	$WRK "$BARE" -- "$TMP/paths.txt" | tee -a "$TMP/wrk-bare.txt"
done
HWM=$(awk '/^VmHWM:/ {print $2}' "/proc/$FL_PID/status")   # kB
RSS=$(awk '/^VmRSS:/ {print $2}' "/proc/$FL_PID/status")
kill "$FL_PID"; wait "$FL_PID" 2>/dev/null || true; FL_PID=
kill "$BARE_PID"; wait "$BARE_PID" 2>/dev/null || true; BARE_PID=

# field FILE NAME: the median over the rounds of NAME= on the RESULT lines;
# sum FILE NAME: their sum.
field() {
	sed -n "s/^RESULT.* $2=\([^ ]*\).*/\1/p" "$1" | sort -g |
		awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
sum() { sed -n "s/^RESULT.* $2=\([^ ]*\).*/\1/p" "$1" | awk '{s += $1} END {print s + 0}'; }
echo
echo "== rounds (req/s, p99 us)"
sed -n 's/^RESULT.* rps=\([^ ]*\).* p99_us=\([^ ]*\).*/\1 \2/p' "$TMP/wrk-frontline.txt" >"$TMP/f.txt"
sed -n 's/^RESULT.* rps=\([^ ]*\).* p99_us=\([^ ]*\).*/\1 \2/p' "$TMP/wrk-bare.txt" >"$TMP/b.txt"
paste -d' ' "$TMP/f.txt" "$TMP/b.txt" | awk '{printf "round %d: frontline %.0f req/s p99 %d us, bare %.0f req/s p99 %d us, ratio %.4f\n", NR, $1, $2, $3, $4, $1 / $3}'
FR=$(field "$TMP/wrk-frontline.txt" rps); F50=$(field "$TMP/wrk-frontline.txt" p50_us); F99=$(field "$TMP/wrk-frontline.txt" p99_us)
FN=$(sum "$TMP/wrk-frontline.txt" non2xx); FE=$(sum "$TMP/wrk-frontline.txt" errors)
BR=$(field "$TMP/wrk-bare.txt" rps); B50=$(field "$TMP/wrk-bare.txt" p50_us); B99=$(field "$TMP/wrk-bare.txt" p99_us)
BN=$(sum "$TMP/wrk-bare.txt" non2xx); BE=$(sum "$TMP/wrk-bare.txt" errors)

# Comparisons are exact (awk on the unrounded figures); printing rounds only for display.
NPATHS=$(wc -l <"$TMP/paths.txt") ROUNDS=$ROUNDS awk -v fr="$FR" -v f50="$F50" -v f99="$F99" -v fn="$FN" -v fe="$FE" \
    -v br="$BR" -v b50="$B50" -v b99="$B99" -v bn="$BN" -v be="$BE" \
    -v hwm="$HWM" -v rss="$RSS" -v w="$WRK" 'BEGIN {
	printf "\n== summary (%s, %d tile paths; medians of %d rounds)\n", w, 0 + ENVIRON["NPATHS"], 0 + ENVIRON["ROUNDS"]
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
