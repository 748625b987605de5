#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the kernel's checkpatch.pl --strict on the given files. checkpatch
# comes from Debian's linux-source tarball, extracted once into DIR.
set -euo pipefail

dir=$1
shift
if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
	tarball=$(find /usr/src -maxdepth 1 -name 'linux-source-*.tar.xz' | sort -V | tail -n 1)
	if [ -z "$tarball" ]; then
		echo "checkpatch: linux-source is not installed (make deps)" >&2
		exit 1
	fi
	mkdir -p "$dir"
	tar -xJf "$tarball" -C "$dir" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi
"$dir/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
	--ignore SPDX_LICENSE_TAG -f "$@" && echo "checkpatch: clean"
