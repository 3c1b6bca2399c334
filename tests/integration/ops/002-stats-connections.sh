# ops/002-stats-connections: /-/stats and /-/metrics count the client
# connections and the CONNECT tunnels open right now: three tunnels and
# two idle clients show, and when tunnels end (the middle one first,
# then the others) the counts go down to zero.
. "$(dirname "$0")/../lib.sh"

echo_start echo
P=$ECHO_PORT
proxy_start --connect-ports "$P"
C="CONNECT 127.0.0.1:$P HTTP/1.1\r\nHost: 127.0.0.1:$P\r\n\r\n"

# Starts tunnel client $1 in the background; sets TPID.
tunnel_start() {
	"$PYTHON" "$TOOLS/rawhttp.py" --timeout 15 "$PROXY_PORT" \
	    "send:${C}ping" resp:connect expect:ping eof >"$T/$1" 2>&1 &
	TPID=$!
	PIDS="$PIDS $TPID"
	wait_for_line "$T/$1" '^DATA .* ok ' 10 ||
	    fail "tunnel $1: $(cat "$T/$1")"
}

# Prints connections.$1 of a fresh /-/stats.
conn_stat() {
	fetchp /-/stats
	[ "$STATUS" = 200 ] || fail "/-/stats: $STATUS"
	"$PYTHON" -c 'import json, sys
print(json.load(open(sys.argv[1]))["connections"][sys.argv[2]])' \
	    "$T/body" "$1"
}

# Waits up to 5 s for connections.$1 to be $2.
expect_conn_stat() {
	i=0
	while [ "$(conn_stat "$1")" != "$2" ]; do
		i=$((i + 1))
		[ $i -lt 50 ] ||
		    fail "connections.$1: want $2, got $(conn_stat "$1")"
		sleep 0.1
	done
}

python_resolve
expect_conn_stat tunnels 0
tunnel_start t1
P1=$TPID
tunnel_start t2
P2=$TPID
tunnel_start t3
P3=$TPID
holder_start h --idle 2 --duration 20 "$PROXY_PORT"

expect_conn_stat tunnels 3
# three tunnels, two idle clients and the one asking
[ "$(conn_stat clients)" = 6 ] || fail "clients: $(head -c 600 "$T/body")"
[ "$(conn_stat tunnels_opened)" = 3 ] || fail "tunnels_opened"
fetchp /-/metrics
grep -qx 'evproxy_tunnels 3' "$T/body" ||
    fail "metrics: $(grep tunnels "$T/body")"
grep -qx 'evproxy_tunnels_total 3' "$T/body" || fail "tunnels_total"
grep -qx 'evproxy_client_connections 6' "$T/body" ||
    fail "metrics: $(grep client_connections "$T/body")"
fetchp /-/
expect_body_has '6<small> clients</small>'
expect_body_has '3 tunnels'

# the middle of the list goes first
kill "$P2"
expect_conn_stat tunnels 2
kill "$P1" "$P3"
expect_conn_stat tunnels 0
holder_stop h
expect_conn_stat clients 1
[ "$(conn_stat tunnels_opened)" = 3 ] || fail "tunnels_opened changed"
