# cache/009-kill9: kill -9 in the middle of storing a response leaves no
# entry that could be served truncated: the next start cleans the
# temporary file and the request is a miss, served whole.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
U="http://$ORIGIN/bytes/3000000?rate=1000000&h=Cache-Control:max-age%3D600"
curl -sS -x "http://$PROXY" --max-time 10 -o /dev/null "$U" 2>/dev/null &
C=$!
sleep 1
ls "$T/cache/tmp" | grep -q . || fail "no temporary file while storing"
kill -9 "$PROXY_PID"
wait "$PROXY_PID" 2>/dev/null
PROXY_PID=""
wait "$C" 2>/dev/null
proxy_start
expect_log 'removed 1 unfinished files'
expect_log 'cache: 0 entries'
fetch "$U"
expect_status 200
expect_header 'Cache-Status: evproxy; fwd=miss'
[ "$(wc -c <"$T/body")" -eq 3000000 ] || fail "length"
fetch "$U"
expect_header 'Cache-Status: evproxy; hit'
[ "$(wc -c <"$T/body")" -eq 3000000 ] || fail "hit length"
