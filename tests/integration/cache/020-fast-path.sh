# cache/020-fast-path: plain fresh hits are answered before evhttp sees
# them (server_fast.c) and say exactly what the slow path says; whatever
# could change the answer takes the slow path; pipelined requests keep
# their order, also behind a large hit that fills the socket; a client
# that vanishes mid-hit leaves the proxy serving.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
# the counter of hits answered on the fast path
fast_hits() {
	curl -sS --max-time 5 "http://$PROXY/-/stats" |
	    sed -n 's/.*"fast_hits":\([0-9]*\).*/\1/p'
}
expect_fast() {
	_f=$(fast_hits)
	[ "$_f" = "$1" ] || fail "$2: fast hits: want $1, got $_f"
}
# the response's header lines, sorted, without what ticks (Age, ttl)
hdrs() {
	tr -d '\r' <"$T/headers" | grep -v '^HTTP/' | grep -vi '^Age:' |
	    sed 's/; ttl=[0-9]*$//' | grep -v '^$' | sort
}

S=/bytes/1024
B=/bytes/3000000
Q='?h=Cache-Control:max-age%3D600'
U="http://$ORIGIN$S$Q"
U2="http://$ORIGIN$B$Q"
fetch "$U"
expect_header 'Cache-Status: evproxy; fwd=miss; stored'
cp "$T/body" "$T/small"
fetch "$U2"
cp "$T/body" "$T/big"
expect_fast 0 "misses"

# A hit: fast, and the same as the slow path's (an unknown header sends
# a request the slow way), headers and body.
fetch "$U"
expect_status 200
expect_header 'Cache-Status: ^evproxy; hit; ttl=[0-9]+$'
expect_header 'Age: ^[0-9]+$'
expect_header 'Content-Length: ^1024$'
cmp -s "$T/body" "$T/small" || fail "the fast hit's body differs"
hdrs >"$T/fast.h"
expect_fast 1 "a plain hit"
fetch "$U" -H 'X-Anything: 1'
expect_status 200
hdrs >"$T/slow.h"
expect_fast 1 "a request with an unknown header"
diff "$T/fast.h" "$T/slow.h" >"$T/h.diff" ||
    fail "fast and slow hits differ: $(cat "$T/h.diff")"
# path form, and a file-backed body (sendfile)
fetchp "/$ORIGIN$S$Q"
expect_status 200
cmp -s "$T/body" "$T/small" || fail "path-form fast hit differs"
fetch "$U2"
expect_header 'Cache-Status: ^evproxy; hit'
cmp -s "$T/body" "$T/big" || fail "large fast hit differs"
expect_fast 3 "path form and a large hit"
expect_origin_hits "$S" 1
expect_origin_hits "$B" 1

# Requests that must take the slow path, each still answered right.
fetch "$U" -I
expect_status 200
expect_header 'Content-Length: ^1024$'
fetch "$U" -r 0-9
expect_status 206
expect_header 'Content-Range: ^bytes 0-9/1024$'
fetch "$U" --http1.0
expect_status 200
fetch "$U" -H 'Connection: close'
expect_status 200
fetch "$U" -H 'Authorization: Basic Zm9vOmJhcg=='
expect_status 200
fetch "$U" -H 'Via: 1.1 another-proxy'
expect_status 200
fetch "$U" -H 'Cache-Control: no-cache'
expect_status 200
expect_origin_hits "$S" 2
expect_fast 3 "requests the fast path must leave alone"
# a response with Vary is never answered on the fast path
V="http://$ORIGIN/bytes/300?h=Cache-Control:max-age%3D600&h=Vary:Accept"
fetch "$V"
fetch "$V"
expect_header 'Cache-Status: ^evproxy; hit'
expect_fast 3 "a Vary response"

# A stored 404 is never fast (the memo says so); each hit is still right.
F="http://$ORIGIN/status/404?h=Cache-Control:max-age%3D600"
fetch "$F"
for i in 1 2; do
	fetch "$F"
	expect_status 404
	expect_header 'Cache-Status: ^evproxy; hit'
done
expect_origin_hits /status/404 1
expect_fast 3 "a stored 404"

# Pipelined in one write: fast hit, a miss (not stored), fast hit.  The
# answers come in order; only the first is fast (evhttp then has the
# connection until its reply is written).
N="/bytes/77?h=Cache-Control:no-store"
GS="GET $U HTTP/1.1\r\nHost: $ORIGIN\r\n\r\n"
GN="GET http://$ORIGIN$N HTTP/1.1\r\nHost: $ORIGIN\r\n\r\n"
raw_http p1 --save "$T/p1" "$PROXY_PORT" "send:$GS$GN$GS" resp resp resp
expect_raw_status p1 200 1
expect_raw_header p1 'Content-Length: ^1024$' 1
expect_raw_header p1 'Content-Length: ^77$' 2
expect_raw_header p1 'Content-Length: ^1024$' 3
cmp -s "$T/p1.1" "$T/small" && cmp -s "$T/p1.3" "$T/small" ||
    fail "pipelined hits differ"
expect_fast 4 "pipelined: hit, miss, hit"

# Behind a large hit that fills the socket (a small receive buffer, the
# client reading only after a pause), a pipelined hit waits its turn.
GB="GET $U2 HTTP/1.1\r\nHost: $ORIGIN\r\n\r\n"
raw_http p2 --timeout 20 --rcvbuf 8192 --save "$T/p2" "$PROXY_PORT" \
    "send:$GB$GS$GB" sleep:0.5 resp resp resp
expect_raw_status p2 200 3
cmp -s "$T/p2.1" "$T/big" && cmp -s "$T/p2.2" "$T/small" &&
    cmp -s "$T/p2.3" "$T/big" || fail "hits behind a large hit differ"
expect_fast 7 "three pipelined hits behind a full socket"

# The same after evhttp served the connection (it must not take the end
# of our write for the end of its own last reply).
raw_http p3 --timeout 20 --rcvbuf 8192 --save "$T/p3" "$PROXY_PORT" \
    "send:$GN" resp "send:$GB" sleep:0.5 resp "send:$GS" resp "send:$GN" resp
expect_raw_status p3 200 4
cmp -s "$T/p3.2" "$T/big" && cmp -s "$T/p3.3" "$T/small" ||
    fail "hits after a slow reply differ"
expect_fast 9 "hits on a connection evhttp served before"

# A client that vanishes in the middle of a large hit.
raw_http gone --rcvbuf 8192 "$PROXY_PORT" "send:$GB" sleep:0.3
fetch "$U"
expect_status 200
cmp -s "$T/body" "$T/small" || fail "hit after a vanished client"

# PURGE drops the entry and its memo; the next request is a miss.
fetch "$U" -X PURGE
expect_status 200
fetch "$U"
expect_header 'Cache-Status: evproxy; fwd=miss; stored'
fetch "$U"
expect_header 'Cache-Status: ^evproxy; hit'
expect_origin_hits "$S" 3
expect_proxy_alive
proxy_stop
