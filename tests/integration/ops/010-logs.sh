# ops/010-logs: --access-log writes one line per request in the chosen
# format (squid, combined, json) with the client, method, URL, status,
# cache result, bytes, duration and the origin's status; SIGHUP reopens
# both logs after they were moved away (what logrotate does).
. "$(dirname "$0")/../lib.sh"

origin_start
U="http://$ORIGIN/bytes/7?h=Cache-Control:max-age%3D60"

# Squid's native format: a miss, then a hit.
# (the error log file is lib.sh's own proxy.log, where it looks for the port)
proxy_start --access-log "$T/access.log" --error-log "$T/proxy.log"
fetch "$U"
expect_status 200
fetch "$U"
expect_status 200
wait_for_line "$T/access.log" 'TCP_HIT/200' 5 || fail "no hit line: $(cat "$T/access.log")"
sed -n 1p "$T/access.log" | grep -Eq \
    "^[0-9]+\.[0-9]{3} +[0-9]+ 127\.0\.0\.1 TCP_MISS/200 7 GET http://$ORIGIN/bytes/7\?h=[^ ]+ - HIER_DIRECT/127\.0\.0\.1 -$" ||
    fail "squid miss line: $(sed -n 1p "$T/access.log")"
sed -n 2p "$T/access.log" | grep -Eq " TCP_HIT/200 7 GET .* HIER_NONE/- -$" ||
    fail "squid hit line: $(sed -n 2p "$T/access.log")"

# logrotate: move both files away, SIGHUP, and the next lines go to new
# files under the old names.
mv "$T/access.log" "$T/access.log.1"
mv "$T/proxy.log" "$T/proxy.log.1"
kill -HUP "$PROXY_PID"
wait_for_line "$T/proxy.log" 'SIGHUP: log files reopened' 5 ||
    fail "no new error log after SIGHUP"
grep -q 'listening on' "$T/proxy.log.1" || fail "the old error log lost its lines"
fetchp "/$ORIGIN/bytes/3"
expect_status 200
wait_for_line "$T/access.log" 'TCP_MISS/200 3 GET' 5 ||
    fail "no new access log after SIGHUP"
[ "$(wc -l <"$T/access.log.1")" -eq 2 ] ||
    fail "the rotated access log changed: $(cat "$T/access.log.1")"
proxy_stop || fail "SIGTERM"

# Combined and JSON; an error has no origin status.
proxy_start --access-log "$T/combined.log" --log-format combined
fetch "http://nx.test:$ORIGIN_PORT/x"
expect_status 404
fetch "$U"
wait_for_line "$T/combined.log" '" 200 7 ' 5 || fail "no combined line"
grep -Eq '^127\.0\.0\.1 - - \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:]{8} \+0000\] "GET http://nx\.test:[0-9]+/x HTTP/1\.1" 404 [0-9]+ "-" "-" ERROR [0-9]+ms 0$' \
    "$T/combined.log" || fail "combined error line: $(cat "$T/combined.log")"
grep -Eq '"GET http://127\.0\.0\.1:[0-9]+/bytes/7\?[^"]*" 200 7 "-" "-" HIT [0-9]+ms 0$' \
    "$T/combined.log" || fail "combined hit line: $(cat "$T/combined.log")"
# a '"' in the URL cannot break the quoted field
raw_send "$PROXY_PORT" "GET http://$ORIGIN/bytes/2?q=\"x\" HTTP/1.1\r\nHost: $ORIGIN\r\nConnection: close\r\n\r\n"
wait_for_line "$T/combined.log" 'q=\\x22x\\x22 HTTP/1\.1" 200 2 ' 5 ||
    fail "quote not escaped: $(tail -n 1 "$T/combined.log")"
proxy_stop || fail "SIGTERM"

proxy_start --access-log "$T/json.log" --log-format json --no-cache
fetch "http://$ORIGIN/status/503"
expect_status 503
wait_for_line "$T/json.log" '"status":503' 5 || fail "no json line"
python_resolve
"$PYTHON" - "$T/json.log" <<'PY' || fail "json line: $(cat "$T/json.log")"
import json, sys
rec = json.loads(open(sys.argv[1]).readline())
assert rec["client"] == "127.0.0.1", rec
assert rec["method"] == "GET", rec
assert rec["url"].endswith("/status/503"), rec
assert rec["status"] == 503 and rec["upstream_status"] == 503, rec
assert rec["result"] == "PROXY" and rec["from_cache"] is False, rec
assert isinstance(rec["ms"], int) and isinstance(rec["bytes"], int), rec
PY

# A bad format is a usage error.
rc=0
"$PROXY_BIN" --log-format xml >/dev/null 2>"$T/bad.err" || rc=$?
[ $rc -eq 2 ] && grep -q "squid, combined, json" "$T/bad.err" ||
    fail "--log-format xml: exit $rc: $(cat "$T/bad.err")"
