# cli/001-usage: --help, --version, bad arguments and a busy port.
. "$(dirname "$0")/../lib.sh"

# runs that get as far as opening the cache create ./cache: keep it in $T
cd "$T"
"$PROXY_BIN" --help >"$T/help" 2>&1 || fail "--help exited non-zero"
grep -q '^usage: evproxy' "$T/help" || fail "--help prints no usage"
grep -q -- '--port' "$T/help" || fail "--help does not list --port"
"$PROXY_BIN" --version >"$T/ver" 2>&1 || fail "--version exited non-zero"
grep -Eq '^evproxy [0-9]+\.[0-9]+' "$T/ver" || fail "--version: $(cat "$T/ver")"

# Each bad invocation: non-zero exit and exactly one line saying why.
check_bad() {
	if "$PROXY_BIN" "$@" >"$T/bad.out" 2>"$T/bad.err"; then
		fail "'$*' exited 0"
	fi
	[ "$(wc -l <"$T/bad.err")" -eq 1 ] ||
	    fail "'$*': want one line, got: $(cat "$T/bad.err")"
	! grep -q 'Ready to serve' "$T/bad.out" || fail "'$*' started serving"
}
check_bad --port 70000
check_bad --port x
check_bad --no-such-option
check_bad -p 0 not-an-address
check_bad -p 0 127.0.0.1 extra
check_bad --upstream-timeout soon
grep -q 'upstream-timeout' "$T/bad.err" || fail "error does not name the option"

# A cache directory that cannot be created: one line, exit 1.
check_bad -p 0 --cache-dir /proc/evproxy-cannot-be-here
grep -q 'cache' "$T/bad.err" || fail "cache error: $(cat "$T/bad.err")"

# A port in use: start one proxy, then a second on its port.
proxy_start
check_bad -p "$PROXY_PORT" 127.0.0.1
grep -q "port $PROXY_PORT" "$T/bad.err" || fail "no port in: $(cat "$T/bad.err")"
