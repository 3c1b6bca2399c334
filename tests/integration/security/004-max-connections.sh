# security/004-max-connections: with --max-connections 5 and five clients
# connected, a sixth is not served (accepting pauses) while the five stay
# undisturbed; once one of them leaves, the sixth gets its answer.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start --max-connections 5
O=$ORIGIN
REQ="send:GET http://$O/bytes/2 HTTP/1.1\r\nHost: $O\r\n\r\n"

# Four idle connections (connected, nothing sent) ...
holder_start hold --idle 4 --duration 40 "$PROXY_PORT"
[ "$(holder_stat hold idle READY)" = 4 ] || fail "holder: $(cat "$T/hold")"
# ... and a fifth that idles until told to ask once, then leaves.
"$PYTHON" "$TOOLS/rawhttp.py" --timeout 20 "$PROXY_PORT" \
    "waitfile:$T/go" "$REQ" resp sleep:0.3 >"$T/fifth" &
FIFTH=$!
PIDS="$PIDS $FIFTH"
wait_for_line "$T/fifth" '^CONNECTED' 10 || fail "fifth: $(cat "$T/fifth")"
sleep 0.3

# The sixth asks at once, but is not answered while the five are there.
"$PYTHON" "$TOOLS/rawhttp.py" --timeout 20 "$PROXY_PORT" "$REQ" resp \
    >"$T/sixth" &
SIXTH=$!
PIDS="$PIDS $SIXTH"
wait_for_line "$T/sixth" '^(SENT|CONNFAIL|SENDERR)' 10 ||
    fail "sixth: $(cat "$T/sixth")"
grep -q '^SENT' "$T/sixth" || fail "sixth: $(cat "$T/sixth")"
sleep 1.5
! grep -q '^STATUS' "$T/sixth" ||
    fail "the sixth connection was served over the limit: $(cat "$T/sixth")"
expect_log '[Cc]onnection limit|max-connections'

# One of the five still gets its answer, then leaves ...
touch "$T/go"
wait "$FIFTH"
expect_raw_status fifth 200
# ... and the sixth is served within about 2 s of that.
wait "$SIXTH"
expect_raw_status sixth 200
expect_between "sixth served after the fifth left (s)" \
    "$(awk -v a="$(raw_epoch fifth END)" -v b="$(raw_epoch sixth STATUS)" \
    'BEGIN { print b - a }')" -0.1 2.5
holder_stop hold
[ "$(holder_stat hold idle_closed)" = 0 ] ||
    fail "idle connections were closed: $(cat "$T/hold")"
fetch "http://$O/bytes/3"
expect_status 200
