#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""abacus -r on a crafted capture with several subscribers: exact
retransmissions (before and after the ACK) are not charged twice; fake
retransmissions whose bytes differ from the original (the tunneling
attack), from a client and from a server, are reported with their
subscriber, connection, direction, offset and bytes. Then -s server, the
text output and the command line. Expected values come from how the
capture was built. TAP; exit 1 on failure. Environment: BUILD."""
import os

import samples_lib as sl
from samples_lib import craft

ABACUS = sl.binary("abacus")
R = craft.rbytes


def conn(cap, cli, srv):
    return craft.Conn(cap, cli, srv, isn_c=1000 * cli[1],
                      isn_s=3000 * cli[1])


def ep(e):
    return ("[%s]:%d" if ":" in e[0] else "%s:%d") % e


def build(path):
    """Write the capture; return (flows, abuses): per connection its
    client, server, bytes each way, retransmitted and abusive bytes."""
    cap = craft.Capture()
    flows, abuses = [], []

    def flow(c, c2s, s2c, rexmit, abuse_events, abuse_bytes, end):
        flows.append(dict(client=ep(c.ep["c"]), server=ep(c.ep["s"]),
                          c2s=c2s, s2c=s2c, rexmit=rexmit,
                          abuse_events=abuse_events,
                          abuse_bytes=abuse_bytes, end=end))

    def abuse(c, direction, off, n):
        abuses.append(dict(client=ep(c.ep["c"]), server=ep(c.ep["s"]),
                           direction=direction, off=off, bytes=n))

    # A1: honest; exact copies of a segment before its ACK (held) and
    # after it (delivered), both ways.
    c = conn(cap, ("10.0.0.1", 40001), ("10.0.0.9", 80))
    c.handshake()
    s1, s2, s3 = R(1, 1000), R(2, 1000), R(3, 1000)
    c.pkt("c", "PA", data=s1)
    c.pkt("c", "PA", data=s2)
    c.pkt("c", "PA", off=1000, data=s2)         # exact, held
    c.pkt("c", "PA", data=s3)
    c.ack("s")
    c.pkt("c", "PA", off=0, data=s1)            # exact, delivered
    c.ack("s")
    resp = R(4, 5000)
    c.pkt("s", "PA", data=resp[:1460])
    c.pkt("s", "PA", data=resp[1460:2920])
    c.pkt("s", "PA", off=1460, data=resp[1460:2920])    # exact, held
    c.pkt("s", "PA", data=resp[2920:])
    c.ack("c")
    c.fin_close("c")
    flow(c, 3000, 5000, 1000 + 1000 + 1460, 0, 0, "fin")

    # A2: the client hides 800 and then 500 bytes in fake retransmissions
    c = conn(cap, ("10.0.0.1", 40002), ("10.0.0.9", 443))
    c.handshake()
    c.pkt("c", "PA", data=R(5, 800))
    c.pkt("c", "PA", off=0, data=R(6, 800))     # differs: abuse
    c.ack("s")
    abuse(c, "c2s", 0, 800)
    c.data("c", R(7, 200))
    c.pkt("c", "PA", data=R(8, 600))
    c.pkt("c", "PA", off=1000, data=R(9, 500))  # differs: abuse
    c.ack("s")
    abuse(c, "c2s", 1000, 500)
    c.data("s", R(10, 300))
    c.fin_close("s")
    flow(c, 1600, 300, 1300, 2, 1300, "fin")

    # B1: another subscriber; an exact copy and a fake one from the
    # server (s2c), then a reset
    c = conn(cap, ("10.0.0.2", 40003), ("10.0.0.9", 80))
    c.handshake()
    c.data("c", R(11, 700))
    big = R(12, 9000)
    c.pkt("s", "PA", data=big[:1460])
    c.pkt("s", "PA", off=0, data=big[:1460])            # exact, held
    c.pkt("s", "PA", data=big[1460:4000])
    c.pkt("s", "PA", off=2000, data=R(13, 400))         # differs: abuse
    c.ack("c")
    abuse(c, "s2c", 2000, 400)
    c.data("s", big[4000:])
    c.rst("c")
    flow(c, 700, 9000, 1460 + 400, 1, 400, "rst")

    # C1: IPv6 subscriber, honest
    c = conn(cap, ("fd00::3", 40004), ("fd00::9", 80))
    c.handshake()
    c.data("c", R(14, 1234))
    c.data("s", R(15, 4321))
    flow(c, 1234, 4321, 0, 0, 0, "eof")

    # D1: a SYN only: an account with nothing charged
    c = conn(cap, ("10.0.0.4", 40005), ("10.0.0.9", 80))
    c.pkt("c", "S")
    flow(c, 0, 0, 0, 0, 0, "eof")

    cap.write(path)
    return flows, abuses


def addr_of(e):
    return e.rsplit(":", 1)[0].strip("[]")


def expected_totals(flows, side):
    """{subscriber: totals} when side ('client' or 'server') pays."""
    tot = {}
    for f in flows:
        who = addr_of(f[side])
        up, down = (f["c2s"], f["s2c"]) if side == "client" else \
            (f["s2c"], f["c2s"])
        t = tot.setdefault(who, dict(flows=0, up_bytes=0, down_bytes=0,
                                     charged_bytes=0, rexmit_bytes=0,
                                     gap_bytes=0, abuse_events=0,
                                     abuse_bytes=0, abuse_flows=0))
        t["flows"] += 1
        t["up_bytes"] += up
        t["down_bytes"] += down
        t["charged_bytes"] += up + down
        t["rexmit_bytes"] += f["rexmit"]
        t["abuse_events"] += f["abuse_events"]
        t["abuse_bytes"] += f["abuse_bytes"]
        t["abuse_flows"] += f["abuse_events"] > 0
    return tot


def records(tap, args, label):
    rc, out, err = sl.run([ABACUS] + args)
    tap.check(rc == 0 and not err, "%s: exits 0, silent on stderr" % label,
              "rc=%d %s" % (rc, err))
    recs = sl.json_lines(out)
    tap.check(recs is not None, "%s: every line is JSON" % label, out)
    return recs or []


def check_totals(tap, recs, want, label):
    got = {r["subscriber"]: {k: v for k, v in r.items()
                             if k not in ("type", "subscriber")}
           for r in recs if r.get("type") == "subscriber"}
    tap.check(sorted(got) == sorted(want), "%s: one total per subscriber"
              % label, "got %s, want %s" % (sorted(got), sorted(want)))
    for who, w in sorted(want.items()):
        g = got.get(who, {})
        diff = {k: (g.get(k), v) for k, v in w.items() if g.get(k) != v}
        tap.check(not diff, "%s: %s charged %d (up %d, down %d), abuse %d"
                  " bytes" % (label, who, w["charged_bytes"], w["up_bytes"],
                              w["down_bytes"], w["abuse_bytes"]),
                  "got, want: %s" % diff)


def main():
    tap = sl.Tap()
    if not tap.check(os.access(ABACUS, os.X_OK), "%s built" % ABACUS):
        tap.done()
    work = sl.workdir("abacus")
    pcap = os.path.join(work, "accounting.pcap")
    flows, abuses = build(pcap)

    recs = records(tap, ["-r", pcap, "-j"], "client pays")
    check_totals(tap, recs, expected_totals(flows, "client"), "client pays")
    got = [{k: v for k, v in r.items() if k not in ("type", "subscriber")}
           for r in recs if r.get("type") == "abuse"]
    tap.check(got == abuses, "every fake retransmission reported, in order, "
              "with connection, direction, offset and bytes",
              "got %s\nwant %s" % (got, abuses))
    subs = [r["subscriber"] for r in recs if r.get("type") == "abuse"]
    tap.check(subs == [addr_of(a["client"]) for a in abuses],
              "abuse charged to the client's account", subs)
    fl = [r for r in recs if r.get("type") == "flow"]
    tap.check(sorted(r["client"] for r in fl) ==
              sorted(f["client"] for f in flows if f["abuse_events"]),
              "without -f, a flow record for the abusive connections only",
              [r["client"] for r in fl])

    recs = records(tap, ["-r", pcap, "-j", "-f"], "-f")
    fl = {r["client"]: r for r in recs if r.get("type") == "flow"}
    tap.check(len(fl) == len(flows), "-f: a record per connection", fl)
    for f in flows:
        r = fl.get(f["client"], {})
        want = dict(server=f["server"], up_bytes=f["c2s"],
                    down_bytes=f["s2c"], charged_bytes=f["c2s"] + f["s2c"],
                    rexmit_bytes=f["rexmit"], abuse_events=f["abuse_events"],
                    abuse_bytes=f["abuse_bytes"], end=f["end"])
        diff = {k: (r.get(k), v) for k, v in want.items() if r.get(k) != v}
        tap.check(not diff, "-f: %s: %d up, %d down, %d rexmit, %d abuse, "
                  "end %s" % (f["client"], f["c2s"], f["s2c"], f["rexmit"],
                              f["abuse_bytes"], f["end"]),
                  "got, want: %s" % diff)

    recs = records(tap, ["-r", pcap, "-j", "-s", "server"], "server pays")
    check_totals(tap, recs, expected_totals(flows, "server"), "server pays")

    rc, out, err = sl.run([ABACUS, "-r", pcap])
    lines = out.splitlines()
    ab = [ln for ln in lines if ln.startswith("abuse: ")]
    tap.check(rc == 0 and len(ab) == len(abuses) and
              "10.0.0.1:40002 -> 10.0.0.9:443, c2s offset 1000: 500 bytes"
              in ab[1], "text: one abuse line per fake retransmission",
              out + err)
    row = [ln.split() for ln in lines if ln.startswith("10.0.0.1 ")]
    w = expected_totals(flows, "client")["10.0.0.1"]
    tap.check(row and row[0][1:] == [str(w[k]) for k in (
        "flows", "up_bytes", "down_bytes", "charged_bytes", "rexmit_bytes",
        "abuse_bytes", "abuse_flows")], "text: the subscriber's row", row)

    rc, out, err = sl.run([ABACUS, "-h"])
    tap.check(rc == 0 and out.startswith("usage: abacus") and not err,
              "-h: usage on stdout, exit 0", out + err)
    for args, name in ((["-x"], "unknown option"), (["-s"], "-s alone"),
                       (["-s", "both"], "-s both"),
                       (["extra"], "extra argument")):
        rc, out, err = sl.run([ABACUS] + args)
        tap.check(rc == 2 and not out and err.startswith("abacus: ") and
                  len(err.splitlines()) == 1, "%s: usage error, exit 2"
                  % name, "rc=%d %s" % (rc, err))
    rc, out, err = sl.run([ABACUS, "-r", os.path.join(work, "none.pcap")])
    tap.check(rc == 1 and not out and len(err.splitlines()) == 1 and
              err.startswith("abacus: ") and "none.pcap" in err,
              "unreadable capture: one line on stderr, exit 1",
              "rc=%d %s" % (rc, err))
    tap.done()


if __name__ == "__main__":
    main()
