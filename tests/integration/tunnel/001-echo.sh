# tunnel/001-echo: CONNECT to a loopback echo server whose port is in
# --connect-ports (given as a list with a range): "200 Connection
# established", bytes sent in the same write as the request head go
# through, data flows both ways, a client half-close reaches the server
# while the other direction stays open, and the server's close reaches
# the client; SIGTERM with a tunnel open still exits 0 and closes it.
. "$(dirname "$0")/../lib.sh"

echo_start echo --eof-reply bye
P=$ECHO_PORT
proxy_start --connect-ports "443,$((P - 1))-$((P + 1))"
C="CONNECT 127.0.0.1:$P HTTP/1.1\r\nHost: 127.0.0.1:$P\r\n\r\n"

raw_http t1 --timeout 5 "$PROXY_PORT" "send:${C}hello" resp:connect \
    expect:hello "send:more data" "expect:more data" pat:300000 \
    expectpat:300000 send:tail shut expect:tail expect:bye eof
grep -q '^STATUS [0-9.]* HTTP/1\.1 200 Connection established$' "$T/t1" ||
    fail "CONNECT: $(head -c 400 "$T/t1")"
[ "$(grep -c '^DATA .* ok ' "$T/t1")" -eq 5 ] ||
    fail "tunnel data: $(grep -E '^(DATA|#)' "$T/t1")"
grep -q '^CLOSED .* extra=0$' "$T/t1" ||
    fail "the tunnel did not end with EOF: $(tail -n 2 "$T/t1")"
# the server saw the client's half-close (its "bye" came back after it),
# then closed
wait_for_line "$T/echo.out" '^EOF 1 ' 5 || fail "echo server saw no EOF"
wait_for_line "$T/echo.out" '^CLOSE 1$' 5 || fail "echo server did not close"
expect_log '127\.0\.0\.1 CONNECT '

# A tunnel held open across SIGTERM: the proxy exits 0 (proxy_stop checks
# status and sanitizers) and both ends of the tunnel are closed.
"$PYTHON" "$TOOLS/rawhttp.py" --timeout 15 "$PROXY_PORT" "send:${C}ping" \
    resp:connect expect:ping eof >"$T/t2" &
T2=$!
PIDS="$PIDS $T2"
wait_for_line "$T/t2" '^DATA .* ok ' 10 || fail "second tunnel: $(cat "$T/t2")"
proxy_stop || fail "SIGTERM with a tunnel open"
wait "$T2"
expect_raw_closed t2 15
wait_for_line "$T/echo.out" '^EOF 2 ' 5 ||
    fail "the server side of the tunnel was not closed: $(cat "$T/echo.out")"
