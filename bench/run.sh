#!/bin/sh
# bench/run.sh: requests per second straight to the origin and through
# evproxy (path form), measured with wrk in one run, interleaved over
# rounds, medians and ratios printed as a Markdown table.
#
#   bench/run.sh [ROUNDS] [SECONDS]      defaults: 3 rounds of 5 s
#
# Everything runs on loopback.  The origin and evproxy are pinned to core
# 0 and wrk to core 1 where taskset exists, so the two never share a core.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ROUNDS=${1:-3}
SECS=${2:-5}

if ! command -v wrk >/dev/null 2>&1; then
	[ "$(id -u)" = 0 ] || { echo "bench: install wrk (apt-get install wrk)" >&2; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null ||
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq wrk >/dev/null; }
fi
./dev.sh build >/dev/null

T=$(mktemp -d /tmp/evproxy-bench.XXXXXX)
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"' EXIT INT TERM
PIN_SRV=""
PIN_CLI=""
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
	PIN_SRV="taskset -c 0"
	PIN_CLI="taskset -c 1"
fi

# Waits for a line matching $2 in file $1 (10 s at most).
wait_line() {
	i=0
	while ! grep -Eq "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "bench: timeout waiting for $1" >&2; exit 1; }
		sleep 0.1
	done
}

$PIN_SRV "$ROOT/build/tests/evproxy-test-origin" -a 127.0.0.1 >"$T/origin.out" 2>/dev/null &
PIDS="$PIDS $!"
wait_line "$T/origin.out" '^PORT '
OPORT=$(awk '/^PORT /{print $2}' "$T/origin.out")
# the access log stays on (to a file), as in a real deployment
$PIN_SRV "$ROOT/build/evproxy" -p 0 --dns-server 127.0.0.1:1 --cache-dir "$T/cache" \
    >"$T/proxy.out" 2>"$T/proxy.log" &
PPID_=$!
PIDS="$PIDS $PPID_"
wait_line "$T/proxy.out" '^Ready'
sleep 0.2
PPORT=$(sed -n 's/.*listening on .* port \([0-9]*\).*/\1/p' "$T/proxy.log" | head -n 1)

# One wrk run; prints requests per second.
# One wrk run; prints requests per second, and appends "p50 p99" (ms) to
# file $3 when given.
rps() {
	$PIN_CLI wrk -t1 -c"$2" -d"${SECS}s" --latency "$1" 2>/dev/null \
	    >"$T/wrk.out"
	awk '/^Requests\/sec:/{print $2}' "$T/wrk.out"
	[ $# -lt 3 ] && return 0
	awk 'function ms(v) {
		if (v ~ /us$/) return v / 1000
		if (v ~ /ms$/) return v + 0
		if (v ~ /s$/) return v * 1000
		return v
	}
	$1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
	END { printf "%.3f %.3f\n", p50, p99 }' "$T/wrk.out" >>"$3"
}

# Median of the numbers on stdin.
median() {
	sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'
}

echo "| case | conns | origin req/s | evproxy req/s | ratio | evproxy p50 / p99 ms |"
echo "|---|---|---|---|---|---|"
# One table row: "label" for path $2 with $3 connections, origin direct
# against evproxy in path form over ROUNDS interleaved rounds.  With $4
# set, the rows are hits: the origin's counter must not move meanwhile.
bench_case() {
	label=$1 path=$2 c=$3 hits=${4:-}
	: >"$T/o"; : >"$T/p"; : >"$T/lat"
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		rps "http://127.0.0.1:$OPORT$path" "$c" >>"$T/o"
		before=$(curl -s "http://127.0.0.1:$OPORT/_hits?path=${path%%\?*}")
		rps "http://127.0.0.1:$PPORT/127.0.0.1:$OPORT$path" "$c" \
		    "$T/lat" >>"$T/p"
		after=$(curl -s "http://127.0.0.1:$OPORT/_hits?path=${path%%\?*}")
		[ -z "$hits" ] || [ "$before" = "$after" ] ||
		    echo "bench: $((after - before)) hits reached the origin" >&2
		r=$((r + 1))
	done
	o=$(median <"$T/o")
	p=$(median <"$T/p")
	ratio=$(awk -v a="$p" -v b="$o" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
	lat=$(awk '{print $1}' "$T/lat" | median)/$(awk '{print $2}' "$T/lat" | median)
	echo "| $label | $c | $o | $p | $ratio | $lat |"
}

# Cached objects: one request fills the cache, wrk then gets hits only.
for size in 1024 102400; do
	path="/bytes/$size?h=Cache-Control:max-age%3D3600"
	curl -s -o /dev/null "http://127.0.0.1:$PPORT/127.0.0.1:$OPORT$path"
	for c in 1 50; do
		bench_case "$((size / 1024)) KiB hit" "$path" "$c" hits
	done
done
# Uncacheable responses (no freshness): every request goes through.
for size in 1024 102400; do
	for c in 1 50; do
		bench_case "$((size / 1024)) KiB pass-through" "/bytes/$size" "$c"
	done
done
echo
echo "evproxy peak RSS: $(awk '/^VmHWM:/{print $2, $3}' "/proc/$PPID_/status")"
