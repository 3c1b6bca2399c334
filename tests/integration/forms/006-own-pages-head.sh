# forms/006-own-pages-head: HEAD on the proxy's own pages (home, errors)
# gets their headers and length but no body, so keep-alive framing holds.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
out=$(curl -sS --max-time 10 -I "http://$PROXY/" "http://$PROXY/nohost" \
    "http://$PROXY/" 2>&1)
[ "$(echo "$out" | grep -c '^HTTP/1.1 200')" -eq 2 ] || fail "HEAD /: $out"
[ "$(echo "$out" | grep -c '^HTTP/1.1 400')" -eq 1 ] || fail "HEAD error: $out"
echo "$out" | grep -q '^Content-Length: [1-9]' || fail "no length: $out"
! echo "$out" | grep -q '<html' || fail "a HEAD reply carried a body"

raw_send "$PROXY_PORT" 'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
[ "$(tr -d '\r' <"$T/raw" | sed '1,/^$/d' | wc -c)" -eq 0 ] ||
    fail "HEAD / sent body bytes"
