# stream/002-client-abort: clients that vanish mid-download (while the
# origin is paused, and while waiting for headers) are cleaned up, their
# origin fetch is cancelled, and other requests carry on.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
JOBS=""
for i in 1 2 3; do
	curl -sS -x "http://$PROXY" --limit-rate 1M --max-time 1 -o /dev/null \
	    "http://$ORIGIN/bytes/1073741824" 2>/dev/null &
	JOBS="$JOBS $!"
done
fetch "http://$ORIGIN/bytes/200000"
expect_status 200
[ "$(wc -c <"$T/body")" -eq 200000 ] || fail "concurrent download cut"
for j in $JOBS; do wait "$j"; done
expect_log "client closed the connection"

# Abort while the proxy waits for a slow origin's headers.
curl -sS -x "http://$PROXY" --max-time 0.5 -o /dev/null \
    "http://$ORIGIN/sleep/1500" 2>/dev/null
sleep 2
fetch "http://$ORIGIN/bytes/5"
expect_status 200
expect_body abcde

# Path form too, and a chunked origin body.
curl -sS --max-time 1 --limit-rate 1M -o /dev/null \
    "http://$PROXY/$ORIGIN/bytes/1073741824?chunked=1" 2>/dev/null
fetchp "/$ORIGIN/bytes/3"
expect_status 200
expect_proxy_alive
# proxy_stop (at exit) checks for leaks and sanitizer reports
