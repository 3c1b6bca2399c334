# ops/003-stats-nocache: with --no-cache the status pages still work: the
# proxied requests are misses, the cache figures are zero and marked
# off, and the dashboard says so.
. "$(dirname "$0")/../lib.sh"

python_resolve
origin_start
proxy_start --no-cache
U="http://$ORIGIN/bytes/700?h=Cache-Control:max-age%3D60"
fetch "$U"
expect_status 200
fetch "$U"
expect_status 200
fetchp /-/stats
expect_status 200
"$PYTHON" - "$T/body" <<'PY' || fail "/-/stats: $(head -c 600 "$T/body")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["requests"] == 2 and s["misses"] == 2 and s["hits"] == 0, s
assert s["hit_ratio"] == 0 and s["bytes_from_cache"] == 0, s
assert s["bytes_from_origin"] == 1400, s
c = s["cache"]
assert c["enabled"] is False, c
assert c["objects"] == 0 and c["bytes"] == 0 and c["capacity"] == 0, c
PY
fetchp /-/metrics
expect_status 200
grep -qx 'evproxy_cache_enabled 0' "$T/body" || fail "cache_enabled"
grep -qx 'evproxy_cache_misses_total 2' "$T/body" || fail "misses_total"
fetchp /-/
expect_status 200
expect_body_has 'The cache is off'
expect_body_has 'the cache is off (--no-cache)'
expect_body_has '<td title="127.0.0.1">127.0.0.1</td>'
