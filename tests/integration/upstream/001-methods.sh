# upstream/001-methods: every method is forwarded with its body intact.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
for m in GET DELETE OPTIONS; do
	fetch "http://$ORIGIN/echo/m" -X "$m"
	expect_status 200
	expect_body_has "$m /echo/m HTTP/1.1"
done
fetch "http://$ORIGIN/bytes/10" -I
expect_status 200
expect_header 'Content-Length: ^10$'
# curl -I writes the headers to -o: nothing may follow them
[ "$(tr -d '\r' <"$T/body" | sed '1,/^$/d' | wc -c)" -eq 0 ] ||
    fail "HEAD got a body"

for m in POST PUT PATCH; do
	fetch "http://$ORIGIN/echo/m" -X "$m" --data-binary "body of $m"
	expect_status 200
	expect_body_has "$m /echo/m HTTP/1.1"
	expect_body_has "body of $m"
	expect_header "X-Origin-Body-Length: ^$(printf 'body of %s' "$m" | wc -c)\$"
done

# A 1 MiB binary body, in both forms, arrives byte for byte.
head -c 1048576 /dev/urandom >"$T/blob"
want=$(cksum <"$T/blob")
fetch "http://$ORIGIN/echo/blob" -X POST --data-binary "@$T/blob" \
    -H 'Content-Type: application/octet-stream'
expect_status 200
expect_header 'X-Origin-Body-Length: ^1048576$'
got=$(tail -c 1048576 "$T/body" | cksum)
[ "$got" = "$want" ] || fail "POST body changed on the way"

fetchp "/$ORIGIN/echo/blob" -X PUT --data-binary "@$T/blob"
expect_header 'X-Origin-Body-Length: ^1048576$'
[ "$(tail -c 1048576 "$T/body" | cksum)" = "$want" ] || fail "PUT body changed"

# A chunked request body is forwarded with a Content-Length.
fetch "http://$ORIGIN/echo/chunked" -X POST -H 'Transfer-Encoding: chunked' \
    --data-binary "chunky"
expect_status 200
expect_body_has "Content-Length: 6"
expect_body_has "chunky"
