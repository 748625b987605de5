#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mos-timeout: 300
# The middlebox interface live, through a router namespace (ap-c -- ap-r
# -- ap-s, api_probe in ap-r): a SYN filter handed to the kernel admits
# some connections only; the raw socket gets the SYNs of those (its filter
# runs in the kernel); mos_getlastpkt() shows the packet behind each event
# from the headers the kernel sends; a timer ticks on the live clock;
# mos_flow_drop() stalls a connection and mos_flow_reset() resets it; two
# contexts of a group share the connections.
. "$(dirname "$0")/lib.sh"
# shellcheck source=flow_lib.sh
. "$(dirname "$0")/flow_lib.sh"

PROBE=$BUILD/tests/api_probe
mos_load
router_topology ap
S=10.89.2.2
for port in 8080 8081 8082 8083; do
	ip netns exec ap-s "${PEER[@]}" server "$S" "$port" >/dev/null 2>&1 &
done
for port in 8080 8081 8082 8083; do
	wait_port ap-s "$port"
done

ip netns exec ap-r "$PROBE" -l -t 200 -d 8082 -R 8083 \
	-s 'tcp dst port 8080 or tcp dst port 8082 or tcp dst port 8083' \
	-w 'tcp[tcpflags] & tcp-syn != 0' >"$WORK/probe" 2>"$WORK/probe.err" &
PROBE_PID=$!
check "api_probe attached live" wait_for "$WORK/probe" '"ready"' ||
	cat "$WORK/probe.err"

# ap_client NAME PORT [ARGS]: a ping-pong client in ap-c, until connected.
# shellcheck disable=SC2317 # called through check
ap_client() {
	local name=$1 port=$2
	shift 2
	ip netns exec ap-c "${PEER[@]}" client "$S" "$port" "$@" \
		>"$WORK/$name" &
	CPID=$!
	wait_for "$WORK/$name" '"connected"' || return 1
	CPORT=$(sed -n 's/.*"port": \([0-9]*\).*/\1/p' "$WORK/$name")
}

# Admitted: a few pings, then a clean close.
check "connection to 8080 works" ap_client c8080 8080 --interval 0.05
sleep 0.5
kill "$CPID"
wait "$CPID" 2>/dev/null
# Not admitted by the SYN filter.
check "connection to 8081 works (not monitored)" ap_client c8081 8081
kill "$CPID"
wait "$CPID" 2>/dev/null
# Dropped and reset at CONN_START.
ip netns exec ap-c timeout 15 "${PEER[@]}" client "$S" 8082 \
	>"$WORK/c8082" 2>&1
ip netns exec ap-c timeout 15 "${PEER[@]}" client "$S" 8083 \
	>"$WORK/c8083" 2>&1
sleep 1.5
kill -TERM "$PROBE_PID"
check "api_probe stopped cleanly on SIGTERM" wait "$PROBE_PID"

# What happened, from the probe's lines.
python3 - "$WORK/probe" "$WORK/c8082" "$WORK/c8083" >"$WORK/tap" <<'EOF'
import json, sys
ev = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
c8082, c8083 = open(sys.argv[2]).read(), open(sys.argv[3]).read()

def tap(ok, what):
    print(("ok" if ok else "not ok") + " - " + what)

starts = [e for e in ev if e["ev"] == "start"]
tap(sorted(e["sport"] for e in starts) == [8080, 8082, 8083],
    "SYN filter: CONN_START for 8080, 8082, 8083 only (%s)"
    % [e["sport"] for e in starts])
s80 = [e for e in starts if e["sport"] == 8080]
tap(len(s80) == 1 and s80[0]["pkt_ret"] == 0 and s80[0]["pkt_side"] == 0
    and s80[0]["pkt_flags"] == 0x02 and s80[0]["pkt_dport"] == 8080
    and s80[0]["pkt_hdr"] >= 20 and s80[0]["pkt_wire"] == 20 + s80[0]["pkt_hdr"],
    "getlastpkt in CONN_START: the client's SYN, headers and length (%s)" % s80)
data = [e for e in ev if e["ev"] == "data" and e["sport"] == 8080]
tap(len(data) >= 2 and all(e["pkt_ret"] == 0 and e["pkt_flags"] & 0x10
                           for e in data),
    "getlastpkt in NEW_DATA: a packet with ACK each time (%d events; %s)"
    % (len(data), [e for e in data if e["pkt_ret"] or
                   not e["pkt_flags"] & 0x10][:3]))
tap(all(e.get("pkt_side") == e["side"] for e in data),
    "bytes are released by the receiver's ACK: it sent that packet (%s)"
    % [e for e in data if e.get("pkt_side") != e["side"]][:3])
tap(sum(e["len"] for e in data if e["side"] == 1) ==
    sum(e["len"] for e in data if e["side"] == 0) and
    sum(e["len"] for e in data if e["side"] == 1) % 100 == 0,
    "echo: as many bytes each way, in 100-byte pings")
raw = [e for e in ev if e["ev"] == "raw"]
raw80 = [e for e in raw if 8080 in (e.get("pkt_sport"), e.get("pkt_dport"))]
tap(all(e["pkt_flags"] & 0x02 for e in raw) and
    not any(8081 in (e.get("pkt_sport"), e.get("pkt_dport")) for e in raw),
    "raw socket: SYNs only, none of the connection the SYN filter left out")
tap(sorted(e["pkt_flags"] for e in raw80) == [0x02, 0x12] and
    {e["side"] for e in raw80} == {0, 1},
    "raw socket: the SYN (client) and SYN/ACK (server) of 8080 (%s)" % raw80)
ticks = [e for e in ev if e["ev"] == "tick"]
tap(len(ticks) >= 5 and all(e["timer_ev"] == 0xffffffff for e in ticks),
    "a 200 ms timer ticked %d times on the live clock" % len(ticks))
end80 = [e for e in ev if e["ev"] == "end" and e["sport"] == 8080]
tap(len(end80) == 1 and end80[0]["reason"] == 1,
    "8080 ended once, by FIN (%s)" % end80)
acts = {e["sport"]: e["act"] for e in starts}
tap(acts.get(8082) == 0 and acts.get(8083) == 0,
    "drop and reset requests accepted by the kernel (%s)" % acts)
tap('"connected"' not in c8082, "dropped connection never got its echo")
tap('"connected"' not in c8083 and ("reset" in c8083.lower() or
                                    "refused" in c8083.lower()),
    "reset connection saw a reset (%s)" % c8083.strip()[-120:])
end83 = [e for e in ev if e["ev"] == "end" and e["sport"] == 8083]
tap(len(end83) == 1 and end83[0]["reason"] == 2,
    "reset connection ended by rst (%s)" % end83)
EOF
cat "$WORK/tap"
if grep -q '^not ok' "$WORK/tap" || ! grep -q '^ok' "$WORK/tap"; then
	FAILED=1
fi

# A group of two contexts (one per shard here: two CPUs) shares the
# connections: each is seen by exactly one of them.
for g in 0 1; do
	ip netns exec ap-r "$PROBE" -G "$g/2" >"$WORK/g$g" 2>&1 &
	GPID[g]=$!
done
check "group member 0/2 attached" wait_for "$WORK/g0" '"ready"'
check "group member 1/2 attached" wait_for "$WORK/g1" '"ready"'
ports=()
for i in $(seq 12); do
	ap_client "m$i" 8081 || tap_fail "client m$i connected"
	ports+=("$CPORT")
	kill "$CPID"
	wait "$CPID" 2>/dev/null
done
sleep 1
kill -TERM "${GPID[0]}" "${GPID[1]}"
wait "${GPID[0]}" "${GPID[1]}"
python3 - "$WORK/g0" "$WORK/g1" "${ports[@]}" >"$WORK/gtap" <<'EOF'
import json, sys
seen = []
for f in sys.argv[1:3]:
    seen.append({json.loads(line)["cport"] for line in open(f)
                 if line.startswith('{"ev":"start"')})
want = {int(p) for p in sys.argv[3:]}
ok = seen[0] | seen[1] == want and not seen[0] & seen[1]
print(("ok" if ok else "not ok") + " - group 0/2 and 1/2: %d and %d of the"
      " %d connections, each in one (%s)" % (len(seen[0]), len(seen[1]),
                                              len(want), seen))
EOF
cat "$WORK/gtap"
grep -q '^ok' "$WORK/gtap" || FAILED=1
exit $FAILED
