# cache/002-not-stored: what a shared cache must not store (RFC 9111 §3)
# goes to the origin every time.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
twice() {
	fetch "$@"
	fetch "$@"
}
twice "http://$ORIGIN/bytes/10?h=Cache-Control:no-store"
expect_origin_hits /bytes/10 2
twice "http://$ORIGIN/bytes/11?h=Cache-Control:private,max-age%3D60"
expect_origin_hits /bytes/11 2
twice "http://$ORIGIN/bytes/12?h=Cache-Control:max-age%3D60" -H 'Authorization: Basic eDp5'
expect_origin_hits /bytes/12 2
twice "http://$ORIGIN/bytes/13?h=Cache-Control:max-age%3D60&h=Vary:*"
expect_origin_hits /bytes/13 2
twice "http://$ORIGIN/bytes/14?h=Cache-Control:max-age%3D60" -H 'Cache-Control: no-store'
expect_origin_hits /bytes/14 2
twice "http://$ORIGIN/echo/p?h=Cache-Control:max-age%3D60" -X POST --data-binary x
expect_origin_hits /echo/p 2
expect_header 'Cache-Status: evproxy; fwd=method'
# Authorization with public is storable
twice "http://$ORIGIN/bytes/15?h=Cache-Control:public,max-age%3D60" -H 'Authorization: Basic eDp5'
expect_origin_hits /bytes/15 1
# --no-cache: nothing is stored, no Cache-Status
proxy_stop
proxy_start --no-cache
twice "http://$ORIGIN/bytes/16?h=Cache-Control:max-age%3D60"
expect_origin_hits /bytes/16 2
expect_no_header Cache-Status
