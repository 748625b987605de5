#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mos-timeout: 400
# Reading counters needs CAP_NET_ADMIN in the namespace's user namespace:
# an unprivileged user is refused with one clear line; the same user as
# root of its own user+network namespace may read that namespace's counters.
. "$(dirname "$0")/lib.sh"

mos_load
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
out=$("${nobody[@]}" "$MOSCTL" stats 2>&1)
rc=$?
echo "# unprivileged: $out"
check "unprivileged mosctl exits 1" test "$rc" -eq 1
check "unprivileged mosctl says permission denied in one line" \
	test "$(echo "$out" | wc -l)" -eq 1 -a -n "$(echo "$out" | grep 'permission denied')"
out=$("${nobody[@]}" unshare -Urn "$MOSCTL" -j stats 2>&1)
rc=$?
echo "# own namespaces: $out"
check "user namespace root reads its own namespace" \
	test "$rc" -eq 0 -a -n "$(echo "$out" | grep '"tcp_packets":0')"
exit $FAILED
