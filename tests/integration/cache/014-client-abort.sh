# cache/014-client-abort: a client that leaves in the middle of a fill
# abandons it (the documented policy): nothing partial is stored, the
# temporary file goes, and the next request is a miss served whole.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
# the origin paces the body (4 s) so the fill is under way when the client goes
U="http://$ORIGIN/bytes/2000000?rate=500000&h=Cache-Control:max-age%3D600"
curl -sS -x "http://$PROXY" --max-time 1 -o /dev/null "$U" \
    2>/dev/null
expect_log "GET http://$ORIGIN/bytes/2000000.* client closed"
i=0
while [ -n "$(ls "$T/cache/tmp")" ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
[ -z "$(ls "$T/cache/tmp")" ] || fail "temporary file left: $(ls "$T/cache/tmp")"
fetch "$U"
expect_status 200
expect_header 'Cache-Status: evproxy; fwd=miss; stored'
[ "$(wc -c <"$T/body")" -eq 2000000 ] || fail "length"
fetch "$U"
expect_header 'Cache-Status: evproxy; hit'
expect_origin_hits /bytes/2000000 2
