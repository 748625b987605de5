#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""httplog -r on a crafted capture: a request and a response split across
segments (the header's end too), pipelined requests and responses in one
segment (GET, HEAD, POST with a body, chunked responses with extensions
and trailers), out-of-order segments and retransmissions, IPv6, a gap in
a response body (counted, parsing goes on) and in a request header (that
direction is given up), a body delimited by the connection's end, 100
Continue with a chunked request, a connection that is not HTTP, a request
left unanswered. The expected lines come from the bytes put in the
capture. Then the command line: -f, help, usage errors, an unreadable
capture. TAP; exit 1 on failure. Environment: BUILD (default
<repo>/build)."""
import os

import samples_lib as sl
from samples_lib import craft

HTTPLOG = sl.binary("httplog")
SRV = ("10.0.0.2", 80)
KEYS = ["client", "server", "method", "host", "path", "status",
        "req_bytes", "resp_bytes"]


def conn(cap, port, cli="10.0.0.1", srv=SRV):
    return craft.Conn(cap, (cli, port), srv, isn_c=1000 * port,
                      isn_s=7000 * port)


def ep_text(ep):
    return ("[%s]:%d" if ":" in ep[0] else "%s:%d") % ep


def send_cut(c, frm, data, cuts):
    """data in segments cut at the given offsets, then one ACK."""
    bounds = [0] + list(cuts) + [len(data)]
    for a, b in zip(bounds, bounds[1:]):
        c.pkt(frm, "PA", data=data[a:b])
    c.ack(c.other(frm))


def resp(status, body=b"", extra="", length=True):
    hdr = "HTTP/1.1 %d X\r\n%s" % (status, extra)
    if length:
        hdr += "Content-Length: %d\r\n" % len(body)
    return (hdr + "\r\n").encode() + body


def chunked(sizes, seed, ext=b"", trailer=b""):
    """A chunked body of chunks of the given sizes: (wire bytes, size)."""
    out = b""
    for i, n in enumerate(sizes):
        out += b"%x%s\r\n" % (n, ext if i == 0 else b"")
        out += craft.rbytes(seed + i, n) + b"\r\n"
    return out + b"0\r\n" + trailer + b"\r\n", sum(sizes)


def build(path):
    """The capture, and {client: [expected records, in order]}."""
    cap = craft.Capture()
    want = {}

    def expect(c, method, host, path_, status, req, resp_):
        cli, srv = ep_text(c.ep["c"]), ep_text(c.ep["s"])
        want.setdefault(cli, []).append(dict(zip(KEYS, [
            cli, srv, method, host, path_, status, req, resp_])))

    # A request header cut in five, its end (CRLF CRLF) cut too; a
    # response in MSS segments; a POST whose body starts in the header's
    # segment and runs over four more.
    c = conn(cap, 40001)
    c.handshake()
    req = (b"GET /split/path?q=1 HTTP/1.1\r\nHost: example.com\r\n"
           b"User-Agent: craft\r\n\r\n")
    send_cut(c, "c", req, [5, 20, len(req) - 3, len(req) - 1])
    c.data("s", resp(200, craft.rbytes(1, 3000)), mss=1000)
    expect(c, "GET", "example.com", "/split/path?q=1", 200, 0, 3000)
    body = craft.rbytes(2, 5000)
    req = (b"POST /form HTTP/1.1\r\nHost: example.com\r\n"
           b"Content-Length: 5000\r\n\r\n" + body)
    c.data("c", req, mss=1200)
    c.data("s", resp(201))
    expect(c, "POST", "example.com", "/form", 201, 5000, 0)
    c.fin_close("c")

    # Pipelining: four requests in one segment, four responses in one
    # segment (a HEAD answer has no body whatever its Content-Length; a
    # chunked answer with an extension and a trailer), then a fifth
    # request whose chunked answer is cut every 333 bytes.
    c = conn(cap, 40002)
    c.handshake()
    reqs = (b"GET /a HTTP/1.1\r\nHost: h1\r\n\r\n"
            b"HEAD /b HTTP/1.1\r\nHost: h1\r\n\r\n"
            b"POST /c HTTP/1.1\r\nHost: h1\r\nContent-Length: 11\r\n\r\n"
            b"hello world"
            b"GET /d HTTP/1.1\r\nhost: h2\r\n\r\n")
    c.data("c", reqs)
    ch, n = chunked([4, 5], 10, ext=b";name=val", trailer=b"X-T: y\r\n")
    resps = (resp(200, b"AAAAA") +
             b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" +
             resp(200, ch, "Transfer-Encoding: chunked\r\n", False) +
             resp(404))
    c.data("s", resps)
    expect(c, "GET", "h1", "/a", 200, 0, 5)
    expect(c, "HEAD", "h1", "/b", 200, 0, 0)
    expect(c, "POST", "h1", "/c", 200, 11, n)
    expect(c, "GET", "h2", "/d", 404, 0, 0)
    c.data("c", b"GET /e HTTP/1.1\r\nHost: h1\r\n\r\n")
    ch, n = chunked([100, 2000, 1, 700], 20)
    c.data("s", resp(200, ch, "Transfer-Encoding: chunked\r\n", False),
           mss=333)
    expect(c, "GET", "h1", "/e", 200, 0, n)
    c.fin_close("s")

    # Out of order and retransmitted, both ways.
    c = conn(cap, 40003)
    c.handshake()
    body = craft.rbytes(3, 4000)
    req = (b"POST /upload HTTP/1.1\r\nHost: up\r\n"
           b"Content-Length: 4000\r\n\r\n" + body)
    segs = [(i, req[i:i + 1000]) for i in range(0, len(req), 1000)]
    for k in (0, 2, 1, 4, 3, 1):
        c.pkt("c", "PA", off=segs[k][0], data=segs[k][1])
    c.nxt["c"] = c.seq_of("c", len(req))
    c.ack("s")
    c.pkt("c", "PA", off=segs[2][0], data=segs[2][1])   # after the ACK
    r = resp(200, craft.rbytes(4, 2500))
    segs = [(i, r[i:i + 900]) for i in range(0, len(r), 900)]
    for k in (1, 0, 2, 0, 1):
        c.pkt("s", "PA", off=segs[k][0], data=segs[k][1])
    c.nxt["s"] = c.seq_of("s", len(r))
    c.ack("c")
    expect(c, "POST", "up", "/upload", 200, 4000, 2500)
    c.fin_close("c")

    # IPv6
    c = conn(cap, 40004, "fd00::1", ("fd00::2", 8080))
    c.handshake()
    c.data("c", b"GET /v6 HTTP/1.1\r\nHost: [fd00::2]:8080\r\n\r\n")
    c.data("s", resp(200, b"0123456789"))
    expect(c, "GET", "[fd00::2]:8080", "/v6", 200, 0, 10)
    c.fin_close("c")

    # A gap of 1000 bytes inside a response body: still 3000 body bytes,
    # and the next transaction is parsed.
    c = conn(cap, 40005)
    c.handshake()
    c.data("c", b"GET /big HTTP/1.1\r\nHost: g\r\n\r\n")
    r = resp(200, craft.rbytes(5, 3000))
    h = len(r) - 3000
    c.pkt("s", "PA", off=0, data=r[:h + 500])
    c.pkt("s", "PA", off=h + 1500, data=r[h + 1500:])
    c.nxt["s"] = c.seq_of("s", len(r))
    c.ack("c")
    expect(c, "GET", "g", "/big", 200, 0, 3000)
    c.data("c", b"GET /after HTTP/1.1\r\nHost: g\r\n\r\n")
    c.data("s", resp(200, b"7 bytes"))
    expect(c, "GET", "g", "/after", 200, 0, 7)
    c.fin_close("c")

    # A gap inside a request header: requests are given up from there;
    # its response still stands, without a request.
    c = conn(cap, 40006)
    c.handshake()
    c.data("c", b"GET /one HTTP/1.1\r\nHost: g\r\n\r\n")
    c.data("s", resp(200, b"one!"))
    expect(c, "GET", "g", "/one", 200, 0, 4)
    base = c.nxt["c"] - c.seq_of("c", 0)
    req = b"GET /two HTTP/1.1\r\nHost: g\r\n\r\n"
    c.pkt("c", "PA", off=base, data=req[:4])
    c.pkt("c", "PA", off=base + 10, data=req[10:])
    c.nxt["c"] = c.seq_of("c", base + len(req))
    c.ack("s")
    c.data("s", resp(200, b"ok"))
    expect(c, None, None, None, 200, 0, 2)
    c.data("c", b"GET /three HTTP/1.1\r\nHost: g\r\n\r\n")
    c.fin_close("c")

    # HTTP/1.0: the body ends with the connection.
    c = conn(cap, 40007)
    c.handshake()
    c.data("c", b"GET /old HTTP/1.0\r\n\r\n")
    c.data("s", b"HTTP/1.0 200 OK\r\nServer: x\r\n\r\n" +
           craft.rbytes(6, 1234))
    c.fin_close("s")
    expect(c, "GET", None, "/old", 200, 0, 1234)

    # 100 Continue, a chunked request, 204
    c = conn(cap, 40008)
    c.handshake()
    c.data("c", b"PUT /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
           b"Transfer-Encoding: gzip, chunked\r\n\r\n")
    c.data("s", b"HTTP/1.1 100 Continue\r\n\r\n")
    ch, n = chunked([10, 17], 30)
    c.data("c", ch)
    c.data("s", b"HTTP/1.1 204 No Content\r\n\r\n")
    expect(c, "PUT", "h", "/up", 204, n, 0)
    c.fin_close("c")

    # Not HTTP: nothing
    c = conn(cap, 40009)
    c.handshake()
    c.data("c", b"\x16\x03\x01" + craft.rbytes(7, 500))
    c.data("s", craft.rbytes(8, 900))
    c.fin_close("c")

    # No answer before the capture ends
    c = conn(cap, 40010)
    c.handshake()
    c.data("c", b"OPTIONS * HTTP/1.1\r\nHost: q\r\nContent-Length: 3\r\n"
           b"\r\nabc")
    expect(c, "OPTIONS", "q", "*", None, 3, 0)

    cap.write(path)
    return want


def check_records(tap, out, want, label):
    recs = sl.json_lines(out)
    if not tap.check(recs is not None, "%s: every line is JSON" % label,
                     out):
        return
    tap.check(all(sorted(r) == sorted(KEYS) for r in recs),
              "%s: each line has exactly %s" % (label, ", ".join(KEYS)),
              recs[:3])
    got = {}
    for r in recs:
        got.setdefault(r.get("client"), []).append(r)
    for cli, w in want.items():
        g = got.get(cli, [])
        bad = [(a, b) for a, b in zip(g, w) if a != b]
        tap.check(len(g) == len(w) and not bad,
                  "%s: %s: %d transaction(s), in order (%s)" % (
                      label, cli, len(w), " ".join(
                          "%s %s" % (x["method"], x["path"]) for x in w)),
                  "got %d, want %d; first difference:\n%s" % (
                      len(g), len(w), bad[:1] or (g, w)))
    extra = sorted(set(got) - set(want))
    tap.check(not extra, "%s: no transaction for other connections "
              "(not HTTP)" % label, extra)


def main():
    tap = sl.Tap()
    work = sl.workdir("httplog")
    pcap = os.path.join(work, "http.pcap")
    want = build(pcap)

    rc, out, err = sl.run([HTTPLOG, "-r", pcap])
    tap.check(rc == 0 and not err, "httplog -r exits 0, silent on stderr",
              "rc=%d %s" % (rc, err))
    check_records(tap, out, want, "all")

    rc, out, err = sl.run([HTTPLOG, "-r", pcap, "-f", "tcp port 8080"])
    v6 = {k: v for k, v in want.items() if k.startswith("[")}
    tap.check(rc == 0 and not err, "-f 'tcp port 8080' exits 0",
              "rc=%d %s" % (rc, err))
    check_records(tap, out, v6, "-f")

    rc, out, err = sl.run([HTTPLOG, "-h"])
    tap.check(rc == 0 and out.startswith("usage: httplog"),
              "-h: usage on stdout, exit 0", out + err)
    for argv, code, name in (
            (["-x"], 2, "unknown option"),
            (["-r", pcap, "extra"], 2, "stray argument"),
            (["-r", os.path.join(work, "missing.pcap")], 1,
             "unreadable capture"),
            (["-r", pcap, "-f", "tcp port ((("], 1, "bad filter")):
        rc, out, err = sl.run([HTTPLOG] + argv)
        lines = err.strip().splitlines()
        tap.check(rc == code and not out and
                  (code == 2 or (len(lines) == 1 and
                                 lines[0].startswith("httplog: "))),
                  "%s: exit %d%s" % (name, code, "" if code == 2 else
                                     ", one line on stderr"),
                  "rc=%d out=%r err=%r" % (rc, out, err))
    tap.done()


if __name__ == "__main__":
    main()
