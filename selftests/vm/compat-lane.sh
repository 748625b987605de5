#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# compat-lane.sh [SERIES] -- build mos.ko against another Debian kernel
# series (default 6.12: the kernel Debian 12 ships beside its own 6.1, the
# one a DKMS install meets on many Debian 12 hosts) and run the kernel
# tests in a guest booting that kernel. TAP lines on stdout.
#
# Every test but test_unload_under_traffic: 6.12 under QEMU's emulation
# oopses ("Oops: int3" in ip_rcv) when a netfilter hook's static key flips
# while packets arrive, which unloading under traffic does. It does so
# with nf_tables alone and mos never loaded (nf-hook-toggle.sh reproduces
# it); 6.1 survives the same. The main kmod lane runs the test on 6.1.
#
# The headers are unpacked into the VM cache, not installed: installed,
# they would become the newest /usr/src/linux-headers-*-amd64, which the
# default build and the default guest kernel follow.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build}
SERIES=${1:-${MOS_COMPAT_SERIES:-6.12}}
CACHE=$(realpath -m "${MOS_VM_CACHE:-/var/cache/mos/vm}")

fail() { echo "not ok - $*"; exit 1; }

# The newest signed image of the series in the archive, e.g.
# linux-image-6.12.118+deb12-amd64.
newest_release() {
	apt-cache search --names-only \
		"^linux-image-${SERIES//./\\.}\\.[0-9]+\\+deb[0-9]+-amd64\$" |
		awk '{ sub(/^linux-image-/, "", $1); print $1 }' | sort -V |
		tail -n 1
}

krel=$(newest_release)
if [ -z "$krel" ]; then
	apt-get update >/dev/null 2>&1 || true
	krel=$(newest_release)
fi
# The 6.12 series comes from bookworm-security; a host whose sources lack
# that suite cannot have it: skipped, saying so.
if [ -z "$krel" ]; then
	echo "# skipped: no linux-image-$SERIES.*-amd64 in this host's apt sources"
	echo "1..0 # SKIP no linux-image-$SERIES.*-amd64"
	exit 0
fi
echo "# kernel $krel"

# Headers: the flavour's package, the common one it includes and the
# kbuild tools, unpacked side by side; the flavour's Makefile names the
# common one by its installed path, which is rewritten.
hdr=$CACHE/$krel/headers
kdir=$hdr/root/usr/src/linux-headers-$krel
mkdir -p "$hdr"
(
	flock 9
	[ -f "$hdr/stamp" ] && exit 0
	ver=${krel%-amd64}
	rm -rf "$hdr/root" "$hdr"/*.deb
	(cd "$hdr" && apt-get download "linux-headers-$krel" \
		"linux-headers-$ver-common" "linux-kbuild-$ver" >&2)
	for deb in "$hdr"/*.deb; do
		dpkg -x "$deb" "$hdr/root"
	done
	sed -i "s|^include /usr/src/|include $hdr/root/usr/src/|" \
		"$kdir/Makefile"
	touch "$hdr/stamp"
) 9>"$hdr/.lock" || fail "cannot unpack linux-headers-$krel"

# BTF for modules needs the series' pahole, which Debian 12 lacks (the
# headers package pulls it from bookworm-backports); mos.ko loads without.
out=$BUILD/compat-$krel
if make -s -C "$SRC" module BUILD="$out" KDIR="$kdir" \
	CONFIG_DEBUG_INFO_BTF_MODULES= >"$out.log" 2>&1; then
	echo "ok - mos.ko builds against linux-headers-$krel"
else
	sed 's/^/# /' "$out.log"
	fail "mos.ko builds against linux-headers-$krel"
fi
vermagic=$(modinfo -F vermagic "$out/mos.ko" | cut -d' ' -f1)
[ "$vermagic" = "$krel" ] ||
	fail "mos.ko's vermagic ($vermagic) is the guest kernel's ($krel)"

args=()
for t in "$SRC"/selftests/kmod/test_*.sh; do
	[ "$(basename "$t")" = test_unload_under_traffic.sh ] && continue
	args+=("$t")
done
"$SRC/selftests/vm/run-vm.sh" -k "$krel" -o "$BUILD/vm-out-$krel" -t 2700 \
	-- env BUILD="$BUILD" MOS_KO="$out/mos.ko" \
	"$SRC/selftests/kmod/guest-run.sh" "${args[@]}"
