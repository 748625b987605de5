#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo's traffic, run as root where mos.ko can be loaded: a client and
# an HTTP server in two network namespaces, mos tracking in the server's,
# the flowdump middlebox rebuilding the streams live, tcpdump on the same
# interface as the independent witness.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build}
MOSCTL=$BUILD/bin/mosctl
FLOWDUMP=$BUILD/bin/flowdump
WORK=$(mktemp -d /tmp/mos-demo.XXXXXX)
loaded_here=0

cleanup() {
	ip netns pids demo-srv 2>/dev/null | xargs -r kill 2>/dev/null || true
	ip netns del demo-cli 2>/dev/null || true
	ip netns del demo-srv 2>/dev/null || true
	[ $loaded_here -eq 0 ] || rmmod mos
	rm -rf "$WORK"
}
trap cleanup EXIT

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

if ! grep -q '^mos ' /proc/modules; then
	modprobe -q nf_defrag_ipv4 || true
	modprobe -q nf_defrag_ipv6 || true
	step "insmod build/mos.ko"
	insmod "$BUILD/mos.ko"
	loaded_here=1
fi
modprobe -q veth || true

ip netns add demo-cli
ip netns add demo-srv
ip link add demo0 netns demo-cli type veth peer name demo1 netns demo-srv
ip -n demo-cli addr add 192.0.2.1/24 dev demo0
ip -n demo-srv addr add 192.0.2.2/24 dev demo1
for ns in demo-cli demo-srv; do ip -n $ns link set lo up; done
ip -n demo-cli link set demo0 up
ip -n demo-srv link set demo1 up

head -c 1000000 /dev/urandom >"$WORK/file.bin"
(cd "$WORK" && exec ip netns exec demo-srv python3 -m http.server -b 192.0.2.2 8080 \
	>/dev/null 2>&1) &
for _ in $(seq 100); do
	ip netns exec demo-srv ss -Hltn 'sport = :8080' | grep -q . && break
	sleep 0.1
done
ip netns exec demo-srv tcpdump -i demo1 -nn -U --immediate-mode -B 16384 -w "$WORK/srv.pcap" tcp \
	2>"$WORK/tcpdump.log" &
tcpdump=$!
until grep -q 'listening on' "$WORK/tcpdump.log"; do sleep 0.1; done

step "mosctl stats    # in the server's namespace, before any traffic"
ip netns exec demo-srv "$MOSCTL" stats

step "flowdump -o streams/ &    # a middlebox on mos, live in the server's namespace"
ip netns exec demo-srv "$FLOWDUMP" -o "$WORK/streams" &
flowdump=$!
for _ in $(seq 100); do
	grep -q '/dev/mos' "/proc/$flowdump/maps" 2>/dev/null && break
	sleep 0.1
done
sleep 0.5	# it asks for its events right after mapping the rings

step "curl http://192.0.2.2:8080/file.bin  (x3, from the client namespace)"
for _ in 1 2 3; do
	ip netns exec demo-cli curl -s -o /dev/null \
		-w "GET /file.bin -> %{http_code}, %{size_download} bytes\n" \
		http://192.0.2.2:8080/file.bin
done
sleep 0.5
kill -INT $tcpdump
wait $tcpdump 2>/dev/null || true

step "mosctl flow list    # both endpoints' states, as mos tracked them"
ip netns exec demo-srv "$MOSCTL" flow list
step "kill -TERM flowdump; cat streams/flows.jsonl"
kill -TERM $flowdump
wait $flowdump
cat "$WORK/streams/flows.jsonl"
step "the server-to-client streams flowdump wrote end with the file, byte for byte:"
n=0
for f in "$WORK"/streams/192.000.002.002.08080-*; do
	if tail -c 1000000 "$f" | cmp -s - "$WORK/file.bin"; then
		echo "$(basename "$f"): $(stat -c %s "$f") bytes, the file matches"
		n=$((n + 1))
	else
		echo "$(basename "$f"): MISMATCH"
	fi
done
[ $n -eq 3 ] || { echo "=> expected 3 matching streams, got $n"; exit 1; }

step "mosctl stats    # after the downloads"
ip netns exec demo-srv "$MOSCTL" stats
step "mosctl -j stats"
ip netns exec demo-srv "$MOSCTL" -j stats

pkts=$(tcpdump -r "$WORK/srv.pcap" -nn 2>/dev/null | wc -l)
bytes=$(tcpdump -r "$WORK/srv.pcap" -nn -e 2>/dev/null |
	grep -o 'ethertype [^,]*, length [0-9]*' | awk '{ s += $NF - 14 } END { print s + 0 }')
mos=$(ip netns exec demo-srv "$MOSCTL" -j stats |
	python3 -c 'import json,sys; t = json.load(sys.stdin)["total"]; print(t["tcp_packets"], t["tcp_bytes"])')
step "tcpdump on the server's interface saw the same traffic:"
echo "tcpdump: $pkts TCP packets, $bytes bytes (IP headers on)"
echo "mos:     ${mos% *} TCP packets, ${mos#* } bytes"
if [ "$pkts $bytes" = "$mos" ]; then
	echo "=> they agree"
else
	echo "=> MISMATCH"; cat "$WORK/tcpdump.log"
	exit 1
fi
