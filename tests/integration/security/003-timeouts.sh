# security/003-timeouts: --header-timeout is a deadline for the whole
# request head (a stalled or byte-dripping client gets 408 and is closed
# in time); --body-timeout does the same for a stalled body; an idle
# keep-alive connection is closed silently after --client-timeout.
. "$(dirname "$0")/../lib.sh"

origin_start
# three different values, so each close is told apart by its time
proxy_start --header-timeout 2 --body-timeout 3 --client-timeout 5
O=$ORIGIN
H="HTTP/1.1\r\nHost: $O\r\n"

# All four clients at once (each is bounded by its --timeout).
python_resolve
"$PYTHON" "$TOOLS/rawhttp.py" --timeout 8 "$PROXY_PORT" \
    "send:GET http://$O/bytes/1 ${H}X-Half: " resp eof >"$T/stall" &
P1=$!
"$PYTHON" "$TOOLS/rawhttp.py" --timeout 8 "$PROXY_PORT" \
    "send:GET http://$O/bytes/2 ${H}X-Slow: " drip:0.5:a resp eof \
    >"$T/drip" &
P2=$!
"$PYTHON" "$TOOLS/rawhttp.py" --timeout 8 "$PROXY_PORT" \
    "send:POST http://$O/echo/slow ${H}Content-Length: 100\r\n\r\n0123456789" \
    resp eof >"$T/body" &
P3=$!
"$PYTHON" "$TOOLS/rawhttp.py" --timeout 9 "$PROXY_PORT" \
    "send:GET http://$O/bytes/3 ${H}\r\n" resp eof >"$T/idle" &
P4=$!
PIDS="$PIDS $P1 $P2 $P3 $P4"
wait "$P1" "$P2" "$P3" "$P4"

# A head that stops: 408 at the header deadline, then closed.
expect_raw_status stall 408
expect_between "stalled head: 408 after" "$(raw_time stall STATUS)" 1.5 3.5
expect_raw_closed stall 4
# A head dripped a byte every 0.5 s: the same deadline, not an idle timer.
expect_raw_status drip 408
expect_between "dripped head: 408 after" "$(raw_time drip STATUS)" 1.5 3.5
expect_raw_closed drip 4
n=$(awk '$1 == "SENT" { n = $3 } END { print n }' "$T/drip")
[ "${n:-0}" -ge 3 ] || fail "the drip client sent only ${n:-0} bytes"
# A body that stops after 10 of 100 bytes: 408 at the body deadline.
expect_raw_status body 408
expect_between "stalled body: 408 after" "$(raw_time body STATUS)" 2.5 4.5
expect_raw_closed body 5
# An idle keep-alive connection: closed after --client-timeout, silently.
expect_raw_status idle 200
grep -q '^CLOSED .* extra=0$' "$T/idle" ||
    fail "idle keep-alive: want a silent close: $(tail -n 2 "$T/idle")"
t_resp=$(raw_time idle STATUS)
t_close=$(raw_time idle CLOSED)
expect_between "idle keep-alive closed after" \
    "$(awk -v a="$t_resp" -v b="$t_close" 'BEGIN { print b - a }')" 4.5 6.5

expect_log '127\.0\.0\.1 .* 408 '
fetch "http://$O/bytes/4"
expect_status 200
