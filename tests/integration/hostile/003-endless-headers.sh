# hostile/003-endless-headers: an origin that sends a status line and then
# 1 KB header lines as fast as the socket takes them (up to 64 MB) gets a
# 502 naming the oversized header section within seconds, while the
# proxy's memory stays bounded; nothing is cached, the connection is not
# reused, and the proxy carries on.
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
limit=8192
[ "$EVPROXY_SANITIZE" = 1 ] && limit=24576

U="http://127.0.0.1:$ORIGIN_RAW/raw/endless-headers"
peak_kb=$base_kb
for n in 1 2; do
	t0=$(now_ms)
	( fetch "$U"; echo "$CURL_RC" >"$T/rc" ) &
	F=$!
	watch_rss "$F"
	wait "$F"
	ms=$(($(now_ms) - t0))
	# fetch ran in a subshell: read its results from the files
	CURL_RC=$(cat "$T/rc")
	STATUS=$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$T/headers" |
	    tr -d '\r')
	echo "endless headers, fetch $n: status ${STATUS:-none} after $ms ms"
	expect_status 502
	expect_header 'X-Evproxy-Error: ^invalid response from origin'
	# names the header section (or head) as too large
	expect_header 'X-Evproxy-Error: [Hh]ead.*([Ll]arge|[Ll]ong|[Bb]ig|[Ll]imit|[Ss]ize)|([Ll]arge|[Ll]ong|[Bb]ig|[Ll]imit|[Ss]ize).*[Hh]ead'
	[ "$ms" -lt 5000 ] || fail "the 502 took $ms ms (want < 5 s)"
done
grow=$((peak_kb - base_kb))
echo "RSS: base ${base_kb} KiB, peak ${peak_kb} KiB, grew ${grow} KiB (limit $limit)"
[ $grow -le $limit ] || fail "RSS grew by $grow KiB on endless headers"
expect_origin_hits /raw/endless-headers 2
! grep '^REUSED' "$T/origin.log" >&2 ||
    fail "the connection of the endless headers was reused"
expect_proxy_alive
fetch "http://$ORIGIN/bytes/10"
expect_status 200
