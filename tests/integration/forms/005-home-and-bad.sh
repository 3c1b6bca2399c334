# forms/005-home-and-bad: GET / is the proxy's own page; malformed or
# hostless requests get 400 with a page naming the problem.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
fetchp "/"
expect_status 200
expect_header 'Content-Type: text/html'
expect_body_has "evproxy"
expect_body_has "/example.com/page"
fetchp "/?x=1"
expect_status 200

fetchp "/nohost"
expect_status 400
expect_header 'X-Evproxy-Error: .*names no site'
expect_body_has "<h1>400"

fetchp "/https://secure.test/"
expect_status 501

# A request line evhttp cannot parse: 400, and the proxy carries on.
raw_send "$PROXY_PORT" 'GARBAGE\r\n\r\n'
grep -q '^HTTP/1.1 4' "$T/raw" || fail "garbage request: $(head -c 100 "$T/raw")"
raw_send "$PROXY_PORT" 'GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n'
grep -q '^HTTP/1.1 400' "$T/raw" || fail "bad URL: $(head -c 100 "$T/raw")"
fetchp "/$ORIGIN/bytes/2"
expect_status 200
