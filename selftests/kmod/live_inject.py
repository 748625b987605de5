# SPDX-License-Identifier: GPL-2.0
"""Crafted frames through the kernel engine, and live flowdump around them.

For the guest's tests (overlap_live.py, crafted_live.py): they run in the
root namespace, as root, and send frames built by
selftests/offline/craft.py from a veth whose peer is in the namespace
where mos.ko tracks and live flowdump runs. Frames go out through an
AF_PACKET socket, so no stack of ours is involved: the peer's stack takes
them in, mos sees them at PRE_ROUTING, and routing then drops them (the
namespace has no route to the crafted addresses).
"""
import json
import os
import signal
import socket
import subprocess
import time


class LiveNs:
    """The namespace NETNS behind the veth IFACE, with BUILD's programs."""

    def __init__(self, build, iface, netns):
        self.flowdump = os.path.join(build, "bin", "flowdump")
        self.mosctl = os.path.join(build, "bin", "mosctl")
        self.iface, self.netns = iface, netns
        self.src = self._mac("/sys/class/net/%s/address" % iface)
        self.dst = None
        for link in json.loads(self.run("ip", "-j", "link", "show").stdout):
            if link.get("link_type") == "ether":
                self.dst = bytes.fromhex(link["address"].replace(":", ""))
        if self.dst is None:
            raise SystemExit("no veth in " + netns)

    @staticmethod
    def _mac(path):
        with open(path) as f:
            return bytes.fromhex(f.read().strip().replace(":", ""))

    def run(self, *cmd):
        """A command in the namespace; its output in .stdout (bytes)."""
        return subprocess.run(["ip", "netns", "exec", self.netns] +
                              list(cmd), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=120)

    def config(self):
        return json.loads(self.run(self.mosctl, "-j", "config").stdout)

    def set_config(self, **kv):
        """mosctl config set KEY=VALUE...; returns (ok, output)."""
        r = self.run(self.mosctl, "config", "set",
                     *["%s=%s" % kv_ for kv_ in kv.items()])
        return r.returncode == 0, r.stdout.decode(errors="replace")

    def flush(self):
        """End every connection the namespace tracks (tracking off and on
        again), so that the next frames meet an empty table."""
        for v in (0, 1):
            ok, text = self.set_config(tracking=v)
            if not ok:
                raise SystemExit("mosctl config set tracking=%d: %s"
                                 % (v, text))

    def stat(self, name):
        r = self.run(self.mosctl, "-j", "stats")
        try:
            return json.loads(r.stdout)["total"][name]
        except (ValueError, KeyError, TypeError):
            return None

    def send(self, cap):
        """Every Ethernet frame of a craft.Capture, addressed to the peer."""
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((self.iface, 0))
        for _, frame, _ in cap.recs:
            s.send(self.dst + self.src + frame[12:])
        s.close()

    def flowdump_around(self, outdir, cap, tap, label):
        """Live flowdump -o OUTDIR while @cap's frames are sent; checks it
        attached, exited 0 on SIGTERM and printed nothing."""
        fd = subprocess.Popen(["ip", "netns", "exec", self.netns,
                               self.flowdump, "-o", outdir],
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
        maps, attached = "/proc/%d/maps" % fd.pid, False
        for _ in range(300):
            try:
                with open(maps) as f:
                    attached = "/dev/mos" in f.read()
            except OSError:
                break
            if attached:
                break
            time.sleep(0.1)
        tap.check(attached, "%s: flowdump attached to /dev/mos" % label)
        time.sleep(0.3)     # its subscription follows the mmap
        self.send(cap)
        time.sleep(1.0)     # the last records reach it
        fd.send_signal(signal.SIGTERM)
        try:
            text, _ = fd.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            fd.kill()
            text, _ = fd.communicate()
        tap.check(fd.returncode == 0 and not text,
                  "%s: flowdump exits 0, silent" % label,
                  "status %s: %s" % (fd.returncode,
                                     text.decode(errors="replace")))
