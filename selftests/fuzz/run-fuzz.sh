#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fuzz libmos-user and the engine with libFuzzer for a bounded time, and
# replay the crash reproducers kept in selftests/fuzz/crashes/ (regression).
#
# usage: run-fuzz.sh [SECONDS]   (default 60)
#
# Builds into $BUILD/fuzz/: fuzz_engine (clang, libFuzzer + ASan + UBSan)
# and replay (gcc, ASan + UBSan, -DMOS_FUZZ_REPLAY), which also writes the
# seeds. The corpus grows in $BUILD/fuzz/corpus across runs; crashes land
# in $BUILD/fuzz/artifacts/. Prints TAP.
#
# Environment: FUZZ_CFLAGS adds compiler flags to both builds (e.g.
# -DMOS_FUZZ_SKIP_KNOWN to look past the bugs the reproducers show),
# FUZZ_ARGS adds libFuzzer options (e.g. -jobs=4 -workers=4).
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build}
OUT=$BUILD/fuzz
SECS=${1:-60}
CLANG=${CLANG:-clang}
REPLAY_CC=${REPLAY_CC:-gcc}
read -ra EXTRA <<<"${FUZZ_CFLAGS:-}"
read -ra FARGS <<<"${FUZZ_ARGS:-}"

cd "$SRC" || exit 1
mkdir -p "$OUT/corpus" "$OUT/artifacts" "$OUT/crashes"

n=0
failed=0
tap() {		# tap ok|not-ok DESCRIPTION
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

# The whole library, with the engine.
LIB_SRCS=(libmos-user/*.c kmod/engine/*.c)
LIBS=$(pkg-config --libs libpcap libmnl 2>/dev/null || echo -lpcap -lmnl)
CPPF=(-std=gnu11 -Iinclude -Iinclude/uapi -Ikmod -Ilibmos-user -D_GNU_SOURCE)
WARN=(-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
	-Wmissing-prototypes)

# build CC OUTPUT FLAGS...: the harness (all warnings), then the library
# (its Makefile's warnings), linked together.
build() {
	local cc=$1 out=$2 dir src obj objs=()
	shift 2
	dir=$out.obj
	rm -rf "$dir"
	mkdir -p "$dir"
	"$cc" "${CPPF[@]}" "${WARN[@]}" "$@" -c selftests/fuzz/fuzz_engine.c \
		-o "$dir/fuzz_engine.o" || return 1
	objs+=("$dir/fuzz_engine.o")
	for src in "${LIB_SRCS[@]}"; do
		obj=$dir/$(echo "$src" | tr / _).o
		"$cc" "${CPPF[@]}" "${WARN[@]}" -Wno-unused-parameter "$@" \
			-c "$src" -o "$obj" || return 1
		objs+=("$obj")
	done
	# shellcheck disable=SC2086 # LIBS is a word list
	"$cc" "$@" -o "$out" "${objs[@]}" $LIBS
}

SAN_REPLAY=(-g -O1 "-fsanitize=address,undefined"
	-fno-sanitize-recover=all -DMOS_FUZZ_REPLAY "${EXTRA[@]}")
SAN_FUZZ=(-g -O1 "-fsanitize=fuzzer,address,undefined"
	-fno-sanitize-recover=undefined "${EXTRA[@]}")

if ! build "$REPLAY_CC" "$OUT/replay" "${SAN_REPLAY[@]}" \
	>"$OUT/build-replay.log" 2>&1; then
	sed 's/^/# /' "$OUT/build-replay.log"
	tap not-ok "build the replay binary ($REPLAY_CC)"
	echo "1..$n"
	exit 1
fi
rm -rf "$OUT/seeds"
"$OUT/replay" -seed "$OUT/seeds" || tap not-ok "write the seeds"

# Regression: every reproducer kept as a hex file (# comments allowed).
for hex in selftests/fuzz/crashes/*.hex; do
	[ -e "$hex" ] || continue
	name=$(basename "$hex" .hex)
	grep -v '^#' "$hex" | xxd -r -p >"$OUT/crashes/$name"
	# (braces: the shell's "Aborted" notice goes to the log as well)
	if { "$OUT/replay" "$OUT/crashes/$name"; } \
		>"$OUT/crashes/$name.log" 2>&1; then
		tap ok "regression $name"
	else
		grep -E '^(invariant|SUMMARY|==[0-9]+==ERROR|    #[0-9] )' \
			"$OUT/crashes/$name.log" | head -n 12 | sed 's/^/# /'
		tap not-ok "regression $name (replay: $OUT/replay $OUT/crashes/$name)"
	fi
done

# The seeds, and the corpus of earlier runs, under gcc's sanitizers.
if { "$OUT/replay" "$OUT/seeds" "$OUT/corpus"; } >"$OUT/replay.log" 2>&1
then
	tap ok "replay seeds and corpus ($(tail -n 1 "$OUT/replay.log" |
		cut -d' ' -f2) inputs) under gcc ASan/UBSan"
else
	grep -E '^(invariant|SUMMARY|==[0-9]+==ERROR|    #[0-9] )' \
		"$OUT/replay.log" | head -n 12 | sed 's/^/# /'
	tap not-ok "replay seeds and corpus under gcc ASan/UBSan"
fi

probe='int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }'
if ! echo "$probe" | "$CLANG" -x c -fsanitize=fuzzer -o "$OUT/probe" - \
	>/dev/null 2>&1; then
	n=$((n + 1))
	echo "ok $n - fuzz_engine # SKIP $CLANG with libFuzzer not available"
	echo "1..$n"
	[ "$failed" -eq 0 ]
	exit
fi
if ! build "$CLANG" "$OUT/fuzz_engine" "${SAN_FUZZ[@]}" \
	>"$OUT/build-fuzz.log" 2>&1; then
	sed 's/^/# /' "$OUT/build-fuzz.log"
	tap not-ok "build fuzz_engine ($CLANG)"
	echo "1..$n"
	exit 1
fi

rm -f "$OUT"/artifacts/*
start=$(date +%s)
{ "$OUT/fuzz_engine" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
	-max_len=4096 -print_final_stats=1 -artifact_prefix="$OUT/artifacts/" \
	"${FARGS[@]}" "$OUT/corpus" "$OUT/seeds"; } >"$OUT/fuzz.log" 2>&1
rc=$?
took=$(($(date +%s) - start))
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/fuzz.log" |
	tail -n 1)
cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$OUT/fuzz.log" | tail -n 1)
crash=$(find "$OUT/artifacts" -type f | head -n 1)
echo "# ${cov:-no coverage reported}, corpus $(find "$OUT/corpus" -type f |
	wc -l) inputs, log $OUT/fuzz.log"
if [ "$rc" -eq 0 ] && [ -z "$crash" ]; then
	tap ok "fuzz_engine ran ${execs:-?} execs in $took s without a crash"
else
	grep -E '^(invariant|SUMMARY|==[0-9]+==(ERROR|WARNING)|    #[0-9] )' \
		"$OUT/fuzz.log" | head -n 16 | sed 's/^/# /'
	tap not-ok "fuzz_engine failed after ${execs:-?} execs in $took s (exit $rc): ${crash:-no artifact}"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
