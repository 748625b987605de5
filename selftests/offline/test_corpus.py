#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""flowdump against the public suricata-verify captures in ../shared/corpus,
asserting the outcome that corpus/README.md documents for each. TAP output.

Skipped as a whole (1..0 # SKIP) when the corpus folder is absent; a
missing flowdump fails every row. Where a documented outcome is about an
event Suricata logs and flowdump's output cannot show, a '# ' line says so
and nothing is counted for it.

Expected bytes come from the documented outcome, from the corpus's own
expected files (output-tcp-data), or from the capture's packets themselves
("the payloads of direction X laid at their sequence numbers"), which is
what those captures were made to contain.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_crafted as tc  # noqa: E402  (Tap, flowdump runner, naming)
from scapy.layers.inet import IP, TCP  # noqa: E402
from scapy.layers.inet6 import IPv6  # noqa: E402
from scapy.utils import rdpcap  # noqa: E402

CORPUS = os.environ.get("MOS_CORPUS", os.path.join(
    os.path.dirname(tc.SRC), "shared", "corpus"))
SV = os.path.join(CORPUS, "suricata-verify")
WORK = os.path.join(tc.BUILD, "offline", "corpus")


def pcap_of(test):
    d = os.path.join(SV, test)
    return os.path.join(d, sorted(f for f in os.listdir(d)
                                  if f.endswith(".pcap"))[0])


def placed(pcap, src, dst):
    """Bytes sent by endpoint src=(ip, port) to dst, each TCP payload laid
    at its sequence number (first copy wins, RST payloads left out, SYN payload
    kept as TCP Fast Open data), holes as zeros. Offset 0 is ISN+1 when the
    SYN is in the capture, else the lowest data sequence number."""
    segs, isn = [], None
    for p in rdpcap(pcap):
        ip = p.getlayer(IP) or p.getlayer(IPv6)
        if ip is None or TCP not in p:
            continue
        t = p[TCP]
        if (ip.src, t.sport, ip.dst, t.dport) != src + dst or t.flags.R:
            continue
        data = bytes(t.payload)
        if IP in p:         # drop Ethernet padding: trust the IP length
            data = data[:max(0, p[IP].len - 4 * p[IP].ihl - 4 * t.dataofs)]
        if t.flags.S:
            isn = t.seq
            if data:
                segs.append((t.seq + 1, data))
        elif data:
            segs.append((t.seq, data))
    if not segs:
        return b""
    base = (isn + 1) if isn is not None else min(s for s, _ in segs)
    buf, have = bytearray(), []
    for seq, data in segs:
        off = (seq - base) % (1 << 32)
        if off + len(data) > len(buf):
            buf.extend(b"\0" * (off + len(data) - len(buf)))
            have.extend([False] * (off + len(data) - len(have)))
        for i, b in enumerate(data):
            if not have[off + i]:
                buf[off + i], have[off + i] = b, True
    return bytes(buf)


def parse_tcp_data_log(path):
    """Suricata's tcp-data.log (hexdump per direction, headed by
    'SRCIP_SPORT-DSTIP_DPORT-ts:' or '-tc:') -> {(flow, 'ts'|'tc'): bytes}
    in the order the chunks were logged."""
    out, key = {}, None
    with open(path) as f:
        for line in f:
            m = re.match(r"^(\S+)_(\d+)-(\S+)_(\d+)-(ts|tc):\s*$", line)
            if m:
                cli = (m.group(1), int(m.group(2)))
                srv = (m.group(3), int(m.group(4)))
                key = ((cli, srv), m.group(5))
                out.setdefault(key, b"")
                continue
            m = re.match(r"^ [0-9A-F]{4}  ((?:[0-9A-F]{2} {1,2}){1,16})", line)
            if m and key:
                out[key] += bytes.fromhex(m.group(1).replace(" ", ""))
    return out


class Row:
    """One flowdump run of one corpus capture and its checks."""

    def __init__(self, tap, test, args=(), label="", pcap=None):
        self.tap, self.test, self.args = tap, test, list(args)
        self.name = test + ("[%s]" % label if label else "")
        self.pcap = pcap or pcap_of(test)
        self.outdir = os.path.join(WORK, self.name.replace("[", ".")
                                   .replace("]", ""))
        rc, log = tc.run_flowdump(self.pcap, self.outdir, self.args)
        self.ok = tap.check(rc == 0, "%s: flowdump %sexits 0" % (
            self.name, "".join(a + " " for a in self.args)),
            "exit status %s\n%s" % (rc, log))
        self.recs = []
        if self.ok:
            recs, why = tc.load_records(self.outdir)
            self.ok = tap.check(recs is not None, "%s: flows.jsonl readable"
                                % self.name, why)
            self.recs = recs or []

    def rec(self, cli, srv=None):
        """The records whose client is cli (and server srv, if given)."""
        return [r for r in self.recs if tc.same_ep(r.get("client"), cli)
                and (srv is None or tc.same_ep(r.get("server"), srv))]

    def data(self, rec, key):
        name = rec.get(key)
        return None if name is None else tc.craft.read_out(
            self.outdir, os.path.basename(name))

    def check(self, ok, what, diag=""):
        if self.ok:
            return self.tap.check(ok, "%s: %s" % (self.name, what), diag)
        return False

    def stream(self, cli, srv, c2s=None, s2c=None, fields=None, pred=None):
        """One connection (the first with these roles): content of the
        directions given (b"" = no file), fields exact, pred ops."""
        recs = self.rec(cli, srv)
        if not self.check(bool(recs), "record %s:%d > %s:%d" % (cli + srv),
                          "records: %s" % self.recs[:3]):
            return None
        r = recs[0]
        for key, want in (("c2s_file", c2s), ("s2c_file", s2c)):
            if want is None:
                continue
            got = self.data(r, key)
            if want == b"":
                self.check(got is None, "%s: no data" % key, repr(got)[:80])
            else:
                self.check(got == want, "%s: %d bytes exact"
                           % (key, len(want)), "no file" if got is None
                           else tc.first_diff(got, want))
        for k, v in (fields or {}).items():
            self.check(r.get(k) == v, "%s = %s" % (k, v), "got %r" % r.get(k))
        for k, (op, v) in (pred or {}).items():
            x = r.get(k)
            self.check(isinstance(x, (int, str)) and tc.OPS[op](x, v),
                       "%s %s %r" % (k, op, v), "got %r" % x)
        return r


def main():
    if not os.path.isdir(SV):
        print("1..0 # SKIP corpus absent (%s)" % SV)
        return 0
    tap = tc.Tap()
    os.makedirs(WORK, exist_ok=True)
    if not os.access(tc.FLOWDUMP, os.X_OK):
        tap.comment("%s missing: every row fails" % tc.FLOWDUMP)
    note = tap.comment
    C, S = ("1.1.1.1", 12345), ("2.2.2.2", 8080)

    # Same-sequence GOOD then EVIL, both before the ACK.
    for pol in (None, "first", "bsd", "windows"):
        r = Row(tap, "eve-overlap-payload-01",
                ["--overlap", pol] if pol else [], pol or "default")
        r.stream(C, S, c2s=b"GOOD", fields={"end": "eof"},
                 pred={"rexmit_inconsistent": (">=", 1)})
    r = Row(tap, "eve-overlap-payload-02-policy-oldlinux",
            ["--overlap", "old-linux"])
    r.stream(C, S, c2s=b"EVIL", pred={"rexmit_inconsistent": (">=", 1)})
    # "XXX" at seq+1 ends with GOOD: old data wins for every policy but last.
    for pol in (None, "old-linux"):
        r = Row(tap, "eve-overlap-payload-04-partial-overlap",
                ["--overlap", pol] if pol else [], pol or "default")
        r.stream(C, S, c2s=b"GOOD")

    r = Row(tap, "eve-payload-05-tcp-data-gap")
    r.stream(C, S, c2s=b"VERY\0\0\0\0DATA",
             fields={"c2s_gap_bytes": 4, "c2s_bytes": 8})
    r = Row(tap, "eve-payload-06-tcp-data-leading-gap")
    r.stream(C, S, c2s=b"\0\0\0\0GOODDATA",
             fields={"c2s_gap_bytes": 4, "c2s_bytes": 8})

    # output-tcp-data: Suricata's own byte-exact per-direction log.
    r = Row(tap, "output-tcp-data",
            pcap=os.path.join(SV, "lua-output-http", "input.pcap"))
    log = parse_tcp_data_log(os.path.join(SV, "output-tcp-data", "expected",
                                          "tcp-data.log"))
    for (cli, srv) in sorted({k[0] for k in log}):
        r.stream(cli, srv, c2s=log.get(((cli, srv), "ts"), b""),
                 s2c=log.get(((cli, srv), "tc"), b""))

    # PAWS evasion: the RST and FIN with bad timestamps are not taken; the
    # HTTP exchange after them is whole.
    for t, cli in (("bug-3286-02-linux-evasion", ("192.168.1.43", 35532)),
                   ("bug-3286-03-windows-evasion", ("192.168.1.27", 58432))):
        r = Row(tap, t)
        p, srv = r.pcap, ("192.168.1.90", 80)
        recs = r.rec(cli, srv)
        r.check(len(recs) == 1 and recs[0].get("invalid", 0) >= 2,
                "one connection; packets 2 and 3 counted invalid",
                "%s" % [x.get("invalid") for x in recs])
        want = (placed(p, cli, srv), placed(p, srv, cli))
        got = [(r.data(x, "c2s_file"), r.data(x, "s2c_file"))
               for x in r.rec(cli, srv)]
        r.check(want in got, "HTTP request (%d) and response (%d) whole"
                % (len(want[0]), len(want[1])),
                "got sizes %s" % [(len(a or b""), len(b or b""))
                                  for a, b in got])

    for t in ("tcp-split-handshake-01-4whs", "tcp-split-handshake-02-5whs"):
        r = Row(tap, t)
        r.stream(("1.1.1.1", 12345), ("2.2.2.2", 80), c2s=b"EVIL")

    r = Row(tap, "tcp-urgp-01-oob")
    note("tcp-urgp-01-oob: inline vs out-of-band urgent byte is a policy; "
         "either form of the stream is accepted")
    cli, srv = ("10.10.10.44", 43950), ("10.10.10.55", 9090)
    full = placed(r.pcap, cli, srv)
    recs = r.rec(cli, srv)
    got = r.data(recs[0], "c2s_file") if recs else None
    r.check(got in (full, full[:10] + full[11:]),
            "c2s is the request, urgent byte inline or left out",
            "got %r" % (got[:40] if got else got))
    r.stream(cli, srv, s2c=placed(r.pcap, srv, cli))

    # Data never ACKed, then RST (with 13 bytes of payload): the unACKed
    # data is reassembled without a gap, the RST payload is not data.
    for t in ("tcp-rst-unacked-stream-01-raw", "bug-6244-tcp-rst-with-data"):
        r = Row(tap, t)
        r.stream(C, S, c2s=b"", s2c=b"Please Let Me In!",
                 fields={"end": "rst", "s2c_gap_bytes": 0, "c2s_bytes": 0})

    # The injected RST carries a TCP-MD5 option the connection never
    # negotiated: it is reported (rst_ignored) and the session goes on to
    # deliver both directions whole. The capture's last packet is a real,
    # in-window RST from the client after the FINs, so end is rst.
    r = Row(tap, "security-4710-01")
    cli, srv = ("192.168.111.128", 56369), ("192.168.112.136", 80)
    r.stream(cli, srv, c2s=placed(r.pcap, cli, srv),
             s2c=placed(r.pcap, srv, cli),
             pred={"rst_ignored": (">=", 1)})

    cli, srv = ("10.16.1.11", 54186), ("82.165.177.154", 80)
    r = Row(tap, "alert-testmyids-midstream", ["--midstream"], "midstream")
    r.stream(cli, srv, c2s=b"", s2c=placed(r.pcap, srv, cli),
             fields={"roles": "guessed"})
    r = Row(tap, "alert-testmyids-midstream", [], "no-midstream")
    r.check(r.recs == [], "no connection without --midstream",
            "%d records" % len(r.recs))

    r = Row(tap, "tcp-async-01", ["--one-sided"], "one-sided")
    cli, srv = ("10.0.1.150", 55774), ("123.125.50.47", 143)
    r.stream(cli, srv, s2c=placed(r.pcap, srv, cli))

    r = Row(tap, "tcp-fastopen-01")
    cli, srv = ("10.99.99.1", 55534), ("10.99.99.45", 80)
    syn_data = placed(r.pcap, cli, srv)
    r.check(len(syn_data) == 86, "(capture) SYN carries 86 bytes",
            "%d" % len(syn_data))
    r.stream(cli, srv, c2s=syn_data, s2c=placed(r.pcap, srv, cli))

    # The SYN and the GET request carry bad TCP checksums.
    needle = b"AllWorkAndNoPlay"
    for mode, present in (("on", False), ("off", True)):
        r = Row(tap, "detect-chksum-01", ["--checksum", mode, "--midstream"],
                mode)
        found = any(needle in (r.data(x, "c2s_file") or b"")
                    for x in r.recs)
        r.check(found == present, "bad-checksum request %s the stream"
                % ("in" if present else "not in"))

    r = Row(tap, "tcp-stream-after-swap", ["--midstream"])
    cli, srv = ("172.16.9.181", 38498), ("172.16.9.189", 80)
    r.stream(cli, srv, c2s=placed(r.pcap, cli, srv),
             s2c=placed(r.pcap, srv, cli),
             fields={"c2s_bytes": 344, "s2c_bytes": 773})

    # Packet 17 (14 response bytes, ACKed by the client) was removed.
    r = Row(tap, "http-gap-simple")
    cli, srv = ("127.0.0.1", 51297), ("127.0.0.1", 8080)
    r.stream(cli, srv, c2s=placed(r.pcap, cli, srv),
             s2c=placed(r.pcap, srv, cli),
             fields={"s2c_gap_bytes": 14})

    r = Row(tap, "tcp-empty-sack")
    cli, srv = ("192.168.0.54", 49506), ("17.173.66.179", 443)
    r.stream(cli, srv, c2s=placed(r.pcap, cli, srv),
             s2c=placed(r.pcap, srv, cli))

    print("1..%d" % tap.n)
    return 1 if tap.failed or tap.n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
