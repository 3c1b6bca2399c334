# hostile/005-slow-drip: an origin that sends a 20-byte body one byte every
# 200 ms is slow, not wrong: the client gets all 20 bytes, and meanwhile
# the proxy serves other requests at once.  One byte every 3 s with
# --upstream-timeout 1 is a stall: the client's stream is cut and nothing
# is cached.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
U="http://127.0.0.1:$ORIGIN_RAW/raw/drip"
t0=$(now_ms)
curl -sS -x "http://$PROXY" --max-time 20 -o "$T/drip" \
    -w '%{http_code}' "$U" >"$T/drip.status" 2>"$T/drip.err" &
DRIP=$!
PIDS="$PIDS $DRIP"
sleep 0.5
# others are served while the drip runs (it takes about 4 s)
for n in 1 2 3; do
	s0=$(now_ms)
	fetch "http://$ORIGIN/bytes/100000?n=$n"
	ms=$(($(now_ms) - s0))
	expect_status 200
	[ "$(wc -c <"$T/body")" -eq 100000 ] || fail "request $n during the drip: short body"
	[ "$ms" -lt 2000 ] || fail "request $n during the drip took $ms ms"
	kill -0 "$DRIP" 2>/dev/null ||
	    fail "the drip ended after $(($(now_ms) - t0)) ms, before request $n"
	sleep 0.5
done
wait "$DRIP" || fail "drip: curl failed: $(cat "$T/drip.err")"
[ "$(cat "$T/drip.status")" = 200 ] || fail "drip: status $(cat "$T/drip.status")"
[ "$(cat "$T/drip")" = abcdefghijklmnopqrst ] ||
    fail "drip: body '$(head -c 40 "$T/drip")', want abcdefghijklmnopqrst"
echo "drip: 20 bytes in $(($(now_ms) - t0)) ms"
proxy_stop || exit 1

# A drip that stalls longer than the upstream timeout.
proxy_start --upstream-timeout 1
FETCH_TIMEOUT=10
U="http://127.0.0.1:$ORIGIN_RAW/raw/drip-slow"
for n in 1 2; do
	t0=$(now_ms)
	# curl writes -o only once data arrives
	: >"$T/body"
	fetch "$U"
	ms=$(($(now_ms) - t0))
	echo "slow drip, fetch $n: status $STATUS, curl rc $CURL_RC," \
	    "$(wc -c <"$T/body") bytes, after $ms ms"
	case "$CURL_RC" in
	18|56)	;;
	*)	fail "slow drip fetch $n: curl rc $CURL_RC, status $STATUS: want a cut stream (rc 18 or 56)" ;;
	esac
	[ "$ms" -lt 5000 ] || fail "the stall was cut after $ms ms (want < 5 s)"
done
expect_origin_hits /raw/drip-slow 2
! grep '^REUSED' "$T/origin.log" >&2 ||
    fail "the connection of a stalled drip was reused"
expect_proxy_alive
fetch "http://$ORIGIN/bytes/10"
expect_status 200
