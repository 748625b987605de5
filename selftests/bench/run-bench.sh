#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: mos-bench against the floor (parse + flow lookup only) and
# against libnids, on the same synthetic captures in the same run, since
# only ratios measured together on one machine mean anything. Prints one
# table; the targets are informational and the exit status is non-zero
# only when a program failed.
#
# Environment: BENCH_CONNS (100000), BENCH_CONCS ("1 1000 10000"),
# BENCH_RUNS (3, the best is kept), BENCH_SEED (1), BENCH_FORWARD (1: also
# the forwarding benchmark in the QEMU guest, forward-bench.sh), MOS_BENCH
# ($BUILD/bin/mos-bench), BUILD (build).
set -uo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build}
OUT=$BUILD/bench
CONNS=${BENCH_CONNS:-100000}
CONCS=${BENCH_CONCS:-1 1000 10000}
RUNS=${BENCH_RUNS:-3}
SEED=${BENCH_SEED:-1}
MOS_BENCH=${MOS_BENCH:-$BUILD/bin/mos-bench}
LOG=$OUT/logs
failed=0

BUILD=$BUILD "$SRC/selftests/bench/build.sh" || exit 1
mkdir -p "$LOG"

# capture CONC: the capture's path, generated once per parameter set and
# again only when the generator is rebuilt.
capture() {
	local f=$OUT/synth-n$CONNS-c$1-s$SEED.pcap t0 t1
	if [ ! -s "$f" ] || [ "$OUT/gen_synth" -nt "$f" ]; then
		t0=$(date +%s.%N)
		"$OUT/gen_synth" -n "$CONNS" -c "$1" -s "$SEED" -o "$f.tmp" \
			>"$LOG/gen-c$1.out" || return 1
		mv "$f.tmp" "$f"
		t1=$(date +%s.%N)
		echo "generated $(basename "$f"): $(du -m "$f" | cut -f1) MB," \
			"$(awk -v a="$t0" -v b="$t1" \
			   'BEGIN { printf "%.1f", b - a }') s," \
			"$(cat "$LOG/gen-c$1.out")" >&2
	fi
	echo "$f"
}

# field NAME LINE: the value of NAME=VALUE in LINE, empty if absent.
field() {
	tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -n 1
}

# best TAG CMD...: run CMD $RUNS times, keep each output in $LOG/TAG.N,
# and set $best_line to the last line of the run with the highest mpps.
# Runs in this shell, not in $(...), so that failures are counted; a run
# that fails or prints no mpps= leaves $best_line empty.
best() {
	local tag=$1 i line mpps best_mpps=-1
	shift
	best_line=""
	for ((i = 1; i <= RUNS; i++)); do
		if ! "$@" >"$LOG/$tag.$i" 2>&1; then
			echo "FAILED: $* (see $LOG/$tag.$i)" >&2
			tail -n 5 "$LOG/$tag.$i" >&2
			failed=$((failed + 1))
			best_line=""
			return 1
		fi
		line=$(tail -n 1 "$LOG/$tag.$i")
		mpps=$(field mpps "$line")
		if [ -z "$mpps" ]; then
			echo "FAILED: $* printed no mpps= (see $LOG/$tag.$i)" >&2
			failed=$((failed + 1))
			best_line=""
			return 1
		fi
		if awk -v a="$mpps" -v b="$best_mpps" 'BEGIN { exit !(a > b) }'
		then
			best_mpps=$mpps
			best_line=$line
		fi
	done
}

# ratio A B: A/B to two decimals, "-" when either is missing.
ratio() {
	if [ -z "$1" ] || [ -z "$2" ]; then
		echo "-"
		return
	fi
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'
}

# verdict VALUE OP LIMIT: PASS, FAIL, or "-" when there is no value.
verdict() {
	if [ -z "$1" ] || [ "$1" = "-" ]; then
		echo "-"
	elif awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
		exit !(op == ">=" ? v >= l : v <= l) }'; then
		echo PASS
	else
		echo FAIL
	fi
}

have_mos=yes
if [ ! -x "$MOS_BENCH" ]; then
	have_mos=no
	echo "mos-bench missing ($MOS_BENCH): measuring floor and libnids" \
		"only" >&2
fi
have_nids=yes
if [ ! -x "$OUT/nids_bench" ]; then
	have_nids=no
	echo "nids_bench missing (apt-get install libnids-dev)" >&2
fi

# ude_ns C: nanoseconds each extra user-defined event (a filter and a
# callback) cost in mos-bench at concurrency C, from the time per packet
# of --udes 64 and --udes 4 and the events each ran; "-" without both.
ude_ns() {
	local l4 l64 pk u4 u64
	l4=$(grep -h '^payload_bytes=' "$LOG/mos4-c$1.1" 2>/dev/null)
	l64=$(grep -h '^payload_bytes=' "$LOG/mos64-c$1.1" 2>/dev/null)
	pk=$(field packets "$(grep -h '^packets=' "$LOG/mos4-c$1.1" 2>/dev/null)")
	u4=$(field ude_events "$l4")
	u64=$(field ude_events "$l64")
	if [ -z "$pk" ] || [ -z "$u4" ] || [ -z "$u64" ] || [ -z "$mos" ] ||
	   [ -z "$mos64" ]; then
		echo "-"
		return
	fi
	awk -v p="$pk" -v a="$u4" -v b="$u64" -v m4="$mos" -v m64="$mos64" \
		'BEGIN { d = (b - a) / p;
			 printf "%.2f", (d > 0 ? (1000 / m64 - 1000 / m4) / d : 0) }'
}

rows=()
FMT='%6s %7s %7s | %6s %5s | %7s %6s %5s | %6s %5s | %6s %5s %6s | %7s %7s\n'
for c in $CONCS; do
	cap=$(capture "$c") || { failed=$((failed + 1)); continue; }
	echo "concurrency $c: $(basename "$cap")" >&2
	best "floor-c$c" "$OUT/floor" -r "$cap" -c "$c"
	floor=$(field mpps "$best_line")
	# The same floor reading the file as it goes, as libnids does.
	best "floorio-c$c" "$OUT/floor" -I -r "$cap" -c "$c"
	floor_io=$(field mpps "$best_line")
	best "floorpf-c$c" "$OUT/floor" -P 8 -r "$cap" -c "$c"
	floor_pf=$(field mpps "$best_line")
	nids="" mos="" mos64="" bpc=""
	if [ "$have_nids" = yes ]; then
		best "nids-c$c" "$OUT/nids_bench" -r "$cap" -c "$c"
		nids=$(field mpps "$best_line")
	fi
	if [ "$have_mos" = yes ]; then
		best "mos4-c$c" "$MOS_BENCH" -r "$cap" --udes 4
		mos=$(field mpps "$best_line")
		bpc=$(field bytes_per_conn "$best_line")
		best "mos64-c$c" "$MOS_BENCH" -r "$cap" --udes 64
		mos64=$(field mpps "$best_line")
	fi
	r_floor=$(ratio "$mos" "$floor")
	r_nids=$(ratio "$mos" "$nids")
	r_udes=$(ratio "$mos64" "$mos")
	# shellcheck disable=SC2059 # FMT is the table's format
	rows+=("$(printf "$FMT" "$c" "${floor:--}" "${mos:--}" \
		"$r_floor" "$(verdict "$r_floor" ">=" 0.50)" \
		"${nids:--}" "$r_nids" "$(verdict "$r_nids" ">=" 4)" \
		"${bpc:--}" "$(verdict "$bpc" "<=" 256)" \
		"$r_udes" "$(verdict "$r_udes" ">=" 0.80)" "$(ude_ns "$c")" \
		"${floor_io:--}" "${floor_pf:--}")")
done

echo
echo "mos-bench vs floor and libnids: $CONNS connections, best of $RUNS," \
	"Mpps; mos = mos-bench --udes 4"
# shellcheck disable=SC2059 # FMT is the table's format
printf "$FMT" conc floor mos mos/fl ">=.50" nids mos/nd ">=4" \
	B/conn "<=256" u64/u4 ">=.80" ns/UDE floorIO floorPF
for r in "${rows[@]}"; do
	echo "$r"
done
cat <<'NOTE'
floor: parse + flow lookup, capture preloaded (the reference for mos/fl);
floorIO: the same, reading the file as it goes; floorPF: preloaded, with a
prefetch 8 packets ahead. libnids reads the file itself, so nids includes
libpcap file reading: compare it with floorIO for the I/O share.
ns/UDE: what each of the 60 extra user-defined events costs per NEW_DATA
(a filter and a callback, both called); callpair below is the bare cost
of that pair of indirect calls on this machine, with no dispatch at all.
NOTE
if [ -x "$OUT/callpair" ]; then
	echo "callpair: $("$OUT/callpair" | tail -n 1)"
fi
[ "$have_mos" = yes ] || echo "mos-bench missing: mos columns empty"

# Issue 4's benchmark: forwarding through a router namespace in the guest.
if [ "${BENCH_FORWARD:-1}" = 1 ]; then
	echo
	if ! BUILD=$BUILD "$SRC/selftests/bench/forward-bench.sh" \
		>"$LOG/forward.out" 2>&1; then
		echo "FAILED: forwarding benchmark (see $LOG/forward.out)" >&2
		failed=$((failed + 1))
	fi
	sed -n '/^forwarding (iperf3)/,/^none_gbps=/p' "$LOG/forward.out"
fi
[ "$failed" -eq 0 ] || echo "$failed benchmark program(s) failed"
[ "$failed" -eq 0 ]
