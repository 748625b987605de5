# SPDX-License-Identifier: GPL-2.0
# shellcheck source-path=SCRIPTDIR disable=SC2034
# shellcheck shell=bash
# Helpers for the tests that run inside the QEMU guest (as root, with the
# host's file system mounted read-only and this checkout at the same path).

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$SRC/build}
MOSCTL=$BUILD/bin/mosctl
MOS_KO=${MOS_KO:-$BUILD/mos.ko}
EXCHANGE=(python3 "$SRC/selftests/kmod/exchange.py")
WORK=$(mktemp -d /tmp/mos-test.XXXXXX)
NETNS=()

tap_ok() { echo "ok - $*"; }
tap_fail() { echo "not ok - $*"; FAILED=1; }
FAILED=0
export FAILED

# check NAME COMMAND...: one TAP line for the command's success.
check() {
	local name=$1
	shift
	if "$@"; then tap_ok "$name"; else tap_fail "$name"; fi
}

mos_loaded() { grep -q '^mos ' /proc/modules; }
mos_load() { mos_loaded || insmod "$MOS_KO"; }
mos_unload() { ! mos_loaded || rmmod mos; }

cleanup() {
	local ns
	for ns in "${NETNS[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	NETNS=()
	rm -rf "$WORK"
}
trap cleanup EXIT

# netns_pair A B IDX: namespaces A and B joined by a veth pair,
# A = 10.77.IDX.1 / fd00:77:IDX::1, B = 10.77.IDX.2 / fd00:77:IDX::2.
# Offloads stay as veth sets them, so GSO super-packets may appear.
netns_pair() {
	local a=$1 b=$2 idx=$3
	ip netns add "$a"
	ip netns add "$b"
	NETNS+=("$a" "$b")
	ip link add "v$idx-a" netns "$a" type veth peer name "v$idx-b" netns "$b"
	ip -n "$a" addr add "10.77.$idx.1/24" dev "v$idx-a"
	ip -n "$b" addr add "10.77.$idx.2/24" dev "v$idx-b"
	ip -n "$a" addr add "fd00:77:$idx::1/64" dev "v$idx-a" nodad
	ip -n "$b" addr add "fd00:77:$idx::2/64" dev "v$idx-b" nodad
	ip -n "$a" link set lo up
	ip -n "$b" link set lo up
	ip -n "$a" link set "v$idx-a" up
	ip -n "$b" link set "v$idx-b" up
}

# inject_netns NS DEV: namespace NS behind the veth DEV of this one (its
# peer in NS is DEV-p), both up with a 65000-byte MTU, no addresses: for
# frames sent from DEV with an AF_PACKET socket (live_inject.py).
inject_netns() {
	ip netns add "$1"
	NETNS+=("$1")
	ip link add "$2" mtu 65000 type veth peer name "$2-p" mtu 65000 \
		netns "$1"
	ip link set "$2" up
	ip -n "$1" link set "$2-p" up
	ip -n "$1" link set lo up
}

# router_topology P: namespaces P-c (client) - P-r (router) - P-s (server);
# the client is 10.89.1.1 / fd00:89:1::1 on c0, the server 10.89.2.2 /
# fd00:89:2::2 on s0, the router forwards between r0 and r1.
router_topology() {
	local p=$1 ns dev l
	for ns in "$p-c" "$p-r" "$p-s"; do
		ip netns add "$ns"
		NETNS+=("$ns")
		ip -n "$ns" link set lo up
	done
	ip link add c0 netns "$p-c" type veth peer name r0 netns "$p-r"
	ip link add s0 netns "$p-s" type veth peer name r1 netns "$p-r"
	ip -n "$p-c" addr add 10.89.1.1/24 dev c0
	ip -n "$p-r" addr add 10.89.1.2/24 dev r0
	ip -n "$p-r" addr add 10.89.2.1/24 dev r1
	ip -n "$p-s" addr add 10.89.2.2/24 dev s0
	ip -n "$p-c" addr add fd00:89:1::1/64 dev c0 nodad
	ip -n "$p-r" addr add fd00:89:1::2/64 dev r0 nodad
	ip -n "$p-r" addr add fd00:89:2::1/64 dev r1 nodad
	ip -n "$p-s" addr add fd00:89:2::2/64 dev s0 nodad
	for l in "$p-c c0" "$p-r r0" "$p-r r1" "$p-s s0"; do
		read -r ns dev <<<"$l"
		ip -n "$ns" link set "$dev" up
	done
	ip -n "$p-c" route add default via 10.89.1.2
	ip -n "$p-s" route add default via 10.89.2.1
	ip -n "$p-c" -6 route add default via fd00:89:1::2
	ip -n "$p-s" -6 route add default via fd00:89:2::1
	ip netns exec "$p-r" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$p-r" sysctl -qw net.ipv6.conf.all.forwarding=1
}

# capture_start NS DEV FILE: tcpdump of TCP on DEV, returns once listening.
capture_start() {
	local ns=$1 dev=$2 file=$3
	ip netns exec "$ns" tcpdump -i "$dev" -nn -U --immediate-mode -B 16384 -w "$file" tcp \
		2>"$file.log" &
	CAPTURE_PID=$!
	for _ in $(seq 100); do
		grep -q 'listening on' "$file.log" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "# tcpdump did not start: $(cat "$file.log")"
	return 1
}

capture_stop() {
	sleep 0.5	# let the last ACKs pass the device
	kill -INT "$CAPTURE_PID"
	wait "$CAPTURE_PID" || true
}

# pcap_count FILE [FILTER]: packets in a capture.
pcap_count() {
	tcpdump -r "$1" -nn "${2:-tcp}" 2>/dev/null | wc -l
}

# pcap_ip_bytes FILE: sum of the IP lengths (frame length - 14).
pcap_ip_bytes() {
	tcpdump -r "$1" -nn -e tcp 2>/dev/null |
		grep -o 'ethertype [^,]*, length [0-9]*' |
		awk '{ s += $NF - 14 } END { print s + 0 }'
}

# stat_of NS FIELD: a total counter of `mosctl -j stats` in namespace NS.
stat_of() {
	ip netns exec "$1" "$MOSCTL" -j stats |
		python3 -c "import json,sys; print(json.load(sys.stdin)['total']['$2'])"
}

# wait_port NS PORT: until something listens on TCP PORT in NS.
wait_port() {

	for _ in $(seq 100); do
		ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}
