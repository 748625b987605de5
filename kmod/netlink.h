/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MOS_NETLINK_H
#define MOS_NETLINK_H

int mos_genl_init(void);
void mos_genl_uninit(void);

#endif /* MOS_NETLINK_H */
