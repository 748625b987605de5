#!/bin/bash
# kernel.sh [KREL] -- make sure the VM cache for kernel release KREL holds a
# bootable Debian kernel, its modules (depmod'ed) and our initramfs.
# Prints the cache directory (the only thing written to stdout).
#
# Layout of ${MOS_VM_CACHE:-/var/cache/mos/vm}/$KREL/:
#   linux-image-*.deb     the package, fetched with `apt-get download`
#   root/                 `dpkg -x` of it; root/lib/modules is exported to the
#                         guest as the 9p share "mods"
#   vmlinuz               symlink to root/boot/vmlinuz-$KREL
#   initrd.gz             busybox + virtio/9p modules + init (see below)
#   root.stamp            image extracted and depmod done
#   initrd.stamp          sha256 of this script when initrd.gz was built, so
#                         editing init below rebuilds just the initrd
#
# The cache must not live under /tmp: the guest hides /tmp behind a tmpfs, and
# CI machines may clean /tmp; a stable path also keeps the cache across runs.
set -euo pipefail

die() { echo "kernel.sh: error: $*" >&2; exit 1; }
log() { echo "kernel.sh: $*" >&2; }

# Default release: the newest installed amd64 headers. Debian's
# include/config/kernel.release holds the upstream version (e.g. "6.1.192"),
# not the package ABI name, so read UTS_RELEASE and fall back to the dir name.
default_krel() {
	local kdir=${KDIR:-}
	if [[ -z $kdir ]]; then
		kdir=$(find /usr/src -maxdepth 1 -name 'linux-headers-*-amd64' | sort -V | tail -n1)
		[[ -n $kdir ]] || die "no /usr/src/linux-headers-*-amd64; install linux-headers-amd64 or set KDIR/KREL"
	fi
	local rel=""
	if [[ -f $kdir/include/generated/utsrelease.h ]]; then
		rel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h")
	fi
	if [[ -z $rel && -f $kdir/include/config/kernel.release ]]; then
		rel=$(cat "$kdir/include/config/kernel.release")
	fi
	[[ -n $rel ]] || rel=${kdir##*/linux-headers-}
	echo "$rel"
}

KREL=${1:-${KREL:-$(default_krel)}}
CACHE=${MOS_VM_CACHE:-/var/cache/mos/vm}
CACHE=$(realpath -m "$CACHE")
case $CACHE/ in /tmp/*) die "MOS_VM_CACHE ($CACHE) must not be under /tmp" ;; esac
mkdir -p "$CACHE" || die "cannot create cache dir $CACHE (set MOS_VM_CACHE)"
DIR=$CACHE/$KREL
mkdir -p "$DIR"

# Serialise concurrent runs (parallel CI jobs) on the same cache entry.
exec 9>"$DIR/.lock"
flock 9

for t in busybox cpio gzip depmod modprobe dpkg apt-get; do
	command -v "$t" >/dev/null || die "'$t' not found (apt-get install busybox-static cpio kmod)"
done
BUSYBOX=/bin/busybox
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' ||
	ldd "$BUSYBOX" 2>&1 | grep -q 'not a dynamic' ||
	die "$BUSYBOX is not static; apt-get install busybox-static"

# --- 1. kernel image package -------------------------------------------------
if [[ ! -f $DIR/root.stamp ]]; then
	log "fetching linux-image-$KREL into $DIR (first run only)"
	rm -rf "$DIR/root" "$DIR"/linux-image-*.deb
	# apt-get download writes to the cwd, so run it inside the cache dir.
	if ! (cd "$DIR" && apt-get download "linux-image-$KREL" >&2); then
		log "apt-get download failed; running apt-get update and retrying"
		apt-get update >&2 || true
		(cd "$DIR" && apt-get download "linux-image-$KREL" >&2) ||
			die "cannot download linux-image-$KREL"
	fi
	deb=$(find "$DIR" -maxdepth 1 -name "linux-image-${KREL}_*.deb" | head -n1)
	[[ -n $deb ]] || die "apt-get download produced no .deb in $DIR"
	dpkg -x "$deb" "$DIR/root"
	[[ -f $DIR/root/boot/vmlinuz-$KREL ]] || die "no boot/vmlinuz-$KREL in $deb"
	depmod -b "$DIR/root" "$KREL"
	ln -sfn "root/boot/vmlinuz-$KREL" "$DIR/vmlinuz"
	touch "$DIR/root.stamp"
fi

# --- 2. initramfs -------------------------------------------------------------
want=$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)
if [[ -f $DIR/initrd.gz && "$(cat "$DIR/initrd.stamp" 2>/dev/null)" == "$want" ]]; then
	echo "$DIR"
	exit 0
fi
log "building $DIR/initrd.gz"
stage=$DIR/initrd.d
rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,host,modules}
cp "$BUSYBOX" "$stage/bin/busybox"

# Modules needed to mount the 9p shares, in load order. `modprobe
# --show-depends` resolves dependencies in order and reports built-ins as
# "builtin NAME", which we skip. Compressed modules are decompressed because
# busybox insmod cannot read .ko.xz/.ko.zst.
: >"$stage/modules/order"
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci \
	9pnet 9pnet_virtio netfs fscache 9p; do
	if ! deps=$(modprobe -d "$DIR/root" -S "$KREL" --show-depends "$m" 2>/dev/null); then
		# 6.12 merged fscache into netfs: no module of its own.
		[[ $m == fscache ]] && continue
		die "module $m: neither built in nor found in linux-image-$KREL"
	fi
	while read -r kind path _; do
		[[ $kind == insmod ]] || continue
		src=$path
		base=$(basename "$path")
		case $base in
		*.ko) ko=$base; cp "$src" "$stage/modules/$ko" ;;
		*.ko.xz) ko=${base%.xz}; xz -dc "$src" >"$stage/modules/$ko" ;;
		*.ko.zst) ko=${base%.zst}; zstd -qdc "$src" >"$stage/modules/$ko" ;;
		*.ko.gz) ko=${base%.gz}; gzip -dc "$src" >"$stage/modules/$ko" ;;
		*) die "unexpected module file $path" ;;
		esac
		grep -qxF "$ko" "$stage/modules/order" || echo "$ko" >>"$stage/modules/order"
	done <<<"$deps"
done

# Kernel module autoload (request_module) runs /proc/sys/kernel/modprobe from
# the initramfs root, so point it at this wrapper that uses the host's kmod
# against the image's modules (mounted at /host/lib/modules).
cat >"$stage/sbin/mos-modprobe" <<'EOF'
#!/bin/sh
# /init moved the host root over /; pid 1's cwd still points into it.
exec /bin/busybox chroot /proc/1/cwd /sbin/modprobe "$@"
EOF
chmod +x "$stage/sbin/mos-modprobe"

# Guest /init. Shares: hostroot (host /, ro), mods (image lib/modules, ro),
# src (source tree, ro), out (results dir, rw). The test runs chrooted in
# /host; the out share is at /run/mos/out there, and holds:
#   in:  cmd (bash script), src (absolute path of the source tree)
#   out: console.log, rc, tainted, dmesg.txt
cat >"$stage/init" <<'EOF'
#!/bin/sh
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
fail() { echo "mos-init: $*"; echo "mos-init: FAILED, powering off" ; poweroff -f; }
P9="trans=virtio,version=9p2000.L,msize=262144"
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
while read -r ko; do
	insmod "/modules/$ko" || fail "insmod $ko"
done </modules/order

H=/host
O=$H/run/mos/out
mount -t 9p -o "$P9,ro" hostroot $H || fail "mount hostroot"
mount -t proc proc $H/proc
mount -t sysfs sys $H/sys
mount -t devtmpfs dev $H/dev
mkdir -p $H/dev/pts $H/dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts $H/dev/pts
mount -t tmpfs -o mode=1777 tmpfs $H/dev/shm
mount -t debugfs debugfs $H/sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs $H/sys/kernel/tracing 2>/dev/null
mount -t bpf bpf $H/sys/fs/bpf 2>/dev/null
# Writable scratch. The host's /tmp and /run are hidden; /var/tmp is not.
mount -t tmpfs -o mode=1777 tmpfs $H/tmp
mount -t tmpfs -o mode=755 tmpfs $H/run
mkdir -p $H/tmp/home $O $H/run/lock
mount -t 9p -o "$P9,ro" mods $H/lib/modules || fail "mount mods"
mount -t 9p -o "$P9" out $O || fail "mount out"
# The source tree may live under /tmp (now a tmpfs): mount it at its own path.
SRC=$(cat $O/src) || fail "no src file in out share"
mkdir -p "$H$SRC" 2>/dev/null
mount -t 9p -o "$P9,ro" src "$H$SRC" || fail "mount src at $SRC"

echo /sbin/mos-modprobe >/proc/sys/kernel/modprobe
hostname mos-vm
ip link set lo up

# Move the host root over / instead of only chrooting into it: a process
# under a plain chroot may not create user namespaces (unshare -U fails
# with EPERM), and the tests need them. This shell keeps the initramfs as
# its root; its cwd follows the moved mount, so the rest uses ./ paths.
cd $H || fail "cd $H"
mount -o move . / || fail "move $H to /"
chroot . /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp/home \
	LANG=C.UTF-8 TERM=dumb MOS_VM=1 MOS_VM_OUT=/run/mos/out \
	/bin/bash /run/mos/out/cmd >./run/mos/out/console.log 2>&1 </dev/null
echo $? >./run/mos/out/rc
cat /proc/sys/kernel/tainted >./run/mos/out/tainted
dmesg >./run/mos/out/dmesg.txt
sync
poweroff -f
EOF
chmod +x "$stage/init"

# Equivalent of `busybox --install -s`, done at build time.
for app in $("$BUSYBOX" --list-full); do
	[[ -e $stage/$app ]] || ln -s /bin/busybox "$stage/$app"
done
(cd "$stage" && find . -print0 | sort -z | cpio --null -o -H newc --quiet | gzip -1) >"$DIR/initrd.gz.new"
rm -rf "$stage"
mv "$DIR/initrd.gz.new" "$DIR/initrd.gz"
echo "$want" >"$DIR/initrd.stamp"
echo "$DIR"
