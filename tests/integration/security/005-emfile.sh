# security/005-emfile: out of file descriptors (the daemon runs under
# prlimit --nofile=40:40 and 60 clients connect at once), the proxy does
# not crash or spin: accept pauses (logged), CPU use stays low while the
# clients are held, and once they leave a normal request succeeds.
. "$(dirname "$0")/../lib.sh"

command -v prlimit >/dev/null || fail "prlimit (util-linux) is not installed"
origin_start
PROXY_WRAP="prlimit --nofile=40:40"
proxy_start
PROXY_WRAP=
grep -q '^Max open files *40 ' "/proc/$PROXY_PID/limits" ||
    fail "prlimit did not apply: $(grep 'open files' "/proc/$PROXY_PID/limits")"
fetch "http://$ORIGIN/bytes/3"
expect_status 200

holder_start hold --idle 60 --duration 40 "$PROXY_PORT"
expect_log 'accept: .*pausing'
expect_proxy_alive
# no busy loop: under 0.5 s of CPU in 2 s
hz=$(getconf CLK_TCK)
c0=$(proxy_cpu_ticks)
sleep 2
c1=$(proxy_cpu_ticks)
expect_between "CPU seconds used in 2 s while out of fds" \
    "$(awk -v a="$c0" -v b="$c1" -v hz="$hz" 'BEGIN { print (b - a) / hz }')" \
    0 0.5
expect_proxy_alive
holder_stop hold

fetch "http://$ORIGIN/bytes/4"
expect_status 200
expect_body abcd
expect_proxy_alive
