#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# midstat live, on a router between two namespaces:
#
#   client ns (ms-c) c0 ---- r0 router ns (ms-r) r1 ---- s0 server ns (ms-s)
#                               mos.ko, midstat -j -i 0.5
#
# An IPv4 exchange (exchange.py: 30000 bytes up, 20000 down, closed) and
# an IPv6 connection held open (3000 up, 4000 down). Checked: the live
# tables show the open connection with both endpoints established and its
# exact bytes, the closed one with end fin and its exact bytes; after
# SIGTERM, midstat exits 0 and its final table ends the open connection
# with eof.
. "$(dirname "$0")/lib.sh"
MIDSTAT=${MIDSTAT:-$BUILD/bin/midstat}

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

# wait_file FILE SECONDS: until FILE is not empty.
wait_file() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

mos_load
router_topology ms

ip netns exec ms-r "$MIDSTAT" -j -i 0.5 >"$WORK/midstat.out" \
	2>"$WORK/midstat.err" &
MS_PID=$!
for _ in $(seq 100); do
	grep -q '/dev/mos' "/proc/$MS_PID/maps" 2>/dev/null && break
	sleep 0.1
done
check "midstat attached to /dev/mos" grep -q '/dev/mos' "/proc/$MS_PID/maps"
sleep 0.3	# its MONITOR_SET follows the mmaps

# The held connection: 3000 bytes up, 4000 down, open until "release".
ip netns exec ms-s python3 - >"$WORK/hold-srv.out" 2>&1 <<'PY' &
import socket
ls = socket.create_server(("fd00:89:2::2", 7002), family=socket.AF_INET6)
s, _ = ls.accept()
n = 0
while n < 3000:
    n += len(s.recv(65536))
s.sendall(b"s" * 4000)
while s.recv(65536):
    pass
s.close()
PY
SRV2_PID=$!
ip netns exec ms-s "${EXCHANGE[@]}" server 10.89.2.2 7001 --reply 20000 \
	>"$WORK/srv.json" 2>&1 &
SRV_PID=$!
wait_port ms-s 7001
wait_port ms-s 7002
ip netns exec ms-c "${EXCHANGE[@]}" client 10.89.2.2 7001 --send 30000 \
	--reply 20000 >"$WORK/cli.json" 2>&1
check "the IPv4 exchange completed" grep -q '"received": 20000' "$WORK/cli.json"
wait "$SRV_PID"
ip netns exec ms-c python3 - "$WORK" >"$WORK/hold.out" 2>&1 <<'PY' &
import os, socket, sys, time
s = socket.create_connection(("fd00:89:2::2", 7002))
s.sendall(b"c" * 3000)
n = 0
while n < 4000:
    n += len(s.recv(65536))
print("[%s]:%d" % s.getsockname()[:2], flush=True)
while not os.path.exists(os.path.join(sys.argv[1], "release")):
    time.sleep(0.1)
s.close()
PY
HOLD_PID=$!
wait_file "$WORK/hold.out" 30
check "the IPv6 connection is open" test -s "$WORK/hold.out"
sleep 2		# a few tables, the last ACKs
kill -TERM "$MS_PID"
stop_within "$MS_PID" 20
wait "$MS_PID"
rc=$?
touch "$WORK/release"
stop_within "$HOLD_PID" 20
stop_within "$SRV2_PID" 20
check "midstat exits 0 after SIGTERM (status $rc)" test "$rc" -eq 0
check "midstat printed nothing on stderr" test ! -s "$WORK/midstat.err"
sed 's/^/# midstat: /' "$WORK/midstat.err" | head -n 5

python3 - "$WORK/midstat.out" "$WORK/hold.out" <<'PY' || FAILED=1
import json, sys
rows, tables = [], []
for line in open(sys.argv[1]):
    r = json.loads(line)
    (tables if "connections" in r else rows).append(r)
hold = open(sys.argv[2]).read().strip()
failed = 0
def tap(ok, name, diag=""):
    global failed
    failed += not ok
    print("%s - %s" % ("ok" if ok else "not ok", name))
    if not ok:
        print("#   %s" % str(diag)[:600])
live = [t for t in tables if not t["final"]]
tap(len(live) >= 2 and [t["table"] for t in tables] ==
    list(range(len(tables))) and tables[-1]["final"],
    "%d live tables, then the final one" % len(live), tables)
want = {"proto": "tcp6", "server": "[fd00:89:2::2]:7002",
        "client_state": "established", "server_state": "established",
        "c2s_bytes": 3000, "s2c_bytes": 4000, "end": None}
seen = [r for r in rows if r["client"] == hold and not r["final"]]
tap(any(all(r.get(k) == v for k, v in want.items()) for r in seen),
    "a live table shows the open IPv6 connection established both ways "
    "with 3000/4000 bytes", seen[-1:])
done = [r for r in rows if r["server"] == "10.89.2.2:7001"]
tap(any(r["end"] == "fin" and r["c2s_bytes"] == 30000 and
        r["s2c_bytes"] == 20000 and r["client"].startswith("10.89.1.1:")
        for r in done), "a table shows the closed IPv4 connection: end fin, "
    "30000/20000 bytes", done[-1:])
fin = [r for r in rows if r["final"] and r["client"] == hold]
tap(len(fin) == 1 and fin[0]["end"] == "eof" and
    fin[0]["c2s_bytes"] == 3000 and fin[0]["s2c_bytes"] == 4000,
    "the final table ends the open connection with eof", fin)
sys.exit(1 if failed else 0)
PY
exit $FAILED
