# stream/005-read-timeout: while a response streams, evproxy lifts evhttp's
# client read timeout (libevent #715) and keeps only a write-stall timeout;
# once the reply is done the idle timeout is back.  A steady slow reader
# gets the whole body with a 0.5 s client timeout, and a quiet keep-alive
# client is closed after it.  (Provoking #715 itself needs more data than
# the ~4 MB loopback socket buffers absorb; stream/001 covers long
# downloads with a short timeout.)
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start --client-timeout 0.5
SIZE=2000000

# Reads stdin 16 KiB at a time with a pause after each read: a steady
# ~250 KB/s reader (curl --limit-rate reads in long bursts and sleeps).
slow_read() {
	total=0
	while n=$(dd bs=16384 count=1 status=none | wc -c) && [ "$n" -gt 0 ]; do
		total=$((total + n))
		sleep 0.05
	done
	echo "$total"
}
printf "GET http://$ORIGIN/bytes/$SIZE HTTP/1.1\r\nHost: $ORIGIN\r\nConnection: close\r\n\r\n" |
    nc -w 30 127.0.0.1 "$PROXY_PORT" | slow_read >"$T/total"
total=$(cat "$T/total")
[ "$total" -gt "$SIZE" ] || fail "client got $total bytes of a $SIZE-byte body"

# A keep-alive client that goes quiet after its reply is closed by the
# proxy after about 0.5 s: its descriptor goes away.
fds() { ls "/proc/$PROXY_PID/fd" | wc -l; }
base=$(fds)
printf "GET http://$ORIGIN/bytes/10 HTTP/1.1\r\nHost: $ORIGIN\r\n\r\n" |
    (cat; sleep 3) | nc -w 5 127.0.0.1 "$PROXY_PORT" >"$T/raw" &
PIDS="$PIDS $!"
wait_for_line "$T/raw" abcdefghij 3 || fail "no reply"
sleep 1.5
[ "$(fds)" -le "$base" ] || fail "idle client still open: $(fds) fds, base $base"
