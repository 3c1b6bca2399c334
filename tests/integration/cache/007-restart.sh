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
