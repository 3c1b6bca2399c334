# cache/017-collapsed-memory: many slow readers of one fill cost no
# memory per byte: they send file segments, not copies.
. "$(dirname "$0")/../lib.sh"

export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=4"
origin_start
proxy_start
fetch "http://$ORIGIN/bytes/1000"
base_kb=$(proxy_rss_kb)
SIZE=24000000
U="http://$ORIGIN/bytes/$SIZE?rate=8000000&h=Cache-Control:max-age%3D600"
JOBS=""
for i in 1 2 3 4 5 6 7 8; do
	curl -sS -x "http://$PROXY" --limit-rate 3M --max-time 40 -o /dev/null \
	    -w '%{size_download}\n' "$U" >"$T/n$i" 2>"$T/e$i" &
	JOBS="$JOBS $!"
done
peak_kb=$base_kb
i=0
while [ $i -lt 400 ]; do
	running=0
	for j in $JOBS; do kill -0 "$j" 2>/dev/null && running=1; done
	[ $running -eq 1 ] || break
	kb=$(proxy_rss_kb)
	[ "$kb" -gt "$peak_kb" ] && peak_kb=$kb
	sleep 0.1
	i=$((i + 1))
done
for j in $JOBS; do wait "$j" || fail "a reader failed"; done
for i in 1 2 3 4 5 6 7 8; do
	[ "$(cat "$T/n$i")" = $SIZE ] || fail "reader $i: $(cat "$T/n$i") bytes"
done
expect_origin_hits /bytes/$SIZE 1
grow=$((peak_kb - base_kb))
limit=16384
[ "$EVPROXY_SANITIZE" = 1 ] && limit=32768
echo "RSS: base ${base_kb} KiB, peak ${peak_kb} KiB, grew ${grow} KiB (limit $limit) for 8 readers of $SIZE bytes"
[ $grow -le $limit ] || fail "RSS grew by $grow KiB with 8 readers"
