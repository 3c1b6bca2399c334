# forms/002-pathform: /host/path, /host:port/path and /http://host/path all
# reach the origin and map to the same normalized URL as absolute form.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
fetchp "/$ORIGIN/echo/a?b=1"
expect_status 200
expect_body_has "GET /echo/a?b=1 HTTP/1.1"
expect_body_has "Host: $ORIGIN"
expect_log "GET http://$ORIGIN/echo/a\?b=1 200"

fetchp "/http://$ORIGIN/echo/b"
expect_status 200
expect_body_has "GET /echo/b HTTP/1.1"
expect_log "GET http://$ORIGIN/echo/b 200"

fetchp "/origin.test:$ORIGIN_PORT/bytes/4"
expect_status 200
expect_body abcd

# The same resource in both forms: one log URL (the future cache key).
fetch "http://Origin.Test:$ORIGIN_PORT/bytes/7"
fetchp "/origin.test:$ORIGIN_PORT/bytes/7"
c=$(grep -c "GET http://origin\.test:$ORIGIN_PORT/bytes/7 200" "$T/proxy.log")
[ "$c" -eq 2 ] || fail "absolute and path form logged different URLs"

# Absolute form naming the proxy itself is path form under it.
fetch "http://127.0.0.1:$PROXY_PORT/$ORIGIN/bytes/2"
expect_status 200
expect_body ab
