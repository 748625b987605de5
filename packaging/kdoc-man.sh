#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Section-3 manual pages from the kernel-doc comments of the public headers:
# one page per function declared in each header, made by the kernel's
# scripts/kernel-doc -man (which writes one .TH page per documented item)
# and split here. Structures and typedefs are described in the pages of the
# functions that take them and in libmos-user(3).
#
# usage: kdoc-man.sh KERNEL_DOC OUTDIR VERSION HEADER...
# A declared function without a kernel-doc comment gets no page and a
# warning on stderr (selftests/tools/test_install.sh fails on it).
set -euo pipefail

kdoc=$1 out=$2 version=$3
shift 3
mkdir -p "$out"
rm -f "$out"/*.3

# functions HEADER: the functions a header declares (prototypes start at
# column 0 with their return type; typedefs and comments do not).
functions() {
	sed -n -e '/^typedef/d' -e '/^#/d' \
	    -e 's/^[a-z][a-z0-9_ *]*[ *]\(mos_[a-z0-9_]*\)(.*/\1/p' "$1" | sort -u
}

for h in "$@"; do
	inc=mos/$(basename "$h")
	fns=$(functions "$h" | tr '\n' ' ')
	# kernel-doc warns about every undocumented parameter of a
	# structure; the pages are what matters here.
	"$kdoc" -man "$h" 2>/dev/null | awk -v out="$out" -v fns=" $fns" \
		-v inc="$inc" -v version="$version" '
	function finish() {
		if (file != "") {
			printf ".SH SEE ALSO\n.BR libmos-user (3)\n" > file
			close(file)
		}
		file = ""
	}
	/^\.TH / {
		finish()
		# .TH "NAME" 9 "NAME" "DATE" "Kernel Hacker'"'"'s Manual" LINUX
		split($0, q, "\"")
		name = q[2]; date = q[6]
		if (index(fns, " " name " ") == 0)
			next
		file = out "/" name ".3"
		printf ".TH \"%s\" 3 \"%s\" \"libmos-user %s\" \"libmos-user Manual\"\n", \
			name, date, version > file
		next
	}
	file == "" { next }
	/^\.SH SYNOPSIS/ {
		print > file
		printf ".nf\n.B #include <%s>\n.fi\n.PP\n", inc > file
		next
	}
	{ print > file }
	END { finish() }'
	for f in $fns; do
		[ -e "$out/$f.3" ] ||
			echo "kdoc-man: warning: $f ($h) has no kernel-doc comment" >&2
	done
done
