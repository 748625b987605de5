#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# libmos-compat: two monitors written against mOS's API only
# (selftests/compat/) are built with `pkg-config --cflags --libs
# libmos-compat` against the build tree, run offline (MOS_READ_FILE) on a
# crafted capture with an mOS-style mos.conf, and their output is checked
# against what the capture holds: bytes of each direction, packets,
# payload, addresses, TCP states, timers, the user-defined event. Also: a
# bad mos.conf is a clear error, mtcp_peek() with nothing to read returns
# -1 and does not exit. Prints TAP; exits non-zero when a check failed.
# BUILD (default build/) is the build directory to test.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build}
case $BUILD in
/*) ;;
*) BUILD=$SRC/$BUILD ;;
esac
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export PKG_CONFIG_PATH=$BUILD/lib/pkgconfig
export LD_LIBRARY_PATH=$BUILD/lib
unset MOS_READ_FILE

n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
}
# check NAME COMMAND...: one TAP line for the command's status.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
# run_mon NAME OUTFILE [ENV=VALUE...] -- ARGS...: run a monitor, bounded.
run_mon() {
	local prog=$1 out=$2
	shift 2
	env "$@" timeout -k 5 60 "$OUT/$prog" -f "$OUT/mos.conf" \
		>"$out" 2>"$out.err"
}

# ---- build -----------------------------------------------------------------
check "libmos-compat.pc in $BUILD/lib/pkgconfig" \
	pkg-config --exists libmos-compat
FLAGS=$(pkg-config --cflags --libs libmos-compat 2>/dev/null)
for p in mstat pktprint; do
	# shellcheck disable=SC2086 # FLAGS is a list of words
	check "$p builds with pkg-config --cflags --libs libmos-compat" \
		cc -Wall -Wextra -Wno-unused-parameter -Werror \
		-o "$OUT/$p" "$SRC/selftests/compat/$p.c" $FLAGS
done

# ---- inputs ----------------------------------------------------------------
check "crafted capture" /usr/bin/python3 "$SRC/selftests/compat/mkcaps.py" "$OUT"
cat >"$OUT/mos.conf" <<'CONF'
############### MOS configuration file ###############
mos {
	forward = 1
	nb_mem_channels = 4
	netdev {
		dpdk0 0x00FF
	}
	stat_print = dpdk0
	mos_log = logs/
	arp_table {
	}
	route_table {
	}
	nic_forward_table {
	}
	max_concurrency = 10000   # connections
	rmem_size = 65536
	wmem_size = 8192
	tcp_tw_interval = 0
	tcp_timeout = 30
	some_future_key = 1
}
CONF

# ---- pktprint: streams, packets, buffer info, UDE, timers -----------------
run_mon pktprint "$OUT/pkt.out" MOS_READ_FILE="$OUT/two.pcap"
check "pktprint runs offline on MOS_READ_FILE (exit 0)" test $? -eq 0
# compare KIND FILE: one "PASS name"/"FAIL name: why" line per check.
compare() {
	# A crash of the comparison is a failure, not fewer checks.
	/usr/bin/python3 - "$1" "$2" "$OUT/expected.json" <<'PY' || echo "FAIL $1: the comparison failed"
import json, re, sys
kind, path, exp_path = sys.argv[1:]
expected = json.load(open(exp_path))
lines = open(path).read().splitlines()

def fields(line):
    return dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)

def report(name, good, why=""):
    print(("PASS %s" % name) if good else ("FAIL %s: %s" % (name, why)))

ends = [fields(l) for l in lines if l.startswith("end ")]
for e in expected:
    tag = "%s -> %s" % (e["cli"], e["srv"])
    got = [f for f in ends if f.get("cli") == e["cli"] and f.get("svr") == e["srv"]]
    report("%s: %s one end line with its addresses" % (kind, tag), len(got) == 1,
           "%d lines" % len(got))
    if len(got) != 1:
        continue
    g = got[0]
    if kind == "pktprint":
        want = {"c2s": str(e["c2s"]), "s2c": str(e["s2c"]),
                "pkts": str(e["pkts"]), "bad": "0",
                "pay_c2s": str(e["pay"]["c"]), "pay_s2c": str(e["pay"]["s"]),
                "info_c2s": str(e["c2s"]), "info_s2c": str(e["s2c"]),
                "frag": "0", "missed": "0",
                "http": "1" if e["http"] else "0", "timers": str(e["timers"])}
        fnvs = re.findall(r"fnv=([0-9a-f]+)", [l for l in lines
                          if l.startswith("end cli=%s " % e["cli"])][0])
        report("%s: %s bytes of both directions (mtcp_peek)" % (kind, tag),
               g["c2s"] == want["c2s"] and g["s2c"] == want["s2c"] and
               fnvs == [e["c2s_fnv"], e["s2c_fnv"]],
               "got %s/%s %s" % (g["c2s"], g["s2c"], fnvs))
        for k in ("pkts", "bad", "pay_c2s", "pay_s2c", "info_c2s",
                  "info_s2c", "frag", "missed", "http", "timers"):
            report("%s: %s %s=%s" % (kind, tag, k, want[k]), g.get(k) == want[k],
                   "got %s" % g.get(k))
    elif "cli_state" in e:
        report("%s: %s final states %s/%s (MOS_TCP_STATE_*)" % (kind, tag,
               e["cli_state"], e["svr_state"]),
               g.get("cli_state") == e["cli_state"] and
               g.get("svr_state") == e["svr_state"],
               "got %s/%s" % (g.get("cli_state"), g.get("svr_state")))
if kind == "mstat":
    starts = [fields(l) for l in lines if l.startswith("start ")]
    report("mstat: start lines (mtcp_getpeername MOS_SIDE_BOTH)",
           sorted((s.get("cli"), s.get("svr")) for s in starts) ==
           sorted((e["cli"], e["srv"]) for e in expected), str(starts))
    report("mstat: every callback ran on context 0",
           all(s.get("cpu") == "0" for s in starts), str(starts))
    a = expected[0]
    report("mstat: the 1 s timer shows %s open while it idles" % a["cli"],
           any(l.startswith("tick cpu=0 cli=%s ESTABLISHED" % a["cli"])
               for l in lines), "no tick line")
if kind == "pktprint":
    empty = [l for l in lines if l.startswith("peek-empty ")]
    report("pktprint: mtcp_peek with no data returns -1, errno EAGAIN",
           len(empty) == len(expected) and
           all(l == "peek-empty rc=-1 errno=11" for l in empty), str(empty))
PY
}
tap_from() {
	local line
	while IFS= read -r line; do
		case $line in
		PASS\ *) ok "${line#PASS }" ;;
		FAIL\ *) not_ok "${line#FAIL }" ;;
		esac
	done
}
tap_from < <(compare pktprint "$OUT/pkt.out")

# ---- mstat: addresses, states, periodic timer, secondary contexts --------
run_mon mstat "$OUT/mstat.out" MOS_READ_FILE="$OUT/two.pcap"
check "mstat runs offline with 2 contexts (exit 0)" test $? -eq 0
tap_from < <(compare mstat "$OUT/mstat.out")

# ---- errors ----------------------------------------------------------------
# bad_conf NAME CONTENT EXPECTED-TEXT
bad_conf() {
	printf '%s\n' "$2" >"$OUT/mos.conf"
	run_mon pktprint "$OUT/bad.out" MOS_READ_FILE="$OUT/two.pcap"
	local rc=$?
	if [ $rc -eq 1 ] && grep -q "Failed to initialize mtcp.*$3" \
		"$OUT/bad.out.err"; then
		ok "$1: mtcp_init fails with '$3'"
	else
		not_ok "$1: mtcp_init fails with '$3' (exit $rc: $(cat "$OUT/bad.out.err"))"
	fi
}
bad_conf "unbalanced braces" 'mos {
	max_concurrency = 10' "Invalid argument"
bad_conf "value not a number" 'mos {
	max_concurrency = many
}' "Invalid argument"
bad_conf "bare word in the mos block" 'mos {
	__num_memch
}' "Invalid argument"
bad_conf "no mos block" '# empty' "Invalid argument"
rm -f "$OUT/mos.conf"
run_mon pktprint "$OUT/bad.out" MOS_READ_FILE="$OUT/two.pcap"
if grep -q "No such file or directory" "$OUT/bad.out.err"; then
	ok "missing mos.conf: mtcp_init fails with ENOENT"
else
	not_ok "missing mos.conf: mtcp_init fails with ENOENT"
fi
printf 'mos {\n}\n' >"$OUT/mos.conf"
run_mon pktprint "$OUT/bad.out" MOS_READ_FILE="$OUT/none.pcap"
if grep -q "create mtcp context: No such file or directory" \
	"$OUT/bad.out.err"; then
	ok "unreadable MOS_READ_FILE: mtcp_create_context fails with ENOENT"
else
	not_ok "unreadable MOS_READ_FILE: mtcp_create_context fails with ENOENT"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
