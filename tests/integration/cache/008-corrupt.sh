# cache/008-corrupt: a damaged, truncated or foreign file in the cache is
# found at start-up, logged, removed, and the request goes to the origin.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
for i in 1 2 3; do
	fetch "http://$ORIGIN/bytes/700$i?h=Cache-Control:max-age%3D600"
done
proxy_stop || fail "stop"
files=$(find "$T/cache" -path "$T/cache/tmp" -prune -o -type f -print | sort)
[ "$(echo "$files" | wc -l)" -eq 3 ] || fail "want 3 files: $files"
set -- $files
# 1: a byte of the header flipped; 2: the body cut short; 3: a stranger
printf 'X' | dd of="$1" bs=1 seek=40 conv=notrunc status=none
truncate -s -100 "$2"
printf 'GIF89a not an entry' >"$3"
echo junk >"$T/cache/ab/0123456789abcdef"
proxy_start
expect_log 'cache: 0 entries'
expect_log 'removing .*checksum mismatch'
expect_log 'removing .*truncated'
expect_log 'removing .*bad magic'
for i in 1 2 3; do
	fetch "http://$ORIGIN/bytes/700$i?h=Cache-Control:max-age%3D600"
	expect_status 200
	[ "$(wc -c <"$T/body")" -eq "700$i" ] || fail "length of 700$i"
	expect_origin_hits "/bytes/700$i" 2
done
[ ! -e "$T/cache/ab/0123456789abcdef" ] || fail "junk file left in place"

# a file damaged while the proxy runs is caught when it is served
F="http://$ORIGIN/bytes/7100?h=Cache-Control:max-age%3D600"
fetch "$F"
f=$(grep -rl "bytes/7100" "$T/cache" --include='*' | grep -v /cache/tmp/ | head -n 1)
[ -n "$f" ] || fail "no file for 7100"
truncate -s -1 "$f"
fetch "$F"
expect_status 200
[ "$(wc -c <"$T/body")" -eq 7100 ] || fail "a truncated entry was served"
expect_origin_hits /bytes/7100 2
