#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Host side of the ground-truth test: compare flowdump's output on the
captures capture-guest.sh made with the bytes the endpoints really sent.

    ground_truth.py LIVE_DIR [FIRST_TAP_NUMBER]

LIVE_DIR holds manifest.json, RUN.pcap and RUN/{c2s,s2c}-*.bin. For every
run: flowdump -r RUN.pcap -o LIVE_DIR/out-RUN (default options), then for
every connection both directions byte for byte, no gap, and `end` (rst for
the connections the client aborted, fin for the others).

Before blaming flowdump, each run's capture is checked on its own: every
sent byte must be in it (payloads laid at their sequence numbers, read by
the small pcap reader below). If that fails, the capture - not flowdump -
is wrong, and the TAP line says so.
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_crafted as tc  # noqa: E402  (Tap, flowdump runner, naming)


def read_pcap(path):
    """{(src, sport, dst, dport): [(flags, seq, payload)]} of an Ethernet,
    Linux cooked or raw-IP pcap (what tcpdump -i IF writes)."""
    flows = {}
    with open(path, "rb") as f:
        hdr = f.read(24)
        magic = struct.unpack("<I", hdr[:4])[0]
        end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        link = struct.unpack(end + "I", hdr[20:24])[0]
        while True:
            rh = f.read(16)
            if len(rh) < 16:
                break
            caplen = struct.unpack(end + "IIII", rh)[2]
            pkt = f.read(caplen)
            if link == 1:
                et, off = struct.unpack("!H", pkt[12:14])[0], 14
                while et in (0x8100, 0x88A8):
                    et, off = struct.unpack("!H", pkt[off + 2:off + 4])[0], \
                        off + 4
            elif link == 113:
                et, off = struct.unpack("!H", pkt[14:16])[0], 16
            else:
                et, off = (0x86DD if pkt[0] >> 4 == 6 else 0x0800), 0
            ip = pkt[off:]
            if et == 0x0800 and len(ip) >= 20 and ip[9] == 6:
                ihl, tot = (ip[0] & 15) * 4, struct.unpack("!H", ip[2:4])[0]
                src, dst = ip[12:16], ip[16:20]
                tcp = ip[ihl:tot]
            elif et == 0x86DD and len(ip) >= 40 and ip[6] == 6:
                plen = struct.unpack("!H", ip[4:6])[0]
                src, dst = ip[8:24], ip[24:40]
                tcp = ip[40:40 + plen]
            else:
                continue
            if len(tcp) < 20:
                continue
            sport, dport, seq = struct.unpack("!HHI", tcp[:8])
            doff, flags = (tcp[12] >> 4) * 4, tcp[13]
            key = (bytes(src), sport, bytes(dst), dport)
            flows.setdefault(key, []).append((flags, seq, tcp[doff:]))
    return flows


def ep_key(text):
    a, port = tc.parse_ep(text)
    return a.packed, port


def captured_stream(flows, src, dst, size):
    """What the capture holds of src -> dst: bytes laid from ISN+1, and the
    count of sent-size positions no captured segment covered."""
    segs = flows.get(ep_key(src) + ep_key(dst), [])
    isn = next((s for fl, s, _ in segs if fl & 0x02), None)
    if isn is None:
        return None, size
    buf, have = bytearray(size), bytearray(size)
    for fl, seq, data in segs:
        if fl & 0x04 or not data:      # RST payload is not data
            continue
        off = (seq - isn - 1) % (1 << 32)
        if fl & 0x02:
            off = 0
        n = max(0, min(len(data), size - off))
        # Real endpoints resend the same bytes: laying a copy over another
        # changes nothing, and any difference shows in the comparison.
        buf[off:off + n] = data[:n]
        have[off:off + n] = b"\1" * n
    return bytes(buf), have.count(0)


def has_rst(flows, c):
    """Whether either endpoint of connection c sent a RST in the capture."""
    a, b = ep_key(c["client"]), ep_key(c["server"])
    return any(fl & 0x04 for key in (a + b, b + a)
               for fl, _, _ in flows.get(key, []))


def main():
    live = sys.argv[1]
    tap = tc.Tap()
    tap.n = int(sys.argv[2]) - 1 if len(sys.argv) > 2 else 0
    try:
        with open(os.path.join(live, "manifest.json")) as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        tap.check(False, "manifest.json readable", str(e))
        print("1..%d" % tap.n)
        return 1
    for run, info in sorted(manifest["runs"].items()):
        conns = info["connections"]
        pcap = os.path.join(live, info["pcap"])
        tap.check(len(conns) > 0 and all(c.get("complete") for c in conns),
                  "%s: %d connections, each side received what the other "
                  "sent" % (run, len(conns)),
                  json.dumps([c for c in conns if not c.get("complete")]))
        sent = {}
        for c in conns:
            for d in ("c2s", "s2c"):
                with open(os.path.join(live, c[d]), "rb") as f:
                    sent[c["id"], d] = f.read()
        # The capture on its own: does it hold every sent byte?
        flows = read_pcap(pcap)
        missing = []
        for c in conns:
            for d, a, b in (("c2s", c["client"], c["server"]),
                            ("s2c", c["server"], c["client"])):
                want = sent[c["id"], d]
                got, holes = captured_stream(flows, a, b, len(want))
                if holes or (want and got != want):
                    missing.append("%s %s: %d bytes not captured%s" % (
                        c["id"], d, holes,
                        "" if holes or got == want else ", content differs"))
        tap.check(not missing, "%s: the capture holds every sent byte "
                  "(%d flow directions)" % (run, len(flows)),
                  "\n".join(missing[:10]))

        outdir = os.path.join(live, "out-" + run)
        rc, log = tc.run_flowdump(pcap, outdir, [])
        if not tap.check(rc == 0, "%s: flowdump -r %s exits 0"
                         % (run, info["pcap"]), "status %s\n%s" % (rc, log)):
            continue
        recs, why = tc.load_records(outdir)
        if not tap.check(recs is not None, "%s: flows.jsonl readable" % run,
                         why):
            continue
        for c in conns:
            name = "%s %s %s>%s" % (run, c["close"], c["client"], c["server"])
            mine = [r for r in recs
                    if tc.parse_ep(r.get("client")) == tc.parse_ep(c["client"])
                    and tc.parse_ep(r.get("server")) ==
                    tc.parse_ep(c["server"])]
            if not tap.check(len(mine) == 1, "%s: one record" % name,
                             "%d records" % len(mine)):
                continue
            r = mine[0]
            cli, srv = tc.parse_ep(c["client"]), tc.parse_ep(c["server"])
            cli, srv = (str(cli[0]), cli[1]), (str(srv[0]), srv[1])
            for d, a, b in (("c2s", cli, srv), ("s2c", srv, cli)):
                want = sent[c["id"], d]
                fname = tc.file_name(a, b)
                got = tc.craft.read_out(outdir, fname)
                if not want:
                    tap.check(got is None and r.get(d + "_file") is None,
                              "%s: %s carried nothing: no file" % (name, d),
                              "file %s, %s_file %r" % (
                                  got is not None, d, r.get(d + "_file")))
                    continue
                tap.check(got == want, "%s: %s = the %d bytes sent"
                          % (name, d, len(want)),
                          "no file %s" % fname if got is None
                          else tc.first_diff(got, want))
            gaps = (r.get("c2s_gap_bytes"), r.get("s2c_gap_bytes"))
            tap.check(gaps == (0, 0), "%s: no gap" % name, "gaps %s" % (gaps,))
            if c["close"] == "rst":
                tap.check(r.get("end") == "rst", "%s: end = rst" % name,
                          "got %r" % r.get("end"))
            elif has_rst(flows, c):
                # An endpoint really sent a RST after the FINs (e.g. a
                # late duplicate ACK hitting a socket already gone):
                # either word describes the end.
                tap.check(r.get("end") in ("fin", "rst"),
                          "%s: end = fin or rst (the capture has a late "
                          "RST)" % name, "got %r" % r.get("end"))
            else:
                tap.check(r.get("end") == "fin", "%s: end = fin" % name,
                          "got %r" % r.get("end"))
    print("1..%d" % tap.n)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
