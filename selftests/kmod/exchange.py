#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Two-way TCP exchange with known content, for tests with ground truth.

server: accept COUNT connections; from each, read until EOF, then send
        --reply bytes and close. Prints one JSON line per connection.
client: connect, send --send bytes in seeded random write sizes, shut
        down writing, read until EOF. Prints one JSON line.
The bytes are a seeded pseudo-random stream, so both ends (and later a
monitor's reassembled output) can be compared with what was really sent.

Options for the offline ground-truth tests (selftests/offline), all off by
default so the plain behaviour above is unchanged:
  --close MODE  how the connection ends (both ends must agree):
      half    the default above: the client shuts down writing first, the
              server keeps sending (its reply) and closes
      client  both send everything, then the client closes (FIN) first
      server  both send everything, then the server closes first
      both    each side sends and shuts down writing at once, without
              waiting: the FINs cross (simultaneous close)
      rst     both send everything; once its data is ACKed, the client
              aborts with SO_LINGER 0 (RST)
  --expect N    (server) bytes the client sends, for the modes where the
              server cannot wait for EOF before replying
  --save DIR    write the bytes this side sent to a file in DIR; the JSON
              line then names the file and both endpoints
  --parallel    (server) serve connections concurrently
"""
import argparse
import fcntl
import hashlib
import json
import os
import random
import socket
import struct
import termios
import threading
import time


def payload(seed, size):
    return random.Random(seed).randbytes(size)


def send_chunks(sock, data, seed):
    rnd = random.Random(seed ^ 0x5EED)
    off = 0
    while off < len(data):
        n = rnd.randint(1, 16384)
        sock.sendall(data[off:off + n])
        off += n


def recv_all(sock, idle=None):
    """Until EOF or RST; with @idle, also after that many quiet seconds."""
    chunks = []
    sock.settimeout(idle)
    while True:
        try:
            b = sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            b = b""
        if not b:
            return b"".join(chunks)
        chunks.append(b)


def recv_exact(sock, n):
    chunks, got = [], 0
    while got < n:
        b = sock.recv(min(65536, n - got))
        if not b:
            break
        chunks.append(b)
        got += len(b)
    return b"".join(chunks)


def endpoint(addr):
    return "[%s]:%d" % addr[:2] if ":" in addr[0] else "%s:%d" % addr[:2]


def report(role, sent, received, ends=None, save=None, mode=None):
    """One JSON line; with ends=(client addr, server addr) also the
    endpoints, the close mode and (with save) the file of sent bytes."""
    rec = {"role": role, "sent": len(sent),
           "sent_sha256": hashlib.sha256(sent).hexdigest(),
           "received": len(received),
           "received_sha256": hashlib.sha256(received).hexdigest()}
    if ends is not None:
        cli, srv = ends
        rec.update(client=endpoint(cli), server=endpoint(srv), close=mode)
        if save:
            # One file per connection direction, named by both endpoints.
            name = "%s-%s_%d-%s_%d.bin" % (
                "c2s" if role == "client" else "s2c",
                cli[0], cli[1], srv[0], srv[1])
            with open(os.path.join(save, name), "wb") as f:
                f.write(sent)
            rec["file"] = name
    print(json.dumps(rec), flush=True)


def send_and_shut(sock, data, seed):
    send_chunks(sock, data, seed)
    sock.shutdown(socket.SHUT_WR)


def wait_acked(sock, timeout=60):
    """Until every byte we sent is ACKed (SIOCOUTQ, = TIOCOUTQ, is 0)."""
    end = time.monotonic() + timeout
    buf = struct.pack("i", 0)
    while time.monotonic() < end:
        left = fcntl.ioctl(sock, termios.TIOCOUTQ, buf)
        if struct.unpack("i", left)[0] == 0:
            return
        time.sleep(0.01)


def serve_one(s, a, i):
    ends = (s.getpeername(), s.getsockname())   # (client, server)
    data = payload(a.seed + 1000 + i, a.reply)
    seed = a.seed + 1000 + i
    mode = a.close
    if mode == "half":
        got = recv_all(s)
        send_chunks(s, data, seed)
    elif mode == "both":
        t = threading.Thread(target=send_and_shut, args=(s, data, seed))
        t.start()
        got = recv_all(s)
        t.join()
    else:
        got = recv_exact(s, a.expect)
        send_chunks(s, data, seed)
        if mode == "client":
            got += recv_all(s)      # until the client's FIN
        elif mode == "rst":
            # Until the client's RST. An RST is never retransmitted, so
            # under netem loss it may not arrive: then the server sees
            # nothing more, and stops waiting after 10 quiet seconds.
            got += recv_all(s, idle=10)
    s.close()
    report("server", data, got, ends if a.save else None, a.save, mode)


def client(a):
    s = socket.create_connection((a.addr, a.port), timeout=120)
    data = payload(a.seed, a.send)
    mode = a.close
    ends = (s.getsockname(), s.getpeername())   # (client, server)
    if mode == "half":
        send_and_shut(s, data, a.seed)
        got = recv_all(s)
    elif mode == "both":
        t = threading.Thread(target=send_and_shut, args=(s, data, a.seed))
        t.start()
        got = recv_all(s)
        t.join()
    elif mode == "server":
        send_chunks(s, data, a.seed)
        got = recv_all(s)           # until the server's FIN
    else:                           # client, rst
        send_chunks(s, data, a.seed)
        got = recv_exact(s, a.reply)
        if mode == "rst":
            wait_acked(s)
            time.sleep(0.3)         # let our last ACK go out too
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
    s.close()
    report("client", data, got, ends if a.save else None, a.save, mode)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["server", "client"])
    ap.add_argument("addr")
    ap.add_argument("port", type=int)
    ap.add_argument("--send", type=int, default=100000)
    ap.add_argument("--reply", type=int, default=100000)
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--close", default="half",
                    choices=["half", "client", "server", "both", "rst"])
    ap.add_argument("--expect", type=int, default=None)
    ap.add_argument("--save", default=None)
    ap.add_argument("--parallel", action="store_true")
    a = ap.parse_args()
    family = socket.AF_INET6 if ":" in a.addr else socket.AF_INET
    if a.mode == "server":
        if a.close in ("client", "server", "rst") and a.expect is None:
            ap.error("--close %s needs --expect" % a.close)
        ls = socket.socket(family, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((a.addr, a.port))
        ls.listen(64)
        threads = []
        for i in range(a.count):
            s, _ = ls.accept()
            if a.parallel:
                t = threading.Thread(target=serve_one, args=(s, a, i))
                t.start()
                threads.append(t)
            else:
                serve_one(s, a, i)
        for t in threads:
            t.join()
    else:
        client(a)


if __name__ == "__main__":
    main()
