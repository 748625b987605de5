#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mos-timeout: 400
# Unloading and reloading the module, and deleting a namespace, while
# traffic flows: nothing crashes or warns (the harness scans dmesg), and
# the traffic itself is not disturbed.
. "$(dirname "$0")/lib.sh"

mos_load
netns_pair mos-u mos-v 4
netns_pair mos-p mos-q 5
ip netns exec mos-v iperf3 -s -D -1 -p 5201 --logfile "$WORK/iperf-s.log"
ip netns exec mos-q iperf3 -s -D -1 -p 5202 --logfile /dev/null
wait_port mos-v 5201 && wait_port mos-q 5202
ip netns exec mos-u iperf3 -c 10.77.4.2 -p 5201 -t 25 -P 2 -J \
	>"$WORK/iperf.json" 2>&1 &
client=$!
ip netns exec mos-p iperf3 -c 10.77.5.2 -p 5202 -t 25 >/dev/null 2>&1 &
sleep 1
ok=1
start=$SECONDS
for _ in 1 2 3 4 5; do
	rmmod mos || ok=0
	sleep 0.3
	insmod "$MOS_KO" || ok=0
	sleep 0.3
done
echo "# five reloads took $((SECONDS - start)) s"
check "unload/reload five times under traffic" test $ok -eq 1
check "iperf3 still running during the reloads" kill -0 "$client"
sleep 0.5
check "counting resumed after reload" test "$(stat_of mos-v tcp_packets)" -gt 0
# Delete a namespace whose traffic is running through the hooks.
ip netns pids mos-q | xargs -r kill -9
ip netns pids mos-p | xargs -r kill -9
check "delete a namespace under traffic" ip netns del mos-q
NETNS=(mos-u mos-v mos-p)
check "unload right after" rmmod mos
wait "$client"
check "iperf3 finished undisturbed" \
	python3 -c "import json; d = json.load(open('$WORK/iperf.json')); assert 'error' not in d and d['end']['sum_received']['bytes'] > 0"
exit $FAILED
