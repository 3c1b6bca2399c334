#!/bin/sh
# bench/cache-scale.sh: how the cache behaves with many entries.
#   bench/cache-scale.sh [N [SECONDS]]   default N = 100000, SECONDS = 10
# Fills the cache with N small objects (100-byte bodies) through evproxy
# and reports, after a restart: the time to "Ready to serve...", a request
# made at once for an entry in directory ff (the one the start-up scan
# reads last: a hit if it is looked up on demand), the time and CPU until
# the scan has indexed every entry (and again at a second start), and
# evproxy's resident memory per entry.  Then the cost of a lookup: hits
# on a random one of 1 000 entries in a cache of 1 000 (measured once
# they are stored, after a restart), of N entries, and of the same 1 000
# in the cache of N.  wrk, one connection, three runs of SECONDS: p50 and
# p99 (medians of the runs) and evproxy's CPU time per hit, whose user
# part holds the index lookup.  evproxy and the origin run on core 0, wrk
# and curl on core 1 (taskset).  N must be large enough to hold an entry
# of directory ff (from about 10 000 on, nearly always).  Loopback only.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
N=${1:-100000}
SECS=${2:-10}
K=1000				# the small cache of the latency comparison
[ "$N" -ge "$K" ] || { echo "scale: N must be at least $K" >&2; exit 2; }
command -v wrk >/dev/null 2>&1 ||
    { echo "scale: install wrk (apt-get install wrk)" >&2; exit 1; }
./dev.sh build >/dev/null
T=$(mktemp -d /tmp/evproxy-scale.XXXXXX)
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"' EXIT INT TERM
PIN_SRV=""
PIN_CLI=""
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
	PIN_SRV="taskset -c 0"
	PIN_CLI="taskset -c 1"
fi

# Waits up to $3 hundredths of a second for ERE $2 in file $1.
wait_line() {
	i=0
	while ! grep -Eq "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt "$3" ] && { echo "scale: timeout waiting for $2" >&2; exit 1; }
		sleep 0.01
	done
}
now_ms() { date +%s%3N; }
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$PPID_/status"; }

$PIN_SRV "$ROOT/build/tests/evproxy-test-origin" -a 127.0.0.1 \
    >"$T/origin.out" 2>/dev/null &
PIDS="$PIDS $!"
wait_line "$T/origin.out" '^PORT ' 1000
OPORT=$(awk '/^PORT /{print $2}' "$T/origin.out")
# the key of entry n is $KEY$n; through evproxy in path form it is $URL$n
KEY="http://127.0.0.1:$OPORT/bytes/100?h=Cache-Control:max-age%3D86400&n="
URL="/127.0.0.1:$OPORT/bytes/100?h=Cache-Control:max-age%3D86400&n="

start_proxy() {
	: >"$T/proxy.out"
	: >"$T/proxy.log"
	$PIN_SRV "$ROOT/build/evproxy" -p 0 --dns-server 127.0.0.1:1 \
	    --cache-dir "$T/cache" --cache-size 10G >"$T/proxy.out" \
	    2>"$T/proxy.log" &
	PPID_=$!
	PIDS="$PIDS $PPID_"
}
stop_proxy() {
	kill -TERM "$PPID_"
	wait "$PPID_" 2>/dev/null || true
	PIDS=$(echo " $PIDS " | sed "s/ $PPID_ / /")	# its PID may be reused
}
proxy_port() {
	sed -n 's/.*listening on .* port \([0-9]*\).*/\1/p' "$T/proxy.log" | head -n 1
}
origin_hits() { curl -s "http://127.0.0.1:$OPORT/_hits?path=/bytes/100"; }

# Fills entries $1..$2 through evproxy (32 transfers at a time).
fill() {
	$PIN_CLI curl -s -Z --parallel-max 32 \
	    "http://127.0.0.1:$PPORT$URL[$1-$2]" >/dev/null 2>&1
}

# evproxy's CPU time so far, user and system, in clock ticks.
cpu_ticks() { sed 's/^.*) //' "/proc/$PPID_/stat" | awk '{ print $12, $13 }'; }

# Hits on entries 1..$1 at random, 3 wrk runs of SECONDS: prints "p50
# p99" in ms (medians of the runs) and evproxy's CPU time per hit in us,
# "user sys"; warns if any request reached the origin.
latency() {
	cat >"$T/rand.lua" <<EOF
request = function()
	return wrk.format("GET", "$URL" .. math.random(1, $1))
end
EOF
	before=$(origin_hits)
	: >"$T/lat"
	set -- $(cpu_ticks)
	u0=$1 s0=$2 nreq=0
	for r in 1 2 3; do
		$PIN_CLI wrk -t1 -c1 -d"${SECS}s" --latency -s "$T/rand.lua" \
		    "http://127.0.0.1:$PPORT/" >"$T/wrk.out" 2>&1
		nreq=$((nreq + $(awk '/ requests in /{ print $1 }' "$T/wrk.out")))
		awk 'function ms(v) {
			if (v ~ /us$/) return v / 1000
			if (v ~ /ms$/) return v + 0
			if (v ~ /s$/) return v * 1000
			return v
		}
		$1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
		END { printf "%.3f %.3f\n", p50, p99 }' "$T/wrk.out" >>"$T/lat"
	done
	set -- $(cpu_ticks)
	after=$(origin_hits)
	[ "$before" = "$after" ] ||
	    echo "scale: $((after - before)) requests reached the origin" >&2
	tck=$(getconf CLK_TCK)
	echo "$(sort -n "$T/lat" | sed -n 2p | cut -d' ' -f1)" \
	    "$(sort -k2 -n "$T/lat" | sed -n 2p | cut -d' ' -f2)" \
	    "$(awk -v t="$tck" -v n="$nreq" -v u=$(($1 - u0)) -v s=$(($2 - s0)) \
	    'BEGIN { printf "%.1f %.1f", u * 1e6 / t / n, s * 1e6 / t / n }')"
}

# Restarts evproxy on the cache as it is: sets t0 (the start), t_ready
# ("Ready to serve...") in ms, and PPORT.
restart() {
	stop_proxy
	sync			# no writeback of a fill during the scan
	t0=$(now_ms)
	start_proxy
	wait_line "$T/proxy.out" '^Ready' 30000
	t_ready=$(now_ms)
	PPORT=$(proxy_port)
}
# Waits for the end of the start-up scan: sets t_scan (ms) and scan_cpu.
wait_scan() {
	wait_line "$T/proxy.log" 'cache: [0-9]+ entries' 360000
	t_scan=$(now_ms)
	scan_cpu=$(cpu_ticks | awk -v t="$(getconf CLK_TCK)" '{
		printf "%.1f s user + %.1f s system", $1 / t, $2 / t }')
}

start_proxy
wait_line "$T/proxy.out" '^Ready' 1000
PPORT=$(proxy_port)
sleep 0.2
rss0=$(rss_kb)
echo "filling $N entries through evproxy ..."
t1=$(now_ms)
fill 1 "$K"
t2=$(now_ms)
fill_ms=$((t2 - t1))
# the small cache, measured as the large one: after a restart and its scan
restart
wait_scan
lat_k=$(latency "$K")
t1=$(now_ms)
fill $((K + 1)) "$N"
t2=$(now_ms)
fill_s=$(( (fill_ms + t2 - t1) / 1000 ))
files=$(find "$T/cache" -path "$T/cache/tmp" -prune -o -type f -print | wc -l)
echo "filled: $files files in $fill_s s"

# an entry the scan reads last: its file is in directory ff
last=$("$ROOT/build/tests/evproxy-test-mkcache" last "$KEY" 1)
[ "$last" -le "$N" ] ||
    { echo "scale: no entry of directory ff within N: raise N" >&2; exit 1; }
restart
early=$($PIN_CLI curl -s -o /dev/null -D "$T/h" -w '%{time_total}' \
    "http://127.0.0.1:$PPORT$URL$last")
t_early=$(( $(now_ms) - t0 ))
early_ms=$(awk -v s="$early" 'BEGIN { printf "%.1f", s * 1000 }')
early_cs=$(tr -d '\r' <"$T/h" | sed -n 's/^Cache-Status: //p')
scanned=$(curl -s "http://127.0.0.1:$PPORT/-/stats" |
    sed -n 's/.*"rebuilding":\([a-z]*\).*"scanned":\([0-9]*\).*/\1 \2/p')
wait_scan
t_start1="$((t_ready - t0)) ms / $((t_scan - t0)) ms (evproxy CPU: $scan_cpu)"
sleep 1
rss_kb=$(rss_kb)
lat_n=$(latency "$N")
lat_nk=$(latency "$K")
# once more, with the files read once since the fill
restart
wait_scan
t_start2="$((t_ready - t0)) ms / $((t_scan - t0)) ms (evproxy CPU: $scan_cpu)"
echo
echo "| figure | value |"
echo "|---|---|"
echo "| entries | $files (filled in $fill_s s) |"
echo "| first start after the fill: to Ready / every entry indexed | $t_start1 |"
echo "| request at once for an entry in directory ff | $t_early ms after start, answered in $early_ms ms: $early_cs (scan running: ${scanned%% *}, ${scanned##* } files read) |"
echo "| second start: to Ready / every entry indexed | $t_start2 |"
echo "| scan log | $(grep -Eo 'cache: [0-9]+ entries.*' "$T/proxy.log" | head -n 1) |"
echo "| RSS empty / after the scan | $rss0 / $rss_kb KiB |"
echo "| RSS per entry: total / above empty | $(awk -v r="$rss_kb" -v z="$rss0" -v n="$files" 'BEGIN { printf "%.0f / %.0f", r * 1024 / n, (r - z) * 1024 / n }') bytes |"
set -- $lat_k
echo "| hits on a random one of $K entries: p50 / p99, CPU per hit | $1 / $2 ms, $3 us user + $4 us system |"
set -- $lat_n
echo "| hits on a random one of $files entries: p50 / p99, CPU per hit | $1 / $2 ms, $3 us user + $4 us system |"
set -- $lat_nk
echo "| the same cache, hits on a random one of the first $K: p50 / p99, CPU per hit | $1 / $2 ms, $3 us user + $4 us system |"
