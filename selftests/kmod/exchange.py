#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Two-way TCP exchange with known content, for tests with ground truth.

server: accept COUNT connections; from each, read until EOF, then send
        --reply bytes and close. Prints one JSON line per connection.
client: connect, send --send bytes in seeded random write sizes, shut
        down writing, read until EOF. Prints one JSON line.
The bytes are a seeded pseudo-random stream, so both ends (and later a
monitor's reassembled output) can be compared with what was really sent.
"""
import argparse
import hashlib
import json
import random
import socket


def payload(seed, size):
    return random.Random(seed).randbytes(size)


def send_chunks(sock, data, seed):
    rnd = random.Random(seed ^ 0x5EED)
    off = 0
    while off < len(data):
        n = rnd.randint(1, 16384)
        sock.sendall(data[off:off + n])
        off += n


def recv_all(sock):
    chunks = []
    while True:
        b = sock.recv(65536)
        if not b:
            return b"".join(chunks)
        chunks.append(b)


def report(role, sent, received):
    print(json.dumps({"role": role, "sent": len(sent),
                      "sent_sha256": hashlib.sha256(sent).hexdigest(),
                      "received": len(received),
                      "received_sha256": hashlib.sha256(received).hexdigest()}),
          flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["server", "client"])
    ap.add_argument("addr")
    ap.add_argument("port", type=int)
    ap.add_argument("--send", type=int, default=100000)
    ap.add_argument("--reply", type=int, default=100000)
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    family = socket.AF_INET6 if ":" in a.addr else socket.AF_INET
    if a.mode == "server":
        ls = socket.socket(family, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((a.addr, a.port))
        ls.listen(16)
        for i in range(a.count):
            s, _ = ls.accept()
            got = recv_all(s)
            data = payload(a.seed + 1000 + i, a.reply)
            send_chunks(s, data, a.seed + 1000 + i)
            s.close()
            report("server", data, got)
    else:
        s = socket.create_connection((a.addr, a.port), timeout=60)
        data = payload(a.seed, a.send)
        send_chunks(s, data, a.seed)
        s.shutdown(socket.SHUT_WR)
        got = recv_all(s)
        s.close()
        report("client", data, got)


if __name__ == "__main__":
    main()
