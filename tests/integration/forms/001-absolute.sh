# forms/001-absolute: absolute-form requests (curl -x, browsers), keep-alive
# across requests (evhttp closes absolute-form connections unless told
# otherwise), and the normalized URL in the log.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
fetch "http://$ORIGIN/bytes/26"
expect_status 200
expect_body abcdefghijklmnopqrstuvwxyz
expect_header 'Content-Length: ^26$'
expect_header 'Via: 1\.1 .*evproxy'

# Host name in upper case, default port written out: one normalized URL.
fetch "http://ORIGIN.TEST:$ORIGIN_PORT/bytes/3?x=1#frag"
expect_status 200
expect_log "GET http://origin\.test:$ORIGIN_PORT/bytes/3\?x=1 200"

# Two requests in one curl run reuse the client connection.
n=$(curl -sS -x "http://$PROXY" --max-time 10 -o /dev/null -o /dev/null \
    -w '%{num_connects}\n' "http://$ORIGIN/bytes/1" "http://$ORIGIN/bytes/2")
[ "$(echo "$n" | tr '\n' ' ')" = "1 0 " ] ||
    fail "absolute-form keep-alive: connects per request: $(echo $n)"
