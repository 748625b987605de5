#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mos-timeout: 400
# The netlink family validates strictly: attributes a command does not take,
# unknown commands and truncated messages are refused with an error.
. "$(dirname "$0")/lib.sh"

mos_load
python3 "$SRC/selftests/kmod/genl_probe.py"
