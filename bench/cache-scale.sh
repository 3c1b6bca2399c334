#!/bin/sh
# bench/cache-scale.sh: how the cache behaves with many entries.
#   bench/cache-scale.sh [N]          default N = 100000
# Fills the cache with N small objects through evproxy, restarts it, and
# reports the time to "Ready to serve...", the time until the start-up
# scan has indexed every entry, the latency of a hit served during the
# scan, and evproxy's resident memory per indexed entry.  Loopback only.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
N=${1:-100000}
./dev.sh build >/dev/null
T=$(mktemp -d /tmp/evproxy-scale.XXXXXX)
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"' EXIT INT TERM

# Waits up to $3 tenths of a second for ERE $2 in file $1.
wait_line() {
	i=0
	while ! grep -Eq "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt "$3" ] && { echo "scale: timeout waiting for $2" >&2; exit 1; }
		sleep 0.1
	done
}
now_ms() { date +%s%3N; }

"$ROOT/build/tests/evproxy-test-origin" -a 127.0.0.1 >"$T/origin.out" 2>/dev/null &
PIDS="$PIDS $!"
wait_line "$T/origin.out" '^PORT ' 100
OPORT=$(awk '/^PORT /{print $2}' "$T/origin.out")

start_proxy() {
	"$ROOT/build/evproxy" -p 0 --dns-server 127.0.0.1:1 \
	    --cache-dir "$T/cache" --cache-size 10G >"$T/proxy.out" \
	    2>"$T/proxy.log" &
	PPID_=$!
	PIDS="$PIDS $PPID_"
}
proxy_port() {
	sed -n 's/.*listening on .* port \([0-9]*\).*/\1/p' "$T/proxy.log" | head -n 1
}

start_proxy
wait_line "$T/proxy.out" '^Ready' 100
PPORT=$(proxy_port)
echo "filling $N entries through 127.0.0.1:$PPORT ..."
t0=$(now_ms)
curl -s -Z --parallel-max 32 \
    "http://127.0.0.1:$PPORT/127.0.0.1:$OPORT/bytes/100?h=Cache-Control:max-age%3D86400&n=[1-$N]" \
    >/dev/null 2>&1
t1=$(now_ms)
files=$(find "$T/cache" -type f | wc -l)
echo "filled: $files files in $(( (t1 - t0) / 1000 )) s"
kill -TERM "$PPID_"; wait "$PPID_" 2>/dev/null || true

t0=$(now_ms)
start_proxy
"$ROOT/build/evproxy" --version >/dev/null
wait_line "$T/proxy.out" '^Ready' 300
t_ready=$(now_ms)
PPORT=$(proxy_port)
hit=$(curl -s -o /dev/null -D "$T/h" -w '%{time_total} s, %{http_code}' \
    "http://127.0.0.1:$PPORT/127.0.0.1:$OPORT/bytes/100?h=Cache-Control:max-age%3D86400&n=1")
hit="$hit, $(tr -d '\r' <"$T/h" | sed -n 's/^Cache-Status: //p')"
wait_line "$T/proxy.log" 'cache: [0-9]+ entries' 3000
t_scan=$(now_ms)
rss_kb=$(awk '/^VmRSS:/{print $2}' "/proc/$PPID_/status")
echo
echo "| figure | value |"
echo "|---|---|"
echo "| entries | $files |"
echo "| start to Ready to serve | $((t_ready - t0)) ms |"
echo "| first request after Ready (time, status) | $hit |"
echo "| start until the scan has indexed every entry | $((t_scan - t0)) ms |"
echo "| scan log | $(grep -Eo 'cache: [0-9]+ entries.*' "$T/proxy.log" | head -n 1) |"
echo "| RSS after the scan | $rss_kb KiB |"
echo "| RSS per entry | $(awk -v r="$rss_kb" -v n="$files" 'BEGIN { printf "%.0f", r * 1024 / n }') bytes |"
