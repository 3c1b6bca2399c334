# cache/007-restart: the cache persists across restarts: the index is
# rebuilt from the directory and entries are hits again.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
for i in 1 2 3; do
	fetch "http://$ORIGIN/bytes/6$i?h=Cache-Control:max-age%3D600"
done
expect_origin_hits /bytes/61 1
proxy_stop || fail "stop"
proxy_start
expect_log 'cache: 3 entries'
for i in 1 2 3; do
	fetch "http://$ORIGIN/bytes/6$i?h=Cache-Control:max-age%3D600"
	expect_status 200
	expect_header 'Cache-Status: evproxy; hit'
	[ "$(wc -c <"$T/body")" -eq "6$i" ] || fail "length after restart"
done
expect_origin_hits /bytes/61 1
expect_origin_hits /bytes/63 1

# a header over 4 KiB (read in a second step at start-up) reads back
pad=$(printf '%0900d' 0 | tr 0 p)
B="http://$ORIGIN/bytes/64?h=Cache-Control:max-age%3D600"
for i in 1 2 3 4 5 6; do
	B="$B&h=X-Pad-$i:$pad"
done
fetch "$B"
expect_status 200
proxy_stop || fail "stop"
f=$(grep -rl "X-Pad-6" "$T/cache" | grep -v /cache/tmp/)
[ "$(wc -c <"$f")" -gt 5500 ] || fail "want a header over 4 KiB: $f"
proxy_start
expect_log 'cache: 4 entries'
fetch "$B"
expect_header 'Cache-Status: evproxy; hit'
expect_header "X-Pad-6: $pad"
[ "$(wc -c <"$T/body")" -eq 64 ] || fail "length of the padded entry"
expect_origin_hits /bytes/64 1
