#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The whole test suite, as `make check` runs it: native unit tests, style
# checks, command-line tests, then the kernel tests in a QEMU guest. Each
# suite prints TAP lines; the last line of output is "N passed, M failed".
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$SRC/build}
LOG=$BUILD/test-logs
mkdir -p "$LOG"
rm -f "$LOG"/*.tap
export BUILD

# run_suite NAME COMMAND...: run, show and keep its TAP output. A suite that
# fails without reporting a failing test counts as one failure itself.
run_suite() {
	local name=$1 rc
	shift
	echo "=== $name"
	"$@" >"$LOG/$name.out" 2>&1
	rc=$?
	sed -n -e "s/^\(not ok\|ok\)\( [0-9]*\)\{0,1\} - /\1 - $name: /p" \
		"$LOG/$name.out" >"$LOG/$name.tap"
	grep -v '^ok' "$LOG/$name.out" | grep -v '^1\.\.' || true
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$LOG/$name.tap"; then
		echo "not ok - $name: exited with status $rc" | tee -a "$LOG/$name.tap"
	fi
	echo "    $(grep -c '^ok' "$LOG/$name.tap") passed," \
		"$(grep -c '^not ok' "$LOG/$name.tap") failed"
}

for t in "$BUILD"/tests/test_*; do
	run_suite "unit-$(basename "$t")" "$t"
done
run_suite style "$SRC/selftests/style.sh"
# The programs in tools/, offline: one suite per test_*.sh / test_*.py.
for t in "$SRC"/selftests/tools/test_*.sh "$SRC"/selftests/tools/test_*.py; do
	[ -e "$t" ] || continue
	case $t in
	*.py) run_suite "tools-$(basename "${t%.*}")" /usr/bin/python3 "$t" ;;
	*) run_suite "tools-$(basename "${t%.*}")" "$t" ;;
	esac
done
run_suite offline-crafted /usr/bin/python3 "$SRC/selftests/offline/test_crafted.py"
run_suite offline-corpus /usr/bin/python3 "$SRC/selftests/offline/test_corpus.py"
run_suite bench-synth "$SRC/selftests/bench/check_synth.sh"
run_suite fuzz "$SRC/selftests/fuzz/run-fuzz.sh" "${FUZZ_SECONDS:-60}"
run_suite valgrind "$SRC/selftests/fuzz/run-valgrind.sh"
if [ -z "${MOS_SKIP_VM:-}" ]; then
	# The guest tests run one after the other under TCG: allow 45 minutes.
	run_suite kmod "$SRC/selftests/vm/run-vm.sh" -o "$BUILD/vm-out" -t 2700 \
		-- "$SRC/selftests/kmod/guest-run.sh"
	run_suite offline-ground-truth \
		"$SRC/selftests/offline/test_ground_truth.sh"
	# mos.ko built for and run under Debian 12's other kernel (6.12).
	[ -n "${MOS_SKIP_COMPAT:-}" ] ||
		run_suite kmod-compat "$SRC/selftests/vm/compat-lane.sh"
fi

passed=$(cat "$LOG"/*.tap | grep -c '^ok')
failed=$(cat "$LOG"/*.tap | grep -c '^not ok')
if [ "$failed" -ne 0 ]; then
	echo "Failures:"
	grep -h '^not ok' "$LOG"/*.tap
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
