#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the QEMU guest (selftests/bench/forward-bench.sh starts it):
# forwarding throughput through a router namespace, client and server in
# their own namespaces, measured in one run with
#   none       nothing loaded
#   conntrack  nf_conntrack tracking the forwarded traffic (an nft rule
#              using ct state in the router, as a stateful firewall has)
#   mos        mos.ko loaded and mos-bench consuming every event and byte
#              in the router
# and, for information, mos.ko loaded with no consumer (state tracking
# only). mos tracks only in the router: the client and server namespaces
# stand for other machines (mosctl config set tracking=0 there).
# Each lane runs FWD_RUNS times (3), the lanes in turn (the best is kept).
# Prints a table; the last line is "none_gbps=X conntrack_gbps=Y
# mos_gbps=Z ring_lost=N arrival_gbps=W copy_share=S" (W: mos with a
# consumer and bytes delivered on arrival; S: what one kernel copy per byte
# costs, as a share of what forwarding a byte costs with nothing loaded, in
# this guest).
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build}
SECS=${FWD_SECONDS:-10}
STREAMS=${FWD_STREAMS:-4}
RUNS=${FWD_RUNS:-3}
# shellcheck source=../kmod/lib.sh
. "$SRC/selftests/kmod/lib.sh"

for m in veth nf_defrag_ipv4 nf_defrag_ipv6; do modprobe "$m"; done
router_topology fw
ip netns exec fw-s iperf3 -s -D -p 5201 --logfile /dev/null
sleep 1

# gbps: throughput of one iperf3 run, client to server through the router.
gbps() {
	ip netns exec fw-c iperf3 -c 10.89.2.2 -p 5201 -t "$SECS" \
		-P "$STREAMS" -J >"$WORK/iperf.json" 2>&1 || return 1
	python3 -c "import json; d = json.load(open('$WORK/iperf.json'));
print('%.3f' % (d['end']['sum_received']['bits_per_second'] / 1e9))"
}

# gbps_or_0: gbps, or 0 (and why, on stderr) when iperf3 failed.
gbps_or_0() {
	gbps || { echo "iperf3 failed: $(tail -3 "$WORK/iperf.json")" >&2; echo 0; }
}

# keep LANE GBPS: the best rate of each lane.
declare -A rate
keep() {
	rate[$1]=$(python3 -c "print(max(${rate[$1]:-0}, $2))")
}

# What forwarding costs with nothing loaded, per byte: the CPU time the
# guest was busy (all vCPUs; /proc/stat's user, nice, system, irq, softirq
# and steal ticks) over the bytes received, in one more run. Any consumer
# of every byte adds at least one kernel copy per byte (skb to ring) to
# that; copyrate says what one costs here.
busy_ticks() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat
}
read -r busy0 idle0 <<<"$(busy_ticks)"
gbps_or_0 >/dev/null
read -r busy1 idle1 <<<"$(busy_ticks)"
fwd_bytes=$(python3 -c "import json
print(json.load(open('$WORK/iperf.json'))['end']['sum_received']['bytes'])" \
	2>/dev/null || echo 0)
copy=$("$BUILD/bench/copyrate" | tail -1)
# x86-64 kernels copy with rep movsb when the CPU has ERMS, otherwise eight
# bytes at a time (memcpy) or with rep movsq (copy_to_user): "words".
copy_kind=words
grep -qw erms /proc/cpuinfo && copy_kind=movsb
echo "# copyrate: $copy (this kernel copies with $copy_kind)"

modprobe nf_conntrack
modprobe nf_tables
modprobe nft_ct

lost_events() {
	ip netns exec fw-r "$BUILD/bin/mosctl" -j stats | python3 -c "
import json, sys; t = json.load(sys.stdin)['total']
print(t.get('ring_lost_events', 'n/a'))"
}

# consumer_lane LANE OUT: the rate with mos-bench consuming in the router
# (its output in OUT), kept for LANE; adds the ring loss to lost[LANE].
declare -A lost=([mos]=0 [arrival]=0)
consumer_lane() {
	local bench before
	before=$(lost_events)
	ip netns exec fw-r "$BUILD/bin/mos-bench" >"$2" 2>&1 &
	bench=$!
	sleep 2
	keep "$1" "$(gbps_or_0)"
	kill -TERM "$bench"
	wait "$bench"
	lost[$1]=$(python3 -c "print(${lost[$1]} + int('$(lost_events)') - int('$before'))" \
		2>/dev/null || echo n/a)
	echo "# mos-bench (live, router): $(tail -1 "$2")"
}

# Every lane once per round, RUNS rounds: the host's load drifts over
# minutes (nothing loaded went from 9.5 to 5.3 Gbit/s within one session),
# and taking the lanes in turn spreads the drift over all of them.
for ((round = 0; round < RUNS; round++)); do
	keep none "$(gbps_or_0)"

	ip netns exec fw-r nft -f - <<'NFT'
table inet mosbench {
	chain forward {
		type filter hook forward priority 0; policy drop;
		ct state established,related accept
		ct state new tcp dport 5201 accept
	}
}
NFT
	keep conntrack "$(gbps_or_0)"
	ip netns exec fw-r nft delete table inet mosbench

	insmod "$BUILD/mos.ko"
	# The client and server namespaces stand for other machines, where
	# mos would not run: only the router tracks, as conntrack does.
	for ns in fw-c fw-s; do
		ip netns exec "$ns" "$BUILD/bin/mosctl" config set tracking=0
	done
	keep idle "$(gbps_or_0)"
	consumer_lane mos "$WORK/bench.out"
	# The same with bytes delivered on arrival: one copy, skb to ring.
	ip netns exec fw-r "$BUILD/bin/mosctl" config set deliver_on_arrival=1
	consumer_lane arrival "$WORK/bench2.out"
	rmmod mos
done
rmmod nft_ct 2>/dev/null

python3 - "${rate[none]}" "${rate[conntrack]}" "${rate[mos]}" "${lost[mos]}" \
	"${rate[idle]}" "${rate[arrival]}" "${lost[arrival]}" \
	"$((busy1 - busy0))" "$((idle1 - idle0))" "$(getconf CLK_TCK)" \
	"$fwd_bytes" "$copy" "$copy_kind" <<'PY'
import sys
none, ct, mos = (float(x) for x in sys.argv[1:4])
lost, idle = sys.argv[4], float(sys.argv[5])
arrival, lost2 = float(sys.argv[6]), sys.argv[7]
busy, idle_ticks, hz, fwd = (int(x) for x in sys.argv[8:12])
copy = dict(kv.split("=") for kv in sys.argv[12].split())
kind = sys.argv[13]
print("%-36s %10s %10s" % ("forwarding (iperf3)", "Gbit/s", "vs none"))
for name, v in (("nothing loaded", none), ("nf_conntrack", ct),
                ("mos.ko, no consumer", idle), ("mos.ko + consumer", mos),
                ("mos.ko + consumer, on arrival", arrival)):
    print("%-36s %10.3f %10.2f" % (name, v, v / none if none else 0))
print("ring loss: %s events (default delivery), %s (on arrival)"
      % (lost, lost2))
def met(ok):
    return "met" if ok else "NOT met"
print("targets: mos >= 0.70 x none (%s; on arrival %s), mos >= conntrack"
      " (%s; on arrival %s), ring loss 0 (%s; on arrival %s)"
      % (met(mos >= 0.7 * none), met(arrival >= 0.7 * none),
         met(mos >= ct), met(arrival >= ct),
         met(lost == "0") + ("" if lost == "0" else ": %s events" % lost),
         met(lost2 == "0") + ("" if lost2 == "0" else ": %s events" % lost2)))
# What a consumer of every byte must add at least: one kernel copy per
# byte (skb to ring), at the rate of the copy this guest's kernel uses,
# against what forwarding a byte costs with nothing loaded.
kcopy = float(copy.get(kind + "_mbps", 0))
cost_ns = busy / hz * 1e9 / fwd if fwd else 0
copy_ns = 1e3 / kcopy if kcopy else 0
share = copy_ns / cost_ns if cost_ns else 0
print("per byte, nothing loaded: %.2f ns of CPU (vCPUs %.0f %% busy); one"
      " kernel copy (%s, %.0f MB/s): %.2f ns, %.0f %% of that" %
      (cost_ns, 100.0 * busy / max(busy + idle_ticks, 1), kind, kcopy,
       copy_ns, 100 * share))
print("none_gbps=%.3f conntrack_gbps=%.3f mos_gbps=%.3f ring_lost=%s"
      " arrival_gbps=%.3f copy_share=%.2f" %
      (none, ct, mos, lost, arrival, share))
PY
