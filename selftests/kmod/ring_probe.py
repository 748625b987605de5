#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A minimal consumer of /dev/mos written from the ABI alone (ioctl, mmap,
raw generic netlink), independent of libmos-user: it checks the kernel's
side of the ring protocol. It rebuilds every stream from NEW_DATA records
and, on SIGTERM, writes one JSON object per connection:
  {"cli": "a:p", "svr": "a:p", "c2s": HEX-SHA256, "c2s_len": N, ...}
Options: --evmask N, --ring-bytes N, --slow SECONDS (sleep per record
batch, to overflow the ring), --hostile (write bad consumer positions)."""
import argparse
import ctypes
import ctypes.util
import fcntl
import hashlib
import ipaddress
import json
import mmap
import os
import select
import signal
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genl_probe  # noqa: E402  (raw netlink helpers)

PAGE = mmap.PAGESIZE
STRIDE = 1 << 36
IOC_ATTACH = (3 << 30) | (16 << 16) | (ord('m') << 8) | 1
REC = struct.Struct("<IHBBBBBBBBBBHHIQQQQ16s16s")
REC_EVENT, REC_LOST = 1, 2
F_MORE, F_LOST = 2, 4
EV_CONN_START, EV_CONN_END, EV_NEW_DATA = 1, 2, 3
MOS_CMD_MONITOR_SET = 2
MOS_A_MONITOR_ID, MOS_A_MONITOR_EVMASK, MOS_A_MONITOR_FILTER = 4, 5, 6
MOS_FILTER_SYN = 0
MOS_FILTER_A_TYPE, MOS_FILTER_A_PROG = 1, 2
NLA_F_NESTED = 1 << 15
DLT_RAW = 12


class BpfProgram(ctypes.Structure):
    _fields_ = [("bf_len", ctypes.c_uint), ("bf_insns", ctypes.c_void_p)]


def compile_filter(expr):
    """Classic BPF for EXPR on raw IP packets, compiled by libpcap (as
    libmos-user does), as the bytes of a struct sock_filter array."""
    pcap = ctypes.CDLL(ctypes.util.find_library("pcap") or "libpcap.so.0.8")
    pcap.pcap_open_dead.restype = ctypes.c_void_p
    pcap.pcap_compile.argtypes = [ctypes.c_void_p, ctypes.POINTER(BpfProgram),
                                  ctypes.c_char_p, ctypes.c_int,
                                  ctypes.c_uint32]
    handle = pcap.pcap_open_dead(DLT_RAW, 65535)
    prog = BpfProgram()
    if pcap.pcap_compile(handle, ctypes.byref(prog), expr.encode(), 1,
                         0xffffffff) != 0:
        sys.exit("cannot compile filter %r" % expr)
    return ctypes.string_at(prog.bf_insns, prog.bf_len * 8)

stop = False


def on_term(*_):
    global stop
    stop = True


class Ring:
    def __init__(self, fd, idx, data_bytes):
        base = idx * STRIDE
        self.cons = mmap.mmap(fd, PAGE, mmap.MAP_SHARED,
                              mmap.PROT_READ | mmap.PROT_WRITE, offset=base)
        self.ro = mmap.mmap(fd, PAGE + 2 * data_bytes, mmap.MAP_SHARED,
                            mmap.PROT_READ, offset=base + PAGE)
        self.size = data_bytes

    def producer(self):
        return struct.unpack_from("<Q", self.ro, 0)[0]

    def consumer(self):
        return struct.unpack_from("<Q", self.cons, 0)[0]

    def set_consumer(self, pos):
        struct.pack_into("<Q", self.cons, 0, pos)

    def lost(self):
        return struct.unpack_from("<QQ", self.ro, 8)


def addr(raw, port, version):
    ip = ipaddress.IPv6Address(raw)
    if version == 4:
        return "%s:%d" % (ip.ipv4_mapped, port)
    return "[%s]:%d" % (ip, port)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--evmask", type=int,
                    default=(1 << EV_CONN_START) | (1 << EV_CONN_END) |
                    (1 << EV_NEW_DATA))
    ap.add_argument("--ring-bytes", type=int, default=0)
    ap.add_argument("--slow", type=float, default=0)
    ap.add_argument("--hostile", action="store_true")
    ap.add_argument("--count-only", action="store_true",
                    help="count stream bytes instead of keeping them")
    ap.add_argument("--ready", help="file to create once attached")
    ap.add_argument("--syn-filter",
                    help="pcap expression selecting connections")
    ap.add_argument("--stall", type=float, default=0,
                    help="read nothing for this many seconds (the rings"
                    " fill up and lose records), then skip what they"
                    " hold and wait in poll() for the next records; print"
                    " whether they woke us")
    ap.add_argument("--wake-delay", action="store_true",
                    help="wait in poll() for the first records, then print"
                    " how long after the first one the wakeup came, and"
                    " how many bytes of records were waiting")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)

    fd = os.open("/dev/mos", os.O_RDWR)
    setup = bytearray(struct.pack("<IIII", args.ring_bytes, 0, 0, 0))
    fcntl.ioctl(fd, IOC_ATTACH, setup)
    ring_bytes, nr_rings, monitor_id, _ = struct.unpack("<IIII", setup)
    rings = [Ring(fd, i, ring_bytes) for i in range(nr_rings)]

    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                       genl_probe.NETLINK_GENERIC)
    fam = genl_probe.family_id(nl)
    err, _ = genl_probe.request(
        nl, fam, MOS_CMD_MONITOR_SET,
        genl_probe.attr(MOS_A_MONITOR_ID, struct.pack("I", monitor_id)) +
        genl_probe.attr(MOS_A_MONITOR_EVMASK, struct.pack("I", args.evmask)) +
        (genl_probe.attr(MOS_A_MONITOR_FILTER | NLA_F_NESTED,
                         genl_probe.attr(MOS_FILTER_A_TYPE,
                                         struct.pack("I", MOS_FILTER_SYN)) +
                         genl_probe.attr(MOS_FILTER_A_PROG,
                                         compile_filter(args.syn_filter)))
         if args.syn_filter else b""))
    if err:
        sys.exit("MONITOR_SET failed: %s" % os.strerror(err))
    if args.ready:
        open(args.ready, "w").close()

    flows, problems = {}, []
    stats = {"records": 0, "lost_records": 0, "lost_events": 0,
             "lost_bytes": 0, "flagged_lost": 0, "gap_bytes": 0}
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    if args.stall:
        time.sleep(args.stall)
        for r in rings:
            r.set_consumer(r.producer())
        t = time.monotonic()
        woken = bool(poller.poll(20000))
        print(json.dumps({"woken": woken,
                          "waited_ms": (time.monotonic() - t) * 1e3,
                          "lost_events": sum(r.lost()[0] for r in rings)}))
        return
    if args.wake_delay:
        poller.poll(30000)
        woke = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        ready = [r for r in rings if r.producer() > r.consumer()]
        # The record's time: CLOCK_MONOTONIC, at the kernel's tick.
        first = min((REC.unpack_from(r.ro, PAGE + r.consumer() % r.size)[18]
                     for r in ready), default=None)
        print(json.dumps({
            "wake_delay_ms": (woke - first) / 1e6 if first else None,
            "unread": sum(r.producer() - r.consumer() for r in ready)}))
        return
    hostile_round = 0
    last_pass = False
    while True:
        busy = False
        for r in rings:
            prod, cons = r.producer(), r.consumer()
            if args.hostile and hostile_round < 50:
                hostile_round += 1
                r.set_consumer([1 << 63, cons + r.size * 3, 7,
                                cons - 8 if cons else 0][hostile_round % 4])
                r.set_consumer(cons)
            while cons < prod:
                busy = True
                off = cons % r.size
                hdr = REC.unpack_from(r.ro, PAGE + off)
                size = hdr[0]
                if size < REC.size or cons + size > prod:
                    problems.append("bad record size %d" % size)
                    cons = prod
                    break
                stats["records"] += 1
                (_, kind, etype, _hook, side, code, _old, ver, _s0, _s1,
                 flags, _end, cport, sport, _res, fid, soff, slen, _ts,
                 caddr, saddr) = hdr
                pad = (-size) % 8
                tail = bytes(r.ro[PAGE + off + size:PAGE + off + size + pad])
                if tail.strip(b"\0"):
                    problems.append("non-zero padding")
                if kind == REC_LOST:
                    stats["lost_records"] += 1
                    stats["lost_events"] += soff
                    stats["lost_bytes"] += slen
                elif kind == REC_EVENT and fid:
                    fl = flows.setdefault(fid, {
                        "cli": addr(caddr, cport, ver),
                        "svr": addr(saddr, sport, ver),
                        "data": [bytearray(), bytearray()],
                        "ends": 0, "end": None, "gap": [0, 0],
                        "count": [0, 0]})
                    if flags & F_LOST:
                        stats["flagged_lost"] += 1
                    if etype == EV_NEW_DATA:
                        buf = fl["data"][side]
                        if args.count_only:
                            pass
                        elif soff > len(buf):	# lost records: zero-fill
                            fl["gap"][side] += soff - len(buf)
                            stats["gap_bytes"] += soff - len(buf)
                            buf.extend(b"\0" * (soff - len(buf)))
                        if soff < len(buf):
                            problems.append("NEW_DATA goes back")
                        start = PAGE + off + REC.size
                        if args.count_only:
                            fl["count"][side] = soff + slen
                        else:
                            buf.extend(r.ro[start:start + slen])
                    elif etype == EV_CONN_END:
                        fl["ends"] += 1
                        fl["end"] = code
                cons += (size + 7) & ~7
            r.set_consumer(cons)
        if args.slow and busy:
            time.sleep(args.slow)
        # After SIGTERM, one more pass reads what was produced by then.
        if last_pass:
            break
        if stop:
            last_pass = True
            continue
        if not busy:
            poller.poll(200)
    for r in rings:
        ev, by = r.lost()
        stats["ctrl_lost_events"] = stats.get("ctrl_lost_events", 0) + ev
        stats["ctrl_lost_bytes"] = stats.get("ctrl_lost_bytes", 0) + by
    for fid, fl in sorted(flows.items()):
        c2s, s2c = fl["data"][1], fl["data"][0]
        if args.count_only:
            c2s, s2c = b"\0" * fl["count"][1], b"\0" * fl["count"][0]
        print(json.dumps({"id": fid, "cli": fl["cli"], "svr": fl["svr"],
                          "c2s": hashlib.sha256(c2s).hexdigest(),
                          "c2s_len": len(c2s),
                          "s2c": hashlib.sha256(s2c).hexdigest(),
                          "s2c_len": len(s2c), "ends": fl["ends"],
                          "end": fl["end"], "c2s_gap": fl["gap"][1],
                          "s2c_gap": fl["gap"][0]}))
    stats["problems"] = problems
    print(json.dumps({"stats": stats}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
