/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MOS_NETNS_H
#define MOS_NETNS_H

#include <net/net_namespace.h>
#include "stats.h"

/**
 * struct mos_net - what mos keeps for each network namespace
 * @stats: packet counters, written by the hooks of this namespace
 * @dp: the engines and consumers of this namespace
 */
struct mos_net {
	struct mos_cpu_stats __percpu *stats;
	struct mos_dp *dp;
};

struct mos_net *mos_net(const struct net *net);
int mos_netns_init(void);
void mos_netns_uninit(void);

#endif /* MOS_NETNS_H */
