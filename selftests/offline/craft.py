#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Crafted captures for flowdump, each with the result it must give.

Every capture is built packet by packet (scapy builds the headers, this file
writes the pcap/pcapng itself so that link type, snap length and captured
length are under our control). Next to each capture, the expected result is
written down from how the capture was built: the bytes each direction must
hold and selected flows.jsonl fields. Nothing here ever runs flowdump.

    craft.py [OUTDIR]     write every capture and OUTDIR/expected.json

test_crafted.py imports cases() and checks flowdump against them.

Uses /usr/bin/python3 because scapy is Debian's python3-scapy package.
"""
import ipaddress
import json
import os
import random
import struct
import sys

from scapy.layers.inet import IP, TCP
from scapy.layers.inet6 import IPv6, IPv6ExtHdrHopByHop
from scapy.layers.l2 import Dot1Q, Ether

LINKTYPE = {"ether": 1, "vlan": 1, "qinq": 1, "raw": 101, "sll": 113,
            "sll2": 276}
M32 = 1 << 32

CLI = ("10.0.0.1", 40000)
SRV = ("10.0.0.2", 80)


def rbytes(seed, n):
    """n seeded pseudo-random bytes, never 0, so zero-filled gaps stand out."""
    r = random.Random(seed)
    return bytes(r.randint(1, 255) for _ in range(n))


# ---------------------------------------------------------------- captures

class Capture:
    """Frames of one link type, written as pcap (or pcapng)."""

    def __init__(self, link="ether", snaplen=262144):
        self.link = link
        self.snaplen = snaplen
        self.recs = []          # (time, frame bytes, original length)
        self.us = 1700000000 * 1000000     # time, in microseconds

    def add_l3(self, l3, caplen=None, origlen=None):
        """Wrap an IP/IPv6 packet (bytes) in the capture's link layer."""
        v6 = (l3[0] >> 4) == 6
        et = 0x86DD if v6 else 0x0800
        if self.link == "ether":
            frame = bytes(Ether(src="02:00:00:00:00:01",
                                dst="02:00:00:00:00:02", type=et)) + l3
        elif self.link == "vlan":
            frame = bytes(Ether(src="02:00:00:00:00:01",
                                dst="02:00:00:00:00:02", type=0x8100)
                          / Dot1Q(vlan=42, type=et)) + l3
        elif self.link == "qinq":
            # 802.1ad outer tag (0x88a8), 802.1Q inner tag
            frame = (bytes(Ether(src="02:00:00:00:00:01",
                                 dst="02:00:00:00:00:02", type=0x88A8))
                     + struct.pack("!HH", 100, 0x8100)
                     + struct.pack("!HH", 42, et) + l3)
        elif self.link == "sll":
            # packet type 0 (to us), ARPHRD_ETHER, 6-byte address
            frame = struct.pack("!HHH8sH", 0, 1, 6, b"\x02\0\0\0\0\x01",
                                et) + l3
        elif self.link == "sll2":
            frame = struct.pack("!HHIHBB8s", et, 0, 2, 1, 0, 6,
                                b"\x02\0\0\0\0\x01") + l3
        elif self.link == "raw":
            frame = l3
        else:
            raise ValueError(self.link)
        if self.link in ("ether", "vlan", "qinq") and len(frame) < 60:
            # Real NICs pad short frames; the padding is not payload.
            frame += b"\0" * (60 - len(frame))
        self.add_frame(frame, caplen, origlen)

    def add_frame(self, frame, caplen=None, origlen=None):
        self.us += 1000
        orig = origlen if origlen is not None else len(frame)
        if caplen is not None:
            frame = frame[:caplen]
        self.recs.append((self.us, frame, orig))

    def write(self, path, fmt="pcap"):
        with open(path, "wb") as f:
            if fmt == "pcap":
                f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0,
                                    self.snaplen, LINKTYPE[self.link]))
                for us, frame, orig in self.recs:
                    f.write(struct.pack("<IIII", us // 1000000, us % 1000000,
                                        len(frame), orig))
                    f.write(frame)
            else:
                self._write_pcapng(f)

    def _write_pcapng(self, f):
        def block(btype, body):
            body += b"\0" * (-len(body) % 4)
            n = len(body) + 12
            return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
        f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        f.write(block(1, struct.pack("<HHI", LINKTYPE[self.link], 0,
                                     self.snaplen)))
        for us, frame, orig in self.recs:     # default resolution: us
            f.write(block(6, struct.pack("<IIIII", 0, us >> 32,
                                         us & 0xFFFFFFFF, len(frame), orig)
                          + frame))


# ------------------------------------------------------------- connections

def pseudo_sum(src, dst, length):
    """Folded ones' complement sum of the TCP pseudo header: what Linux
    leaves in the checksum field of a CHECKSUM_PARTIAL (offloaded) packet."""
    a, b = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if a.version == 4:
        ph = a.packed + b.packed + struct.pack("!BBH", 0, 6, length)
    else:
        ph = a.packed + b.packed + struct.pack("!I3xB", length, 6)
    s = sum(struct.unpack("!%dH" % (len(ph) // 2), ph))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


class Conn:
    """One TCP connection between client "c" and server "s".

    Keeps each side's next sequence number; data()/ack()/fin() send at it
    and ACK everything the other side sent, unless told otherwise.
    off= gives a sequence number as an offset from ISN+1 (stream offset).
    """

    def __init__(self, cap, cli=CLI, srv=SRV, isn_c=1000, isn_s=5000,
                 win=65535, hbh=False, csum="good"):
        self.cap = cap
        self.ep = {"c": cli, "s": srv}
        self.isn = {"c": isn_c % M32, "s": isn_s % M32}
        self.nxt = dict(self.isn)
        self.win = {"c": win, "s": win}
        self.hbh = hbh          # IPv6 hop-by-hop extension header
        self.csum = csum        # good | zero | partial (offloaded)

    @staticmethod
    def other(side):
        return "s" if side == "c" else "c"

    def seq_of(self, side, off):
        return (self.isn[side] + 1 + off) % M32

    def pkt(self, frm, flags, seq=None, ack=None, data=b"", win=None,
            off=None, tcp_chksum=None, ip_chksum=None, caplen=None):
        """Send one segment; returns nothing. Advances nxt[frm] only when
        neither seq nor off is given (i.e. the segment is sent 'at nxt')."""
        to = self.other(frm)
        at_nxt = seq is None and off is None
        if off is not None:
            seq = self.seq_of(frm, off)
        if seq is None:
            seq = self.nxt[frm]
        if ack is None:
            ack = self.nxt[to] if "A" in flags else 0
        (sip, sport), (dip, dport) = self.ep[frm], self.ep[to]
        tcp = TCP(sport=sport, dport=dport, flags=flags, seq=seq % M32,
                  ack=ack % M32,
                  window=self.win[frm] if win is None else win)
        if tcp_chksum is not None:
            tcp.chksum = tcp_chksum
        elif self.csum == "zero":
            tcp.chksum = 0
        elif self.csum == "partial":
            tcp.chksum = pseudo_sum(sip, dip, 20 + len(data))
        if ":" in sip:
            ip = IPv6(src=sip, dst=dip)
            if self.hbh:
                ip = ip / IPv6ExtHdrHopByHop()
        else:
            ip = IP(src=sip, dst=dip, id=len(self.cap.recs) & 0xFFFF)
            if ip_chksum is not None:
                ip.chksum = ip_chksum
        self.cap.add_l3(bytes(ip / tcp / data) if data else bytes(ip / tcp),
                        caplen=caplen)
        if at_nxt:
            n = len(data) + ("S" in flags) + ("F" in flags)
            self.nxt[frm] = (seq + n) % M32

    def handshake(self):
        self.pkt("c", "S")
        self.pkt("s", "SA")
        self.pkt("c", "A")

    def data(self, frm, data, mss=1460, ack_every=0):
        """Send data in order in mss-sized segments; the receiver ACKs every
        ack_every segments (0: once at the end)."""
        n = 0
        for i in range(0, len(data), mss):
            self.pkt(frm, "PA", data=data[i:i + mss])
            n += 1
            if ack_every and n % ack_every == 0:
                self.ack(self.other(frm))
        self.ack(self.other(frm))

    def ack(self, frm, **kw):
        self.pkt(frm, "A", **kw)

    def fin_close(self, first="c"):
        second = self.other(first)
        self.pkt(first, "FA")
        self.pkt(second, "FA")
        self.pkt(first, "A")

    def rst(self, frm, **kw):
        self.pkt(frm, "RA", **kw)


# ------------------------------------------------------------ expectations

class Flow:
    """What one flows.jsonl record and its files must say.

    c2s/s2c: the exact file content (gaps as zeros) or None for no file.
    gaps: (c2s_gap_bytes, s2c_gap_bytes). fields: exact values.
    pred: {key: (op, value)} with op one of '>', '>=', '=='.
    nth: 1 for the first connection on this 4-tuple, 2 for the second, ...
    """

    def __init__(self, cli, srv, c2s, s2c, gaps=(0, 0), fields=None,
                 pred=None, nth=1, check_bytes=True):
        self.cli, self.srv = cli, srv
        self.c2s, self.s2c = c2s, s2c
        self.gaps = gaps
        self.fields = fields or {}
        self.pred = pred or {}
        self.nth = nth
        self.check_bytes = check_bytes


class Run:
    """One flowdump run over a case's capture."""

    def __init__(self, args, flows, nflows=None, extra=None, label=""):
        self.args = args        # extra flowdump options
        self.flows = flows      # [Flow]
        self.nflows = nflows    # exact number of records, or None
        self.extra = extra      # fn(records, outdir) -> [(ok, name, diag)]
        self.label = label


class Case:
    def __init__(self, name, cap, runs, fmt="pcap", doc=""):
        self.name, self.cap, self.runs, self.fmt = name, cap, runs, fmt
        self.doc = doc

    @property
    def filename(self):
        return self.name + (".pcapng" if self.fmt == "pcapng" else ".pcap")


CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def ends(value):
    return {"end": value}


# ------------------------------------------------------------------ cases

def simple_exchange(link="ether", cli=CLI, srv=SRV, hbh=False, csum="good"):
    """Handshake, request, two-segment reply, client FIN first."""
    cap = Capture(link)
    c = Conn(cap, cli, srv, hbh=hbh, csum=csum)
    req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + rbytes(1, 273)
    resp = rbytes(2, 2000)
    c.handshake()
    c.data("c", req)
    c.data("s", resp)
    c.fin_close("c")
    return cap, req, resp


@case
def fin_close():
    cap, req, resp = simple_exchange()
    return Case("fin_close", cap, [Run([], [Flow(
        CLI, SRV, req, resp,
        fields={"end": "fin", "roles": "seen",
                # client closed first: it ends in TIME_WAIT, the server
                # got the last ACK in LAST_ACK: CLOSED.
                "client_state": "time_wait", "server_state": "closed"},
        pred={"rexmit": ("==", 0), "rexmit_inconsistent": ("==", 0)})],
        nflows=1)], doc="handshake, data both ways, FIN close")


@case
def fin_close_pcapng():
    cap, req, resp = simple_exchange()
    return Case("fin_close_pcapng", cap, [Run([], [Flow(
        CLI, SRV, req, resp, fields=ends("fin"))], nflows=1)], fmt="pcapng",
        doc="same as fin_close, written as pcapng")


@case
def rst_close():
    cap = Capture()
    c = Conn(cap)
    req, resp = rbytes(3, 500), rbytes(4, 3000)
    c.handshake()
    c.data("c", req)
    c.data("s", resp)
    c.rst("s")                  # in-window: exactly at the server's nxt
    return Case("rst_close", cap, [Run([], [Flow(
        CLI, SRV, req, resp, fields=ends("rst"))], nflows=1)],
        doc="data both ways, then the server resets")


@case
def rst_with_data():
    cap = Capture()
    c = Conn(cap)
    req, resp = rbytes(5, 300), rbytes(6, 700)
    c.handshake()
    c.data("c", req)
    c.data("s", resp)
    c.pkt("s", "RA", data=b"EVIL")  # payload on a RST is not stream data
    return Case("rst_with_data", cap, [Run([], [Flow(
        CLI, SRV, req, resp, fields=ends("rst"))], nflows=1)],
        doc="RST carrying 4 bytes of payload")


@case
def eof():
    cap = Capture()
    c = Conn(cap)
    req, resp = rbytes(7, 1000), rbytes(8, 5000)
    c.handshake()
    c.data("c", req)
    c.data("s", resp)
    c.data("c", req[:100])
    fields = {"end": "eof", "client_state": "established",
              "server_state": "established"}
    return Case("eof", cap, [Run([], [Flow(
        CLI, SRV, req + req[:100], resp, fields=fields)], nflows=1)],
        doc="capture ends mid-connection")


@case
def ooo_rexmit():
    cap = Capture()
    c = Conn(cap)
    d = rbytes(9, 5000)
    segs = [(i, d[i:i + 1000]) for i in range(0, 5000, 1000)]
    c.handshake()
    for k in (0, 2, 1, 4, 3):               # out of order
        c.pkt("c", "PA", off=segs[k][0], data=segs[k][1])
    c.pkt("c", "PA", off=segs[1][0], data=segs[1][1])    # exact duplicate
    c.nxt["c"] = c.seq_of("c", 5000)
    c.ack("s")
    c.pkt("c", "PA", off=segs[3][0], data=segs[3][1])    # after the ACK
    c.ack("s")
    resp = rbytes(10, 3000)
    c.data("s", resp)
    c.pkt("s", "PA", off=1000, data=resp[1000:2460])     # s2c duplicate
    c.ack("c")
    c.fin_close("s")
    return Case("ooo_rexmit", cap, [Run([], [Flow(
        CLI, SRV, d, resp, fields=ends("fin"),
        pred={"rexmit": (">", 0), "rexmit_inconsistent": ("==", 0)})],
        nflows=1)], doc="out-of-order segments and exact retransmissions")


@case
def rexmit_inconsistent():
    """Same sequence, different bytes, both before the ACK: the policy
    decides (first: the first copy, last: the second)."""
    cap = Capture()
    c = Conn(cap)
    c.handshake()
    c.data("c", b"HEAD")
    c.pkt("c", "PA", off=4, data=b"GOOD")
    c.pkt("c", "PA", off=4, data=b"EVIL")
    c.nxt["c"] = c.seq_of("c", 8)
    c.ack("s")
    c.data("c", b"TAIL")
    c.fin_close("c")
    p = {"rexmit_inconsistent": (">=", 1)}
    return Case("rexmit_inconsistent", cap, [
        Run([], [Flow(CLI, SRV, b"HEADGOODTAIL", None, fields=ends("fin"),
                      pred=p)], nflows=1, label="default"),
        Run(["--overlap", "first"], [Flow(CLI, SRV, b"HEADGOODTAIL", None,
                                          pred=p)], label="first"),
        Run(["--overlap", "last"], [Flow(CLI, SRV, b"HEADEVILTAIL", None,
                                         pred=p)], label="last")],
        doc="inconsistent retransmission before the ACK")


@case
def rexmit_inconsistent_acked():
    """A different copy of bytes the receiver already ACKed changes
    nothing, whatever the policy: they were delivered."""
    cap = Capture()
    c = Conn(cap)
    c.handshake()
    c.data("c", b"HEADGOOD")            # ACKed by the server
    c.pkt("c", "PA", off=4, data=b"EVIL")
    c.ack("s")
    c.data("c", b"TAIL")
    c.fin_close("c")
    # No rexmit_inconsistent expectation: once ACKed, the bytes need not
    # be kept to compare with.
    runs = [Run(["--overlap", pol], [Flow(
        CLI, SRV, b"HEADGOODTAIL", None, fields=ends("fin"),
        pred={"rexmit": (">=", 1)})], nflows=1, label=pol)
        for pol in ("first", "last", "old-linux", "solaris")]
    return Case("rexmit_inconsistent_acked", cap, runs,
                doc="inconsistent retransmission of ACKed bytes")


# Overlap matrix. Each shape: the old (first-seen) segment L and the new
# segment S, as (stream offset, bytes), both beyond a 4-byte hole that is
# filled afterwards and before the ACK, so both are held unacknowledged.
# The policy decides only the bytes where S and L overlap; new[pol] says
# whether S's bytes win there. Source: Suricata src/stream-tcp-list.c,
# DoHandleDataOverlap() (target-based policies after Novak/Sturges), with
# first = always old, last = always new.
POLICIES = ["first", "last", "bsd", "linux", "old-linux", "windows",
            "solaris", "hpux", "macos"]


def _new_for(*pols):
    return {p: (p in pols or p == "last") for p in POLICIES}


OVERLAP_SHAPES = [
    # name, L, S, policies for which S (new) wins on the overlap
    ("same_start_same_len", (4, b"GOOD"), (4, b"EVIL"),
     _new_for("old-linux", "solaris", "hpux")),
    ("same_start_new_longer", (4, b"GOOD"), (4, b"EVILXY"),
     _new_for("linux", "old-linux", "solaris", "hpux")),
    ("same_start_new_shorter", (4, b"GOODGD"), (4, b"EVIL"),
     _new_for()),
    ("new_before_ends_inside", (6, b"GOODGD"), (4, b"EVIL"),
     _new_for("bsd", "windows", "old-linux", "linux", "macos")),
    ("new_before_covers", (6, b"GOOD"), (4, b"EVILEVIL"),
     _new_for("bsd", "windows", "old-linux", "linux", "macos", "solaris",
              "hpux")),
    ("new_after_ends_beyond", (4, b"GOOD"), (6, b"EVIL"),
     _new_for("solaris", "hpux")),
    ("new_after_ends_inside", (4, b"GOODGD"), (6, b"EV"), _new_for()),
    ("new_after_same_end", (4, b"GOOD"), (6, b"EV"), _new_for()),
]


def overlay(base_len, first, second):
    """The stream when `second` wins the overlap: lay first then second."""
    buf = bytearray(base_len)
    for off, d in (first, second):
        buf[off:off + len(d)] = d
    return buf


def overlap_expect(L, S, new_wins):
    end = max(L[0] + len(L[1]), S[0] + len(S[1]))
    exp = overlay(end, L, S) if new_wins else overlay(end, S, L)
    exp[0:4] = b"AAAA"
    return bytes(exp) + b"TAIL"


def make_overlap_case(shape):
    name, L, S, new = shape
    cap = Capture()
    c = Conn(cap)
    c.handshake()
    c.pkt("c", "PA", off=L[0], data=L[1])       # old, out of order
    c.pkt("c", "PA", off=S[0], data=S[1])       # new, overlapping
    c.pkt("c", "PA", off=0, data=b"AAAA")       # fill the hole
    end = max(L[0] + len(L[1]), S[0] + len(S[1]))
    c.nxt["c"] = c.seq_of("c", end)
    c.ack("s")                                  # only now: ACK
    c.data("c", b"TAIL")
    c.fin_close("c")
    runs = []
    for pol in POLICIES:
        runs.append(Run(["--overlap", pol], [Flow(
            CLI, SRV, overlap_expect(L, S, new[pol]), None,
            fields=ends("fin"), pred={"rexmit_inconsistent": (">=", 1)})],
            nflows=1, label=pol))
    return Case("overlap_" + name, cap, runs,
                doc="overlap %s: L=%r at %d, S=%r at %d" %
                (name, L[1], L[0], S[1], S[0]))


for _shape in OVERLAP_SHAPES:
    CASES.append(lambda s=_shape: make_overlap_case(s))


@case
def gap():
    cap = Capture()
    c = Conn(cap)
    c.handshake()
    c.pkt("c", "PA", off=0, data=b"VERY")
    c.pkt("c", "PA", off=8, data=b"DATA")       # bytes 4..7 never sent
    c.nxt["c"] = c.seq_of("c", 12)
    c.ack("s")                                  # ...but ACKed
    c.data("c", b"MORE")
    c.data("s", b"OK")
    c.fin_close("c")
    return Case("gap", cap, [Run([], [Flow(
        CLI, SRV, b"VERY\0\0\0\0DATAMORE", b"OK", gaps=(4, 0),
        fields=ends("fin"))], nflows=1)], doc="4 bytes never seen, ACKed")


@case
def leading_gap():
    cap = Capture()
    c = Conn(cap)
    c.handshake()
    c.pkt("c", "PA", off=4, data=b"GOODDATA")   # starts 4 after ISN+1
    c.nxt["c"] = c.seq_of("c", 12)
    c.ack("s")
    c.fin_close("c")
    return Case("leading_gap", cap, [Run([], [Flow(
        CLI, SRV, b"\0\0\0\0GOODDATA", None, gaps=(4, 0),
        fields=ends("fin"))], nflows=1)], doc="first data 4 bytes late")


@case
def seq_wrap():
    cap = Capture()
    c = Conn(cap, isn_c=M32 - 30000, isn_s=M32 - 1000)
    up, down = rbytes(11, 100 * 1024), rbytes(12, 70 * 1024)
    c.handshake()
    c.data("c", up, ack_every=10)
    c.data("s", down, ack_every=10)
    c.fin_close("c")
    return Case("seq_wrap", cap, [Run([], [Flow(
        CLI, SRV, up, down, fields=ends("fin"))], nflows=1)],
        doc="ISNs near 2^32, >64 KiB each way across the wrap")


@case
def window():
    """Server advertises 1000 bytes. A segment entirely beyond the window
    must not become stream data (its bytes differ from what is later sent
    there legitimately); old data below the window is not counted again."""
    cap = Capture()
    c = Conn(cap)
    c.win["s"] = 1000
    d = rbytes(13, 3000)
    c.handshake()
    c.data("c", d[0:400])
    c.data("c", d[400:800])                     # server ACKs 800, window 1000
    c.pkt("c", "PA", off=2500, data=rbytes(14, 100))    # beyond 1800
    c.pkt("c", "PA", off=0, data=rbytes(15, 200))       # old, different
    c.pkt("c", "PA", off=400, data=d[400:800])          # old, same
    for a, b in ((800, 1200), (1200, 1600), (1600, 1800)):
        c.pkt("c", "PA", data=d[a:b])
    c.ack("s")                                  # 1800: window now ..2800
    c.data("c", d[1800:2200])
    c.data("c", d[2200:2600])
    c.data("c", d[2600:3000])
    c.fin_close("c")
    return Case("window", cap, [Run([], [Flow(
        CLI, SRV, d, None, fields=ends("fin"))], nflows=1)],
        doc="segment beyond the advertised window; old data below it")


@case
def rst_injection_out_of_window():
    cap = Capture()
    c = Conn(cap)
    req, resp = rbytes(16, 1000), rbytes(17, 1000)
    c.handshake()
    c.data("c", req[:500])
    c.rst("s", seq=c.nxt["s"] + 100000)         # far beyond the window
    c.rst("c", seq=c.nxt["c"] - 100000)         # far below it
    c.data("c", req[500:])
    c.data("s", resp)
    c.fin_close("c")
    return Case("rst_injection_out_of_window", cap, [Run([], [Flow(
        CLI, SRV, req, resp, fields=ends("fin"))], nflows=1)],
        doc="RSTs outside the window are ignored")


@case
def rst_injection_in_window():
    cap = Capture()
    c = Conn(cap)
    req = rbytes(18, 1000)
    c.handshake()
    c.data("c", req[:500])
    c.rst("s")                                  # exactly at rcv_nxt
    c.pkt("c", "PA", data=req[500:])            # after the end: not data
    return Case("rst_injection_in_window", cap, [Run([], [Flow(
        CLI, SRV, req[:500], None, fields=ends("rst"))])],
        doc="an in-window RST ends the connection")


@case
def syn_flood():
    """1000 half-open connections against --max-flows 100, with one real
    connection running in the middle of them. Eviction must take the
    oldest idle flows, report them as evicted, and never lose the active
    one."""
    cap = Capture()
    rnd = random.Random(19)
    ports = rnd.sample(range(1024, 65536), 1000)
    real = Conn(cap, ("10.0.0.1", 40000), SRV)
    up, down = rbytes(20, 20 * 1000), rbytes(21, 20 * 1000)
    k = 0
    for i, port in enumerate(ports):
        h = Conn(cap, ("10.0.0.3", port), SRV, isn_c=rnd.getrandbits(32),
                 isn_s=rnd.getrandbits(32))
        h.pkt("c", "S")
        h.pkt("s", "SA")
        if i == 500:
            real.handshake()
        if i > 500 and i % 25 == 0 and k < 20:  # keep the real one active
            real.data("c", up[k * 1000:(k + 1) * 1000])
            real.data("s", down[k * 1000:(k + 1) * 1000])
            k += 1
    real.fin_close("c")
    up, down = up[:k * 1000], down[:k * 1000]

    def extra(recs, outdir):
        ev = sum(1 for r in recs if r.get("end") == "evicted")
        return [(len(recs) == 1001, "one record per connection (1001)",
                 "got %d" % len(recs)),
                (ev >= 901, "at least 901 evicted (1001 flows, 100 slots)",
                 "got %d" % ev)]
    return Case("syn_flood", cap, [Run(["--max-flows", "100"], [Flow(
        real.ep["c"], SRV, up, down, fields=ends("fin"))], extra=extra)],
        doc="1000 half-open + 1 real connection, --max-flows 100")


def consistent(got, truth, gap):
    """got is truth with some bytes zeroed (truth has no zero byte), and
    the zeroed bytes are exactly `gap` many."""
    if got is None or len(got) != len(truth):
        return False, "length %s, want %d" % (
            None if got is None else len(got), len(truth))
    zeros = 0
    for i, (g, t) in enumerate(zip(got, truth)):
        if g == 0:
            zeros += 1
        elif g != t:
            return False, "byte %d is neither the sent byte nor 0" % i
    if zeros != gap:
        return False, "%d zero-filled bytes, gap_bytes says %d" % (zeros, gap)
    return True, ""


def read_out(outdir, name):
    try:
        with open(os.path.join(outdir, name), "rb") as f:
            return f.read()
    except (OSError, TypeError):
        return None


def find_rec(recs, cli):
    want = "%s:%d" % cli
    for r in recs:
        if r.get("client") == want:
            return r
    return None


def gap_reason_check(rec, what):
    """flows.jsonl promises no gap reason field; check one if present."""
    keys = [k for k in rec if "reason" in k or k.endswith("gaps")]
    if not keys:
        return None
    return any(what in json.dumps(rec[k]) for k in keys)


@case
def flow_buffer_cap():
    """--flow-buffer 1000: 5000 bytes arrive beyond a 100-byte hole; at
    most 1000 can be held, the rest is dropped and must come out as a gap
    (zeros in the file, counted in c2s_gap_bytes) once the hole is filled
    and the receiver ACKs past it; the stream goes on after."""
    cap = Capture()
    c = Conn(cap)
    d = rbytes(22, 7200)
    c.handshake()
    c.data("c", d[:100])
    for off in range(200, 5200, 500):
        c.pkt("c", "PA", off=off, data=d[off:off + 500])
    c.pkt("c", "PA", off=100, data=d[100:200])  # hole filled
    c.nxt["c"] = c.seq_of("c", 5200)
    c.ack("s")
    c.data("c", d[5200:])
    c.fin_close("c")

    def extra(recs, outdir):
        r = find_rec(recs, CLI)
        if r is None:
            return [(False, "record present", "")]
        g = r.get("c2s_gap_bytes", -1)
        got = read_out(outdir, r.get("c2s_file"))
        ok, why = consistent(got, d, g)
        res = [(4000 <= g <= 5000, "gap bytes = dropped bytes (4000..5000)",
                "c2s_gap_bytes %s" % g),
               (ok, "file = sent bytes, dropped ones zero-filled", why),
               (got is not None and got[:200] == d[:200],
                "bytes 0..200 delivered (the hole's own segment fits: it "
                "is deliverable at once)", ""),
               (got is not None and got[5200:] == d[5200:],
                "in-order data after the gap delivered", ""),
               (r.get("c2s_bytes") == len(d) - g, "c2s_bytes + gap = sent",
                "c2s_bytes %s" % r.get("c2s_bytes"))]
        reason = gap_reason_check(r, "cap")
        if reason is not None:
            res.append((reason, "gap reason is cap", json.dumps(r)))
        return res
    return Case("flow_buffer_cap", cap, [Run(["--flow-buffer", "1000"], [],
                                             nflows=1, extra=extra)],
                doc="per-flow out-of-order cap")


@case
def buffer_total_cap():
    """--buffer-total 4000 with two flows holding 3000 out-of-order bytes
    each: at least 2000 bytes are dropped in all, as gaps."""
    cap = Capture()
    conns = [Conn(cap, ("10.0.0.1", 40001 + i), SRV) for i in range(2)]
    d = [rbytes(23 + i, 4000) for i in range(2)]
    for c in conns:
        c.handshake()
    for off in range(100, 3100, 500):
        for c, b in zip(conns, d):
            c.pkt("c", "PA", off=off, data=b[off:off + 500])
    for c, b in zip(conns, d):
        c.pkt("c", "PA", off=0, data=b[:100])
        c.nxt["c"] = c.seq_of("c", 3100)
        c.ack("s")
        c.data("c", b[3100:])
        c.fin_close("c")

    def extra(recs, outdir):
        res, total = [], 0
        for c, b in zip(conns, d):
            r = find_rec(recs, c.ep["c"])
            if r is None:
                res.append((False, "record for %s:%d" % c.ep["c"], ""))
                continue
            g = r.get("c2s_gap_bytes", 0)
            total += g
            got = read_out(outdir, r.get("c2s_file"))
            ok, why = consistent(got, b, g)
            res.append((ok, "%s:%d file = sent bytes, gaps zero-filled"
                        % c.ep["c"], why))
            res.append((got is not None and got[3100:] == b[3100:],
                        "%s:%d data after the gap delivered" % c.ep["c"], ""))
        res.append((2000 <= total <= 6000, "gaps total >= 2000",
                    "total %d" % total))
        return res
    return Case("buffer_total_cap", cap, [Run(["--buffer-total", "4000"], [],
                                              nflows=2, extra=extra)],
                doc="global out-of-order cap")


@case
def malformed():
    """Broken packets on other 4-tuples must neither crash flowdump nor
    disturb the good connection."""
    cap = Capture()
    good = Conn(cap)
    bad = Conn(cap, ("10.0.0.66", 5555), SRV)
    req, resp = rbytes(30, 3000), rbytes(31, 3000)
    good.handshake()
    bad.handshake()
    good.data("c", req[:1000])
    ipb = bytes(IP(src="10.0.0.66", dst="10.0.0.2") /
                TCP(sport=5555, dport=80, flags="PA", seq=bad.nxt["c"],
                    ack=bad.nxt["s"]) / (b"X" * 100))
    eth = bytes(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02",
                      type=0x0800))
    cap.add_frame(eth + ipb[:10])                       # truncated IP header
    cap.add_frame(eth[:8])                              # truncated Ethernet
    b = bytearray(ipb)
    b[0] = 0x43                                         # IHL 3
    cap.add_frame(eth + bytes(b))
    b = bytearray(ipb)
    b[0] = 0x75                                         # IP version 7
    cap.add_frame(eth + bytes(b))
    b = bytearray(ipb)
    b[32] = 0x30                                        # TCP data offset 3
    cap.add_frame(eth + bytes(b))
    b = bytearray(ipb)
    b[32] = 0xF0                                        # data offset 15 > len
    cap.add_frame(eth + bytes(b[:50]))
    cap.add_frame(eth + ipb, caplen=14 + 20 + 10)       # snaplen cuts TCP
    b = bytearray(ipb)
    b[2:4] = struct.pack("!H", 2000)                    # length > frame
    cap.add_frame(eth + bytes(b))
    b = bytearray(ipb)
    b[2:4] = struct.pack("!H", 10)                      # length < header
    cap.add_frame(eth + bytes(b))
    good.data("c", req[1000:])
    v6 = bytes(IPv6(src="fd00::66", dst="fd00::2", plen=4000) /
               TCP(sport=5555, dport=80) / (b"Y" * 20))
    cap.add_frame(bytes(Ether(src="02:00:00:00:00:01",
                              dst="02:00:00:00:00:02", type=0x86DD)) + v6)
    good.data("s", resp)
    good.fin_close("c")
    return Case("malformed", cap, [Run([], [Flow(
        CLI, SRV, req, resp, fields=ends("fin"))])],
        doc="truncated/invalid headers on another 4-tuple")


@case
def ipv6_hbh():
    cli, srv = ("fd00::1", 40000), ("fd00::2", 443)
    cap, req, resp = simple_exchange(cli=cli, srv=srv, hbh=True)
    return Case("ipv6_hbh", cap, [Run([], [Flow(
        cli, srv, req, resp, fields=ends("fin"))], nflows=1)],
        doc="IPv6 with a hop-by-hop extension header")


def link_case(name, link, doc):
    cap, req, resp = simple_exchange(link=link)
    return Case(name, cap, [Run([], [Flow(
        CLI, SRV, req, resp, fields=ends("fin"))], nflows=1)], doc=doc)


CASES.append(lambda: link_case("vlan", "vlan", "802.1Q-tagged IPv4"))
CASES.append(lambda: link_case("qinq", "qinq", "802.1ad + 802.1Q tags"))
CASES.append(lambda: link_case("sll", "sll", "Linux cooked (SLL) link"))
CASES.append(lambda: link_case("sll2", "sll2", "Linux cooked v2 (SLL2)"))
CASES.append(lambda: link_case("raw_ip", "raw", "raw IP link type"))


@case
def port_reuse():
    cap = Capture()
    c1 = Conn(cap)
    a1, b1 = rbytes(40, 800), rbytes(41, 900)
    c1.handshake()
    c1.data("c", a1)
    c1.data("s", b1)
    c1.fin_close("c")
    c2 = Conn(cap, isn_c=c1.nxt["c"] + 100000, isn_s=777777)
    a2, b2 = rbytes(42, 600), rbytes(43, 700)
    c2.handshake()
    c2.data("c", a2)
    c2.data("s", b2)
    c2.fin_close("c")
    return Case("port_reuse", cap, [Run([], [
        Flow(CLI, SRV, a1, b1, fields=ends("fin"), nth=1),
        Flow(CLI, SRV, a2, b2, fields=ends("fin"), nth=2)], nflows=2)],
        doc="same 4-tuple reused after a FIN close")


@case
def simultaneous_open():
    cap = Capture()
    c = Conn(cap)
    c.pkt("c", "S")
    c.pkt("s", "S")
    c.pkt("c", "SA", seq=c.isn["c"])
    c.pkt("s", "SA", seq=c.isn["s"])
    a, b = rbytes(44, 1500), rbytes(45, 2500)
    c.data("c", a)
    c.data("s", b)
    c.fin_close("c")
    return Case("simultaneous_open", cap, [Run([], [Flow(
        CLI, SRV, a, b, fields=ends("fin"))], nflows=1)],
        doc="both sides send SYN")


@case
def split_handshake():
    """SYN, SYN (no ACK), SYN/ACK from the first SYN's sender, ACK: the
    tcp-split-handshake 4-way shape. The server then sends first."""
    cap = Capture()
    c = Conn(cap)
    c.pkt("c", "S")
    c.pkt("s", "S")
    c.pkt("c", "SA", seq=c.isn["c"])
    c.ack("s")
    c.data("s", b"EVIL")
    c.data("c", b"hello")
    c.fin_close("s")
    return Case("split_handshake", cap, [Run([], [Flow(
        CLI, SRV, b"hello", b"EVIL", fields=ends("fin"))], nflows=1)],
        doc="split (4-way) handshake")


@case
def half_close():
    cap = Capture()
    c = Conn(cap)
    a, b = rbytes(46, 400), rbytes(47, 6000)
    c.handshake()
    c.data("c", a)
    c.pkt("c", "FA")            # client done sending
    c.ack("s")
    c.data("s", b)              # server keeps sending
    c.pkt("s", "FA")
    c.ack("c")
    return Case("half_close", cap, [Run([], [Flow(
        CLI, SRV, a, b, fields=ends("fin"))], nflows=1)],
        doc="client FIN, server keeps sending, then server FIN")


@case
def midstream():
    """No handshake; the server (port 80) speaks first in the capture, so
    guessing the client from the first packet would be wrong."""
    cap = Capture()
    c = Conn(cap, isn_c=123456, isn_s=654321)
    a, b = rbytes(48, 3000), rbytes(49, 4000)
    c.data("s", b[:1000])
    c.data("c", a)
    c.data("s", b[1000:])
    c.fin_close("c")

    def nothing(recs, outdir):
        files = [f for f in os.listdir(outdir) if f != "flows.jsonl"] \
            if os.path.isdir(outdir) else None
        return [(files == [], "no stream files", repr(files))]
    return Case("midstream", cap, [
        Run(["--midstream"], [Flow(CLI, SRV, a, b, fields={
            "roles": "guessed", "end": "fin"})], nflows=1, label="on"),
        Run([], [], nflows=0, extra=nothing, label="off")],
        doc="no handshake in the capture")


@case
def one_sided():
    cap = Capture()
    c = Conn(cap)
    a = rbytes(50, 5000)
    c.pkt("c", "S")
    c.nxt["s"] = c.isn["s"] + 1     # the SYN/ACK is never seen
    c.pkt("c", "A")
    for i in range(0, len(a), 1000):
        c.pkt("c", "PA", data=a[i:i + 1000])
    c.pkt("c", "FA")
    return Case("one_sided", cap, [Run(["--one-sided"], [Flow(
        CLI, SRV, a, None)], nflows=1)],
        doc="only client-to-server packets captured")


@case
def checksum_bad():
    """A bad-TCP-checksum "EVIL" and a bad-IP-checksum "EVIL", each
    followed by the good segment at the same sequence. on: not data (the
    good copy fills it); off: the bad copies are data and, being first,
    win."""
    cap = Capture()
    c = Conn(cap)
    c.handshake()
    c.pkt("c", "PA", off=0, data=b"EVIL", tcp_chksum=0xBAD0)
    c.pkt("c", "PA", off=0, data=b"GOOD")
    c.pkt("c", "PA", off=4, data=b"EVIL", ip_chksum=0xBAD0)
    c.pkt("c", "PA", off=4, data=b"DATA")
    c.nxt["c"] = c.seq_of("c", 8)
    c.ack("s")
    c.fin_close("c")
    return Case("checksum_bad", cap, [
        Run(["--checksum", "on"], [Flow(CLI, SRV, b"GOODDATA", None,
                                        fields=ends("fin"))],
            nflows=1, label="on"),
        Run(["--checksum", "off"], [Flow(CLI, SRV, b"EVILEVIL", None,
                                         fields=ends("fin"))],
            nflows=1, label="off")],
        doc="bad checksums, then good retransmissions")


@case
def checksum_offload_zero():
    cap, req, resp = simple_exchange(csum="zero")
    return Case("checksum_offload_zero", cap, [Run([], [Flow(
        CLI, SRV, req, resp, fields=ends("fin"))], nflows=1,
        label="auto")], doc="all TCP checksums 0 (offloaded)")


@case
def checksum_offload_partial():
    cap, req, resp = simple_exchange(csum="partial")
    return Case("checksum_offload_partial", cap, [Run([], [Flow(
        CLI, SRV, req, resp, fields=ends("fin"))], nflows=1,
        label="auto")],
        doc="TCP checksums hold only the pseudo-header sum, as a sender-"
        "side capture of CHECKSUM_PARTIAL packets shows")


def cases():
    return [fn() for fn in CASES]


def expected_json(cs):
    """The expectations in readable form (for people and other tools)."""
    out = {}
    for c in cs:
        out[c.name] = {"pcap": c.filename, "doc": c.doc, "runs": [{
            "args": r.args, "nflows": r.nflows, "flows": [{
                "client": "%s:%d" % f.cli, "server": "%s:%d" % f.srv,
                "nth": f.nth, "gaps": f.gaps, "fields": f.fields,
                "pred": f.pred,
                "c2s_hex": None if f.c2s is None else f.c2s.hex(),
                "s2c_hex": None if f.s2c is None else f.s2c.hex()}
                for f in r.flows]} for r in c.runs]}
    return out


def main():
    src = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.environ.get("BUILD", os.path.join(src, "build")), "offline",
        "crafted")
    os.makedirs(outdir, exist_ok=True)
    cs = cases()
    for c in cs:
        c.cap.write(os.path.join(outdir, c.filename), c.fmt)
    with open(os.path.join(outdir, "expected.json"), "w") as f:
        json.dump(expected_json(cs), f, indent=1)
    print("%d captures in %s" % (len(cs), outdir))


if __name__ == "__main__":
    main()
