# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# Helpers of the flow tests (test_flow_*.sh), sourced after lib.sh: the
# flow_peer.py endpoints and polling mosctl's table. Shell and sed rather
# than python where a test polls: starting python takes seconds in an
# emulated guest.
PEER=(python3 "$SRC/selftests/kmod/flow_peer.py")

# wait_for FILE PATTERN [TENTHS]: until a line of FILE matches.
wait_for() {
	for _ in $(seq "${3:-150}"); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# client NAME ADDR PORT [ARGS]: a ping-pong client in mos-c; sets CPORT to
# its local port once connected.
client() {
	local name=$1
	shift
	ip netns exec mos-c "${PEER[@]}" client "$@" >"$WORK/$name" &
	CPID=$!
	CPORT=
	wait_for "$WORK/$name" '"connected"' || return 1
	CPORT=$(sed -n 's/.*"port": \([0-9]*\).*/\1/p' "$WORK/$name")
}

# flow_id NS PORT: id of the live (not ended) connection from client PORT,
# from the table (columns: id proto cpu client state server state c2s s2c
# flags).
flow_id() {
	ip netns exec "$1" "$MOSCTL" flow list |
		awk -v p=":$2" 'substr($4, length($4) - length(p) + 1) == p &&
				$10 !~ /ended/ { n++; id = $1 }
				END { if (n == 1) print id }'
}
