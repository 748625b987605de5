#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Overlapping segments through the kernel engine under every overlap
# policy, with small segments (copied) and big ones (held in their skbs
# until the ACK): live flowdump must give the bytes each policy decides,
# and the same flows.jsonl as flowdump -r on the same frames
# (overlap_live.py says how).
# mos-timeout: 900
. "$(dirname "$0")/lib.sh"

mos_load
ip netns add ol-m
NETNS+=(ol-m)
ip link add ol0 type veth peer name ol1 netns ol-m
# Frames of up to 17 KB: big segments without TSO or GRO.
ip link set ol0 mtu 65000 up
ip -n ol-m link set ol1 mtu 65000 up
ip -n ol-m link set lo up

/usr/bin/python3 "$SRC/selftests/kmod/overlap_live.py" "$BUILD" "$WORK" \
	ol0 ol-m || FAILED=1
ip link del ol0 2>/dev/null
exit "$FAILED"
