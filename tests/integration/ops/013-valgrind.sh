# ops/013-valgrind: after a run that served misses, hits, errors, a
# rejected request, a CONNECT tunnel and a request still in flight at
# SIGTERM, valgrind reports no leak and no memory error, and the exit
# status is 0.  (The ASan build checks leaks with LeakSanitizer in every
# scenario instead: valgrind cannot run an ASan binary.)
. "$(dirname "$0")/../lib.sh"

if [ "$EVPROXY_SANITIZE" = 1 ]; then
	echo "SKIP: $TEST_NAME: ASan build (LeakSanitizer covers it)"
	exit 0
fi
command -v valgrind >/dev/null 2>&1 ||
    fail "valgrind is not installed (dev.sh installs it)"

origin_start
echo_start echo
PROXY_WRAP="valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 --log-file=$T/valgrind.log"
proxy_start --connect-ports "443,$ECHO_PORT" --shutdown-timeout 1
U="http://$ORIGIN/bytes/500?h=Cache-Control:max-age%3D60"
fetch "$U"
expect_status 200
fetch "$U"
expect_status 200
expect_header 'Cache-Status: .*hit'
fetch "http://nx.test:$ORIGIN_PORT/"
expect_status 404
fetch "http://127.0.0.1:$ORIGIN_RAW/raw/bad/cl-dup"
expect_status 502
raw_http bad --timeout 10 "$PROXY_PORT" \
    "send:GET http://$ORIGIN/ HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n" \
    resp eof
expect_raw_status bad 400
raw_http tunnel --timeout 10 "$PROXY_PORT" \
    "send:CONNECT 127.0.0.1:$ECHO_PORT HTTP/1.1\r\nHost: x\r\n\r\nhello" \
    resp:connect expect:hello shut eof
expect_raw_status tunnel 200
fetchp /-/stats
# in flight at SIGTERM: cut by --shutdown-timeout 1
curl -sS -x "http://$PROXY" --max-time 20 -o /dev/null \
    "http://$ORIGIN/sleep/8000" 2>/dev/null &
PIDS="$PIDS $!"
sleep 1
proxy_stop || fail "evproxy under valgrind: $(cat "$T/valgrind.log")"
[ ! -s "$T/valgrind.log" ] || fail "valgrind: $(head -60 "$T/valgrind.log")"
