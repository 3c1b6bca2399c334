# cache/011-enospc: a full disk stops caching, never serving: responses
# still arrive whole, and a warning says why.
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to mount a tmpfs"; exit 0; }
mkdir -p "$T/small"
mount -t tmpfs -o size=256k tmpfs "$T/small" || fail "cannot mount a tmpfs"
ON_EXIT='umount "$T/small"'
origin_start
proxy_start --cache-dir "$T/small/cache"
fetch "http://$ORIGIN/bytes/1000?h=Cache-Control:max-age%3D600"
fetch "http://$ORIGIN/bytes/1000?h=Cache-Control:max-age%3D600"
expect_header 'Cache-Status: evproxy; hit'
fetch "http://$ORIGIN/bytes/600000?h=Cache-Control:max-age%3D600"
expect_status 200
[ "$(wc -c <"$T/body")" -eq 600000 ] || fail "a response was cut by ENOSPC"
expect_log 'disk full'
fetch "http://$ORIGIN/bytes/600000?h=Cache-Control:max-age%3D600"
[ "$(wc -c <"$T/body")" -eq 600000 ] || fail "second response cut"
expect_origin_hits /bytes/600000 2
[ -z "$(ls "$T/small/cache/tmp")" ] || fail "partial file left behind"
fetch "http://$ORIGIN/bytes/1000?h=Cache-Control:max-age%3D600"
expect_header 'Cache-Status: evproxy; hit'
