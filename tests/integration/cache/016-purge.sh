# cache/016-purge: PURGE removes a cached URL in either request form
# (200, or 404 when it was not cached); other unknown methods get 501.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
U="http://$ORIGIN/bytes/90?h=Cache-Control:max-age%3D600"
fetch "$U"
fetch "$U"
expect_header 'Cache-Status: evproxy; hit'
fetch "$U" -X PURGE
expect_status 200
expect_body_has "purged 1"
expect_log "PURGE http://$ORIGIN/bytes/90.* 200 PURGE"
fetch "$U"
expect_header 'Cache-Status: evproxy; fwd=miss'
expect_origin_hits /bytes/90 2
fetchp "/$ORIGIN/bytes/90?h=Cache-Control:max-age%3D600" -X PURGE
expect_status 200
fetch "$U" -X PURGE
expect_status 404
expect_header 'X-Evproxy-Error: .*not in the cache'
# an unknown method is refused, and the connection goes on serving
fetch "$U" -X BREW
expect_status 501
# the same connection: PURGE, then GET, then an unknown method
out=$(curl -sS -x "http://$PROXY" --max-time 10 -o /dev/null -w '%{http_code} ' \
    "$U" -X PURGE --next -x "http://$PROXY" -o /dev/null -w '%{http_code} ' "$U" \
    --next -x "http://$PROXY" -o /dev/null -w '%{http_code}' -X BREW "$U")
[ "$out" = "404 200 501" ] || fail "keep-alive sequence: $out"
fetch "$U" -X PURGE
expect_status 200
