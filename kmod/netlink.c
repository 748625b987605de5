// SPDX-License-Identifier: GPL-2.0
/*
 * The "mos" generic netlink family: control and statistics. Bulk data
 * (events, payload) never travels here; it goes through the rings.
 */
#include <linux/cpumask.h>
#include <net/genetlink.h>
#include <uapi/linux/mos.h>
#include "netlink.h"
#include "netns.h"

static struct genl_family mos_genl_family;

/* Upper bound of one nested counter set, for sizing the reply. */
static size_t mos_stats_nest_size(void)
{
	return nla_total_size(0) +			/* nest */
	       nla_total_size(sizeof(u32)) +		/* CPU */
	       4 * nla_total_size_64bit(sizeof(u64));	/* counters */
}

static int mos_put_stats(struct sk_buff *msg, int attr, int cpu,
			 const struct mos_stats_snapshot *snap)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, attr);
	if (!nest)
		return -EMSGSIZE;
	if ((cpu >= 0 && nla_put_u32(msg, MOS_STATS_A_CPU, cpu)) ||
	    nla_put_u64_64bit(msg, MOS_STATS_A_TCP_PACKETS, snap->tcp_packets,
			      MOS_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MOS_STATS_A_TCP_BYTES, snap->tcp_bytes,
			      MOS_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MOS_STATS_A_TCP6_PACKETS,
			      snap->tcp6_packets, MOS_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MOS_STATS_A_BAD_HEADERS, snap->bad_headers,
			      MOS_STATS_A_PAD)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int mos_nl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct mos_net *mn = mos_net(genl_info_net(info));
	struct mos_stats_snapshot snap, total = {};
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
		mos_stats_read(mn->stats, cpu, &snap);
		total.tcp_packets += snap.tcp_packets;
		total.tcp_bytes += snap.tcp_bytes;
		total.tcp6_packets += snap.tcp6_packets;
		total.bad_headers += snap.bad_headers;
		ret = mos_put_stats(msg, MOS_A_STATS_CPU, cpu, &snap);
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
 * GET_STATS takes no attributes: without a policy the core rejects any
 * attribute it is sent (resv_start_op is 0, strict validation throughout).
 * Counters reveal traffic volumes, so reading them needs CAP_NET_ADMIN in
 * the namespace, as conntrack's do.
 */
static const struct genl_ops mos_genl_ops[] = {
	{
		.cmd = MOS_CMD_GET_STATS,
		.doit = mos_nl_get_stats,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family mos_genl_family __ro_after_init = {
	.name = MOS_GENL_NAME,
	.version = MOS_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = mos_genl_ops,
	.n_ops = ARRAY_SIZE(mos_genl_ops),
};

/**
 * mos_genl_init() - register the "mos" generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int __init mos_genl_init(void)
{
	return genl_register_family(&mos_genl_family);
}

/**
 * mos_genl_uninit() - unregister the family; waits for running requests
 */
void mos_genl_uninit(void)
{
	genl_unregister_family(&mos_genl_family);
}
