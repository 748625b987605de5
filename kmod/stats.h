/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MOS_STATS_H
#define MOS_STATS_H

#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include "engine/parse.h"

/**
 * struct mos_cpu_stats - one CPU's counters in one network namespace
 * @tcp_packets: TCP packets seen
 * @tcp_bytes: their length from the IP header on
 * @tcp6_packets: the IPv6 share of @tcp_packets
 * @bad_headers: packets with a truncated or malformed IP/TCP header
 * @syncp: lets 32-bit readers see consistent 64-bit values
 */
struct mos_cpu_stats {
	u64_stats_t tcp_packets;
	u64_stats_t tcp_bytes;
	u64_stats_t tcp6_packets;
	u64_stats_t bad_headers;
	struct u64_stats_sync syncp;
};

/**
 * struct mos_stats_snapshot - plain copy of &struct mos_cpu_stats
 * @tcp_packets: see &struct mos_cpu_stats
 * @tcp_bytes: see &struct mos_cpu_stats
 * @tcp6_packets: see &struct mos_cpu_stats
 * @bad_headers: see &struct mos_cpu_stats
 */
struct mos_stats_snapshot {
	u64 tcp_packets;
	u64 tcp_bytes;
	u64 tcp6_packets;
	u64 bad_headers;
};

struct mos_cpu_stats __percpu *mos_stats_alloc(void);
void mos_stats_free(struct mos_cpu_stats __percpu *stats);
void mos_stats_count(struct mos_cpu_stats __percpu *stats,
		     enum mos_parse_result res, const struct mos_pkt *pkt,
		     u32 len);
void mos_stats_read(struct mos_cpu_stats __percpu *stats, int cpu,
		    struct mos_stats_snapshot *snap);

#endif /* MOS_STATS_H */
