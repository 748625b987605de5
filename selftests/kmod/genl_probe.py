#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send well-formed and malformed requests to the "mos" generic netlink
family with a raw netlink socket (deliberately not libmnl: these messages
are ones a correct client would never build) and check each answer."""
import errno
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 16, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
MOS_CMD_GET_STATS = 1
MOS_A_STATS_TOTAL = 2

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


def request(sock, mtype, cmd, payload=b"", version=1, reserved=0,
            length_fix=0):
    global seq
    seq += 1
    body = struct.pack("BBH", cmd, version, reserved) + payload
    hdr = struct.pack("IHHII", 16 + len(body) + length_fix, mtype,
                      NLM_F_REQUEST | NLM_F_ACK, seq, 0)
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
                return -err, replies
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


def main():
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
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

    err, replies = request(sock, fam, MOS_CMD_GET_STATS)
    tap(err == 0 and len(replies) == 1, "family still answers afterwards")
    return failed


if __name__ == "__main__":
    sys.exit(main())
