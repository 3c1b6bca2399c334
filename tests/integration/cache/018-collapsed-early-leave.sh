# cache/018-collapsed-early-leave: a first client that leaves before the
# response headers arrive does not hand its fill over (the origin was
# asked with its headers, and Vary may depend on them): the waiting
# client fetches on its own and gets, and stores, its own variant.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start --pool-size 1
U="http://$ORIGIN/echo/v?delay=1500&h=Cache-Control:max-age%3D600&h=Vary:X-Lang"
curl -sS -x "http://$PROXY" --max-time 0.8 -o /dev/null -H 'X-Lang: fr' "$U" \
    2>/dev/null &
FIRST=$!
sleep 0.3
fetch "$U" -H 'X-Lang: en'
expect_status 200
expect_body_has 'X-Lang: en'
wait "$FIRST"
fetch "$U" -H 'X-Lang: en'
expect_header 'Cache-Status: evproxy; hit'
expect_body_has 'X-Lang: en'
! grep -q 'X-Lang: fr' "$T/body" || fail "the other variant was served"
