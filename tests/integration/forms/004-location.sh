# forms/004-location: redirects keep a path-form browser on the proxy;
# absolute-form clients get the origin's Location untouched.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
fetchp "/$ORIGIN/redirect?to=http://$ORIGIN/bytes/3"
expect_status 302
expect_header "Location: ^/$ORIGIN/bytes/3\$"
fetchp "/$ORIGIN/redirect?to=/bytes/4"
expect_status 302
expect_header "Location: ^/$ORIGIN/bytes/4\$"
fetchp "/$ORIGIN/redirect?to=http://other.test/x"
expect_header "Location: ^/other\.test/x\$"
fetchp "/$ORIGIN/redirect?to=https://secure.test/x"
expect_header "Location: ^https://secure\.test/x\$"

# curl -L follows the rewritten Location through the proxy.
fetchp "/$ORIGIN/redirect?to=/bytes/5" -L
expect_status 200
expect_body abcde

fetch "http://$ORIGIN/redirect?to=http://$ORIGIN/bytes/3"
expect_status 302
expect_header "Location: ^http://$ORIGIN/bytes/3\$"
