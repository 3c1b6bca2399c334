#!/bin/sh
# bench/cold-miss.sh: a cold 10 MiB miss through evproxy against the same
# object fetched straight from the origin (issue 6, goal 4).
#
#   bench/cold-miss.sh [--strace] [RUNS]      default 7 runs
#   --strace  afterwards, count evproxy's syscalls over RUNS more misses
#             (strace -c -f) and print them per miss
#   EVPROXY_BIN=path  the binary to measure (default build/evproxy)
#   PIN=0             do not pin servers and curl to cores 0 and 1
#
# The origin is nginx serving a 10 MiB file of random bytes with
# Cache-Control: max-age=3600 (as in bench/peers.sh); every proxy request
# carries a unique query, which nginx ignores, so each one is a miss.
# Each run fetches directly, then through evproxy, with curl -w
# '%{time_starttransfer} %{time_total}'; medians are printed in ms, with
# the median of the per-run ratios (proxy total / direct total, measured
# back to back, which holds up better on a busy machine) and evproxy's CPU
# time per miss (/proc/PID/schedstat).  A second fetch of each proxied URL
# checks that the object was stored.
# Servers run on core 0, curl on core 1 (taskset), all on 127.0.0.1; the
# EXIT trap stops what this script started, by PID.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
STRACE=0
if [ "${1:-}" = --strace ]; then
	STRACE=1
	shift
fi
RUNS=${1:-7}
# Installs Debian packages $@ if their commands are missing (root only);
# a temporary policy-rc.d keeps nginx's system service from starting.
need() {
	[ $# -gt 0 ] || return 0
	[ "$(id -u)" = 0 ] || { echo "cold-miss: install $*" >&2; exit 1; }
	_ours=0
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		_ours=1
	fi
	_rc=0
	{ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" \
	    >/dev/null 2>&1 || { apt-get update -qq &&
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" \
	    >/dev/null; }; } || _rc=1
	[ $_ours = 0 ] || rm -f /usr/sbin/policy-rc.d
	[ $_rc = 0 ] || exit 1
}
missing=""
command -v nginx >/dev/null 2>&1 || missing="nginx-light"
[ $STRACE = 0 ] || command -v strace >/dev/null 2>&1 ||
    missing="$missing strace"
need $missing
BIN=${EVPROXY_BIN:-$ROOT/build/evproxy}
[ -x "$BIN" ] || ./dev.sh build >/dev/null

T=$(mktemp -d /tmp/evproxy-cold.XXXXXX)
chmod 755 "$T"
PIDS=""
cleanup() {
	trap - EXIT INT TERM
	for p in $PIDS; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$p" 2>/dev/null || true
	done
	rm -rf "$T/www" "$T/evproxy/cache"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PIN_SRV=""
PIN_CLI=""
if [ "${PIN:-1}" = 1 ] && command -v taskset >/dev/null 2>&1 &&
    [ "$(nproc)" -ge 2 ]; then
	PIN_SRV="taskset -c 0"
	PIN_CLI="taskset -c 1"
fi

set -- $(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s:
    x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
OPORT=$1 EPORT=$2

mkdir -p "$T/www/cc" "$T/origin/tmp" "$T/evproxy"
head -c 10485760 /dev/urandom >"$T/www/cc/10m"
USER_LINE=""
[ "$(id -u)" = 0 ] && USER_LINE="user root;"
cat >"$T/origin/nginx.conf" <<EOF
$USER_LINE
worker_processes 1;
pid $T/origin/nginx.pid;
error_log $T/origin/error.log warn;
events { worker_connections 1024; }
http {
	access_log $T/origin/access.log;
	client_body_temp_path $T/origin/tmp/body;
	proxy_temp_path $T/origin/tmp/proxy;
	fastcgi_temp_path $T/origin/tmp/fastcgi;
	uwsgi_temp_path $T/origin/tmp/uwsgi;
	scgi_temp_path $T/origin/tmp/scgi;
	default_type application/octet-stream;
	sendfile on;
	keepalive_timeout 65;
	server {
		listen 127.0.0.1:$OPORT;
		root $T/www;
		location /cc/ { expires 3600s; }
	}
}
EOF
$PIN_SRV nginx -p "$T/origin" -c "$T/origin/nginx.conf" \
    -e "$T/origin/error.log" -g 'daemon off;' >"$T/origin/stdout" 2>&1 &
PIDS="$PIDS $!"
$PIN_SRV "$BIN" -p "$EPORT" --cache-dir "$T/evproxy/cache" \
    --cache-size 2G --dns-server 127.0.0.1:1 -q \
    --access-log "$T/evproxy/access.log" >"$T/evproxy/stdout" 2>&1 &
EPID=$!
PIDS="$PIDS $EPID"

# Waits until something answers HTTP on port $1 (10 s at most).
wait_port() {
	i=0
	while [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 \
	    "http://127.0.0.1:$1/" 2>/dev/null || true)" = 000 ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "cold-miss: nothing on port $1" >&2; exit 1; }
		sleep 0.1
	done
}
wait_port "$OPORT"
wait_port "$EPORT"

# fetch via|direct PATH [curl args]: one GET, body discarded.
fetch() {
	how=$1
	path=$2
	shift 2
	if [ "$how" = via ]; then
		$PIN_CLI curl -sS -o /dev/null --max-time 20 \
		    -x "http://127.0.0.1:$EPORT" "http://127.0.0.1:$OPORT$path" "$@"
	else
		$PIN_CLI curl -sS -o /dev/null --max-time 20 \
		    "http://127.0.0.1:$OPORT$path" "$@"
	fi
}

# Median of column $1 of stdin.
median() {
	sort -n -k "$1" | awk -v c="$1" '{ v[NR] = $c } END {
	    if (NR % 2) print v[(NR + 1) / 2];
	    else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

fetch direct /cc/10m			# warm the page cache and nginx
fetch via "/cc/10m?warm=$$"
sleep 0.3
: >"$T/times"
r=1
while [ "$r" -le "$RUNS" ]; do
	d=$(fetch direct "/cc/10m?d=$r-$$" -w '%{time_starttransfer} %{time_total}')
	c0=$(cut -d' ' -f1 "/proc/$EPID/schedstat")
	p=$(fetch via "/cc/10m?p=$r-$$" -w '%{time_starttransfer} %{time_total}')
	sleep 0.3			# let the store finish
	c1=$(cut -d' ' -f1 "/proc/$EPID/schedstat")
	fetch via "/cc/10m?p=$r-$$"
	n=$(grep -c "GET /cc/10m?p=$r-$$ " "$T/origin/access.log" || true)
	echo "$d $p $n $c0 $c1" | awk '{
	    printf "%.3f %.3f %.3f %.3f %s %.2f %.3f\n", $1 * 1000, $2 * 1000,
	    $3 * 1000, $4 * 1000, $5, $4 / $2, ($7 - $6) / 1e6 }' >>"$T/times"
	r=$((r + 1))
done
echo "run: direct first/total, evproxy first/total (ms), origin hits for" \
    "2 fetches, ratio of totals, evproxy CPU ms"
cat "$T/times"
df=$(median 1 <"$T/times")
dt=$(median 2 <"$T/times")
pf=$(median 3 <"$T/times")
pt=$(median 4 <"$T/times")
echo "median of $RUNS: direct first $df total $dt | evproxy first $pf total $pt" \
    "| ratio of medians $(echo "$pt $dt" | awk '{ printf "%.2f", $1 / $2 }')" \
    "| median ratio $(median 6 <"$T/times")" \
    "| first-byte gap $(echo "$pf $df" | awk '{ printf "%.3f", $1 - $2 }') ms" \
    "| evproxy CPU $(median 7 <"$T/times") ms/miss"
awk '$5 != 1 { bad++ } END { if (bad) printf "WARNING: %d objects not stored\n", bad }' \
    "$T/times"

[ $STRACE = 1 ] || exit 0
command -v strace >/dev/null 2>&1 || { echo "cold-miss: needs strace" >&2; exit 1; }
strace -c -f -p "$EPID" -o "$T/strace.out" &
SPID=$!
sleep 0.5
r=1
while [ "$r" -le "$RUNS" ]; do
	fetch via "/cc/10m?s=$r-$$"
	r=$((r + 1))
done
sleep 0.3
kill -INT "$SPID"
wait "$SPID" || true
echo "evproxy syscalls per cold 10 MiB miss (strace -c over $RUNS misses):"
awk -v n="$RUNS" '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" {
    printf "  %-16s %8.1f\n", $NF, $4 / n; s += $4 }
    END { printf "  %-16s %8.1f\n", "all", s / n }' "$T/strace.out"
