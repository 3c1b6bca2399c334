# cache/012-revalidate: a stale entry with validators is revalidated
# with a conditional request; a 304 refreshes it and the stored body is
# served.  stale-while-revalidate serves at once and refreshes behind;
# stale-if-error serves the stale copy when the origin is down.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
# max-age=2: with whole-second ages, 1 could already be stale again
# right after the revalidation
U="http://$ORIGIN/bytes/80?h=Cache-Control:max-age%3D2&h=ETag:%22e1%22"
fetch "$U"
expect_header 'Cache-Status: evproxy; fwd=miss; stored'
sleep 3.1
fetch "$U"
expect_status 200
expect_header 'Cache-Status: evproxy; fwd=stale; fwd-status=304'
[ "$(wc -c <"$T/body")" -eq 80 ] || fail "revalidated body length"
expect_origin_hits /bytes/80 2
expect_log "GET http://$ORIGIN/bytes/80.* 200 REVALIDATED"
# the 304 made it fresh again
fetch "$U"
expect_header 'Cache-Status: evproxy; hit'
expect_origin_hits /bytes/80 2
# a reload revalidates too, and the client's own validator still works
fetch "$U" -H 'Cache-Control: no-cache' -H 'If-None-Match: "e1"'
expect_status 304
expect_origin_hits /bytes/80 3

# Last-Modified only
L="http://$ORIGIN/bytes/81?h=Cache-Control:max-age%3D1&h=Last-Modified:Mon,%2001%20Jan%202024%2000:00:00%20GMT"
fetch "$L"; sleep 2.2; fetch "$L"
expect_header 'Cache-Status: evproxy; fwd=stale; fwd-status=304'
[ "$(wc -c <"$T/body")" -eq 81 ] || fail "revalidated body length (LM)"

# stale-while-revalidate: the stale copy now, the origin asked behind
W="http://$ORIGIN/bytes/82?h=Cache-Control:max-age%3D1,stale-while-revalidate%3D60&h=ETag:%22w%22"
fetch "$W"; sleep 2.2
fetch "$W"
expect_status 200
expect_header 'Cache-Status: evproxy; hit'
expect_log "GET http://$ORIGIN/bytes/82.* 200 STALE"
i=0
while [ "$(origin_hits /bytes/82)" != 2 ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
expect_origin_hits /bytes/82 2
# the refresh's 304 renewed the stored Date: the age starts again
fetch "$W"
expect_header 'Cache-Status: evproxy; hit'
expect_header 'Age: ^[01]$'

# stale-if-error: the origin goes away
E="http://$ORIGIN/bytes/83?h=Cache-Control:max-age%3D1,stale-if-error%3D60"
N="http://$ORIGIN/bytes/84?h=Cache-Control:max-age%3D1&h=ETag:%22n%22"
fetch "$E"; fetch "$N"
sleep 2.2
kill "$ORIGIN_PID"
wait "$ORIGIN_PID" 2>/dev/null
fetch "$E"
expect_status 200
expect_header 'Cache-Status: evproxy; fwd=stale; detail=stale-if-error'
[ "$(wc -c <"$T/body")" -eq 83 ] || fail "stale-if-error body"
fetch "$N"
expect_status 502
