/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * mos - flow monitoring for Linux middleboxes.
 *
 * Generic netlink interface of the mos kernel module. The family is named
 * "mos"; Documentation/netlink/mos.yaml is the reference specification.
 * Attribute and command numbers are ABI: append, never renumber.
 */
#ifndef _UAPI_LINUX_MOS_H
#define _UAPI_LINUX_MOS_H

#define MOS_GENL_NAME		"mos"
#define MOS_GENL_VERSION	1

/**
 * enum mos_cmd - commands of the "mos" generic netlink family
 * @MOS_CMD_UNSPEC: unused
 * @MOS_CMD_GET_STATS: read the packet counters of the caller's network
 *	namespace. Request: no attributes. Reply: %MOS_A_STATS_TOTAL and one
 *	%MOS_A_STATS_CPU per possible CPU. Needs CAP_NET_ADMIN in the owning
 *	user namespace of the caller's network namespace.
 * @MOS_CMD_MONITOR_SET: change a consumer of /dev/mos (see
 *	linux/mos_ring.h): %MOS_A_MONITOR_ID (required), then any of
 *	%MOS_A_MONITOR_EVMASK, %MOS_A_MONITOR_FLAGS, %MOS_A_MONITOR_GROUP,
 *	%MOS_A_MONITOR_FILTER.
 *	CAP_NET_ADMIN.
 * @MOS_CMD_FLOW_GET: with %MOS_A_FLOW_ID, that connection; as a dump,
 *	every connection of the namespace. Replies carry one %MOS_A_FLOW
 *	each. CAP_NET_ADMIN.
 * @MOS_CMD_FLOW_SET: act on a connection: %MOS_A_FLOW_ID (required) and
 *	%MOS_A_FLOW_ACTION, or per-side options with %MOS_A_FLOW_SIDE:
 *	%MOS_A_FLOW_POLICY, %MOS_A_FLOW_BUFFER, %MOS_A_FLOW_STOP.
 *	CAP_NET_ADMIN.
 * @MOS_CMD_GET_CONFIG: reply: %MOS_A_CONFIG. CAP_NET_ADMIN.
 * @MOS_CMD_SET_CONFIG: %MOS_A_CONFIG with the settings to change; they
 *	apply to connections created afterwards. CAP_NET_ADMIN.
 * @MOS_CMD_FLOW_NEW: notification on the "flows" multicast group: a
 *	connection started (%MOS_A_FLOW)
 * @MOS_CMD_FLOW_END: notification: a connection ended (%MOS_A_FLOW with
 *	%MOS_FLOW_A_END_REASON)
 */
enum mos_cmd {
	MOS_CMD_UNSPEC,
	MOS_CMD_GET_STATS,
	MOS_CMD_MONITOR_SET,
	MOS_CMD_FLOW_GET,
	MOS_CMD_FLOW_SET,
	MOS_CMD_GET_CONFIG,
	MOS_CMD_SET_CONFIG,
	MOS_CMD_FLOW_NEW,
	MOS_CMD_FLOW_END,

	__MOS_CMD_MAX,
};

#define MOS_CMD_MAX (__MOS_CMD_MAX - 1)

/**
 * enum mos_attr - top-level attributes
 * @MOS_A_UNSPEC: unused
 * @MOS_A_PAD: padding for 64-bit attributes
 * @MOS_A_STATS_TOTAL: nested &enum mos_stats_attr, sum over all CPUs
 * @MOS_A_STATS_CPU: nested &enum mos_stats_attr of one CPU (carries
 *	%MOS_STATS_A_CPU); repeated once per possible CPU
 * @MOS_A_MONITOR_ID: u32, a consumer's id (struct mos_ring_setup)
 * @MOS_A_MONITOR_EVMASK: u32, built-in events the consumer receives, bit
 *	per event type (MOS_ON_*); 0, the initial value, means none
 * @MOS_A_MONITOR_FILTER: nested &enum mos_filter_attr; replaces the
 *	consumer's filter of that type (an empty program removes it)
 * @MOS_A_FLOW: nested &enum mos_flow_attr, one connection
 * @MOS_A_FLOW_ID: u64, a connection's id
 * @MOS_A_FLOW_ACTION: u32, &enum mos_flow_action
 * @MOS_A_FLOW_SIDE: u32, 0 = client, 1 = server: the side the options
 *	below apply to
 * @MOS_A_FLOW_POLICY: u32, overlap policy of that side's stream (0..8, the
 *	order of mos/mos.h)
 * @MOS_A_FLOW_STOP: flag: stop reassembling that side's stream
 * @MOS_A_CONFIG: nested &enum mos_config_attr
 * @MOS_A_FLOW_BUFFER: u32, reassembly buffer of that side's stream in bytes
 *	(rounded up to KiB, at most 65535 KiB); 0: the namespace's flow buffer
 * @MOS_A_MONITOR_FLAGS: u32, MOS_MONITOR_F_* of the consumer (0 initially)
 * @MOS_A_MONITOR_GROUP: u32, the consumer shares the connections with others:
 *	count in the high 16 bits, its index (below count) in the low 16 bits;
 *	it gets the events of the shards s with s % count == index (count 1,
 *	the initial value, means all). One consumer per shard or CPU, each
 *	read by its own thread.
 */
enum mos_attr {
	MOS_A_UNSPEC,
	MOS_A_PAD,
	MOS_A_STATS_TOTAL,
	MOS_A_STATS_CPU,
	MOS_A_MONITOR_ID,
	MOS_A_MONITOR_EVMASK,
	MOS_A_MONITOR_FILTER,
	MOS_A_FLOW,
	MOS_A_FLOW_ID,
	MOS_A_FLOW_ACTION,
	MOS_A_FLOW_SIDE,
	MOS_A_FLOW_POLICY,
	MOS_A_FLOW_STOP,
	MOS_A_CONFIG,
	MOS_A_FLOW_BUFFER,
	MOS_A_MONITOR_FLAGS,
	MOS_A_MONITOR_GROUP,

	__MOS_A_MAX,
};

#define MOS_A_MAX (__MOS_A_MAX - 1)

/*
 * Flags of %MOS_A_MONITOR_FLAGS. ALL_PACKETS: PKT_IN of every packet of
 * the consumer's connections (for their headers, or per-connection PKT_IN
 * callbacks); the RAW filter then marks the packets that pass it
 * (MOS_REC_F_RAW) instead of selecting them.
 */
#define MOS_MONITOR_F_ALL_PACKETS	0x1

/**
 * enum mos_stats_attr - counters, nested in %MOS_A_STATS_TOTAL/_CPU
 * @MOS_STATS_A_UNSPEC: unused
 * @MOS_STATS_A_PAD: padding for 64-bit attributes
 * @MOS_STATS_A_CPU: u32, CPU number (only in %MOS_A_STATS_CPU)
 * @MOS_STATS_A_TCP_PACKETS: u64, TCP packets seen (a GRO/TSO super-packet
 *	counts once, as tcpdump on the same device shows it)
 * @MOS_STATS_A_TCP_BYTES: u64, bytes of those packets from the IP header on
 * @MOS_STATS_A_TCP6_PACKETS: u64, how many of the TCP packets were IPv6
 * @MOS_STATS_A_BAD_HEADERS: u64, packets whose IP or TCP header was
 *	truncated or malformed (not counted as TCP packets)
 * @MOS_STATS_A_FLOWS: u64, connections tracked now (of the shard whose
 *	home is this CPU)
 * @MOS_STATS_A_FLOWS_CREATED: u64, connections tracked so far
 * @MOS_STATS_A_EVICTIONS: u64, connections evicted because the table
 *	was full
 * @MOS_STATS_A_RING_LOST_EVENTS: u64, events dropped because a
 *	consumer's ring (this shard's) was full
 * @MOS_STATS_A_RING_LOST_BYTES: u64, payload bytes of those events
 * @MOS_STATS_A_DROPPED: u64, packets dropped by actions and filters
 * @MOS_STATS_A_DIRECT_BYTES: u64, stream bytes delivered straight from
 *	their packet into the rings, never stored (delivery on arrival)
 * @MOS_STATS_A_OVERSIZE: u64, always 0 (kept for compatibility: paged
 *	packets are read in place, never cut short)
 * @MOS_STATS_A_HELD_BYTES: u64, stream bytes kept until their ACK in the
 *	packet they came in (a clone of its skb) rather than copied into
 *	stream buffers: big segments, when delivering on the ACK
 */
enum mos_stats_attr {
	MOS_STATS_A_UNSPEC,
	MOS_STATS_A_PAD,
	MOS_STATS_A_CPU,
	MOS_STATS_A_TCP_PACKETS,
	MOS_STATS_A_TCP_BYTES,
	MOS_STATS_A_TCP6_PACKETS,
	MOS_STATS_A_BAD_HEADERS,
	MOS_STATS_A_FLOWS,
	MOS_STATS_A_FLOWS_CREATED,
	MOS_STATS_A_EVICTIONS,
	MOS_STATS_A_RING_LOST_EVENTS,
	MOS_STATS_A_RING_LOST_BYTES,
	MOS_STATS_A_DROPPED,
	MOS_STATS_A_OVERSIZE,
	MOS_STATS_A_DIRECT_BYTES,
	MOS_STATS_A_HELD_BYTES,

	__MOS_STATS_A_MAX,
};

#define MOS_STATS_A_MAX (__MOS_STATS_A_MAX - 1)

/**
 * enum mos_filter_type - what a consumer's filter selects
 * @MOS_FILTER_SYN: connections, by their first packet: the consumer gets
 *	events only of connections whose first packet matches
 * @MOS_FILTER_ORPHAN: the orphan packets it gets ORPHAN events for
 * @MOS_FILTER_RAW: the packets it gets PKT_IN events for
 */
enum mos_filter_type {
	MOS_FILTER_SYN,
	MOS_FILTER_ORPHAN,
	MOS_FILTER_RAW,
	__MOS_FILTER_MAX,
};

/**
 * enum mos_filter_attr - a classic BPF filter, in %MOS_A_MONITOR_FILTER
 * @MOS_FILTER_A_UNSPEC: unused
 * @MOS_FILTER_A_TYPE: u32, &enum mos_filter_type
 * @MOS_FILTER_A_PROG: binary, an array of struct sock_filter run on the
 *	packet from its IP header on (libpcap's DLT_RAW); at most
 *	BPF_MAXINSNS instructions; empty: remove the filter
 */
enum mos_filter_attr {
	MOS_FILTER_A_UNSPEC,
	MOS_FILTER_A_TYPE,
	MOS_FILTER_A_PROG,

	__MOS_FILTER_A_MAX,
};

#define MOS_FILTER_A_MAX (__MOS_FILTER_A_MAX - 1)

/**
 * enum mos_flow_action - %MOS_A_FLOW_ACTION
 * @MOS_FLOW_ACTION_DROP: drop the connection's packets from now on
 * @MOS_FLOW_ACTION_RESET: send a reset to both endpoints, then drop
 * @MOS_FLOW_ACTION_UNTRACK: stop tracking it (CONN_END, reason evicted);
 *	its later packets are not looked at (until it looks like a new
 *	connection)
 */
enum mos_flow_action {
	MOS_FLOW_ACTION_DROP = 1,
	MOS_FLOW_ACTION_RESET,
	MOS_FLOW_ACTION_UNTRACK,
};

/**
 * enum mos_flow_attr - one connection, nested in %MOS_A_FLOW
 * @MOS_FLOW_A_UNSPEC: unused
 * @MOS_FLOW_A_PAD: padding
 * @MOS_FLOW_A_ID: u64, its id
 * @MOS_FLOW_A_CPU: u32, its home ring (engine shard)
 * @MOS_FLOW_A_IP_VERSION: u8, 4 or 6
 * @MOS_FLOW_A_CLI_ADDR: binary, 4 or 16 bytes, network order
 * @MOS_FLOW_A_CLI_PORT: u16, host order
 * @MOS_FLOW_A_SVR_ADDR: binary, as %MOS_FLOW_A_CLI_ADDR
 * @MOS_FLOW_A_SVR_PORT: u16
 * @MOS_FLOW_A_CLI_STATE: u8, client's TCP state (mos_state_name())
 * @MOS_FLOW_A_SVR_STATE: u8, server's TCP state
 * @MOS_FLOW_A_C2S_BYTES: u64, client-to-server stream bytes delivered
 * @MOS_FLOW_A_S2C_BYTES: u64, server-to-client stream bytes delivered
 * @MOS_FLOW_A_FLAGS: u32, MOS_FLOW_F_*
 * @MOS_FLOW_A_IDLE_MS: u64, milliseconds since its last packet
 * @MOS_FLOW_A_END_REASON: u8, why it ended (FLOW_END), as CONN_END's code
 */
enum mos_flow_attr {
	MOS_FLOW_A_UNSPEC,
	MOS_FLOW_A_PAD,
	MOS_FLOW_A_ID,
	MOS_FLOW_A_CPU,
	MOS_FLOW_A_IP_VERSION,
	MOS_FLOW_A_CLI_ADDR,
	MOS_FLOW_A_CLI_PORT,
	MOS_FLOW_A_SVR_ADDR,
	MOS_FLOW_A_SVR_PORT,
	MOS_FLOW_A_CLI_STATE,
	MOS_FLOW_A_SVR_STATE,
	MOS_FLOW_A_C2S_BYTES,
	MOS_FLOW_A_S2C_BYTES,
	MOS_FLOW_A_FLAGS,
	MOS_FLOW_A_IDLE_MS,
	MOS_FLOW_A_END_REASON,

	__MOS_FLOW_A_MAX,
};

#define MOS_FLOW_A_MAX (__MOS_FLOW_A_MAX - 1)

/* MOS_FLOW_A_FLAGS */
#define MOS_FLOW_F_GUESSED	0x01	/* roles guessed on pickup */
#define MOS_FLOW_F_DROP		0x02	/* packets are dropped */
#define MOS_FLOW_F_RESET	0x04	/* reset sent or pending */
#define MOS_FLOW_F_ENDED	0x08	/* ended, lingering for late packets */

/**
 * enum mos_config_attr - settings of a namespace, nested in %MOS_A_CONFIG
 * @MOS_CONFIG_A_UNSPEC: unused
 * @MOS_CONFIG_A_PAD: padding
 * @MOS_CONFIG_A_MAX_FLOWS: u32, connections tracked at once (all shards)
 * @MOS_CONFIG_A_FLOW_BUFFER: u32, bytes stored per direction (out of
 *	order or not yet acknowledged)
 * @MOS_CONFIG_A_BUFFER_TOTAL: u64, bytes stored by all connections
 * @MOS_CONFIG_A_TIMEOUT: nested: attribute N + 1 is u32 seconds of
 *	timeout class N (SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT,
 *	CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE, UNACK)
 * @MOS_CONFIG_A_OVERLAP_POLICY: u32, default overlap policy
 * @MOS_CONFIG_A_MIDSTREAM: u8, pick up connections without a handshake
 * @MOS_CONFIG_A_RING_BYTES: u32, default ring size of new consumers
 * @MOS_CONFIG_A_DELIVER_ON_ARRIVAL: u8, deliver in-order bytes as they
 *	arrive (straight from the packet), not when the receiver
 *	acknowledges them: no overlap policy then, and retransmissions of
 *	delivered bytes are REXMIT unverified
 * @MOS_CONFIG_A_TRACKING: u8, 1 (the default): the namespace's packets
 *	are tracked; 0: its hooks pass every packet untouched and
 *	uncounted, and the connections it had end (reason eof)
 * @MOS_CONFIG_A_WAKEUP_US: u32, at most 1000000: a consumer waiting in
 *	poll() for records is woken this many microseconds after the first
 *	one (default 4000), so that a busy stream of records costs one
 *	wakeup per interval, not one per record; at once when 0, or when a
 *	ring is a quarter full
 * @MOS_CONFIG_A_ONE_SIDED: u8, track connections of which one direction
 *	is never seen (asymmetric routing): liberally, their bytes delivered
 *	as they arrive, since nothing will acknowledge them
 */
enum mos_config_attr {
	MOS_CONFIG_A_UNSPEC,
	MOS_CONFIG_A_PAD,
	MOS_CONFIG_A_MAX_FLOWS,
	MOS_CONFIG_A_FLOW_BUFFER,
	MOS_CONFIG_A_BUFFER_TOTAL,
	MOS_CONFIG_A_TIMEOUT,
	MOS_CONFIG_A_OVERLAP_POLICY,
	MOS_CONFIG_A_MIDSTREAM,
	MOS_CONFIG_A_RING_BYTES,
	MOS_CONFIG_A_DELIVER_ON_ARRIVAL,
	MOS_CONFIG_A_TRACKING,
	MOS_CONFIG_A_WAKEUP_US,
	MOS_CONFIG_A_ONE_SIDED,

	__MOS_CONFIG_A_MAX,
};

#define MOS_CONFIG_A_MAX (__MOS_CONFIG_A_MAX - 1)

#define MOS_MCGRP_FLOWS		"flows"

#endif /* _UAPI_LINUX_MOS_H */
