#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# abacus live, on a router between two namespaces:
#
#   client ns (ab-c) c0 ---- r0 router ns (ab-r) r1 ---- s0 server ns (ab-s)
#                               mos.ko, abacus -j -f
#
# Real exchanges (exchange.py, seeded sizes) from two subscribers, the
# client's IPv4 and IPv6 addresses. Checked: SIGUSR1 prints the totals
# live; after SIGTERM abacus exits 0; each subscriber is charged exactly
# the bytes the endpoints report they sent (up) and received (down), with
# no abuse; one flow record per connection with the same bytes.
# (Inconsistent retransmissions cannot be made by real TCP stacks: the
# offline test, selftests/tools/test_abacus.py, crafts them.)
. "$(dirname "$0")/lib.sh"
ABACUS=${ABACUS:-$BUILD/bin/abacus}

# stop_within PID SECONDS: until it exits, else kill it and fail.
stop_within() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$1"
	return 1
}

mos_load
router_topology ab

ip netns exec ab-r "$ABACUS" -j -f >"$WORK/abacus.out" 2>"$WORK/abacus.err" &
AB_PID=$!
for _ in $(seq 100); do
	grep -q '/dev/mos' "/proc/$AB_PID/maps" 2>/dev/null && break
	sleep 0.1
done
check "abacus attached to /dev/mos" grep -q '/dev/mos' "/proc/$AB_PID/maps"
sleep 0.3	# its MONITOR_SET follows the mmaps

# exchange ADDR PORT SEND REPLY MODE: one connection, both ends' reports.
n=0
exchange() {
	n=$((n + 1))
	ip netns exec ab-s "${EXCHANGE[@]}" server "$1" "$2" --reply "$4" \
		--close "$5" --expect "$3" --seed "$n" >>"$WORK/srv.jsonl" &
	wait_port ab-s "$2"
	ip netns exec ab-c "${EXCHANGE[@]}" client "$1" "$2" --send "$3" \
		--reply "$4" --close "$5" --seed "$((n + 100))" \
		--save "$WORK" >>"$WORK/cli.jsonl"
	wait $!
}
exchange 10.89.2.2 7001 41234 98765 half
exchange 10.89.2.2 7002 5000 123456 client
exchange fd00:89:2::2 7003 77777 1111 server
exchange 10.89.2.2 7004 9999 8888 rst
check "four exchanges completed" test "$(grep -c '"role": "client"' \
	"$WORK/cli.jsonl")" -eq 4
sleep 1		# the last ACKs
kill -USR1 "$AB_PID"
sleep 1
check "SIGUSR1: totals printed live" grep -q '"type":"subscriber"' \
	"$WORK/abacus.out"
kill -TERM "$AB_PID"
stop_within "$AB_PID" 20
wait "$AB_PID"
rc=$?
check "abacus exits 0 after SIGTERM (status $rc)" test "$rc" -eq 0
check "abacus printed nothing on stderr" test ! -s "$WORK/abacus.err"
sed 's/^/# abacus: /' "$WORK/abacus.err" | head -n 5

python3 - "$WORK" <<'PY' || FAILED=1
import json, os, sys
work = sys.argv[1]
def lines(name):
    with open(os.path.join(work, name)) as f:
        return [json.loads(l) for l in f if l.startswith("{")]
out = lines("abacus.out")
cli = lines("cli.jsonl")
failed = 0
def tap(ok, name, diag=""):
    global failed
    failed += not ok
    print("%s - %s" % ("ok" if ok else "not ok", name))
    if not ok:
        print("#   %s" % str(diag)[:600])
def addr(ep):
    return ep.rsplit(":", 1)[0].strip("[]")
want = {}
for c in cli:
    t = want.setdefault(addr(c["client"]), dict(flows=0, up_bytes=0,
                                                down_bytes=0))
    t["flows"] += 1
    t["up_bytes"] += c["sent"]
    t["down_bytes"] += c["received"]
# The last totals are the final ones (SIGUSR1 printed a first set).
got = {}
for r in out:
    if r.get("type") == "subscriber":
        got[r["subscriber"]] = r
tap(sorted(got) == sorted(want), "one account per subscriber",
    (sorted(got), sorted(want)))
for who, w in sorted(want.items()):
    g = got.get(who, {})
    ok = all(g.get(k) == v for k, v in w.items()) and \
        g.get("charged_bytes") == w["up_bytes"] + w["down_bytes"] and \
        g.get("abuse_bytes") == 0 and g.get("gap_bytes") == 0
    tap(ok, "%s charged %d up + %d down: what the endpoints sent" % (
        who, w["up_bytes"], w["down_bytes"]), (g, w))
flows = {r["client"]: r for r in out if r.get("type") == "flow"}
for c in cli:
    f = flows.get(c["client"], {})
    tap(f.get("up_bytes") == c["sent"] and
        f.get("down_bytes") == c["received"] and
        f.get("end") == ("rst" if c["close"] == "rst" else "fin"),
        "flow %s (%s): %d up, %d down" % (c["client"], c["close"],
                                          c["sent"], c["received"]), f)
tap(not [r for r in out if r.get("type") == "abuse"], "no abuse reported")
sys.exit(1 if failed else 0)
PY
exit $FAILED
