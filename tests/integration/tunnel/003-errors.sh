# tunnel/003-errors: CONNECT to a port outside --connect-ports (443 by
# default) is 403; to a name that does not exist 404; to a closed port
# 502; to a name whose lookup times out 502, as for GET (upstream/003) --
# each followed by a close.
# --tunnel-timeout closes an idle tunnel but not a busy one.  A client
# outside --allow gets 403 for CONNECT too.
. "$(dirname "$0")/../lib.sh"

echo_start echo
P=$ECHO_PORT
CLOSED=$(free_port)

# Sends CONNECT to $2 as case $1 and asserts status $3, then a close.
expect_connect_fails() {
	raw_http "$1" --timeout 8 "$PROXY_PORT" \
	    "send:CONNECT $2 HTTP/1.1\r\nHost: $2\r\n\r\n" resp:connect eof
	expect_raw_status "$1" "$3"
	expect_raw_closed "$1"
}

# Default --connect-ports (443): the echo port is refused.
proxy_start --dns-timeout 1
expect_connect_fails not-443 "127.0.0.1:$P" 403
expect_connect_fails nx nx.test:443 404
expect_connect_fails dns-timeout timeout.test:443 502
grep -q '^ACCEPT' "$T/echo.out" && fail "a refused CONNECT reached the server"
expect_proxy_alive
proxy_stop || fail "SIGTERM"

# A closed port that is in the list; the echo port still is not.
proxy_start --connect-ports "443,$CLOSED"
expect_connect_fails closed "127.0.0.1:$CLOSED" 502
expect_connect_fails not-listed "127.0.0.1:$P" 403
grep -q '^ACCEPT' "$T/echo.out" && fail "a refused CONNECT reached the server"
proxy_stop || fail "SIGTERM"

# --tunnel-timeout 1: a busy tunnel (a byte every 0.4 s for 2.4 s) lives,
# an idle one is closed after about 1 s.
proxy_start --connect-ports "$P" --tunnel-timeout 1
C="CONNECT 127.0.0.1:$P HTTP/1.1\r\nHost: 127.0.0.1:$P\r\n\r\n"
raw_http busy --timeout 5 "$PROXY_PORT" "send:$C" resp:connect \
    send:a expect:a sleep:0.4 send:b expect:b sleep:0.4 \
    send:c expect:c sleep:0.4 send:d expect:d sleep:0.4 \
    send:e expect:e sleep:0.4 send:f expect:f sleep:0.4 send:g expect:g
expect_raw_status busy 200
[ "$(grep -c '^DATA .* ok ' "$T/busy")" -eq 7 ] ||
    fail "a busy tunnel was cut: $(grep -E '^(DATA|CLOSED|RESET)' "$T/busy")"
raw_http idle --timeout 5 "$PROXY_PORT" "send:${C}x" resp:connect expect:x \
    eof
expect_raw_status idle 200
expect_raw_closed idle
expect_between "idle tunnel closed after (s)" \
    "$(awk -v a="$(raw_time idle DATA)" \
    -v b="$(awk '$1 == "CLOSED" || $1 == "RESET" { print $2 }' "$T/idle")" \
    'BEGIN { print b - a }')" 0.8 2.5
proxy_stop || fail "SIGTERM"

# A client outside --allow: 403 for CONNECT as for anything else.
proxy_start --connect-ports "$P" --allow 127.0.0.2/32
n=$(grep -c '^ACCEPT' "$T/echo.out")
expect_connect_fails denied "127.0.0.1:$P" 403
[ "$(grep -c '^ACCEPT' "$T/echo.out")" -eq "$n" ] ||
    fail "a denied CONNECT reached the server"
raw_http allowed --source 127.0.0.2 --timeout 5 "$PROXY_PORT" \
    "send:${C}ok" resp:connect expect:ok
expect_raw_status allowed 200
grep -q '^DATA .* ok ' "$T/allowed" || fail "allowed: $(cat "$T/allowed")"
