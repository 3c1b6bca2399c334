# security/007-loop: a request whose site is the proxy itself is 508 at
# once, not forwarded to itself: path form naming the proxy's own address,
# or absolute form at the proxy (its own page's namespace, where the path
# is path form) naming it again.  So is one that already carries the
# proxy's Via.  One access line per request, never a chain.  (Absolute
# form http://PROXY/ alone is the proxy's home page: forms/001.)
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
loop_lines='(GET|HEAD) [^ ]+ 508 '

n0=$(log_count "$loop_lines")
fetch "http://$PROXY/127.0.0.1:$PROXY_PORT/x"
expect_status 508
expect_header 'X-Evproxy-Error: [a-zA-Z]'
sleep 0.5
[ "$(log_count "$loop_lines")" -eq $((n0 + 1)) ] ||
    fail "absolute form at the proxy: $(grep -E "$loop_lines" "$T/proxy.log")"

n0=$(log_count "$loop_lines")
fetchp "/127.0.0.1:$PROXY_PORT/x"
expect_status 508
expect_header 'X-Evproxy-Error: [a-zA-Z]'
sleep 0.5
[ "$(log_count "$loop_lines")" -eq $((n0 + 1)) ] ||
    fail "path form naming the proxy: not one log line: $(grep -E "$loop_lines" "$T/proxy.log")"

# A request with the proxy's own Via token.
fetch "http://$ORIGIN/bytes/1"
expect_status 200
via=$(tr -d '\r' <"$T/headers" | sed -n 's/^Via: .*1\.1 \(.*evproxy[^,]*\)$/\1/p')
[ -n "$via" ] || fail "no Via in: $(cat "$T/headers")"
fetch "http://$ORIGIN/echo/loop" -H "Via: 1.1 $via"
expect_status 508
expect_header 'X-Evproxy-Error: [a-zA-Z]'
expect_origin_hits /echo/loop 0

# Nothing else went through the proxy: every request so far was one line.
fetch "http://$ORIGIN/bytes/2"
expect_status 200
[ "$(grep -c 'info: 127\.0\.0\.1 ' "$T/proxy.log")" -eq 5 ] ||
    fail "want 5 access lines: $(grep 'info: 127\.0\.0\.1 ' "$T/proxy.log")"
