/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MOS_HOOKS_H
#define MOS_HOOKS_H

#include <net/net_namespace.h>

int mos_hooks_register(struct net *net);
void mos_hooks_unregister(struct net *net);

#endif /* MOS_HOOKS_H */
