# upstream/008-large-reads: origin bodies are read in pieces much larger
# than libevent's 4 KiB (upstream_conn_pull), and that changes nothing a
# client can see: a large close-delimited body arrives byte-exact and is
# cached; one cut by a reset while megabytes still sit unread in the
# proxy's socket (it was paused for a slow client) ends as TRUNCATED,
# never as a clean end (the reset must not be read and lost); bytes after
# a large Content-Length body, in the same burst, are still refused by the
# framing checker; a large chunked body arrives byte-exact.
. "$(dirname "$0")/../lib.sh"

# A one-connection-at-a-time origin for the close-delimited cases.  Each
# route answers one request, then the connection ends:
#   /close/N   close-delimited N pattern bytes, then FIN (max-age=60)
#   /reset     close-delimited pattern bytes (no-store) as fast as the
#              proxy takes them; once a send has blocked for 0.5 s (the
#              proxy paused, every buffer full), RST
#   /extra/N   Content-Length N, N bytes plus a second response, one burst
# It prints "SENT <path> <bytes>" per answer; it exits after 60 s.
cat >"$T/origin.py" <<'EOF'
import socket, struct, sys, time
PAT = bytes((i * 7 + i // 251) % 251 for i in range(1 << 16))
def pattern(n):
    out = bytearray()
    while len(out) < n:
        out += PAT[:n - len(out)]
    return bytes(out)
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(8)
ls.settimeout(1.0)
print("PORT", ls.getsockname()[1], flush=True)
deadline = time.time() + 60
while time.time() < deadline:
    try:
        c, _ = ls.accept()
    except socket.timeout:
        continue
    c.settimeout(5.0)
    req = b""
    try:
        while b"\r\n\r\n" not in req and len(req) < 65536:
            d = c.recv(4096)
            if not d:
                break
            req += d
    except OSError:
        c.close()
        continue
    t = req.split(b" ")[1].decode() if req.count(b" ") >= 2 else "/"
    path = t.split("://", 1)[-1]
    path = path[path.find("/"):].split("?")[0] if "/" in path else "/"
    sent = 0
    try:
        if path.startswith("/close/"):
            n = int(path[7:])
            c.sendall(b"HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n"
                      b"Connection: close\r\n\r\n" + pattern(n))
            sent = n
            c.shutdown(socket.SHUT_WR)
            while c.recv(65536):
                pass
        elif path == "/reset":
            c.sendall(b"HTTP/1.1 200 OK\r\nCache-Control: no-store\r\n"
                      b"Connection: close\r\n\r\n")
            c.settimeout(0.5)
            while sent < (64 << 20):
                try:
                    k = c.send(PAT[sent % len(PAT):])
                except socket.timeout:
                    break
                sent += k
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
        elif path.startswith("/extra/"):
            n = int(path[7:])
            c.sendall(b"HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n"
                      b"Content-Length: %d\r\n\r\n" % n + pattern(n) +
                      b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra")
            sent = n
            c.recv(65536)
        else:
            c.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                      b"Connection: close\r\n\r\n")
    except OSError:
        pass
    c.close()
    print("SENT", path, sent, flush=True)
EOF
python_resolve
"$PYTHON" "$T/origin.py" >"$T/py.out" 2>"$T/py.log" &
PIDS="$PIDS $!"
wait_for_line "$T/py.out" '^PORT ' 10 || fail "origin.py did not start"
PY="127.0.0.1:$(awk '/^PORT /{ print $2 }' "$T/py.out")"
# Writes the first $1 bytes of origin.py's pattern to stdout.
pattern() {
	"$PYTHON" -c '
import sys
PAT = bytes((i * 7 + i // 251) % 251 for i in range(1 << 16))
n = int(sys.argv[1])
for i in range(n // len(PAT)):
    sys.stdout.buffer.write(PAT)
sys.stdout.buffer.write(PAT[:n % len(PAT)])' "$1"
}
# True if file $1 holds the first bytes of the pattern.
cmp_prefix() {
	pattern "$(wc -c <"$1")" | cmp -s - "$1"
}
pattern 6291456 >"$T/pattern"

origin_start
proxy_start
FETCH_TIMEOUT=30

# 1. A 6 MiB close-delimited body: whole, byte-exact, then a hit.
fetch "http://$PY/close/6291456"
expect_status 200
[ "$CURL_RC" = 0 ] || fail "close-delimited: curl rc $CURL_RC"
[ "$(wc -c <"$T/body")" -eq 6291456 ] ||
    fail "close-delimited: $(wc -c <"$T/body") of 6291456 bytes"
cmp -s "$T/body" "$T/pattern" || fail "close-delimited: body differs"
wait_for_line "$T/py.out" '^SENT /close/6291456 ' 5 || fail "origin.py: no answer"
sleep 0.3
fetch "http://$PY/close/6291456"
expect_status 200
cmp -s "$T/body" "$T/pattern" || fail "close-delimited hit: body differs"
[ "$(grep -c '^SENT /close/' "$T/py.out")" -eq 1 ] ||
    fail "close-delimited: not served from the cache"

# 2. A reset behind megabytes the paused proxy has not read yet.
: >"$T/body"
fetch "http://$PY/reset" --limit-rate 8M
wait_for_line "$T/py.out" '^SENT /reset ' 5 || fail "origin.py: no reset"
sent=$(awk '$2 == "/reset" { print $3 }' "$T/py.out")
got=$(wc -c <"$T/body")
echo "reset: origin sent $sent bytes then RST; client got $got, curl rc $CURL_RC"
case "$CURL_RC" in
18|56)	;;
*)	fail "reset: curl rc $CURL_RC, status $STATUS, $got bytes: want a cut stream (rc 18 or 56)" ;;
esac
[ "$got" -le "$sent" ] || fail "reset: client got more than was sent"
[ "$got" -gt $((1 << 20)) ] ||
    fail "reset: only $got bytes reached the client (test setup: want >1 MiB)"
cmp_prefix "$T/body" || fail "reset: the bytes before the cut differ"
expect_log "GET http://$PY/reset .*TRUNCATED"
expect_proxy_alive

# 3. Bytes after a 1 MiB Content-Length body, in the same burst.  If they
# come in the read that ends the body, the exchange fails (502, or a cut
# stream) and nothing is stored; if a read happens to end exactly at the
# body's end, the body is whole and only the connection is dropped.
# Either way the checker must see them.
fetch "http://$PY/extra/1048576"
wait_for_line "$T/py.out" '^SENT /extra/' 5 || fail "origin.py: no extra"
wait_for_line "$T/proxy.log" 'invalid response' 5 ||
    fail "extra: the framing checker did not see the bytes after the body"
if [ "$CURL_RC" = 0 ] && [ "$STATUS" = 200 ]; then
	echo "extra: body whole, the bytes after it came in a later read"
	cmp_prefix "$T/body" || fail "extra: a clean 200 with wrong bytes"
	[ "$(wc -c <"$T/body")" -eq 1048576 ] || fail "extra: clean but short"
else
	echo "extra: refused (status $STATUS, curl rc $CURL_RC)"
	fetch "http://$PY/extra/1048576"
	wait_for_line "$T/py.out" '^SENT /extra/.*' 5
	[ "$(grep -c '^SENT /extra/' "$T/py.out")" -eq 2 ] ||
	    fail "extra: the refused response was cached"
fi

# 4. A 5 MB chunked body (64 KiB chunks) through the suite's origin.
fetch "http://$ORIGIN/bytes/5000000?chunked=1"
expect_status 200
cp "$T/body" "$T/chunked"
curl -sS --max-time 20 -o "$T/direct" "http://$ORIGIN/bytes/5000000?chunked=1" ||
    fail "direct fetch failed"
cmp -s "$T/chunked" "$T/direct" || fail "chunked: body differs from the origin's"
expect_proxy_alive
