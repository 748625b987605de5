#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send well-formed and malformed requests to the "mos" generic netlink
family with a raw netlink socket (deliberately not libmnl: these messages
are ones a correct client would never build) and check each answer."""
import errno
import fcntl
import os
import socket
import struct
import sys
import time

NETLINK_GENERIC = 16
SOL_NETLINK, NETLINK_EXT_ACK = 270, 11
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLMSGERR_ATTR_MSG = 1
NLA_F_NESTED = 0x8000
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 16, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
(MOS_CMD_GET_STATS, MOS_CMD_MONITOR_SET, MOS_CMD_FLOW_GET, MOS_CMD_FLOW_SET,
 MOS_CMD_GET_CONFIG, MOS_CMD_SET_CONFIG) = range(1, 7)
(MOS_A_STATS_TOTAL, MOS_A_STATS_CPU, MOS_A_MONITOR_ID, MOS_A_MONITOR_EVMASK,
 MOS_A_MONITOR_FILTER, MOS_A_FLOW, MOS_A_FLOW_ID, MOS_A_FLOW_ACTION,
 MOS_A_FLOW_SIDE, MOS_A_FLOW_POLICY, MOS_A_FLOW_STOP,
 MOS_A_CONFIG, MOS_A_FLOW_BUFFER, MOS_A_MONITOR_FLAGS,
 MOS_A_MONITOR_GROUP) = range(2, 17)
MOS_FILTER_A_TYPE, MOS_FILTER_A_PROG = 1, 2
(MOS_CONFIG_A_MAX_FLOWS, MOS_CONFIG_A_FLOW_BUFFER, MOS_CONFIG_A_BUFFER_TOTAL,
 MOS_CONFIG_A_TIMEOUT, MOS_CONFIG_A_OVERLAP_POLICY, MOS_CONFIG_A_MIDSTREAM,
 MOS_CONFIG_A_RING_BYTES, MOS_CONFIG_A_DELIVER_ON_ARRIVAL,
 MOS_CONFIG_A_TRACKING, MOS_CONFIG_A_WAKEUP_US,
 MOS_CONFIG_A_ONE_SIDED) = range(2, 13)
MOS_IOC_ATTACH = 0xC0106D01    # _IOWR('m', 1, struct mos_ring_setup)
NO_MONITOR = 0xfffffff0         # no consumer has this id
NO_FLOW = 0x7fffffffffffff      # nor any connection this one

failed = 0
seq = 0


def tap(ok, name):
    global failed
    print(("ok" if ok else "not ok") + " - " + name, flush=True)
    if not ok:
        failed = 1


def attr(atype, data):
    n = 4 + len(data)
    return struct.pack("HH", n, atype) + data + b"\0" * ((4 - n % 4) % 4)


def nest(atype, *attrs):
    return attr(atype | NLA_F_NESTED, b"".join(attrs))


def u8(atype, v):
    return attr(atype, struct.pack("B", v))


def u32(atype, v):
    return attr(atype, struct.pack("I", v))


def u64(atype, v):
    return attr(atype, struct.pack("Q", v))


def extack_msg(msg):
    """The NLMSGERR_ATTR_MSG of an error message, or None."""
    mlen, _, flags, _, _ = struct.unpack_from("IHHII", msg, 0)
    off = 20 + (16 if flags & NLM_F_CAPPED else
                struct.unpack_from("I", msg, 20)[0])
    off = (off + 3) & ~3
    while flags & NLM_F_ACK_TLVS and off + 4 <= mlen:
        alen, atype = struct.unpack_from("HH", msg, off)
        if alen < 4:
            break
        if atype == NLMSGERR_ATTR_MSG:
            return msg[off + 4:off + alen].rstrip(b"\0").decode()
        off += (alen + 3) & ~3
    return None


last_msg = None


def request(sock, mtype, cmd, payload=b"", version=1, reserved=0,
            length_fix=0, flags=NLM_F_REQUEST | NLM_F_ACK):
    """Returns (errno, replies); a dump's NLMSG_DONE counts as 0. The
    error's extended-ack text is kept in last_msg."""
    global seq, last_msg
    seq += 1
    last_msg = None
    body = struct.pack("BBH", cmd, version, reserved) + payload
    hdr = struct.pack("IHHII", 16 + len(body) + length_fix, mtype,
                      flags, seq, 0)
    sock.send(hdr + body)
    replies = []
    while True:
        data = sock.recv(1 << 20)
        off = 0
        while off + 16 <= len(data):
            mlen, rtype, _, rseq, _ = struct.unpack_from("IHHII", data, off)
            msg = data[off:off + mlen]
            off += (mlen + 3) & ~3
            if rtype == NLMSG_ERROR:
                err = struct.unpack_from("i", msg, 16)[0]
                last_msg = extack_msg(msg)
                return -err, replies
            if rtype == NLMSG_DONE:
                return -struct.unpack_from("i", msg, 16)[0], replies
            replies.append(msg)


def family_id(sock):
    err, replies = request(sock, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                           attr(CTRL_ATTR_FAMILY_NAME, b"mos\0"))
    assert err == 0, os.strerror(err)
    msg = replies[0]
    off = 20
    while off < len(msg):
        alen, atype = struct.unpack_from("HH", msg, off)
        if atype == CTRL_ATTR_FAMILY_ID:
            return struct.unpack_from("H", msg, off + 4)[0]
        off += (alen + 3) & ~3
    raise RuntimeError("no family id")


def refused(sock, fam, cmd, payload, name, want=errno.EINVAL, text=None):
    """The request gets errno @want (0: accepted) and, with @text, an
    extended-ack message containing it."""
    err, _ = request(sock, fam, cmd, payload)
    ok = err == want and (text is None or (last_msg or "").find(text) >= 0)
    tap(ok, "%s: %s (%d, %r)" % (name, errno.errorcode.get(want, "ok"), err,
                                 last_msg))


def config(sock, fam):
    err, replies = request(sock, fam, MOS_CMD_GET_CONFIG)
    return replies[0][20:] if err == 0 and len(replies) == 1 else None


def probe_new_commands(sock, fam):
    """Malformed, out-of-range and misplaced attributes of the commands
    after GET_STATS; none may change anything."""
    before = config(sock, fam)
    tap(before is not None, "GET_CONFIG answers")
    refused(sock, fam, MOS_CMD_GET_CONFIG, u32(MOS_A_FLOW_ID, 1),
            "GET_CONFIG takes no attribute")

    # FLOW_GET
    refused(sock, fam, MOS_CMD_FLOW_GET, b"", "FLOW_GET without an id")
    refused(sock, fam, MOS_CMD_FLOW_GET, u32(MOS_A_FLOW_ID, 1),
            "FLOW_GET with a 32-bit id")
    refused(sock, fam, MOS_CMD_FLOW_GET, u64(MOS_A_FLOW_ID, NO_FLOW),
            "FLOW_GET of an unknown id", errno.ENOENT, "no connection")
    refused(sock, fam, MOS_CMD_FLOW_GET,
            u64(MOS_A_FLOW_ID, 1) + u32(MOS_A_FLOW_ACTION, 1),
            "FLOW_GET with an attribute it does not take")
    err, replies = request(sock, fam, MOS_CMD_FLOW_GET,
                           flags=NLM_F_REQUEST | NLM_F_DUMP)
    tap(err == 0, "FLOW_GET dump completes (%d, %d messages)"
        % (err, len(replies)))
    err, _ = request(sock, fam, MOS_CMD_FLOW_GET, u32(MOS_A_CONFIG, 1),
                     flags=NLM_F_REQUEST | NLM_F_DUMP)
    tap(err == errno.EINVAL, "FLOW_GET dump with a stray attribute: "
        "EINVAL (%d)" % err)
    err, _ = request(sock, fam, MOS_CMD_FLOW_GET, u64(MOS_A_FLOW_ID, 1),
                     flags=NLM_F_REQUEST | NLM_F_DUMP)
    # 6.1 passes no extended ack to a dump's start: no text to check.
    tap(err == errno.EINVAL,
        "FLOW_GET dump naming a connection: EINVAL (%d)" % err)

    # FLOW_SET
    fid = u64(MOS_A_FLOW_ID, NO_FLOW)
    refused(sock, fam, MOS_CMD_FLOW_SET, u32(MOS_A_FLOW_ACTION, 1),
            "FLOW_SET without an id")
    refused(sock, fam, MOS_CMD_FLOW_SET, fid, "FLOW_SET asking nothing",
            text="nothing to do")
    # Values out of a policy's range: the core answers ERANGE.
    for action in (0, 4, 0xffffffff):
        refused(sock, fam, MOS_CMD_FLOW_SET,
                fid + u32(MOS_A_FLOW_ACTION, action),
                "FLOW_SET action %d" % action, errno.ERANGE)
    refused(sock, fam, MOS_CMD_FLOW_SET, fid + u8(MOS_A_FLOW_ACTION, 1),
            "FLOW_SET action as u8")
    refused(sock, fam, MOS_CMD_FLOW_SET,
            fid + u32(MOS_A_FLOW_SIDE, 2) + u32(MOS_A_FLOW_POLICY, 0),
            "FLOW_SET side 2", errno.ERANGE)
    refused(sock, fam, MOS_CMD_FLOW_SET,
            fid + u32(MOS_A_FLOW_SIDE, 0) + u32(MOS_A_FLOW_POLICY, 9),
            "FLOW_SET policy 9", errno.ERANGE)
    refused(sock, fam, MOS_CMD_FLOW_SET, fid + u32(MOS_A_FLOW_POLICY, 1),
            "FLOW_SET policy without a side")
    refused(sock, fam, MOS_CMD_FLOW_SET,
            fid + u32(MOS_A_FLOW_SIDE, 0) +
            u32(MOS_A_FLOW_BUFFER, 0xffff * 1024 + 1),
            "FLOW_SET buffer above 65535 KiB", errno.ERANGE)
    refused(sock, fam, MOS_CMD_FLOW_SET,
            fid + u32(MOS_A_FLOW_BUFFER, 4096),
            "FLOW_SET buffer without a side")
    refused(sock, fam, MOS_CMD_FLOW_SET, fid + attr(MOS_A_FLOW_STOP, b""),
            "FLOW_SET stop without a side")
    refused(sock, fam, MOS_CMD_FLOW_SET, fid + u32(MOS_A_FLOW_SIDE, 1),
            "FLOW_SET side without an option")
    refused(sock, fam, MOS_CMD_FLOW_SET,
            fid + attr(MOS_A_FLOW_STOP, b"x" * 4) + u32(MOS_A_FLOW_SIDE, 1),
            "FLOW_SET stop flag with a payload", errno.ERANGE)
    refused(sock, fam, MOS_CMD_FLOW_SET, fid + u32(MOS_A_FLOW_ACTION, 1),
            "FLOW_SET drop of an unknown id", errno.ENOENT)
    refused(sock, fam, MOS_CMD_FLOW_SET,
            fid + u32(MOS_A_FLOW_ACTION, 1) + attr(MOS_A_CONFIG, b""),
            "FLOW_SET with an attribute it does not take")
    refused(sock, fam, MOS_CMD_FLOW_SET,
            fid + attr(MOS_A_FLOW_ACTION, b"z" * 60000),
            "FLOW_SET with an oversized attribute")

    # MONITOR_SET
    mid = u32(MOS_A_MONITOR_ID, NO_MONITOR)
    ret0 = struct.pack("HBBI", 0x06, 0, 0, 0)           # ret #0
    ret_all = struct.pack("HBBI", 0x06, 0, 0, 0xffff)   # ret #65535
    jump_out = struct.pack("HBBI", 0x05, 0, 0, 5)       # ja +5: past the end
    refused(sock, fam, MOS_CMD_MONITOR_SET, u32(MOS_A_MONITOR_EVMASK, 1),
            "MONITOR_SET without an id")
    refused(sock, fam, MOS_CMD_MONITOR_SET, mid, "MONITOR_SET asking nothing")
    refused(sock, fam, MOS_CMD_MONITOR_SET,
            mid + u32(MOS_A_MONITOR_EVMASK, 1), "MONITOR_SET unknown id",
            errno.ENOENT, "no consumer")
    refused(sock, fam, MOS_CMD_MONITOR_SET,
            mid + u32(MOS_A_MONITOR_EVMASK, 1 << 20),
            "MONITOR_SET unknown event bits")
    refused(sock, fam, MOS_CMD_MONITOR_SET,
            mid + u32(MOS_A_MONITOR_FLAGS, 2),
            "MONITOR_SET unknown flag bits")
    refused(sock, fam, MOS_CMD_MONITOR_SET,
            mid + u32(MOS_A_MONITOR_FLAGS, 1), "MONITOR_SET flags, unknown id",
            errno.ENOENT)
    refused(sock, fam, MOS_CMD_MONITOR_SET,
            mid + u32(MOS_A_MONITOR_GROUP, 0), "MONITOR_SET group of 0",
            errno.EINVAL, "group")
    refused(sock, fam, MOS_CMD_MONITOR_SET,
            mid + u32(MOS_A_MONITOR_GROUP, 2 << 16 | 2),
            "MONITOR_SET group index 2 of 2", errno.EINVAL, "group")
    refused(sock, fam, MOS_CMD_MONITOR_SET,
            mid + u32(MOS_A_MONITOR_GROUP, 2 << 16 | 1),
            "MONITOR_SET group 1 of 2, unknown id", errno.ENOENT)

    def filt(*attrs):
        return mid + nest(MOS_A_MONITOR_FILTER, *attrs)

    refused(sock, fam, MOS_CMD_MONITOR_SET,
            filt(u32(MOS_FILTER_A_TYPE, 0), attr(MOS_FILTER_A_PROG, ret0)),
            "MONITOR_SET valid filter, unknown id", errno.ENOENT)
    refused(sock, fam, MOS_CMD_MONITOR_SET,
            filt(u32(MOS_FILTER_A_TYPE, 0), attr(MOS_FILTER_A_PROG, b"")),
            "MONITOR_SET filter removal, unknown id", errno.ENOENT)
    refused(sock, fam, MOS_CMD_MONITOR_SET,
            filt(attr(MOS_FILTER_A_PROG, ret0)), "MONITOR_SET filter type missing")
    refused(sock, fam, MOS_CMD_MONITOR_SET,
            filt(u32(MOS_FILTER_A_TYPE, 0)), "MONITOR_SET filter program missing")
    refused(sock, fam, MOS_CMD_MONITOR_SET,
            filt(u32(MOS_FILTER_A_TYPE, 3), attr(MOS_FILTER_A_PROG, ret0)),
            "MONITOR_SET filter type 3", errno.ERANGE)
    refused(sock, fam, MOS_CMD_MONITOR_SET,
            filt(u32(MOS_FILTER_A_TYPE, 0), attr(MOS_FILTER_A_PROG, ret0[:7])),
            "MONITOR_SET program of 7 bytes", text="sock_filter")
    refused(sock, fam, MOS_CMD_MONITOR_SET,
            filt(u32(MOS_FILTER_A_TYPE, 0),
                 attr(MOS_FILTER_A_PROG, ret_all * 4097)),
            "MONITOR_SET program of 4097 instructions", errno.ERANGE)
    refused(sock, fam, MOS_CMD_MONITOR_SET,
            filt(u32(MOS_FILTER_A_TYPE, 0),
                 attr(MOS_FILTER_A_PROG, jump_out + ret0)),
            "MONITOR_SET program the verifier refuses", text="verifier")
    refused(sock, fam, MOS_CMD_MONITOR_SET,
            mid + attr(MOS_A_MONITOR_FILTER,
                       u32(MOS_FILTER_A_TYPE, 0) +
                       attr(MOS_FILTER_A_PROG, ret0)),
            "MONITOR_SET filter nest without NLA_F_NESTED")

    # A real consumer of /dev/mos: its id is known until it closes.
    try:
        dev = os.open("/dev/mos", os.O_RDWR)
    except OSError as e:
        tap(False, "open /dev/mos: %s" % e)
        dev = None
    if dev is not None:
        setup = bytearray(struct.pack("IIII", 0, 0, 0, 0))
        fcntl.ioctl(dev, MOS_IOC_ATTACH, setup)
        monitor = struct.unpack("IIII", setup)[2]
        real = u32(MOS_A_MONITOR_ID, monitor)
        tcp80 = (struct.pack("HBBI", 0x30, 0, 0, 9) +       # ldb [9]
                 struct.pack("HBBI", 0x15, 0, 1, 6) +       # jeq #6
                 ret_all + ret0)
        refused(sock, fam, MOS_CMD_MONITOR_SET,
                real + u32(MOS_A_MONITOR_EVMASK, 0x1ff),
                "MONITOR_SET event mask of a consumer", 0)
        refused(sock, fam, MOS_CMD_MONITOR_SET,
                real + u32(MOS_A_MONITOR_FLAGS, 1),
                "MONITOR_SET flags of a consumer", 0)
        refused(sock, fam, MOS_CMD_MONITOR_SET,
                real + nest(MOS_A_MONITOR_FILTER, u32(MOS_FILTER_A_TYPE, 0),
                            attr(MOS_FILTER_A_PROG, tcp80)),
                "MONITOR_SET filter of a consumer", 0)
        refused(sock, fam, MOS_CMD_MONITOR_SET,
                real + nest(MOS_A_MONITOR_FILTER, u32(MOS_FILTER_A_TYPE, 2),
                            attr(MOS_FILTER_A_PROG, jump_out)),
                "MONITOR_SET bad program for a consumer", errno.EINVAL,
                "verifier")
        refused(sock, fam, MOS_CMD_MONITOR_SET,
                real + nest(MOS_A_MONITOR_FILTER, u32(MOS_FILTER_A_TYPE, 0),
                            attr(MOS_FILTER_A_PROG, b"")),
                "MONITOR_SET filter removal of a consumer", 0)
        os.close(dev)
        # The consumer goes away with its file (maybe after a grace period).
        for _ in range(50):
            err, _ = request(sock, fam, MOS_CMD_MONITOR_SET,
                             real + u32(MOS_A_MONITOR_EVMASK, 1))
            if err == errno.ENOENT:
                break
            time.sleep(0.1)
        tap(err == errno.ENOENT, "a closed consumer is unknown (%d)" % err)

    # SET_CONFIG
    def conf(*attrs):
        return nest(MOS_A_CONFIG, *attrs)

    refused(sock, fam, MOS_CMD_SET_CONFIG, b"", "SET_CONFIG without a nest")
    E, R = errno.EINVAL, errno.ERANGE
    for name, a, want in (
            ("max_flows 0", u32(MOS_CONFIG_A_MAX_FLOWS, 0), R),
            ("max_flows 2^27", u32(MOS_CONFIG_A_MAX_FLOWS, 1 << 27), R),
            ("flow_buffer 2^31", u32(MOS_CONFIG_A_FLOW_BUFFER, 1 << 31), R),
            ("buffer_total as u32", u32(MOS_CONFIG_A_BUFFER_TOTAL, 1), E),
            ("buffer_total 2^41", u64(MOS_CONFIG_A_BUFFER_TOTAL, 1 << 41), R),
            ("overlap policy 9", u32(MOS_CONFIG_A_OVERLAP_POLICY, 9), R),
            ("midstream 2", u8(MOS_CONFIG_A_MIDSTREAM, 2), R),
            ("deliver_on_arrival 2",
             u8(MOS_CONFIG_A_DELIVER_ON_ARRIVAL, 2), R),
            ("deliver_on_arrival as u32",
             u32(MOS_CONFIG_A_DELIVER_ON_ARRIVAL, 1), E),
            ("tracking 2", u8(MOS_CONFIG_A_TRACKING, 2), R),
            ("tracking as u32", u32(MOS_CONFIG_A_TRACKING, 0), E),
            ("wakeup_us 1000001",
             u32(MOS_CONFIG_A_WAKEUP_US, 1000001), R),
            ("wakeup_us as u8", u8(MOS_CONFIG_A_WAKEUP_US, 1), E),
            ("one_sided 2", u8(MOS_CONFIG_A_ONE_SIDED, 2), R),
            ("one_sided as u32", u32(MOS_CONFIG_A_ONE_SIDED, 1), E),
            ("ring bytes 100000", u32(MOS_CONFIG_A_RING_BYTES, 100000), E),
            ("ring bytes 4096", u32(MOS_CONFIG_A_RING_BYTES, 4096), R),
            ("timeout 0", nest(MOS_CONFIG_A_TIMEOUT, u32(1, 0)), R),
            ("timeout of class 10",
             nest(MOS_CONFIG_A_TIMEOUT, u32(10, 5)), E),
            ("timeout of 31 days",
             nest(MOS_CONFIG_A_TIMEOUT, u32(3, 31 * 86400)), R),
            ("unknown config attribute",
             u32(MOS_CONFIG_A_ONE_SIDED + 1, 1), E)):
        # A valid setting first: all or nothing.
        refused(sock, fam, MOS_CMD_SET_CONFIG,
                conf(u8(MOS_CONFIG_A_MIDSTREAM, 1), a), "SET_CONFIG " + name,
                want)
    refused(sock, fam, MOS_CMD_SET_CONFIG,
            attr(MOS_A_CONFIG, u8(MOS_CONFIG_A_MIDSTREAM, 1)),
            "SET_CONFIG nest without NLA_F_NESTED")
    tap(config(sock, fam) == before, "refused requests changed no setting")


def main():
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    sock.bind((0, 0))
    fam = family_id(sock)

    err, replies = request(sock, fam, MOS_CMD_GET_STATS)
    tap(err == 0 and len(replies) == 1, "well-formed GET_STATS answered")

    err, _ = request(sock, fam, MOS_CMD_GET_STATS,
                     attr(MOS_A_STATS_TOTAL, struct.pack("I", 1)))
    tap(err == errno.EINVAL, "attribute GET_STATS does not take: EINVAL (%d)" % err)
    err, _ = request(sock, fam, MOS_CMD_GET_STATS, attr(200, b"x" * 8))
    tap(err == errno.EINVAL, "unknown attribute type: EINVAL (%d)" % err)
    err, _ = request(sock, fam, 99)
    tap(err == errno.EOPNOTSUPP, "unknown command: EOPNOTSUPP (%d)" % err)
    err, _ = request(sock, fam, MOS_CMD_GET_STATS, reserved=7)
    tap(err == errno.EINVAL, "non-zero reserved header field: EINVAL (%d)" % err)
    bad = struct.pack("HH", 64, 3) + b"\0" * 4   # claims more than it has
    err, _ = request(sock, fam, MOS_CMD_GET_STATS, bad)
    tap(err == errno.EINVAL, "truncated attribute: EINVAL (%d)" % err)
    err, _ = request(sock, fam, MOS_CMD_GET_STATS, attr(3, b"z" * 60000))
    tap(err == errno.EINVAL, "oversized attribute: EINVAL (%d)" % err)

    probe_new_commands(sock, fam)

    err, replies = request(sock, fam, MOS_CMD_GET_STATS)
    tap(err == 0 and len(replies) == 1, "family still answers afterwards")
    return failed


if __name__ == "__main__":
    sys.exit(main())
