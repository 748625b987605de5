// SPDX-License-Identifier: GPL-2.0
/*
 * Connections over generic netlink: MOS_CMD_FLOW_GET (one, or a dump of
 * all), MOS_CMD_FLOW_SET (actions and per-side options) and the
 * FLOW_NEW/FLOW_END notifications of the "flows" multicast group.
 *
 * Connections live in the engines of the shards, each protected by its
 * shard's spinlock (taken with bottom halves off, as the hooks do). Every
 * read or change happens under that lock, into a message allocated before
 * it is taken.
 */
#include <linux/math64.h>
#include <linux/netlink.h>
#include <linux/time64.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/mos.h>
#include "compat.h"
#include "datapath.h"
#include "netlink.h"

const struct nla_policy mos_nl_flow_get_policy[MOS_A_MAX + 1] = {
	[MOS_A_FLOW_ID] = { .type = NLA_U64 },
};

/* Streams store at most 65535 KiB (struct mos_stream.cap_kib). */
static struct netlink_range_validation mos_flow_buffer_range = {
	.max = 0xffff * 1024,
};

const struct nla_policy mos_nl_flow_set_policy[MOS_A_MAX + 1] = {
	[MOS_A_FLOW_ID] = { .type = NLA_U64 },
	[MOS_A_FLOW_ACTION] = NLA_POLICY_RANGE(NLA_U32, MOS_FLOW_ACTION_DROP,
					       MOS_FLOW_ACTION_UNTRACK),
	[MOS_A_FLOW_SIDE] = NLA_POLICY_MAX(NLA_U32, MOS_SIDE_SVR),
	[MOS_A_FLOW_POLICY] = NLA_POLICY_MAX(NLA_U32, MOS_OVERLAP_NUM - 1),
	[MOS_A_FLOW_STOP] = { .type = NLA_FLAG },
	[MOS_A_FLOW_BUFFER] = NLA_POLICY_FULL_RANGE(NLA_U32,
						    &mos_flow_buffer_range),
};

/* Largest MOS_A_FLOW nest. */
static size_t mos_flow_nest_size(void)
{
	return nla_total_size(0) +			/* nest */
	       4 * nla_total_size_64bit(sizeof(u64)) +	/* id, bytes, idle */
	       2 * nla_total_size(sizeof(u32)) +	/* cpu, flags */
	       4 * nla_total_size(sizeof(u8)) +		/* version, states,
							 * end reason
							 */
	       2 * nla_total_size(16) +			/* addresses */
	       2 * nla_total_size(sizeof(u16));		/* ports */
}

static u32 mos_flow_flags(const struct mos_flow *f)
{
	return ((f->flags & MOS_FLOW_GUESSED) ? MOS_FLOW_F_GUESSED : 0) |
	       ((f->flags & MOS_FLOW_DROP) ? MOS_FLOW_F_DROP : 0) |
	       ((f->flags & MOS_FLOW_RESET) ? MOS_FLOW_F_RESET : 0) |
	       ((f->flags & MOS_FLOW_ENDED) ? MOS_FLOW_F_ENDED : 0);
}

/*
 * One MOS_A_FLOW nest. IPv4 addresses are stored IPv4-mapped; they go out
 * as the 4 bytes of the address. Stream bytes are what was delivered (or
 * passed over as a gap), or, for streams nobody reassembles, how far the
 * sender's sequence numbers went (mos_flow_stream_bytes()).
 */
static int mos_put_flow(struct sk_buff *msg, const struct mos_flow *f,
			u32 shard, u64 now)
{
	int alen = f->ip_version == 4 ? 4 : 16;
	u64 idle = now > f->last_ns ? now - f->last_ns : 0;
	struct nlattr *nest;

	nest = nla_nest_start(msg, MOS_A_FLOW);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, MOS_FLOW_A_ID, f->id, MOS_FLOW_A_PAD) ||
	    nla_put_u32(msg, MOS_FLOW_A_CPU, shard) ||
	    nla_put_u8(msg, MOS_FLOW_A_IP_VERSION, f->ip_version) ||
	    nla_put(msg, MOS_FLOW_A_CLI_ADDR, alen,
		    f->addr[MOS_SIDE_CLI] + 16 - alen) ||
	    nla_put_u16(msg, MOS_FLOW_A_CLI_PORT, f->port[MOS_SIDE_CLI]) ||
	    nla_put(msg, MOS_FLOW_A_SVR_ADDR, alen,
		    f->addr[MOS_SIDE_SVR] + 16 - alen) ||
	    nla_put_u16(msg, MOS_FLOW_A_SVR_PORT, f->port[MOS_SIDE_SVR]) ||
	    nla_put_u8(msg, MOS_FLOW_A_CLI_STATE,
		       f->tcp.end[MOS_SIDE_CLI].state) ||
	    nla_put_u8(msg, MOS_FLOW_A_SVR_STATE,
		       f->tcp.end[MOS_SIDE_SVR].state) ||
	    nla_put_u64_64bit(msg, MOS_FLOW_A_C2S_BYTES,
			      mos_flow_stream_bytes(f, MOS_SIDE_CLI),
			      MOS_FLOW_A_PAD) ||
	    nla_put_u64_64bit(msg, MOS_FLOW_A_S2C_BYTES,
			      mos_flow_stream_bytes(f, MOS_SIDE_SVR),
			      MOS_FLOW_A_PAD) ||
	    nla_put_u32(msg, MOS_FLOW_A_FLAGS, mos_flow_flags(f)) ||
	    nla_put_u64_64bit(msg, MOS_FLOW_A_IDLE_MS,
			      div_u64(idle, NSEC_PER_MSEC), MOS_FLOW_A_PAD) ||
	    ((f->flags & MOS_FLOW_ENDED) &&
	     nla_put_u8(msg, MOS_FLOW_A_END_REASON, f->end_reason))) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* The shard that holds the connection the request names. */
static struct mos_shard *mos_nl_shard(struct genl_info *info, u64 *id)
{
	*id = nla_get_u64(info->attrs[MOS_A_FLOW_ID]);
	return mos_dp_shard_of_id(mos_nl_dp(genl_info_net(info)), *id);
}

static void mos_nl_no_flow(struct genl_info *info)
{
	NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MOS_A_FLOW_ID],
			    "no connection with this id");
}

/**
 * mos_nl_flow_get() - MOS_CMD_FLOW_GET for one connection
 * @skb: the request
 * @info: its attributes: %MOS_A_FLOW_ID is required
 *
 * Return: 0 after the reply was sent, -ENOENT for an unknown id, or
 * another negative errno.
 */
int mos_nl_flow_get(struct sk_buff *skb, struct genl_info *info)
{
	struct mos_shard *sh;
	struct sk_buff *msg;
	struct mos_flow *f;
	void *hdr;
	int ret;
	u64 id;

	if (GENL_REQ_ATTR_CHECK(info, MOS_A_FLOW_ID))
		return -EINVAL;
	msg = genlmsg_new(mos_flow_nest_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mos_genl_family, 0,
				MOS_CMD_FLOW_GET);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err_free;
	}
	sh = mos_nl_shard(info, &id);
	spin_lock_bh(&sh->lock);
	f = mos_shard_find(sh, id);
	ret = f ? mos_put_flow(msg, f, sh->index, mos_dp_now()) : -ENOENT;
	spin_unlock_bh(&sh->lock);
	if (ret == -ENOENT)
		mos_nl_no_flow(info);
	if (ret)
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return ret;
}

/* Dump position, in cb->args. */
enum {
	MOS_DUMP_SHARD,		/* shard being walked */
	MOS_DUMP_BUCKET,	/* bucket to continue with */
	MOS_DUMP_SKIP,		/* connections of that bucket already sent */
	MOS_DUMP_GEN,		/* the shard's table generation seen last */
	MOS_DUMP_CHANGES,	/* rehashes seen during the dump */
};

static int mos_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
			const struct mos_flow *f, u32 shard, u64 now)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &mos_genl_family, NLM_F_MULTI, MOS_CMD_FLOW_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (mos_put_flow(skb, f, shard, now)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * The connections of one bucket, from the *skip-th on. A bucket goes into
 * one batch (one dumpit call) whole: new connections are added at the
 * head of a bucket and others leave it while the lock is dropped between
 * batches, so a position inside a bucket would not mean the same
 * connection in the next batch. Only a bucket too long for an empty batch
 * is split, by position.
 */
static int mos_dump_bucket(struct sk_buff *skb, struct netlink_callback *cb,
			   struct mos_shard *sh, u32 b, unsigned long *skip,
			   u64 now)
{
	const unsigned char *mark = skb_tail_pointer(skb);
	bool batch_was_empty = skb->len == 0;
	const struct mos_flow *f;
	unsigned long i = 0;

	for (f = mos_engine_bucket(sh->engine, b); f; f = f->hnext, i++) {
		if (i < *skip)
			continue;
		if (mos_dump_one(skb, cb, f, sh->index, now))
			goto full;
	}
	*skip = 0;
	return 0;

full:
	if (batch_was_empty)
		*skip = i;	/* split: keep what fits, go on from here */
	else
		nlmsg_trim(skb, mark);	/* the whole bucket next time */
	return -EMSGSIZE;
}

/**
 * mos_nl_flow_dump_start() - check a MOS_CMD_FLOW_GET dump request
 * @cb: the dump; its attributes passed the policy already
 *
 * The policy is shared with the single-connection request, whose id a
 * dump has no use for: refused rather than ignored.
 *
 * Return: 0, or -EINVAL for a dump naming a connection.
 */
int mos_nl_flow_dump_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = mos_genl_dump_attrs(cb);

	if (attrs && attrs[MOS_A_FLOW_ID]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[MOS_A_FLOW_ID],
				    "a dump lists every connection: no id");
		return -EINVAL;
	}
	return 0;
}

/**
 * mos_nl_flow_dump() - MOS_CMD_FLOW_GET as a dump: every connection
 * @skb: the batch to fill
 * @cb: the dump's state; cb->args holds the position
 *
 * One message per connection, shard by shard, bucket by bucket, each
 * shard locked while its buckets fill the batch. When a shard's table was
 * rehashed between two batches, bucket numbers changed meaning and some
 * connections may be missed or sent twice: cb->seq changes then, which
 * flags the messages after it NLM_F_DUMP_INTR.
 *
 * Return: the batch's length while more follows, 0 at the end, or a
 * negative errno.
 */
int mos_nl_flow_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct mos_dp *dp = mos_nl_dp(sock_net(skb->sk));
	unsigned long s = cb->args[MOS_DUMP_SHARD];
	unsigned long b = cb->args[MOS_DUMP_BUCKET];
	unsigned long skip = cb->args[MOS_DUMP_SKIP];
	u64 now = mos_dp_now();
	int ret = 0;

	for (; s < dp->nr_shards; s++, b = 0, skip = 0) {
		struct mos_shard *sh = &dp->shards[s];
		u32 gen, n;

		spin_lock_bh(&sh->lock);
		gen = mos_engine_generation(sh->engine);
		if ((b || skip) && gen != cb->args[MOS_DUMP_GEN])
			cb->args[MOS_DUMP_CHANGES]++;
		cb->args[MOS_DUMP_GEN] = gen;
		cb->seq = cb->args[MOS_DUMP_CHANGES] + 1;
		n = mos_engine_nbuckets(sh->engine);
		for (; b < n; b++) {
			ret = mos_dump_bucket(skb, cb, sh, b, &skip, now);
			if (ret)
				break;
		}
		spin_unlock_bh(&sh->lock);
		if (ret)
			break;
	}
	cb->args[MOS_DUMP_SHARD] = s;
	cb->args[MOS_DUMP_BUCKET] = b;
	cb->args[MOS_DUMP_SKIP] = skip;
	if (!ret)
		return 0;
	/* Not even one connection fits an empty batch: give up. */
	return skb->len ? skb->len : ret;
}

/* Per-side options first: an action may end the connection. */
static int mos_flow_apply(struct mos_shard *sh, struct mos_flow *f,
			  struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	int side;

	if (tb[MOS_A_FLOW_SIDE]) {
		side = nla_get_u32(tb[MOS_A_FLOW_SIDE]);
		if (tb[MOS_A_FLOW_POLICY] &&
		    mos_flow_set_policy(f, side,
					nla_get_u32(tb[MOS_A_FLOW_POLICY])))
			return -EINVAL;	/* the policy ruled it out */
		if (tb[MOS_A_FLOW_BUFFER] &&
		    mos_flow_set_buffer(f, side,
					nla_get_u32(tb[MOS_A_FLOW_BUFFER])))
			return -EINVAL;
		if (tb[MOS_A_FLOW_STOP])
			mos_flow_stop_stream(sh->engine, f, side);
	}
	if (!tb[MOS_A_FLOW_ACTION])
		return 0;
	switch (nla_get_u32(tb[MOS_A_FLOW_ACTION])) {
	case MOS_FLOW_ACTION_DROP:
		f->flags |= MOS_FLOW_DROP;
		break;
	case MOS_FLOW_ACTION_RESET:
		/* Its next packet, from either side, triggers the resets. */
		f->flags |= MOS_FLOW_DROP | MOS_FLOW_RESET;
		break;
	case MOS_FLOW_ACTION_UNTRACK:
		/* Left alone means its packets pass, also after a drop. */
		f->flags &= ~(MOS_FLOW_DROP | MOS_FLOW_RESET);
		/* CONN_END goes to the consumers with this shard's clock. */
		sh->now = mos_dp_now();
		mos_engine_untrack(sh->engine, f);
		break;
	}
	return 0;
}

/**
 * mos_nl_flow_set() - MOS_CMD_FLOW_SET: act on one connection
 * @skb: the request
 * @info: its attributes: %MOS_A_FLOW_ID and an action or per-side options
 *
 * Return: 0, -ENOENT for an unknown id, -EINVAL for a request that asks
 * for nothing or names options without a side.
 */
int mos_nl_flow_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	bool side_opts = tb[MOS_A_FLOW_POLICY] || tb[MOS_A_FLOW_STOP] ||
			 tb[MOS_A_FLOW_BUFFER];
	struct mos_shard *sh;
	struct mos_flow *f;
	int ret;
	u64 id;

	if (GENL_REQ_ATTR_CHECK(info, MOS_A_FLOW_ID))
		return -EINVAL;
	if (side_opts && GENL_REQ_ATTR_CHECK(info, MOS_A_FLOW_SIDE))
		return -EINVAL;
	if (tb[MOS_A_FLOW_SIDE] && !side_opts) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MOS_A_FLOW_SIDE],
				    "a side without a policy, buffer or stop to apply");
		return -EINVAL;
	}
	if (!side_opts && !tb[MOS_A_FLOW_ACTION]) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to do: give an action or side options");
		return -EINVAL;
	}
	sh = mos_nl_shard(info, &id);
	spin_lock_bh(&sh->lock);
	f = mos_shard_find(sh, id);
	ret = f ? mos_flow_apply(sh, f, info) : -ENOENT;
	spin_unlock_bh(&sh->lock);
	if (ret == -ENOENT)
		mos_nl_no_flow(info);
	return ret;
}

/**
 * mos_genl_notify_flow() - tell the "flows" group a connection started
 *	or ended
 * @dp: the connection's datapath
 * @sh: its shard, locked
 * @f: the connection
 * @cmd: %MOS_CMD_FLOW_NEW or %MOS_CMD_FLOW_END
 *
 * Called by the datapath's event sink, in softirq or with bottom halves
 * off, under rcu_read_lock(). Costs one test when nobody listens. A
 * notification that finds no memory is lost; listeners see ENOBUFS when
 * their socket overflows.
 */
void mos_genl_notify_flow(struct mos_dp *dp, struct mos_shard *sh,
			  const struct mos_flow *f, u8 cmd)
{
	struct sk_buff *msg;
	void *hdr;

	if (!mos_genl_ready() ||
	    !genl_has_listeners(&mos_genl_family, dp->net, MOS_NLGRP_FLOWS))
		return;
	msg = genlmsg_new(mos_flow_nest_size(), GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &mos_genl_family, 0, cmd);
	if (!hdr || mos_put_flow(msg, f, sh->index, sh->now)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&mos_genl_family, dp->net, msg, 0,
				MOS_NLGRP_FLOWS, GFP_ATOMIC);
}
