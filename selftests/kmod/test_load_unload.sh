#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mos-timeout: 400
# The module loads, answers on netlink, unloads, and mosctl says clearly
# when it is not there.
. "$(dirname "$0")/lib.sh"

mos_unload
out=$("$MOSCTL" stats 2>&1)
rc=$?
check "mosctl without the module exits 1" test "$rc" -eq 1
check "mosctl without the module says so in one line" \
	test "$(echo "$out" | wc -l)" -eq 1 -a -n "$(echo "$out" | grep 'module is not loaded')"

for i in 1 2 3; do
	check "load #$i" insmod "$MOS_KO"
	check "stats answer after load #$i" "$MOSCTL" stats >/dev/null
	check "unload #$i" rmmod mos
done
check "family gone after unload" \
	sh -c "! '$MOSCTL' stats 2>/dev/null"
check "no module left" sh -c "! grep -q '^mos ' /proc/modules"
exit $FAILED
