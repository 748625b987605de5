#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs INSIDE the QEMU guest (selftests/vm/run-vm.sh): real TCP traffic
# through a lossy, reordering router, captured on the router, with what
# each endpoint really sent saved as ground truth.
#
#   client ns (c0) ---- (r0) router ns (r1) ---- (s0) server ns
#
# netem on the router's two egress qdiscs (r0 towards the client, r1
# towards the server): delay, jitter, loss, reordering, duplication.
#
# Where to capture: tcpdump on r0 alone sees both directions. On Linux an
# AF_PACKET tap sees a received packet in __netif_receive_skb_core, before
# anything else on the router, and a sent packet in dev_queue_xmit_nit(),
# called from dev_hard_start_xmit() AFTER the qdisc has dequeued it. So:
#  - client->server packets are captured as they arrive at r0: every
#    segment the client transmitted, including those netem then drops on
#    r1 (their retransmissions carry the same bytes);
#  - server->client packets are captured after r0's netem: a packet netem
#    drops is never captured, but the server retransmits until the client
#    ACKs, and the client can only ACK bytes that left r0 - i.e. that were
#    captured.
# Either way every byte an endpoint sent, and every ACK covering it, is in
# the capture at least once, in an order the endpoints could have seen.
# RST-closed connections are aborted by the CLIENT, whose packets are
# captured before any loss, so the RST is always in the capture.
#
# Two runs: "offload" (veth defaults: TSO/GSO super-packets and unfilled
# checksums in the capture, GRO on the router if the kernel allows) and
# "nooffload" (ethtool -K tso/gso/gro/tx off everywhere). Each run has
# IPv4 and IPv6 connections in every close mode, some in parallel, some
# one after another.
#
# Output in $MOS_VM_OUT: RUN.pcap, RUN/ (c2s-*.bin, s2c-*.bin: bytes sent,
# named by client and server ip_port), RUN/*.json (exchange.py reports),
# manifest.json. Exit status non-zero if the traffic itself failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$here/../.." && pwd)
OUT=${MOS_VM_OUT:?run me through selftests/vm/run-vm.sh}
EXCHANGE=(python3 "$SRC/selftests/kmod/exchange.py")
NS=(gt-c gt-r gt-s)
status=0

cleanup() {
	local ns
	for ns in "${NS[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
}
trap cleanup EXIT

# Netem shaping of one router egress. reorder needs a delay: 20% of the
# packets (every 5th gap) go at once, the others wait 2ms +-1ms.
NETEM=(delay 2ms 1ms loss 2% duplicate 1% reorder 20% 50% gap 5 limit 10000)

topology() {
	local ns dev l
	cleanup
	for ns in "${NS[@]}"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	ip link add c0 netns gt-c type veth peer name r0 netns gt-r
	ip link add s0 netns gt-s type veth peer name r1 netns gt-r
	ip -n gt-c addr add 10.88.1.1/24 dev c0
	ip -n gt-r addr add 10.88.1.2/24 dev r0
	ip -n gt-r addr add 10.88.2.1/24 dev r1
	ip -n gt-s addr add 10.88.2.2/24 dev s0
	ip -n gt-c addr add fd00:88:1::1/64 dev c0 nodad
	ip -n gt-r addr add fd00:88:1::2/64 dev r0 nodad
	ip -n gt-r addr add fd00:88:2::1/64 dev r1 nodad
	ip -n gt-s addr add fd00:88:2::2/64 dev s0 nodad
	for l in "gt-c c0" "gt-r r0" "gt-r r1" "gt-s s0"; do
		read -r ns dev <<<"$l"
		ip -n "$ns" link set "$dev" up
	done
	ip -n gt-c route add default via 10.88.1.2
	ip -n gt-s route add default via 10.88.2.1
	ip -n gt-c -6 route add default via fd00:88:1::2
	ip -n gt-s -6 route add default via fd00:88:2::1
	ip netns exec gt-r sysctl -qw net.ipv4.ip_forward=1
	ip netns exec gt-r sysctl -qw net.ipv6.conf.all.forwarding=1
	tc -n gt-r qdisc add dev r0 root netem "${NETEM[@]}"
	tc -n gt-r qdisc add dev r1 root netem "${NETEM[@]}"
}

# offloads RUN: set the veth offloads for this run, say what they are.
offloads() {
	local l ns dev
	for l in "gt-c c0" "gt-r r0" "gt-r r1" "gt-s s0"; do
		read -r ns dev <<<"$l"
		if [ "$RUN" = nooffload ]; then
			ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off tx off \
				>/dev/null 2>&1 || { echo "# ethtool -K $dev failed"; status=1; }
		elif [ "$ns" = gt-r ]; then
			ip netns exec "$ns" ethtool -K "$dev" gro on >/dev/null 2>&1 ||
				echo "# GRO on $dev not available"
		fi
	done
	ip netns exec gt-r ethtool -k r0 2>/dev/null |
		grep -E '^(tcp-segmentation-offload|generic-(segmentation|receive)-offload|tx-checksumming):' |
		sed 's/^/# r0 /'
}

capture_start() {
	ip netns exec gt-r tcpdump -i r0 -s 0 -B 262144 -U -w "$OUT/$RUN.pcap" \
		2>"$WORK/tcpdump.log" &
	CAPTURE_PID=$!
	for _ in $(seq 100); do
		grep -q 'listening on' "$WORK/tcpdump.log" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "# tcpdump did not start: $(cat "$WORK/tcpdump.log")"
	return 1
}

capture_stop() {
	sleep 1		# the last ACKs and retransmissions
	kill -INT "$CAPTURE_PID"
	wait "$CAPTURE_PID"
	sed 's/^/# tcpdump: /' "$WORK/tcpdump.log"
}

# conn ID MODE FAMILY SEND REPLY: one connection on its own server port,
# both ends saving what they sent into $OUT/$RUN/.
conn() {
	local id=$1 mode=$2 fam=$3 send=$4 reply=$5 addr port
	port=$((6000 + id))
	if [ "$fam" = 6 ]; then addr=fd00:88:2::2; else addr=10.88.2.2; fi
	ip netns exec gt-s "${EXCHANGE[@]}" server "$addr" "$port" --close "$mode" \
		--expect "$send" --reply "$reply" --seed "$((id * 7919))" \
		--save "$OUT/$RUN" >"$OUT/$RUN/srv-$id.json" 2>"$WORK/srv-$id.err" &
	local spid=$!
	for _ in $(seq 100); do
		ip netns exec gt-s ss -Hltn "sport = :$port" | grep -q . && break
		sleep 0.05
	done
	if ! timeout 300 ip netns exec gt-c "${EXCHANGE[@]}" client "$addr" "$port" \
		--close "$mode" --send "$send" --reply "$reply" \
		--seed "$((id * 7919 + 1))" --save "$OUT/$RUN" \
		>"$OUT/$RUN/cli-$id.json" 2>"$WORK/cli-$id.err"; then
		echo "# connection $id ($mode, IPv$fam) client failed: $(tail -1 "$WORK/cli-$id.err")"
		status=1
	fi
	if ! timeout 60 tail --pid="$spid" -f /dev/null; then
		echo "# connection $id server did not finish"
		kill "$spid"
		status=1
	fi
}

# traffic: every close mode over both families; per (mode, family) two
# connections in parallel, then one alone. Sizes are seeded, from a few
# bytes to 400 KB, one direction of a half-close left empty.
traffic() {
	local id=0 mode fam rnd pids=()
	RANDOM=$SEED
	for mode in half client server both rst; do
		for fam in 4 6; do
			for _ in 1 2; do
				id=$((id + 1))
				conn "$id" "$mode" "$fam" $((RANDOM * 12 + 1)) $((RANDOM * 12 + 1)) &
				pids+=($!)
			done
			wait "${pids[@]}"
			pids=()
			id=$((id + 1))
			rnd=$((RANDOM % 5000 + 1))
			if [ "$mode" = half ] && [ "$fam" = 4 ]; then
				conn "$id" "$mode" "$fam" 0 "$rnd"	# c2s carries nothing
			else
				conn "$id" "$mode" "$fam" "$rnd" $((RANDOM * 3 + 1))
			fi
		done
	done
}

for m in veth sch_netem; do
	modprobe "$m" || { echo "# modprobe $m failed"; exit 1; }
done
command -v ethtool >/dev/null || { echo "# ethtool missing (apt-get install ethtool)"; exit 1; }

WORK=$(mktemp -d /tmp/gt.XXXXXX)
SEED=${MOS_GT_SEED:-4242}
echo "# seed $SEED"
for RUN in offload nooffload; do
	echo "# --- run $RUN"
	rm -rf "${OUT:?}/$RUN" "$OUT/$RUN.pcap"
	mkdir -p "$OUT/$RUN"
	topology
	offloads
	capture_start || { status=1; continue; }
	start=$SECONDS
	traffic
	capture_stop
	echo "# run $RUN: traffic took $((SECONDS - start))s," \
		"$(stat -c %s "$OUT/$RUN.pcap") bytes captured"
	SEED=$((SEED + 1))
done

# manifest.json: per run, its capture and every connection (endpoints,
# close mode, the files of sent bytes, and whether both ends agree on
# what crossed: each side received exactly what the other sent).
if ! python3 - "$OUT" <<'EOF'
import glob
import json
import os
import sys

out = sys.argv[1]
runs = {}
for run in ("offload", "nooffload"):
    conns = []
    for cf in sorted(glob.glob(os.path.join(out, run, "cli-*.json"))):
        cid = cf.rsplit("-", 1)[1][:-5]
        try:
            with open(cf) as f:
                c = json.loads(f.read())
            with open(os.path.join(out, run, "srv-%s.json" % cid)) as f:
                s = json.loads(f.read())
        except (OSError, ValueError) as e:
            conns.append({"id": cid, "error": str(e)})
            continue
        conns.append({
            "id": cid, "client": c["client"], "server": c["server"],
            "close": c["close"], "c2s": os.path.join(run, c["file"]),
            "s2c": os.path.join(run, s["file"]),
            "c2s_bytes": c["sent"], "s2c_bytes": s["sent"],
            "complete": (c["sent_sha256"] == s["received_sha256"] and
                         s["sent_sha256"] == c["received_sha256"] and
                         c["server"] == s["server"] and
                         c["client"] == s["client"])})
    runs[run] = {"pcap": run + ".pcap", "connections": conns}
with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump({"runs": runs}, f, indent=1)
bad = [c for r in runs.values() for c in r["connections"]
       if not c.get("complete")]
for c in bad:
    print("# connection not exchanged completely: %s" % json.dumps(c))
n = sum(len(r["connections"]) for r in runs.values())
print("# manifest: %d connections, %d incomplete" % (n, len(bad)))
sys.exit(1 if bad or n == 0 else 0)
EOF
then
	status=1
fi
rm -rf "$WORK"
exit $status
