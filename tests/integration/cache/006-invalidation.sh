# cache/006-invalidation: a successful unsafe request invalidates its URL
# and the same-origin URLs in Location and Content-Location.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
A="http://$ORIGIN/echo/a?h=Cache-Control:max-age%3D60"
B="http://$ORIGIN/bytes/50?h=Cache-Control:max-age%3D60"
fetch "$A"; fetch "$A"
expect_header 'Cache-Status: evproxy; hit'
fetch "$B"; fetch "$B"
expect_origin_hits /echo/a 1
fetch "$A" -X POST --data-binary change
expect_status 200
fetch "$A"
expect_header 'Cache-Status: evproxy; fwd=miss'
expect_body_has "GET /echo/a"

# a PUT whose response points at B through Content-Location
loc=$(printf '/bytes/50?h=Cache-Control:max-age%%3D60' | sed 's/%/%25/g; s/:/%3A/g; s/=/%3D/g; s/?/%3F/g; s/&/%26/g')
fetch "http://$ORIGIN/echo/put?h=Content-Location:$loc" -X PUT --data-binary x
fetch "$B"
expect_header 'Cache-Status: evproxy; fwd=miss'
expect_origin_hits /bytes/50 2
