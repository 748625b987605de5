#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mos-timeout: 400
# Namespaces created after the module loaded are hooked; each namespace
# counts only its own traffic; loopback traffic is counted once.
. "$(dirname "$0")/lib.sh"

mos_load
netns_pair mos-a mos-b 2
netns_pair mos-x mos-y 3

check "fresh namespace starts at zero" test "$(stat_of mos-y tcp_packets)" -eq 0

capture_start mos-b v2-b "$WORK/b.pcap" || exit 1
ip netns exec mos-b "${EXCHANGE[@]}" server 10.77.2.2 6001 --reply 1000 >/dev/null &
srv=$!
wait_port mos-b 6001
ip netns exec mos-a "${EXCHANGE[@]}" client 10.77.2.2 6001 --send 1000 >/dev/null
wait "$srv"
capture_stop
pkts=$(pcap_count "$WORK/b.pcap")
check "namespace created after load counts its traffic ($pkts)" \
	test "$(stat_of mos-b tcp_packets)" -eq "$pkts" -a "$pkts" -gt 0
check "other namespaces do not see it" test "$(stat_of mos-y tcp_packets)" -eq 0

# Loopback: a packet passes LOCAL_OUT and then PRE_ROUTING; count it once.
capture_start mos-x lo "$WORK/lo.pcap" || exit 1
ip netns exec mos-x "${EXCHANGE[@]}" server 127.0.0.1 6002 --reply 5000 >/dev/null &
srv=$!
wait_port mos-x 6002
ip netns exec mos-x "${EXCHANGE[@]}" client 127.0.0.1 6002 --send 5000 >/dev/null
wait "$srv"
capture_stop
pkts=$(pcap_count "$WORK/lo.pcap")
got=$(stat_of mos-x tcp_packets)
echo "# loopback: tcpdump $pkts, mos $got"
check "loopback packets counted once" test "$got" -eq "$pkts" -a "$pkts" -gt 0
exit $FAILED
