#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""firewall -r on a crafted capture: rules (first match wins) that match
some connections and not others, IPv4 and IPv6, 'from', 'to', bare
addresses, ports and ranges; hit counters, each connection's verdict,
the packets of dropped connections ignored afterwards (and no second
hit), with and without the SYN filter; the SYN filter text (-n); bad rule
files rejected with FILE:LINE: message; the command line. Expected
values come from the rules and the capture as written here. TAP; exit 1
on failure. Environment: BUILD."""
import os

import samples_lib as sl
from samples_lib import craft

FIREWALL = sl.binary("firewall")

RULES = """\
# sample rules: the first match wins, no match accepts
drop 10.9.0.0/16 port 22          # rule 1, line 2
drop from 10.0.0.66 to any        # rule 2
accept 10.0.0.0/8 port 22         # rule 3

drop from fd00::/16 port 1000-2000
\taccept   to 192.168.1.0/24      # rule 5, line 7
"""
RULE_LINES = [2, 3, 4, 6, 7]
RULE_TEXT = ["10.9.0.0/16 port 22", "from 10.0.0.66/32 to any",
             "10.0.0.0/8 port 22", "from fd00::/16 port 1000-2000",
             "to 192.168.1.0/24"]
FILTER = ("tcp and ((net 10.9.0.0/16 and dst port 22) or "
          "(src net 10.0.0.66/32) or (net 10.0.0.0/8 and dst port 22) or "
          "(src net fd00::/16 and dst portrange 1000-2000) or "
          "(dst net 192.168.1.0/24))")


def ep(e):
    return ("[%s]:%d" if ":" in e[0] else "%s:%d") % e


def build(path):
    """The capture; [(client, server, rule number or None)] and the
    number of packets dropped connections send after their first SYN."""
    cap = craft.Capture()
    conns, dropped_pkts = [], 0
    plan = [  # client, server, deciding rule (1-based) or None
        (("10.0.0.1", 40001), ("10.9.1.1", 22), 1),
        (("10.0.0.66", 40002), ("10.0.0.2", 80), 2),
        (("10.0.0.1", 40003), ("10.0.0.2", 22), 3),
        (("fd00::1", 40004), ("fd00::2", 1500), 4),
        (("fd00::1", 40005), ("fd00::2", 80), None),
        (("172.16.0.1", 40006), ("192.168.1.5", 443), 5),
        (("172.16.0.1", 40007), ("172.16.0.2", 22), None),
        (("172.16.0.9", 40008), ("10.0.0.66", 80), None),
    ]
    for i, (cli, srv, rule) in enumerate(plan):
        c = craft.Conn(cap, cli, srv, isn_c=11111 * (i + 1),
                       isn_s=22222 * (i + 1))
        n0 = len(cap.recs)
        c.pkt("c", "S")
        if i == 0:
            c.pkt("c", "S", seq=c.isn["c"])     # the SYN again
        c.pkt("s", "SA")
        c.pkt("c", "A")
        c.data("c", craft.rbytes(i, 300 + i))
        c.data("s", craft.rbytes(100 + i, 900 + i))
        c.fin_close("c")
        if rule is not None and rule in (1, 2, 4):
            dropped_pkts += len(cap.recs) - n0 - 1
        conns.append((ep(cli), ep(srv), rule))
    cap.write(path)
    return conns, dropped_pkts


def action(rule):
    return "drop" if rule in (1, 2, 4) else "accept"


def check_run(tap, work, pcap, conns, dropped_pkts, nofilter):
    label = "-F (no SYN filter)" if nofilter else "SYN filter"
    rc, out, err = sl.run([FIREWALL, "-r", pcap, "-v", "-j"] +
                          (["-F"] if nofilter else []) +
                          [os.path.join(work, "rules")])
    tap.check(rc == 0 and not err, "%s: exits 0, silent on stderr" % label,
              "rc=%d %s" % (rc, err))
    recs = sl.json_lines(out) or []
    seen = [c for c in conns if nofilter or c[2] is not None]
    got = sorted((r["client"], r["server"], r["rule"], r["action"])
                 for r in recs if r.get("type") == "conn")
    want = sorted((c, s, rule, action(rule)) for c, s, rule in seen)
    tap.check(got == want, "%s: each connection seen once, decided by its "
              "first matching rule" % label,
              "got %s\nwant %s" % (got, want))
    rules = [r for r in recs if r.get("type") == "rule"]
    want_rules = [{"type": "rule", "rule": i + 1, "line": RULE_LINES[i],
                   "action": action(i + 1), "hits": 1,
                   "match": RULE_TEXT[i]} for i in range(5)]
    tap.check(rules == want_rules, "%s: one hit per rule, with its line, "
              "action and match" % label,
              "got %s\nwant %s" % (rules, want_rules))
    default = [r.get("hits") for r in recs if r.get("type") == "default"]
    nd = sum(1 for c in seen if c[2] is None)
    tap.check(default == [nd], "%s: %d connections matched no rule"
              % (label, nd), default)
    tot = [r for r in recs if r.get("type") == "totals"]
    want_tot = {"type": "totals", "connections": len(seen), "dropped": 3,
                "accepted": len(seen) - 3, "errors": 0,
                "dropped_packets": dropped_pkts}
    tap.check(tot == [want_tot], "%s: totals; the %d packets dropped "
              "connections sent after their SYN were ignored"
              % (label, dropped_pkts), "got %s\nwant %s" % (tot, want_tot))


def check_text(tap, work, pcap):
    rc, out, err = sl.run([FIREWALL, "-r", pcap, os.path.join(work, "rules")])
    lines = out.splitlines()
    ok = rc == 0 and len(lines) == 8 and lines[0].split() == [
        "rule", "line", "action", "hits", "match"]
    for i in range(5):
        ok = ok and lines[i + 1].split() == [
            str(i + 1), str(RULE_LINES[i]), action(i + 1), "1"] + \
            RULE_TEXT[i].split()
    ok = ok and lines[6].split() == ["-", "-", "accept", "0", "(no", "rule)"]
    ok = ok and lines[7].startswith("connections 5, dropped 3, accepted 2")
    tap.check(ok, "text: the counter table", out + err)


BAD = [
    ("drop 10.1.2.3/8", "host bits"),
    ("reject any", "unknown action 'reject'"),
    ("accept port 0", "'0' is not a port"),
    ("accept port 70000", "'70000' is not a port"),
    ("accept port 30-20", "'30-20' is not a port"),
    ("accept 10.0.0.0/33", "prefix length must be 0 to 32"),
    ("accept fd00::/129", "prefix length must be 0 to 128"),
    ("accept 10.0.0.300", "is not an IPv4 or IPv6 address"),
    ("drop from 10.0.0.1 to fd00::1", "different address families"),
    ("drop 10.0.0.1 from 10.0.0.2", "cannot be combined"),
    ("drop 10.0.0.1 10.0.0.2", "a bare address given already"),
    ("accept port", "'port' needs"),
    ("accept port 22 port 23", "'port' given twice"),
    ("drop from", "'from' needs an address"),
]


def check_bad(tap, work):
    path = os.path.join(work, "bad.rules")
    with open(path, "w") as f:
        f.write("accept any    # fine\n")
        for line, _ in BAD:
            f.write(line + "\n")
    rc, out, err = sl.run([FIREWALL, "-n", path])
    lines = err.splitlines()
    tap.check(rc == 1 and not out and len(lines) == len(BAD),
              "bad rule file: exit 1, one line per bad line, nothing on "
              "stdout", "rc=%d\n%s" % (rc, err))
    for i, (line, why) in enumerate(BAD):
        got = lines[i] if i < len(lines) else ""
        tap.check(got.startswith("%s:%d: " % (path, i + 2)) and why in got,
                  "bad rule '%s': FILE:%d: ...%s..." % (line, i + 2, why),
                  got)
    rc, out, err = sl.run([FIREWALL, "-n", os.path.join(work, "none")])
    tap.check(rc == 1 and not out and len(err.splitlines()) == 1 and
              err.startswith("firewall: ") and "none" in err,
              "missing rule file: one line, exit 1", err)


def main():
    tap = sl.Tap()
    if not tap.check(os.access(FIREWALL, os.X_OK), "%s built" % FIREWALL):
        tap.done()
    work = sl.workdir("firewall")
    with open(os.path.join(work, "rules"), "w") as f:
        f.write(RULES)
    pcap = os.path.join(work, "firewall.pcap")
    conns, dropped_pkts = build(pcap)

    rc, out, err = sl.run([FIREWALL, "-n", os.path.join(work, "rules")])
    tap.check(rc == 0 and out == FILTER + "\n" and not err,
              "-n: the rules as a SYN filter", out + err)
    check_run(tap, work, pcap, conns, dropped_pkts, nofilter=False)
    check_run(tap, work, pcap, conns, dropped_pkts, nofilter=True)
    check_text(tap, work, pcap)
    check_bad(tap, work)

    rc, out, err = sl.run([FIREWALL, "-h"])
    tap.check(rc == 0 and out.startswith("usage: firewall") and not err,
              "-h: usage on stdout, exit 0", out + err)
    rules = os.path.join(work, "rules")
    for args, name in (([], "no rule file"), (["-x", rules], "unknown option"),
                       ([rules, "extra"], "extra argument"),
                       (["-r"], "-r without a file")):
        rc, out, err = sl.run([FIREWALL] + args)
        tap.check(rc == 2 and not out and err.startswith("firewall: ") and
                  len(err.splitlines()) == 1, "%s: usage error, exit 2"
                  % name, "rc=%d %s" % (rc, err))
    rc, out, err = sl.run([FIREWALL, "-r", os.path.join(work, "none.pcap"),
                           rules])
    tap.check(rc == 1 and not out and len(err.splitlines()) == 1 and
              err.startswith("firewall: ") and "none.pcap" in err,
              "unreadable capture: one line on stderr, exit 1",
              "rc=%d %s" % (rc, err))
    tap.done()


if __name__ == "__main__":
    main()
