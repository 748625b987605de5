#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# strsearch live, on a router between two namespaces, against the bytes
# the endpoints really sent:
#
#   client ns (ss-c) c0 ---- r0 router ns (ss-r) r1 ---- s0 server ns (ss-s)
#                               mos.ko, strsearch -F -p FILE -e PATTERN
#
# Each connection carries, both ways at once, ~100 KB of seeded bytes
# with known patterns inserted at random offsets (some only one way);
# each is written in pieces cut inside every pattern, with TCP_NODELAY
# and a pause, so the patterns straddle segments. IPv4 and IPv6; a second
# round through netem (delay, loss, reordering, duplication). strsearch is
# stopped with SIGTERM.
# Checked: strsearch exits 0, silent on stderr; its matches are exactly
# the occurrences of the patterns in what each endpoint sent (both
# directions, stream offsets of the match ends), each reported once; each
# endpoint received what the other sent.
# mos-timeout: 300
. "$(dirname "$0")/lib.sh"
STRSEARCH=$BUILD/bin/strsearch
PY=/usr/bin/python3
SENT=$WORK/sent
mkdir -p "$SENT"

# The patterns (literal, -F): ids 0..3 from the file, 4 from -e.
printf '%s\n' MOS-ALPHA-7 mos-bravo-needle C2S-ONLY-MARK S2C-ONLY-MARK \
	>"$WORK/patterns.txt"
E_PATTERN=E-OPTION-PATTERN

cat >"$WORK/driver.py" <<'PY'
import json, os, random, socket, sys, threading, time

ADDR = {4: "10.89.2.2", 6: "fd00:89:2::2"}
COMMON = [b"MOS-ALPHA-7", b"mos-bravo-needle", b"E-OPTION-PATTERN"]
ONLY = {"client": b"C2S-ONLY-MARK", "server": b"S2C-ONLY-MARK"}


def ep(addr):
    a, p = addr[:2]
    return ("[%s]:%d" if ":" in a else "%s:%d") % (a, p)


def payload(seed, role):
    """~100 KB without letters, patterns inserted; the cut points."""
    rnd = random.Random(seed)
    pats = COMMON + [ONLY[role]]
    out, cuts = bytearray(), []
    for _ in range(40):
        out += bytes(b if not (0x40 <= b < 0x80) else b ^ 0xC0
                     for b in rnd.randbytes(rnd.randint(200, 4000)))
        p = rnd.choice(pats)
        cuts.append(len(out) + rnd.randint(1, len(p) - 1))
        out += p
    return bytes(out), cuts


def send_all(s, data, cuts):
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    prev = 0
    for c in cuts + [len(data)]:
        s.sendall(data[prev:c])
        prev = c
        time.sleep(0.003)
    s.shutdown(socket.SHUT_WR)


def exchange(s, role, seed, save):
    me, peer = ep(s.getsockname()), ep(s.getpeername())
    data, cuts = payload(seed, role)
    t = threading.Thread(target=send_all, args=(s, data, cuts))
    t.start()
    got = bytearray()
    while True:
        b = s.recv(65536)
        if not b:
            break
        got += b
    t.join()
    cli = me if role == "client" else peer
    name = "%s-%s" % (role, cli.replace(":", "_"))
    with open(os.path.join(save, name + ".sent"), "wb") as f:
        f.write(data)
    with open(os.path.join(save, name + ".rcvd"), "wb") as f:
        f.write(got)
    s.close()
    return cli, peer if role == "client" else me


role, work, save, rnd_no = sys.argv[1:5]
fams = (4, 6)
if role == "server":
    ths = []
    for fam in fams:
        ls = socket.socket(socket.AF_INET6 if fam == 6 else socket.AF_INET)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((ADDR[fam], 9000))
        ls.listen(4)
        def serve(ls=ls, fam=fam):
            s, _ = ls.accept()
            exchange(s, "server", 100 * int(rnd_no) + fam + 50, save)
        ths.append(threading.Thread(target=serve))
        ths[-1].start()
    open(os.path.join(work, "listening" + rnd_no), "w").close()
    for t in ths:
        t.join()
    sys.exit(0)
conns = []
def client(fam):
    s = socket.create_connection((ADDR[fam], 9000))
    conns.append(exchange(s, "client", 100 * int(rnd_no) + fam, save))
ths = [threading.Thread(target=client, args=(f,)) for f in fams]
for t in ths:
    t.start()
for t in ths:
    t.join()
with open(os.path.join(work, "conns.jsonl"), "a") as f:
    for c in conns:
        f.write(json.dumps(c) + "\n")
print("round %s: %d connections" % (rnd_no, len(conns)))
PY

wait_for() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

stop_within() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "# $1 still running; killed"
	kill -KILL "$1"
	return 1
}

# round N: a server and a client, one connection per family.
round() {
	local srv
	ip netns exec ss-s "$PY" "$WORK/driver.py" server "$WORK" "$SENT" "$1" \
		2>"$WORK/srv$1.err" &
	srv=$!
	wait_for "$WORK/listening$1" 60
	timeout 120 ip netns exec ss-c "$PY" "$WORK/driver.py" client \
		"$WORK" "$SENT" "$1" >"$WORK/cli$1.out" 2>"$WORK/cli$1.err"
	stop_within "$srv" 20
	wait "$srv"
	check "round $1: both connections completed" \
		grep -q "^round $1: 2 connections" "$WORK/cli$1.out"
	sed 's/^/# /' "$WORK/cli$1.err" "$WORK/srv$1.err" | head -n 5
}

mos_load
router_topology ss

ip netns exec ss-r "$STRSEARCH" -F -p "$WORK/patterns.txt" -e "$E_PATTERN" \
	>"$WORK/matches.jsonl" 2>"$WORK/strsearch.err" &
SS_PID=$!
for _ in $(seq 100); do
	grep -q '/dev/mos' "/proc/$SS_PID/maps" 2>/dev/null && break
	sleep 0.1
done
check "strsearch attached to /dev/mos" grep -q '/dev/mos' "/proc/$SS_PID/maps"
sleep 0.3	# its MONITOR_SET follows the mmap

round 1
tc -n ss-r qdisc add dev r0 root netem delay 2ms 1ms loss 2% duplicate 1% \
	reorder 20% 50% gap 5 limit 10000
tc -n ss-r qdisc add dev r1 root netem delay 2ms 1ms loss 2% duplicate 1% \
	reorder 20% 50% gap 5 limit 10000
round 2
sleep 2		# the last ACKs and retransmissions
kill -TERM "$SS_PID"
stop_within "$SS_PID" 20
wait "$SS_PID"
rc=$?
check "strsearch exits 0 after SIGTERM (status $rc)" test "$rc" -eq 0
check "strsearch silent on stderr" test ! -s "$WORK/strsearch.err"
sed 's/^/# strsearch: /' "$WORK/strsearch.err" | head -n 5

if ! "$PY" - "$WORK" "$SENT" "$WORK/patterns.txt" "$E_PATTERN" <<'PY'
import json, os, sys
work, sent, pfile, epat = sys.argv[1:5]
pats = [l.rstrip(b"\n") for l in open(pfile, "rb") if l.strip()]
pats.append(epat.encode())
failed = 0


def tap(ok, name, diag=""):
    global failed
    failed += not ok
    print("%s - %s" % ("ok" if ok else "not ok", name))
    if not ok and diag:
        for line in str(diag).splitlines()[:10]:
            print("#   " + line)


def read(name):
    with open(os.path.join(sent, name), "rb") as f:
        return f.read()


def matches(data, key, d):
    out = set()
    for pid, p in enumerate(pats):
        i = data.find(p)
        while i >= 0:
            out.add((key[0], key[1], d, pid, i + len(p)))
            i = data.find(p, i + 1)
    return out


try:
    got = [json.loads(l) for l in open(os.path.join(work, "matches.jsonl"))
           if l.strip()]
except ValueError as e:
    tap(False, "strsearch's lines are JSON", e)
    sys.exit(1)
conns = [json.loads(l) for l in open(os.path.join(work, "conns.jsonl"))]
tap(len(conns) == 4, "4 connections exchanged", conns)
want = set()
for cli, srv in conns:
    name = cli.replace(":", "_")
    c2s, s2c = read("client-%s.sent" % name), read("server-%s.sent" % name)
    tap(read("server-%s.rcvd" % name) == c2s and
        read("client-%s.rcvd" % name) == s2c,
        "%s: each endpoint received what the other sent" % cli)
    w = matches(c2s, (cli, srv), "c2s") | matches(s2c, (cli, srv), "s2c")
    g = [(r["client"], r["server"], r["dir"], r["id"], r["end"])
         for r in got if r.get("client") == cli]
    tap(sorted(g) == sorted(w),
        "%s: the %d matches sent (%d c2s, %d s2c), each once" % (
            cli, len(w), sum(1 for x in w if x[2] == "c2s"),
            sum(1 for x in w if x[2] == "s2c")),
        "missing %s\nextra %s\nreported %d, distinct %d" % (
            sorted(w - set(g))[:4], sorted(set(g) - w)[:4], len(g),
            len(set(g))))
    want |= w
ids = {x[3] for x in want}
tap(ids == set(range(len(pats))) and
    {(x[2], x[3]) for x in want} >= {("c2s", 2), ("s2c", 3)},
    "every pattern occurs; the one-way ones in their direction", ids)
tap(len(got) == len(want), "no match of another connection",
    len(got) - len(want))
sys.exit(1 if failed else 0)
PY
then
	FAILED=1
fi
exit $FAILED
