#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Forwarding benchmark of issue 4 (`make bench` runs it after the engine
# benchmark): boots the QEMU guest and runs forward-guest.sh there.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
exec "$SRC/selftests/vm/run-vm.sh" -t 900 -- \
	env BUILD="${BUILD:-$SRC/build}" FWD_SECONDS="${FWD_SECONDS:-10}" \
	FWD_RUNS="${FWD_RUNS:-2}" bash selftests/bench/forward-guest.sh
