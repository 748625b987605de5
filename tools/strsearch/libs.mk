# SPDX-License-Identifier: GPL-2.0
# strsearch scans streams with Hyperscan (libhyperscan-dev).
LIBS_strsearch := $(shell pkg-config --libs libhs 2>/dev/null || echo -lhs)
