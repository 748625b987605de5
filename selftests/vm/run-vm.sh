#!/bin/bash
# run-vm.sh [-o OUTDIR] [-m MEM_MB] [-t TIMEOUT_S] [-s SRC] [-k KREL] -- CMD [ARGS...]
#
# Boots Debian's stock kernel in QEMU with the host's filesystem (read-only,
# via 9p) as the guest's root and runs CMD as root in it, cwd = SRC.
# Prints the command's output, then checks the guest's dmesg and taint.
#
# Exit status: CMD's exit status if the guest finished cleanly; otherwise
#   124  timeout (QEMU killed)
#   125  harness failure (guest did not finish: panic, init failure, ...)
#   126  CMD succeeded but dmesg/taint shows a kernel problem
# See README.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "run-vm.sh: error: $*" >&2; exit 125; }
usage() { sed -n '2,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 125; }

OUT="" MEM=2048 TIMEOUT=600 SRC="" KREL_ARG=""
while getopts "o:m:t:s:k:h" opt; do
	case $opt in
	o) OUT=$OPTARG ;;
	m) MEM=$OPTARG ;;
	t) TIMEOUT=$OPTARG ;;
	s) SRC=$OPTARG ;;
	k) KREL_ARG=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[[ $# -gt 0 ]] || usage

# Default SRC: the git checkout this script lives in (may be under /tmp).
if [[ -z $SRC ]]; then
	SRC=$(git -C "$HERE" rev-parse --show-toplevel 2>/dev/null) || SRC=$(cd "$HERE/../.." && pwd)
fi
SRC=$(realpath "$SRC")
[[ -d $SRC ]] || die "source dir $SRC does not exist"

if [[ -z $OUT ]]; then
	OUT=$(mktemp -d "${TMPDIR:-/tmp}/mos-vm.XXXXXX")
fi
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
rm -f "$OUT"/{cmd,src,rc,tainted,dmesg.txt,console.log,serial.log}

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"
VMDIR=$("$HERE/kernel.sh" ${KREL_ARG:+"$KREL_ARG"}) || die "kernel.sh failed"

# The command, as a bash script the guest runs chrooted into the host's root.
{
	echo '#!/bin/bash'
	printf 'cd %q || exit 125\n' "$SRC"
	printf '%q ' "$@"
	echo
} >"$OUT/cmd"
printf '%s\n' "$SRC" >"$OUT/src"

share() { # tag path [ro]
	local o="local,path=$2,mount_tag=$1,security_model=none,multidevs=remap"
	[[ ${3:-} == ro ]] && o+=",readonly=on"
	printf '%s\n' -virtfs "$o"
}
mapfile -t shares < <(share hostroot / ro; share mods "$VMDIR/root/lib/modules" ro
	share src "$SRC" ro; share out "$OUT")

# Accelerator: MOS_VM_ACCEL=kvm|tcg|auto (default). auto uses KVM only if the
# CPU advertises vmx/svm and a KVM vCPU actually starts. In sandboxes /dev/kvm
# can exist without working: here it aborts with "failed to set MSR 0x10a"
# (hence arch-capabilities is masked) and then hangs during boot.
kvm_cpu=(-accel kvm -cpu "host,-arch-capabilities")
accel=${MOS_VM_ACCEL:-auto}
if [[ $accel == auto ]]; then
	accel=tcg
	if [[ -r /dev/kvm && -w /dev/kvm ]] && grep -qwE 'vmx|svm' /proc/cpuinfo &&
		echo quit | timeout 20 qemu-system-x86_64 "${kvm_cpu[@]}" -S -display none \
			-monitor stdio -serial none -nodefaults >/dev/null 2>&1; then
		accel=kvm
	fi
fi
case $accel in
kvm) accel_opts=("${kvm_cpu[@]}") ;;
tcg) accel_opts=(-accel tcg -cpu "${MOS_VM_TCG_CPU:-max}") ;;
*) die "MOS_VM_ACCEL must be kvm, tcg or auto (got $accel)" ;;
esac

qemu=(qemu-system-x86_64 "${accel_opts[@]}" -smp 2 -m "$MEM"
	-display none -monitor none -serial "file:$OUT/serial.log" -no-reboot
	-kernel "$VMDIR/vmlinuz" -initrd "$VMDIR/initrd.gz"
	-append "console=ttyS0 quiet panic=-1 panic_on_warn=1 oops=panic"
	"${shares[@]}")

start=$SECONDS
set +e
timeout -k 5 "$TIMEOUT" "${qemu[@]}" </dev/null
qrc=$?
set -e
elapsed=$((SECONDS - start))

[[ -f $OUT/console.log ]] && cat "$OUT/console.log"

if [[ $qrc -eq 124 || $qrc -eq 137 ]]; then
	echo "run-vm.sh: FAIL: guest timed out after ${TIMEOUT}s and was killed; serial log tail:" >&2
	tail -n 40 "$OUT/serial.log" >&2 || true
	exit 124
fi
if [[ ! -s $OUT/rc ]]; then
	echo "run-vm.sh: FAIL: guest did not finish (qemu rc $qrc; panic or init failure); serial log tail:" >&2
	tail -n 60 "$OUT/serial.log" >&2 || true
	exit 125
fi
rc=$(cat "$OUT/rc")

# Kernel health: any of these in dmesg fails the run even if CMD passed.
problem=0
if grep -nE 'WARNING:|BUG:|Oops|Call Trace|KASAN|general protection' "$OUT/dmesg.txt" >&2; then
	echo "run-vm.sh: FAIL: kernel problem in $OUT/dmesg.txt (lines above)" >&2
	problem=1
fi
# Allowed taint bits: 4096 (O, out-of-tree module), 8192 (E, unsigned module).
tainted=$(cat "$OUT/tainted" 2>/dev/null || echo missing)
if [[ ! $tainted =~ ^[0-9]+$ ]]; then
	echo "run-vm.sh: FAIL: could not read guest taint ($tainted)" >&2
	problem=1
elif ((tainted & ~(4096 | 8192))); then
	echo "run-vm.sh: FAIL: kernel tainted=$tainted (allowed: 4096 O, 8192 E)" >&2
	problem=1
fi

echo "run-vm.sh: guest ($accel) finished in ${elapsed}s, command exit status $rc, tainted=$tainted, results in $OUT" >&2
if [[ $rc -ne 0 ]]; then
	exit "$rc"
fi
((problem == 0)) || exit 126
exit 0
