#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages that building and testing mos need, only
# those missing, so that `make check` and `make demo` work on a fresh
# Debian 12 machine. Needs root for apt-get when anything is missing.
set -euo pipefail

pkgs=(
	build-essential pkg-config libmnl-dev libpcap-dev
	linux-headers-amd64 sparse linux-source-6.1 xz-utils
	qemu-system-x86 busybox-static cpio kmod
	iproute2 tcpdump iperf3 nftables python3 curl iputils-ping util-linux procps
	shellcheck python3-scapy ethtool libnids-dev tshark valgrind
	clang libclang-rt-14-dev xxd libhyperscan-dev dkms
)

missing=()
for p in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: root is needed to install packages" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
