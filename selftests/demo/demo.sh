#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: load mos where it can run (this kernel when it can load
# modules and mos.ko was built for it, else a QEMU guest with Debian's
# kernel) and show it counting real HTTP traffic between two namespaces.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build}

native_ok() {
	[ "$(id -u)" -eq 0 ] || return 1
	[ "$(cat /proc/sys/kernel/modules_disabled 2>/dev/null)" = 0 ] || return 1
	[ "$(modinfo -F vermagic "$BUILD/mos.ko" | cut -d' ' -f1)" = "$(uname -r)" ]
}

if native_ok; then
	echo "demo: loading mos into the running kernel $(uname -r)"
	exec "$SRC/selftests/demo/traffic.sh"
fi
echo "demo: this kernel cannot load mos.ko (built for $(modinfo -F vermagic "$BUILD/mos.ko" | cut -d' ' -f1));"
echo "demo: booting Debian's kernel in QEMU (software emulation, ~10 s)"
exec "$SRC/selftests/vm/run-vm.sh" -o "$BUILD/demo-vm" -t 300 \
	-- "$SRC/selftests/demo/traffic.sh"
