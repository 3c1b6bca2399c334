# cache/019-rebuild-hit: while the start-up scan rebuilds the index, a
# request for an entry the scan has not reached yet is a hit (the file its
# key names is read on demand and checked as the scan checks it: a damaged
# one is removed and fetched again), a purge of such an entry removes it
# for good, and the scan then indexes and counts every entry once.
. "$(dirname "$0")/../lib.sh"

# 50 000 files: the scan takes over a second here (longer under ASan);
# the three entries under test are in directory ff, which it reads last
N=50000
origin_start
proxy_start
P="http://$ORIGIN/bytes/100?h=Cache-Control:max-age%3D86400&n="
set -- $("$MKCACHE_BIN" last "$P" 3)
[ $# -eq 3 ] || fail "evproxy-test-mkcache last: '$*'"
A=$1	# hit during the scan
B=$2	# purged during the scan
C=$3	# damaged
fetch "$P$A"
expect_status 200
expect_header 'Cache-Status: evproxy; fwd=miss; stored'
fetch "$P$B"
fetch "$P$C"
expect_status 200
[ "$(ls "$T/cache/ff" | wc -l)" -eq 3 ] ||
    fail "want the three entries in $T/cache/ff: $(ls "$T/cache/ff")"
expect_origin_hits /bytes/100 3
proxy_stop || fail "stop"
fc=$(grep -l "n=$C\$" "$T"/cache/ff/*) || fail "no file for $C"
printf 'X' | dd of="$fc" bs=1 seek=40 conv=notrunc status=none
"$MKCACHE_BIN" fill "$T/cache" "http://127.0.0.1:1/filler/" $N ||
    fail "evproxy-test-mkcache fill"

proxy_start
fetch "$P$A"
expect_status 200
expect_header 'Cache-Status: evproxy; hit'
[ "$(wc -c <"$T/body")" -eq 100 ] || fail "body length of the early hit"
fetch "$P$B" -X PURGE
expect_status 200
expect_body_has "purged 1 "
fetch "$P$C"
expect_status 200
expect_header 'Cache-Status: evproxy; fwd=miss; stored'
[ "$(wc -c <"$T/body")" -eq 100 ] || fail "body length of the refetch"
expect_log "removing $fc: checksum mismatch"

expect_origin_hits /bytes/100 4

# the second scan's end; it came after the three requests' access lines
i=0
until [ "$(log_count 'cache: [0-9]+ entries')" -ge 2 ]; do
	[ $i -lt 1200 ] || fail "the scan did not end in 120 s"
	sleep 0.1
	i=$((i + 1))
done
end=$(grep -n 'cache: [0-9]* entries' "$T/proxy.log" | tail -n 1)
last=$(grep -n "GET .*n=$C 200 MISS" "$T/proxy.log" | tail -n 1)
[ "${last%%:*}" -lt "${end%%:*}" ] ||
    fail "the scan ended before the requests: raise N"
# it skipped A and C (indexed already) and did not bring B back
bytes=$(find "$T/cache" -path "$T/cache/tmp" -prune -o -type f \
    -printf '%s\n' | awk '{ s += $1 } END { print s }')
case $end in
*"cache: $((N + 2)) entries, $bytes bytes in "*) ;;
*)	fail "want $((N + 2)) entries and $bytes bytes: $end" ;;
esac
fetch "$P$A"
expect_header 'Cache-Status: evproxy; hit'
fetch "$P$B"
expect_status 200
expect_header 'Cache-Status: evproxy; fwd=miss'
expect_origin_hits /bytes/100 5
