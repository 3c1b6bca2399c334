# security/001-smuggling: requests whose framing is ambiguous or malformed
# (CL+TE, two lengths, odd Transfer-Encodings, bad chunk sizes, obs-fold,
# bare LF or CR, NUL, HEAD with a body) get 400 + Connection: close + an
# X-Evproxy-Error, the proxy closes the connection and logs it, and no
# part of them reaches the origin.  Valid pipelining and chunked bodies
# still work.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
U="http://$ORIGIN"
H="HTTP/1.1\r\nHost: $ORIGIN\r\n"
TE="Transfer-Encoding:"
CHUNKED="$TE chunked\r\n\r\n"

# No false positives: two GETs in one write, two 200s on one connection.
raw_http pipe --timeout 5 "$PROXY_PORT" \
    "send:GET $U/bytes/3 ${H}\r\nGET $U/bytes/4 ${H}\r\n" resp resp
expect_raw_status pipe 200 1
expect_raw_status pipe 200 2
grep -q '^BODY .* 3 complete' "$T/pipe" &&
    grep -q '^BODY .* 4 complete' "$T/pipe" ||
    fail "pipelined bodies: $(cat "$T/pipe")"

# A valid chunked POST reaches the origin whole.
raw_http chunked --timeout 5 --save "$T/chunked.body" "$PROXY_PORT" \
    "send:POST $U/echo/chunked ${H}${CHUNKED}5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n" \
    resp
expect_raw_status chunked 200
grep -q 'hello world' "$T/chunked.body.1" ||
    fail "chunked POST body: $(head -c 300 "$T/chunked.body.1")"

hits0=$(origin_ctl /_hits)
LOG400='127\.0\.0\.1 .* 400 '

# Asserts case $1 (a rawhttp report) was rejected: 400, Connection:
# close, an X-Evproxy-Error, closed by the proxy, and the log has more
# than $2 lines with this client's address and status 400.
check_rejected() {
	expect_raw_status "$1" 400
	expect_raw_header "$1" 'Connection: ^close$'
	expect_raw_header "$1" 'X-Evproxy-Error: [a-zA-Z]'
	expect_raw_closed "$1"
	i=0
	while [ "$(log_count "$LOG400")" -le "$2" ] && [ $i -lt 20 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(log_count "$LOG400")" -gt "$2" ] ||
	    fail "$1: no log line with the client address and 400"
}

# Sends request $2 (rawhttp escapes) as case $1 and checks it was
# rejected; $3 is the read step (resp, or resp:head for HEAD).
expect_rejected() {
	n0=$(log_count "$LOG400")
	raw_http "$1" --timeout 3 "$PROXY_PORT" "send:$2" "${3:-resp}" eof
	check_rejected "$1" "$n0"
}

# CL+TE with a request hidden in the body: the hidden GET must not run.
n0=$(log_count "$LOG400")
raw_http clte --timeout 3 "$PROXY_PORT" \
    "send:POST $U/echo/s1 ${H}Content-Length: 4\r\n${CHUNKED}0\r\n\r\nGET $U/bytes/7 ${H}\r\n" \
    resp eof
expect_origin_hits /bytes/7 0
check_rejected clte "$n0"

expect_rejected two-cl \
    "POST $U/echo/s2 ${H}Content-Length: 3\r\nContent-Length: 5\r\n\r\nabcde"
expect_rejected cl-plus "POST $U/echo/s3 ${H}Content-Length: +3\r\n\r\nabc"
expect_rejected cl-space "POST $U/echo/s4 ${H}Content-Length : 3\r\n\r\nabc"
expect_rejected te-gzip \
    "POST $U/echo/s5 ${H}$TE gzip\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
expect_rejected te-xchunked \
    "POST $U/echo/s6 ${H}$TE xchunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
expect_rejected te-twice \
    "POST $U/echo/s7 ${H}$TE chunked, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
expect_rejected chunk-0x \
    "POST $U/echo/s8 ${H}${CHUNKED}0x5\r\nhello\r\n0\r\n\r\n"
expect_rejected chunk-zz \
    "POST $U/echo/s9 ${H}${CHUNKED}zz\r\nhello\r\n0\r\n\r\n"
expect_rejected chunk-ext \
    "POST $U/echo/s10 ${H}${CHUNKED}5;ext=1\r\nhello\r\n0\r\n\r\n"
expect_rejected obs-fold "GET $U/bytes/11 ${H}X-Fold: a\r\n b\r\n\r\n"
expect_rejected bare-lf "GET $U/bytes/12 HTTP/1.1\nHost: $ORIGIN\n\n"
expect_rejected bare-cr "GET $U/bytes/13 ${H}X-Cr: a\rb\r\n\r\n"
expect_rejected nul "GET $U/bytes/14 ${H}X-Nul: a\0b\r\n\r\n"
expect_rejected head-body \
    "HEAD $U/bytes/15 ${H}Content-Length: 5\r\n\r\nhello" resp:head

# Nothing of the rejected requests reached the origin.
hits1=$(origin_ctl /_hits)
[ "$hits1" = "$hits0" ] ||
    fail "rejected requests reached the origin: hits $hits0 -> $hits1"

# The proxy carries on serving others.
fetch "$U/bytes/5"
expect_status 200
expect_body abcde
expect_proxy_alive
