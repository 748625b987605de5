// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hooks. mos looks where conntrack does, at PRE_ROUTING and
 * LOCAL_OUT, so each forwarded, received or sent packet passes once; on
 * loopback a packet would pass both, so PRE_ROUTING skips loopback.
 */
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/skbuff.h>
#include "datapath.h"
#include "engine/parse.h"
#include "hooks.h"
#include "netns.h"
#include "reset.h"

/*
 * After defragmentation (-400), so datagrams are whole; before raw and
 * conntrack, so that later inline actions act before conntrack state exists.
 */
#define MOS_HOOK_PRIORITY	(NF_IP_PRI_CONNTRACK_DEFRAG + 50)

static unsigned int mos_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	u8 buf[MOS_MAX_HDR_LEN];
	enum mos_parse_result res;
	struct mos_net *mn;
	struct mos_pkt pkt;
	const u8 *hdr;
	u32 hlen;

	if (state->hook == NF_INET_PRE_ROUTING && state->in &&
	    (state->in->flags & IFF_LOOPBACK))
		return NF_ACCEPT;
	/* mos's own RSTs (reset.c) pass, the connection's other packets not. */
	if (unlikely(mos_reset_sending()))
		return NF_ACCEPT;
	/* Not even counted: a namespace that is not tracked costs nothing. */
	mn = mos_net(state->net);
	if (!mos_dp_tracking(mn->dp))
		return NF_ACCEPT;

	/* Headers only: the payload of nonlinear skbs stays where it is. */
	hlen = min_t(u32, skb->len, sizeof(buf));
	hdr = skb_header_pointer(skb, 0, hlen, buf);
	if (unlikely(!hdr))
		return NF_ACCEPT;
	res = mos_parse_ip(hdr, hlen, skb->len, &pkt);
	mos_stats_count(mn->stats, res, &pkt, skb->len);
	if (res != MOS_PARSE_TCP)
		return NF_ACCEPT;
	return mos_dp_input(mn->dp, skb, state, &pkt, hdr);
}

/* NFPROTO_INET registers each hook for both IPv4 and IPv6. */
static const struct nf_hook_ops mos_hook_ops[] = {
	{
		.hook = mos_hook,
		.pf = NFPROTO_INET,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = MOS_HOOK_PRIORITY,
	},
	{
		.hook = mos_hook,
		.pf = NFPROTO_INET,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = MOS_HOOK_PRIORITY,
	},
};

/**
 * mos_hooks_register() - attach the mos hooks to a namespace
 * @net: the namespace
 *
 * Return: 0 or a negative errno.
 */
int mos_hooks_register(struct net *net)
{
	return nf_register_net_hooks(net, mos_hook_ops,
				     ARRAY_SIZE(mos_hook_ops));
}

/**
 * mos_hooks_unregister() - detach the mos hooks from a namespace
 * @net: the namespace
 *
 * A hook may still be running when this returns; callers wait for an RCU
 * grace period before freeing what hooks use.
 */
void mos_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, mos_hook_ops, ARRAY_SIZE(mos_hook_ops));
}
