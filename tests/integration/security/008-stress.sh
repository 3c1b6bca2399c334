# security/008-stress: 1000 concurrent clients (500 idle keep-alive after
# one request, 500 slowloris heads dripping a byte every 0.5 s, reconnecting
# when cut off) while 50 normal requests all succeed; the slowloris heads
# get 408 at --header-timeout; afterwards the proxy's fds and RSS return
# to their baseline.
. "$(dirname "$0")/../lib.sh"

# 1000 held + the proxy's own: raise our limit (the proxy inherits it)
ulimit -n 4096 2>/dev/null || fail "cannot raise the fd limit to 4096 (hard: $(ulimit -Hn))"
export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=4"
origin_start
# pool connections idle out after 1 s, so they do not count against the
# fd baseline
proxy_start --max-connections 2000 --header-timeout 3 --pool-idle-timeout 1
O=$ORIGIN
i=0
while [ $i -lt 20 ]; do
	fetch "http://$O/bytes/100"
	expect_status 200
	i=$((i + 1))
done
sleep 1.5
base_fd=$(proxy_fd_count)
base_kb=$(proxy_rss_kb)

holder_start hold --keepalive 500 --slowloris 500 --interval 0.5 --reconnect \
    --target "http://$O/bytes/10" --hostport "$O" --duration 45 \
    --connect-rate 1000 "$PROXY_PORT"
[ "$(holder_stat hold keepalive READY)" = 500 ] &&
    [ "$(holder_stat hold slowloris READY)" = 500 ] ||
    fail "holder not fully connected: $(cat "$T/hold")"
ready=$(date +%s)
echo "held: $(cat "$T/hold")  fds $(proxy_fd_count)"

# 50 normal requests meanwhile: 10 clients, 5 requests each.
t0=$(date +%s)
c=0
CURLS=""
while [ $c -lt 10 ]; do
	(
		k=0
		while [ $k -lt 5 ]; do
			curl -sS -x "http://$PROXY" --max-time 15 -o /dev/null \
			    -w '%{http_code}\n' "http://$O/bytes/1000?c=$c&k=$k" \
			    2>>"$T/curls.err"
			k=$((k + 1))
		done >"$T/curl.$c"
	) &
	CURLS="$CURLS $!"
	c=$((c + 1))
done
PIDS="$PIDS $CURLS"
wait $CURLS
t1=$(date +%s)
ok=$(cat "$T"/curl.* | grep -c '^200$')
[ "$ok" -eq 50 ] ||
    fail "$ok of 50 requests got 200: $(cat "$T"/curl.* | sort | uniq -c) $(head -5 "$T/curls.err")"
[ $((t1 - t0)) -le 20 ] || fail "50 requests took $((t1 - t0)) s"
echo "50 requests in $((t1 - t0)) s"

# Hold on until every first slowloris head has had its 408 (all were
# connected at READY; 3 s of --header-timeout plus slack).
now=$(date +%s)
[ $((now - ready)) -ge 7 ] || sleep $((7 - (now - ready)))
expect_proxy_alive
holder_stop hold
echo "$(tail -n 1 "$T/hold")"
[ "$(holder_stat hold failed)" = 0 ] || fail "connects failed: $(cat "$T/hold")"
[ "$(holder_stat hold ka_ok)" = 500 ] || fail "keep-alive: $(cat "$T/hold")"
[ "$(holder_stat hold ka_closed)" = 0 ] ||
    fail "idle keep-alive connections were closed: $(cat "$T/hold")"
[ "$(holder_stat hold sl_408)" -ge 500 ] ||
    fail "slowloris heads without a 408: $(cat "$T/hold")"
expect_between "longest slowloris connect-to-408 (s)" \
    "$(holder_stat hold sl_408_max)" 2.5 5

# Everything is released: fds and RSS back near the baseline within 10 s.
limit=8192
[ "$EVPROXY_SANITIZE" = 1 ] && limit=32768
i=0
while [ $i -lt 100 ]; do
	fd=$(proxy_fd_count)
	kb=$(proxy_rss_kb)
	[ "$fd" -le $((base_fd + 5)) ] && [ "$kb" -le $((base_kb + limit)) ] &&
	    break
	sleep 0.1
	i=$((i + 1))
done
echo "fds: base $base_fd, now $fd; RSS: base $base_kb KiB, now $kb KiB"
[ "$fd" -le $((base_fd + 5)) ] || fail "fds: $base_fd before, $fd after"
[ "$kb" -le $((base_kb + limit)) ] ||
    fail "RSS: $base_kb KiB before, $kb KiB after (limit +$limit)"
fetch "http://$O/bytes/3"
expect_status 200
