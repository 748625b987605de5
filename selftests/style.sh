#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Style gates as tests: checkpatch --strict and sparse on the kernel part.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC" || exit 1
if make --no-print-directory checkpatch >"${BUILD:-build}/checkpatch.log" 2>&1; then
	echo "ok - checkpatch --strict clean on kmod/"
else
	cat "${BUILD:-build}/checkpatch.log"
	echo "not ok - checkpatch --strict clean on kmod/"
fi
if make --no-print-directory sparse >/dev/null 2>&1; then
	echo "ok - sparse (C=2) clean on kmod/"
else
	grep -E 'warning|error' "${BUILD:-build}/sparse.log"
	echo "not ok - sparse (C=2) clean on kmod/"
fi
if shellcheck -x -P SCRIPTDIR selftests/*.sh selftests/*/*.sh .ci/run; then
	echo "ok - shellcheck clean on the test scripts"
else
	echo "not ok - shellcheck clean on the test scripts"
fi
