# stream/003-framing: bodies keep their framing through the proxy:
# Content-Length is kept, chunked is re-chunked, HEAD gets the origin's
# length and no body (evhttp would send one), and an HTTP/1.0 client that
# asks for keep-alive gets a close-delimited body, not "Content-Length: 0".
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
fetch "http://$ORIGIN/bytes/300000?chunked=1"
expect_status 200
expect_header 'Transfer-Encoding: chunked'
[ "$(wc -c <"$T/body")" -eq 300000 ] || fail "chunked body length"

# HEAD twice on one connection: the second reply must parse cleanly.
out=$(curl -sS -x "http://$PROXY" --max-time 10 -I \
    "http://$ORIGIN/bytes/12345" "http://$ORIGIN/bytes/12345" 2>&1)
[ "$(echo "$out" | grep -c '^HTTP/1.1 200')" -eq 2 ] || fail "HEAD x2: $out"
[ "$(echo "$out" | grep -c '^Content-Length: 12345')" -eq 2 ] ||
    fail "HEAD lost the length: $out"
raw_send "$PROXY_PORT" "HEAD http://$ORIGIN/bytes/100 HTTP/1.1\r\nHost: $ORIGIN\r\nConnection: close\r\n\r\n"
tr -d '\r' <"$T/raw" | grep -q '^Content-Length: 100$' || fail "raw HEAD: no length"
[ "$(tr -d '\r' <"$T/raw" | sed '1,/^$/d' | wc -c)" -eq 0 ] ||
    fail "HEAD reply carried body bytes"

# HTTP/1.0 + keep-alive + chunked origin.
fetch "http://$ORIGIN/bytes/5000?chunked=1" -0 -H 'Connection: keep-alive'
expect_status 200
[ "$(wc -c <"$T/body")" -eq 5000 ] || fail "HTTP/1.0 body: $(wc -c <"$T/body") bytes"
! tr -d '\r' <"$T/headers" | grep -q '^Content-Length: 0$' ||
    fail "HTTP/1.0 keep-alive got Content-Length: 0"

# 204 and 304 carry no body.
fetch "http://$ORIGIN/status/204"
expect_status 204
fetch "http://$ORIGIN/status/304"
expect_status 304
fetch "http://$ORIGIN/status/404"
expect_status 404
expect_body "status 404"
