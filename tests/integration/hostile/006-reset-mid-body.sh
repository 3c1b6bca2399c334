# hostile/006-reset-mid-body: an origin that announces 1000000 bytes, sends
# half, and resets the connection (RST) cuts the client's stream; the
# partial body is not cached and the proxy carries on.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
FETCH_TIMEOUT=10
U="http://127.0.0.1:$ORIGIN_RAW/raw/reset"
for n in 1 2; do
	# curl writes -o only once data arrives
	: >"$T/body"
	fetch "$U"
	echo "reset, fetch $n: status $STATUS, curl rc $CURL_RC," \
	    "$(wc -c <"$T/body") bytes"
	case "$CURL_RC" in
	18|56)	;;
	*)	fail "reset fetch $n: curl rc $CURL_RC, status $STATUS, $(wc -c <"$T/body") bytes: want a cut stream (rc 18 or 56)" ;;
	esac
	expect_proxy_alive
	fetch "http://$ORIGIN/bytes/10"
	expect_status 200
done
expect_origin_hits /raw/reset 2
expect_log "TRUNCATED"
