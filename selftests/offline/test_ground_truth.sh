#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Ground truth from real endpoints: capture-guest.sh runs TCP traffic
# through a lossy, reordering router in a QEMU guest and saves what each
# endpoint sent; ground_truth.py then checks flowdump's reassembly of the
# captures against those bytes. TAP output; non-zero exit on any failure.
#
# Environment: BUILD (default <repo>/build), FLOWDUMP (default
# $BUILD/bin/flowdump), MOS_GT_REUSE=1 to check the captures already in
# $BUILD/offline/live instead of making new ones (iterating on flowdump),
# MOS_GT_SEED to change the traffic.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build}
FLOWDUMP=${FLOWDUMP:-$BUILD/bin/flowdump}
LIVE=$BUILD/offline/live
export BUILD FLOWDUMP

# Without flowdump there is nothing to test: fail at once rather than
# spend minutes making captures no one reads.
if [ ! -x "$FLOWDUMP" ]; then
	echo "not ok 1 - flowdump built ($FLOWDUMP missing)"
	echo "1..1"
	exit 1
fi

if [ -z "${MOS_GT_REUSE:-}" ]; then
	mkdir -p "$LIVE"
	# run-vm.sh prints the guest's output after it powers off; the guest
	# script prints only '# ' lines, so they pass through as TAP comments.
	# The guest starts with a clean environment: pass the seed explicitly.
	"$SRC/selftests/vm/run-vm.sh" -o "$LIVE" -t 1800 -m 3072 -- \
		env MOS_GT_SEED="${MOS_GT_SEED:-4242}" \
		"$SRC/selftests/offline/capture-guest.sh" 2>&1 | sed '/^#/!s/^/# /'
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ]; then
		echo "not ok 1 - traffic captured in the guest (run-vm.sh status $rc)"
		echo "1..1"
		exit 1
	fi
	echo "ok 1 - traffic captured in the guest"
else
	echo "ok 1 - reusing the captures in $LIVE # MOS_GT_REUSE"
fi

exec /usr/bin/python3 "$SRC/selftests/offline/ground_truth.py" "$LIVE" 2
