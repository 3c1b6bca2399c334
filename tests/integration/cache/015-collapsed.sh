# cache/015-collapsed: concurrent misses for one URL make one origin
# request; the others stream the object from the file as it is written.
# A slow first client does not slow the fill, and a first client that
# leaves hands the fill to the others.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
# 2 MB paced at 1 MB/s: a fill that lasts about 2 s
U="http://$ORIGIN/bytes/2000000?rate=1000000&h=Cache-Control:max-age%3D600"
JOBS=""
for i in 1 2 3 4 5; do
	curl -sS -x "http://$PROXY" --max-time 20 -o "$T/c$i" -D "$T/h$i" "$U" \
	    2>"$T/e$i" &
	JOBS="$JOBS $!"
	[ $i -eq 1 ] && sleep 0.3
done
for j in $JOBS; do wait "$j" || fail "a collapsed client failed"; done
for i in 1 2 3 4 5; do
	[ "$(wc -c <"$T/c$i")" -eq 2000000 ] || fail "client $i: $(wc -c <"$T/c$i") bytes"
	cmp -s "$T/c1" "$T/c$i" || fail "client $i got other bytes"
done
expect_origin_hits /bytes/2000000 1
[ "$(cat "$T"/h? | tr -d '\r' | grep -c '^Cache-Status: evproxy; fwd=miss; collapsed')" -eq 4 ] ||
    fail "want 4 collapsed responses: $(cat "$T"/h? | grep -i cache-status)"
expect_log 'COLLAPSED'
fetch "$U"
expect_header 'Cache-Status: evproxy; hit'

# A slow first client: the fill goes on at the origin's pace, so a second
# request soon after is served from the cache, whole.
# (larger than what the socket buffers of the slow client absorb)
S="http://$ORIGIN/bytes/12000000?h=Cache-Control:max-age%3D600"
curl -sS -x "http://$PROXY" --limit-rate 100k --max-time 4 -o /dev/null "$S" \
    2>/dev/null &
SLOW=$!
sleep 1
start=$(date +%s)
fetch "$S"
expect_status 200
[ "$(wc -c <"$T/body")" -eq 12000000 ] || fail "second client: length"
[ $(($(date +%s) - start)) -le 2 ] || fail "the slow first client slowed the fill"
wait "$SLOW"
expect_origin_hits /bytes/12000000 1

# The first client leaves in the middle: the follower finishes the fill.
L="http://$ORIGIN/bytes/2000001?rate=1000000&h=Cache-Control:max-age%3D600"
curl -sS -x "http://$PROXY" --max-time 0.8 -o /dev/null "$L" 2>/dev/null &
FIRST=$!
sleep 0.3
fetch "$L"
expect_status 200
[ "$(wc -c <"$T/body")" -eq 2000001 ] || fail "follower after hand-over: $(wc -c <"$T/body") bytes"
wait "$FIRST"
expect_origin_hits /bytes/2000001 1
fetch "$L"
expect_header 'Cache-Status: evproxy; hit'
[ "$(wc -c <"$T/body")" -eq 2000001 ] || fail "stored length after hand-over"
