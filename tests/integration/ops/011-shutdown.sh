# ops/011-shutdown: SIGTERM stops accepting, lets the request in flight
# finish, and exits 0; a second signal exits at once; --shutdown-timeout
# bounds the wait.  The cache stays consistent: an object being written
# when the time runs out is not left behind half-written.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start

# A 2 s response is in flight when SIGTERM comes: it completes.
curl -sS -x "http://$PROXY" --max-time 10 -o "$T/slow" -w '%{http_code}' \
    "http://$ORIGIN/sleep/2000" >"$T/slow.code" 2>"$T/slow.err" &
CURL=$!
PIDS="$PIDS $CURL"
sleep 0.5
kill -TERM "$PROXY_PID"
wait_for_line "$T/proxy.log" 'shutting down: no new connections' 5 ||
    fail "no drain line"
# no new connections meanwhile
rc=0
curl -sS -x "http://$PROXY" --max-time 2 -o /dev/null "http://$ORIGIN/bytes/1" \
    2>/dev/null || rc=$?
[ $rc -ne 0 ] || fail "a new connection was served while draining"
wait "$CURL" || true
[ "$(cat "$T/slow.code")" = 200 ] ||
    fail "in-flight request: $(cat "$T/slow.code") $(cat "$T/slow.err")"
i=0
while kill -0 "$PROXY_PID" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 "$PROXY_PID" 2>/dev/null && fail "still running after the last request"
wait "$PROXY_PID"
rc=$?
PROXY_PID=""
[ $rc -eq 0 ] || fail "exit $rc after draining"
expect_log 'all requests finished: exiting'

# The timeout: a 20 s response is cut after 1 s, and exit is still 0.
proxy_start --shutdown-timeout 1
curl -sS -x "http://$PROXY" --max-time 30 -o /dev/null \
    "http://$ORIGIN/bytes/20000000?rate=1000000" 2>/dev/null &
PIDS="$PIDS $!"
sleep 0.5
t0=$(date +%s)
kill -TERM "$PROXY_PID"
i=0
while kill -0 "$PROXY_PID" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 "$PROXY_PID" 2>/dev/null && fail "--shutdown-timeout 1 not honoured"
expect_log 'shutdown-timeout: closing 1 connections'
expect_log 'cut at shutdown'
proxy_stop || fail "exit status"
# nothing half-written is left in the cache
[ -z "$(find "$T/cache" -path '*/tmp/*' -type f)" ] ||
    fail "temporary cache files left: $(find "$T/cache" -path '*/tmp/*' -type f)"

# A second signal exits at once.
proxy_start --shutdown-timeout 30
curl -sS -x "http://$PROXY" --max-time 30 -o /dev/null \
    "http://$ORIGIN/sleep/20000" 2>/dev/null &
PIDS="$PIDS $!"
sleep 0.5
kill -TERM "$PROXY_PID"
sleep 0.3
kill -0 "$PROXY_PID" 2>/dev/null || fail "exited on the first signal with a request in flight"
kill -INT "$PROXY_PID"
i=0
while kill -0 "$PROXY_PID" 2>/dev/null && [ $i -lt 30 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 "$PROXY_PID" 2>/dev/null && fail "the second signal did not exit"
expect_log 'exiting now'
proxy_stop || fail "exit status"
