#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mos-timeout: 400
# The counters match what tcpdump sees of a known exchange, over IPv4 and
# IPv6, in a namespace where mos sees both directions (PRE_ROUTING for
# what arrives, LOCAL_OUT for what leaves).
. "$(dirname "$0")/lib.sh"

mos_load
netns_pair mos-c mos-s 1

capture_start mos-s v1-b "$WORK/s.pcap" || exit 1
ip netns exec mos-s "${EXCHANGE[@]}" server 10.77.1.2 5001 --reply 300000 >"$WORK/srv4" &
srv=$!
wait_port mos-s 5001
ip netns exec mos-c "${EXCHANGE[@]}" client 10.77.1.2 5001 --send 200000 >"$WORK/cli4"
wait "$srv"
ip netns exec mos-s "${EXCHANGE[@]}" server fd00:77:1::2 5002 --reply 50000 >"$WORK/srv6" &
srv=$!
wait_port mos-s 5002
ip netns exec mos-c "${EXCHANGE[@]}" client fd00:77:1::2 5002 --send 70000 >"$WORK/cli6"
wait "$srv"
capture_stop

check "exchange completed" grep -q '"received": 300000' "$WORK/cli4"
pkts=$(pcap_count "$WORK/s.pcap")
pkts6=$(pcap_count "$WORK/s.pcap" "ip6 and tcp")
bytes=$(pcap_ip_bytes "$WORK/s.pcap")
mos_pkts=$(stat_of mos-s tcp_packets)
mos_pkts6=$(stat_of mos-s tcp6_packets)
mos_bytes=$(stat_of mos-s tcp_bytes)
echo "# tcpdump: $pkts packets ($pkts6 IPv6), $bytes bytes;" \
	"mos: $mos_pkts packets ($mos_pkts6 IPv6), $mos_bytes bytes"
check "TCP packets counted equal tcpdump's ($pkts)" test "$pkts" -eq "$mos_pkts"
check "IPv6 TCP packets counted equal tcpdump's ($pkts6)" \
	test "$pkts6" -eq "$mos_pkts6" -a "$pkts6" -gt 0
check "TCP bytes counted equal tcpdump's ($bytes)" test "$bytes" -eq "$mos_bytes"
check "no bad headers" test "$(stat_of mos-s bad_headers)" -eq 0

# The per-CPU rows add up to the total.
sum=$(ip netns exec mos-s "$MOSCTL" -j stats | python3 -c '
import json, sys
s = json.load(sys.stdin)
print(sum(c["tcp_packets"] for c in s["cpus"]))')
check "per-CPU packets add up to the total" test "$sum" -eq "$mos_pkts"
check "table output has a total row" \
	sh -c "ip netns exec mos-s '$MOSCTL' stats | grep -q '^total'"
exit $FAILED
