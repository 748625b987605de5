#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Memory checks under valgrind: flowdump on every capture of the shared
# Suricata corpus, and the fuzz target's replay build over the fuzz seeds
# (and the fuzz corpus, when run-fuzz.sh left one). One TAP line per run;
# logs in $BUILD/fuzz/valgrind/.
#
# usage: run-valgrind.sh
# Environment: CORPUS (captures, default ../shared/corpus/suricata-verify
# next to the source tree), FUZZ_CFLAGS (replay build flags, default
# -DMOS_FUZZ_SKIP_KNOWN; set it empty for the strict harness).
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build}
OUT=$BUILD/fuzz/valgrind
CORPUS=${CORPUS:-$SRC/../shared/corpus/suricata-verify}
FLOWDUMP=$BUILD/bin/flowdump
VG=(valgrind -q --error-exitcode=99 --leak-check=full
	"--errors-for-leak-kinds=definite,indirect" --track-origins=yes)

cd "$SRC" || exit 1
mkdir -p "$OUT"
n=0
failed=0

# vg NAME COMMAND...: run under valgrind, one TAP line.
vg() {
	local name=$1 log rc
	shift
	log=$OUT/$(echo "$name" | tr '/ ' '__').log
	n=$((n + 1))
	{ "${VG[@]}" "$@"; } >"$log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - valgrind $name"
		return
	fi
	grep -E '^==[0-9]+== ' "$log" | head -n 20 | sed 's/^/# /'
	if [ "$rc" -eq 99 ]; then
		echo "not ok $n - valgrind $name: memory errors or leaks ($log)"
	else
		tail -n 3 "$log" | sed 's/^/# /'
		echo "not ok $n - valgrind $name: exit $rc ($log)"
	fi
	failed=$((failed + 1))
}

skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

if ! command -v valgrind >/dev/null; then
	skip valgrind "valgrind is not installed"
	echo "1..$n"
	exit 0
fi

# ---- flowdump over the shared captures ------------------------------------
if [ ! -d "$CORPUS" ]; then
	skip "valgrind flowdump" "no capture corpus at $CORPUS"
elif [ ! -x "$FLOWDUMP" ]; then
	skip "valgrind flowdump" "$FLOWDUMP not built (make tools)"
else
	for pcap in "$CORPUS"/*/*.pcap "$CORPUS"/*/*.pcapng; do
		[ -e "$pcap" ] || continue
		test=$(basename "$(dirname "$pcap")")
		dir=$OUT/flowdump/$test
		rm -rf "$dir"
		mkdir -p "$dir"
		vg "flowdump $test/$(basename "$pcap")" "$FLOWDUMP" -r "$pcap" \
			-o "$dir"
	done
fi

# ---- the fuzz target's replay build, without sanitizers -----------------
REPLAY=$BUILD/fuzz/replay-plain
LIB_SRCS=(libmos-user/*.c kmod/engine/*.c)
# Memory errors are this suite's business: the replay looks past the bugs
# run-fuzz.sh's reproducers track, unless FUZZ_CFLAGS says otherwise.
read -ra EXTRA <<<"${FUZZ_CFLAGS--DMOS_FUZZ_SKIP_KNOWN}"
read -ra LIBS <<<"$(pkg-config --libs libpcap libmnl 2>/dev/null ||
	echo -lpcap -lmnl)"
if ! ${CC:-gcc} -std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter \
	-Iinclude -Iinclude/uapi -Ikmod -Ilibmos-user -D_GNU_SOURCE \
	-DMOS_FUZZ_REPLAY "${EXTRA[@]}" -o "$REPLAY" \
	selftests/fuzz/fuzz_engine.c "${LIB_SRCS[@]}" "${LIBS[@]}" \
	>"$OUT/build.log" 2>&1; then
	sed 's/^/# /' "$OUT/build.log"
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - build the replay binary"
else
	rm -rf "$OUT/seeds"
	"$REPLAY" -seed "$OUT/seeds" >/dev/null
	vg "fuzz seeds (replay)" "$REPLAY" "$OUT/seeds"
	if [ -n "$(ls -A "$BUILD/fuzz/corpus" 2>/dev/null)" ]; then
		vg "fuzz corpus (replay)" "$REPLAY" "$BUILD/fuzz/corpus"
	else
		skip "valgrind fuzz corpus (replay)" "no corpus (run-fuzz.sh)"
	fi
fi

echo "1..$n"
[ "$failed" -eq 0 ]
