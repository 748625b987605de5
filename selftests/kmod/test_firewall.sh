#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# firewall live, on a router between two namespaces:
#
#   client ns (fw-c) c0 ---- r0 router ns (fw-r) r1 ---- s0 server ns (fw-s)
#                               mos.ko, firewall -v -j RULES
#
# Echo servers on ports 7001-7003 (IPv4 and IPv6). The rules drop IPv4
# port 7002 and IPv6 port 7003 and accept port 7001; port 7004 matches no
# rule. The clients connect, wait a second (the verdict is in place),
# send and wait 5 s for the echo. Checked: the dropped connections stall,
# the accepted and unmatched ones complete; the kernel counted dropped
# packets; SIGUSR1 prints the counters live; after SIGTERM the firewall
# exits 0 with one hit per rule and a verdict per connection the SYN
# filter let through (not the unmatched one).
. "$(dirname "$0")/lib.sh"
FIREWALL=${FIREWALL:-$BUILD/bin/firewall}

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
router_topology fw

cat >"$WORK/rules" <<'RULES'
# firewall live test
drop to 10.89.2.2 port 7002
drop to fd00:89:2::/64 port 7003
accept any port 7001
RULES
ip netns exec fw-r "$FIREWALL" -v -j "$WORK/rules" >"$WORK/fw.out" \
	2>"$WORK/fw.err" &
FW_PID=$!
for _ in $(seq 100); do
	grep -q '/dev/mos' "/proc/$FW_PID/maps" 2>/dev/null && break
	sleep 0.1
done
check "firewall attached to /dev/mos" grep -q '/dev/mos' "/proc/$FW_PID/maps"
sleep 0.3	# its MONITOR_SET follows the mmaps

ip netns exec fw-s python3 - >"$WORK/srv.out" 2>&1 <<'PY' &
import socket, threading
def serve(ls):
    while True:
        s, _ = ls.accept()
        d = s.recv(65536)
        s.sendall(d)
        s.close()
for fam, addr, port in ((socket.AF_INET, "10.89.2.2", 7001),
                        (socket.AF_INET, "10.89.2.2", 7002),
                        (socket.AF_INET6, "fd00:89:2::2", 7003),
                        (socket.AF_INET, "10.89.2.2", 7004)):
    ls = socket.create_server((addr, port), family=fam)
    threading.Thread(target=serve, args=(ls,), daemon=True).start()
threading.Event().wait()
PY
SRV_PID=$!
wait_port fw-s 7001
wait_port fw-s 7004

# try ADDR PORT: "completed", "stalled" or "error ..." with the local port.
try() {
	ip netns exec fw-c python3 - "$1" "$2" <<'PY'
import socket, sys, time
addr, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
s.settimeout(5)
what = "completed"
try:
    s.connect((addr, port))
    time.sleep(1)
    s.sendall(b"x" * 1000)
    if len(s.recv(2000)) != 1000:
        what = "short"
except socket.timeout:
    what = "stalled"
except OSError as e:
    what = "error %s" % e
print(what, s.getsockname()[1])
PY
}
r1=$(try 10.89.2.2 7001)
r2=$(try 10.89.2.2 7002)
r3=$(try fd00:89:2::2 7003)
r4=$(try 10.89.2.2 7004)
check "accepted connection (port 7001) completes: $r1" test "${r1% *}" = completed
check "dropped connection (port 7002) stalls: $r2" test "${r2% *}" = stalled
check "dropped IPv6 connection (port 7003) stalls: $r3" test "${r3% *}" = stalled
check "unmatched connection (port 7004) completes: $r4" test "${r4% *}" = completed
dropped=$(stat_of fw-r dropped)
check "the kernel dropped packets ($dropped)" test "$dropped" -gt 0
kill -USR1 "$FW_PID"
sleep 1
check "SIGUSR1: counters printed live" grep -q '"type":"rule"' "$WORK/fw.out"
kill -TERM "$FW_PID"
stop_within "$FW_PID" 20
wait "$FW_PID"
rc=$?
kill "$SRV_PID"
check "firewall exits 0 after SIGTERM (status $rc)" test "$rc" -eq 0
check "firewall printed nothing on stderr" test ! -s "$WORK/fw.err"
sed 's/^/# firewall: /' "$WORK/fw.err" | head -n 5

python3 - "$WORK/fw.out" "${r1#* }" "${r2#* }" "${r3#* }" <<'PY' || FAILED=1
import json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
p1, p2, p3 = sys.argv[2:5]
failed = 0
def tap(ok, name, diag=""):
    global failed
    failed += not ok
    print("%s - %s" % ("ok" if ok else "not ok", name))
    if not ok:
        print("#   %s" % str(diag)[:600])
conns = sorted((r["client"], r["server"], r["rule"], r["action"])
               for r in out if r.get("type") == "conn")
want = sorted([("10.89.1.1:" + p1, "10.89.2.2:7001", 3, "accept"),
               ("10.89.1.1:" + p2, "10.89.2.2:7002", 1, "drop"),
               ("[fd00:89:1::1]:" + p3, "[fd00:89:2::2]:7003", 2, "drop")])
tap(conns == want, "one verdict per connection the SYN filter passed",
    (conns, want))
rules = [r for r in out if r.get("type") == "rule"][-3:]
tap([r["hits"] for r in rules] == [1, 1, 1], "one hit per rule", rules)
tot = [r for r in out if r.get("type") == "totals"][-1:]
tap(tot and tot[0]["connections"] == 3 and tot[0]["dropped"] == 2 and
    tot[0]["accepted"] == 1 and tot[0]["errors"] == 0,
    "totals: 3 connections, 2 dropped, 1 accepted, no error", tot)
sys.exit(1 if failed else 0)
PY
exit $FAILED
