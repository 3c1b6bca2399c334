# lib.sh: helpers for evproxy's integration scenarios (POSIX sh).
#
# A scenario sources this file, starts what it needs and asserts:
#	. "$(dirname "$0")/../lib.sh"
#	origin_start; dns_start; proxy_start
#	fetch "http://$ORIGIN/bytes/10"; expect_status 200
#
# Everything runs on loopback with ephemeral ports: the suite's origin
# (origin.c), its DNS server (dnsd.c) and the daemon under test, which is
# always pointed at that DNS server so no query leaves the machine.  Each
# wait is bounded.  On exit every process started here is stopped by PID;
# the daemon must then exit 0 with a clean sanitizer report.
#
# Environment: PROXY_BIN, ORIGIN_BIN, DNSD_BIN, MKCACHE_BIN (set by CTest;
# mkcache.c writes entry files for scenarios that need many);
# EVPROXY_SANITIZE=1 when they were built with ASan/UBSan;
# PROXY_USE_RUNNING=host:port to test a daemon you started yourself;
# PYTHON=/usr/bin/python3 (say) picks the interpreter of tools/;
# PROXY_WRAP="prlimit --nofile=40:40" (say) to run the daemon under a
# command that execs it (so $PROXY_PID stays the daemon's);
# ORIGIN_ADDR=127.0.0.2 (say) to start the origin on another address;
# CHROMIUM=/path/to/chromium and BROWSER_TIMEOUT=SECS for browser_load.
# The python3 helpers in tools/ (raw HTTP client, echo server, connection
# holder) are run through the raw_http, echo_start and holder_start
# helpers at the end of this file.
set -u

TEST_NAME=$(basename "$0" .sh)
T=$(mktemp -d "${TMPDIR:-/tmp}/evproxy-$TEST_NAME.XXXXXX")
PIDS=""
PROXY_PID=""
STATUS=""
CURL_RC=0
: "${PROXY_BIN:=evproxy}"
: "${ORIGIN_BIN:=evproxy-test-origin}"
: "${DNSD_BIN:=evproxy-test-dnsd}"
: "${MKCACHE_BIN:=evproxy-test-mkcache}"
: "${EVPROXY_SANITIZE:=0}"
: "${PYTHON:=python3}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# Prints the logs of the failed scenario.
dump_logs() {
	for f in "$T"/proxy.log "$T"/origin.log "$T"/dnsd.log; do
		[ -f "$f" ] || continue
		echo "---- $(basename "$f") (last 40 lines)" >&2
		tail -n 40 "$f" >&2
	done
}

# Fails the scenario with a message.
fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	dump_logs
	exit 1
}

# Stops what we started; checks that the daemon shut down cleanly.
cleanup() {
	rc=$?
	trap - EXIT INT TERM
	if [ -n "$PROXY_PID" ]; then
		proxy_stop || rc=1
	fi
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	# a scenario's own teardown (e.g. umount), after its processes
	if [ -n "${ON_EXIT:-}" ]; then
		eval "$ON_EXIT" || true
	fi
	if [ $rc -eq 0 ]; then
		rm -rf "$T"
		echo "PASS: $TEST_NAME"
	else
		echo "(files kept in $T)" >&2
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM PIPE

# Waits up to $3 seconds for file $1 to contain a line matching ERE $2.
wait_for_line() {
	i=0
	max=$(($3 * 10))
	while [ $i -lt $max ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# Starts the suite's origin on ORIGIN_ADDR (default 127.0.0.1); sets
# ORIGIN_PORT, ORIGIN_RAW, ORIGIN and ORIGIN_PID.
origin_start() {
	"$ORIGIN_BIN" -a "${ORIGIN_ADDR:-127.0.0.1}" "$@" >"$T/origin.out" \
	    2>"$T/origin.log" &
	ORIGIN_PID=$!
	PIDS="$PIDS $!"
	wait_for_line "$T/origin.out" '^PORT ' 10 || fail "origin did not start"
	ORIGIN_PORT=$(awk '/^PORT /{print $2}' "$T/origin.out")
	ORIGIN_RAW=$(awk '/^PORT /{print $3}' "$T/origin.out")
	ORIGIN="${ORIGIN_ADDR:-127.0.0.1}:$ORIGIN_PORT"
}

# Starts the suite's DNS server; sets DNS_PORT.
dns_start() {
	"$DNSD_BIN" -a 127.0.0.1 >"$T/dnsd.out" 2>"$T/dnsd.log" &
	PIDS="$PIDS $!"
	wait_for_line "$T/dnsd.out" '^PORT ' 10 || fail "dnsd did not start"
	DNS_PORT=$(awk '/^PORT /{print $2}' "$T/dnsd.out")
}

# Starts evproxy with extra options; sets PROXY_PORT and PROXY.
# The listen address defaults to 127.0.0.1 (PROXY_ADDR overrides); the
# cache lives in $T/cache and survives a proxy_stop/proxy_start pair.
proxy_start() {
	if [ -n "${PROXY_USE_RUNNING:-}" ]; then
		PROXY=$PROXY_USE_RUNNING
		PROXY_PORT=${PROXY##*:}
		return 0
	fi
	[ -n "${DNS_PORT:-}" ] || dns_start
	# a restart must not read the previous run's lines: empty the
	# output first (the child's own truncation may come too late) and
	# look only at log lines written after this point
	: >"$T/proxy.out"
	_logn=$(cat "$T/proxy.log" 2>/dev/null | wc -l)
	${PROXY_WRAP:-} "$PROXY_BIN" -p 0 --dns-server "127.0.0.1:$DNS_PORT" \
	    --cache-dir "$T/cache" "$@" \
	    ${PROXY_ADDR:-} >"$T/proxy.out" 2>>"$T/proxy.log" &
	PROXY_PID=$!
	wait_for_line "$T/proxy.out" '^Ready to serve\.\.\.$' 15 ||
	    fail "evproxy did not print 'Ready to serve...'"
	PROXY_PORT=$(tail -n +$((_logn + 1)) "$T/proxy.log" |
	    sed -n 's/.*listening on .* port \([0-9]*\).*/\1/p' | tail -n 1)
	[ -n "$PROXY_PORT" ] || fail "no port in the proxy log"
	case "${PROXY_ADDR:-127.0.0.1}" in
	*:*)	PROXY="[${PROXY_ADDR}]:$PROXY_PORT" ;;
	*)	PROXY="${PROXY_ADDR:-127.0.0.1}:$PROXY_PORT" ;;
	esac
}

# SIGTERMs the proxy; fails unless it exits 0 with a clean sanitizer log.
proxy_stop() {
	pid=$PROXY_PID
	PROXY_PID=""
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		echo "FAIL: $TEST_NAME: evproxy did not exit on SIGTERM" >&2
		return 1
	fi
	wait "$pid"
	prc=$?
	if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
	    "$T/proxy.log"; then
		echo "FAIL: $TEST_NAME: sanitizer report:" >&2
		grep -A 30 -E 'ERROR: |runtime error:' "$T/proxy.log" | head -60 >&2
		return 1
	fi
	if [ $prc -ne 0 ]; then
		echo "FAIL: $TEST_NAME: evproxy exited $prc" >&2
		tail -n 20 "$T/proxy.log" >&2
		return 1
	fi
	return 0
}

# curl through the proxy (absolute form).  Sets STATUS and CURL_RC; the
# body is in $T/body and the headers in $T/headers.
fetch() {
	url=$1
	shift
	CURL_RC=0
	STATUS=$(curl -sS -x "http://$PROXY" --max-time "${FETCH_TIMEOUT:-20}" \
	    -o "$T/body" -D "$T/headers" -w '%{http_code}' "$@" "$url" \
	    2>"$T/curl.err") || CURL_RC=$?
}

# curl straight at the proxy in path form: fetchp /host:port/path.
fetchp() {
	path=$1
	shift
	CURL_RC=0
	STATUS=$(curl -sS --max-time "${FETCH_TIMEOUT:-20}" -o "$T/body" \
	    -D "$T/headers" -w '%{http_code}' "$@" "http://$PROXY$path" \
	    2>"$T/curl.err") || CURL_RC=$?
}

# Asserts the last fetch's status.
expect_status() {
	[ "$STATUS" = "$1" ] ||
	    fail "status: want $1, got $STATUS (curl rc $CURL_RC: $(cat "$T/curl.err"))"
}

# Asserts the last fetch's body is exactly $1 (a trailing newline is ignored).
expect_body() {
	got=$(cat "$T/body")
	[ "$got" = "$1" ] || fail "body: want '$1', got '$(head -c 200 "$T/body")'"
}

# Asserts the body contains the fixed string $1.
expect_body_has() {
	grep -qF -- "$1" "$T/body" || fail "body lacks '$1': $(head -c 300 "$T/body")"
}

# Asserts the body does not contain the fixed string $1.
expect_body_lacks() {
	! grep -qiF -- "$1" "$T/body" || fail "body has '$1'"
}

# Asserts a response header matches "Name: ERE" (name case-insensitive).
expect_header() {
	name=${1%%:*}
	re=${1#*: }
	tr -d '\r' <"$T/headers" | grep -i "^$name: " | sed 's/^[^:]*: //' |
	    grep -Eq -- "$re" ||
	    fail "header '$name' does not match '$re': $(tr -d '\r' <"$T/headers" | grep -i "^$name:")"
}

# Asserts the response has no header of that name.
expect_no_header() {
	! tr -d '\r' <"$T/headers" | grep -qi "^$1:" ||
	    fail "unexpected header: $(tr -d '\r' <"$T/headers" | grep -i "^$1:")"
}

# Asks the origin's control URL $1 directly.  Each question costs the
# origin a connection: they are counted in a file (this may run in a
# subshell) so that origin_conns can leave them out.
origin_ctl() {
	n=$(cat "$T/.ctl" 2>/dev/null || echo 0)
	echo $((n + 1)) >"$T/.ctl"
	curl -sS --max-time 5 "http://$ORIGIN$1"
}

# The origin's hit count for a path.
origin_hits() {
	origin_ctl "/_hits?path=$1"
}

# Asserts the origin saw path $1 exactly $2 times.
expect_origin_hits() {
	got=$(origin_hits "$1")
	[ "$got" = "$2" ] || fail "origin hits for $1: want $2, got $got"
}

# The number of TCP connections the origin accepted from the proxy (the
# suite's own control questions left out).
origin_conns() {
	c=$(origin_ctl /_conns)
	echo $((c - $(cat "$T/.ctl")))
}

# Asserts the proxy's log has a line matching ERE $1 (waits up to 5 s).
expect_log() {
	wait_for_line "$T/proxy.log" "$1" 5 || fail "no log line matches '$1'"
}

# Resident memory of the proxy in KiB.
proxy_rss_kb() {
	awk '/^VmRSS:/{print $2}' "/proc/$PROXY_PID/status"
}

# Milliseconds since the epoch.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# Samples the proxy's RSS every 50 ms while PID $1 runs (at most 20 s);
# keeps the peak in peak_kb (set it to a baseline first).
watch_rss() {
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt 400 ]; do
		_kb=$(proxy_rss_kb)
		[ "$_kb" -gt "$peak_kb" ] && peak_kb=$_kb
		sleep 0.05
		_i=$((_i + 1))
	done
}

# Asserts the proxy process is still running.
expect_proxy_alive() {
	kill -0 "$PROXY_PID" 2>/dev/null || fail "evproxy is not running"
}

# Sends raw bytes (printf format $2) to port $1 and saves the answer.
raw_send() {
	# no half-close (-q, -N): evproxy takes EOF from a waiting client as
	# an abort, as Squid and nginx do
	printf "$2" | nc -w 5 127.0.0.1 "$1" >"$T/raw" 2>/dev/null
}

# ---- Raw clients, tunnels and load: helpers around tools/*.py ----

TOOLS=$(cd "$(dirname "$0")/../tools" 2>/dev/null && pwd)

# Replaces $PYTHON with the interpreter's real path, once: a pyenv shim
# costs a second per start, enough to upset a scenario's timing.  The
# helpers below call it; call it yourself before starting "$PYTHON" in
# the background.
python_resolve() {
	case $PYTHON in
	/*)	return 0 ;;
	esac
	_py=$("$PYTHON" -c 'import sys; print(sys.executable)') ||
	    fail "no $PYTHON (the tools/ helpers need python3)"
	[ -n "$_py" ] && PYTHON=$_py
}

# Runs tools/rawhttp.py with arguments $2...; its report (one event a
# line: STATUS, HDR, BODY, CLOSED ...) goes to $T/$1.
raw_http() {
	_rh=$1
	shift
	python_resolve
	"$PYTHON" "$TOOLS/rawhttp.py" "$@" >"$T/$_rh" 2>"$T/$_rh.err" ||
	    fail "rawhttp.py $*: $(cat "$T/$_rh.err")"
}

# Prints the status code of final response $2 (default 1) in report $1.
raw_status() {
	awk -v n="${2:-1}" '$1 == "STATUS" && $4 !~ /^1/ {
		if (++k == n) { print $4; exit } }' "$T/$1"
}

# Prints the header lines of final response $2 (default 1) in report $1.
raw_headers() {
	awk -v n="${2:-1}" '$1 == "STATUS" {
		inr = ($4 !~ /^1/ && ++k == n); next }
	    $1 == "HDR" { if (inr) { sub(/^HDR /, ""); print }; next }
	    { inr = 0 }' "$T/$1"
}

# Prints the time (s since the client started) of the $3-th (default 1)
# event $2 in report $1, e.g. raw_time r1 STATUS.
raw_time() {
	awk -v e="$2" -v n="${3:-1}" '$1 == e { if (++k == n) {
		print $2; exit } }' "$T/$1"
}

# Prints the wall-clock time (epoch s) of event $2 (as raw_time).
raw_epoch() {
	awk -v e="$2" -v n="${3:-1}" '$1 == "START" { s = $2 }
	    $1 == e { if (++k == n) { printf "%.3f\n", s + $2; exit } }' \
	    "$T/$1"
}

# Asserts final response $3 (default 1) of report $1 has status $2.
expect_raw_status() {
	_got=$(raw_status "$1" "${3:-1}")
	[ "$_got" = "$2" ] ||
	    fail "$1: status: want $2, got '${_got}': $(head -c 600 "$T/$1")"
}

# Asserts a header of final response $3 (default 1) of report $1 matches
# "Name: ERE" (name case-insensitive).
expect_raw_header() {
	_name=${2%%:*}
	_re=${2#*: }
	raw_headers "$1" "${3:-1}" | grep -i "^$_name:" |
	    sed 's/^[^:]*: *//' | grep -Eq -- "$_re" ||
	    fail "$1: header '$_name' does not match '$_re': $(head -c 600 "$T/$1")"
}

# Asserts report $1 ends with the peer closing the connection (EOF or a
# reset), at most $2 s (default: any time) after the client started.
expect_raw_closed() {
	_t=$(awk '$1 == "CLOSED" || $1 == "RESET" { print $2; exit }' \
	    "$T/$1")
	[ -n "$_t" ] ||
	    fail "$1: the connection was not closed: $(tail -n 3 "$T/$1")"
	[ -z "${2:-}" ] || expect_between "$1: close time" "$_t" 0 "$2"
}

# Asserts $3 <= $2 <= $4 (decimals); $1 names the quantity.
expect_between() {
	awk -v x="$2" -v lo="$3" -v hi="$4" 'BEGIN {
		exit !(x != "" && x + 0 >= lo + 0 && x + 0 <= hi + 0) }' ||
	    fail "$1: '$2' is not within [$3, $4]"
}

# Starts tools/echod.py (options $2...) with its events in $T/$1.out;
# sets ECHO_PORT.
echo_start() {
	_eo=$1
	shift
	python_resolve
	"$PYTHON" "$TOOLS/echod.py" "$@" >"$T/$_eo.out" 2>"$T/$_eo.log" &
	PIDS="$PIDS $!"
	wait_for_line "$T/$_eo.out" '^PORT ' 10 || fail "echod.py did not start"
	ECHO_PORT=$(awk '/^PORT /{ print $2; exit }' "$T/$_eo.out")
}

# Starts tools/holder.py (options $2...) in the background, its report in
# $T/$1; waits up to 30 s for READY.  Sets HOLDER_PID.  Touch
# $T/$1.release to make it let go (holder_stop does).
holder_start() {
	_ho=$1
	shift
	python_resolve
	"$PYTHON" "$TOOLS/holder.py" --release "$T/$_ho.release" "$@" \
	    >"$T/$_ho" 2>"$T/$_ho.err" &
	HOLDER_PID=$!
	PIDS="$PIDS $!"
	wait_for_line "$T/$_ho" '^READY ' 30 ||
	    fail "holder.py not ready: $(cat "$T/$_ho" "$T/$_ho.err")"
}

# Makes holder $1 let go and waits (up to 10 s) for its STATS line.
holder_stop() {
	touch "$T/$1.release"
	wait_for_line "$T/$1" '^STATS ' 10 ||
	    fail "holder.py did not stop: $(cat "$T/$1.err")"
}

# Prints value $2 of the holder's STATS line (of READY when $3 is READY).
holder_stat() {
	awk -v k="$2" -v tag="${3:-STATS}" '$1 == tag {
		for (i = 2; i <= NF; i++) if (index($i, k "=") == 1) {
			print substr($i, length(k) + 2); exit } }' "$T/$1"
}

# Prints a loopback TCP port that was free a moment ago.
free_port() {
	python_resolve
	"$PYTHON" -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The proxy's CPU time so far (user + system), in clock ticks.
proxy_cpu_ticks() {
	sed 's/^.*) //' "/proc/$PROXY_PID/stat" | awk '{ print $12 + $13 }'
}

# The number of file descriptors the proxy has open.
proxy_fd_count() {
	ls "/proc/$PROXY_PID/fd" | wc -l
}

# Counts the lines of the proxy log that match ERE $1.
log_count() {
	grep -Ec -- "$1" "$T/proxy.log"
}

# ---- A real browser: headless Chromium (browser/) ----

# The suite's test page and its sub-resources (origin.c, /site/).
BROWSER_SITE="/site/page.html /site/style.css /site/img/a.png /site/app.js"

# Loads URL $2 in headless Chromium (extra flags $3..., e.g. the proxy)
# with a fresh profile, so nothing can come from the browser's own cache.
# Saves the DOM after the load event in $T/$1.html, a 400x300 screenshot
# in $T/$1.png and Chromium's noisy stderr in $T/$1.err.  CHROMIUM names
# the browser (default chromium); a missing one fails the scenario.  The
# run is bounded by BROWSER_TIMEOUT seconds (default 45).
browser_load() {
	_bn=$1
	_bu=$2
	shift 2
	command -v "${CHROMIUM:-chromium}" >/dev/null 2>&1 || fail \
	    "${CHROMIUM:-chromium} not found: this scenario needs a real" \
	    "browser (apt-get install chromium; the CI installs it)"
	mkdir -p "$T/$_bn.home"
	# timeout puts itself and the browser in a process group of their
	# own (no --foreground); on expiry it signals that whole group, and
	# afterwards the group is killed by its ID, whatever remains of it
	HOME="$T/$_bn.home" XDG_CONFIG_HOME="$T/$_bn.home/config" \
	    XDG_CACHE_HOME="$T/$_bn.home/cache" \
	    timeout -k 5 "${BROWSER_TIMEOUT:-45}" "${CHROMIUM:-chromium}" \
	    --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
	    --no-first-run --no-default-browser-check --disable-sync \
	    --disable-background-networking --disable-component-update \
	    --disable-extensions --disable-default-apps \
	    --user-data-dir="$T/$_bn.profile" --window-size=400,300 \
	    --force-device-scale-factor=1 --hide-scrollbars \
	    --screenshot="$T/$_bn.png" --dump-dom "$@" "$_bu" \
	    </dev/null >"$T/$_bn.html" 2>"$T/$_bn.err" &
	_bp=$!
	PIDS="$PIDS $_bp"
	wait "$_bp"
	_brc=$?
	PIDS=${PIDS% $_bp}
	kill -KILL "-$_bp" 2>/dev/null
	_be=$(grep -v dbus "$T/$_bn.err" | tail -n 5)
	case $_brc in
	0)	;;
	124|137)
		fail "$_bn: chromium ran over ${BROWSER_TIMEOUT:-45} s: $_be" ;;
	*)	fail "$_bn: chromium exited $_brc: $_be" ;;
	esac
	[ -s "$T/$_bn.html" ] && [ -s "$T/$_bn.png" ] ||
	    fail "$_bn: chromium wrote no DOM or no screenshot: $_be"
}

# Asserts that browser_load $1 rendered the test page with all its
# sub-resources.  In the DOM: app.js ran and, after the load event, found
# the stylesheet applied to #box and the image decoded.  In the
# screenshot: #box is blue (#2080ff) where the page says it is, and
# nowhere else, and the image's 8x8 checkerboard is where the page says.
expect_page_rendered() {
	_d="$T/$1.html"
	for _a in 'data-js="ran"' 'data-loaded="yes"' 'data-box-width="123px"' \
	    'data-box-bg="rgb(32, 128, 255)"' 'data-img="8x8"'; do
		grep -qF -- "$_a" "$_d" ||
		    fail "$1: the DOM lacks $_a: $(grep '<body' "$_d")"
	done
	_box=$(sed -n 's/.* data-box-rect="\([0-9,]*\)".*/\1/p' "$_d")
	_img=$(sed -n 's/.* data-img-rect="\([0-9,]*\)".*/\1/p' "$_d")
	python_resolve
	"$PYTHON" - "$T/$1.png" "$_box" "$_img" >"$T/$1.pixels" 2>&1 <<'EOF' ||
import struct, sys, zlib

def png_rows(path):
    # 8-bit RGB(A), non-interlaced, as Chromium writes screenshots
    d = open(path, "rb").read()
    if d[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("not a PNG")
    i, idat = 8, b""
    while i < len(d):
        n, = struct.unpack(">I", d[i:i + 4])
        t, c = d[i + 4:i + 8], d[i + 8:i + 8 + n]
        i += 12 + n
        if t == b"IHDR":
            w, h, depth, ctype, _, _, lace = struct.unpack(">IIBBBBB", c)
        elif t == b"IDAT":
            idat += c
    if depth != 8 or ctype not in (2, 6) or lace:
        sys.exit("unexpected PNG format %d/%d/%d" % (depth, ctype, lace))
    bpp = 3 if ctype == 2 else 4
    raw, stride, p = zlib.decompress(idat), w * bpp, 0
    prev, rows = bytearray(stride), []
    for y in range(h):
        f, line = raw[p], bytearray(raw[p + 1:p + 1 + stride])
        p += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[x] = (line[x] + pr) & 255
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, bpp)])
        prev = line
    return rows

def rect(s):
    try:
        x, y, w, h = (int(v) for v in s.split(","))
    except ValueError:
        sys.exit("bad rect '%s'" % s)
    return x, y, w, h

def count(rows, colour, r=None):
    x0, y0, w, h = r if r else (0, 0, len(rows[0]), len(rows))
    return sum(px == colour for row in rows[y0:y0 + h] for px in row[x0:x0 + w])

rows = png_rows(sys.argv[1])
box, img = rect(sys.argv[2]), rect(sys.argv[3])
blue, red, dark = (32, 128, 255), (224, 64, 32), (32, 96, 224)
inbox, allblue = count(rows, blue, box), count(rows, blue)
print("box", box, "blue", inbox, "of", box[2] * box[3], "total", allblue)
if inbox < box[2] * box[3] // 2 or allblue != inbox:
    sys.exit("#box is not blue where the page puts it")
n1, n2 = count(rows, red, img), count(rows, dark, img)
print("img", img, "checkerboard", n1, n2, "of", img[2] * img[3])
if n1 + n2 < img[2] * img[3] * 9 // 10 or min(n1, n2) < img[2] * img[3] // 3:
    sys.exit("the image's checkerboard is not where the page puts it")
EOF
	    fail "$1: screenshot $T/$1.png: $(tail -n 3 "$T/$1.pixels")"
}

# Asserts that the origin saw each path of the test page exactly once and
# that the proxy's log, after its first $2 lines, says it served each
# with cache result $1 (MISS or HIT); waits up to 5 s for the lines.
expect_site_served() {
	for _p in $BROWSER_SITE; do
		expect_origin_hits "$_p" 1
		_i=0
		until tail -n +$(($2 + 1)) "$T/proxy.log" |
		    grep -qF " GET http://$ORIGIN$_p 200 $1 "; do
			[ $_i -lt 50 ] ||
			    fail "no '$1' log line for $_p after line $2"
			sleep 0.1
			_i=$((_i + 1))
		done
	done
}
