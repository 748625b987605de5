#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the benchmark helpers (gen_synth, floor, nids_bench, callpair,
# copyrate) into $BUILD/bench, each only when a source is newer than it.
# Shared by run-bench.sh, forward-bench.sh and check_synth.sh so that none
# depends on make.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${BUILD:-$SRC/build}/bench
CC=${CC:-cc}
# The project's warning set (Makefile WARN), at -O2 as the library is.
FLAGS=(-std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
	-Wmissing-prototypes -Wno-unused-parameter -D_GNU_SOURCE
	-I"$SRC/include" -I"$SRC/include/uapi" -I"$SRC/kmod")
mkdir -p "$OUT"

# build NAME LIBS -- FILES...: compile the .c files among FILES; the
# headers are listed only so that changing one rebuilds.
build() {
	local name=$1 libs=$2 f newer=no srcs=()
	shift 3
	for f in "$@"; do
		[ "$f" -nt "$OUT/$name" ] && newer=yes
		[[ $f == *.c ]] && srcs+=("$f")
	done
	[ "$newer" = yes ] || return 0
	echo "  CC      $OUT/$name"
	# shellcheck disable=SC2086 # $libs is a list of -l flags
	"$CC" "${FLAGS[@]}" -o "$OUT/$name" "${srcs[@]}" $libs
}

B=$SRC/selftests/bench
E=$SRC/kmod/engine
build gen_synth "-lpcap" -- "$B/gen_synth.c" "$E/platform.h" \
	"$E/platform_user.h"
build floor "-lpcap" -- "$B/floor.c" "$E/parse.c" "$E/parse.h" \
	"$E/platform.h" "$E/platform_user.h"
if [ -f /usr/include/nids.h ]; then
	build nids_bench "-lnids -lpcap" -- "$B/nids_bench.c"
else
	echo "build.sh: libnids-dev missing, nids_bench not built" >&2
fi
build callpair "" -- "$B/callpair.c"
build copyrate "" -- "$B/copyrate.c"
