# security/006-access: --allow CIDR (repeatable; loopback by default).  A
# client outside the set gets 403 naming its address and a "denied" log
# line; bad CIDRs are usage errors (exit 2); binding a non-loopback
# address without --allow warns.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start --allow 127.0.0.2/32
# 127.0.0.1 is not in the set
fetch "http://$ORIGIN/bytes/5"
expect_status 403
expect_header 'X-Evproxy-Error: .*127\.0\.0\.1.*not allowed|not allowed.*127\.0\.0\.1'
expect_log 'denied'
expect_log '127\.0\.0\.1 .* 403 '
expect_origin_hits /bytes/5 0
# 127.0.0.2 is
fetch "http://$ORIGIN/bytes/6" --interface 127.0.0.2
expect_status 200
expect_body abcdef
proxy_stop || fail "SIGTERM"

# Two --allow options both apply.
proxy_start --allow 127.0.0.2/32 --allow 127.0.0.3/32
fetch "http://$ORIGIN/bytes/2" --interface 127.0.0.2
expect_status 200
fetch "http://$ORIGIN/bytes/3" --interface 127.0.0.3
expect_status 200
fetch "http://$ORIGIN/bytes/4" --interface 127.0.0.4
expect_status 403
fetch "http://$ORIGIN/bytes/4"
expect_status 403
proxy_stop || fail "SIGTERM"

# A bad CIDR: exit status 2 and a message naming it.
for bad in 10.0.0.0/33 nonsense; do
	rc=0
	timeout 10 "$PROXY_BIN" -p 0 --dns-server "127.0.0.1:$DNS_PORT" \
	    --cache-dir "$T/cache" --allow "$bad" 127.0.0.1 \
	    >"$T/bad.out" 2>"$T/bad.err" || rc=$?
	[ $rc -eq 2 ] || fail "--allow $bad: exit $rc, want 2: $(cat "$T/bad.err")"
	grep -qF -- "$bad" "$T/bad.err" ||
	    fail "--allow $bad: the message does not name it: $(cat "$T/bad.err")"
	! grep -q 'Ready to serve' "$T/bad.out" || fail "--allow $bad served"
done

# Loopback by default: no warning.
proxy_start
! grep -q 'no --allow' "$T/proxy.log" ||
    fail "a loopback listener warned: $(grep 'no --allow' "$T/proxy.log")"
fetch "http://$ORIGIN/bytes/1"
expect_status 200
proxy_stop || fail "SIGTERM"

# A non-loopback address without --allow: a warning (stopped at once;
# nothing connects but over 127.0.0.1).
PROXY_ADDR=0.0.0.0
proxy_start
PROXY_ADDR=
proxy_stop || fail "SIGTERM"
n=$(log_count 'no --allow')
[ "$n" -ge 1 ] || fail "no 'no --allow' warning for 0.0.0.0"
# With --allow: no warning.
PROXY_ADDR=0.0.0.0
proxy_start --allow 127.0.0.0/8
PROXY_ADDR=
proxy_stop || fail "SIGTERM"
[ "$(log_count 'no --allow')" -eq "$n" ] ||
    fail "warned although --allow was given: $(grep 'no --allow' "$T/proxy.log")"
