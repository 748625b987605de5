#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""flowdump against crafted captures whose right result is known by
construction (see craft.py). TAP output; exit status 1 if anything failed.

    test_crafted.py [NAME_SUBSTRING...]   only the cases whose name matches

Environment: BUILD (default <repo>/build), FLOWDUMP (default
$BUILD/bin/flowdump). Captures and outputs go to $BUILD/offline/crafted/.
A missing flowdump fails every case: nothing here passes without it.
"""
import ipaddress
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import craft  # noqa: E402

SRC = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", os.path.join(SRC, "build"))
FLOWDUMP = os.environ.get("FLOWDUMP", os.path.join(BUILD, "bin", "flowdump"))
WORK = os.path.join(BUILD, "offline", "crafted")


class Tap:
    """TAP lines; numbered=False for the guest's tests (guest-run.sh)."""

    def __init__(self, numbered=True):
        self.n = 0
        self.failed = 0
        self.numbered = numbered

    def check(self, ok, name, diag=""):
        self.n += 1
        print("%s%s - %s" % ("ok" if ok else "not ok",
                             " %d" % self.n if self.numbered else "", name))
        if not ok:
            self.failed += 1
            for line in str(diag).splitlines():
                print("#   " + line)
        return ok

    def comment(self, text):
        print("# " + text)


def file_name(src, dst, nth=1):
    """tcpflow's name for the direction src -> dst (Documentation/
    flowdump.md): dotted zero-padded IPv4 or 8 full hex groups for IPv6,
    then a 5-digit port; the n-th reuse of a 4-tuple gets 'c<n>'."""
    def ep(e):
        a = ipaddress.ip_address(e[0])
        if a.version == 4:
            host = ".".join("%03d" % int(o) for o in e[0].split("."))
        else:
            host = a.exploded
        return "%s.%05d" % (host, e[1])
    return ep(src) + "-" + ep(dst) + ("c%d" % nth if nth > 1 else "")


def parse_ep(text):
    """'ip:port' or '[ip]:port' -> (ip_address, port), None if malformed."""
    try:
        host, port = str(text).rsplit(":", 1)
        return ipaddress.ip_address(host.strip("[]")), int(port)
    except ValueError:
        return None


def same_ep(text, ep):
    return parse_ep(text) == (ipaddress.ip_address(ep[0]), ep[1])


def first_diff(got, want):
    n = min(len(got), len(want))
    i = next((k for k in range(n) if got[k] != want[k]), n)
    return ("size %d, want %d; first difference at byte %d: got %s want %s"
            % (len(got), len(want), i, got[i:i + 16].hex(),
               want[i:i + 16].hex()))


def run_flowdump(capture, outdir, args):
    """Returns (exit status or None if it could not run, stderr text)."""
    shutil.rmtree(outdir, ignore_errors=True)
    cmd = [FLOWDUMP, "-r", capture, "-o", outdir] + args
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=300)
    except subprocess.TimeoutExpired:
        return None, "timed out: %s" % " ".join(cmd)
    except OSError as e:
        return None, "cannot run %s: %s" % (FLOWDUMP, e)
    return p.returncode, p.stdout.decode(errors="replace")[-2000:]


def load_records(outdir):
    """flows.jsonl as a list of dicts, or (None, why)."""
    path = os.path.join(outdir, "flows.jsonl")
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()], ""
    except (OSError, ValueError) as e:
        return None, str(e)


def check_direction(tap, name, outdir, rec, key, want, fname):
    """The file of one direction: named as documented, in flows.jsonl, and
    holding exactly `want` (None: no file at all)."""
    listed = rec.get(key)
    path = os.path.join(outdir, fname)
    if want is None:
        tap.check(listed is None and not os.path.exists(path),
                  "%s: %s is null and no file" % (name, key),
                  "flows.jsonl %s = %r, file exists: %s"
                  % (key, listed, os.path.exists(path)))
        return
    tap.check(listed is not None and os.path.basename(listed) == fname,
              "%s: %s named %s" % (name, key, fname), "got %r" % listed)
    # Read the documented name; fall back to the listed one for diagnosis.
    got = craft.read_out(outdir, fname)
    if got is None and listed:
        got = craft.read_out(outdir, os.path.basename(listed))
    if got is None:
        tap.check(False, "%s: %s content exact" % (name, key),
                  "no file %s" % fname)
    else:
        tap.check(got == want, "%s: %s content exact (%d bytes)"
                  % (name, key, len(want)), first_diff(got, want))


OPS = {">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
       "!=": lambda a, b: a != b,
       "==": lambda a, b: a == b}


def check_flow(tap, name, outdir, recs, fl):
    who = "%s:%d>%s:%d" % (fl.cli + fl.srv) + \
        ("#%d" % fl.nth if fl.nth > 1 else "")
    name = "%s %s" % (name, who)
    mine = [r for r in recs if same_ep(r.get("client"), fl.cli)
            and same_ep(r.get("server"), fl.srv)]
    if not tap.check(len(mine) >= fl.nth, "%s: record with these roles"
                     % name, "records: %s" % json.dumps(recs[:5])):
        return
    rec = mine[fl.nth - 1]
    check_direction(tap, name, outdir, rec, "c2s_file", fl.c2s,
                    file_name(fl.cli, fl.srv, fl.nth))
    check_direction(tap, name, outdir, rec, "s2c_file", fl.s2c,
                    file_name(fl.srv, fl.cli, fl.nth))
    want = {}
    for d, data, g in (("c2s", fl.c2s, fl.gaps[0]),
                       ("s2c", fl.s2c, fl.gaps[1])):
        want[d + "_bytes"] = 0 if data is None else len(data) - g
        want[d + "_gap_bytes"] = g
    got = {k: rec.get(k) for k in want}
    tap.check(got == want, "%s: byte and gap counts" % name,
              "got %s\nwant %s" % (got, want))
    for k, v in fl.fields.items():
        tap.check(rec.get(k) == v, "%s: %s = %s" % (name, k, v),
                  "got %r" % rec.get(k))
    for k, (op, v) in fl.pred.items():
        x = rec.get(k)
        tap.check(isinstance(x, int) and OPS[op](x, v),
                  "%s: %s %s %s" % (name, k, op, v), "got %r" % x)


def run_case(tap, c):
    capture = os.path.join(WORK, c.filename)
    c.cap.write(capture, c.fmt)
    for r in c.runs:
        label = c.name + ("[%s]" % r.label if r.label else "")
        outdir = os.path.join(WORK, "out", label.replace("[", ".")
                              .replace("]", ""))
        rc, log = run_flowdump(capture, outdir, r.args)
        if not tap.check(rc == 0, "%s: flowdump %sexits 0"
                         % (label, "".join(a + " " for a in r.args)),
                         "exit status %s%s\n%s" % (
                             rc, " (killed by a signal)"
                             if rc is not None and rc < 0 else "", log)):
            continue
        check_run(tap, label, outdir, r)


def check_run(tap, label, outdir, r):
    """flowdump's output in @outdir against what the Run @r documents."""
    recs, why = load_records(outdir)
    if not tap.check(recs is not None, "%s: flows.jsonl readable"
                     % label, why):
        return
    if r.nflows is not None:
        tap.check(len(recs) == r.nflows, "%s: %d record(s)"
                  % (label, r.nflows), "got %d" % len(recs))
    for fl in r.flows:
        check_flow(tap, label, outdir, recs, fl)
    if r.extra:
        for ok, what, diag in r.extra(recs, outdir):
            tap.check(ok, "%s: %s" % (label, what), diag)


def main():
    want = sys.argv[1:]
    tap = Tap()
    os.makedirs(WORK, exist_ok=True)
    if not os.access(FLOWDUMP, os.X_OK):
        tap.comment("%s missing: every case fails" % FLOWDUMP)
    for c in craft.cases():
        if want and not any(w in c.name for w in want):
            continue
        tap.comment("%s: %s" % (c.name, c.doc))
        run_case(tap, c)
    print("1..%d" % tap.n)
    return 1 if tap.failed or tap.n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
