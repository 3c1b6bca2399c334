# cache/004-freshness: stale entries and reloads go to the origin;
# only-if-cached never does.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
# max-age=2: ages are whole seconds, and age 1 of max-age=1 is stale
U="http://$ORIGIN/bytes/30?h=Cache-Control:max-age%3D2"
fetch "$U"
fetch "$U"
expect_header 'Cache-Status: evproxy; hit'
sleep 3.1
fetch "$U"
expect_header 'Cache-Status: evproxy; fwd=stale'
expect_origin_hits /bytes/30 2

V="http://$ORIGIN/bytes/31?h=Cache-Control:max-age%3D60"
fetch "$V"
fetch "$V" -H 'Cache-Control: no-cache'
expect_header 'Cache-Status: evproxy; fwd=stale'
fetch "$V" -H 'Cache-Control: max-age=0'
expect_origin_hits /bytes/31 3
fetch "$V" -H 'Pragma: no-cache'
expect_origin_hits /bytes/31 4

fetch "$V" -H 'Cache-Control: only-if-cached'
expect_status 200
expect_header 'Cache-Status: evproxy; hit'
fetch "http://$ORIGIN/bytes/32" -H 'Cache-Control: only-if-cached'
expect_status 504
expect_origin_hits /bytes/32 0

# Expires without max-age; an Expires in the past is stale at once
fetch "http://$ORIGIN/bytes/33?h=Expires:Thu,%2001%20Jan%202037%2000:00:00%20GMT"
fetch "http://$ORIGIN/bytes/33?h=Expires:Thu,%2001%20Jan%202037%2000:00:00%20GMT"
expect_header 'Cache-Status: evproxy; hit'
fetch "http://$ORIGIN/bytes/34?h=Expires:0"
fetch "http://$ORIGIN/bytes/34?h=Expires:0"
expect_origin_hits /bytes/34 2
