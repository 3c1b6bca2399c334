# cache/005-conditional: a client's conditional request is answered 304
# from a fresh entry.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
U="http://$ORIGIN/bytes/40?h=Cache-Control:max-age%3D60&h=ETag:%22v1%22&h=Last-Modified:Mon,%2001%20Jan%202024%2000:00:00%20GMT"
fetch "$U"
fetch "$U" -H 'If-None-Match: "v1"'
expect_status 304
expect_header 'ETag: "v1"'
fetch "$U" -H 'If-None-Match: "v0", W/"v1"'
expect_status 304
fetch "$U" -H 'If-None-Match: "v2"'
expect_status 200
[ "$(wc -c <"$T/body")" -eq 40 ] || fail "full body expected"
fetch "$U" -H 'If-Modified-Since: Tue, 02 Jan 2024 00:00:00 GMT'
expect_status 304
fetch "$U" -H 'If-Modified-Since: Sun, 31 Dec 2023 00:00:00 GMT'
expect_status 200
expect_origin_hits /bytes/40 1
