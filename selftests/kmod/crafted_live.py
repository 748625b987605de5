#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The offline crafted cases, live: the kernel engine must give the same
documented outcomes as flowdump -r does.

    crafted_live.py BUILD WORK IFACE NETNS

Every case of selftests/offline/craft.py on Ethernet (hostile TCP:
overlaps, gaps, sequence wrap, window abuse, RST injection, a SYN flood
against max_flows, the per-flow and global buffer caps, port reuse,
simultaneous open, split handshakes, half-close, midstream pickup,
IPv6 with a hop-by-hop header) is sent from IFACE into NETNS, where live
flowdump runs (live_inject.py), and its flows.jsonl and files are checked
against what the case documents, by test_crafted.py's own checks. A
run's flowdump options become the namespace's settings (mosctl config),
which are put back to what they were after it.

Not sent, and why (each printed as a comment): frames on other links
(VLAN tags, cooked and raw captures: the frames are what differs, not
the engine); runs with --checksum, which the kernel has no setting for
(it takes checksums as the stack verified them); and the malformed case,
whose bad IP headers and truncated frames the stack drops before
PRE_ROUTING.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "offline"))
import craft  # noqa: E402  (scapy is Debian's python3-scapy)
from live_inject import LiveNs  # noqa: E402
import test_crafted  # noqa: E402

# flowdump option -> (namespace setting, value from the option's argument)
SETTINGS = {
    "--overlap": ("overlap_policy", True),
    "--max-flows": ("max_flows", True),
    "--flow-buffer": ("flow_buffer", True),
    "--buffer-total": ("buffer_total", True),
    "--midstream": ("midstream", False),
    "--one-sided": ("one_sided", False),
}
SKIP_CASES = {"malformed": "bad IP headers never reach PRE_ROUTING"}


def settings_of(args):
    """The namespace settings for a run's flowdump options, or None."""
    out, i = {}, 0
    while i < len(args):
        opt = SETTINGS.get(args[i])
        if opt is None:
            return None
        if opt[1]:
            out[opt[0]] = args[i + 1]
            i += 2
        else:
            out[opt[0]] = 1
            i += 1
    return out


def main():
    build_dir, work, iface, netns = sys.argv[1:5]
    tap = test_crafted.Tap(numbered=False)
    live_ns = LiveNs(build_dir, iface, netns)
    base = live_ns.config()
    defaults = {k: base[k] for k in ("overlap_policy", "max_flows",
                                     "flow_buffer", "buffer_total",
                                     "midstream", "one_sided")}
    for c in craft.cases():
        if c.cap.link != "ether" or c.name in SKIP_CASES:
            tap.comment("%s: not sent (%s)" % (c.name, SKIP_CASES.get(
                c.name, "a %s capture" % c.cap.link)))
            continue
        for r in c.runs:
            label = c.name + ("[%s]" % r.label if r.label else "")
            kv = settings_of(r.args)
            if kv is None:
                tap.comment("%s: not sent (%s: no kernel setting)"
                            % (label, " ".join(r.args)))
                continue
            live_ns.flush()
            ok, text = live_ns.set_config(**dict(defaults, **kv))
            if not tap.check(ok, "%s: settings %s" % (label, kv), text):
                continue
            outdir = os.path.join(work, "crafted", label.replace("[", ".")
                                  .replace("]", ""))
            live_ns.flowdump_around(outdir, c.cap, tap, label)
            test_crafted.check_run(tap, label, outdir, r)
    ok, text = live_ns.set_config(**defaults)
    tap.check(ok, "settings put back", text)
    return 1 if tap.failed or not tap.n else 0


if __name__ == "__main__":
    sys.exit(main())
