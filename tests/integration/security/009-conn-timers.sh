# security/009-conn-timers: the connection layer's timers at their edges.
# - A pipelined request head waiting behind a slow response is not late:
#   --header-timeout runs only while evhttp reads, and starts again when
#   the previous reply has been written.
# - After an error reply the proxy drains the client for 2 s at most: a
#   client that keeps sending does not keep the connection open.
# - A client outside --allow is answered 403 and closed without having
#   sent anything.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start --header-timeout 1

# The first request takes 2 s at the origin; the second head arrives in
# part with it and is finished 0.5 s after the first reply.
raw_http pipe --timeout 8 "$PROXY_PORT" \
    "send:GET http://$ORIGIN/sleep/2000 HTTP/1.1\r\nHost: $ORIGIN\r\n\r\nGET http://$ORIGIN/bytes/5 HTTP/1.1\r\nHost: $ORIGIN\r\n" \
    resp sleep:0.5 "send:\r\n" resp
expect_raw_status pipe 200 1
expect_raw_status pipe 200 2
grep -q 'rejected: 408' "$T/proxy.log" &&
    fail "a pipelined head got 408: $(grep 'rejected' "$T/proxy.log")"

# A head that takes longer than 1 s once evhttp reads is still 408.
raw_http slow --timeout 6 "$PROXY_PORT" \
    "send:GET http://$ORIGIN/bytes/5 HTTP/1.1\r\n" \
    "drip:0.3:X-A: b\r\n" resp eof
expect_raw_status slow 408
expect_raw_closed slow 3

# A rejected client that keeps sending is closed about 2 s after the 400:
# the proxy half-closes at once (the client reads EOF) and drops the
# socket at the deadline, however long the client goes on writing.
base=$(proxy_fd_count)
(
	printf 'GET http://%s/bytes/5 HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n' "$ORIGIN"
	i=0
	while [ $i -lt 30 ]; do
		sleep 0.2
		printf 'more bytes '
		i=$((i + 1))
	done
) 2>/dev/null | nc -w 8 127.0.0.1 "$PROXY_PORT" >"$T/linger" 2>/dev/null &
LINGER=$!
PIDS="$PIDS $LINGER"
wait_for_line "$T/linger" '^HTTP/1.1 400' 3 || fail "no 400 for the linger client"
sleep 1
[ "$(proxy_fd_count)" -gt "$base" ] ||
    fail "the rejected connection closed before the client could read"
sleep 2
[ "$(proxy_fd_count)" -le "$base" ] ||
    fail "the rejected connection is still open 3 s after the 400 ($(proxy_fd_count) fds, base $base)"
proxy_stop || fail "SIGTERM"

# Denied: the 403 comes without a request.
proxy_start --allow 127.0.0.2/32
raw_http denied --timeout 5 "$PROXY_PORT" resp eof
expect_raw_status denied 403
expect_raw_header denied 'X-Evproxy-Error: 127\.0\.0\.1'
expect_raw_closed denied 4
expect_log '127\.0\.0\.1 denied: 403'
fetch "http://$ORIGIN/bytes/3" --interface 127.0.0.2
expect_status 200
