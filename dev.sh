#!/bin/sh
# dev.sh: the two commands of the README.
#   ./dev.sh run [evproxy options]   set up what is missing, build, run evproxy
#   ./dev.sh test                    set up, build, replay the fuzz corpora,
#                                    run every test, then again under
#                                    AddressSanitizer + UBSan
#   ./dev.sh test-plain | test-asan | test-fuzz  one part of `test`
#   ./dev.sh fuzz [SECONDS]          fuzz each target for SECONDS (600)
#   ./dev.sh build                   set up and build only (into build/)
# As root on Debian it installs missing packages with apt-get; otherwise it
# names them and stops.
set -eu
cd "$(dirname "$0")"
ROOT=$(pwd)

PKGS="build-essential cmake pkg-config libevent-dev check curl netcat-openbsd
    python3 openssl clang libclang-rt-14-dev valgrind chromium"

# Installs (as root) or names the Debian packages that are missing.
setup() {
	missing=""
	for p in $PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "install ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "dev.sh: missing packages:$missing" >&2
		echo "dev.sh: run as root, or: sudo apt-get install$missing" >&2
		exit 1
	fi
	echo "dev.sh: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# Configures and builds into directory $1 with extra CMake options.
build() {
	dir=$1
	shift
	werror=OFF
	[ -n "${CI:-}" ] && werror=ON
	cmake -S "$ROOT" -B "$dir" -DEVPROXY_WERROR=$werror "$@" >/dev/null
	if ! cmake --build "$dir" -j "$(nproc)" >"$dir/build.log" 2>&1; then
		cat "$dir/build.log" >&2
		echo "dev.sh: build failed in $dir" >&2
		exit 1
	fi
	grep -i 'warning' "$dir/build.log" || true
}

# Runs the whole CTest suite of build directory $1.
run_tests() {
	(cd "$1" && ctest --output-on-failure -j 4 --timeout 300)
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
run)
	setup
	build "$ROOT/build"
	exec "$ROOT/build/evproxy" "$@"
	;;
build)
	setup
	build "$ROOT/build"
	;;
fuzz)
	setup
	exec sh "$ROOT/tests/fuzz/run.sh" "${1:-600}"
	;;
test-fuzz)
	setup
	# each libFuzzer target over its seed corpus, then a few seconds more
	sh "$ROOT/tests/fuzz/run.sh" "${FUZZ_SECS:-5}"
	;;
test|test-plain|test-asan)
	setup
	if [ "$cmd" = test ]; then
		echo "dev.sh: fuzz targets, ${FUZZ_SECS:-5} s each"
		sh "$ROOT/tests/fuzz/run.sh" "${FUZZ_SECS:-5}"
	fi
	if [ "$cmd" != test-asan ]; then
		build "$ROOT/build"
		run_tests "$ROOT/build"
	fi
	if [ "$cmd" != test-plain ]; then
		echo "dev.sh: tests under AddressSanitizer + UBSan"
		build "$ROOT/build-asan" -DEVPROXY_SANITIZE=ON \
		    -DCMAKE_BUILD_TYPE=Debug
		run_tests "$ROOT/build-asan"
	fi
	;;
*)
	sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
	[ -z "$cmd" ] && exit 0
	exit 2
	;;
esac
