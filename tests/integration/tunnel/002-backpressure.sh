# tunnel/002-backpressure: 20 MB from a fast server through a tunnel to a
# client reading at about 5 MB/s arrive byte-exact, and the proxy does not
# buffer them: its RSS grows by less than 8 MiB.
. "$(dirname "$0")/../lib.sh"

# ASan keeps 256 MiB of freed memory in quarantine by default; that is
# not ours to measure
export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=4"
SIZE=20971520
echo_start gen --gen $SIZE
P=$ECHO_PORT
proxy_start --connect-ports "$P"
base_kb=$(proxy_rss_kb)

# a small receive buffer, so the kernel cannot hide a slow reader
"$PYTHON" "$TOOLS/rawhttp.py" --timeout 40 --rcvbuf 65536 "$PROXY_PORT" \
    "send:CONNECT 127.0.0.1:$P HTTP/1.1\r\nHost: 127.0.0.1:$P\r\n\r\n" \
    resp:connect slowread:5000000 >"$T/dl" &
DL=$!
PIDS="$PIDS $DL"
peak_kb=$base_kb
i=0
while kill -0 "$DL" 2>/dev/null && [ $i -lt 450 ]; do
	kb=$(proxy_rss_kb)
	[ "$kb" -gt "$peak_kb" ] && peak_kb=$kb
	sleep 0.1
	i=$((i + 1))
done
wait "$DL"
expect_raw_status dl 200
grep -q "^READ [0-9.]* $SIZE ok eof$" "$T/dl" ||
    fail "transfer: $(grep -E '^(READ|NORESP)' "$T/dl")"
wait_for_line "$T/gen.out" "^WROTE 1 $SIZE$" 5 ||
    fail "server: $(cat "$T/gen.out")"
# it really was slow: 20 MB at 5 MB/s
t=$(awk '$1 == "READ" { print $2 }' "$T/dl")
expect_between "transfer time (s)" "$t" 3 40
grow=$((peak_kb - base_kb))
limit=8192
[ "$EVPROXY_SANITIZE" = 1 ] && limit=16384
echo "RSS: base ${base_kb} KiB, peak ${peak_kb} KiB, grew ${grow} KiB (limit $limit)"
[ $grow -lt $limit ] || fail "RSS grew by $grow KiB during a slow 20 MB tunnel"
