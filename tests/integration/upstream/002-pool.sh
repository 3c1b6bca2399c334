# upstream/002-pool: origin connections are kept alive and reused, capped
# per origin, and closed after the idle timeout.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start --pool-size 2 --pool-idle-timeout 1
before=$(origin_conns)
for i in 1 2 3 4 5 6 7 8; do
	fetch "http://$ORIGIN/bytes/$i"
	expect_status 200
done
after=$(origin_conns)
[ $((after - before)) -eq 1 ] ||
    fail "8 sequential requests used $((after - before)) origin connections"

# 6 concurrent slow requests share at most 2 connections.
before=$(origin_conns)
JOBS=""
for i in 1 2 3 4 5 6; do
	curl -sS -x "http://$PROXY" --max-time 20 -o "$T/par.$i" \
	    "http://$ORIGIN/sleep/300" &
	JOBS="$JOBS $!"
done
for j in $JOBS; do wait "$j"; done
for i in 1 2 3 4 5 6; do
	[ "$(cat "$T/par.$i")" = "slept" ] || fail "parallel request $i failed"
done
after=$(origin_conns)
[ $((after - before)) -le 2 ] ||
    fail "pool of 2 opened $((after - before)) connections"

# After the idle timeout the connection is closed: the next one is new.
sleep 2
before=$(origin_conns)
fetch "http://$ORIGIN/bytes/1"
expect_status 200
after=$(origin_conns)
[ $((after - before)) -eq 1 ] || fail "idle connection was not closed"

