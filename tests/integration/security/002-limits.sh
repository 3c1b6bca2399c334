# security/002-limits: --max-header-size (431), --max-body-size (413, by
# Content-Length before the body is sent, and for a chunked body) and
# --max-uri-length (414, default 8k), each with a log line naming the
# status; requests under the limits still pass.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start --max-header-size 4096 --max-body-size 1000
O=$ORIGIN
H="HTTP/1.1\r\nHost: $O\r\n"
big=$(head -c 6000 /dev/zero | tr '\0' a)
small=$(head -c 3000 /dev/zero | tr '\0' a)

# Headers over --max-header-size: 431; under it: through.
raw_http hdr-ok --timeout 5 "$PROXY_PORT" \
    "send:GET http://$O/bytes/1 ${H}X-Pad: $small\r\n\r\n" resp
expect_raw_status hdr-ok 200
raw_http hdr-big --timeout 5 "$PROXY_PORT" \
    "send:GET http://$O/bytes/2 ${H}X-Pad: $big\r\n\r\n" resp
expect_raw_status hdr-big 431
expect_log '127\.0\.0\.1 .* 431 '
expect_origin_hits /bytes/2 0

# A Content-Length over --max-body-size: 413 before the body is sent
# (only its first 100 bytes are).
raw_http cl-big --timeout 3 "$PROXY_PORT" \
    "send:POST http://$O/echo/big ${H}Content-Length: 1000000\r\n\r\n" \
    pat:100 resp
expect_raw_status cl-big 413
expect_log '127\.0\.0\.1 .* 413 '
expect_origin_hits /echo/big 0
# a body within the limit passes
raw_http cl-ok --timeout 5 "$PROXY_PORT" \
    "send:POST http://$O/echo/ok ${H}Content-Length: 500\r\n\r\n" pat:500 resp
expect_raw_status cl-ok 200

# A chunked body that grows past the limit: 413.
n0=$(log_count '127\.0\.0\.1 .* 413 ')
chunk=$(head -c 800 /dev/zero | tr '\0' b)
raw_http te-big --timeout 5 "$PROXY_PORT" \
    "send:POST http://$O/echo/bigc ${H}Transfer-Encoding: chunked\r\n\r\n320\r\n$chunk\r\n320\r\n$chunk\r\n0\r\n\r\n" \
    resp
expect_raw_status te-big 413
expect_origin_hits /echo/bigc 0
i=0
while [ "$(log_count '127\.0\.0\.1 .* 413 ')" -le "$n0" ] && [ $i -lt 20 ]
do
	sleep 0.1
	i=$((i + 1))
done
[ "$(log_count '127\.0\.0\.1 .* 413 ')" -gt "$n0" ] ||
    fail "no log line with 413 for the chunked body"
proxy_stop || fail "SIGTERM"

# The request-target: 8k by default, --max-uri-length sets it.
q9000=$(head -c 9000 /dev/zero | tr '\0' q)
q8000=$(head -c 8000 /dev/zero | tr '\0' q)
proxy_start
raw_http uri-def-ok --timeout 5 "$PROXY_PORT" \
    "send:GET http://$O/bytes/3?$q8000 ${H}\r\n" resp
expect_raw_status uri-def-ok 200
raw_http uri-def-big --timeout 5 "$PROXY_PORT" \
    "send:GET http://$O/bytes/4?$q9000 ${H}\r\n" resp
expect_raw_status uri-def-big 414
expect_log '127\.0\.0\.1 .* 414 '
expect_origin_hits /bytes/4 0
proxy_stop || fail "SIGTERM"

q1500=$(head -c 1500 /dev/zero | tr '\0' q)
q900=$(head -c 900 /dev/zero | tr '\0' q)
proxy_start --max-uri-length 1024
raw_http uri-ok --timeout 5 "$PROXY_PORT" \
    "send:GET http://$O/bytes/5?$q900 ${H}\r\n" resp
expect_raw_status uri-ok 200
raw_http uri-big --timeout 5 "$PROXY_PORT" \
    "send:GET http://$O/bytes/6?$q1500 ${H}\r\n" resp
expect_raw_status uri-big 414
expect_log '127\.0\.0\.1 .* 414 '
expect_origin_hits /bytes/6 0
expect_proxy_alive
