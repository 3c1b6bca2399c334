# stream/004-streaming: the response streams: the first bytes reach the
# client long before a paced origin has sent the whole body.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
# 400 KB at 200 KB/s: about 2 s in all
curl -sS -x "http://$PROXY" --max-time 20 -o "$T/body" \
    -w '%{time_starttransfer} %{time_total} %{size_download}\n' \
    "http://$ORIGIN/bytes/400000?rate=200000" >"$T/times"
read -r first total size <"$T/times"
[ "$size" -eq 400000 ] || fail "size $size"
awk -v f="$first" -v t="$total" 'BEGIN { exit !(t > 1.0 && f < t / 2) }' ||
    fail "not streamed: first byte at $first s of $total s"
