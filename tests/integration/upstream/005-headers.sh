# upstream/005-headers: RFC 9110 §7.6 both ways: hop-by-hop headers are
# dropped, Via is added, X-Forwarded-For appended, Host is the origin's.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
fetch "http://$ORIGIN/echo/h" \
    -H 'Connection: keep-alive, X-Private' -H 'X-Private: secret' \
    -H 'Keep-Alive: timeout=5' -H 'Proxy-Connection: keep-alive' \
    -H 'TE: trailers' -H 'Trailer: X-T' -H 'Upgrade: websocket' \
    -H 'Proxy-Authorization: Basic Zm9vOmJhcg==' \
    -H 'X-Forwarded-For: 192.0.2.1' -H 'Via: 1.0 upstream-proxy' \
    -H 'X-Kept: yes' -H 'Host: wrong.test'
expect_status 200
for h in Connection X-Private Keep-Alive Proxy-Connection TE Trailer \
    Upgrade Proxy-Authorization; do
	! grep -qi "^$h:" "$T/body" || fail "request header $h was forwarded"
done
expect_body_has "X-Kept: yes"
expect_body_has "Host: $ORIGIN"
grep -Eq '^X-Forwarded-For: 192\.0\.2\.1, 127\.0\.0\.1$' "$T/body" ||
    fail "X-Forwarded-For: $(grep -i '^X-Forwarded-For' "$T/body")"
grep -Eq '^Via: 1\.0 upstream-proxy, 1\.1 .*evproxy' "$T/body" ||
    fail "request Via: $(grep -i '^Via' "$T/body")"

# Response side: the origin sends Connection: close, X-Hop and friends.
fetch "http://127.0.0.1:$ORIGIN_RAW/raw/hop"
expect_status 200
expect_body ok
expect_no_header X-Hop
expect_no_header Keep-Alive
expect_no_header Upgrade
expect_header 'X-End: kept'
expect_header 'Via: 1\.1 .*evproxy'

# A request that already went through this proxy is a loop: 508.
via=$(sed -n 's/^Via: 1\.1 \(.*evproxy[^,]*\)$/\1/p' "$T/body" | head -n 1)
[ -n "$via" ] || via=$(tr -d '\r' <"$T/headers" | sed -n 's/^Via: .*1\.1 \(.*\)$/\1/p')
fetch "http://$ORIGIN/echo/loop" -H "Via: 1.1 $via"
expect_status 508
