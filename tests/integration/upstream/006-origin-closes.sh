# upstream/006-origin-closes: an origin that closes idle keep-alive
# connections (here after 1 s) never costs a client an error: the pool
# notices the close, or retries an idempotent request on a new connection.
. "$(dirname "$0")/../lib.sh"

origin_start -k 1
proxy_start --pool-idle-timeout 60
for round in 1 2 3; do
	fetch "http://$ORIGIN/bytes/10"
	expect_status 200
	expect_body abcdefghij
	sleep 1.3
done
fetch "http://$ORIGIN/echo/x" -X POST --data-binary 'after idle close'
expect_status 200
expect_body_has 'after idle close'
