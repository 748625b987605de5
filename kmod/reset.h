/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MOS_RESET_H
#define MOS_RESET_H

#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include "engine/parse.h"

void mos_reset_send(struct net *net, struct sk_buff *skb,
		    const struct nf_hook_state *state,
		    const struct mos_pkt *pkt);
bool mos_reset_sending(void);

#endif /* MOS_RESET_H */
