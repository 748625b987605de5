#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Forwarding benchmark of issue 4 (`make bench` runs it after the engine
# benchmark): boots the QEMU guest and runs forward-guest.sh there.
#
# Under software emulation (TCG) the guest's CPU model hides ERMS ("fast
# string" copies): with it, every kernel and glibc copy runs "rep movsb",
# which TCG emulates one byte per iteration, 5-6 times slower than the
# same copy done eight bytes at a time (copyrate: 0.67 against 3.7 GB/s;
# natively rep movsb is the fastest). Copies then dominate what forwarding
# costs and hide everything else, mos's per-packet work included, which
# is not what the ratios should measure. MOS_VM_TCG_CPU overrides it
# (MOS_VM_TCG_CPU=max gives the CPU model the tests use); under KVM the
# host's CPU is used as it is.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build} "$SRC/selftests/bench/build.sh" || exit 1
export MOS_VM_TCG_CPU=${MOS_VM_TCG_CPU:-max,-erms,-fsrm}
exec "$SRC/selftests/vm/run-vm.sh" -t 900 -- \
	env BUILD="${BUILD:-$SRC/build}" FWD_SECONDS="${FWD_SECONDS:-10}" \
	FWD_RUNS="${FWD_RUNS:-3}" bash selftests/bench/forward-guest.sh
