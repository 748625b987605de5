// SPDX-License-Identifier: GPL-2.0
/*
 * Settings and consumers over generic netlink: MOS_CMD_GET_CONFIG,
 * MOS_CMD_SET_CONFIG and MOS_CMD_MONITOR_SET. Settings are a namespace's:
 * the datapath splits max_flows and buffer_total among its shards.
 */
#include <linux/filter.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/time64.h>
#include <net/genetlink.h>
#include <uapi/linux/mos.h>
#include <uapi/linux/mos_ring.h>
#include "consumer.h"
#include "datapath.h"
#include "netlink.h"

/*
 * Longest timeout: the engine stamps queueing times in 32 bits of 2^20 ns,
 * which wrap after 52 days; 30 days stays clear of that.
 */
#define MOS_NL_TIMEOUT_MAX	(30 * 24 * 3600)

static struct netlink_range_validation mos_max_flows_range = {
	.min = 1,
	.max = 1 << 26,
};

static struct netlink_range_validation mos_flow_buffer_range = {
	.max = 1 << 30,
};

static struct netlink_range_validation mos_buffer_total_range = {
	.max = 1ULL << 40,
};

static struct netlink_range_validation mos_ring_bytes_range = {
	.min = MOS_RING_MIN_BYTES,
	.max = MOS_RING_MAX_BYTES,
};

static struct netlink_range_validation mos_wakeup_us_range = {
	.max = MOS_WAKEUP_US_MAX,
};

static struct netlink_range_validation mos_timeout_range = {
	.min = 1,
	.max = MOS_NL_TIMEOUT_MAX,
};

static const struct nla_policy mos_timeout_policy[MOS_NL_TIMEOUTS + 1] = {
	[1 ... MOS_NL_TIMEOUTS] = NLA_POLICY_FULL_RANGE(NLA_U32,
							&mos_timeout_range),
};

static const struct nla_policy mos_config_policy[MOS_CONFIG_A_MAX + 1] = {
	[MOS_CONFIG_A_MAX_FLOWS] = NLA_POLICY_FULL_RANGE(NLA_U32,
							 &mos_max_flows_range),
	[MOS_CONFIG_A_FLOW_BUFFER] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &mos_flow_buffer_range),
	[MOS_CONFIG_A_BUFFER_TOTAL] =
		NLA_POLICY_FULL_RANGE(NLA_U64, &mos_buffer_total_range),
	[MOS_CONFIG_A_TIMEOUT] = NLA_POLICY_NESTED(mos_timeout_policy),
	[MOS_CONFIG_A_OVERLAP_POLICY] = NLA_POLICY_MAX(NLA_U32,
						       MOS_OVERLAP_NUM - 1),
	[MOS_CONFIG_A_MIDSTREAM] = NLA_POLICY_MAX(NLA_U8, 1),
	[MOS_CONFIG_A_ONE_SIDED] = NLA_POLICY_MAX(NLA_U8, 1),
	[MOS_CONFIG_A_RING_BYTES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &mos_ring_bytes_range),
	[MOS_CONFIG_A_DELIVER_ON_ARRIVAL] = NLA_POLICY_MAX(NLA_U8, 1),
	[MOS_CONFIG_A_TRACKING] = NLA_POLICY_MAX(NLA_U8, 1),
	[MOS_CONFIG_A_WAKEUP_US] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &mos_wakeup_us_range),
};

const struct nla_policy mos_nl_set_config_policy[MOS_A_MAX + 1] = {
	[MOS_A_CONFIG] = NLA_POLICY_NESTED(mos_config_policy),
};

static int mos_validate_prog(const struct nlattr *attr,
			     struct netlink_ext_ack *extack)
{
	if (nla_len(attr) % sizeof(struct sock_filter)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "not a whole number of struct sock_filter");
		return -EINVAL;
	}
	return 0;
}

static const struct nla_policy mos_filter_policy[MOS_FILTER_A_MAX + 1] = {
	[MOS_FILTER_A_TYPE] = NLA_POLICY_MAX(NLA_U32, __MOS_FILTER_MAX - 1),
	/* At most BPF_MAXINSNS instructions; the length is checked first. */
	[MOS_FILTER_A_PROG] =
		NLA_POLICY_VALIDATE_FN(NLA_BINARY, mos_validate_prog,
				       BPF_MAXINSNS *
				       sizeof(struct sock_filter)),
};

const struct nla_policy mos_nl_monitor_set_policy[MOS_A_MAX + 1] = {
	[MOS_A_MONITOR_ID] = { .type = NLA_U32 },
	[MOS_A_MONITOR_EVMASK] = NLA_POLICY_MASK(NLA_U32,
						 (1u << MOS_EV_NUM) - 1),
	[MOS_A_MONITOR_FILTER] = NLA_POLICY_NESTED(mos_filter_policy),
	[MOS_A_MONITOR_FLAGS] = NLA_POLICY_MASK(NLA_U32,
						MOS_MONITOR_F_ALL_PACKETS),
	[MOS_A_MONITOR_GROUP] = { .type = NLA_U32 },
};

/*
 * The program from %MOS_FILTER_A_PROG, checked by the classic BPF
 * verifier (bpf_prog_create(), as xt_bpf does); NULL for an empty one.
 */
static int mos_filter_build(struct nlattr *attr, struct bpf_prog **progp,
			    struct netlink_ext_ack *extack)
{
	struct sock_fprog_kern fprog = {
		.len = nla_len(attr) / sizeof(struct sock_filter),
		.filter = nla_data(attr),
	};
	int ret;

	*progp = NULL;
	if (!fprog.len)
		return 0;
	ret = bpf_prog_create(progp, &fprog);
	if (ret)
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the classic BPF verifier refused the program");
	return ret;
}

static int mos_monitor_filter(struct mos_dp *dp, u32 id, struct nlattr *nest,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MOS_FILTER_A_MAX + 1];
	struct bpf_prog *prog;
	int ret;

	ret = nla_parse_nested(tb, MOS_FILTER_A_MAX, nest, mos_filter_policy,
			       extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, MOS_FILTER_A_TYPE) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, MOS_FILTER_A_PROG))
		return -EINVAL;
	ret = mos_filter_build(tb[MOS_FILTER_A_PROG], &prog, extack);
	if (ret)
		return ret;
	/* It owns the program from here on, also when it fails. */
	return mos_consumer_set_filter(dp, id,
				       nla_get_u32(tb[MOS_FILTER_A_TYPE]),
				       prog);
}

/**
 * mos_nl_monitor_set() - MOS_CMD_MONITOR_SET: change a consumer
 * @skb: the request
 * @info: %MOS_A_MONITOR_ID and what to change
 *
 * The event mask is set before the filter: when the filter is refused,
 * the mask has changed already (the error says which attribute failed).
 *
 * Return: 0, -ENOENT for an unknown consumer, -EINVAL for a bad request
 * or a program the verifier refuses.
 */
int mos_nl_monitor_set(struct sk_buff *skb, struct genl_info *info)
{
	/* The group first: the other settings are about its connections. */
	static const struct {
		int attr;
		enum mos_consumer_setting what;
	} settings[] = {
		{ MOS_A_MONITOR_GROUP, MOS_CONSUMER_GROUP },
		{ MOS_A_MONITOR_EVMASK, MOS_CONSUMER_EVMASK },
		{ MOS_A_MONITOR_FLAGS, MOS_CONSUMER_FLAGS },
	};
	struct mos_dp *dp = mos_nl_dp(genl_info_net(info));
	struct nlattr **tb = info->attrs;
	unsigned int i;
	u32 id;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, MOS_A_MONITOR_ID))
		return -EINVAL;
	if (!tb[MOS_A_MONITOR_EVMASK] && !tb[MOS_A_MONITOR_FILTER] &&
	    !tb[MOS_A_MONITOR_FLAGS] && !tb[MOS_A_MONITOR_GROUP]) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to do: give an event mask, flags, a group or a filter");
		return -EINVAL;
	}
	id = nla_get_u32(tb[MOS_A_MONITOR_ID]);
	if (tb[MOS_A_MONITOR_GROUP]) {
		u32 group = nla_get_u32(tb[MOS_A_MONITOR_GROUP]);

		if (!(group >> 16) || (group & 0xffff) >= (group >> 16)) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[MOS_A_MONITOR_GROUP],
					    "group: count 0, or index not below count");
			return -EINVAL;
		}
	}
	for (i = 0; i < ARRAY_SIZE(settings); i++) {
		if (!tb[settings[i].attr])
			continue;
		ret = mos_consumer_set(dp, id, settings[i].what,
				       nla_get_u32(tb[settings[i].attr]));
		if (ret)
			goto err;
	}
	if (tb[MOS_A_MONITOR_FILTER]) {
		ret = mos_monitor_filter(dp, id, tb[MOS_A_MONITOR_FILTER],
					 info->extack);
		if (ret)
			goto err;
	}
	return 0;

err:
	if (ret == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MOS_A_MONITOR_ID],
				    "no consumer with this monitor id");
	return ret;
}

static int mos_put_config(struct sk_buff *msg, const struct mos_dp_config *c)
{
	const struct mos_engine_cfg *e = &c->engine;
	struct nlattr *nest, *tn;
	int i;

	nest = nla_nest_start(msg, MOS_A_CONFIG);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(msg, MOS_CONFIG_A_MAX_FLOWS, e->max_flows) ||
	    nla_put_u32(msg, MOS_CONFIG_A_FLOW_BUFFER, e->flow_buffer) ||
	    nla_put_u64_64bit(msg, MOS_CONFIG_A_BUFFER_TOTAL, e->buffer_total,
			      MOS_CONFIG_A_PAD) ||
	    nla_put_u32(msg, MOS_CONFIG_A_OVERLAP_POLICY, e->overlap_policy) ||
	    nla_put_u8(msg, MOS_CONFIG_A_MIDSTREAM, e->midstream) ||
	    nla_put_u8(msg, MOS_CONFIG_A_ONE_SIDED, e->one_sided) ||
	    nla_put_u8(msg, MOS_CONFIG_A_DELIVER_ON_ARRIVAL,
		       e->deliver == MOS_DELIVER_ARRIVAL) ||
	    nla_put_u32(msg, MOS_CONFIG_A_RING_BYTES, c->ring_bytes) ||
	    nla_put_u8(msg, MOS_CONFIG_A_TRACKING, c->tracking) ||
	    nla_put_u32(msg, MOS_CONFIG_A_WAKEUP_US, c->wakeup_us))
		goto cancel;
	tn = nla_nest_start(msg, MOS_CONFIG_A_TIMEOUT);
	if (!tn)
		goto cancel;
	for (i = 0; i < MOS_NL_TIMEOUTS; i++)
		if (nla_put_u32(msg, i + 1,
				div_u64(e->timeout_ns[i], NSEC_PER_SEC)))
			goto cancel;
	nla_nest_end(msg, tn);
	nla_nest_end(msg, nest);
	return 0;

cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

/**
 * mos_nl_get_config() - MOS_CMD_GET_CONFIG: the namespace's settings
 * @skb: the request (no attributes)
 * @info: the request's context
 *
 * Return: 0 after the reply was sent, or a negative errno.
 */
int mos_nl_get_config(struct sk_buff *skb, struct genl_info *info)
{
	struct mos_dp *dp = mos_nl_dp(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mos_genl_family, 0,
				MOS_CMD_GET_CONFIG);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err_free;
	}
	mutex_lock(&dp->mutex);
	ret = mos_put_config(msg, &dp->cfg);
	mutex_unlock(&dp->mutex);
	if (ret)
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return ret;
}

/* Everything the request names, checked as a whole before any of it. */
static int mos_config_parse(struct nlattr *nest, struct mos_dp_config *c,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MOS_CONFIG_A_MAX + 1], *tt[MOS_NL_TIMEOUTS + 1];
	struct mos_engine_cfg *e = &c->engine;
	int i, ret;

	ret = nla_parse_nested(tb, MOS_CONFIG_A_MAX, nest, mos_config_policy,
			       extack);
	if (ret)
		return ret;
	if (tb[MOS_CONFIG_A_RING_BYTES] &&
	    !is_power_of_2(nla_get_u32(tb[MOS_CONFIG_A_RING_BYTES]))) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MOS_CONFIG_A_RING_BYTES],
				    "ring size must be a power of two");
		return -EINVAL;
	}
	if (tb[MOS_CONFIG_A_TIMEOUT]) {
		ret = nla_parse_nested(tt, MOS_NL_TIMEOUTS,
				       tb[MOS_CONFIG_A_TIMEOUT],
				       mos_timeout_policy, extack);
		if (ret)
			return ret;
		for (i = 0; i < MOS_NL_TIMEOUTS; i++)
			if (tt[i + 1])
				e->timeout_ns[i] = nla_get_u32(tt[i + 1]) *
						   (u64)NSEC_PER_SEC;
	}
	if (tb[MOS_CONFIG_A_MAX_FLOWS])
		e->max_flows = nla_get_u32(tb[MOS_CONFIG_A_MAX_FLOWS]);
	if (tb[MOS_CONFIG_A_FLOW_BUFFER])
		e->flow_buffer = nla_get_u32(tb[MOS_CONFIG_A_FLOW_BUFFER]);
	if (tb[MOS_CONFIG_A_BUFFER_TOTAL])
		e->buffer_total = nla_get_u64(tb[MOS_CONFIG_A_BUFFER_TOTAL]);
	if (tb[MOS_CONFIG_A_OVERLAP_POLICY])
		e->overlap_policy =
			nla_get_u32(tb[MOS_CONFIG_A_OVERLAP_POLICY]);
	if (tb[MOS_CONFIG_A_MIDSTREAM])
		e->midstream = nla_get_u8(tb[MOS_CONFIG_A_MIDSTREAM]);
	if (tb[MOS_CONFIG_A_ONE_SIDED])
		e->one_sided = nla_get_u8(tb[MOS_CONFIG_A_ONE_SIDED]);
	if (tb[MOS_CONFIG_A_DELIVER_ON_ARRIVAL])
		e->deliver =
			nla_get_u8(tb[MOS_CONFIG_A_DELIVER_ON_ARRIVAL]) ?
			MOS_DELIVER_ARRIVAL : MOS_DELIVER_ACKED;
	if (tb[MOS_CONFIG_A_RING_BYTES])
		c->ring_bytes = nla_get_u32(tb[MOS_CONFIG_A_RING_BYTES]);
	if (tb[MOS_CONFIG_A_TRACKING])
		c->tracking = nla_get_u8(tb[MOS_CONFIG_A_TRACKING]);
	if (tb[MOS_CONFIG_A_WAKEUP_US])
		c->wakeup_us = nla_get_u32(tb[MOS_CONFIG_A_WAKEUP_US]);
	return 0;
}

/**
 * mos_nl_set_config() - MOS_CMD_SET_CONFIG: change the namespace's settings
 * @skb: the request
 * @info: %MOS_A_CONFIG with the settings to change
 *
 * All or nothing: a request with one bad value changes nothing. Existing
 * connections keep their state (mos_engine_reconfigure()), unless
 * tracking stops: then they end, reason eof.
 *
 * Return: 0 or a negative errno.
 */
int mos_nl_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct mos_dp *dp = mos_nl_dp(genl_info_net(info));
	struct mos_dp_config cfg;
	int ret;

	BUILD_BUG_ON(MOS_NL_TIMEOUTS != MOS_TC_ENDED);
	if (GENL_REQ_ATTR_CHECK(info, MOS_A_CONFIG))
		return -EINVAL;
	mutex_lock(&dp->mutex);
	cfg = dp->cfg;
	ret = mos_config_parse(info->attrs[MOS_A_CONFIG], &cfg, info->extack);
	if (!ret)
		mos_dp_set_config(dp, &cfg);
	mutex_unlock(&dp->mutex);
	return ret;
}
