# hostile/007-late-chunk-error: a bad chunk size ("zz", "0x5") after 100 KB
# of good chunks and a pause, when the head has long been forwarded: the
# client's stream is cut and never ends with a terminating chunk; nothing
# is cached, the connection is not reused, the proxy carries on.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start --upstream-timeout 5
FETCH_TIMEOUT=10
for route in late/zz late/0x5; do
	U="http://127.0.0.1:$ORIGIN_RAW/raw/$route"
	for n in 1 2; do
		# curl writes -o only once data arrives
		: >"$T/body"
		fetch "$U"
		echo "$route, fetch $n: status $STATUS, curl rc $CURL_RC," \
		    "$(wc -c <"$T/body") bytes"
		case "$CURL_RC" in
		18|56)	;;
		*)	fail "$route fetch $n: status $STATUS, curl rc $CURL_RC, $(wc -c <"$T/body") bytes: want a cut stream (curl rc 18 or 56)" ;;
		esac
	done
	expect_origin_hits "/raw/$route" 2
	# a raw client: the stream must not end with "0" CRLF CRLF
	printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n\r\n' "$U" \
	    "$ORIGIN_RAW" | nc -w 3 127.0.0.1 "$PROXY_PORT" >"$T/raw" 2>/dev/null
	head -n 1 "$T/raw" | grep -q '^HTTP/1.1 200' ||
	    fail "$route raw client: no 200 head: $(head -c 100 "$T/raw")"
	[ "$(tail -c 5 "$T/raw" | od -An -c | tr -d ' ')" != '0\r\n\r\n' ] ||
	    fail "$route raw client: the stream ends with a terminating chunk"
	fetch "http://$ORIGIN/bytes/10"
	expect_status 200
done
! grep '^REUSED' "$T/origin.log" >&2 ||
    fail "a connection was reused after a late chunk error"
expect_proxy_alive
