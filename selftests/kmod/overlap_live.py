#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Overlapping segments through the kernel engine, under every policy.

    overlap_live.py BUILD WORK IFACE NETNS

Runs in the guest's root namespace, as root. IFACE is a veth whose peer is
in NETNS, where mos.ko tracks. For each overlap shape of the offline
crafted tests (selftests/offline/craft.py), a connection sends an old
segment out of order, a new one overlapping it, then the bytes before
them, and only then the receiver's ACK. Each shape is sent twice: with
its units 1 byte long, and 2 100 bytes long (4-unit segments are then
8 400 bytes, which the kernel keeps in their skbs until the ACK instead of
copying them: held segments, which a policy may have to overwrite).

For each of the nine policies: set as the namespace's default (live
flowdump takes the namespace's settings), flowdump running live in
NETNS, every frame sent from IFACE through an AF_PACKET socket (so no
host stack of ours is involved); then the client's file of each
connection must hold what the policy makes of the overlap (the same
expectation as the offline test), and flows.jsonl must agree with
flowdump -r on a capture of the same frames. Prints TAP lines.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "offline"))
import craft  # noqa: E402  (scapy is Debian's python3-scapy)
from live_inject import LiveNs  # noqa: E402
from test_crafted import Tap, file_name  # noqa: E402

SCALES = (1, 2100)
FIELDS = ("client_state", "server_state", "c2s_bytes", "s2c_bytes",
          "c2s_gap_bytes", "s2c_gap_bytes", "rexmit",
          "rexmit_inconsistent", "end")


def scaled(unit, at_data):
    at, data = at_data
    return at * unit, bytes(b for b in data for _ in range(unit))


def expect(unit, L, S, new_wins):
    """The client's stream: the overlay the policy chooses, the filler
    first, "TAIL" last (craft.overlap_expect, with units of @unit)."""
    end = max(L[0] + len(L[1]), S[0] + len(S[1]))
    first, second = (L, S) if new_wins else (S, L)
    exp = craft.overlay(end, first, second)
    exp[0:4 * unit] = b"A" * 4 * unit
    return bytes(exp) + b"TAIL"


def build(work):
    """Every shape at every scale, one connection each, in one capture."""
    cap = craft.Capture()
    conns = []
    port = 41000
    for unit in SCALES:
        for name, L, S, new in craft.OVERLAP_SHAPES:
            L2, S2 = scaled(unit, L), scaled(unit, S)
            cli = ("10.0.0.1", port)
            c = craft.Conn(cap, cli=cli, srv=craft.SRV)
            c.handshake()
            c.pkt("c", "PA", off=L2[0], data=L2[1])
            c.pkt("c", "PA", off=S2[0], data=S2[1])
            c.pkt("c", "PA", off=0, data=b"A" * 4 * unit)
            end = max(L2[0] + len(L2[1]), S2[0] + len(S2[1]))
            c.nxt["c"] = c.seq_of("c", end)
            c.ack("s")
            c.data("c", b"TAIL")
            c.fin_close("c")
            conns.append(("%s x%d" % (name, unit), cli,
                          {p: expect(unit, L2, S2, new[p])
                           for p in craft.POLICIES}))
            port += 1
    path = os.path.join(work, "overlap.pcap")
    cap.write(path)
    return cap, conns, path


def records(outdir):
    try:
        with open(os.path.join(outdir, "flows.jsonl")) as f:
            return {r["client"]: r for r in map(json.loads, f)}
    except (OSError, ValueError, KeyError):
        return {}


def main():
    build_dir, work, iface, netns = sys.argv[1:5]
    tap, live_ns = Tap(numbered=False), LiveNs(build_dir, iface, netns)
    cap, conns, path = build(work)
    for policy in craft.POLICIES:
        live_ns.flush()
        ok, text = live_ns.set_config(overlap_policy=policy)
        tap.check(ok, "%s: namespace policy set" % policy, text)
        live = os.path.join(work, "live-" + policy)
        live_ns.flowdump_around(live, cap, tap, policy)
        off = os.path.join(work, "off-" + policy)
        r = subprocess.run([live_ns.flowdump, "-r", path, "-o", off,
                            "--overlap", policy], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=120)
        tap.check(r.returncode == 0, "%s: offline flowdump" % policy,
                  r.stdout.decode(errors="replace"))
        lrecs, orecs = records(live), records(off)
        for name, cli, want in conns:
            key = "%s:%d" % cli
            got = craft.read_out(live, file_name(cli, craft.SRV))
            tap.check(got == want[policy],
                      "%s: %s: the client's bytes as the policy decides"
                      % (policy, name), "got %r, want %r"
                      % (got and got[:48], want[policy][:48]))
            lr, orr = lrecs.get(key), orecs.get(key)
            diff = [f for f in FIELDS if lr is None or orr is None or
                    lr.get(f) != orr.get(f)]
            tap.check(not diff and lr["rexmit_inconsistent"] >= 1,
                      "%s: %s: flows.jsonl as offline, inconsistent rexmit "
                      "seen" % (policy, name),
                      "live %r\noffline %r" % (lr, orr))
    held = live_ns.stat("held_bytes")
    # 9 policies x 8 shapes, each with 4-unit ranges of 8 400 bytes.
    tap.check(held is not None and held >= 9 * 8 * 8400,
              "the big segments were held in their skbs (held_bytes %s)"
              % held)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
