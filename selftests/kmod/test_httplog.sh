#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# httplog live, on a router between two namespaces, against what the HTTP
# server really received and sent:
#
#   client ns (hl-c) c0 ---- r0 router ns (hl-r) r1 ---- s0 server ns (hl-s)
#   curl, a pipelining client      mos.ko, httplog       HTTP/1.1 server
#
# The server (Python's http.server, HTTP/1.1, keep-alive) serves
# /file/N (N bytes), /chunked/N (N bytes, chunked), 404 otherwise, and
# answers a POST with "got N"; it logs every transaction as it saw it.
# Clients: curl with several URLs on one keep-alive connection (GET,
# chunked, 404), HEAD, a POST, IPv6; a raw client pipelining three
# requests in one write. httplog is stopped with SIGTERM.
# Checked: httplog exits 0, silent on stderr; its transactions, per
# connection and in order, are the server's (method, host, path, status,
# request and response body sizes); curl's own sizes agree.
# mos-timeout: 300
. "$(dirname "$0")/lib.sh"
HTTPLOG=$BUILD/bin/httplog
PY=/usr/bin/python3

cat >"$WORK/server.py" <<'PY'
import http.server, json, socket, sys, threading

LOCK = threading.Lock()
LOG = open(sys.argv[1], "a")


def body(n):
    return bytes((i * 7 + 3) % 256 for i in range(n))


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self, status, req, resp):
        a, p = self.client_address[:2]
        cli = ("[%s]:%d" if ":" in a else "%s:%d") % (a, p)
        with LOCK:
            LOG.write(json.dumps(dict(
                client=cli, method=self.command,
                host=self.headers.get("Host"), path=self.path,
                status=status, req_bytes=req, resp_bytes=resp)) + "\n")
            LOG.flush()

    def answer(self, send_body):
        parts = self.path.split("/")
        if len(parts) == 3 and parts[1] in ("file", "chunked") and \
                parts[2].isdigit():
            data = body(int(parts[2]))
            self.send_response(200)
            if parts[1] == "chunked" and send_body:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for i in range(0, len(data), 1000):
                    c = data[i:i + 1000]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(c), c))
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if send_body:
                    self.wfile.write(data)
            self.record(200, 0, len(data) if send_body else 0)
            return
        data = b"not found"
        self.send_response(404)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if send_body:
            self.wfile.write(data)
        self.record(404, 0, len(data) if send_body else 0)

    def do_GET(self):
        self.answer(True)

    def do_HEAD(self):
        self.answer(False)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        got = self.rfile.read(n)
        data = b"got %d" % len(got)
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.record(200, len(got), len(data))


class S6(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


servers = [http.server.ThreadingHTTPServer(("10.89.2.2", 8000), H),
           S6(("fd00:89:2::2", 8000), H)]
for s in servers:
    threading.Thread(target=s.serve_forever, daemon=True).start()
open(sys.argv[2], "w").close()
threading.Event().wait()
PY

# Three requests in one write, the last one closing; reads to the end.
cat >"$WORK/pipeline.py" <<'PY'
import socket, sys
s = socket.create_connection(("10.89.2.2", 8000))
h = "Host: pipe.example\r\n"
s.sendall(("GET /file/100 HTTP/1.1\r\n%s\r\n"
           "HEAD /file/200 HTTP/1.1\r\n%s\r\n"
           "GET /chunked/3500 HTTP/1.1\r\n%sConnection: close\r\n\r\n"
           % (h, h, h)).encode())
n = 0
while True:
    b = s.recv(65536)
    if not b:
        break
    n += len(b)
print("pipelined: %d bytes received" % n)
PY

wait_for() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

stop_within() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "# $1 still running; killed"
	kill -KILL "$1"
	return 1
}

mos_load
router_topology hl

ip netns exec hl-s "$PY" "$WORK/server.py" "$WORK/server.jsonl" \
	"$WORK/listening" 2>"$WORK/server.err" &
SRV_PID=$!
ip netns exec hl-r "$HTTPLOG" -f 'tcp port 8000' >"$WORK/httplog.out" \
	2>"$WORK/httplog.err" &
HL_PID=$!
for _ in $(seq 100); do
	grep -q '/dev/mos' "/proc/$HL_PID/maps" 2>/dev/null && break
	sleep 0.1
done
check "httplog attached to /dev/mos" grep -q '/dev/mos' "/proc/$HL_PID/maps"
sleep 0.3	# its MONITOR_SET follows the mmap
wait_for "$WORK/listening" 60
check "server listening" test -e "$WORK/listening"

head -c 20000 /dev/urandom >"$WORK/post.bin"
U=http://10.89.2.2:8000
U6='http://[fd00:89:2::2]:8000'
W='%{local_ip} %{local_port} %{method} %{url_effective} %{response_code} %{size_upload} %{size_download}\n'
# fetch [CURL OPTIONS...] -- URL...: one curl, one keep-alive connection.
fetch() {
	local opts=() urls=()
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	for u in "$@"; do
		urls+=(-o /dev/null "$u")
	done
	ip netns exec hl-c curl -sS -g -w "$W" "${opts[@]}" "${urls[@]}"
}
{
	fetch -- "$U/file/1234" "$U/file/70000" "$U/chunked/5000" \
		"$U/missing" "$U/file/0"
	fetch -I -- "$U/file/999"
	fetch --data-binary @"$WORK/post.bin" -- "$U/upload"
	fetch -- "$U6/file/3000" "$U6/chunked/777"
} >"$WORK/curl.out" 2>"$WORK/curl.err"
check "curl: every transfer completed" test ! -s "$WORK/curl.err"
sed 's/^/# curl: /' "$WORK/curl.err" | head -n 5
ip netns exec hl-c "$PY" "$WORK/pipeline.py" >"$WORK/pipe.out" 2>&1
check "pipelining client completed" grep -q '^pipelined' "$WORK/pipe.out"
sleep 2		# the last ACKs and FINs
kill -TERM "$HL_PID"
stop_within "$HL_PID" 20
wait "$HL_PID"
rc=$?
kill -TERM "$SRV_PID"
stop_within "$SRV_PID" 10
check "httplog exits 0 after SIGTERM (status $rc)" test "$rc" -eq 0
check "httplog silent on stderr" test ! -s "$WORK/httplog.err"
sed 's/^/# httplog: /' "$WORK/httplog.err" | head -n 5

if ! "$PY" - "$WORK/server.jsonl" "$WORK/httplog.out" "$WORK/curl.out" <<'PY'
import json, sys
srv = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
failed = 0


def tap(ok, name, diag=""):
    global failed
    failed += not ok
    print("%s - %s" % ("ok" if ok else "not ok", name))
    if not ok and diag:
        for line in str(diag).splitlines()[:10]:
            print("#   " + line)


try:
    got = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
except ValueError as e:
    tap(False, "httplog's lines are JSON", e)
    sys.exit(1)
tap(len(srv) == 12, "the server logged the 12 transactions sent", len(srv))


def by_client(recs):
    out = {}
    for r in recs:
        out.setdefault(r["client"], []).append(r)
    return out


keys = ("method", "host", "path", "status", "req_bytes", "resp_bytes")
want, have = by_client(srv), by_client(got)
for cli, ws in want.items():
    hs = have.get(cli, [])
    diff = [({k: h.get(k) for k in keys}, {k: w[k] for k in keys})
            for h, w in zip(hs, ws) if any(h.get(k) != w[k] for k in keys)]
    tap(len(hs) == len(ws) and not diff,
        "%s: %d transaction(s) as the server saw them (%s)" % (
            cli, len(ws), ", ".join("%s %s" % (w["method"], w["path"])
                                    for w in ws)),
        "got %d, want %d\n%s" % (len(hs), len(ws), diff[:2]))
tap(all(r.get("server") in ("10.89.2.2:8000", "[fd00:89:2::2]:8000")
        for r in got), "server addresses", [r.get("server") for r in got])
tap(sorted(have) == sorted(want), "no other connection logged",
    sorted(set(have) ^ set(want)))
# curl's view: the same sizes and statuses for its transfers.
bad = []
for line in open(sys.argv[3]):
    ip, port, method, url, code, up, down = line.split()
    cli = ("[%s]:%s" if ":" in ip else "%s:%s") % (ip, port)
    path = "/" + url.split("/", 3)[3]
    m = [r for r in got if r["client"] == cli and r["path"] == path]
    if len(m) != 1 or (m[0]["method"], m[0]["status"], m[0]["req_bytes"],
                       m[0]["resp_bytes"]) != (method, int(code), int(up),
                                               int(down)):
        bad.append((line.strip(), m))
tap(not bad, "curl's statuses and body sizes agree", bad[:3])
sys.exit(1 if failed else 0)
PY
then
	FAILED=1
fi
exit $FAILED
