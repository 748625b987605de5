#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Long-lived TCP connections whose fate a test can read, for the flow
control tests (test_flow_ctl.sh). Every line printed is one JSON object.

server ADDR PORT   accept connections; echo what each sends. Prints
                   {"event": "accepted", "peer_port": P} per connection and,
                   when one ends, {"event": "reset"|"eof", "peer_port": P}.
client ADDR PORT   connect, then ping-pong 100 bytes every --interval
                   seconds. Prints {"event": "connected", "port": P} once
                   the first reply came back, then how it ended:
                   "reset" (ECONNRESET/EPIPE), "eof", or "stall" when a
                   reply took longer than --stall seconds.
                   With --idle: one ping-pong, then silence until killed.
many ADDR PORT N   open N connections, one ping-pong each, print
                   {"event": "ready", "ports": [...]}, hold until killed.
"""
import argparse
import json
import socket
import sys
import threading
import time


def say(**kw):
    print(json.dumps(kw), flush=True)


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def serve_one(conn, peer_port):
    say(event="accepted", peer_port=peer_port)
    try:
        while True:
            b = conn.recv(65536)
            if not b:
                say(event="eof", peer_port=peer_port)
                return
            conn.sendall(b)
    except (ConnectionResetError, BrokenPipeError):
        say(event="reset", peer_port=peer_port)
    finally:
        conn.close()


def server(a):
    ls = socket.socket(family(a.addr), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.addr, a.port))
    ls.listen(512)
    while True:
        conn, peer = ls.accept()
        threading.Thread(target=serve_one, args=(conn, peer[1]),
                         daemon=True).start()


def ping(s, size=100):
    s.sendall(b"p" * size)
    got = 0
    while got < size:
        b = s.recv(size - got)
        if not b:
            return False
        got += len(b)
    return True


def client(a):
    s = socket.create_connection((a.addr, a.port), timeout=30)
    port = s.getsockname()[1]
    try:
        if not ping(s):
            say(event="eof", port=port)
            return
        say(event="connected", port=port)
        if a.idle:
            while True:
                time.sleep(3600)
        s.settimeout(a.stall)
        while True:
            time.sleep(a.interval)
            if not ping(s):
                say(event="eof", port=port)
                return
    except socket.timeout:
        say(event="stall", port=port)
    except (ConnectionResetError, BrokenPipeError):
        say(event="reset", port=port)


def many(a):
    socks = []
    for _ in range(a.count):
        s = socket.create_connection((a.addr, a.port), timeout=30)
        if not ping(s, 1):
            sys.exit("no echo")
        socks.append(s)
    say(event="ready", ports=[s.getsockname()[1] for s in socks])
    while True:
        time.sleep(3600)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["server", "client", "many"])
    ap.add_argument("addr")
    ap.add_argument("port", type=int)
    ap.add_argument("count", type=int, nargs="?", default=1)
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--stall", type=float, default=3.0)
    ap.add_argument("--idle", action="store_true")
    a = ap.parse_args()
    {"server": server, "client": client, "many": many}[a.mode](a)


if __name__ == "__main__":
    main()
