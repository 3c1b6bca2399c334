# upstream/003-dns: names resolve through evdns (the suite's DNS server);
# NXDOMAIN is 404, SERVFAIL and DNS timeouts are 502, each with a page.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start --dns-timeout 0.5
fetch "http://origin.test:$ORIGIN_PORT/bytes/3"
expect_status 200
expect_body abc

fetch "http://no-such-site.nx.test:$ORIGIN_PORT/"
expect_status 404
expect_header 'X-Evproxy-Error: .*does not exist'
expect_body_has "<h1>404"
expect_body_has "no-such-site.nx.test"
# the path form the original ProxyServer answered 404 for
fetchp "/notgoogle.nx.test"
expect_status 404

fetch "http://servfail.test:$ORIGIN_PORT/"
expect_status 502
expect_header 'X-Evproxy-Error: .*could not be resolved'

start=$(date +%s)
fetch "http://timeout.test:$ORIGIN_PORT/"
end=$(date +%s)
expect_status 502
expect_header 'X-Evproxy-Error: .*could not be resolved'
[ $((end - start)) -le 6 ] || fail "DNS timeout took $((end - start)) s"

# The resolver still works after the failures.
fetch "http://origin.test:$ORIGIN_PORT/bytes/2"
expect_status 200
grep -qi 'origin.test' "$T/dnsd.log" || fail "the proxy did not ask our DNS server"
