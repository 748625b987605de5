#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mos-timeout: 400
# Connections over netlink, with real traffic through a router namespace
# (mos-c -- mos-r -- mos-s, mos watching in mos-r as a middlebox would):
# flow list/show report both endpoints' states and stream bytes; drop
# stalls a connection; reset makes both endpoints see ECONNRESET (also at
# an endpoint, where mos sees the packets at LOCAL_OUT, over IPv6);
# untrack ends tracking and leaves the connection alone.
# test_flow_config.sh covers notifications, settings and privileges.
# shellcheck disable=SC2154 # F_* and S_* are set by flow_vars and stat_vars
. "$(dirname "$0")/lib.sh"
# shellcheck source=flow_lib.sh
. "$(dirname "$0")/flow_lib.sh"

mos_load
ip netns add mos-c
ip netns add mos-r
ip netns add mos-s
NETNS+=(mos-c mos-r mos-s)
ip link add v1-c netns mos-c type veth peer name v1-r netns mos-r
ip link add v2-r netns mos-r type veth peer name v2-s netns mos-s
ip -n mos-c addr add 10.77.1.1/24 dev v1-c
ip -n mos-r addr add 10.77.1.2/24 dev v1-r
ip -n mos-r addr add 10.77.2.1/24 dev v2-r
ip -n mos-s addr add 10.77.2.2/24 dev v2-s
ip -n mos-c addr add fd00:77:1::1/64 dev v1-c nodad
ip -n mos-r addr add fd00:77:1::2/64 dev v1-r nodad
ip -n mos-r addr add fd00:77:2::1/64 dev v2-r nodad
ip -n mos-s addr add fd00:77:2::2/64 dev v2-s nodad
for ns in mos-c mos-r mos-s; do
	ip -n "$ns" link set lo up
	for dev in $(ip -n "$ns" -o link show type veth | awk -F'[:@ ]+' '{ print $2 }'); do
		ip -n "$ns" link set "$dev" up
	done
done
ip -n mos-c route add default via 10.77.1.2
ip -n mos-c -6 route add default via fd00:77:1::2
ip -n mos-s route add default via 10.77.2.1
ip -n mos-s -6 route add default via fd00:77:2::1
ip netns exec mos-r sysctl -qw net.ipv4.ip_forward=1
ip netns exec mos-r sysctl -qw net.ipv6.conf.all.forwarding=1

ip netns exec mos-s "${PEER[@]}" server 10.77.2.2 5001 >"$WORK/srv4" &
ip netns exec mos-s "${PEER[@]}" server fd00:77:2::2 5002 >"$WORK/srv6" &
wait_port mos-s 5001
wait_port mos-s 5002

# jfield JSON KEY: one field of mosctl's flat JSON; strings unquoted, lists
# as a,b.
jfield() {
	sed -n "s/.*\"$2\":\(\[[^]]*\]\|\"[^\"]*\"\|[0-9][0-9]*\).*/\1/p" <<<"$1" |
		tr -d '"[]'
}

# flow_vars NS ID: `mosctl -j flow show ID` as shell variables F_<key>.
flow_vars() {
	local json key
	json=$(ip netns exec "$1" "$MOSCTL" -j flow show "$2")
	for key in cpu client_addr client_port client_state server_addr \
		server_port server_state c2s_bytes s2c_bytes idle_ms flags \
		end_reason; do
		printf -v "F_$key" '%s' "$(jfield "$json" "$key")"
	done
}

# stat_vars: the router's total counters as shell variables S_<key>.
stat_vars() {
	local json key
	json=$(ip netns exec mos-r "$MOSCTL" -j stats |
		sed -n 's/^{"total":{\([^}]*\)}.*/\1/p')
	for key in flows flows_created dropped; do
		printf -v "S_$key" '%s' "$(jfield "$json" "$key")"
	done
}

# ---- both endpoints' states while a connection is open -------------------
client c1 10.77.2.2 5001 --stall 2 || tap_fail "client c1 connected"
sleep 0.5
id=$(flow_id mos-r "$CPORT")
check "the connection is listed once in the router (id '$id')" test -n "$id"
ip netns exec mos-r "$MOSCTL" -j flow show "$id" | sed 's/^/# /'
flow_vars mos-r "$id"
check "client endpoint established" test "$F_client_state" = established
check "server endpoint established" test "$F_server_state" = established
check "client address and server port" test \
	"$F_client_addr:$F_server_addr:$F_server_port" = "10.77.1.1:10.77.2.2:5001"
check "client-to-server bytes delivered" test "$F_c2s_bytes" -gt 0
check "server-to-client bytes delivered" test "$F_s2c_bytes" -gt 0
check "idle time is small" test "$F_idle_ms" -lt 5000
check "its shard is a CPU number" test "$F_cpu" -lt "$(nproc --all)"
check "the table lists it with both states" sh -c \
	"ip netns exec mos-r '$MOSCTL' flow list | grep -Eq '^$id +tcp4 .*10\\.77\\.1\\.1:$CPORT +established +10\\.77\\.2\\.2:5001 +established'"
stat_vars
check "stats count it" test "$S_flows" -ge 1 -a "$S_flows_created" -ge 1

# ---- drop: the connection stalls -------------------------------------------
check "flow drop succeeds" ip netns exec mos-r "$MOSCTL" flow drop "$id"
check "the dropped connection stalls" wait_for "$WORK/c1" '"stall"'
flow_vars mos-r "$id"
check "flags say drop" test "$F_flags" = drop
stat_vars
check "dropped packets are counted" test "$S_dropped" -gt 0
kill "$CPID" 2>/dev/null

# ---- reset in the router: both ends see ECONNRESET ---------------------------
client c2 10.77.2.2 5001 || tap_fail "client c2 connected"
id=$(flow_id mos-r "$CPORT")
check "flow reset succeeds" ip netns exec mos-r "$MOSCTL" flow reset "$id"
check "the client sees a reset" wait_for "$WORK/c2" '"reset"'
check "the server sees a reset" wait_for "$WORK/srv4" "\"reset\", \"peer_port\": $CPORT"
flow_vars mos-r "$id"
check "flags say drop,reset,ended ($F_flags)" test "$F_flags" = drop,reset,ended
check "the reset ended the connection, reason rst ($F_end_reason)" \
	test "$F_end_reason" = rst

# ---- reset at an endpoint (LOCAL_OUT), IPv6 ---------------------------------
client c3 fd00:77:2::2 5002 || tap_fail "client c3 connected"
id=$(flow_id mos-c "$CPORT")
check "the client's own namespace tracks its connection (id '$id')" test -n "$id"
check "flow reset at the endpoint succeeds" ip netns exec mos-c "$MOSCTL" flow reset "$id"
check "the IPv6 client sees a reset" wait_for "$WORK/c3" '"reset"'
check "the IPv6 server sees a reset" wait_for "$WORK/srv6" "\"reset\", \"peer_port\": $CPORT"

# ---- untrack: tracking ends, the connection goes on --------------------------
client c4 10.77.2.2 5001 --stall 1 || tap_fail "client c4 connected"
id=$(flow_id mos-r "$CPORT")
check "flow untrack succeeds" ip netns exec mos-r "$MOSCTL" flow untrack "$id"
flow_vars mos-r "$id"
check "it ended as evicted" test "$F_flags,$F_end_reason" = ended,evicted
sleep 2
check "the untracked connection still works (no stall over 1 s)" \
	sh -c "! grep -q 'stall\\|reset\\|eof' '$WORK/c4'"
n=$(ip netns exec mos-r "$MOSCTL" flow list | grep -c ":$CPORT ")
check "its later packets start no new connection ($n entries)" test "$n" -eq 1
kill "$CPID" 2>/dev/null
exit $FAILED
