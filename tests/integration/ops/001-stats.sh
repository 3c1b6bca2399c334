# ops/001-stats: the status pages count what happened.  After a miss, a
# hit and an error, /-/stats (JSON, in path and absolute form) has the
# exact counts, /-/metrics says the same in the Prometheus text format,
# and the /-/ dashboard (HTML, HEAD too) shows the chart, the origin in
# the top hosts and the stored URLs escaped, with no external resource.
# Unknown pages under /-/ are 404.
. "$(dirname "$0")/../lib.sh"

python_resolve
origin_start
proxy_start
O="origin.test:$ORIGIN_PORT"
U="http://$O/bytes/3000?h=Cache-Control:max-age%3D60"
fetch "$U"
expect_status 200
expect_header 'Cache-Status: evproxy; fwd=miss; stored'
fetch "$U"
expect_status 200
expect_header 'Cache-Status: evproxy; hit'
HITLEN=$(wc -c <"$T/body")
fetch "http://nx.test/"
expect_status 404

# Checks the JSON in $T/body: $1 requests so far, $2 own pages so far.
check_json() {
	"$PYTHON" - "$T/body" "$1" "$2" "$HITLEN" "$O" <<'PY' ||
import json, sys
path, want_req, want_own, hitlen, origin = sys.argv[1:6]
s = json.load(open(path))
def num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)
def walk(v, where):
    if isinstance(v, dict):
        for k, x in v.items():
            walk(x, where + "." + k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            walk(x, "%s[%d]" % (where, i))
    elif isinstance(v, str):
        assert where.endswith((".version", ".host")), \
            "%s is a string: %r" % (where, v)
walk(s, "")
for k in ("requests", "hits", "misses", "revalidations", "errors",
          "hit_ratio", "bytes_from_cache", "bytes_from_origin",
          "rejected", "denied"):
    assert num(s[k]), "%s: %r" % (k, s.get(k))
assert s["requests"] == int(want_req), "requests %r" % s["requests"]
assert s["own_pages"] == int(want_own), "own_pages %r" % s["own_pages"]
assert s["hits"] == 1, "hits %r" % s["hits"]
assert s["misses"] == 1, "misses %r" % s["misses"]
assert s["errors"] >= 1, "errors %r" % s["errors"]
assert s["bytes_from_cache"] == int(hitlen), s["bytes_from_cache"]
assert s["bytes_from_origin"] == 3000, s["bytes_from_origin"]
assert abs(s["hit_ratio"] - 0.5) < 1e-9, s["hit_ratio"]
assert s["version"], s["version"]
c = s["cache"]
assert c["enabled"] is True and c["objects"] == 1, c
assert c["bytes"] > 3000 and c["capacity"] > 0 and c["evictions"] == 0, c
assert c["rebuilding"] in (True, False), c
n = s["connections"]
assert n["clients"] >= 1 and n["tunnels"] == 0, n
u = s["upstream"]
for k in ("origins", "idle", "busy", "waiting", "opened", "reused",
          "retries", "invalid"):
    assert num(u[k]), "upstream.%s: %r" % (k, u.get(k))
assert u["busy"] == 0 and u["waiting"] == 0 and u["opened"] >= 1, u
assert u["origins"] >= 1 and u["idle"] >= 1, u
pm = s["per_minute"]
assert len(pm) == 60, len(pm)
assert all(pm[i]["start"] + 60 == pm[i + 1]["start"] for i in range(59))
# the last minute or two hold everything (the test may cross a minute)
assert sum(m["requests"] for m in pm[-2:]) == int(want_req), pm[-2:]
assert sum(m["hits"] for m in pm) == 1, pm[-2:]
hosts = {h["host"]: h for h in s["top_hosts"]}
assert hosts["origin.test"]["requests"] == 2, hosts
assert hosts["origin.test"]["hits"] == 1, hosts
assert hosts["nx.test"]["requests"] == 1, hosts
assert s["top_hosts"][0]["host"] == "origin.test", s["top_hosts"]
PY
	    fail "/-/stats: $(head -c 600 "$T/body")"
}

fetchp /-/stats
expect_status 200
expect_header 'Content-Type: ^application/json'
expect_header 'Cache-Control: no-store'
check_json 3 0
# the absolute form reaches the same page; the first /-/stats counted
fetch "http://$PROXY/-/stats"
expect_status 200
check_json 4 1
# a query string is ignored
fetchp '/-/stats?pretty=1'
expect_status 200
check_json 5 2

# /-/metrics: the same counts, and a well-formed exposition
fetchp /-/metrics
expect_status 200
expect_header 'Content-Type: ^text/plain; version=0\.0\.4; charset=utf-8$'
grep -qx 'evproxy_requests_total 6' "$T/body" ||
    fail "requests_total: $(grep requests_total "$T/body")"
grep -qx 'evproxy_cache_hits_total 1' "$T/body" || fail "hits_total"
grep -qx 'evproxy_cache_misses_total 1' "$T/body" || fail "misses_total"
grep -qx "evproxy_response_bytes_total{source=\"cache\"} $HITLEN" \
    "$T/body" || fail "bytes from the cache"
grep -qx 'evproxy_cache_objects 1' "$T/body" || fail "cache_objects"
"$PYTHON" - "$T/body" <<'PY' || fail "/-/metrics is malformed: see above"
import re, sys
typ, helped, seen = {}, set(), set()
sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)'
                    r'(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*"'
                    r'(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*")*\})?'
                    r' (-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)$')
text = open(sys.argv[1]).read()
assert text.endswith("\n"), "no final newline"
for line in text.splitlines():
    if line.startswith("# HELP "):
        name = line.split()[2]
        assert name not in helped, "two HELP for " + name
        helped.add(name)
    elif line.startswith("# TYPE "):
        _, _, name, t = line.split()
        assert t in ("counter", "gauge"), line
        assert name in helped and name not in typ, line
        assert (t == "counter") == name.endswith("_total"), line
        assert name.startswith("evproxy_"), line
        typ[name] = t
    else:
        m = sample.match(line)
        assert m, "bad sample line: %r" % line
        assert m.group(1) in typ, "sample before its TYPE: %r" % line
        seen.add(m.group(1))
assert seen == set(typ), "families without samples: %r" % (set(typ) - seen)
for k in ("evproxy_requests_total", "evproxy_cache_hits_total",
          "evproxy_cache_misses_total", "evproxy_errors_total",
          "evproxy_cache_hit_ratio", "evproxy_client_connections",
          "evproxy_upstream_connections", "evproxy_upstream_waiting"):
    assert k in typ, "missing " + k
PY

# a second stored object whose URL needs escaping in HTML
U2="http://$O/bytes/9000?h=Cache-Control:max-age%3D60&tag=x"
fetch "$U2"
expect_status 200
fetch "$U2"
expect_header 'Cache-Status: evproxy; hit'

# the dashboard
for p in /-/ /-; do
	fetchp "$p"
	expect_status 200
	expect_header 'Content-Type: ^text/html; charset=utf-8$'
	expect_body_has '<svg'
	expect_body_has '<meta http-equiv="refresh" content="10">'
	expect_body_has '<td title="origin.test">origin.test</td>'
	expect_body_has 'href="/-/stats"'
	expect_body_has 'href="/-/metrics"'
	expect_body_has "/bytes/9000?h=Cache-Control:max-age%3D60&amp;tag=x"
	expect_body_lacks "&tag=x"
	expect_body_has '8.8 KiB'
	"$PYTHON" - "$T/body" <<'PY' || fail "$p: an external reference"
import re, sys
html = open(sys.argv[1]).read()
assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
for bad in ("<script", "<link", "<img", "<iframe", "<object", "<embed",
            "@import", "url(", "xlink:href", "//fonts."):
    assert bad not in html.lower(), bad
# every href and src is a path on this proxy
for m in re.finditer(r'\b(href|src|action)\s*=\s*["\']?([^"\'\s>]*)', html,
                     re.I):
    assert m.group(2).startswith("/-/"), m.group(0)
# URLs appear only as table text (cells and their title)
text = re.sub(r'<td[^>]*>.*?</td>', '', html, flags=re.S)
assert "http://" not in text and "https://" not in text, \
    re.findall(r'.{40}https?://.{40}', text)
assert html.count("<rect") >= 2, "no bars in the chart"
PY
done

# HEAD: the headers and length, no body
raw_send "$PROXY_PORT" \
    'HEAD /-/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
tr -d '\r' <"$T/raw" | grep -q '^HTTP/1.1 200' ||
    fail "HEAD /-/: $(head -c 300 "$T/raw")"
tr -d '\r' <"$T/raw" | grep -q '^Content-Length: [1-9]' ||
    fail "HEAD /-/ has no length"
[ "$(tr -d '\r' <"$T/raw" | sed '1,/^$/d' | wc -c)" -eq 0 ] ||
    fail "HEAD /-/ sent body bytes"

# other names under /-/ are not pages
for p in /-/nope /-/stats/ /-/metrics.txt /-//stats; do
	fetchp "$p"
	expect_status 404
done
fetch "http://$PROXY/-/nope"
expect_status 404

# those count too: 7 own pages (4 JSON and metrics, 2 dashboards, a
# HEAD), the 404s are errors, and the second object made a miss and a hit
fetchp /-/stats
"$PYTHON" - "$T/body" <<'PY' || fail "final /-/stats: $(head -c 400 "$T/body")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["hits"] == 2 and s["misses"] == 2, s
assert s["errors"] == 6, s["errors"]
assert s["own_pages"] == 7, s["own_pages"]
assert s["requests"] == 17, s["requests"]
assert s["cache"]["objects"] == 2, s["cache"]
PY
