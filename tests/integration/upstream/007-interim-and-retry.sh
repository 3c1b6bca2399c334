# upstream/007-interim-and-retry: an origin's "100 Continue" is skipped,
# not taken as the response; and when an origin closes a reused keep-alive
# connection instead of answering (libevent #1415), an idempotent request
# is retried once on a new connection while a POST gets 502.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
fetch "http://127.0.0.1:$ORIGIN_RAW/raw/100"
expect_status 200
expect_body ok

# /raw/once answers the first request of a connection and closes on the
# second.  The second GET reuses the pooled connection, meets the close,
# and must be retried.
fetch "http://127.0.0.1:$ORIGIN_RAW/raw/once"
expect_status 200
expect_body once
# evhttp would add "Content-Type: text/html; charset=ISO-8859-1"
expect_no_header Content-Type
fetch "http://127.0.0.1:$ORIGIN_RAW/raw/once"
expect_status 200
expect_body once
expect_origin_hits /raw/once 3
fetch "http://127.0.0.1:$ORIGIN_RAW/raw/once" -X POST --data-binary x
expect_status 502
expect_origin_hits /raw/once 4
