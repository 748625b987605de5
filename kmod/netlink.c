// SPDX-License-Identifier: GPL-2.0
/*
 * The "mos" generic netlink family: control and statistics. Bulk data
 * (events, payload) never travels here; it goes through the rings. The
 * connection commands are in netlink_flow.c, settings and consumers in
 * netlink_config.c.
 */
#include <linux/cpumask.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include <uapi/linux/mos.h>
#include "datapath.h"
#include "netlink.h"
#include "netns.h"

/*
 * Cleared before the family goes away: connection notifications come from
 * the datapath (softirq, timers) under rcu_read_lock(), and must not use
 * the family's multicast group once it is unregistered.
 */
static bool mos_genl_registered;

/**
 * struct mos_nl_counters - everything one nest of GET_STATS reports
 * @pkt: the hooks' per-CPU packet counters
 * @flows: connections tracked now
 * @flows_created: connections tracked so far
 * @evictions: connections evicted because the table was full
 * @lost_events: events a full ring had no room for
 * @lost_bytes: payload bytes of those
 * @dropped: packets dropped by actions
 * @direct_bytes: stream bytes delivered straight from their packet
 * @held_bytes: stream bytes kept in their packet until the ACK
 */
struct mos_nl_counters {
	struct mos_stats_snapshot pkt;
	u64 flows;
	u64 flows_created;
	u64 evictions;
	u64 lost_events;
	u64 lost_bytes;
	u64 dropped;
	u64 direct_bytes;
	u64 held_bytes;
};

/* Upper bound of one nested counter set, for sizing the reply. */
static size_t mos_stats_nest_size(void)
{
	return nla_total_size(0) +			/* nest */
	       nla_total_size(sizeof(u32)) +		/* CPU */
	       13 * nla_total_size_64bit(sizeof(u64));	/* counters */
}

static int mos_put_stats(struct sk_buff *msg, int attr, int cpu,
			 const struct mos_nl_counters *c)
{
	const struct {
		int type;
		u64 value;
	} v[] = {
		{ MOS_STATS_A_TCP_PACKETS, c->pkt.tcp_packets },
		{ MOS_STATS_A_TCP_BYTES, c->pkt.tcp_bytes },
		{ MOS_STATS_A_TCP6_PACKETS, c->pkt.tcp6_packets },
		{ MOS_STATS_A_BAD_HEADERS, c->pkt.bad_headers },
		{ MOS_STATS_A_FLOWS, c->flows },
		{ MOS_STATS_A_FLOWS_CREATED, c->flows_created },
		{ MOS_STATS_A_EVICTIONS, c->evictions },
		{ MOS_STATS_A_RING_LOST_EVENTS, c->lost_events },
		{ MOS_STATS_A_RING_LOST_BYTES, c->lost_bytes },
		{ MOS_STATS_A_DROPPED, c->dropped },
		/* Always 0: paged packets are read in place, never cut. */
		{ MOS_STATS_A_OVERSIZE, 0 },
		{ MOS_STATS_A_DIRECT_BYTES, c->direct_bytes },
		{ MOS_STATS_A_HELD_BYTES, c->held_bytes },
	};
	struct nlattr *nest;
	size_t i;

	nest = nla_nest_start(msg, attr);
	if (!nest)
		return -EMSGSIZE;
	if (cpu >= 0 && nla_put_u32(msg, MOS_STATS_A_CPU, cpu))
		goto cancel;
	for (i = 0; i < ARRAY_SIZE(v); i++)
		if (nla_put_u64_64bit(msg, v[i].type, v[i].value,
				      MOS_STATS_A_PAD))
			goto cancel;
	nla_nest_end(msg, nest);
	return 0;

cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

/* Shard @cpu's counters; the shard lock makes them one consistent set. */
static void mos_read_shard(struct mos_dp *dp, int cpu,
			   struct mos_nl_counters *c)
{
	const struct mos_engine_stats *es;
	struct mos_shard *sh;

	if ((u32)cpu >= dp->nr_shards)
		return;
	sh = &dp->shards[cpu];
	spin_lock_bh(&sh->lock);
	es = mos_engine_stats(sh->engine);
	c->flows = es->flows_active;
	c->flows_created = es->flows_created;
	c->evictions = es->flows_evicted;
	c->lost_events = sh->lost_events;
	c->lost_bytes = sh->lost_bytes;
	c->dropped = sh->dropped;
	c->direct_bytes = es->direct_bytes;
	c->held_bytes = es->held_bytes;
	spin_unlock_bh(&sh->lock);
}

static void mos_add_counters(struct mos_nl_counters *t,
			     const struct mos_nl_counters *c)
{
	t->pkt.tcp_packets += c->pkt.tcp_packets;
	t->pkt.tcp_bytes += c->pkt.tcp_bytes;
	t->pkt.tcp6_packets += c->pkt.tcp6_packets;
	t->pkt.bad_headers += c->pkt.bad_headers;
	t->flows += c->flows;
	t->flows_created += c->flows_created;
	t->evictions += c->evictions;
	t->lost_events += c->lost_events;
	t->lost_bytes += c->lost_bytes;
	t->dropped += c->dropped;
	t->direct_bytes += c->direct_bytes;
	t->held_bytes += c->held_bytes;
}

/*
 * There is one engine shard per possible CPU, numbered as the CPUs: the
 * nest of CPU N carries the packets its hooks counted and the state of
 * shard N (whose connections are those hashing to N, whichever CPU their
 * packets arrive on).
 */
static int mos_nl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct mos_net *mn = mos_net(genl_info_net(info));
	struct mos_nl_counters c, total = {};
	struct sk_buff *msg;
	void *hdr;
	int cpu, ret;

	msg = genlmsg_new((num_possible_cpus() + 1) * mos_stats_nest_size(),
			  GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mos_genl_family, 0,
				MOS_CMD_GET_STATS);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err_free;
	}

	for_each_possible_cpu(cpu) {
		memset(&c, 0, sizeof(c));
		mos_stats_read(mn->stats, cpu, &c.pkt);
		mos_read_shard(mn->dp, cpu, &c);
		mos_add_counters(&total, &c);
		ret = mos_put_stats(msg, MOS_A_STATS_CPU, cpu, &c);
		if (ret)
			goto err_free;
	}
	ret = mos_put_stats(msg, MOS_A_STATS_TOTAL, -1, &total);
	if (ret)
		goto err_free;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return ret;
}

/*
 * Every command has its own policy, which names exactly the attributes it
 * takes: resv_start_op is 0, so validation is strict throughout and any
 * other attribute is refused, as is any attribute sent to a command
 * without a policy. Everything needs CAP_NET_ADMIN in the namespace:
 * counters and connections reveal traffic, as conntrack's do, and the
 * rest changes what the datapath does.
 */
static const struct genl_ops mos_genl_ops[] = {
	{
		.cmd = MOS_CMD_GET_STATS,
		.doit = mos_nl_get_stats,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MOS_CMD_MONITOR_SET,
		.doit = mos_nl_monitor_set,
		.policy = mos_nl_monitor_set_policy,
		.maxattr = MOS_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MOS_CMD_FLOW_GET,
		.doit = mos_nl_flow_get,
		.start = mos_nl_flow_dump_start,
		.dumpit = mos_nl_flow_dump,
		.policy = mos_nl_flow_get_policy,
		.maxattr = MOS_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MOS_CMD_FLOW_SET,
		.doit = mos_nl_flow_set,
		.policy = mos_nl_flow_set_policy,
		.maxattr = MOS_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MOS_CMD_GET_CONFIG,
		.doit = mos_nl_get_config,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MOS_CMD_SET_CONFIG,
		.doit = mos_nl_set_config,
		.policy = mos_nl_set_config_policy,
		.maxattr = MOS_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

/* Notifications name connections and their addresses: admins only. */
static const struct genl_multicast_group mos_genl_mcgrps[] = {
	[MOS_NLGRP_FLOWS] = {
		.name = MOS_MCGRP_FLOWS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

struct genl_family mos_genl_family __ro_after_init = {
	.name = MOS_GENL_NAME,
	.version = MOS_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = mos_genl_ops,
	.n_ops = ARRAY_SIZE(mos_genl_ops),
	.mcgrps = mos_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(mos_genl_mcgrps),
};

/**
 * mos_nl_dp() - the datapath of the namespace a request came from
 * @net: the requester's namespace (alive while its socket is)
 *
 * Return: the datapath.
 */
struct mos_dp *mos_nl_dp(struct net *net)
{
	return mos_net(net)->dp;
}

/**
 * mos_genl_ready() - whether notifications may be sent
 *
 * Call under rcu_read_lock(); true means the family stays registered
 * until the read-side section ends.
 *
 * Return: true between mos_genl_init() and mos_genl_uninit().
 */
bool mos_genl_ready(void)
{
	return READ_ONCE(mos_genl_registered);
}

/**
 * mos_genl_init() - register the "mos" generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int __init mos_genl_init(void)
{
	int ret;

	ret = genl_register_family(&mos_genl_family);
	if (!ret)
		WRITE_ONCE(mos_genl_registered, true);
	return ret;
}

/**
 * mos_genl_uninit() - unregister the family; waits for running requests
 *
 * Notifiers still running when the flag drops finish before the family
 * goes: they run under rcu_read_lock().
 */
void mos_genl_uninit(void)
{
	WRITE_ONCE(mos_genl_registered, false);
	synchronize_rcu();
	genl_unregister_family(&mos_genl_family);
}
