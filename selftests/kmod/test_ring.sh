#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel side of the rings, checked by a consumer written from the ABI
# alone (ring_probe.py): streams rebuilt from NEW_DATA records equal what
# the endpoints sent, over IPv4 and IPv6, with GSO super-packets and with
# offloads off, and with the two directions on different CPUs; each
# connection ends once; a SYN filter selects
# connections; a consumer writing nonsense consumer positions does no
# harm; a slow consumer loses records, counted exactly, and the loss shows
# as zero-filled gaps of the same size.
# mos-timeout: 600
. "$(dirname "$0")/lib.sh"
PROBE=(python3 "$SRC/selftests/kmod/ring_probe.py")

mos_load
netns_pair mos-c mos-s 1

# /dev/mos is a stream: no file position to move (every kernel version).
# shellcheck disable=SC2317 # called through check()
lseek_refused() {
	python3 - <<'PY'
import errno, os, sys
fd = os.open("/dev/mos", os.O_RDWR)
try:
    os.lseek(fd, 4096, os.SEEK_SET)
except OSError as e:
    sys.exit(e.errno != errno.ESPIPE)
sys.exit(1)
PY
}
check "lseek on /dev/mos fails with ESPIPE" lseek_refused

# probe_start NAME ARGS...: a consumer in mos-s, returns once attached.
probe_start() {
	local name=$1
	shift
	rm -f "$WORK/$name.ready"
	ip netns exec mos-s "${PROBE[@]}" --ready "$WORK/$name.ready" "$@" \
		>"$WORK/$name.out" 2>"$WORK/$name.err" &
	PROBE_PID=$!
	# Python can take long to start on a busy emulated guest.
	for _ in $(seq 600); do
		[ -e "$WORK/$name.ready" ] && return 0
		sleep 0.1
	done
	echo "# probe did not attach: $(cat "$WORK/$name.err")"
	return 1
}

# The GC writes a pending LOST record within a second.
probe_stop() {
	sleep 2
	kill -TERM "$PROBE_PID"
	wait "$PROBE_PID"
}

# exchange ADDR PORT SEND REPLY TAG
exchange() {
	ip netns exec mos-s "${EXCHANGE[@]}" server "$1" "$2" --reply "$4" \
		>"$WORK/srv.$5" &
	local srv=$!
	wait_port mos-s "$2"
	ip netns exec mos-c "${EXCHANGE[@]}" client "$1" "$2" --send "$3" \
		>"$WORK/cli.$5"
	wait "$srv"
}

# matches TAG PROBE-NAME: the probe's streams equal the client's bytes.
# shellcheck disable=SC2317 # called through check()
matches() {
	python3 - "$WORK/cli.$1" "$WORK/$2.out" <<'PY'
import json, sys
cli = json.loads(open(sys.argv[1]).read().splitlines()[-1])
flows = [json.loads(l) for l in open(sys.argv[2]) if '"cli"' in l]
ok = any(f["c2s"] == cli["sent_sha256"] and f["s2c"] == cli["received_sha256"]
         and f["ends"] == 1 for f in flows)
if not ok:
    print("# client", cli)
    for f in flows:
        print("# probe ", f)
sys.exit(0 if ok else 1)
PY
}

probe_start p1 || exit 1
exchange 10.77.1.2 5001 300000 200000 v4
exchange fd00:77:1::2 5002 120000 400000 v6
probe_stop
check "IPv4 streams from the ring equal the bytes sent" matches v4 p1
check "IPv6 streams from the ring equal the bytes sent" matches v6 p1
check "no malformed records or padding" \
	grep -q '"problems": \[\]' "$WORK/p1.out"

# Offloads off: no GSO/GRO super-packets, every segment on its own.
probe_start poff || exit 1
ip netns exec mos-c ethtool -K v1-a tso off gso off gro off >/dev/null
ip netns exec mos-s ethtool -K v1-b tso off gso off gro off >/dev/null
exchange 10.77.1.2 5008 250000 150000 off
probe_stop
ip netns exec mos-c ethtool -K v1-a tso on gso on gro on >/dev/null
ip netns exec mos-s ethtool -K v1-b tso on gso on gro on >/dev/null
check "offloads off: streams from the ring equal the bytes sent" matches off poff

# The two directions of one connection on different CPUs: what the server
# sends passes LOCAL_OUT on CPU 1 (the server is pinned there), what it
# receives is steered by RPS to CPU 0. Shards, not CPUs, own connections,
# so the streams come out whole and in one ring all the same.
cpu_packets() { # CPU: TCP packets counted on that CPU in mos-s so far
	ip netns exec mos-s "$MOSCTL" -j stats | python3 -c "
import json, sys
print([c['tcp_packets'] for c in json.load(sys.stdin)['cpus']][$1])"
}
ip netns exec mos-s sh -c 'echo 1 >/sys/class/net/v1-b/queues/rx-0/rps_cpus'
before0=$(cpu_packets 0)
before1=$(cpu_packets 1)
probe_start pcpu || exit 1
ip netns exec mos-s taskset -c 1 "${EXCHANGE[@]}" server 10.77.1.2 5009 \
	--reply 200000 >"$WORK/srv.cpu" &
srv=$!
wait_port mos-s 5009
ip netns exec mos-c taskset -c 0 "${EXCHANGE[@]}" client 10.77.1.2 5009 \
	--send 300000 >"$WORK/cli.cpu"
wait "$srv"
probe_stop
ip netns exec mos-s sh -c 'echo 0 >/sys/class/net/v1-b/queues/rx-0/rps_cpus'
d0=$(($(cpu_packets 0) - before0))
d1=$(($(cpu_packets 1) - before1))
echo "# packets seen in mos-s: $d0 on CPU 0, $d1 on CPU 1"
check "directions on different CPUs: both CPUs saw the connection" \
	test "$d0" -gt 0 -a "$d1" -gt 0
check "directions on different CPUs: streams equal the bytes sent" \
	matches cpu pcpu

probe_start p2 --hostile || exit 1
exchange 10.77.1.2 5003 200000 100000 h
probe_stop
check "hostile consumer positions are harmless" matches h p2

# A SYN filter (libpcap syntax, compiled in userspace, run in the kernel)
# selects the connections a consumer gets.
probe_start pf --syn-filter "tcp dst port 5005 or tcp dst port 5007" || exit 1
exchange 10.77.1.2 5005 30000 20000 f5
exchange 10.77.1.2 5006 30000 20000 f6
exchange fd00:77:1::2 5007 30000 20000 f7
probe_stop
check "SYN filter: a selected IPv4 connection is delivered" matches f5 pf
check "SYN filter: a selected IPv6 connection is delivered" matches f7 pf
check "SYN filter: the other connection is not" \
	test "$(grep -c '"cli"' "$WORK/pf.out")" -eq 2

# A consumer that sleeps while a small ring fills: records are lost, and
# exactly the lost payload shows up as gaps.
probe_start p3 --ring-bytes 65536 --slow 0.2 || exit 1
exchange 10.77.1.2 5004 3000000 2000000 slow
probe_stop
python3 - "$WORK/p3.out" <<'PY' >"$WORK/p3.check"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
st = lines[-1]["stats"]
print("# slow consumer:", st)
flows = [f for f in lines if "cli" in f]
# Bytes never received: gaps inside the streams plus a lost tail.
missing = sum(3000000 - (f["c2s_len"] - f["c2s_gap"]) +
              2000000 - (f["s2c_len"] - f["s2c_gap"]) for f in flows)
print("# missing from the streams:", missing)
ok = (len(flows) == 1 and st["lost_events"] > 0
      and st["lost_events"] == st["ctrl_lost_events"]
      and st["lost_bytes"] == st["ctrl_lost_bytes"]
      and missing == st["lost_bytes"] and not st["problems"])
print("ok" if ok else "bad")
PY
cat "$WORK/p3.check"
check "a slow consumer's losses are counted exactly and show as gaps" \
	grep -q '^ok' "$WORK/p3.check"

# A reader that lost records, caught up and fell asleep is woken by the
# next record. Losses make a LOST record go before it; were the two
# published one by one, the first would move the producer past the
# sleeping reader's position and the second would never wake it. A
# ping-pong every 20 ms overflows its own 64 KiB ring while the probe reads
# nothing for 8 s, and brings the next record while the probe, caught up,
# sleeps (unless the once-a-second collector wrote the LOST record in
# between, which it rarely has time to).
FLOWPEER=(python3 "$SRC/selftests/kmod/flow_peer.py")
ip netns exec mos-s "${FLOWPEER[@]}" server 10.77.1.2 5020 >/dev/null &
fps=$!
wait_port mos-s 5020
probe_start st --ring-bytes 65536 --stall 8 || exit 1
ip netns exec mos-c "${FLOWPEER[@]}" client 10.77.1.2 5020 --interval 0.02 \
	>/dev/null &
fpc=$!
wait "$PROBE_PID"
kill "$fpc" "$fps"
echo "# after the stall: $(cat "$WORK/st.out")"
# Unfixed, it slept 4 s or more: until its ring was a quarter full.
check "a reader that lost records and caught up is woken by the next one" \
	python3 -c 'import json, sys
w = json.load(open(sys.argv[1]))
sys.exit(not (w["woken"] and w["waited_ms"] < 2000 and
              w["lost_events"] > 0))' "$WORK/st.out"

# Wakeups (mosctl config set wakeup_us): a consumer waiting in poll() is
# woken the namespace's interval after the first record, at once with 0,
# and at once when a ring is a quarter full whatever the interval.
# wake NAME WAKEUP_US SEND RING_BYTES PORT: sets $wake_ms and $unread.
wake() {
	ip netns exec mos-s "$MOSCTL" config set "wakeup_us=$2" ||
		tap_fail "wakeup_us=$2 set"
	probe_start "$1" --wake-delay --ring-bytes "$4" || return 1
	exchange 10.77.1.2 "$5" "$3" 100 "$1"
	wait "$PROBE_PID"
	read -r wake_ms unread <<<"$(python3 -c 'import json, sys
w = json.load(open(sys.argv[1]))
print(w["wake_delay_ms"], w["unread"])' "$WORK/$1.out")"
	echo "# wakeup_us=$2 ring $4: woken ${wake_ms} ms after the first record, $unread bytes waiting"
}
wake w1 1000000 1000 0 5010
check "wakeup_us=1000000: woken a second after the first record, not before" \
	python3 -c "import sys; sys.exit(not 950 <= float('$wake_ms') < 5000)"
wake w2 0 1000 0 5011
check "wakeup_us=0: woken at once" \
	python3 -c "import sys; sys.exit(not float('$wake_ms') < 500)"
wake w3 1000000 400000 65536 5012
check "a quarter-full ring wakes its consumer before the interval" \
	python3 -c "import sys; sys.exit(not (float('$wake_ms') < 950 and
	$unread >= 16384))"
ip netns exec mos-s "$MOSCTL" config set wakeup_us=4000
exit $FAILED
