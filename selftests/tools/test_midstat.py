#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""midstat -r on a crafted capture whose connections are left in known
states with exact byte counts: established, half-closed (FIN_WAIT_2 /
CLOSE_WAIT), FIN_WAIT_1, reset, SYN only, closed by FINs, IPv6. The
expected table comes from how the capture was built. Then the command
line: help, usage errors, an unreadable capture. TAP; exit 1 on failure.
Environment: BUILD (default <repo>/build)."""
import os

import samples_lib as sl
from samples_lib import craft

MIDSTAT = sl.binary("midstat")
SRV = ("10.0.0.2", 80)


def conn(cap, port, srv=SRV, cli_addr="10.0.0.1"):
    return craft.Conn(cap, (cli_addr, port), srv,
                      isn_c=1000 * port, isn_s=7000 * port)


def build(path):
    """The capture, and {client: expected record} for the final table."""
    cap = craft.Capture()
    want = {}

    def expect(c, cstate, sstate, c2s, s2c, end, proto="tcp4"):
        (ca, cp), (sa, sp) = c.ep["c"], c.ep["s"]
        fmt = "[%s]:%d" if ":" in ca else "%s:%d"
        want[fmt % (ca, cp)] = {
            "proto": proto, "server": fmt % (sa, sp),
            "client_state": cstate, "server_state": sstate,
            "c2s_bytes": c2s, "s2c_bytes": s2c, "end": end}

    # established, data both ways, all of it ACKed
    c = conn(cap, 40001)
    c.handshake()
    c.data("c", craft.rbytes(1, 300))
    c.data("s", craft.rbytes(2, 2000))
    expect(c, "established", "established", 300, 2000, "eof")

    # half-closed: the client's FIN is ACKed, the server goes on sending
    c = conn(cap, 40002)
    c.handshake()
    c.data("c", craft.rbytes(3, 100))
    c.data("s", craft.rbytes(4, 500))
    c.pkt("c", "FA")
    c.ack("s")
    c.data("s", craft.rbytes(5, 700))
    expect(c, "fin_wait_2", "close_wait", 100, 1200, "eof")

    # the client's FIN not yet ACKed
    c = conn(cap, 40003)
    c.handshake()
    c.data("c", craft.rbytes(6, 50))
    c.pkt("c", "FA")
    expect(c, "fin_wait_1", "close_wait", 50, 0, "eof")

    # reset by the server after data both ways
    c = conn(cap, 40004)
    c.handshake()
    c.data("c", craft.rbytes(7, 400))
    c.data("s", craft.rbytes(8, 600))
    c.rst("s")
    expect(c, "closed", "closed", 400, 600, "rst")

    # a SYN and nothing else: the server is taken to have received it
    c = conn(cap, 40005)
    c.pkt("c", "S")
    expect(c, "syn_sent", "syn_rcvd", 0, 0, "eof")

    # closed by both FINs, the client first
    c = conn(cap, 40006)
    c.handshake()
    c.data("c", craft.rbytes(9, 1500))
    c.data("s", craft.rbytes(10, 3100))
    c.fin_close("c")
    expect(c, "time_wait", "closed", 1500, 3100, "fin")

    # IPv6, established
    c = craft.Conn(cap, ("fd00::1", 40007), ("fd00::2", 443))
    c.handshake()
    c.data("c", craft.rbytes(11, 1234))
    c.data("s", craft.rbytes(12, 4321))
    expect(c, "established", "established", 1234, 4321, "eof", "tcp6")

    cap.write(path)
    return want


def check_json(tap, pcap, want):
    rc, out, err = sl.run([MIDSTAT, "-r", pcap, "-j"])
    tap.check(rc == 0 and not err, "midstat -r -j exits 0, silent on stderr",
              "rc=%d %s" % (rc, err))
    recs = sl.json_lines(out)
    if not tap.check(recs is not None, "every output line is JSON", out):
        return
    rows = [r for r in recs if "client" in r]
    trailer = [r for r in recs if "connections" in r]
    tap.check(len(trailer) == 1 and trailer[0] == {
        "table": 0, "final": True, "connections": len(want)},
        "one final table of %d connections" % len(want), trailer)
    tap.check(all(r.get("table") == 0 and r.get("final") is True
                  for r in rows), "rows belong to the final table", rows)
    got = {r["client"]: r for r in rows}
    tap.check(len(got) == len(rows) == len(want),
              "one row per connection", sorted(got))
    ids = [r.get("id") for r in rows]
    tap.check(len(set(ids)) == len(ids), "distinct ids", ids)
    for cli, w in want.items():
        r = got.get(cli)
        if not r:
            tap.check(False, "%s listed" % cli)
            continue
        diff = {k: (r.get(k), v) for k, v in w.items() if r.get(k) != v}
        tap.check(not diff, "%s: %s/%s, %d/%d bytes, end %s" % (
            cli, w["client_state"], w["server_state"], w["c2s_bytes"],
            w["s2c_bytes"], w["end"]), "got, want: %s" % diff)
    tap.check([r["client"] for r in rows] == list(want),
              "rows in start order", [r["client"] for r in rows])


def check_text(tap, pcap, want):
    rc, out, err = sl.run([MIDSTAT, "-r", pcap])
    lines = out.splitlines()
    tap.check(rc == 0 and len(lines) == len(want) + 2 and
              lines[0].endswith(": %d connections" % len(want)) and
              lines[1].split() == ["proto", "client", "state", "server",
                                   "state", "c2s_bytes", "s2c_bytes",
                                   "end"],
              "text table: title, header, one line per connection",
              out + err)
    rows = {ln.split()[1]: ln.split() for ln in lines[2:]}
    bad = []
    for cli, w in want.items():
        cols = [w["proto"], cli, w["client_state"], w["server"],
                w["server_state"], str(w["c2s_bytes"]), str(w["s2c_bytes"]),
                w["end"]]
        if rows.get(cli) != cols:
            bad.append((rows.get(cli), cols))
    tap.check(not bad, "text rows say what the JSON says", bad)


def check_cli(tap, pcap):
    rc, out, err = sl.run([MIDSTAT, "-h"])
    tap.check(rc == 0 and out.startswith("usage: midstat") and not err,
              "-h: usage on stdout, exit 0", out + err)
    for args, name in ((["-x"], "unknown option"),
                       (["-r", pcap, "-i", "2"], "-i with -r"),
                       (["-i", "0"], "-i 0"),
                       (["-i", "abc"], "-i not a number"),
                       (["-r"], "-r without a file"),
                       (["extra"], "extra argument")):
        rc, out, err = sl.run([MIDSTAT] + args)
        tap.check(rc == 2 and not out and err.startswith("midstat: ") and
                  len(err.splitlines()) == 1,
                  "%s: usage error, exit 2" % name, "rc=%d %s" % (rc, err))
    missing = os.path.join(os.path.dirname(pcap), "no-such.pcap")
    rc, out, err = sl.run([MIDSTAT, "-r", missing])
    tap.check(rc == 1 and not out and len(err.splitlines()) == 1 and
              err.startswith("midstat: ") and "no-such.pcap" in err,
              "unreadable capture: one line on stderr, exit 1",
              "rc=%d %s" % (rc, err))


def main():
    tap = sl.Tap()
    if not tap.check(os.access(MIDSTAT, os.X_OK), "%s built" % MIDSTAT):
        tap.done()
    pcap = os.path.join(sl.workdir("midstat"), "states.pcap")
    want = build(pcap)
    check_json(tap, pcap, want)
    check_text(tap, pcap, want)
    check_cli(tap, pcap)
    tap.done()


if __name__ == "__main__":
    main()
