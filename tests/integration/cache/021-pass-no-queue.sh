# cache/021-pass-no-queue: concurrent requests for one URL wait for a
# single fetch (collapsed forwarding) only while its response may be
# stored.  Once a response for the URL was not stored, later concurrent
# requests go to the origin at once instead of queueing behind each other
# (Varnish's hit-for-miss); a URL that becomes storable is stored again
# and collapses again.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
# a response that takes 2 s and must not be stored
P="http://$ORIGIN/sleep/2000?h=Cache-Control:no-store"
# Runs 3 concurrent fetches of $1; prints the slowest time in ms.
three() {
	_jobs=""
	for _i in 1 2 3; do
		curl -sS -x "http://$PROXY" --max-time 20 -o /dev/null \
		    -w '%{time_total}\n' "$1" >"$T/t$_i" 2>"$T/e$_i" &
		_jobs="$_jobs $!"
	done
	for _j in $_jobs; do wait "$_j" || fail "a fetch of $1 failed"; done
	cat "$T/t1" "$T/t2" "$T/t3" |
	    awk '{ ms = $1 * 1000; if (ms > m) m = ms } END { printf "%d\n", m }'
}

# The first round collapses (nothing is known of the URL): the followers
# wait for the first response, then fetch for themselves: 4 s or more.
slow=$(three "$P")
[ "$slow" -ge 3900 ] || fail "first round: slowest $slow ms (want the collapse)"
expect_origin_hits /sleep/2000 3
# Now the URL is known to pass: all three fetch at once, about 2 s.
slow=$(three "$P")
[ "$slow" -lt 3000 ] || fail "second round: slowest $slow ms, the requests queued"
expect_origin_hits /sleep/2000 6
expect_log "GET http://$ORIGIN/sleep/2000.* 200 "

# A cacheable URL is unaffected: one origin request for three clients.
C="http://$ORIGIN/sleep/500?h=Cache-Control:max-age%3D60"
three "$C" >/dev/null
expect_origin_hits /sleep/500 1
fetch "$C"
expect_header 'Cache-Status: evproxy; hit'
expect_proxy_alive
proxy_stop
