#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# flowdump live, on a router between two namespaces, against the bytes the
# endpoints really sent:
#
#   client ns (lf-c) c0 ---- r0 router ns (lf-r) r1 ---- s0 server ns (lf-s)
#                               mos.ko, flowdump -o DIR
#
# Seeded random bytes both ways (exchange.py --save), IPv4 and IPv6, every
# close mode, some connections in parallel; a second round through netem
# (delay, jitter, loss, reordering, duplication) on the router's egress,
# fewer and smaller connections: the guest may be emulated (TCG).
# mos-timeout: 600
# One more connection stays open while flowdump is stopped with SIGTERM.
# mos-bench runs live beside it (a second consumer of the namespace).
# Checked: flowdump exits 0; one flows.jsonl record per connection; each
# direction's file equals what its endpoint sent, no gap; end = rst for
# the aborted connections, fin for the others, eof for the open one (its
# bytes so far in its file); mos-bench saw every connection and byte.
# With MOS_DELIVER_ON_ARRIVAL=1 (test_live_arrival.sh) the router's
# namespace delivers bytes on arrival, straight from the skbs: the same
# checks hold.
. "$(dirname "$0")/lib.sh"
FLOWDUMP=$BUILD/bin/flowdump
MOSBENCH=$BUILD/bin/mos-bench
SENT=$WORK/sent
OUT=$WORK/out
mkdir -p "$SENT"

# The endpoints: one process per namespace (Python starts slowly in an
# emulated guest), a thread per connection, exchange.py's own functions
# (seeded bytes, close modes, --save files, JSON reports).
cat >"$WORK/driver.py" <<'PY'
import argparse, json, os, random, socket, sys, threading, time
sys.path.insert(0, sys.argv[1])
import exchange

MODES = ["half", "client", "server", "both", "rst"]
ADDR = {4: "10.89.2.2", 6: "fd00:89:2::2"}


def specs(seed):
    """Round 1: every close mode over both families, a large, a middle
    and a small connection each; round 2 (netem): fewer and smaller.
    Emulated guests move a few MB/s: at most 128 KB per direction."""
    rnd = random.Random(seed)
    out, cid = [], 0
    for rnd_no, modes, big in ((1, MODES, 131072), (2, ["half", "rst"], 65536)):
        for mode in modes:
            for fam in (4, 6):
                for size in (big, 9000, 3000):
                    cid += 1
                    out.append(dict(id=cid, round=rnd_no, mode=mode, fam=fam,
                                    send=rnd.randint(1, size),
                                    reply=rnd.randint(1, size),
                                    port=7000 + cid))
    return out


def opts(sp, role):
    return argparse.Namespace(
        addr=ADDR[sp["fam"]], port=sp["port"], send=sp["send"],
        reply=sp["reply"], close=sp["mode"], expect=sp["send"],
        seed=sp["id"] * 7919 + (role == "client"), save=SAVE, count=1)


def server(sp):
    fam = socket.AF_INET6 if sp["fam"] == 6 else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((ADDR[sp["fam"]], sp["port"]))
    ls.listen(4)
    def run():
        s, _ = ls.accept()
        exchange.serve_one(s, opts(sp, "server"), 0)
    t = threading.Thread(target=run)
    t.start()
    return t


def hold_server():
    ls = socket.create_server((ADDR[4], 7999))
    def run():
        s, _ = ls.accept()
        while s.recv(65536):
            pass
        s.sendall(b"x")
        s.close()
    t = threading.Thread(target=run)
    t.start()
    return t


def client_round(all_specs, rnd_no):
    """Per mode and family, its three connections at once."""
    ok = True
    group = {}
    for sp in all_specs:
        if sp["round"] == rnd_no:
            group.setdefault((sp["mode"], sp["fam"]), []).append(sp)
    for g in group.values():
        res = {}
        def one(sp):
            try:
                exchange.client(opts(sp, "client"))
                res[sp["id"]] = True
            except OSError as e:
                print("# connection %d: %s" % (sp["id"], e), file=sys.stderr)
        ts = [threading.Thread(target=one, args=(sp,)) for sp in g]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        ok = ok and len(res) == len(g)
    return ok


def wait_file(path):
    while not os.path.exists(path):
        time.sleep(0.1)


role, WORK, SAVE = sys.argv[2], sys.argv[3], sys.argv[4]
sp_all = specs(4343)
if role == "server":
    ts = [server(sp) for sp in sp_all] + [hold_server()]
    open(os.path.join(WORK, "listening"), "w").close()
    for t in ts:
        t.join()
    sys.exit(0)
wait_file(os.path.join(WORK, "listening"))
ok = client_round(sp_all, 1)
with open(os.path.join(WORK, "round1"), "w") as f:
    f.write("ok\n" if ok else "failed\n")
wait_file(os.path.join(WORK, "go2"))
ok = client_round(sp_all, 2)
with open(os.path.join(WORK, "round2"), "w") as f:
    f.write("ok\n" if ok else "failed\n")
# A connection held open while flowdump stops: 50000 bytes sent.
data = exchange.payload(4711, 50000)
s = socket.create_connection((ADDR[4], 7999))
s.sendall(data)
cli, srv = s.getsockname(), s.getpeername()
with open(os.path.join(SAVE, "hold.bin"), "wb") as f:
    f.write(data)
with open(os.path.join(WORK, "hold.json"), "w") as f:
    json.dump({"client": "%s:%d" % cli, "server": "%s:%d" % srv}, f)
wait_file(os.path.join(WORK, "release"))
s.shutdown(socket.SHUT_WR)
s.recv(10)
s.close()
PY
DRIVER=(python3 "$WORK/driver.py" "$SRC/selftests/kmod")

# wait_for FILE SECONDS: until FILE exists.
wait_for() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

mos_load
router_topology lf
if [ "${MOS_DELIVER_ON_ARRIVAL:-0}" = 1 ]; then
	check "deliver_on_arrival=1 set in the router's namespace" \
		ip netns exec lf-r "$BUILD/bin/mosctl" config set \
		deliver_on_arrival=1
	check "deliver_on_arrival reads back 1" sh -c \
		"ip netns exec lf-r '$BUILD/bin/mosctl' config |
		 grep -q '^deliver_on_arrival  *1\$'"
fi

# The same traffic, captured as it enters the router (what PRE_ROUTING
# sees), for an offline run to compare with.
ip netns exec lf-r tcpdump -i any -Q in -nn -B 262144 -w "$WORK/router.pcap" \
	tcp 2>"$WORK/tcpdump.log" &
TD_PID=$!
for _ in $(seq 100); do
	grep -q 'listening on' "$WORK/tcpdump.log" 2>/dev/null && break
	sleep 0.1
done

# flowdump in the router's namespace; attached once /dev/mos is mapped.
ip netns exec lf-r "$FLOWDUMP" -o "$OUT" >"$WORK/flowdump.out" 2>&1 &
FD_PID=$!
for _ in $(seq 100); do
	grep -q '/dev/mos' "/proc/$FD_PID/maps" 2>/dev/null && break
	sleep 0.1
done
check "flowdump attached to /dev/mos" grep -q '/dev/mos' "/proc/$FD_PID/maps"
ip netns exec lf-r "$MOSBENCH" >"$WORK/bench.out" 2>&1 &
MB_PID=$!
for _ in $(seq 100); do
	grep -q '/dev/mos' "/proc/$MB_PID/maps" 2>/dev/null && break
	sleep 0.1
done
check "mos-bench attached to /dev/mos" grep -q '/dev/mos' "/proc/$MB_PID/maps"
sleep 0.3	# their MONITOR_SET follows the mmaps

ip netns exec lf-s "${DRIVER[@]}" server "$WORK" "$SENT" >"$SENT/srv.jsonl" \
	2>"$WORK/srv.err" &
SRV_PID=$!
ip netns exec lf-c "${DRIVER[@]}" client "$WORK" "$SENT" >"$SENT/cli.jsonl" \
	2>"$WORK/cli.err" &
CLI_PID=$!
start=$SECONDS
wait_for "$WORK/round1" 120
check "round 1 (plain): every exchange completed ($((SECONDS - start)) s)" \
	grep -qs ok "$WORK/round1"
tc -n lf-r qdisc add dev r0 root netem delay 2ms 1ms loss 2% duplicate 1% \
	reorder 20% 50% gap 5 limit 10000
tc -n lf-r qdisc add dev r1 root netem delay 2ms 1ms loss 2% duplicate 1% \
	reorder 20% 50% gap 5 limit 10000
touch "$WORK/go2"
start=$SECONDS
wait_for "$WORK/round2" 90
check "round 2 (netem): every exchange completed ($((SECONDS - start)) s)" \
	grep -qs ok "$WORK/round2"
wait_for "$WORK/hold.json" 20
check "a connection held open" test -e "$WORK/hold.json"
sed 's/^/# /' "$WORK/cli.err" "$WORK/srv.err" | head -n 10
sleep 2		# the last ACKs and retransmissions
kill -TERM "$FD_PID" "$MB_PID"
# stop_within PID SECONDS: until it exits, else say where it hangs, kill it.
stop_within() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "# $1 still running: $(tr '\0' ' ' <"/proc/$1/cmdline")," \
		"$(cat "/proc/$1/wchan" 2>/dev/null)"
	sed 's/^/#   /' "/proc/$1/stack" 2>/dev/null
	kill -KILL "$1"
	return 1
}
stop_within "$FD_PID" 20
wait "$FD_PID"
rc=$?
stop_within "$MB_PID" 20
wait "$MB_PID"
mb_rc=$?
kill -INT "$TD_PID"
wait "$TD_PID"
touch "$WORK/release"
stop_within "$CLI_PID" 20
stop_within "$SRV_PID" 20
wait "$CLI_PID" "$SRV_PID"
check "flowdump exits 0 after SIGTERM (status $rc)" test "$rc" -eq 0
check "flowdump printed nothing" test ! -s "$WORK/flowdump.out"
sed 's/^/# flowdump: /' "$WORK/flowdump.out" | head -n 5
sed 's/^/# mos-bench: /' "$WORK/bench.out"
check "mos-bench exits 0 after SIGTERM (status $mb_rc)" test "$mb_rc" -eq 0
check "mos-bench's last line: mpps=X gbps=Y bytes_per_conn=Z" \
	sh -c "tail -n 1 '$WORK/bench.out' |
	       grep -Eq '^mpps=[0-9.]+ gbps=[0-9.]+ bytes_per_conn=[1-9][0-9]*\$'"

# Bytes delivered straight from the skbs: only on arrival, and then most of
# them (those of round 1 came in order; round 2's netem reorders some).
# On the ACK, the big segments of TSO packets wait in their skbs (held)
# rather than being copied: the files above say they came out whole.
read -r direct held <<<"$(ip netns exec lf-r "$BUILD/bin/mosctl" -j stats |
	python3 -c 'import json, sys; t = json.load(sys.stdin)["total"]
print(t["direct_bytes"], t["held_bytes"])')"
payload=$(sed -n 's/.*payload_bytes=\([0-9]*\).*/\1/p' "$WORK/bench.out")
if [ "${MOS_DELIVER_ON_ARRIVAL:-0}" = 1 ]; then
	check "most bytes went from the skb straight to the rings (direct_bytes $direct of $payload)" \
		test "${direct:-0}" -gt "$((${payload:-0} / 2))"
else
	check "no byte skips the store when delivering on ACK (direct_bytes $direct)" \
		test "${direct:--1}" -eq 0
	check "big segments held in their skbs until the ACK (held_bytes $held of $payload)" \
		test "${held:-0}" -gt "$((${payload:-0} / 4))"
fi

# Offline over the router's capture: the same connections, bytes and ends.
if grep -q '^0 packets dropped by kernel' "$WORK/tcpdump.log"; then
	"$FLOWDUMP" -r "$WORK/router.pcap" -o "$WORK/offline" \
		>"$WORK/offline.out" 2>&1
	check "offline flowdump on the router's capture" test $? -eq 0
	python3 - "$OUT/flows.jsonl" "$WORK/offline/flows.jsonl" <<'PY' |
import json, sys
def load(path):
    with open(path) as f:
        return {(r["client"], r["server"]): r
                for r in (json.loads(l) for l in f if l.strip())}
live, off = load(sys.argv[1]), load(sys.argv[2])
keys = ("c2s_bytes", "s2c_bytes", "c2s_gap_bytes", "s2c_gap_bytes", "end")
bad = [(k, {f: (live[k].get(f), off.get(k, {}).get(f)) for f in keys})
       for k in live if k not in off or
       any(live[k].get(f) != off[k].get(f) for f in keys)]
bad += [(k, "only offline") for k in off if k not in live]
print("%s - live flows.jsonl agrees with the offline run on the router's"
      " capture (%d connections)" % ("not ok" if bad else "ok", len(live)))
for b in bad[:5]:
    print("#   %s" % (b,))
PY
	tee "$WORK/agree.tap" | sed -n '/^\(not \)\{0,1\}ok/p;/^#/p'
	grep -q '^ok' "$WORK/agree.tap" || FAILED=1
else
	echo "# tcpdump dropped packets ($(tail -n 1 "$WORK/tcpdump.log"));" \
		"offline comparison skipped"
fi

if ! python3 - "$SRC/selftests/offline" "$SENT" "$OUT" "$WORK" <<'PY'
import json, os, re, sys
sys.path.insert(0, sys.argv[1])
import test_crafted as tc
sent, out, work = sys.argv[2], sys.argv[3], sys.argv[4]
recs, why = tc.load_records(out)
failed = 0
def tap(ok, name, diag=""):
    global failed
    failed += not ok
    print("%s - %s" % ("ok" if ok else "not ok", name))
    if not ok and diag:
        print("#   " + str(diag)[:400])
if recs is None:
    tap(False, "flows.jsonl readable", why)
    sys.exit(1)
def rec_of(cli, srv):
    mine = [r for r in recs if tc.parse_ep(r.get("client")) == tc.parse_ep(cli)
            and tc.parse_ep(r.get("server")) == tc.parse_ep(srv)]
    return mine
def ep(text):
    a, p = tc.parse_ep(text)
    return str(a), p
def compare(name, r, d, a, b, want):
    fname = tc.file_name(ep(a), ep(b))
    got = tc.craft.read_out(out, fname)
    if not want:
        tap(got is None and r.get(d + "_file") is None,
            "%s: %s carried nothing: no file" % (name, d))
        return
    tap(got == want, "%s: %s = the %d bytes sent" % (name, d, len(want)),
        "no file %s" % fname if got is None else tc.first_diff(got, want))
def lines(name):
    with open(os.path.join(sent, name)) as f:
        return [json.loads(l) for l in f if l.startswith("{")]
srv = {(s["client"], s["server"]): s for s in lines("srv.jsonl")}
conns = 0
for c in lines("cli.jsonl"):
    s = srv.get((c["client"], c["server"]))
    conns += 1
    name = "%s %s>%s" % (c["close"], c["client"], c["server"])
    if not s:
        tap(False, "%s: the server's report" % name)
        continue
    mine = rec_of(c["client"], c["server"])
    tap(len(mine) == 1, "%s: one record" % name, "%d records" % len(mine))
    if len(mine) != 1:
        continue
    r = mine[0]
    compare(name, r, "c2s", c["client"], c["server"],
            open(os.path.join(sent, c["file"]), "rb").read())
    compare(name, r, "s2c", c["server"], c["client"],
            open(os.path.join(sent, s["file"]), "rb").read())
    tap((r.get("c2s_gap_bytes"), r.get("s2c_gap_bytes")) == (0, 0),
        "%s: no gap" % name, r)
    want = "rst" if c["close"] == "rst" else "fin"
    tap(r.get("end") == want, "%s: end = %s" % (name, want), r)
h = json.loads(open(os.path.join(work, "hold.json")).read())
mine = rec_of(h["client"], h["server"])
tap(len(mine) == 1 and mine[0].get("end") == "eof",
    "open connection ends with end = eof at SIGTERM", mine)
if len(mine) == 1:
    compare("open connection", mine[0], "c2s", h["client"], h["server"],
            open(os.path.join(sent, "hold.bin"), "rb").read())
tap(len(recs) == conns + 1,
    "%d records for %d connections" % (len(recs), conns + 1))
# mos-bench: every connection, every byte (its rings did not fill).
bench = dict(re.findall(r"(\w+)=([0-9.]+)",
                        open(os.path.join(work, "bench.out")).read()))
total = sum(c["sent"] for c in lines("cli.jsonl")) + \
    sum(s["sent"] for s in lines("srv.jsonl")) + 50000
tap(bench.get("connections") == str(conns + 1) and
    bench.get("lost_events") == "0" and
    bench.get("payload_bytes") == str(total),
    "mos-bench: %d connections, %d bytes, no loss" % (conns + 1, total),
    bench)
sys.exit(1 if failed else 0)
PY
then
	FAILED=1
fi
exit $FAILED
