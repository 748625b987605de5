#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Crafted frames sent from an AF_PACKET socket into namespaces where live
# flowdump runs, through the kernel engine (live_inject.py):
#  - crafted_live.py: the offline crafted cases (hostile TCP and its
#    documented outcomes), the same outcomes as offline;
#  - overlap_live.py: every overlap shape under every policy, with small
#    segments (copied) and big ones (held in their skbs until the ACK):
#    the bytes each policy decides, flows.jsonl as flowdump -r.
# mos-timeout: 1200
. "$(dirname "$0")/lib.sh"

mos_load
for t in crafted:cl overlap:ol; do
	inject_netns "${t#*:}-m" "${t#*:}0"
	/usr/bin/python3 "$SRC/selftests/kmod/${t%:*}_live.py" "$BUILD" \
		"$WORK" "${t#*:}0" "${t#*:}-m" || FAILED=1
	ip link del "${t#*:}0" 2>/dev/null
done
exit "$FAILED"
