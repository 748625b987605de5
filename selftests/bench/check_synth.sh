#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark is only as good as its capture: check on a small one that
# independent readers agree with what gen_synth says it wrote. tcpdump and
# tshark must read it cleanly with good checksums, tshark must see one
# conversation, one reordering and one retransmission per connection, and
# libnids must reassemble exactly the request and response bytes; and
# mos-bench's --on-arrival must change when bytes are delivered. Prints
# TAP.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build}
OUT=$BUILD/bench/check
N=${CHECK_CONNS:-100}
C=${CHECK_CONC:-10}
n=0
failures=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failures=$((failures + 1))
	echo "not ok $n - $1"
}

skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# check DESC CONDITION...: ok when CONDITION succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# field NAME LINE: the value of NAME=VALUE in LINE.
field() {
	tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -n 1
}

echo "1..11"
mkdir -p "$OUT"
if ! BUILD=$BUILD "$SRC/selftests/bench/build.sh" >"$OUT/build.log" 2>&1
then
	cat "$OUT/build.log"
	not_ok "benchmark helpers build"
	exit 1
fi
ok "benchmark helpers build"

cap=$OUT/synth.pcap
if gen=$("$BUILD/bench/gen_synth" -n "$N" -c "$C" -s 7 -o "$cap"); then
	ok "gen_synth -n $N -c $C: $gen"
else
	not_ok "gen_synth -n $N -c $C"
	exit 1
fi
packets=$(field packets "$gen")
bytes=$(field stream_bytes "$gen")

# Same seed, same file; another concurrency, same packets and bytes.
"$BUILD/bench/gen_synth" -n "$N" -c "$C" -s 7 -o "$OUT/again.pcap" \
	>/dev/null
gen1=$("$BUILD/bench/gen_synth" -n "$N" -c 1 -s 7 -o "$OUT/c1.pcap")
desc="deterministic from the seed, same bytes at any concurrency"
if cmp -s "$cap" "$OUT/again.pcap" &&
	[ "$(field packets "$gen1")" = "$packets" ] &&
	[ "$(field stream_bytes "$gen1")" = "$bytes" ] &&
	! cmp -s "$cap" "$OUT/c1.pcap"; then
	ok "$desc"
else
	not_ok "$desc"
fi

# tcpdump: no complaint beyond its banner, every packet read, and its
# own checksum verification (-vv) finds nothing wrong.
td=$(tcpdump -nvv -r "$cap" 2>"$OUT/tcpdump.err")
td_rc=$?
desc="tcpdump -r reads all $packets packets without complaint"
if [ $td_rc -eq 0 ] &&
	! grep -v "^reading from file" "$OUT/tcpdump.err" | grep -q . &&
	[ "$(grep -c "^[0-9]" <<<"$td")" = "$packets" ]; then
	ok "$desc"
else
	not_ok "$desc"
fi
if grep -qiE "incorrect|bad cksum|wrong" <<<"$td"; then
	not_ok "tcpdump finds no bad IP or TCP checksum"
else
	ok "tcpdump finds no bad IP or TCP checksum"
fi

if command -v tshark >/dev/null; then
	conv=$(tshark -r "$cap" -q -z conv,tcp 2>/dev/null | grep -c '<->')
	check "tshark sees $N TCP conversations (saw $conv)" \
		[ "$conv" = "$N" ]
	bad=$(tshark -r "$cap" -o ip.check_checksum:TRUE \
		-o tcp.check_checksum:TRUE \
		-Y 'ip.checksum.status != 1 || tcp.checksum.status != 1' \
		2>/dev/null | wc -l)
	check "tshark verifies every IP and TCP checksum ($bad bad)" \
		[ "$bad" = 0 ]
	# tshark calls the late half of a swap out-of-order or a
	# retransmission depending on timing; either way 2 per connection.
	odd=$(tshark -r "$cap" -Y 'tcp.analysis.out_of_order ||
		tcp.analysis.retransmission' 2>/dev/null | wc -l)
	check "tshark: one reordering and one retransmission a connection" \
		[ "$odd" = $((2 * N)) ]
	echo "# tshark flagged $odd segments, expected $((2 * N))"
else
	for t in conversations checksums anomalies; do
		skip "tshark $t" "tshark not installed"
	done
fi

if [ -x "$BUILD/bench/nids_bench" ]; then
	"$BUILD/bench/nids_bench" -r "$cap" -c "$C" >"$OUT/nids.out" 2>&1
	nids=$(cat "$OUT/nids.out")
	sed 's/^/# /' "$OUT/nids.out"
	desc="libnids reassembles $bytes bytes in $N streams, all closed"
	if [ "$(field bytes "$(tail -n 1 <<<"$nids")")" = "$bytes" ] &&
		grep -q "^streams=$N closed=$N warnings=0$" <<<"$nids"; then
		ok "$desc"
	else
		not_ok "$desc"
	fi
else
	skip "libnids byte count" "libnids-dev not installed"
fi

"$BUILD/bench/floor" -r "$cap" -c "$C" >"$OUT/floor.out" 2>&1
fl=$(cat "$OUT/floor.out")
sed 's/^/# /' "$OUT/floor.out"
desc="floor sees $N flows, at most $C at once, none left open"
if grep -q "^flows=$N max_live=$C left_open=0 " <<<"$fl" &&
	[ "$(field packets "$(tail -n 1 <<<"$fl")")" = "$packets" ]; then
	ok "$desc"
else
	not_ok "$desc"
fi
# mos-bench, delivering on the ACK and on arrival: the same connections and
# packets, the bytes delivered at other moments.
ack=$("$BUILD/bin/mos-bench" -r "$cap" 2>&1)
arr=$("$BUILD/bin/mos-bench" -r "$cap" --on-arrival 2>&1)
grep -E 'packets=|data_events=' <<<"$arr" | sed 's/^/# /'
ev_ack=$(field data_events "$(grep data_events= <<<"$ack")")
ev_arr=$(field data_events "$(grep data_events= <<<"$arr")")
desc="mos-bench --on-arrival: $N connections, $packets packets, NEW_DATA at other moments ($ev_ack on ACK, $ev_arr on arrival)"
if grep -q "^packets=$packets .*connections=$N " <<<"$ack" &&
	grep -q "^packets=$packets .*connections=$N " <<<"$arr" &&
	[ -n "$ev_ack" ] && [ -n "$ev_arr" ] && [ "$ev_ack" != "$ev_arr" ]; then
	ok "$desc"
else
	not_ok "$desc"
fi
# copyrate (forward-guest.sh's measure of one copy per byte): its three
# copies agree with the source (it checks) and each has a positive rate.
cr=$("$BUILD/bench/copyrate" 2>&1)
echo "# copyrate: $cr"
desc="copyrate: three verified copies with positive rates"
if grep -Eq '^movsb_mbps=[1-9][0-9]* memcpy_mbps=[1-9][0-9]* words_mbps=[1-9][0-9]*$' \
	<<<"$cr"; then
	ok "$desc"
else
	not_ok "$desc"
fi
[ "$failures" -eq 0 ]
