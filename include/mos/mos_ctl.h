/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * libmos-user: control of the mos kernel module over generic netlink.
 *
 * Every function returns 0 (or a count) on success and a negative errno on
 * failure; none of them prints, aborts or exits.
 */
#ifndef MOS_MOS_CTL_H
#define MOS_MOS_CTL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** struct mos_ctl - an open control connection to the mos module */
struct mos_ctl;

/**
 * struct mos_counters - packet counters of one network namespace
 * @tcp_packets: TCP packets seen (a GRO/TSO super-packet counts once)
 * @tcp_bytes: their length from the IP header on
 * @tcp6_packets: how many of @tcp_packets were IPv6
 * @bad_headers: packets with a truncated or malformed IP or TCP header
 */
struct mos_counters {
	uint64_t tcp_packets;
	uint64_t tcp_bytes;
	uint64_t tcp6_packets;
	uint64_t bad_headers;
};

/**
 * struct mos_cpu_counters - the counters one CPU collected
 * @cpu: the CPU number
 * @counters: its counters
 */
struct mos_cpu_counters {
	unsigned int cpu;
	struct mos_counters counters;
};

/**
 * struct mos_stats - reply of mos_ctl_get_stats()
 * @total: sum over all CPUs
 * @n_cpus: number of entries in @cpus
 * @cpus: per-CPU counters, owned by the structure (mos_stats_release())
 */
struct mos_stats {
	struct mos_counters total;
	unsigned int n_cpus;
	struct mos_cpu_counters *cpus;
};

/**
 * mos_ctl_open() - connect to the mos module of the caller's netns
 * @ctlp: set to the new connection on success
 *
 * Return: 0; -ENOENT when the module is not loaded; another negative
 * errno when netlink itself fails.
 */
int mos_ctl_open(struct mos_ctl **ctlp);

/**
 * mos_ctl_close() - close a connection from mos_ctl_open()
 * @ctl: the connection; NULL is allowed
 */
void mos_ctl_close(struct mos_ctl *ctl);

/**
 * mos_ctl_get_stats() - read the counters of the caller's netns
 * @ctl: an open connection
 * @stats: filled in on success; release with mos_stats_release()
 *
 * Return: 0; -EPERM without CAP_NET_ADMIN in the namespace; -EPROTO on a
 * reply that does not parse; another negative errno from netlink.
 */
int mos_ctl_get_stats(struct mos_ctl *ctl, struct mos_stats *stats);

/**
 * mos_stats_release() - free what mos_ctl_get_stats() allocated
 * @stats: the statistics; the structure itself is the caller's
 */
void mos_stats_release(struct mos_stats *stats);

/**
 * mos_ctl_last_error_msg() - the kernel's explanation of the last error
 * @ctl: an open connection
 *
 * Return: the extended-ack message of the last failed request, or NULL.
 */
const char *mos_ctl_last_error_msg(const struct mos_ctl *ctl);

#ifdef __cplusplus
}
#endif

#endif /* MOS_MOS_CTL_H */
