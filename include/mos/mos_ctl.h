/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * libmos-user: control of the mos kernel module over generic netlink.
 *
 * Every function returns 0 (or a count) on success and a negative errno on
 * failure; none of them prints, aborts or exits. Requests about another
 * network namespace are made from inside it (setns(2), ip netns exec):
 * each namespace has its own connections, settings and counters.
 */
#ifndef MOS_MOS_CTL_H
#define MOS_MOS_CTL_H

#include <stdint.h>
#include <linux/filter.h>
#include <linux/mos.h>

#ifdef __cplusplus
extern "C" {
#endif

/** struct mos_ctl - an open control connection to the mos module */
struct mos_ctl;

/**
 * struct mos_counters - counters of one network namespace (or of one CPU
 *	and the engine shard with the same number)
 * @tcp_packets: TCP packets seen (a GRO/TSO super-packet counts once)
 * @tcp_bytes: their length from the IP header on
 * @tcp6_packets: how many of @tcp_packets were IPv6
 * @bad_headers: packets with a truncated or malformed IP or TCP header
 * @flows: connections tracked now
 * @flows_created: connections tracked so far
 * @evictions: connections evicted because the table was full
 * @ring_lost_events: events dropped because a consumer's ring was full
 * @ring_lost_bytes: payload bytes of those events
 * @dropped: packets dropped by actions (flow drop, flow reset)
 * @oversize: packets longer than the engine's copy buffer
 * @direct_bytes: stream bytes delivered straight from their packet into
 *	the rings, never stored (deliver_on_arrival)
 * @held_bytes: stream bytes kept in the packet they came in until their
 *	ACK, rather than copied (big segments; 0 from kernels before it)
 */
struct mos_counters {
	uint64_t tcp_packets;
	uint64_t tcp_bytes;
	uint64_t tcp6_packets;
	uint64_t bad_headers;
	uint64_t flows;
	uint64_t flows_created;
	uint64_t evictions;
	uint64_t ring_lost_events;
	uint64_t ring_lost_bytes;
	uint64_t dropped;
	uint64_t oversize;
	uint64_t direct_bytes;
	uint64_t held_bytes;
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
 * struct mos_ctl_stats - reply of mos_ctl_get_stats()
 * @total: sum over all CPUs
 * @n_cpus: number of entries in @cpus
 * @cpus: per-CPU counters, owned by the structure (mos_ctl_stats_release())
 */
struct mos_ctl_stats {
	struct mos_counters total;
	unsigned int n_cpus;
	struct mos_cpu_counters *cpus;
};

/* Flags of struct mos_ctl_flow: the kernel's MOS_FLOW_F_*. */
#define MOS_CTL_FLOW_GUESSED	MOS_FLOW_F_GUESSED	/* roles guessed */
#define MOS_CTL_FLOW_DROP	MOS_FLOW_F_DROP		/* packets dropped */
#define MOS_CTL_FLOW_RESET	MOS_FLOW_F_RESET	/* reset pending */
#define MOS_CTL_FLOW_ENDED	MOS_FLOW_F_ENDED	/* ended, lingering */

/**
 * struct mos_ctl_flow - a connection as the kernel tracks it
 * @id: its id, unique in the network namespace
 * @cpu: its engine shard (and ring), numbered as the CPUs
 * @family: AF_INET or AF_INET6
 * @addr: [0] client, [1] server address, network order; IPv4 in the
 *	first 4 bytes
 * @port: [0] client, [1] server port, host order
 * @state: [0] client's, [1] server's TCP state (mos_state_name() of
 *	mos/mos.h names it)
 * @bytes: stream bytes delivered: [0] client to server, [1] server to
 *	client
 * @flags: MOS_CTL_FLOW_*
 * @idle_ms: milliseconds since its last packet
 * @end_reason: MOS_END_REASON_* of mos/mos.h once ended, else 0
 */
struct mos_ctl_flow {
	uint64_t id;
	unsigned int cpu;
	int family;
	unsigned char addr[2][16];
	uint16_t port[2];
	int state[2];
	uint64_t bytes[2];
	uint32_t flags;
	uint64_t idle_ms;
	int end_reason;
};

/* Actions of mos_ctl_flow_action(): mosctl(8) and linux/mos.h explain. */
#define MOS_CTL_ACTION_DROP	MOS_FLOW_ACTION_DROP
#define MOS_CTL_ACTION_RESET	MOS_FLOW_ACTION_RESET
#define MOS_CTL_ACTION_UNTRACK	MOS_FLOW_ACTION_UNTRACK

/* Timeout classes of struct mos_ctl_config, in this order. */
#define MOS_CTL_TIMEOUTS	9

/* Fields of struct mos_ctl_config that mos_ctl_config_set() changes. */
#define MOS_CTL_CFG_MAX_FLOWS		0x01
#define MOS_CTL_CFG_FLOW_BUFFER		0x02
#define MOS_CTL_CFG_BUFFER_TOTAL	0x04
#define MOS_CTL_CFG_OVERLAP_POLICY	0x08
#define MOS_CTL_CFG_MIDSTREAM		0x10
#define MOS_CTL_CFG_RING_BYTES		0x20
#define MOS_CTL_CFG_DELIVER_ON_ARRIVAL	0x40
#define MOS_CTL_CFG_TRACKING		0x80
#define MOS_CTL_CFG_WAKEUP_US		0x100
#define MOS_CTL_CFG_ONE_SIDED		0x200

/**
 * struct mos_ctl_config - settings of a network namespace's datapath
 * @max_flows: connections tracked at once, in the whole namespace
 * @flow_buffer: bytes stored per direction of a connection
 * @buffer_total: bytes stored by all connections of the namespace
 * @timeout: idle timeout in seconds per class, named by
 *	mos_ctl_timeout_name()
 * @overlap_policy: default overlap policy (MOS_OVERLAP_POLICY_*)
 * @midstream: pick up connections whose handshake was not seen
 * @ring_bytes: default ring size of new consumers
 * @set: for mos_ctl_config_set(): MOS_CTL_CFG_* of the fields to change
 * @timeout_set: for mos_ctl_config_set(): bit N changes @timeout[N]
 * @deliver_on_arrival: deliver in-order bytes as they arrive, not when
 *	the receiver acknowledges them (no overlap policy then; see
 *	Documentation/events.md)
 * @tracking: 1 (the default): the namespace's packets are tracked; 0:
 *	they pass untouched and uncounted, and turning it off ends the
 *	namespace's connections (reason eof)
 * @wakeup_us: a consumer waiting for records is woken this many
 *	microseconds after the first one (0: at once; at most 1000000)
 * @one_sided: track connections of which one direction is never seen
 */
struct mos_ctl_config {
	uint32_t max_flows;
	uint32_t flow_buffer;
	uint64_t buffer_total;
	uint32_t timeout[MOS_CTL_TIMEOUTS];
	uint32_t overlap_policy;
	int midstream;
	uint32_t ring_bytes;
	uint32_t set;
	uint32_t timeout_set;
	int deliver_on_arrival;
	int tracking;
	uint32_t wakeup_us;
	int one_sided;
};

/* Types of mos_ctl_monitor_set_filter(): the kernel's MOS_FILTER_*. */
#define MOS_CTL_FILTER_SYN	MOS_FILTER_SYN		/* first packets */
#define MOS_CTL_FILTER_ORPHAN	MOS_FILTER_ORPHAN	/* orphan packets */
#define MOS_CTL_FILTER_RAW	MOS_FILTER_RAW		/* PKT_IN packets */

/* Types of struct mos_ctl_flow_event. */
#define MOS_CTL_FLOW_NEW	1	/* a connection started */
#define MOS_CTL_FLOW_END	2	/* a connection ended */

/**
 * struct mos_ctl_flow_event - a notification of the "flows" group
 * @type: MOS_CTL_FLOW_NEW or MOS_CTL_FLOW_END
 * @flow: the connection (with its end reason for MOS_CTL_FLOW_END)
 */
struct mos_ctl_flow_event {
	int type;
	struct mos_ctl_flow flow;
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
 * @stats: filled in on success; release with mos_ctl_stats_release()
 *
 * Return: 0; -EPERM without CAP_NET_ADMIN in the namespace; -EPROTO on a
 * reply that does not parse; another negative errno from netlink.
 */
int mos_ctl_get_stats(struct mos_ctl *ctl, struct mos_ctl_stats *stats);

/**
 * mos_ctl_stats_release() - free what mos_ctl_get_stats() allocated
 * @stats: the statistics; the structure itself is the caller's
 */
void mos_ctl_stats_release(struct mos_ctl_stats *stats);

/**
 * mos_ctl_flow_dump() - every connection of the caller's netns
 * @ctl: an open connection
 * @cb: called once per connection, as the kernel's messages arrive
 * @arg: passed to @cb
 *
 * Return: 0; 1 when the kernel flagged the dump as inconsistent (its
 * table was rehashed meanwhile: a connection may be missing or appear
 * twice; dump again for an exact list); -EPERM; another negative errno.
 */
int mos_ctl_flow_dump(struct mos_ctl *ctl,
		      void (*cb)(const struct mos_ctl_flow *flow, void *arg),
		      void *arg);

/**
 * mos_ctl_flow_get() - one connection
 * @ctl: an open connection
 * @id: the connection's id
 * @flow: filled in on success
 *
 * Return: 0; -ENOENT when no connection has this id; -EPERM; another
 * negative errno.
 */
int mos_ctl_flow_get(struct mos_ctl *ctl, uint64_t id,
		     struct mos_ctl_flow *flow);

/**
 * mos_ctl_flow_action() - drop, reset or stop tracking a connection
 * @ctl: an open connection
 * @id: the connection's id
 * @action: MOS_CTL_ACTION_*
 *
 * DROP drops the connection's packets from now on; RESET sends a RST to
 * both endpoints on its next packet (from either side) and drops it, so
 * both see the connection reset; UNTRACK ends it (as evicted) and leaves
 * its later packets alone until a new SYN reuses its addresses and ports.
 *
 * Return: 0; -ENOENT for an unknown id; -EINVAL for an unknown action;
 * -EPERM; another negative errno.
 */
int mos_ctl_flow_action(struct mos_ctl *ctl, uint64_t id, int action);

/**
 * mos_ctl_flow_set_policy() - overlap policy of what one side receives
 * @ctl: an open connection
 * @id: the connection's id
 * @side: the receiving side, MOS_SIDE_CLI (0) or MOS_SIDE_SVR (1)
 * @policy: MOS_OVERLAP_POLICY_* of mos/mos.h
 *
 * Return: 0; -ENOENT; -EINVAL for a bad side or policy; -EPERM.
 */
int mos_ctl_flow_set_policy(struct mos_ctl *ctl, uint64_t id, int side,
			    int policy);

/**
 * mos_ctl_flow_stop() - stop reassembling what one side receives
 * @ctl: an open connection
 * @id: the connection's id
 * @side: the receiving side
 *
 * Return: 0; -ENOENT; -EINVAL for a bad side; -EPERM.
 */
int mos_ctl_flow_stop(struct mos_ctl *ctl, uint64_t id, int side);

/**
 * mos_ctl_timeout_name() - name of a timeout class
 * @i: 0 .. MOS_CTL_TIMEOUTS - 1
 *
 * Return: "syn_sent", "syn_recv", "established", "fin_wait",
 * "close_wait", "last_ack", "time_wait", "close" or "unack"; NULL out of
 * range.
 */
const char *mos_ctl_timeout_name(int i);

/**
 * mos_ctl_config_get() - the settings of the caller's netns
 * @ctl: an open connection
 * @cfg: filled in (@cfg->set and @cfg->timeout_set are cleared)
 *
 * Return: 0; -EPERM; another negative errno.
 */
int mos_ctl_config_get(struct mos_ctl *ctl, struct mos_ctl_config *cfg);

/**
 * mos_ctl_config_set() - change settings of the caller's netns
 * @ctl: an open connection
 * @cfg: the values; only the fields named in @cfg->set and the timeouts
 *	named in @cfg->timeout_set are sent
 *
 * All or nothing: when one value is refused, nothing changes.
 * Connections keep their state; see mosctl(8) for what applies when.
 *
 * Return: 0; -EINVAL for a value out of range (mos_ctl_last_error_msg()
 * says which); -EPERM; another negative errno.
 */
int mos_ctl_config_set(struct mos_ctl *ctl, const struct mos_ctl_config *cfg);

/**
 * mos_ctl_monitor_set_evmask() - the built-in events a consumer receives
 * @ctl: an open connection
 * @monitor_id: the consumer's id (from MOS_IOC_ATTACH)
 * @evmask: bit per MOS_ON_* event of mos/mos.h
 *
 * Return: 0; -ENOENT for an unknown consumer; -EINVAL for unknown event
 * bits; -EPERM.
 */
int mos_ctl_monitor_set_evmask(struct mos_ctl *ctl, uint32_t monitor_id,
			       uint32_t evmask);

/**
 * mos_ctl_monitor_set_filter() - replace one of a consumer's filters
 * @ctl: an open connection
 * @monitor_id: the consumer's id
 * @type: MOS_CTL_FILTER_*
 * @insns: a classic BPF program run on packets from their IP header on
 *	(as mos_ctl_compile_filter() makes); NULL with @n 0 removes the
 *	filter
 * @n: number of instructions, at most BPF_MAXINSNS
 *
 * Return: 0; -ENOENT for an unknown consumer; -EINVAL for a bad type or a
 * program the kernel's verifier refuses; -EPERM.
 */
int mos_ctl_monitor_set_filter(struct mos_ctl *ctl, uint32_t monitor_id,
			       int type, const struct sock_filter *insns,
			       unsigned int n);

/**
 * mos_ctl_compile_filter() - compile a pcap filter expression
 * @expr: the expression, e.g. "dst net 216.58 and dst port 80"
 * @insns: set to the program (free() it) on success
 * @n: set to its number of instructions
 *
 * Compiles for raw IP packets (libpcap's DLT_RAW), which is what the
 * kernel runs filters on.
 *
 * Return: 0; -EINVAL when libpcap refuses the expression
 * (mos_ctl_filter_error() says why); -ENOMEM.
 */
int mos_ctl_compile_filter(const char *expr, struct sock_filter **insns,
			   unsigned int *n);

/**
 * mos_ctl_filter_error() - why the calling thread's last
 *	mos_ctl_compile_filter() failed
 *
 * Return: libpcap's message, or "" when there is none.
 */
const char *mos_ctl_filter_error(void);

/**
 * mos_ctl_subscribe_flows() - receive connection start/end notifications
 * @ctl: an open connection used for nothing else afterwards (replies to
 *	requests and notifications would interleave)
 *
 * Return: 0; -EPERM without CAP_NET_ADMIN in the namespace; another
 * negative errno.
 */
int mos_ctl_subscribe_flows(struct mos_ctl *ctl);

/**
 * mos_ctl_recv_flow_event() - wait for the next notification
 * @ctl: a connection after mos_ctl_subscribe_flows()
 * @ev: filled in on success
 *
 * Blocks until one arrives, unless mos_ctl_fd() was made non-blocking
 * (then poll it, and call this until it returns -EAGAIN: notifications
 * that arrived together are kept here, where poll() does not see them).
 *
 * Return: 0; -EAGAIN when non-blocking and nothing is left; -EINTR when a
 * signal interrupted the wait; -ENOBUFS when notifications were lost
 * because the socket overflowed (the next call goes on with the ones
 * after the loss); another negative errno.
 */
int mos_ctl_recv_flow_event(struct mos_ctl *ctl,
			    struct mos_ctl_flow_event *ev);

/**
 * mos_ctl_fd() - the connection's socket, for poll()
 * @ctl: an open connection
 *
 * Return: the file descriptor.
 */
int mos_ctl_fd(const struct mos_ctl *ctl);

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
