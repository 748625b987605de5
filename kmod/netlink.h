/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "mos" generic netlink family. netlink.c holds the family, its
 * operations and the counters; netlink_flow.c the connection commands and
 * notifications; netlink_config.c settings and consumers.
 */
#ifndef MOS_NETLINK_H
#define MOS_NETLINK_H

#include <linux/types.h>
#include <net/genetlink.h>
#include <uapi/linux/mos.h>

struct mos_dp;
struct mos_shard;
struct mos_flow;

/* Multicast groups, in the order of the family's mcgrps. */
enum mos_nl_mcgrp {
	MOS_NLGRP_FLOWS,
};

/* Timeout classes settable over netlink: SYN_SENT .. UNACK. */
#define MOS_NL_TIMEOUTS		9

extern struct genl_family mos_genl_family;
extern const struct nla_policy mos_nl_flow_get_policy[MOS_A_MAX + 1];
extern const struct nla_policy mos_nl_flow_set_policy[MOS_A_MAX + 1];
extern const struct nla_policy mos_nl_monitor_set_policy[MOS_A_MAX + 1];
extern const struct nla_policy mos_nl_set_config_policy[MOS_A_MAX + 1];

int mos_genl_init(void);
void mos_genl_uninit(void);
bool mos_genl_ready(void);
struct mos_dp *mos_nl_dp(struct net *net);

void mos_genl_notify_flow(struct mos_dp *dp, struct mos_shard *sh,
			  const struct mos_flow *f, u8 cmd);

int mos_nl_flow_get(struct sk_buff *skb, struct genl_info *info);
int mos_nl_flow_dump_start(struct netlink_callback *cb);
int mos_nl_flow_dump(struct sk_buff *skb, struct netlink_callback *cb);
int mos_nl_flow_set(struct sk_buff *skb, struct genl_info *info);
int mos_nl_monitor_set(struct sk_buff *skb, struct genl_info *info);
int mos_nl_get_config(struct sk_buff *skb, struct genl_info *info);
int mos_nl_set_config(struct sk_buff *skb, struct genl_info *info);

#endif /* MOS_NETLINK_H */
