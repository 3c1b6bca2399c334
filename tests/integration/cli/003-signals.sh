# cli/003-signals: SIGINT and SIGTERM each stop evproxy cleanly (exit 0),
# also with a download in flight.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
fetch "http://$ORIGIN/bytes/1"
expect_status 200
# SIGHUP is not fatal
kill -HUP "$PROXY_PID"
expect_log 'SIGHUP'
fetch "http://$ORIGIN/bytes/1"
expect_status 200
# SIGTERM is sent by proxy_stop, which checks exit 0 and the sanitizers.
proxy_stop || fail "SIGTERM"

proxy_start
curl -sS -x "http://$PROXY" --limit-rate 100k --max-time 10 -o /dev/null \
    "http://$ORIGIN/bytes/10000000" 2>/dev/null &
CURL_PID=$!
PIDS="$PIDS $CURL_PID"
sleep 0.5
pid=$PROXY_PID
kill -INT "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 "$pid" 2>/dev/null && fail "evproxy ignored SIGINT"
wait "$pid" || fail "evproxy exited $? on SIGINT"
PROXY_PID=""
grep -q 'signal 2' "$T/proxy.log" || fail "no log line for SIGINT"
! grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/proxy.log" ||
    fail "sanitizer report after SIGINT with a download in flight"
