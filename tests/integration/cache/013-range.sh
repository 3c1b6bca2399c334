# cache/013-range: a single byte range of a cached object is answered 206
# from the file; unsatisfiable ranges 416; If-Range and multiple ranges
# fall back to the whole object.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
U="http://$ORIGIN/bytes/1000?h=Cache-Control:max-age%3D60&h=ETag:%22r1%22"
fetch "$U"
fetch "$U" -H 'Range: bytes=26-51'
expect_status 206
expect_header 'Content-Range: ^bytes 26-51/1000$'
expect_header 'Content-Length: ^26$'
expect_body abcdefghijklmnopqrstuvwxyz
fetch "$U" -r -3
expect_status 206
expect_header 'Content-Range: ^bytes 997-999/1000$'
expect_body jkl
fetch "$U" -r 990-
expect_status 206
[ "$(wc -c <"$T/body")" -eq 10 ] || fail "open range length"
fetch "$U" -r 5000-
expect_status 416
expect_header 'Content-Range: ^bytes \*/1000$'
fetch "$U" -r 0-1,5-6
expect_status 200
[ "$(wc -c <"$T/body")" -eq 1000 ] || fail "multi-range fallback"
fetch "$U" -r 0-9 -H 'If-Range: "r1"'
expect_status 206
fetch "$U" -r 0-9 -H 'If-Range: "other"'
expect_status 200
expect_origin_hits /bytes/1000 1
