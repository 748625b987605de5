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
# Connection entries: a reserve preallocated at load (flow_reserve). The
# cache may be merged with another of its size, so the slab total tells.
slab_kib() { awk '$1 == "Slab:" { print $2 }' /proc/meminfo; }
before=$(slab_kib)
insmod "$MOS_KO" flow_reserve=40000
after=$(slab_kib)
check "flow_reserve=40000 preallocates them at load (slab +$((after - before)) KiB)" \
	test $((after - before)) -ge $((40000 * 240 / 1024))
check "flow_reserve reads back" \
	test "$(cat /sys/module/mos/parameters/flow_reserve)" = 40000
rmmod mos
gone=$(slab_kib)
check "and frees them at unload (slab -$((after - gone)) KiB)" \
	test $((after - gone)) -ge $((40000 * 240 / 1024))
# Stream segment buffers: seg_reserve_kib of them, preallocated at load
# across the size classes (kmod/segmem.c), and freed at unload.
before=$(slab_kib)
insmod "$MOS_KO" seg_reserve_kib=65536
after=$(slab_kib)
check "seg_reserve_kib=65536 preallocates them at load (slab +$((after - before)) KiB)" \
	test $((after - before)) -ge $((65536 - 7 * 16))
check "seg_reserve_kib reads back" \
	test "$(cat /sys/module/mos/parameters/seg_reserve_kib)" = 65536
rmmod mos
gone=$(slab_kib)
check "and frees them at unload (slab -$((after - gone)) KiB)" \
	test $((after - gone)) -ge $((65536 - 7 * 16))
check "family gone after unload" \
	sh -c "! '$MOSCTL' stats 2>/dev/null"
check "no module left" sh -c "! grep -q '^mos ' /proc/modules"
exit $FAILED
