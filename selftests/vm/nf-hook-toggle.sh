#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nf-hook-toggle.sh [SECONDS] -- runs in a guest, mos never loaded: adds
# and deletes an nf_tables prerouting chain in two namespaces again and
# again while iperf3 runs through them, so that the kernel flips the
# netfilter hooks' static keys (code patched with int3 under traffic).
# Debian's 6.12 kernel under QEMU's emulation oopses within a minute
# ("Oops: int3" at ip_rcv); 6.1 survives. This is why the kmod-compat lane
# leaves test_unload_under_traffic out (compat-lane.sh). Not part of
# make check:
#   selftests/vm/run-vm.sh -k 6.12.118+deb12-amd64 -- selftests/vm/nf-hook-toggle.sh
# shellcheck source=../kmod/lib.sh
. "$(dirname "$0")/../kmod/lib.sh"
limit=${1:-180}
for m in veth nf_tables; do
	modprobe "$m" || exit 1
done
echo "# kernel $(uname -r)"
netns_pair mos-u mos-v 4
netns_pair mos-p mos-q 5
ip netns exec mos-v iperf3 -s -D -p 5201 --logfile /dev/null
ip netns exec mos-q iperf3 -s -D -p 5202 --logfile /dev/null
wait_port mos-v 5201 && wait_port mos-q 5202
ip netns exec mos-u iperf3 -c 10.77.4.2 -p 5201 -t "$limit" -P 2 \
	>/dev/null 2>&1 &
ip netns exec mos-p iperf3 -c 10.77.5.2 -p 5202 -t "$limit" >/dev/null 2>&1 &
n=0
start=$SECONDS
while [ $((SECONDS - start)) -lt "$limit" ]; do
	for ns in mos-v mos-q; do
		ip netns exec "$ns" nft "add table inet t$n;" \
			"add chain inet t$n c { type filter hook prerouting priority 0; }"
	done
	sleep 0.05
	for ns in mos-v mos-q; do
		ip netns exec "$ns" nft delete table inet "t$n"
	done
	n=$((n + 1))
done
check "$n hook flips under traffic in $limit s" \
	sh -c '! dmesg | grep -qE "Oops|BUG:|WARNING:"'
exit "$FAILED"
