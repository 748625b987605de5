#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make install` / `make uninstall` (mk/install.mk runs this with the
# directories in the environment). Installs what the build made, generically,
# so that further libraries, programs and pkg-config files (the compat
# library of mk/compat.mk, new tools) are picked up without a change here:
#
#   $O/lib/lib*.a, lib*.so*   -> $libdir (symbolic links kept, soname links
#                                made from each shared object's SONAME)
#   $O/lib/pkgconfig/*.pc     -> $pkgconfigdir, build-tree paths rewritten
#                                to the installed ones
#   include/mos/*.h, include/mos/compat/*.h
#                             -> $includedir/mos/
#   include/uapi/linux/mos*.h -> $includedir/mos/uapi/linux/ (the kernel ABI
#                                mos_ctl.h includes as <linux/mos.h>; the
#                                .pc's -I${includedir}/uapi points there)
#   $O/bin/*                  -> $bindir, $SBIN_PROGS (mosctl) -> $sbindir
#   Documentation/man/*.N, $O/man/man3/*.3 -> $mandir/manN/
#   README.md, Documentation/ -> $docdir (Documentation/README.md as index.md)
#
# usage: install.sh install|uninstall   (environment: see mk/install.mk)
set -euo pipefail

: "${O:?}" "${SRC:?}" "${PREFIX:?}" "${bindir:?}" "${sbindir:?}"
: "${libdir:?}" "${includedir:?}" "${pkgconfigdir:?}" "${mandir:?}"
: "${docdir:?}"
DESTDIR=${DESTDIR:-}
SBIN_PROGS=${SBIN_PROGS:-mosctl}
V=${V:-}

say() { [ -n "$V" ] && echo "$@"; return 0; }

# inst MODE SRC DESTDIR_RELATIVE_DIR [NAME]
inst() {
	local dst=$DESTDIR$3/${4:-$(basename "$2")}
	say "  INSTALL $dst"
	install -D -m "$1" "$2" "$dst"
}

is_sbin() {
	local p
	for p in $SBIN_PROGS; do
		[ "$p" = "$1" ] && return 0
	done
	return 1
}

# The installed form of a build-tree .pc: prefix, libdir and includedir
# point at the installation, the uapi headers at their installed place,
# and no path of the build or source tree is left.
rewrite_pc() {
	local rel_lib=${libdir#"$PREFIX"} rel_inc=${includedir#"$PREFIX"}
	local lib_expr=$libdir inc_expr=$includedir
	[ "$rel_lib" != "$libdir" ] && lib_expr="\${prefix}$rel_lib"
	[ "$rel_inc" != "$includedir" ] && inc_expr="\${prefix}$rel_inc"
	sed -e "s|^prefix=.*|prefix=$PREFIX|" \
	    -e "s|^libdir=.*|libdir=$lib_expr|" \
	    -e "s|^includedir=.*|includedir=$inc_expr|" \
	    -e "s|\${includedir}/uapi|\${includedir}/mos/uapi|g" \
	    -e "s|$O/lib|$libdir|g" \
	    -e "s|$SRC/include/uapi|$includedir/mos/uapi|g" \
	    -e "s|$SRC/include|$includedir|g" "$1"
}

do_install() {
	local f name sec soname

	# Libraries.
	for f in "$O"/lib/lib*.a "$O"/lib/lib*.so "$O"/lib/lib*.so.*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		name=$(basename "$f")
		if [ -L "$f" ]; then
			say "  LN      $DESTDIR$libdir/$name"
			mkdir -p "$DESTDIR$libdir"
			ln -sfn "$(readlink "$f")" "$DESTDIR$libdir/$name"
		elif [ "${name%.a}" != "$name" ]; then
			inst 644 "$f" "$libdir"
		else
			inst 755 "$f" "$libdir"
			soname=$(readelf -d "$f" 2>/dev/null |
				 sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
			if [ -n "$soname" ] && [ "$soname" != "$name" ]; then
				ln -sfn "$name" "$DESTDIR$libdir/$soname"
			fi
		fi
	done
	# pkg-config files.
	for f in "$O"/lib/pkgconfig/*.pc; do
		[ -e "$f" ] || continue
		say "  PC      $DESTDIR$pkgconfigdir/$(basename "$f")"
		mkdir -p "$DESTDIR$pkgconfigdir"
		rewrite_pc "$f" >"$DESTDIR$pkgconfigdir/$(basename "$f")"
		chmod 644 "$DESTDIR$pkgconfigdir/$(basename "$f")"
	done
	# Headers.
	for f in "$SRC"/include/mos/*.h; do
		inst 644 "$f" "$includedir/mos"
	done
	for f in "$SRC"/include/mos/compat/*.h; do
		[ -e "$f" ] || continue
		inst 644 "$f" "$includedir/mos/compat"
	done
	for f in "$SRC"/include/uapi/linux/mos*.h; do
		inst 644 "$f" "$includedir/mos/uapi/linux"
	done
	# Programs.
	for f in "$O"/bin/*; do
		if [ ! -f "$f" ] || [ ! -x "$f" ]; then
			continue
		fi
		name=$(basename "$f")
		if is_sbin "$name"; then
			inst 755 "$f" "$sbindir"
		else
			inst 755 "$f" "$bindir"
		fi
	done
	# Manual pages: hand-written ones, then the generated section 3.
	for f in "$SRC"/Documentation/man/*.[1-9] "$O"/man/man3/*.3; do
		[ -e "$f" ] || continue
		sec=${f##*.}
		inst 644 "$f" "$mandir/man$sec"
	done
	# Documentation.
	inst 644 "$SRC/README.md" "$docdir"
	for f in "$SRC"/Documentation/*.md; do
		# Documentation/README.md, the index, next to the top README.md
		if [ "$(basename "$f")" = README.md ]; then
			inst 644 "$f" "$docdir" index.md
		else
			inst 644 "$f" "$docdir"
		fi
	done
	for f in "$SRC"/Documentation/netlink/*.yaml; do
		[ -e "$f" ] || continue
		inst 644 "$f" "$docdir/netlink"
	done
	for f in "$SRC"/Documentation/examples/*; do
		[ -f "$f" ] || continue
		inst 644 "$f" "$docdir/examples"
	done
}

# rm_f PATH...: remove installed files, saying so.
rm_f() {
	local f
	for f in "$@"; do
		if [ -e "$f" ] || [ -L "$f" ]; then
			say "  RM      $f"
			rm -f "$f"
		fi
	done
}

# Remove exactly what do_install put, found by the names install.sh gives
# its files (libmos-*, mos/, mos_*.3, the programs of tools/ and build/bin),
# so that it works after `make clean` too.
do_uninstall() {
	local f name d

	for f in "$DESTDIR$libdir"/libmos-*; do
		case $(basename "$f") in
		*.a | *.so | *.so.*) rm_f "$f" ;;
		esac
	done
	for f in "$DESTDIR$pkgconfigdir"/libmos-*.pc; do
		rm_f "$f"
	done
	if [ -d "$DESTDIR$includedir/mos" ]; then
		say "  RM      $DESTDIR$includedir/mos"
		rm -rf "$DESTDIR$includedir/mos"
	fi
	for name in $( (ls "$O/bin" 2>/dev/null; ls "$SRC/tools") | sort -u); do
		rm_f "$DESTDIR$bindir/$name" "$DESTDIR$sbindir/$name"
	done
	for f in "$SRC"/Documentation/man/*.[1-9]; do
		rm_f "$DESTDIR$mandir/man${f##*.}/$(basename "$f")"
	done
	for f in "$DESTDIR$mandir"/man3/mos_*.3; do
		rm_f "$f"
	done
	if [ -d "$DESTDIR$docdir" ]; then
		say "  RM      $DESTDIR$docdir"
		rm -rf "$DESTDIR$docdir"
	fi
	# Into a staging directory (DESTDIR), also the directories install
	# created, when left empty; never on the live system (/usr/local/bin
	# stays, empty or not).
	[ -n "$DESTDIR" ] || return 0
	for d in "$DESTDIR$pkgconfigdir" "$DESTDIR$libdir" \
		 "$DESTDIR$includedir" "$DESTDIR$bindir" "$DESTDIR$sbindir" \
		 "$DESTDIR$mandir"/man* "$DESTDIR$docdir"; do
		d=${d#"$DESTDIR"}
		while [ "$d" != / ] && [ "$d" != . ] && [ -n "$d" ]; do
			if [ -d "$DESTDIR$d" ]; then
				rmdir "$DESTDIR$d" 2>/dev/null || break
			fi
			d=$(dirname "$d")
		done
	done
}

case ${1:-} in
install) do_install ;;
uninstall) do_uninstall ;;
*)
	echo "usage: $0 install|uninstall" >&2
	exit 2
	;;
esac
