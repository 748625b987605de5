#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mos-timeout: 400
# Notifications, settings and privileges of the flow commands, with real
# traffic between two namespaces (mos watching in the server's, where it
# sees both directions): monitor prints each connection's start and end
# with its final states; a closed connection leaves the table; settings
# read back, are refused whole when one value is bad, and take effect (a
# shorter timeout ends an idle connection; tracking=0 ends connections and
# lets packets pass uncounted). test_flow_access.sh covers large dumps and
# privileges.
. "$(dirname "$0")/lib.sh"
# shellcheck source=flow_lib.sh
. "$(dirname "$0")/flow_lib.sh"

mos_load
netns_pair mos-c mos-s 1
ip netns exec mos-s "${PEER[@]}" server 10.77.1.2 5001 >"$WORK/srv4" &
wait_port mos-s 5001


# ---- monitor: start and end of a connection, states after close -------------
ip netns exec mos-s "$MOSCTL" -j monitor >"$WORK/mon" 2>"$WORK/mon.err" &
mon=$!
sleep 1
ip netns exec mos-s "${EXCHANGE[@]}" server 10.77.1.2 5003 --reply 20000 >/dev/null &
srv=$!
wait_port mos-s 5003
ip netns exec mos-c "${EXCHANGE[@]}" client 10.77.1.2 5003 --send 30000 >"$WORK/ex"
wait "$srv"
wait_for "$WORK/mon" '"event":"end".*"server_port":5003' || true
kill -TERM "$mon"
wait "$mon"
check "monitor exits 0 on SIGTERM" test $? -eq 0
check "monitor: one start and one end (fin, closed states, all bytes)" \
	python3 - "$WORK/mon" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]      # every line is JSON
mine = [e for e in ev if e["flow"]["server_port"] == 5003]
for e in mine:
    print("#", e)
new = [e for e in mine if e["event"] == "new"]
end = [e for e in mine if e["event"] == "end"]
ok = (len(new) == 1 and len(end) == 1 and
      new[0]["flow"]["id"] == end[0]["flow"]["id"] and
      end[0]["flow"]["end_reason"] == "fin" and
      end[0]["flow"]["client_state"] != "established" and
      end[0]["flow"]["server_state"] != "established" and
      end[0]["flow"]["c2s_bytes"] == 30000 and
      end[0]["flow"]["s2c_bytes"] == 20000)
sys.exit(0 if ok else 1)
PY
sleep 3
n=$(ip netns exec mos-s "$MOSCTL" -j flow list | python3 -c '
import json, sys
print(sum(f["server_port"] == 5003 for f in json.load(sys.stdin)))')
check "a closed connection leaves the table" test "$n" -eq 0

# ---- settings ----------------------------------------------------------------
cfg() { ip netns exec mos-s "$MOSCTL" -j config | python3 -c '
import json, sys
c = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    c = c[k]
print(c)' "$1"; }
check "default established timeout is conntrack's" test "$(cfg timeout.established)" -eq 432000
# The default ring: 64 MiB shared by one ring per possible CPU, a power of
# two, at least 1 MiB.
want_ring=$(python3 -c '
import re
n = 0
for part in open("/sys/devices/system/cpu/possible").read().strip().split(","):
    a, _, b = part.partition("-")
    n += int(b or a) - int(a) + 1
r = 1 << ((64 << 20) // n).bit_length() - 1
print(max(r, 1 << 20))')
check "default ring size $(cfg ring_bytes) = 64 MiB over the CPUs' rings ($want_ring)" \
	test "$(cfg ring_bytes)" -eq "$want_ring"
check "namespaces are tracked by default" test "$(cfg tracking)" -eq 1
check "consumers are woken 4000 us after a record by default" \
	test "$(cfg wakeup_us)" -eq 4000
check "one-sided tracking is off by default" test "$(cfg one_sided)" -eq 0
check "config set succeeds" ip netns exec mos-s "$MOSCTL" config set \
	timeout.established=8 max_flows=5000 overlap_policy=linux \
	ring_bytes=131072 flow_buffer=64k buffer_total=64m midstream=1 \
	deliver_on_arrival=1 wakeup_us=250 one_sided=1
check "settings read back" test "$(cfg timeout.established) $(cfg max_flows) $(cfg overlap_policy) $(cfg ring_bytes) $(cfg flow_buffer) $(cfg buffer_total) $(cfg midstream) $(cfg deliver_on_arrival) $(cfg wakeup_us) $(cfg one_sided)" \
	= "8 5000 linux 131072 65536 67108864 1 1 250 1"
out=$(ip netns exec mos-s "$MOSCTL" config set midstream=0 ring_bytes=100000 2>&1)
rc=$?
echo "# $out"
check "a ring size that is no power of two is refused in one line" \
	test $rc -eq 1 -a "$(echo "$out" | wc -l)" -eq 1 -a -n "$(echo "$out" | grep 'power of two')"
check "a refused request changes nothing" test "$(cfg midstream)" -eq 1
check "deliver_on_arrival=2 is refused" sh -c "! ip netns exec mos-s '$MOSCTL' config set deliver_on_arrival=2 2>/dev/null"
check "deliver_on_arrival back to 0" ip netns exec mos-s "$MOSCTL" config set deliver_on_arrival=0
check "deliver_on_arrival reads back 0" test "$(cfg deliver_on_arrival)" -eq 0
check "max_flows=0 is refused" sh -c "! ip netns exec mos-s '$MOSCTL' config set max_flows=0 2>/dev/null"
check "timeout 0 is refused" sh -c "! ip netns exec mos-s '$MOSCTL' config set timeout.close=0 2>/dev/null"
# monitor_idle OUT NAME: mosctl monitor into OUT (its pid in $mon), then an
# idle client connection NAME, checked to be in the table.
monitor_idle() {
	ip netns exec mos-s "$MOSCTL" -j monitor >"$1" 2>&1 &
	mon=$!
	sleep 1
	client "$2" 10.77.1.2 5001 --idle || tap_fail "client $2 connected"
	id=$(flow_id mos-s "$CPORT")
	check "the idle connection $2 is tracked (id '$id')" test -n "$id"
}
# The end notification says when it ended: the emulated guest is too
# slow to time it from outside.
monitor_idle "$WORK/mon2" c5
wait_for "$WORK/mon2" "\"event\":\"end\".*\"client_port\":$CPORT" 600
kill -TERM "$mon"
wait "$mon"
check "the new established timeout (8 s) ends the idle connection" \
	python3 - "$WORK/mon2" "$CPORT" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
end = [e["flow"] for e in ev if e["event"] == "end" and
       e["flow"]["client_port"] == int(sys.argv[2])]
print("#", end)
# Idle for the timeout, expired by the once-a-second collector.
sys.exit(0 if len(end) == 1 and end[0]["end_reason"] == "timeout" and
         8000 <= end[0]["idle_ms"] <= 10500 else 1)
PY
kill "$CPID" 2>/dev/null
check "the established timeout goes back to its default" \
	ip netns exec mos-s "$MOSCTL" config set timeout.established=432000

# ---- tracking=0: connections end (eof), packets pass uncounted; back on ------
# exchange PORT: 3000 bytes from mos-c, 2000 back from mos-s; true when
# each end received exactly what the other sent.
# shellcheck disable=SC2317 # called through check
exchange() {
	ip netns exec mos-s "${EXCHANGE[@]}" server 10.77.1.2 "$1" \
		--reply 2000 >"$WORK/ex-s" &
	local srv=$!
	wait_port mos-s "$1"
	ip netns exec mos-c "${EXCHANGE[@]}" client 10.77.1.2 "$1" \
		--send 3000 >"$WORK/ex-c"
	wait "$srv"
	python3 - "$WORK/ex-c" "$WORK/ex-s" <<'PY'
import json, sys
c, s = (json.loads(open(f).readline()) for f in sys.argv[1:3])
sys.exit(0 if c["sent"] == 3000 and s["sent"] == 2000 and
         c["sent_sha256"] == s["received_sha256"] and
         s["sent_sha256"] == c["received_sha256"] else 1)
PY
}
monitor_idle "$WORK/mon3" c6
check "tracking=0 is accepted" \
	ip netns exec mos-s "$MOSCTL" config set tracking=0
check "tracking reads back 0" test "$(cfg tracking)" -eq 0
wait_for "$WORK/mon3" "\"event\":\"end\".*\"client_port\":$CPORT" 100
n=$(ip netns exec mos-s "$MOSCTL" -j flow list | python3 -c '
import json, sys
print(len(json.load(sys.stdin)))')
check "turning tracking off empties the table ($n left)" test "$n" -eq 0
pk0=$(stat_of mos-s tcp_packets)
check "an exchange passes untouched while tracking is off" exchange 5004
pk1=$(stat_of mos-s tcp_packets)
check "and is not counted ($pk0 then $pk1 packets)" test "$pk0" -eq "$pk1"
check "tracking=1 is accepted" \
	ip netns exec mos-s "$MOSCTL" config set tracking=1
check "an exchange after tracking is back on" exchange 5005
wait_for "$WORK/mon3" '"event":"end".*"server_port":5005' || true
kill -TERM "$mon"
wait "$mon"
pk2=$(stat_of mos-s tcp_packets)
check "is counted ($pk1 then $pk2 packets)" test "$pk2" -gt "$pk1"
check "monitor: the idle connection ended once, reason eof; nothing of 5004; 5005 whole" \
	python3 - "$WORK/mon3" "$CPORT" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
idle = [e["flow"] for e in ev if e["event"] == "end" and
        e["flow"]["client_port"] == int(sys.argv[2])]
off = [e for e in ev if e["flow"]["server_port"] == 5004]
on = [e["flow"] for e in ev if e["event"] == "end" and
      e["flow"]["server_port"] == 5005]
print("#", idle, off, on)
sys.exit(0 if len(idle) == 1 and idle[0]["end_reason"] == "eof" and
         not off and len(on) == 1 and on[0]["end_reason"] == "fin" and
         on[0]["c2s_bytes"] == 3000 and on[0]["s2c_bytes"] == 2000 else 1)
PY
kill "$CPID" 2>/dev/null
exit $FAILED
