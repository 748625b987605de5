#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Captures for the mOS-compat monitors, with what they must report.

    mkcaps.py OUTDIR      writes OUTDIR/two.pcap and OUTDIR/expected.json

two.pcap holds two IPv4 connections one after the other:
  A  10.0.0.1:40000 -> 10.0.0.2:80    HTTP-like request, 3000-byte reply,
                                       1.5 s of silence, FIN close (client first)
  B  10.0.0.3:40001 -> 10.0.0.4:8080  500 bytes, then the server resets
expected.json gives per connection the bytes of each direction (length and
FNV-1a 64), the packets and payload each side sent, and whether the
request starts with "GET ".

Uses /usr/bin/python3 (Debian's python3-scapy); builds on craft.py.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "offline"))
import craft  # noqa: E402


def fnv1a(data):
    h = 0xcbf29ce484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


class Counting(craft.Capture):
    """Counts each connection's packets and payload per sender."""

    def __init__(self):
        super().__init__("ether")
        self.stats = {}

    def count(self, key, frm, payload):
        s = self.stats.setdefault(key, {"pkts": 0, "pay": {"c": 0, "s": 0}})
        s["pkts"] += 1
        s["pay"][frm] += payload


class Conn(craft.Conn):
    def __init__(self, cap, key, *a, **kw):
        super().__init__(cap, *a, **kw)
        self.key = key

    def pkt(self, frm, flags, **kw):
        self.cap.count(self.key, frm, len(kw.get("data", b"")))
        super().pkt(frm, flags, **kw)


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    cap = Counting()
    flows = []

    a_cli, a_srv = ("10.0.0.1", 40000), ("10.0.0.2", 80)
    a = Conn(cap, "A", a_cli, a_srv, isn_c=0xFFFFFF00, isn_s=777)
    req = b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n" + craft.rbytes(7, 300)
    resp = craft.rbytes(8, 3000)
    a.handshake()
    a.data("c", req)
    a.data("s", resp)
    cap.us += 1500000           # 1.5 s of silence: timers fire
    a.fin_close("c")
    flows.append({"cli": "%s:%d" % a_cli, "srv": "%s:%d" % a_srv,
                  "c2s": len(req), "c2s_fnv": fnv1a(req),
                  "s2c": len(resp), "s2c_fnv": fnv1a(resp), "http": True,
                  "cli_state": "TIME_WAIT", "svr_state": "CLOSED",
                  "timers": 1, **cap.stats["A"]})

    b_cli, b_srv = ("10.0.0.3", 40001), ("10.0.0.4", 8080)
    b = Conn(cap, "B", b_cli, b_srv, isn_c=123456, isn_s=654321)
    data = b"HELLO " + craft.rbytes(9, 494)
    b.handshake()
    b.data("c", data)
    b.rst("s")
    flows.append({"cli": "%s:%d" % b_cli, "srv": "%s:%d" % b_srv,
                  "c2s": len(data), "c2s_fnv": fnv1a(data),
                  "s2c": 0, "s2c_fnv": fnv1a(b""), "http": False,
                  "timers": 0, **cap.stats["B"]})

    cap.write(os.path.join(outdir, "two.pcap"))
    with open(os.path.join(outdir, "expected.json"), "w") as f:
        json.dump(flows, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
