# upstream/004-errors: refused, timeout and invalid responses map to
# 502/504 with a page naming the cause; a failure never disturbs others.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start --upstream-timeout 1
# a port nobody listens on (the origin's, after it is gone, is racy)
fetch "http://127.0.0.1:1/x"
expect_status 502
expect_header 'X-Evproxy-Error: .*refused'
expect_body_has "refused"

fetch "http://$ORIGIN/sleep/3000"
expect_status 504
expect_header 'X-Evproxy-Error: .*in time'

fetch "http://127.0.0.1:$ORIGIN_RAW/raw/hang"
expect_status 504

for p in garbage 103 cl-te; do
	fetch "http://127.0.0.1:$ORIGIN_RAW/raw/$p"
	expect_status 502
	expect_header 'X-Evproxy-Error: .*invalid response'
done

# A close-delimited HTTP/1.0 response is complete, not an error.
fetch "http://127.0.0.1:$ORIGIN_RAW/raw/close-delimited"
expect_status 200
expect_body "close-delimited body"

# Headers sent, then the origin breaks off: the client sees a truncated
# transfer (curl exit 18), never a clean end.
fetch "http://127.0.0.1:$ORIGIN_RAW/raw/short"
[ "$CURL_RC" -eq 18 ] || fail "short body: curl rc $CURL_RC, want 18"
fetch "http://$ORIGIN/cut/100000/5000"
[ "$CURL_RC" -eq 18 ] || fail "cut body: curl rc $CURL_RC, want 18"
expect_log "TRUNCATED"

# One failing request in parallel with a good one.
curl -sS -x "http://$PROXY" --max-time 10 -o "$T/slow" \
    "http://$ORIGIN/sleep/3000" &
SLOW=$!
fetch "http://$ORIGIN/bytes/100000"
expect_status 200
[ "$(wc -c <"$T/body")" -eq 100000 ] || fail "good request cut short"
wait "$SLOW"
expect_proxy_alive
