# stream/001-slow-client: a 1 GiB download by a client reading slower than
# the origin sends: the origin is paused (backpressure), evproxy's RSS stays
# flat, the body arrives whole, and the client read timeout does not cut
# the long download (libevent #715).
. "$(dirname "$0")/../lib.sh"

# ASan keeps 256 MiB of freed memory in quarantine by default; that is
# not ours to measure
export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=4"
origin_start
# a 2 s client timeout: far shorter than the download
proxy_start --client-timeout 2
fetch "http://$ORIGIN/bytes/1000"
base_kb=$(proxy_rss_kb)

SIZE=1073741824
curl -sS -x "http://$PROXY" --limit-rate 100M --max-time 60 \
    -o /dev/null -w '%{size_download} %{http_code}\n' \
    "http://$ORIGIN/bytes/$SIZE" >"$T/dl" 2>"$T/dl.err" &
DL=$!
PIDS="$PIDS $DL"
peak_kb=$base_kb
i=0
while kill -0 "$DL" 2>/dev/null && [ $i -lt 700 ]; do
	kb=$(proxy_rss_kb)
	[ "$kb" -gt "$peak_kb" ] && peak_kb=$kb
	sleep 0.1
	i=$((i + 1))
done
wait "$DL" || fail "download failed: $(cat "$T/dl.err")"
[ "$(cat "$T/dl")" = "$SIZE 200" ] || fail "download: $(cat "$T/dl")"
grow=$((peak_kb - base_kb))
# sanitizer builds keep freed memory in quarantine: a looser bound that
# still catches buffering the body (which would be ~1 GiB)
limit=8192
[ "$EVPROXY_SANITIZE" = 1 ] && limit=16384
echo "RSS: base ${base_kb} KiB, peak ${peak_kb} KiB, grew ${grow} KiB (limit $limit)"
[ $grow -le $limit ] || fail "RSS grew by $grow KiB during a slow 1 GiB download"
