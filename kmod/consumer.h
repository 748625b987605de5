/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MOS_CONSUMER_H
#define MOS_CONSUMER_H

#include <linux/filter.h>
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
 * @filter: classic BPF programs by &enum mos_filter_type (RCU)
 * @wq: poll() waiters
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
	struct bpf_prog __rcu *filter[__MOS_FILTER_MAX];
	wait_queue_head_t wq;
	u32 nr_rings;
	struct mos_ring *rings[];
};

int mos_consumer_set_evmask(struct mos_dp *dp, u32 id, u32 evmask);
int mos_consumer_set_flags(struct mos_dp *dp, u32 id, u32 flags);
int mos_consumer_set_filter(struct mos_dp *dp, u32 id, u32 type,
			    struct bpf_prog *prog);
int mos_chardev_init(void);
void mos_chardev_uninit(void);

#endif /* MOS_CONSUMER_H */
