/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MOS_DATAPATH_H
#define MOS_DATAPATH_H

#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include "engine/engine.h"

struct mos_dp;

/**
 * struct mos_shard - one engine of a namespace and the ring it feeds
 * @lock: protects @engine and the counters; taken with bottom halves off
 * @engine: the connections whose symmetric hash selects this shard
 * @dp: its namespace's datapath
 * @index: its number; also the index of its ring in every consumer
 * @dropped: packets dropped by actions
 * @lost_events: events consumers' rings of this shard had no room for
 * @lost_bytes: payload bytes of those
 * @now: time of the packet being processed
 * @cur_skb: the packet being processed, for filters (NULL in timers)
 * @cur_in: the same packet as the engine reads it (NULL in timers): its
 *	headers go with PKT_IN and ORPHAN records
 * @pkt_seq: number of the packet being processed, in every record it
 *	causes (never 0)
 *
 * Both directions of a connection hash to the same shard, whatever CPU
 * they arrive on, so one engine sees the whole connection and its events
 * are written to one ring in order.
 */
struct mos_shard {
	spinlock_t lock;	/* the engine and counters; BH off */
	struct mos_engine *engine;
	struct mos_dp *dp;
	u32 index;
	u64 dropped;
	u64 lost_events;
	u64 lost_bytes;
	u64 now;
	struct sk_buff *cur_skb;
	const struct mos_input *cur_in;
	u32 pkt_seq;
};

/**
 * struct mos_dp_config - settings of a namespace's datapath
 * @engine: engine settings; max_flows and buffer_total are for the whole
 *	namespace (each shard gets its share)
 * @ring_bytes: default ring size of new consumers
 * @tracking: the hooks track the namespace's packets (else they pass)
 * @wakeup_us: how long after a record a waiting consumer is woken
 */
struct mos_dp_config {
	struct mos_engine_cfg engine;
	u32 ring_bytes;
	bool tracking;
	u32 wakeup_us;
};

/*
 * Default of mos_dp_config.wakeup_us: 4 ms, between AF_PACKET's own block
 * timeout on gigabit links (1 ms) and the 10 ms Zeek and Suricata use with
 * it. In the forwarding benchmark 4 ms forwarded 4-10 % more than 1 ms
 * with a consumer of every byte (Documentation/benchmarks.md); a quarter
 * full ring still wakes its consumer at once.
 */
#define MOS_WAKEUP_US_DEFAULT	4000
#define MOS_WAKEUP_US_MAX	1000000

/* Most consumers attached to one namespace (a bit each in a flow). */
#define MOS_MAX_CONSUMERS	32

/**
 * struct mos_dp - the datapath of one network namespace
 * @net: the namespace
 * @shards: @nr_shards engines
 * @nr_shards: one per possible CPU
 * @mutex: serialises changes to @consumers, @cfg and @slots
 * @consumers: attached consumers (RCU list; writers hold @mutex)
 * @slots: bitmap of consumer slots in use
 * @next_monitor_id: id of the next consumer
 * @cfg: current settings; the hooks, producers and attach read single
 *	fields of it without @mutex (READ_ONCE())
 * @gc: expires idle connections once a second
 */
struct mos_dp {
	struct net *net;
	struct mos_shard *shards;
	u32 nr_shards;
	struct mutex mutex;	/* consumers, cfg, slots */
	struct list_head consumers;
	unsigned long slots;
	u32 next_monitor_id;
	struct mos_dp_config cfg;
	struct delayed_work gc;
};

struct mos_dp *mos_dp_new(struct net *net);
void mos_dp_free(struct mos_dp *dp);
unsigned int mos_dp_input(struct mos_dp *dp, struct sk_buff *skb,
			  const struct nf_hook_state *state,
			  const struct mos_pkt *pkt, const u8 *hdr);
struct mos_shard *mos_dp_shard_of_id(struct mos_dp *dp, u64 id);
struct mos_flow *mos_shard_find(struct mos_shard *sh, u64 id);
void mos_dp_set_config(struct mos_dp *dp, const struct mos_dp_config *cfg);

/**
 * mos_dp_tracking() - whether the hooks track this namespace's packets
 * @dp: the datapath
 *
 * Return: the namespace's tracking setting, as the hooks see it.
 */
static inline bool mos_dp_tracking(const struct mos_dp *dp)
{
	return READ_ONCE(dp->cfg.tracking);
}

u64 mos_dp_now(void);
int mos_dp_module_init(void);
void mos_dp_module_uninit(void);

#endif /* MOS_DATAPATH_H */
