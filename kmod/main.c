// SPDX-License-Identifier: GPL-2.0
/*
 * mos - flow monitoring for Linux middleboxes.
 *
 * Module entry points: set up every network namespace first, then open the
 * netlink family, so no request can arrive for a namespace without state.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <uapi/linux/mos.h>
#include "consumer.h"
#include "datapath.h"
#include "netlink.h"
#include "netns.h"

static int __init mos_init(void)
{
	int ret;

	ret = mos_dp_module_init();
	if (ret)
		return ret;
	ret = mos_netns_init();
	if (ret)
		goto err_dp;
	ret = mos_genl_init();
	if (ret)
		goto err_netns;
	ret = mos_chardev_init();
	if (ret)
		goto err_genl;
	pr_info("mos: loaded\n");
	return 0;

err_genl:
	mos_genl_uninit();
err_netns:
	mos_netns_uninit();
err_dp:
	mos_dp_module_uninit();
	return ret;
}

static void __exit mos_exit(void)
{
	mos_chardev_uninit();
	mos_genl_uninit();
	mos_netns_uninit();
	mos_dp_module_uninit();
	pr_info("mos: unloaded\n");
}

module_init(mos_init);
module_exit(mos_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mos: TCP flow monitoring for middleboxes");
MODULE_AUTHOR("The mos developers");
MODULE_ALIAS_GENL_FAMILY(MOS_GENL_NAME);
