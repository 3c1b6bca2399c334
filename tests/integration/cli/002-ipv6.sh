# cli/002-ipv6: evproxy ::1 listens on IPv6 and proxies to an IPv4 origin.
. "$(dirname "$0")/../lib.sh"

if ! grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null; then
	echo "SKIP: no IPv6 loopback"; exit 0
fi
origin_start
PROXY_ADDR=::1 proxy_start
fetch "http://$ORIGIN/bytes/5"
expect_status 200
expect_body abcde
fetchp "/$ORIGIN/bytes/3"
expect_status 200
expect_body abc
expect_log "listening on ::1 port $PROXY_PORT"
