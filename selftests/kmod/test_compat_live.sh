#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mos-timeout: 300
# An mOS monitor ported with a recompile (selftests/compat/pktprint.c,
# mOS's API only, linked with libmos-compat) runs live without
# MOS_READ_FILE: in a router namespace (cp-c -- cp-r -- cp-s) it rebuilds
# both streams of real connections with mtcp_peek(); their lengths and
# hashes equal what the endpoints sent, and SIGTERM stops it cleanly.
. "$(dirname "$0")/lib.sh"
# shellcheck source=flow_lib.sh
. "$(dirname "$0")/flow_lib.sh"

PKTPRINT=$BUILD/tests/compat_pktprint
mos_load
router_topology cp
S=10.89.2.2
ip netns exec cp-s "${PEER[@]}" server "$S" 9000 >/dev/null 2>&1 &
wait_port cp-s 9000

cat >"$WORK/mos.conf" <<'EOF'
# mOS's configuration syntax; the keys mos has no use for are ignored.
mos {
	forward = 1
	max_concurrency = 10000
	rmem_size = 65536
	netdev {
		dpdk0 0x00FF
	}
}
EOF
unset MOS_READ_FILE
ip netns exec cp-r "$PKTPRINT" -f "$WORK/mos.conf" >"$WORK/out" \
	2>"$WORK/err" &
MON=$!
# Attached once it holds /dev/mos open.
# shellcheck disable=SC2317 # called through check
attached() {
	local fd
	for _ in $(seq 100); do
		for fd in "/proc/$MON/fd/"*; do
			[ "$(readlink "$fd")" = /dev/mos ] && return 0
		done
		sleep 0.1
	done
	return 1
}
check "the ported monitor attached live" attached || cat "$WORK/err"

ports=()
for i in 1 2 3; do
	ip netns exec cp-c "${PEER[@]}" client "$S" 9000 --interval 0.02 \
		>"$WORK/c$i" &
	CPID=$!
	check "client $i connected" wait_for "$WORK/c$i" '"connected"'
	ports+=("$(sed -n 's/.*"port": \([0-9]*\).*/\1/p' "$WORK/c$i")")
	sleep 0.$((i * 3))
	kill "$CPID"
	wait "$CPID" 2>/dev/null
done
sleep 1
kill -TERM "$MON"
check "SIGTERM stops it cleanly" wait "$MON"

python3 - "$WORK/out" "${ports[@]}" >"$WORK/tap" <<'EOF'
import re, sys

def fnv1a(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return h

ends = {}
for line in open(sys.argv[1]):
    m = re.match(r"end cli=([\d.]+):(\d+) svr=([\d.]+):(\d+) c2s=(\d+) "
                 r"fnv=([0-9a-f]+) s2c=(\d+) fnv=([0-9a-f]+)", line)
    if m:
        ends[int(m.group(2))] = m
for port in map(int, sys.argv[2:]):
    m = ends.get(port)
    if not m:
        print("not ok - connection from port %d reported" % port)
        continue
    c2s, s2c = int(m.group(5)), int(m.group(7))
    # The client sends 100-byte pings of "p"; the server echoes them.
    want = fnv1a(b"p" * c2s)
    ok = (m.group(3) == "10.89.2.2" and m.group(4) == "9000" and c2s > 0
          and c2s % 100 == 0 and s2c == c2s and
          int(m.group(6), 16) == want and int(m.group(8), 16) == want)
    print("%s - port %d: %d bytes each way, rebuilt with mtcp_peek, equal "
          "to what was sent" % ("ok" if ok else "not ok", port, c2s))
EOF
cat "$WORK/tap"
if grep -q '^not ok' "$WORK/tap" || ! grep -q '^ok' "$WORK/tap"; then
	FAILED=1
fi
exit $FAILED
