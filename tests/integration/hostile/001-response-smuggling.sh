# hostile/001-response-smuggling: a response whose framing two parsers
# could read differently (CL plus TE, duplicate or malformed CL, a coding
# other than "chunked", obs-fold, bare CR or LF, NUL, a bad chunk size),
# sent in one write with its head, gets 502 "invalid response from
# origin: <reason>".  It is never cached, and the origin connection is
# never reused (the origin keeps it open and logs REUSED if it is).
. "$(dirname "$0")/../lib.sh"

# Records a failed check for the current route and carries on, so that
# one run names every route the proxy gets wrong.
miss() {
	echo "  $route: $*" >>"$T/misses"
}

# The X-Evproxy-Error value of the last fetch ("" if none).
err_header() {
	sed -n 's/\r$//; s/^[Xx]-[Ee]vproxy-[Ee]rror: //p' "$T/headers"
}

# Reason fragments are EREs on the part after the prefix; upper-case
# tokens (LF, CR, NUL) are matched case-sensitively on purpose.
CL='[Cc]ontent-[Ll]ength'
TE='[Tt]ransfer-[Ee]ncoding|transfer.coding'
cat >"$T/table" <<TABLE
cl-te			$CL.*($TE)|($TE).*$CL
te-cl			$CL.*($TE)|($TE).*$CL
cl-dup			$CL
cl-plus			$CL
cl-two-numbers		$CL
cl-alpha		$CL
cl-space-colon		[Ff]ield|[Cc]olon|[Ww]hite.?space|$CL
te-gzip			$TE|[Cc]hunked
te-gzip-chunked		$TE|[Cc]hunked
te-xchunked		$TE|[Cc]hunked
obs-fold		[Ff]old
obs-fold-tab		[Ff]old
bare-lf			LF|[Ll]ine.?feed|[Nn]ewline|[Ll]ine ending
bare-lf-status		LF|[Ll]ine.?feed|[Nn]ewline|[Ll]ine ending
bare-cr			CR|[Cc]arriage
nul			NUL|[Nn]ull|zero byte
chunk-0x		[Cc]hunk
chunk-plus		[Cc]hunk
chunk-zz		[Cc]hunk
chunk-ext		[Cc]hunk
chunk-17-digits		[Cc]hunk
TABLE

origin_start
# a proxy that takes a bad head for a close-delimited body would wait
# for the close; fail in 1 s instead of 30
proxy_start --upstream-timeout 1
FETCH_TIMEOUT=8
: >"$T/misses"

while read -r route reason; do
	[ -n "$route" ] || continue
	U="http://127.0.0.1:$ORIGIN_RAW/raw/bad/$route"
	# twice: the second would be a hit if the first had been cached,
	# or go out on the first's connection if it had been kept
	for n in 1 2; do
		# curl writes -o only once data arrives
		: >"$T/body"
		fetch "$U"
		e=$(err_header)
		if [ "$STATUS" != 502 ]; then
			miss "fetch $n: status $STATUS (curl rc $CURL_RC)," \
			    "want 502; body '$(head -c 40 "$T/body" | tr -c '[:print:]' '.')'"
			continue
		fi
		case "$e" in
		"invalid response from origin"*) ;;
		*)	miss "fetch $n: X-Evproxy-Error '$e' does not start" \
			    "with 'invalid response from origin'"
			continue ;;
		esac
		printf '%s\n' "${e#invalid response from origin}" |
		    grep -Eq -- "$reason" ||
		    miss "fetch $n: X-Evproxy-Error '$e' does not name" \
			"the reason (/$reason/)"
	done
	h=$(origin_hits "/raw/bad/$route")
	[ "$h" = 2 ] || miss "origin hits $h, want 2 (cached or not sent)"
	# the proxy is still fine
	fetch "http://$ORIGIN/bytes/10"
	[ "$STATUS" = 200 ] || miss "next request: status $STATUS, want 200"
done <"$T/table"

if grep -q '^REUSED' "$T/origin.log"; then
	route=all
	miss "origin connections reused after a hostile answer:"
	grep '^REUSED' "$T/origin.log" | sort | uniq -c | sed 's/^/    /' \
	    >>"$T/misses"
fi
expect_proxy_alive
if [ -s "$T/misses" ]; then
	cat "$T/misses" >&2
	fail "$(grep -c '^  ' "$T/misses") failed checks (listed above)"
fi
