// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace set-up: every namespace, present or created later,
 * gets its counters, IP defragmentation (so hooks see whole datagrams) and
 * the mos hooks.
 */
#include <net/netns/generic.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include "datapath.h"
#include "hooks.h"
#include "netns.h"

static unsigned int mos_net_id __read_mostly;

/**
 * mos_net() - the mos state of a network namespace
 * @net: a namespace that is alive (its init has run, its exit has not)
 *
 * Return: the namespace's &struct mos_net.
 */
struct mos_net *mos_net(const struct net *net)
{
	return net_generic(net, mos_net_id);
}

static int __net_init mos_net_init(struct net *net)
{
	struct mos_net *mn = mos_net(net);
	int ret;

	mn->stats = mos_stats_alloc();
	if (!mn->stats)
		return -ENOMEM;
	mn->dp = mos_dp_new(net);
	if (!mn->dp) {
		ret = -ENOMEM;
		goto err_stats;
	}
	ret = nf_defrag_ipv4_enable(net);
	if (ret)
		goto err_dp;
	ret = nf_defrag_ipv6_enable(net);
	if (ret)
		goto err_defrag4;
	ret = mos_hooks_register(net);
	if (ret)
		goto err_defrag6;
	return 0;

err_defrag6:
	nf_defrag_ipv6_disable(net);
err_defrag4:
	nf_defrag_ipv4_disable(net);
err_dp:
	mos_dp_free(mn->dp);
err_stats:
	mos_stats_free(mn->stats);
	return ret;
}

/*
 * Hooks go in pre_exit: the core waits for an RCU grace period between
 * pre_exit and exit, so no hook still runs on our counters when exit frees
 * them.
 */
static void __net_exit mos_net_pre_exit(struct net *net)
{
	mos_hooks_unregister(net);
}

static void __net_exit mos_net_exit(struct net *net)
{
	struct mos_net *mn = mos_net(net);

	nf_defrag_ipv6_disable(net);
	nf_defrag_ipv4_disable(net);
	mos_dp_free(mn->dp);
	mos_stats_free(mn->stats);
}

static struct pernet_operations mos_net_ops = {
	.init = mos_net_init,
	.pre_exit = mos_net_pre_exit,
	.exit = mos_net_exit,
	.id = &mos_net_id,
	.size = sizeof(struct mos_net),
};

/**
 * mos_netns_init() - set mos up in every namespace, now and to come
 *
 * Return: 0 or a negative errno.
 */
int mos_netns_init(void)
{
	return register_pernet_subsys(&mos_net_ops);
}

/**
 * mos_netns_uninit() - undo mos_netns_init() in every namespace
 */
void mos_netns_uninit(void)
{
	unregister_pernet_subsys(&mos_net_ops);
}
