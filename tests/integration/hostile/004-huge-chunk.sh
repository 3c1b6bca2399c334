# hostile/004-huge-chunk: a chunk size of FFFFFFFF followed by data as fast
# as the socket takes it (up to 200 MB) must not be buffered whole (evhttp
# hands over whole chunks; the proxy refuses chunks over 16 MiB): a 502,
# or a cut stream if the head was already forwarded, within seconds, with
# bounded memory.  A 16-digit chunk size in the first packet is a 502.
# Nothing is cached, the connection is not reused, the proxy carries on.
. "$(dirname "$0")/../lib.sh"

# ASan keeps 256 MiB of freed memory in quarantine by default; that is
# not ours to measure
export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=4"
origin_start
proxy_start --upstream-timeout 10
FETCH_TIMEOUT=15
fetch "http://$ORIGIN/bytes/1000"
expect_status 200
base_kb=$(proxy_rss_kb)
limit=24576
[ "$EVPROXY_SANITIZE" = 1 ] && limit=49152

U="http://127.0.0.1:$ORIGIN_RAW/raw/huge-chunk"
peak_kb=$base_kb
for n in 1 2; do
	t0=$(now_ms)
	# curl writes -o only once data arrives
	: >"$T/body"
	( fetch "$U"; echo "$CURL_RC" >"$T/rc" ) &
	F=$!
	watch_rss "$F"
	wait "$F"
	ms=$(($(now_ms) - t0))
	# fetch ran in a subshell: read its results from the files
	CURL_RC=$(cat "$T/rc")
	STATUS=$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$T/headers" |
	    tr -d '\r')
	echo "huge chunk, fetch $n: status ${STATUS:-none}, curl rc $CURL_RC," \
	    "$(wc -c <"$T/body") bytes, after $ms ms"
	case "$STATUS:$CURL_RC" in
	502:0)	expect_header 'X-Evproxy-Error: .' ;;
	200:18|200:56) ;;
	*)	fail "huge chunk fetch $n: status $STATUS, curl rc $CURL_RC: want 502, or 200 and a cut stream (rc 18 or 56)" ;;
	esac
	[ "$ms" -lt 5000 ] || fail "the huge chunk took $ms ms to fail (want < 5 s)"
done
grow=$((peak_kb - base_kb))
echo "RSS: base ${base_kb} KiB, peak ${peak_kb} KiB, grew ${grow} KiB (limit $limit)"
[ $grow -le $limit ] || fail "RSS grew by $grow KiB on a huge chunk"
expect_origin_hits /raw/huge-chunk 2

# "FFFFFFFFFFFFFFFF" then "hello", in the same write as the head
U="http://127.0.0.1:$ORIGIN_RAW/raw/bad/chunk-16f"
for n in 1 2; do
	fetch "$U"
	[ "$STATUS" = 502 ] || fail "chunk-16f fetch $n: status $STATUS, curl rc $CURL_RC: want 502"
	expect_header 'X-Evproxy-Error: .'
done
expect_origin_hits /raw/bad/chunk-16f 2

! grep '^REUSED' "$T/origin.log" >&2 ||
    fail "the connection of a huge chunk was reused"
expect_proxy_alive
fetch "http://$ORIGIN/bytes/10"
expect_status 200
