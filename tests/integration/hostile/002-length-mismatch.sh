# hostile/002-length-mismatch: a body longer than its Content-Length (the
# excess in the same write) is refused with 502, or cut to exactly the
# announced bytes; a body shorter than its Content-Length, then a close,
# is a truncated stream.  Neither is cached; the connection is not
# reused; the proxy carries on.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start --upstream-timeout 5
FETCH_TIMEOUT=10

# CL: 5, then "helloEXTRA-GARBAGE", and the connection stays open.
U="http://127.0.0.1:$ORIGIN_RAW/raw/bad/cl-long"
for n in 1 2; do
	fetch "$U"
	[ "$CURL_RC" -eq 0 ] || fail "cl-long fetch $n: curl rc $CURL_RC: $(cat "$T/curl.err")"
	case "$STATUS" in
	502)	expect_header 'X-Evproxy-Error: ^invalid response from origin'
		;;
	200)	[ "$(cat "$T/body")" = hello ] ||
		    fail "cl-long fetch $n: 200 with body '$(head -c 40 "$T/body")', want exactly 'hello'"
		;;
	*)	fail "cl-long fetch $n: status $STATUS, want 502 or 200 'hello'"
		;;
	esac
done
expect_origin_hits /raw/bad/cl-long 2
! grep '^REUSED' "$T/origin.log" >&2 ||
    fail "the connection that carried the excess bytes was reused"
fetch "http://$ORIGIN/bytes/10"
expect_status 200

# CL: 100, 10 bytes, FIN: /raw/short (no validators) and /raw/short60
# (max-age=60, so that a stored truncated body would be a hit).
for p in short short60; do
	for n in 1 2; do
		# curl writes -o only once data arrives
		: >"$T/body"
		fetch "http://127.0.0.1:$ORIGIN_RAW/raw/$p"
		case "$CURL_RC" in
		18|56)	;;
		*)	fail "$p fetch $n: curl rc $CURL_RC, status $STATUS," \
			    "$(wc -c <"$T/body") bytes: want a cut stream (rc 18 or 56)" ;;
		esac
	done
	expect_origin_hits "/raw/$p" 2
	fetch "http://$ORIGIN/bytes/10"
	expect_status 200
done
expect_log "TRUNCATED"
expect_proxy_alive
