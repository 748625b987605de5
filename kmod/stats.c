// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU packet counters. Each CPU writes only its own slot, so counting
 * needs no lock; readers fold the slots under the u64_stats sequence.
 */
#include <linux/bottom_half.h>
#include "stats.h"

/**
 * mos_stats_alloc() - allocate zeroed per-CPU counters
 *
 * Return: the counters, or NULL when out of memory.
 */
struct mos_cpu_stats __percpu *mos_stats_alloc(void)
{
	struct mos_cpu_stats __percpu *stats;
	int cpu;

	stats = alloc_percpu(struct mos_cpu_stats);
	if (!stats)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(stats, cpu)->syncp);
	return stats;
}

/**
 * mos_stats_free() - free counters from mos_stats_alloc()
 * @stats: the counters; NULL is allowed
 */
void mos_stats_free(struct mos_cpu_stats __percpu *stats)
{
	free_percpu(stats);
}

/**
 * mos_stats_count() - account one packet on the current CPU
 * @stats: the namespace's counters
 * @res: what the parser made of the packet
 * @pkt: the parsed headers (read only when @res is %MOS_PARSE_TCP)
 * @len: the packet's length from the IP header on
 *
 * Callable from any context the netfilter hooks run in.
 */
void mos_stats_count(struct mos_cpu_stats __percpu *stats,
		     enum mos_parse_result res, const struct mos_pkt *pkt,
		     u32 len)
{
	struct mos_cpu_stats *s;

	if (res != MOS_PARSE_TCP && res != MOS_PARSE_BAD_HEADER)
		return;

	/*
	 * LOCAL_OUT may run in preemptible process context: keep this CPU
	 * and keep softirqs, which count on the same slot, out meanwhile.
	 */
	local_bh_disable();
	s = this_cpu_ptr(stats);
	u64_stats_update_begin(&s->syncp);
	if (res == MOS_PARSE_TCP) {
		u64_stats_inc(&s->tcp_packets);
		u64_stats_add(&s->tcp_bytes, len);
		if (pkt->ip_version == 6)
			u64_stats_inc(&s->tcp6_packets);
	} else {
		u64_stats_inc(&s->bad_headers);
	}
	u64_stats_update_end(&s->syncp);
	local_bh_enable();
}

/**
 * mos_stats_read() - take a consistent copy of one CPU's counters
 * @stats: the namespace's counters
 * @cpu: a possible CPU
 * @snap: where to store the copy
 */
void mos_stats_read(struct mos_cpu_stats __percpu *stats, int cpu,
		    struct mos_stats_snapshot *snap)
{
	const struct mos_cpu_stats *s = per_cpu_ptr(stats, cpu);
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		snap->tcp_packets = u64_stats_read(&s->tcp_packets);
		snap->tcp_bytes = u64_stats_read(&s->tcp_bytes);
		snap->tcp6_packets = u64_stats_read(&s->tcp6_packets);
		snap->bad_headers = u64_stats_read(&s->bad_headers);
	} while (u64_stats_fetch_retry(&s->syncp, start));
}
