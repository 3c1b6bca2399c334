#!/bin/sh
# run.sh [SECONDS]: builds the libFuzzer targets with clang into
# build-fuzz/ and runs each for SECONDS (default 10) over a scratch copy
# of its seed corpus, with its dictionary.  SECONDS=0 replays each corpus
# once and fuzzes nothing; dev.sh test runs
# 5 s per target.  Prints one line per target and
# exits 1 if any target crashed, leaked, timed out or ran out of memory.
#
# The committed corpora (tests/fuzz/corpus/<target>/) are never written:
# new inputs and crash files go to a temporary directory, named at the
# end (and removed after a clean run shorter than a minute).  Needs clang and its runtime (Debian: clang libclang-rt-14-dev).
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
FUZZ=$ROOT/tests/fuzz
BUILD=$ROOT/build-fuzz
TARGETS="url cc record frame"

secs=${1:-10}
case $secs in
''|*[!0-9]*)
	echo "usage: tests/fuzz/run.sh [SECONDS]" >&2
	exit 2
	;;
esac

# Configure and build only the fuzz targets and the libraries they link.
# Every library gets coverage and the sanitizers (tests/fuzz/CMakeLists.txt);
# the build type Fuzz adds no flags, so assert() stays on.
CFLAGS="-O1 -g -fno-omit-frame-pointer"
CFLAGS="$CFLAGS -fsanitize=fuzzer-no-link,address,undefined"
CFLAGS="$CFLAGS -fno-sanitize-recover=undefined"
mkdir -p "$BUILD"
if ! cmake -S "$ROOT" -B "$BUILD" -DEVPROXY_FUZZ=ON \
    -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Fuzz \
    -DCMAKE_C_FLAGS="$CFLAGS" >"$BUILD/configure.log" 2>&1; then
	cat "$BUILD/configure.log" >&2
	echo "run.sh: configure failed in $BUILD" >&2
	exit 1
fi
if ! cmake --build "$BUILD" --target fuzz -j "$(nproc)" \
    >"$BUILD/build.log" 2>&1; then
	cat "$BUILD/build.log" >&2
	echo "run.sh: build failed in $BUILD" >&2
	exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/evproxy-fuzz.XXXXXX")
if [ "$secs" -eq 0 ]; then
	mode="-runs=0"
else
	mode="-max_total_time=$secs"
fi
failed=0
for t in $TARGETS; do
	bin=$BUILD/tests/fuzz/fuzz_$t
	dir=$WORK/$t
	mkdir -p "$dir/corpus"
	cp "$FUZZ/corpus/$t/"* "$dir/corpus/"
	# -timeout: one input taking 10 s is a hang, and a failure
	set -- "$mode" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$dir/"
	if [ -f "$FUZZ/$t.dict" ]; then
		set -- "$@" -dict="$FUZZ/$t.dict"
	fi
	if "$bin" "$@" "$dir/corpus" >"$dir/log" 2>&1; then
		rc=0
	else
		rc=$?
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log")
	files=$(ls "$dir/corpus" | wc -l)
	if [ "$rc" -eq 0 ]; then
		result=ok
	else
		failed=1
		art=$(ls "$dir" | grep -E '^(crash|leak|timeout|oom)-' |
		    head -n 1) || true
		result="FAILED (exit $rc): $dir/log${art:+, input $dir/$art}"
	fi
	printf 'fuzz_%-7s %10s execs %7s/s  %4s corpus files  %s\n' "$t" \
	    "${execs:-?}" "${rate:-?}" "$files" "$result"
done

if [ "$failed" -eq 0 ] && [ "$secs" -lt 60 ]; then
	# a replay or the brief run of dev.sh test: nothing worth keeping
	rm -rf "$WORK"
else
	echo "run.sh: logs, new inputs and crash files are in $WORK"
fi
exit "$failed"
