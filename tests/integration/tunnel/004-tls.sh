# tunnel/004-tls: curl reaches an https:// server (openssl s_server with a
# throwaway self-signed certificate) by name through a CONNECT tunnel.
. "$(dirname "$0")/../lib.sh"

command -v openssl >/dev/null || fail "openssl is not installed"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 -subj /CN=tls.test \
    >"$T/openssl.log" 2>&1 || fail "openssl req: $(cat "$T/openssl.log")"
P=$(free_port)
openssl s_server -accept "127.0.0.1:$P" -cert "$T/cert.pem" \
    -key "$T/key.pem" -www </dev/null >"$T/s_server.out" 2>&1 &
PIDS="$PIDS $!"
wait_for_line "$T/s_server.out" '^ACCEPT' 10 ||
    fail "s_server did not start: $(cat "$T/s_server.out")"

proxy_start --connect-ports "443,$P"
CURL_RC=0
out=$(curl -sS -k -p -x "http://$PROXY" --max-time 15 -o "$T/body" \
    -w '%{http_code} %{http_connect}' "https://tls.test:$P/" \
    2>"$T/curl.err") || CURL_RC=$?
# the proxy answered the CONNECT itself, then s_server the GET
STATUS=${out#* }
expect_status 200
STATUS=${out% *}
expect_status 200
grep -Eq 's_server|Ciphers' "$T/body" ||
    fail "not the s_server page: $(head -c 300 "$T/body")"
