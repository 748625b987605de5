#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""strsearch -r on a crafted capture: patterns cut by segment boundaries
in both directions, out-of-order segments and retransmissions (a match
in retransmitted bytes is reported once), a gap that a pattern straddles
(it must not match; a pattern after the gap does, at its stream offset),
IPv6, an end-anchored regex, literal (-F) and caseless (-i) modes,
patterns from a file and from -e. The expected matches are found in the
bytes put in the capture, one contiguous run (between gaps) at a time.
Then the command line. TAP; exit 1 on failure. Environment: BUILD
(default <repo>/build)."""
import os
import re

import samples_lib as sl
from samples_lib import craft

STRSEARCH = sl.binary("strsearch")
SRV = ("10.0.0.2", 80)
# The pattern file (regular expressions); -e HAYSTACK comes after it.
FILE_PATTERNS = [b"NEEDLE", b"SPLIT-ME", b"WHOLE", b"STRADDLE",
                 b"AFTERGAP", b"V6PATTERN", rb"GET /[a-z]+ HTTP", b"TAIL$",
                 b"N.EDLE"]
E_PATTERN = b"HAYSTACK"


def conn(cap, port, cli="10.0.0.1", srv=SRV):
    return craft.Conn(cap, (cli, port), srv, isn_c=1000 * port,
                      isn_s=7000 * port)


def ep_text(ep):
    return ("[%s]:%d" if ":" in ep[0] else "%s:%d") % ep


def fill(seed, n):
    """Filler bytes that cannot form any of the patterns (no letters)."""
    return bytes(b if not (0x40 <= b < 0x80) else b ^ 0xC0
                 for b in craft.rbytes(seed, n))


class Streams:
    """The contiguous runs of bytes each direction of each connection
    delivers: {(client, server, dir): [(offset, bytes)]}; the end of the
    streams that end with a FIN."""

    def __init__(self):
        self.runs = {}
        self.closed = set()

    def key(self, c, frm):
        return (ep_text(c.ep["c"]), ep_text(c.ep["s"]),
                "c2s" if frm == "c" else "s2c")

    def add(self, c, frm, off, data):
        runs = self.runs.setdefault(self.key(c, frm), [])
        if runs and runs[-1][0] + len(runs[-1][1]) == off:
            runs[-1] = (runs[-1][0], runs[-1][1] + data)
        else:
            runs.append((off, data))

    def expect(self, patterns, literal=False, caseless=False):
        """Sorted (client, server, dir, id, end) of every match."""
        out = []
        flags = re.I if caseless else 0
        for k, runs in self.runs.items():
            for pid, p in enumerate(patterns):
                if p.endswith(b"$") and not literal:
                    # only where the stream ends (closed by a FIN)
                    off, data = runs[-1]
                    if k in self.closed and data.endswith(p[:-1]):
                        out.append(k + (pid, off + len(data)))
                    continue
                rx = re.compile(re.escape(p) if literal else p, flags)
                for off, data in runs:
                    # every end offset where a match ends (overlaps too)
                    for i in range(len(data)):
                        m = rx.match(data, i)
                        if m:
                            out.append(k + (pid, off + m.end()))
        return sorted(set(out))


def build(path):
    cap = craft.Capture()
    st = Streams()

    def send(c, frm, data, cuts):
        """data at the sender's next offset, in segments cut at cuts."""
        base = c.nxt[frm] - c.seq_of(frm, 0)
        bounds = [0] + list(cuts) + [len(data)]
        for a, b in zip(bounds, bounds[1:]):
            c.pkt(frm, "PA", data=data[a:b])
        c.ack(c.other(frm))
        st.add(c, frm, base, data)

    # Cut inside patterns, both directions; a regex over a boundary;
    # lower case and a literal dot for -i and -F.
    c = conn(cap, 40001)
    c.handshake()
    up = (fill(1, 500) + b"NEEDLE" + fill(2, 300) + b"needle" + fill(3, 40) +
          b"xyz GET /abc HTTP/1.1" + fill(4, 70) + b"N.EDLE" + fill(5, 9))
    send(c, "c", up, [503, 820, 840, 851, 900])
    down = fill(6, 1000) + b"HAYSTACK" + fill(7, 10) + b"NEEDLE" + fill(8, 3)
    send(c, "s", down, [1004, 1005, 1006])
    send(c, "c", b"HAYSTACK" + fill(9, 20), [1, 2, 3, 4, 5, 6, 7])
    c.fin_close("c")

    # Out of order, duplicated, retransmitted after the ACK.
    c = conn(cap, 40002)
    c.handshake()
    d = (fill(10, 995) + b"SPLIT-ME" + fill(11, 1200) + b"WHOLE" +
         fill(12, 1800))
    segs = [(i, d[i:i + 1000]) for i in range(0, len(d), 1000)]
    for k in (0, 2, 1, 2, 3):
        c.pkt("c", "PA", off=segs[k][0], data=segs[k][1])
    c.nxt["c"] = c.seq_of("c", len(d))
    c.ack("s")
    c.pkt("c", "PA", off=segs[2][0], data=segs[2][1])
    c.ack("s")
    st.add(c, "c", 0, d)
    send(c, "s", fill(13, 700) + b"SPLIT-ME", [702])
    c.fin_close("s")

    # A gap: STRAD | 50 missing bytes | DLE...AFTERGAP. Scanned without a
    # reset, the stream would read STRADDLE.
    c = conn(cap, 40003)
    c.handshake()
    a = fill(14, 100) + b"STRAD"
    b = b"DLE" + fill(15, 30) + b"AFTERGAP" + fill(16, 5)
    c.pkt("c", "PA", off=0, data=a)
    c.pkt("c", "PA", off=len(a) + 50, data=b)
    c.nxt["c"] = c.seq_of("c", len(a) + 50 + len(b))
    c.ack("s")
    st.add(c, "c", 0, a)
    st.add(c, "c", len(a) + 50, b)
    send(c, "s", b"NEEDLE", [3])
    send(c, "c", b"TAIL" + fill(17, 10) + b"TAIL", [2, 7])
    c.fin_close("c")
    st.closed.add(st.key(c, "c"))

    # IPv6, both ways
    c = conn(cap, 40004, "fd00::1", ("fd00::2", 8080))
    c.handshake()
    send(c, "c", fill(18, 60) + b"V6PATTERN" + fill(19, 6), [64])
    send(c, "s", b"V6PATTERN" * 3, [9, 10, 20])
    c.fin_close("s")

    cap.write(path)
    return st


def check_run(tap, argv, want, label):
    rc, out, err = sl.run([STRSEARCH] + argv)
    tap.check(rc == 0 and not err, "%s: exits 0, silent on stderr" % label,
              "rc=%d %s" % (rc, err))
    recs = sl.json_lines(out)
    if not tap.check(recs is not None and all(
            sorted(r) == ["client", "dir", "end", "id", "server"]
            for r in recs), "%s: JSON lines of client, server, dir, id, end"
            % label, out[:500]):
        return
    got = sorted((r["client"], r["server"], r["dir"], r["id"], r["end"])
                 for r in recs)
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    tap.check(not missing and not extra and len(got) == len(set(got)),
              "%s: the %d matches the streams hold, each once" % (
                  label, len(want)),
              "missing %s\nextra %s\nduplicates %d" % (
                  missing[:5], extra[:5], len(got) - len(set(got))))
    return got


def main():
    tap = sl.Tap()
    work = sl.workdir("strsearch")
    pcap = os.path.join(work, "strsearch.pcap")
    st = build(pcap)
    pfile = os.path.join(work, "patterns.txt")
    with open(pfile, "wb") as f:
        # CRLF and an empty line: neither is part of a pattern
        f.write(b"\r\n".join(FILE_PATTERNS[:3]) + b"\r\n\n" +
                b"\n".join(FILE_PATTERNS[3:]) + b"\n")
    pats = FILE_PATTERNS + [E_PATTERN]
    want = st.expect(pats)
    got = check_run(tap, ["-r", pcap, "-p", pfile, "-e", E_PATTERN.decode()],
                    want, "regex")

    def has(cli, d, pid):
        return any(g[0] == cli and g[2] == d and g[3] == pid
                   for g in got or [])
    ids = {p: i for i, p in enumerate(pats)}
    tap.check(has("10.0.0.1:40001", "c2s", ids[b"NEEDLE"]) and
              has("10.0.0.1:40001", "s2c", ids[b"NEEDLE"]) and
              has("10.0.0.1:40001", "c2s", ids[rb"GET /[a-z]+ HTTP"]),
              "cut patterns found in both directions")
    tap.check(not has("10.0.0.1:40003", "c2s", ids[b"STRADDLE"]) and
              has("10.0.0.1:40003", "c2s", ids[b"AFTERGAP"]),
              "no match across the gap; one after it")
    tap.check(has("10.0.0.1:40003", "c2s", ids[b"TAIL$"]),
              "TAIL$ matches where the stream ends")
    tap.check(has("[fd00::1]:40004", "s2c", ids[b"V6PATTERN"]),
              "IPv6 connection searched")

    lit = [b"N.EDLE", b"TAIL$", b"SPLIT-ME"]
    check_run(tap, ["-r", pcap, "-F"] + sum(
        (["-e", p.decode()] for p in lit), []),
        st.expect(lit, literal=True), "-F")
    check_run(tap, ["-r", pcap, "-i", "-e", "needle", "-e", "haystack"],
              st.expect([b"needle", b"haystack"], caseless=True), "-i")
    check_run(tap, ["-r", pcap, "-f", "tcp port 8080", "-p", pfile],
              [w for w in st.expect(FILE_PATTERNS) if w[0].startswith("[")],
              "-f 'tcp port 8080'")

    rc, out, err = sl.run([STRSEARCH, "-h"])
    tap.check(rc == 0 and out.startswith("usage: strsearch"),
              "-h: usage on stdout, exit 0", out + err)
    for argv, code, name in (
            (["-r", pcap], 2, "no pattern"),
            (["-x", "-e", "a"], 2, "unknown option"),
            (["-e", "a", "-r", pcap, "stray"], 2, "stray argument"),
            (["-e", "(", "-r", pcap], 1, "bad regex"),
            (["-p", os.path.join(work, "missing.txt"), "-r", pcap], 1,
             "unreadable pattern file"),
            (["-e", "a", "-r", os.path.join(work, "missing.pcap")], 1,
             "unreadable capture"),
            (["-e", "a", "-r", pcap, "-f", "port ((("], 1, "bad filter")):
        rc, out, err = sl.run([STRSEARCH] + argv)
        lines = err.strip().splitlines()
        tap.check(rc == code and not out and
                  (code == 2 or (len(lines) == 1 and
                                 lines[0].startswith("strsearch: "))),
                  "%s: exit %d%s" % (name, code, "" if code == 2 else
                                     ", one line on stderr"),
                  "rc=%d out=%r err=%r" % (rc, out, err))
    tap.done()


if __name__ == "__main__":
    main()
