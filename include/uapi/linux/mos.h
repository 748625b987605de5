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
 */
enum mos_cmd {
	MOS_CMD_UNSPEC,
	MOS_CMD_GET_STATS,

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
 */
enum mos_attr {
	MOS_A_UNSPEC,
	MOS_A_PAD,
	MOS_A_STATS_TOTAL,
	MOS_A_STATS_CPU,

	__MOS_A_MAX,
};

#define MOS_A_MAX (__MOS_A_MAX - 1)

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
 */
enum mos_stats_attr {
	MOS_STATS_A_UNSPEC,
	MOS_STATS_A_PAD,
	MOS_STATS_A_CPU,
	MOS_STATS_A_TCP_PACKETS,
	MOS_STATS_A_TCP_BYTES,
	MOS_STATS_A_TCP6_PACKETS,
	MOS_STATS_A_BAD_HEADERS,

	__MOS_STATS_A_MAX,
};

#define MOS_STATS_A_MAX (__MOS_STATS_A_MAX - 1)

#endif /* _UAPI_LINUX_MOS_H */
