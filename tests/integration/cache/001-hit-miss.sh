# cache/001-hit-miss: a max-age response is stored on the first request
# and served from disk after, in both request forms, with Age and
# Cache-Status; HEAD is answered from the stored GET.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
U="http://$ORIGIN/bytes/5000?h=Cache-Control:max-age%3D60"
fetch "$U"
expect_status 200
expect_header 'Cache-Status: evproxy; fwd=miss; stored'
[ "$(wc -c <"$T/body")" -eq 5000 ] || fail "miss body length"
cp "$T/body" "$T/first"
fetch "$U"
expect_status 200
expect_header 'Cache-Status: evproxy; hit'
expect_header 'Age: ^[0-9]+$'
expect_header 'Content-Length: ^5000$'
expect_header 'Cache-Control: max-age=60'
cmp -s "$T/body" "$T/first" || fail "the hit's body differs"
expect_origin_hits /bytes/5000 1
expect_log "GET http://$ORIGIN/bytes/5000\?h=Cache-Control:max-age%3D60 200 HIT"

# path form shares the entry
fetchp "/$ORIGIN/bytes/5000?h=Cache-Control:max-age%3D60"
expect_status 200
expect_header 'Cache-Status: evproxy; hit'
cmp -s "$T/body" "$T/first" || fail "path-form hit differs"
# HEAD from the stored GET: headers, length, no body, no origin request
fetch "$U" -I
expect_status 200
expect_header 'Content-Length: ^5000$'
expect_header 'Cache-Status: evproxy; hit'
expect_origin_hits /bytes/5000 1

# Age grows while the entry sits in the cache
sleep 2.1
fetch "$U"
expect_header 'Age: ^[2-9]$'

# a large object comes from the file (sendfile), whole
U2="http://$ORIGIN/bytes/3000000?h=Cache-Control:max-age%3D60"
fetch "$U2"
fetch "$U2"
expect_header 'Cache-Status: evproxy; hit'
[ "$(wc -c <"$T/body")" -eq 3000000 ] || fail "large hit length"
expect_origin_hits /bytes/3000000 1
