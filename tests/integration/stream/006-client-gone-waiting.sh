# stream/006-client-gone-waiting: a client that leaves while evproxy waits
# for a slow origin's headers is noticed at once (evhttp alone would not
# read the connection: libevent #78): its fetch is cancelled and logged.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
curl -sS -x "http://$PROXY" --max-time 0.5 -o /dev/null \
    "http://$ORIGIN/sleep/3000" 2>/dev/null
expect_log "GET http://$ORIGIN/sleep/3000 0 PROXY 0 [0-9]+ms client closed"
ms=$(sed -n "s|.*GET http://$ORIGIN/sleep/3000 0 PROXY 0 \([0-9]*\)ms.*|\1|p" \
    "$T/proxy.log")
[ "$ms" -lt 2000 ] || fail "the abort was noticed after $ms ms"
# the proxy still serves, and a pipelined request is not mistaken for EOF
printf "GET http://$ORIGIN/sleep/300 HTTP/1.1\r\nHost: $ORIGIN\r\n\r\nGET http://$ORIGIN/bytes/3 HTTP/1.1\r\nHost: $ORIGIN\r\nConnection: close\r\n\r\n" |
    nc -w 5 127.0.0.1 "$PROXY_PORT" >"$T/raw"
grep -q '^slept' "$T/raw" || fail "pipelined: first reply missing"
grep -q 'abc$' "$T/raw" || fail "pipelined: second reply missing: $(cat "$T/raw")"
