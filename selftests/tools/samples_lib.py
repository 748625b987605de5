# SPDX-License-Identifier: GPL-2.0
"""Helpers of the sample middleboxes' offline tests (test_midstat.py,
test_abacus.py, test_firewall.py): TAP output, where the binaries and the
work files are, running a tool, reading its JSON lines. The captures are
built with selftests/offline/craft.py."""
import json
import os
import subprocess
import sys

SRC = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SRC, "selftests", "offline"))
import craft  # noqa: E402,F401

BUILD = os.environ.get("BUILD", os.path.join(SRC, "build"))


def binary(name):
    return os.path.join(BUILD, "bin", name)


def workdir(name):
    d = os.path.join(BUILD, "samples-tests", name)
    os.makedirs(d, exist_ok=True)
    return d


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, name, diag=""):
        self.n += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", self.n, name))
        if not ok:
            self.failed += 1
            for line in str(diag).splitlines()[:20]:
                print("#   " + line)
        return ok

    def done(self):
        print("1..%d" % self.n)
        sys.exit(1 if self.failed else 0)


def run(argv, timeout=60):
    """(exit status, stdout, stderr) of a command."""
    try:
        p = subprocess.run(argv, capture_output=True, text=True,
                           timeout=timeout)
    except OSError as e:
        return 127, "", str(e)
    except subprocess.TimeoutExpired:
        return 124, "", "timed out after %d s" % timeout
    return p.returncode, p.stdout, p.stderr


def json_lines(text):
    """The JSON objects of a tool's output, one per line; None if a line
    is not JSON."""
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except ValueError:
            return None
    return out


def write_cap(cap, path):
    cap.write(path)
    return path
