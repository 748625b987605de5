#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the QEMU guest: every selftests/kmod/test_*.sh (or the ones
# named as arguments), each in its own process with a time limit, printing
# TAP lines. After each test the module is unloaded and dmesg is checked,
# so a warning is blamed on the test that caused it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=("$here"/test_*.sh)

# The guest's module autoloader may not reach our modules; load the ones
# the tests use up front.
for m in veth sch_netem nf_defrag_ipv4 nf_defrag_ipv6; do
	modprobe "$m" 2>/dev/null || echo "# modprobe $m failed"
done

status=0
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	echo "# --- $name"
	dmesg -c >/dev/null
	# A test may ask for more than the default time: "# mos-timeout: N".
	limit=$(sed -n 's/^# mos-timeout: \([0-9]*\)$/\1/p' "$t")
	out=$(timeout -k 5 "${limit:-180}" bash "$t" 2>&1)
	rc=$?
	echo "$out" | sed -e "s/^\(not ok\|ok\) - /\1 - $name: /" \
		-e '/^\(not \)\{0,1\}ok - /!s/^/# /'
	if [ $rc -ne 0 ] && ! echo "$out" | grep -q '^not ok'; then
		echo "not ok - $name: exited with status $rc"
	fi
	[ $rc -eq 0 ] || status=1
	grep -q '^mos ' /proc/modules && rmmod mos
	if dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|KASAN|general protection'; then
		echo "not ok - $name: kernel warning in dmesg"
		status=1
	else
		echo "ok - $name: dmesg clean"
	fi
done
exit $status
