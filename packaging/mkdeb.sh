#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make deb`: Debian binary packages with dpkg-deb alone (no debhelper),
# into $O/deb/:
#
#   libmos-user0     the shared library (one package per shared library
#                    the build made: libNAME.so.N -> libNAMEN, so a compat
#                    library of mk/compat.mk gets its own)
#   libmos-user-dev  headers, static libraries, .so links, pkg-config
#                    files, section-3 pages, the API documentation and
#                    the tutorial's example, for every library
#   mos-tools        the programs of tools/ (linked statically with
#                    libmos-user), their manual pages
#   mos-dkms         the module's source in /usr/src/mos-VERSION with
#                    dkms.conf; postinst builds and installs mos.ko for the
#                    installed kernels through DKMS, prerm removes it
#
# The stage is `make install` into $O/deb/stage with PREFIX=/usr and
# Debian's multiarch library directory; files are then moved into each
# package's tree by what they are. Dependencies on other packages come from
# dpkg-shlibdeps.
#
# Environment: O (build dir), SRC, VERSION, DKMS_SRC_FILES (relative to SRC)
set -euo pipefail

: "${O:?}" "${SRC:?}" "${VERSION:?}" "${DKMS_SRC_FILES:?}"
REV=${DEB_REVISION:-1}
DEBVER=$VERSION-$REV
ARCH=$(dpkg --print-architecture)
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
MAINT=${DEB_MAINTAINER:-mos developers <mos-devel@example.org>}
OUT=$O/deb
STAGE=$OUT/stage
LIBDIR=usr/lib/$MA

rm -rf "$OUT"
mkdir -p "$OUT"

# ---- stage -------------------------------------------------------------------
DESTDIR=$STAGE PREFIX=/usr bindir=/usr/bin sbindir=/usr/sbin \
	libdir=/$LIBDIR includedir=/usr/include \
	pkgconfigdir=/$LIBDIR/pkgconfig mandir=/usr/share/man \
	docdir=/usr/share/doc/mos "$SRC/packaging/install.sh" install

# Debian wants stripped binaries (debugging data stays in the build tree)
# and shared libraries that are not executable.
find "$STAGE/usr/bin" "$STAGE/usr/sbin" -type f -exec strip --strip-unneeded \
	--remove-section=.comment --remove-section=.note {} + 2>/dev/null || true
for so in "$STAGE/$LIBDIR"/lib*.so.*; do
	if [ -f "$so" ] && [ ! -L "$so" ]; then
		strip --strip-unneeded --remove-section=.comment \
			--remove-section=.note "$so"
		chmod 644 "$so"
	fi
done

# ---- helpers -------------------------------------------------------------------
# pkgdir NAME: a fresh package tree, with its copyright file.
pkgdir() {
	local d=$OUT/tree/$1
	rm -rf "$d"
	mkdir -p "$d/DEBIAN" "$d/usr/share/doc/$1"
	install -m 644 "$SRC/packaging/copyright" "$d/usr/share/doc/$1/copyright"
	printf '%s (%s) unstable; urgency=medium\n\n  * Built from the mos source tree.\n\n -- %s  %s\n' \
		"$1" "$DEBVER" "$MAINT" "$(date -R -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}")" |
		gzip -9n >"$d/usr/share/doc/$1/changelog.Debian.gz"
	echo "$d"
}

# take PKGDIR PATH...: move staged paths (relative to the stage) into a package.
take() {
	local d=$1 p
	shift
	for p in "$@"; do
		[ -e "$STAGE/$p" ] || [ -L "$STAGE/$p" ] || continue
		mkdir -p "$d/$(dirname "$p")"
		mv "$STAGE/$p" "$d/$p"
	done
}

# shlibdeps FILE...: the Depends of ELF files, from dpkg-shlibdeps (which
# wants a debian/control; shlibs.local maps the libraries built here).
shlibdeps() {
	local tmp out so
	tmp=$(mktemp -d)
	mkdir -p "$tmp/debian"
	printf 'Source: mos\n\nPackage: mos\nArchitecture: any\n' >"$tmp/debian/control"
	for so in "$OUT"/tree/*/"$LIBDIR"/lib*.so.*; do
		if [ -f "$so" ] && [ ! -L "$so" ]; then
			printf '%s %s %s (>= %s)\n' \
				"$(basename "${so%%.so.*}")" \
				"${so##*.so.}" "$(debname "$so")" "$VERSION"
		fi
	done >"$tmp/debian/shlibs.local"
	if ! out=$(cd "$tmp" && dpkg-shlibdeps -O -l"$OUT/tree" "$@"); then
		rm -rf "$tmp"
		echo "mkdeb: dpkg-shlibdeps failed on $*" >&2
		return 1
	fi
	rm -rf "$tmp"
	printf '%s\n' "$out" | sed -n 's/^shlibs:Depends=//p'
}

# debname LIB.so.N: Debian's name for a shared library package.
debname() {
	local base soname n
	soname=$(readelf -d "$1" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
	soname=${soname:-$(basename "$1")}
	base=${soname%%.so.*}
	n=${soname#*.so.}
	n=${n%%.*}
	case $base in
	*[0-9]) echo "$base-$n" ;;
	*) echo "$base$n" ;;
	esac
}

# control PKGDIR NAME ARCH DEPENDS SECTION SUMMARY DESCRIPTION
control() {
	local d=$1 size
	size=$(du -sk --exclude=DEBIAN "$d" | cut -f1)
	{
		echo "Package: $2"
		echo "Version: $DEBVER"
		echo "Architecture: $3"
		echo "Maintainer: $MAINT"
		echo "Installed-Size: $size"
		[ -n "$4" ] && echo "Depends: $4"
		echo "Section: $5"
		echo "Priority: optional"
		echo "Description: $6"
		printf '%s\n' "$7" | fold -s -w 72 | sed -e 's/ *$//' -e 's/^/ /'
	} >"$d/DEBIAN/control"
	(cd "$d" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' |
	 sort -z | xargs -0r md5sum) >"$d/DEBIAN/md5sums"
	[ -s "$d/DEBIAN/md5sums" ] || rm -f "$d/DEBIAN/md5sums"
}

build() {
	dpkg-deb --root-owner-group -Zxz --build "$1" "$OUT/" >/dev/null
}

gzip_man() {
	find "$1/usr/share/man" -type f ! -name '*.gz' -exec gzip -9n {} + 2>/dev/null || true
}

# ---- runtime libraries -------------------------------------------------------
runtime_pkgs=()
for so in "$STAGE/$LIBDIR"/lib*.so.*; do
	if [ ! -f "$so" ] || [ -L "$so" ]; then
		continue
	fi
	name=$(debname "$so")
	soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
	d=$(pkgdir "$name")
	take "$d" "$LIBDIR/$(basename "$so")"
	[ -n "$soname" ] && [ "$soname" != "$(basename "$so")" ] &&
		take "$d" "$LIBDIR/$soname"
	lib=$(basename "${soname%%.so.*}")
	echo "$lib ${soname##*.so.} $name (>= $VERSION)" >"$d/DEBIAN/shlibs"
	echo "activate-noawait ldconfig" >"$d/DEBIAN/triggers"
	chmod 644 "$d/DEBIAN/shlibs" "$d/DEBIAN/triggers"
	control "$d" "$name" "$ARCH" "$(shlibdeps "$d/$LIBDIR/$(basename "$so")")" \
		libs "mos flow-monitoring library ($(basename "${soname%%.so.*}"))" \
		"The shared library a middlebox built on mos links with: TCP connections seen by a Linux middlebox, both endpoints tracked and their byte streams rebuilt, as <event, callback> pairs, live from the mos kernel module or offline from a capture file."
	runtime_pkgs+=("$name (= $DEBVER)")
done

# ---- mos-tools ------------------------------------------------------------------
d=$(pkgdir mos-tools)
progs=()
for p in "$STAGE"/usr/bin/* "$STAGE"/usr/sbin/*; do
	[ -e "$p" ] || continue
	progs+=("$d/${p#"$STAGE"/}")
	take "$d" "${p#"$STAGE"/}"
done
for m in "$STAGE"/usr/share/man/man[1-9]/*; do
	case $m in
	*/man3/*) ;;
	*) take "$d" "${m#"$STAGE"/}" ;;
	esac
done
install -m 644 "$SRC/README.md" "$d/usr/share/doc/mos-tools/README.md"
[ -e "$SRC/Documentation/flowdump.md" ] &&
	install -m 644 "$SRC/Documentation/flowdump.md" "$d/usr/share/doc/mos-tools/"
gzip_man "$d"
control "$d" mos-tools "$ARCH" "$(shlibdeps "${progs[@]}")" net \
	"mos flow-monitoring tools: mosctl, flowdump, mos-bench" \
	"Programs built on libmos-user: mosctl controls the mos kernel module (connections, actions, settings, counters; mosctl(8)), flowdump writes every TCP stream of live traffic or of a capture to files, mos-bench measures throughput. Live use needs the module (package mos-dkms)."

# ---- libmos-user-dev ---------------------------------------------------------------
d=$(pkgdir libmos-user-dev)
for p in "$STAGE/$LIBDIR"/lib*.a "$STAGE/$LIBDIR"/lib*.so "$STAGE/$LIBDIR"/pkgconfig; do
	take "$d" "${p#"$STAGE"/}"
done
take "$d" usr/include usr/share/man/man3
mkdir -p "$d/usr/share/doc/libmos-user-dev"
for p in "$STAGE"/usr/share/doc/mos/*; do
	mv "$p" "$d/usr/share/doc/libmos-user-dev/"
done
gzip_man "$d"
devdeps=$(IFS=,; echo "${runtime_pkgs[*]}")
devdeps=${devdeps//,/, }
control "$d" libmos-user-dev "$ARCH" "${devdeps:+$devdeps, }libmnl-dev, libpcap-dev" \
	libdevel "mos flow-monitoring library: development files" \
	"Headers (mos/mos.h, mos/mos_ctl.h and the kernel ABI they use), static libraries, pkg-config files (pkg-config --cflags --libs libmos-user), section-3 manual pages of every function, and the documentation: tutorial, event semantics, ring and netlink formats, with the tutorial's example program."

# ---- mos-dkms ------------------------------------------------------------------------
d=$(pkgdir mos-dkms)
srcdir=usr/src/mos-$VERSION
mkdir -p "$d/$srcdir"
# shellcheck disable=SC2086 # a list of relative paths
(cd "$SRC" && cp -a --parents $DKMS_SRC_FILES "$d/$srcdir/")
sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$VERSION\"/" "$d/$srcdir/dkms.conf"
find "$d/$srcdir" -type f -exec chmod 644 {} +
find "$d/$srcdir" -type d -exec chmod 755 {} +
cat >"$d/DEBIAN/postinst" <<EOF
#!/bin/sh
set -e
if [ "\$1" = configure ]; then
	dkms add -m mos -v $VERSION >/dev/null 2>&1 || true
	# Build and install for the running kernel (when its headers are
	# there); DKMS's kernel hooks do the same for kernels installed later.
	dkms autoinstall >/dev/null 2>&1 ||
		echo "mos-dkms: mos.ko was not built now (missing kernel headers?); see 'dkms status'" >&2
fi
exit 0
EOF
cat >"$d/DEBIAN/prerm" <<EOF
#!/bin/sh
set -e
case "\$1" in
remove|upgrade|deconfigure)
	if dkms status -m mos -v $VERSION 2>/dev/null | grep -q .; then
		dkms remove -m mos -v $VERSION --all >/dev/null 2>&1 || true
	fi
	;;
esac
exit 0
EOF
chmod 755 "$d/DEBIAN/postinst" "$d/DEBIAN/prerm"
control "$d" mos-dkms all "dkms" kernel \
	"mos flow-monitoring kernel module (DKMS source)" \
	"The source of mos.ko, which tracks both endpoints of every TCP connection a Linux middlebox sees in netfilter hooks, rebuilds their byte streams and hands events to userspace through mmap'ed rings on /dev/mos. DKMS builds it for every installed kernel."

# ---- build ------------------------------------------------------------------------------
for t in "$OUT"/tree/*; do
	build "$t"
done
left=$(find "$STAGE" -type f -o -type l)
if [ -n "$left" ]; then
	echo "mkdeb: files in no package:" >&2
	echo "$left" >&2
	exit 1
fi
rm -rf "$STAGE" "$OUT/tree"
ls "$OUT"/*.deb
