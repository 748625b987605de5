#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installation and packaging (mk/install.mk, mk/man.mk, dkms.conf,
# packaging/): `make install` into a DESTDIR with a PREFIX puts every file
# where it belongs; the installed pkg-config file gives working flags; the
# tutorial's example, compiled against the installed tree, counts the
# connections and bytes of a crafted capture exactly; every function of the
# public headers has a generated section-3 page; every program has a
# section-1 or -8 page naming each of its options; `make deb` makes packages
# holding the right files; dkms.conf builds mos.ko from the packaged source
# (with dkms when installed, else by running its MAKE line as DKMS would);
# `make uninstall` removes everything install put.
#
# Builds in $BUILD (default build/; `make check` passes its own) and works
# in a temporary directory. TAP output; exit status non-zero on failure.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build}
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
PREFIX=/opt/mos-test
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
DEST=$TMP/dest
ROOT=$DEST$PREFIX
LOG=$TMP/log
n=0
failed=0

tap() {	# tap STATUS NAME [DIAGNOSTIC FILE]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
		if [ -n "${3:-}" ] && [ -s "$3" ]; then
			sed -e 's/^/# /' "$3" | tail -n 30
		fi
	fi
}

mk() {
	make --no-print-directory -C "$SRC" BUILD="$BUILD" "$@"
}

# The functions a public header declares (as packaging/kdoc-man.sh finds
# them, independently written: prototypes at column 0).
declared() {
	grep -E '^[a-z][a-z0-9_ *]*[ *]mos_[a-z0-9_]+\(' "$1" | grep -v '^typedef' |
		sed -E 's/.*[ *](mos_[a-z0-9_]+)\(.*/\1/' | sort -u
}

version=$(sed -n 's/^VERSION := //p' "$SRC/Makefile")

# ---- make install ----------------------------------------------------------
mk install DESTDIR="$DEST" PREFIX="$PREFIX" >"$LOG" 2>&1
tap $? "make install DESTDIR=... PREFIX=$PREFIX" "$LOG"

missing=$TMP/missing
: >"$missing"
want() { [ -e "$1" ] || [ -L "$1" ] || echo "missing: ${1#"$DEST"}" >>"$missing"; }
want "$ROOT/lib/libmos-user.a"
want "$ROOT/lib/libmos-user.so.0"
want "$ROOT/lib/pkgconfig/libmos-user.pc"
want "$ROOT/include/mos/uapi/linux/mos.h"
want "$ROOT/share/man/man3/libmos-user.3"
want "$ROOT/share/doc/mos/README.md"
want "$ROOT/share/doc/mos/examples/first_middlebox.c"
want "$ROOT/share/doc/mos/netlink/mos.yaml"
for h in "$SRC"/include/mos/*.h; do want "$ROOT/include/mos/$(basename "$h")"; done
for m in "$SRC"/Documentation/man/*.[1-9]; do
	want "$ROOT/share/man/man${m##*.}/$(basename "$m")"
done
for d in "$SRC"/Documentation/*.md; do
	case $d in
	*/README.md) want "$ROOT/share/doc/mos/index.md" ;;
	*) want "$ROOT/share/doc/mos/$(basename "$d")" ;;
	esac
done
for p in "$BUILD"/bin/*; do
	name=$(basename "$p")
	if [ "$name" = mosctl ]; then
		want "$ROOT/sbin/mosctl"
	else
		want "$ROOT/bin/$name"
	fi
done
for l in "$BUILD"/lib/lib*; do want "$ROOT/lib/$(basename "$l")"; done
for pc in "$BUILD"/lib/pkgconfig/*.pc; do
	want "$ROOT/lib/pkgconfig/$(basename "$pc")"
done
[ "$(readlink "$ROOT/lib/libmos-user.so")" = libmos-user.so.0 ] ||
	echo "libmos-user.so is not a link to libmos-user.so.0" >>"$missing"
soname=$(readelf -d "$ROOT/lib/libmos-user.so.0" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[ "$soname" = libmos-user.so.0 ] || echo "SONAME is '$soname'" >>"$missing"
[ ! -s "$missing" ]
tap $? "installed files in place (libraries, soname link, headers, uapi, .pc, programs, mosctl in sbin, man pages, docs)" "$missing"

# No path of the source or build tree in an installed pkg-config file.
grep -l -e "$SRC" -e "$BUILD" "$ROOT"/lib/pkgconfig/*.pc >"$missing" 2>&1
[ ! -s "$missing" ] && grep -qx "prefix=$PREFIX" "$ROOT/lib/pkgconfig/libmos-user.pc"
tap $? "installed .pc files: prefix=$PREFIX, no build-tree path" "$missing"

# ---- pkg-config and the tutorial's example -----------------------------------
export PKG_CONFIG_SYSROOT_DIR=$DEST PKG_CONFIG_PATH=$ROOT/lib/pkgconfig
flags=$(pkg-config --cflags --libs libmos-user 2>"$LOG")
rc=$?
echo "$flags" >>"$LOG"
[ $rc -eq 0 ] && [[ $flags == *"-I$ROOT/include"* ]] && [[ $flags == *"-L$ROOT/lib"* ]] &&
	[[ $flags == *-lmos-user* ]]
tap $? "pkg-config --cflags --libs libmos-user from the installed .pc ($flags)" "$LOG"

# The headers compile alone with those flags (mos_ctl.h needs the uapi dir).
printf '#include <mos/mos.h>\n#include <mos/mos_ctl.h>\nint main(void) { return mos_overlap_policy_parse("linux") != MOS_OVERLAP_POLICY_LINUX; }\n' >"$TMP/hdr.c"
# shellcheck disable=SC2086 # pkg-config's flags are words
cc -Wall -Werror -o "$TMP/hdr" "$TMP/hdr.c" $flags -Wl,-rpath,"$ROOT/lib" >"$LOG" 2>&1 &&
	"$TMP/hdr" >>"$LOG" 2>&1
tap $? "a program including mos.h and mos_ctl.h builds and runs against the installed tree" "$LOG"

# shellcheck disable=SC2086
cc -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -o "$TMP/first_middlebox" \
	"$ROOT/share/doc/mos/examples/first_middlebox.c" $flags \
	-Wl,-rpath,"$ROOT/lib" >"$LOG" 2>&1
tap $? "tutorial example compiles against the installed tree" "$LOG"
ldd "$TMP/first_middlebox" 2>&1 | grep -q "libmos-user.so.0 => $ROOT/lib/"
tap $? "tutorial example links the installed libmos-user.so.0"

# Three connections with known byte counts (crafted with selftests/offline/
# craft.py): IPv4 FIN by client, IPv4 FIN by server, IPv6.
cat >"$TMP/cap.py" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
from craft import Capture, Conn, rbytes
cap = Capture("ether")
flows = [(("10.0.0.1", 40001), ("10.0.0.2", 80), 300, 2000),
         (("10.0.0.1", 40002), ("10.0.0.3", 443), 5000, 123),
         (("fd00::1", 40003), ("fd00::2", 8080), 77, 4444)]
for i, (cli, srv, up, down) in enumerate(flows):
    c = Conn(cap, cli, srv, isn_c=1000 + i * 7919, isn_s=5000 + i * 104729)
    c.handshake()
    c.data("c", rbytes(10 + i, up))
    c.data("s", rbytes(20 + i, down))
    c.fin_close("c" if i % 2 == 0 else "s")
cap.write(sys.argv[2])
EOF
cat >"$TMP/want" <<'EOF'
connection 1: 300 bytes to the server, 2000 to the client
connection 2: 5000 bytes to the server, 123 to the client
connection 3: 77 bytes to the server, 4444 to the client
3 connections
EOF
if /usr/bin/python3 "$TMP/cap.py" "$SRC/selftests/offline" "$TMP/three.pcap" >"$LOG" 2>&1 &&
   "$TMP/first_middlebox" "$TMP/three.pcap" >"$TMP/got" 2>>"$LOG"; then
	diff -u "$TMP/want" "$TMP/got" >>"$LOG"
else
	false
fi
tap $? "tutorial example on a crafted capture: 3 connections, exact bytes each way" "$LOG"

"$TMP/first_middlebox" "$TMP/nonexistent.pcap" >"$TMP/got" 2>"$LOG"
rc=$?
[ $rc -eq 1 ] && grep -q 'No such file' "$LOG"
tap $? "tutorial example: a missing capture is one error line and exit 1 (rc=$rc)" "$LOG"

# ---- section-3 pages ----------------------------------------------------------
: >"$missing"
for h in "$SRC"/include/mos/*.h; do
	for f in $(declared "$h"); do
		page=$ROOT/share/man/man3/$f.3
		if [ ! -s "$page" ]; then
			echo "no page for $f ($(basename "$h"))" >>"$missing"
		elif ! grep -q "^\.TH \"$f\" 3 " "$page" ||
		     ! grep -q "include <mos/$(basename "$h")>" "$page"; then
			echo "page of $f lacks its .TH or #include line" >>"$missing"
		fi
	done
done
count=$(cat "$SRC"/include/mos/*.h | declared /dev/stdin | wc -l)
[ ! -s "$missing" ] && [ "$count" -gt 40 ]
tap $? "every function of include/mos/*.h ($count) has a generated man3 page" "$missing"
if command -v man >/dev/null; then
	MANWIDTH=80 man -l "$ROOT/share/man/man3/mos_register_callback.3" >"$LOG" 2>&1 &&
		grep -q 'mos_register_callback' "$LOG" && ! grep -qi 'warning' "$LOG"
	tap $? "generated pages render with man" "$LOG"
else
	echo "ok $((n += 1)) - # SKIP man is not installed"
fi

# ---- the programs' pages --------------------------------------------------------
# Every program of $BUILD/bin has an installed page, in section 1 or 8, and
# the page names every option the program accepts: the letters of its
# getopt string and the names of its long-option table in tools/NAME/*.c.
nopage=$TMP/nopage noopt=$TMP/noopt
: >"$nopage"
: >"$noopt"
: >"$LOG"
progs=0 opts=0
for p in "$BUILD"/bin/*; do
	if [ ! -f "$p" ] || [ ! -x "$p" ]; then
		continue
	fi
	name=$(basename "$p")
	progs=$((progs + 1))
	page=
	for s in 1 8; do
		if [ -s "$ROOT/share/man/man$s/$name.$s" ]; then
			page=$ROOT/share/man/man$s/$name.$s
			break
		fi
	done
	if [ -z "$page" ]; then
		echo "$name: no share/man/man1/$name.1 or share/man/man8/$name.8" >>"$nopage"
		continue
	fi
	grep -qiE "^\.TH \"?$name\"? ${page##*.} " "$page" ||
		echo "$name: ${page#"$DEST"} has no .TH line for $name" >>"$nopage"
	if command -v groff >/dev/null; then
		groff -man -ww -z "$page" >>"$LOG" 2>&1
	fi
	# The options, as the page's text has them (\- is -, no font changes).
	text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g' "$page")
	list=$( (grep -ho 'getopt\(_long\)\{0,1\}([^"]*"[^"]*"' "$SRC/tools/$name"/*.c |
		 sed 's/.*"\(.*\)"$/\1/' | grep -o '[A-Za-z0-9]' | sed 's/^/-/'
		 grep -ho '{ *"[a-z0-9][a-z0-9-]*", *[a-z]*_argument' "$SRC/tools/$name"/*.c |
		 sed 's/{ *"\([^"]*\)".*/--\1/') 2>/dev/null | sort -u)
	if [ -z "$list" ]; then
		echo "$name: no getopt option string in tools/$name/*.c" >>"$noopt"
		continue
	fi
	for o in $list; do
		opts=$((opts + 1))
		grep -qE -- "(^|[^A-Za-z0-9-])$o([^A-Za-z0-9-]|\$)" <<<"$text" ||
			echo "$name: ${page#"$DEST"} does not name $o" >>"$noopt"
	done
done
[ ! -s "$nopage" ] && [ "$progs" -gt 0 ]
tap $? "every program of $BUILD/bin ($progs) has an installed page in man1 or man8" "$nopage"
[ ! -s "$noopt" ] && [ "$opts" -gt 0 ]
tap $? "every option the programs accept ($opts, from tools/*/*.c) is named in their pages" "$noopt"
if command -v groff >/dev/null; then
	[ ! -s "$LOG" ]
	tap $? "the programs' pages format without groff warnings" "$LOG"
else
	echo "ok $((n += 1)) - # SKIP groff is not installed"
fi

# ---- make uninstall --------------------------------------------------------------
mk uninstall DESTDIR="$DEST" PREFIX="$PREFIX" >"$LOG" 2>&1
rc=$?
find "$DEST" -mindepth 1 >"$missing"
[ $rc -eq 0 ] && [ ! -s "$missing" ]
tap $? "make uninstall removes everything install put" "$missing"

# ---- make deb ---------------------------------------------------------------------
rm -rf "$BUILD/deb"
mk deb >"$LOG" 2>&1
tap $? "make deb" "$LOG"
arch=$(dpkg --print-architecture)
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
deb() { echo "$BUILD/deb/$1_$version-1_$2.deb"; }
: >"$missing"
# has PACKAGE ARCH PATH...: the package holds these paths.
has() {
	local pkg=$1 a=$2 f list
	shift 2
	list=$(dpkg-deb -c "$(deb "$pkg" "$a")" 2>&1 | awk '{print $6}' | sed 's|^\./|/|')
	for f in "$@"; do
		grep -qx -- "$f" <<<"$list" || echo "$pkg: no $f" >>"$missing"
	done
}
has libmos-user0 "$arch" "/usr/lib/$ma/libmos-user.so.0" /usr/share/doc/libmos-user0/copyright
has libmos-user-dev "$arch" "/usr/lib/$ma/libmos-user.a" "/usr/lib/$ma/libmos-user.so" \
	"/usr/lib/$ma/pkgconfig/libmos-user.pc" /usr/include/mos/mos.h \
	/usr/include/mos/mos_ctl.h /usr/include/mos/uapi/linux/mos.h \
	/usr/share/man/man3/mos_run.3.gz /usr/share/man/man3/libmos-user.3.gz \
	/usr/share/doc/libmos-user-dev/tutorial.md \
	/usr/share/doc/libmos-user-dev/examples/first_middlebox.c
has mos-tools "$arch" /usr/sbin/mosctl /usr/bin/flowdump /usr/share/man/man8/mosctl.8.gz
has mos-dkms all "/usr/src/mos-$version/dkms.conf" "/usr/src/mos-$version/Makefile" \
	"/usr/src/mos-$version/Kbuild" "/usr/src/mos-$version/kmod/main.c" \
	"/usr/src/mos-$version/include/uapi/linux/mos.h"
for p in libmos-user0 libmos-user-dev mos-tools; do
	dpkg-deb -f "$(deb $p "$arch")" Version | grep -qx "$version-1" ||
		echo "$p: bad version" >>"$missing"
done
dpkg-deb -f "$(deb libmos-user0 "$arch")" Depends | grep -q libmnl0 ||
	echo "libmos-user0 does not depend on libmnl0" >>"$missing"
dpkg-deb -f "$(deb mos-dkms all)" Depends | grep -q dkms ||
	echo "mos-dkms does not depend on dkms" >>"$missing"
dpkg-deb -I "$(deb mos-dkms all)" postinst | grep -q 'dkms autoinstall' ||
	echo "mos-dkms: postinst does not build" >>"$missing"
dpkg-deb -I "$(deb mos-dkms all)" prerm | grep -q 'dkms remove' ||
	echo "mos-dkms: prerm does not remove" >>"$missing"
pc=$TMP/pc
mkdir -p "$pc"
dpkg-deb -x "$(deb libmos-user-dev "$arch")" "$pc"
grep -qx 'prefix=/usr' "$pc/usr/lib/$ma/pkgconfig/libmos-user.pc" ||
	echo "libmos-user-dev: .pc prefix is not /usr" >>"$missing"
[ ! -s "$missing" ]
tap $? "packages libmos-user0, libmos-user-dev, mos-tools, mos-dkms hold the right files" "$missing"

if command -v lintian >/dev/null; then
	lintian --tag-display-limit 0 "$BUILD"/deb/*.deb >"$LOG" 2>&1
	! grep -q '^E:' "$LOG"
	tap $? "lintian finds no error in the packages" "$LOG"
else
	echo "ok $((n += 1)) - # SKIP lintian is not installed"
fi

# ---- DKMS -------------------------------------------------------------------------
# The module is built from the mos-dkms package's source tree, as DKMS would.
kver=$(find /usr/src -maxdepth 1 -name 'linux-headers-6.1*-amd64' -printf '%f\n' |
	sort -V | tail -n 1)
kver=${kver#linux-headers-}
kdir=/usr/src/linux-headers-$kver
conf=$SRC/dkms.conf
grep -qx "PACKAGE_NAME=\"mos\"" "$conf" &&
	grep -qx "PACKAGE_VERSION=\"$version\"" "$conf" &&
	grep -qx 'AUTOINSTALL="yes"' "$conf" &&
	grep -qE '^DEST_MODULE_LOCATION\[0\]="/(updates/dkms|extra)"' "$conf"
tap $? "dkms.conf: name mos, version $version (the Makefile's), autoinstall, destination"

dk=$TMP/dkms
mkdir -p "$dk/pkg" "$dk/tree" "$dk/inst"
dpkg-deb -x "$(deb mos-dkms all)" "$dk/pkg"
srcdir=$dk/pkg/usr/src/mos-$version
if [ ! -f "$kdir/Makefile" ]; then
	echo "ok $((n += 1)) - # SKIP no Debian 6.1 kernel headers (make deps)"
elif command -v dkms >/dev/null; then
	# dkms itself, on private trees (nothing in /var/lib/dkms or /lib/modules).
	d=(dkms --dkmstree "$dk/tree" --sourcetree "$dk/pkg/usr/src" --installtree "$dk/inst")
	{ "${d[@]}" add "mos/$version" &&
	  "${d[@]}" build "mos/$version" -k "$kver" --kernelsourcedir "$kdir"; } >"$LOG" 2>&1
	ko=$(find "$dk/tree/mos/$version/$kver" -name 'mos.ko*' 2>/dev/null | head -n 1)
	[ -n "$ko" ] && modinfo "$ko" 2>>"$LOG" | grep -q "vermagic: *$kver "
	tap $? "dkms build -k $kver builds mos.ko from the mos-dkms source" "$LOG"
else
	# Without dkms: run dkms.conf's MAKE line in a copy, as DKMS does.
	cp -a "$srcdir" "$dk/build"
	# shellcheck disable=SC1090,SC1091,SC2034 # dkms.conf is shell; DKMS sets these
	(kernel_source_dir=$kdir kernelver=$kver; . "$dk/build/dkms.conf"
	 cd "$dk/build" && eval "${MAKE[0]/#make/make KERNELRELEASE=$kver}" &&
	 test -f "$dk/build/${BUILT_MODULE_LOCATION[0]}${BUILT_MODULE_NAME[0]}.ko") >"$LOG" 2>&1
	tap $? "dkms.conf's MAKE builds mos.ko where BUILT_MODULE_LOCATION says (no dkms here)" "$LOG"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
