# ops/012-config: --config FILE (keys are the long option names), the
# command line wins over the file, unknown keys and bad values are errors
# naming the file and line, --check-config validates and exits; --daemon
# returns once the proxy serves, --pid-file names it and is removed at
# exit.
. "$(dirname "$0")/../lib.sh"

origin_start
dns_start

# check-config: a good file, then bad ones (exit 2, FILE:LINE: reason).
cat >"$T/good.conf" <<CONF
# evproxy test configuration
port 0
client-timeout = 30
max-uri-length 4k
allow 127.0.0.0/8
allow ::1
connect-ports "443,8443"
log-format json
no-cache yes
CONF
out=$("$PROXY_BIN" --config "$T/good.conf" --check-config 2>&1) ||
    fail "good config refused: $out"
echo "$out" | grep -q "configuration OK" || fail "check-config said: $out"

check_bad() {	# file contents, expected message (ERE)
	printf '%s\n' "$1" >"$T/bad.conf"
	rc=0
	"$PROXY_BIN" --config "$T/bad.conf" --check-config >"$T/bad.out" \
	    2>"$T/bad.err" || rc=$?
	[ $rc -eq 2 ] || fail "'$1': exit $rc, want 2"
	grep -Eq "$2" "$T/bad.err" || fail "'$1': message: $(cat "$T/bad.err")"
}
check_bad "# comment
colour blue" "bad\.conf:2: unknown key 'colour'"
check_bad "port 99999" "bad\.conf:1: port: '99999' is not a number"
check_bad "allow 10.0.0.0/33" "bad\.conf:1: allow: '10\.0\.0\.0/33'"
check_bad "no-cache maybe" "bad\.conf:1: no-cache: 'maybe' is not yes or no"
check_bad "config other.conf" "bad\.conf:1: 'config' cannot be set"
check_bad "client-timeout" "bad\.conf:1: client-timeout: needs a value"
rc=0
"$PROXY_BIN" --config "$T/missing.conf" --check-config 2>"$T/m.err" || rc=$?
[ $rc -eq 2 ] && grep -q "missing.conf: No such file" "$T/m.err" ||
    fail "missing file: exit $rc: $(cat "$T/m.err")"

# The command line wins: the file allows 100-byte targets, the command
# line 200, so a 150-byte one passes and a 250-byte one is 414; the
# file's access log and format are used.
cat >"$T/run.conf" <<CONF
access-log $T/access.log
log-format combined
dns-server 127.0.0.1:$DNS_PORT
max-uri-length 100
CONF
proxy_start --config "$T/run.conf" --max-uri-length 200
long=$(printf '%0150d' 0)
fetch "http://$ORIGIN/bytes/2?$long"
expect_status 200
wait_for_line "$T/access.log" '" 200 2 ' 5 || fail "the file's access log is not used"
long=$(printf '%0250d' 0)
fetch "http://$ORIGIN/bytes/2?$long"
expect_status 414
proxy_stop || fail "SIGTERM"

# --daemon: the command returns 0 once the proxy serves; the PID file
# names the daemon; SIGTERM ends it and removes the file.
port=$(free_port)
rc=0
timeout 20 "$PROXY_BIN" --daemon --pid-file "$T/evproxy.pid" -p "$port" \
    --dns-server "127.0.0.1:$DNS_PORT" --no-cache \
    --error-log "$T/daemon.log" >"$T/daemon.out" 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "--daemon exited $rc: $(cat "$T/daemon.out" "$T/daemon.log")"
[ -s "$T/evproxy.pid" ] || fail "no PID file"
dpid=$(cat "$T/evproxy.pid")
kill -0 "$dpid" 2>/dev/null || fail "PID $dpid from the file is not running"
STATUS=$(curl -sS -x "http://127.0.0.1:$port" --max-time 5 -o /dev/null \
    -w '%{http_code}' "http://$ORIGIN/bytes/1") || true
[ "$STATUS" = 200 ] || fail "the daemon does not serve: $STATUS"
kill -TERM "$dpid"
i=0
while kill -0 "$dpid" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 "$dpid" 2>/dev/null && { kill -KILL "$dpid"; fail "the daemon did not stop"; }
[ ! -e "$T/evproxy.pid" ] || fail "the PID file was left behind"
grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/daemon.log" &&
    fail "sanitizer report: $(cat "$T/daemon.log")"
# stdout is /dev/null once detached: --access-log - is refused
rc=0
"$PROXY_BIN" --daemon --access-log - --no-cache -p 0 >/dev/null \
    2>"$T/d3.err" || rc=$?
[ $rc -eq 2 ] || fail "--daemon --access-log -: exit $rc: $(cat "$T/d3.err")"
# a daemon that cannot start makes the command fail, and says why on
# the terminal (the error log is only opened once it serves)
rc=0
timeout 20 "$PROXY_BIN" --daemon -p "$ORIGIN_PORT" --no-cache \
    --error-log "$T/daemon2.log" >/dev/null 2>"$T/d2.err" || rc=$?
[ $rc -ne 0 ] || fail "--daemon on a busy port exited 0"
grep -q "cannot listen" "$T/d2.err" || fail "no reason on stderr: $(cat "$T/d2.err")"
