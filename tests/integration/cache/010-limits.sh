# cache/010-limits: --cache-size evicts the least recently used entries;
# --max-object-size keeps large responses out (known length up front, and
# chunked ones abandoned as they pass the cap), while they are still
# proxied whole.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start --cache-size 350k --max-object-size 150k
for i in 1 2 3 4 5; do
	fetch "http://$ORIGIN/bytes/10000$i?h=Cache-Control:max-age%3D600"
	expect_status 200
done
used=$(find "$T/cache" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
[ "$used" -le 358400 ] || fail "cache files take $used bytes with a 350k budget"
fetch "http://$ORIGIN/bytes/100005?h=Cache-Control:max-age%3D600"
expect_header 'Cache-Status: evproxy; hit'
fetch "http://$ORIGIN/bytes/100001?h=Cache-Control:max-age%3D600"
expect_header 'Cache-Status: evproxy; fwd=miss'
expect_origin_hits /bytes/100001 2

fetch "http://$ORIGIN/bytes/200000?h=Cache-Control:max-age%3D600"
expect_status 200
[ "$(wc -c <"$T/body")" -eq 200000 ] || fail "large response cut"
fetch "http://$ORIGIN/bytes/200000?h=Cache-Control:max-age%3D600"
expect_origin_hits /bytes/200000 2
fetch "http://$ORIGIN/bytes/200001?chunked=1&h=Cache-Control:max-age%3D600"
[ "$(wc -c <"$T/body")" -eq 200001 ] || fail "large chunked response cut"
fetch "http://$ORIGIN/bytes/200001?chunked=1&h=Cache-Control:max-age%3D600"
expect_origin_hits /bytes/200001 2
[ -z "$(ls "$T/cache/tmp")" ] || fail "abandoned temporary files left"
