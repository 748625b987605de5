/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MOS_CONSUMER_H
#define MOS_CONSUMER_H

#include <linux/filter.h>
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/wait.h>
#include <uapi/linux/mos.h>
#include "datapath.h"
#include "ring.h"

/**
 * struct mos_consumer - an attached reader of /dev/mos
 * @node: in its namespace's consumer list (RCU)
 * @rcu: frees it after a grace period
 * @dp: its namespace's datapath (the file holds a reference on the netns)
 * @id: its monitor id, unique in the namespace
 * @slot: its bit in a connection's subscription and loss masks
 * @evmask: built-in events it receives (bit per type); 0 until set
 * @flags: MOS_MONITOR_F_*
 * @group: MOS_A_MONITOR_GROUP: the shards whose events it gets
 * @filter: classic BPF programs by &enum mos_filter_type (RCU)
 * @wq: poll() waiters
 * @wake_timer: wakes @wq a wakeup interval after a record (see
 *	mos_consumer_notify())
 * @wake_armed: bit 0 set while @wake_timer is pending
 * @nr_rings: one per shard
 * @rings: the rings, indexed by shard
 */
struct mos_consumer {
	struct list_head node;
	struct rcu_head rcu;
	struct mos_dp *dp;
	u32 id;
	u32 slot;
	u32 evmask;
	u32 flags;
	u32 group;
	struct bpf_prog __rcu *filter[__MOS_FILTER_MAX];
	wait_queue_head_t wq;
	struct hrtimer wake_timer;
	unsigned long wake_armed;
	u32 nr_rings;
	struct mos_ring *rings[];
};

/* What mos_consumer_set() changes. */
enum mos_consumer_setting {
	MOS_CONSUMER_EVMASK,
	MOS_CONSUMER_FLAGS,
	MOS_CONSUMER_GROUP,
};

int mos_consumer_set(struct mos_dp *dp, u32 id, enum mos_consumer_setting what,
		     u32 value);

/**
 * mos_consumer_has_shard() - whether a consumer gets a shard's events
 * @c: the consumer
 * @shard: the shard's index
 *
 * Return: true when its group (MOS_A_MONITOR_GROUP) includes the shard.
 */
static inline bool mos_consumer_has_shard(const struct mos_consumer *c,
					  u32 shard)
{
	u32 group = READ_ONCE(c->group), count = group >> 16;

	return count <= 1 || shard % count == (group & 0xffff);
}

int mos_consumer_set_filter(struct mos_dp *dp, u32 id, u32 type,
			    struct bpf_prog *prog);
void mos_consumer_notify(struct mos_consumer *c, struct mos_ring *r,
			 bool reader_waits);
int mos_chardev_init(void);
void mos_chardev_uninit(void);

#endif /* MOS_CONSUMER_H */
