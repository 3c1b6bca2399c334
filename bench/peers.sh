#!/bin/sh
# bench/peers.sh: evproxy against its peers (issue 6).  An nginx origin
# serving static files, and three caching proxies in front of it: evproxy,
# nginx proxy_cache and Squid, each held to one worker.  Hits (1 KiB,
# 100 KiB, 10 MiB), an uncacheable pass-through and a cold 10 MiB miss,
# interleaved over rounds; medians printed as Markdown tables.
#
#   bench/peers.sh [--quick] [--chart] [ROUNDS] [SECONDS]
#                               defaults: 3 rounds of 5 s
#   --quick   1 round of 2 s (smoke test)
#   --chart   also copy the chart to docs/performance.png
#
# All three proxies get the same requests: wrk sends the request line in
# absolute form (GET http://127.0.0.1:ORIGIN/path, bench/peers-absolute.lua)
# to the proxy's port, as a client configured with a proxy does; curl uses
# -x.  evproxy and Squid are forward proxies; nginx, which has no forward
# mode, takes the absolute-form request (it accepts one) and proxy_passes
# it to the origin.  The origin is asked directly with the path alone.
#
# Servers run on core 0, wrk and curl on core 1 (taskset).  Every server
# listens on 127.0.0.1 on a free high port, with its own config, logs,
# pid file and cache in a temp dir; nothing talks beyond loopback.  The
# temp dir keeps the configs, logs, raw TSVs and chart; the EXIT trap
# stops the processes this script started, by PID, and removes the big
# files (objects and caches).
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ROUNDS=3
SECS=5
CHART=0
QUICK=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--chart) CHART=1 ;;
	-h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "peers: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
if [ $QUICK = 1 ]; then
	ROUNDS=1
	SECS=2
fi
ROUNDS=${1:-$ROUNDS}
SECS=${2:-$SECS}

# Installs the Debian packages for the commands that are missing, as
# root.  A temporary policy-rc.d keeps the packages' system services
# (nginx on port 80, squid on 3128) from being started.
need=""
command -v wrk >/dev/null 2>&1 || need="$need wrk"
command -v nginx >/dev/null 2>&1 || need="$need nginx-light"
command -v squid >/dev/null 2>&1 || need="$need squid"
command -v gnuplot >/dev/null 2>&1 || need="$need gnuplot-nox"
command -v curl >/dev/null 2>&1 || need="$need curl"
command -v python3 >/dev/null 2>&1 || need="$need python3"
if [ -n "$need" ]; then
	[ "$(id -u)" = 0 ] || { echo "peers: install:$need" >&2; exit 1; }
	echo "peers: installing$need" >&2
	policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		policy=/usr/sbin/policy-rc.d
	fi
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $need >/dev/null 2>&1 ||
	    { apt-get update -qq &&
	    apt-get install -y -qq --no-install-recommends $need >/dev/null; } ||
	    { [ "${need#*nginx-light}" != "$need" ] &&
	    apt-get install -y -qq --no-install-recommends \
	    $(echo "$need" | sed 's/nginx-light/nginx/') >/dev/null; }
	[ -z "$policy" ] || rm -f "$policy"
fi
./dev.sh build >/dev/null

T=$(mktemp -d /tmp/evproxy-peers.XXXXXX)
chmod 755 "$T"			# squid's and nginx's workers read below it
PIDS=""
cleanup() {
	trap - EXIT INT TERM
	all=""
	for p in $PIDS; do
		all="$all $(tree_pids "$p")"
		kill -TERM "$p" 2>/dev/null || true
	done
	i=0
	while [ $i -lt 50 ]; do
		alive=""
		for p in $all; do
			kill -0 "$p" 2>/dev/null && alive="$alive $p"
		done
		[ -z "$alive" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	for p in $all; do
		kill -KILL "$p" 2>/dev/null || true
	done
	rm -rf "$T/www" "$T/evproxy/cache" "$T/nginx/cache" "$T/squid/cache"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PIN_SRV=""
PIN_CLI=""
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
	PIN_SRV="taskset -c 0"
	PIN_CLI="taskset -c 1"
fi
TCK=$(getconf CLK_TCK)

# Prints PID $1 and all its descendants.
tree_pids() {
	[ -d "/proc/$1" ] || return 0
	echo "$1"
	for c in $(pgrep -P "$1" 2>/dev/null || true); do
		tree_pids "$c"
	done
}

# CPU clock ticks (utime + stime) used so far by PID $1 and its descendants.
ticks() {
	for p in $(tree_pids "$1"); do
		sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null || true
	done | awk '{ s += $12 + $13 } END { print s + 0 }'
}

# Sum of field $2 (VmHWM or VmRSS, KiB) over PID $1 and its descendants.
mem_kib() {
	for p in $(tree_pids "$1"); do
		cat "/proc/$p/status" 2>/dev/null || true
	done | awk -v f="$2:" '$1 == f { s += $2 } END { print s + 0 }'
}

# Waits until something answers HTTP on port $1 (10 s at most).
wait_port() {
	i=0
	while [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 \
	    "http://127.0.0.1:$1/" 2>/dev/null || true)" = 000 ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "peers: nothing on port $1" >&2; exit 1; }
		sleep 0.1
	done
}

# Four free high ports on 127.0.0.1, from the kernel's ephemeral range.
set -- $(python3 -c '
import socket
s = [socket.socket() for _ in range(4)]
for x in s:
    x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
OPORT=$1 EPORT=$2 NPORT=$3 SPORT=$4

# The objects.  /cc/ is served with Cache-Control: max-age=3600, /ns/ with
# no-store, the top level with neither (only Last-Modified and ETag).
mkdir -p "$T/www/cc" "$T/www/ns" "$T/origin" "$T/nginx" "$T/squid" \
    "$T/evproxy"
head -c 1024 /dev/urandom >"$T/www/1k"
head -c 102400 /dev/urandom >"$T/www/100k"
head -c 10485760 /dev/urandom >"$T/www/10m"
for f in 1k 100k 10m; do
	cp "$T/www/$f" "$T/www/cc/$f"
	cp "$T/www/$f" "$T/www/ns/$f"
done

USER_LINE=""
[ "$(id -u)" = 0 ] && USER_LINE="user root;"
# nginx settings shared by the origin and the proxy ($1: its directory).
nginx_common() {
	cat <<EOF
$USER_LINE
worker_processes 1;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
EOF
}
nginx_http_common() {
	cat <<EOF
	access_log $1/access.log;
	client_body_temp_path $1/tmp/body;
	proxy_temp_path $1/tmp/proxy;
	fastcgi_temp_path $1/tmp/fastcgi;
	uwsgi_temp_path $1/tmp/uwsgi;
	scgi_temp_path $1/tmp/scgi;
	default_type application/octet-stream;
	sendfile on;
	tcp_nopush off;
	keepalive_timeout 65;
	keepalive_requests 100000000;
EOF
}

# The origin: nginx serving $T/www, one worker.
{
	nginx_common "$T/origin"
	echo "http {"
	nginx_http_common "$T/origin"
	cat <<EOF
	server {
		listen 127.0.0.1:$OPORT;
		root $T/www;
		location /cc/ { expires 3600s; }
		location /ns/ { add_header Cache-Control no-store; }
	}
}
EOF
} >"$T/origin/nginx.conf"

# nginx proxy_cache: one worker, keep-alive to the origin, no
# proxy_cache_valid, so the origin's Cache-Control and Expires decide.
{
	nginx_common "$T/nginx"
	echo "http {"
	nginx_http_common "$T/nginx"
	cat <<EOF
	proxy_cache_path $T/nginx/cache levels=1:2 keys_zone=bench:10m
	    max_size=2g inactive=1h use_temp_path=off;
	upstream origin {
		server 127.0.0.1:$OPORT;
		keepalive 16;
	}
	server {
		listen 127.0.0.1:$NPORT;
		location / {
			proxy_pass http://origin;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host 127.0.0.1:$OPORT;
			proxy_cache bench;
			add_header X-Cache-Status \$upstream_cache_status;
		}
	}
}
EOF
} >"$T/nginx/nginx.conf"

# Squid, forward mode, -N (no daemon, no SMP kids), Debian's defaults
# except: objects up to 64 MB may be cached (the default 4 MB would turn
# the 10 MiB cases into pass-through), logs to plain files, no helpers
# that can be avoided (log daemon, pinger), DNS only to loopback.
SQ_USER=""
[ "$(id -u)" = 0 ] && SQ_USER="cache_effective_user proxy"
cat >"$T/squid/squid.conf" <<EOF
http_port 127.0.0.1:$SPORT
http_access allow localhost
http_access deny all
$SQ_USER
cache_dir ufs $T/squid/cache 2048 16 256
maximum_object_size 64 MB
pid_filename $T/squid/squid.pid
cache_log $T/squid/cache.log
access_log stdio:$T/squid/access.log
cache_store_log none
coredump_dir $T/squid
netdb_filename none
pinger_enable off
dns_nameservers 127.0.0.1
visible_hostname evproxy-bench
shutdown_lifetime 1 seconds
logfile_rotate 0
icp_port 0
htcp_port 0
EOF
[ "$(id -u)" = 0 ] && chown -R proxy:proxy "$T/squid"

# evproxy: its own config file; one process by construction.
cat >"$T/evproxy/evproxy.conf" <<EOF
address 127.0.0.1
port $EPORT
cache-dir $T/evproxy/cache
cache-size 2G
dns-server 127.0.0.1:1
access-log $T/evproxy/access.log
error-log $T/evproxy/error.log
quiet
EOF

for d in origin nginx; do
	mkdir -p "$T/$d/tmp"
	$PIN_SRV nginx -p "$T/$d" -c "$T/$d/nginx.conf" -e "$T/$d/error.log" \
	    -g 'daemon off;' >"$T/$d/stdout" 2>&1 &
	PIDS="$PIDS $!"
	eval "PID_$d=$!"
done
squid -N -z -f "$T/squid/squid.conf" >"$T/squid/z.out" 2>&1
$PIN_SRV squid -N -f "$T/squid/squid.conf" >"$T/squid/stdout" 2>&1 &
PIDS="$PIDS $!"
PID_squid=$!
$PIN_SRV "$ROOT/build/evproxy" -c "$T/evproxy/evproxy.conf" \
    >"$T/evproxy/stdout" 2>&1 &
PIDS="$PIDS $!"
PID_evproxy=$!
for p in $OPORT $EPORT $NPORT $SPORT; do
	wait_port "$p"
done
# shellcheck disable=SC2154
echo "peers: origin :$OPORT (pid $PID_origin), evproxy :$EPORT" \
    "(pid $PID_evproxy), nginx :$NPORT (pid $PID_nginx)," \
    "squid :$SPORT (pid $PID_squid); $ROUNDS rounds of $SECS s; dir $T" >&2

SERVERS="origin evproxy nginx squid"
# Prints the port of server $1.
port_of() {
	case $1 in
	origin) echo "$OPORT" ;; evproxy) echo "$EPORT" ;;
	nginx) echo "$NPORT" ;; squid) echo "$SPORT" ;;
	esac
}
# Prints the PID of server $1.
pid_of() { eval "echo \$PID_$1"; }

# Origin requests logged so far for exactly path $1.
origin_count() {
	grep -cF "\"GET $1 HTTP/" "$T/origin/access.log" 2>/dev/null || true
}

# curl through server $1 (the origin directly) for path $2; more curl
# options follow.
fetch() {
	s=$1 path=$2
	shift 2
	if [ "$s" = origin ]; then
		$PIN_CLI curl -s -o /dev/null "$@" "http://127.0.0.1:$OPORT$path"
	else
		$PIN_CLI curl -s -o /dev/null -x "http://127.0.0.1:$(port_of "$s")" \
		    "$@" "http://127.0.0.1:$OPORT$path"
	fi
}

# Fill each proxy's cache with the hit objects, then check that one more
# request does not reach the origin.
for s in evproxy nginx squid; do
	for path in /cc/1k /cc/100k /cc/10m; do
		fetch "$s" "$path"
		sleep 0.2
		fetch "$s" "$path"
		sleep 0.2
		b=$(origin_count "$path")
		fetch "$s" "$path"
		sleep 0.2
		a=$(origin_count "$path")
		[ "$a" = "$b" ] ||
		    echo "peers: $s: $path still reaches the origin after warming" >&2
	done
done

RUNS=$T/runs.tsv
COLD=$T/cold.tsv
printf 'round\tcase\tconns\tserver\treq_s\tp50_ms\tp99_ms\tcpu_us_per_req\trequests\terrors\torigin_reqs\n' >"$RUNS"
printf 'round\tserver\tttfb_ms\ttotal_ms\tstored\n' >"$COLD"

# One wrk run of case $2 ($3 path, $4 connections) against server $1 in
# round $5; appends a line to $RUNS.  origin_reqs is how many requests for
# the path reached the origin while a proxy ran (0 for a clean hit run).
run_wrk() {
	s=$1 label=$2 path=$3 c=$4 r=$5
	pid=$(pid_of "$s")
	b=$(origin_count "$path")
	t0=$(ticks "$pid")
	if [ "$s" = origin ]; then
		$PIN_CLI wrk -t1 -c"$c" -d"${SECS}s" --timeout 10s --latency \
		    "http://127.0.0.1:$OPORT$path" >"$T/wrk.out" 2>&1 || true
	else
		$PIN_CLI wrk -t1 -c"$c" -d"${SECS}s" --timeout 10s --latency \
		    -s "$ROOT/bench/peers-absolute.lua" \
		    "http://127.0.0.1:$(port_of "$s")/" -- \
		    "http://127.0.0.1:$OPORT$path" >"$T/wrk.out" 2>&1 || true
	fi
	t1=$(ticks "$pid")
	a=$(origin_count "$path")
	cp "$T/wrk.out" "$T/wrk-r$r-$s-$(echo "$label" | tr -c 'a-zA-Z0-9\n' _)-c$c.out"
	o=$((a - b))
	[ "$s" = origin ] && o=-
	awk -v r="$r" -v label="$label" -v c="$c" -v s="$s" -v o="$o" \
	    -v dt=$((t1 - t0)) -v tck="$TCK" '
	function ms(v) {
		if (v ~ /us$/) return v / 1000
		if (v ~ /ms$/) return v + 0
		if (v ~ /m$/) return v * 60000
		if (v ~ /s$/) return v * 1000
		return v
	}
	/^Requests\/sec:/ { rps = $2 }
	/ requests in / { n = $1 }
	$1 == "50%" { p50 = ms($2) }
	$1 == "99%" { p99 = ms($2) }
	/^  Non-2xx/ { err += $NF }
	/Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
	END {
		cpu = (n > 0) ? dt * 1e6 / tck / n : 0
		printf "%s\t%s\t%s\t%s\t%.0f\t%.3f\t%.3f\t%.1f\t%d\t%d\t%s\n",
		    r, label, c, s, rps, p50, p99, cpu, n, err, o
	}' "$T/wrk.out" >>"$RUNS"
	tail -n 1 "$RUNS" | awk -F '\t' '$10 > 0 {
		printf "peers: %s %s c%s: %d errors\n", $4, $2, $3, $10 }' >&2
	if [ "$s" != origin ] && [ "$o" != 0 ] && [ "${path#/cc/}" != "$path" ]; then
		echo "peers: LEAK: $s $label c$c round $r: $o requests reached the origin" >&2
	fi
	return 0
}

CASES="1_KiB_hit:/cc/1k:1 1_KiB_hit:/cc/1k:50 100_KiB_hit:/cc/100k:50
10_MiB_hit:/cc/10m:10 1_KiB_pass-through:/ns/1k:50"
r=1
while [ $r -le "$ROUNDS" ]; do
	echo "peers: round $r of $ROUNDS" >&2
	for cs in $CASES; do
		label=$(echo "${cs%%:*}" | tr _ ' ')
		rest=${cs#*:}
		for s in $SERVERS; do
			run_wrk "$s" "$label" "${rest%:*}" "${rest#*:}" "$r"
		done
	done
	# Cold miss: a URL never asked before (the origin ignores the query).
	for s in $SERVERS; do
		path="/cc/10m?cold=$r-$s-$$"
		t=$(fetch "$s" "$path" -w '%{time_starttransfer} %{time_total}')
		stored=-
		if [ "$s" != origin ]; then
			sleep 0.3
			fetch "$s" "$path"
			stored=no
			[ "$(origin_count "$path")" = 1 ] && stored=yes
		fi
		echo "$t" | awk -v r="$r" -v s="$s" -v st="$stored" '{
		    printf "%s\t%s\t%.3f\t%.3f\t%s\n", r, s, $1 * 1000,
		    $2 * 1000, st }' >>"$COLD"
	done
	r=$((r + 1))
done

# Memory after the run: peak (VmHWM) and current RSS summed over each
# server's processes.
MEM=$T/memory.tsv
printf 'server\tprocesses\tpeak_rss_kib\trss_kib\n' >"$MEM"
for s in $SERVERS; do
	pid=$(pid_of "$s")
	printf '%s\t%s\t%s\t%s\n' "$s" "$(tree_pids "$pid" | wc -l)" \
	    "$(mem_kib "$pid" VmHWM)" "$(mem_kib "$pid" VmRSS)" >>"$MEM"
done

# awk: the median of a space-separated list of numbers (0 if empty), and
# the head of a table with a column per server (after "case | conns").
AWK_LIB='
function median(s,    n, i, j, v, a) {
	n = split(s, a, " ")
	for (i = 2; i <= n; i++) {
		v = a[i]
		for (j = i - 1; j >= 1 && a[j] + 0 > v + 0; j--)
			a[j + 1] = a[j]
		a[j + 1] = v
	}
	if (n == 0) return 0
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function table_head(title, suffix,    i) {
	printf "\n### %s\n\n| case | conns |", title
	for (i = 1; i <= ns; i++) printf " %s%s |", sv[i], suffix
}
'

# The tables: medians over the rounds.
awk -F '\t' -v servers="$SERVERS" "$AWK_LIB"'
function add(k, v) { vals[k] = (k in vals) ? vals[k] " " v : v }
NR > 1 {
	row = $2 "\t" $3
	if (!(row in seen)) { seen[row] = 1; rows[++nrows] = row }
	k = row "\t" $4
	add(k "\trps", $5); add(k "\tp50", $6); add(k "\tp99", $7)
	add(k "\tcpu", $8)
	if ($11 != "-") leak[k] += $11
	err[k] += $10
}
END {
	ns = split(servers, sv, " ")
	table_head("Requests per second (median; × the origin in the same rounds)",
	    " req/s")
	printf " origin requests during proxy runs (evproxy / nginx / squid) |\n|---|---|"
	for (i = 1; i <= ns; i++) printf "---|"
	printf "---|\n"
	for (x = 1; x <= nrows; x++) {
		split(rows[x], rc, "\t")
		o = median(vals[rows[x] "\torigin\trps"])
		printf "| %s | %s |", rc[1], rc[2]
		for (i = 1; i <= ns; i++) {
			v = median(vals[rows[x] "\t" sv[i] "\trps"])
			if (sv[i] == "origin") printf " %d |", v
			else printf " %d (%.2f ×) |", v, (o > 0) ? v / o : 0
		}
		printf " %d / %d / %d |\n", leak[rows[x] "\tevproxy"],
		    leak[rows[x] "\tnginx"], leak[rows[x] "\tsquid"]
	}
	table_head("Latency p50 / p99, ms (median of the rounds)", "")
	printf "\n|---|---|"
	for (i = 1; i <= ns; i++) printf "---|"
	printf "\n"
	for (x = 1; x <= nrows; x++) {
		split(rows[x], rc, "\t")
		printf "| %s | %s |", rc[1], rc[2]
		for (i = 1; i <= ns; i++)
			printf " %.3f / %.3f |", median(vals[rows[x] "\t" sv[i] "\tp50"]),
			    median(vals[rows[x] "\t" sv[i] "\tp99"])
		printf "\n"
	}
	table_head("CPU µs per request of the server'"'"'s processes (median)", "")
	printf "\n|---|---|"
	for (i = 1; i <= ns; i++) printf "---|"
	printf "\n"
	for (x = 1; x <= nrows; x++) {
		split(rows[x], rc, "\t")
		printf "| %s | %s |", rc[1], rc[2]
		for (i = 1; i <= ns; i++)
			printf " %.1f |", median(vals[rows[x] "\t" sv[i] "\tcpu"])
		printf "\n"
	}
	e = 0
	for (k in err) e += err[k]
	if (e > 0) {
		printf "\nwrk reported errors (non-2xx or socket errors):"
		for (k in err) if (err[k] > 0) {
			kk = k; gsub(/\t/, " ", kk); printf " %s: %d;", kk, err[k] }
		printf "\n"
	}
}' "$RUNS" >"$T/table.md"

awk -F '\t' "$AWK_LIB"'
NR > 1 {
	if (!($2 in f)) order[++n] = $2
	f[$2] = f[$2] " " $3; t[$2] = t[$2] " " $4
	if ($5 == "yes") st[$2]++
	rounds[$2]++
}
END {
	printf "\n### Cold 10 MiB miss (curl, one request, median of the rounds)\n\n"
	printf "| server | first byte ms | total ms | total × direct | first byte − direct ms | stored (second request not sent to the origin) |\n"
	printf "|---|---|---|---|---|---|\n"
	of = median(f["origin"]); ot = median(t["origin"])
	for (i = 1; i <= n; i++) {
		s = order[i]; mf = median(f[s]); mt = median(t[s])
		printf "| %s | %.2f | %.2f | %.2f | %+.2f | %s |\n", s, mf, mt,
		    (ot > 0) ? mt / ot : 0, mf - of,
		    (s == "origin") ? "-" : (st[s] + 0) "/" rounds[s]
	}
}' "$COLD" >>"$T/table.md"

awk -F '\t' 'NR == 1 {
	printf "\n### Resident memory after the run (summed over the server'"'"'s processes)\n\n"
	printf "| server | processes | peak RSS (VmHWM) MiB | RSS now MiB |\n|---|---|---|---|\n"
	next }
{ printf "| %s | %s | %.1f | %.1f |\n", $1, $2, $3 / 1024, $4 / 1024 }' \
    "$MEM" >>"$T/table.md"

# The chart: median req/s of the many-connection hits per object size.
awk -F '\t' "$AWK_LIB"'
NR > 1 && $3 > 1 && $2 ~ /hit/ {
	k = $2 "\t" $4; v[k] = v[k] " " $5
	if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }
}
END {
	print "# size\torigin\tevproxy\tnginx\tsquid"
	for (i = 1; i <= n; i++) {
		s = order[i]; sub(/ hit$/, "", s)
		printf "\"%s\"\t%d\t%d\t%d\t%d\n", s, median(v[order[i] "\torigin"]),
		    median(v[order[i] "\tevproxy"]), median(v[order[i] "\tnginx"]),
		    median(v[order[i] "\tsquid"])
	}
}' "$RUNS" >"$T/chart.dat"
term="png size 800,480"
echo 'set terminal' | gnuplot 2>&1 | grep -q pngcairo &&
    term="pngcairo size 800,480 font 'sans,10'"
gnuplot <<EOF 2>"$T/gnuplot.err" || echo "peers: gnuplot failed (see $T/gnuplot.err)" >&2
set terminal $term
set output "$T/performance.png"
set title "Cache hits: median req/s per object size (10 MiB: 10 conns, others 50; $ROUNDS x ${SECS} s)"
set ylabel "requests per second (log scale)"
set xlabel "object size"
set logscale y
set yrange [10:*]
set xrange [-0.6:2.6]
set grid ytics
set key top right
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
plot "$T/chart.dat" using 2:xtic(1) title "origin (nginx direct)", \
     "" using 3 title "evproxy", "" using 4 title "nginx proxy\\\_cache", \
     "" using 5 title "squid"
EOF
if [ $CHART = 1 ] && [ -s "$T/performance.png" ]; then
	cp "$T/performance.png" "$ROOT/docs/performance.png"
	echo "peers: chart copied to docs/performance.png" >&2
fi

echo "Debian $(cat /etc/debian_version), $(nproc) cores; $ROUNDS rounds of ${SECS} s;" \
    "$(nginx -v 2>&1 | sed 's/.*: //'), $(squid -v | sed -n '1s/.*Version /squid\//p')," \
    "evproxy $("$ROOT/build/evproxy" -V 2>&1 | head -n 1)"
echo
cat "$T/table.md"
echo
echo "raw: $RUNS $COLD $MEM; chart: $T/performance.png"
