// SPDX-License-Identifier: GPL-2.0
/*
 * The datapath of a network namespace: hook packets go to one of its
 * engine shards, and the engine's events go to the rings of the attached
 * consumers.
 *
 * Ownership across CPUs: RSS is not symmetric, so the two directions of a
 * connection may arrive on different CPUs. A symmetric hash of the
 * addresses and ports picks the shard, and the shard's lock serialises
 * its packets, as conntrack's per-connection locking does. So one engine
 * sees both directions in order, and a connection's events land in one
 * ring (the shard's) in order, whichever CPU ran the hook. Documented in
 * Documentation/kernel-datapath.md.
 */
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include "consumer.h"
#include "datapath.h"
#include "netlink.h"
#include "reset.h"
#include "segmem.h"

#define MOS_GC_INTERVAL		HZ

static unsigned int default_ring_kib;
module_param(default_ring_kib, uint, 0444);
MODULE_PARM_DESC(default_ring_kib,
		 "default data size of each ring of a consumer, KiB (power of two; 0: 64 MiB shared by the CPUs' rings, at least 1 MiB each)");

/* Shared by the rings of one consumer when default_ring_kib is 0. */
#define MOS_RING_AUTO_TOTAL	SZ_64M
#define MOS_RING_AUTO_MIN	SZ_1M

/*
 * A consumer has one ring per shard, one shard per CPU. A few rings carry
 * all the traffic of a small machine, and need room for a consumer that
 * shares its CPUs with that traffic and is not scheduled for a while: on
 * two CPUs, 16 MiB rings (about 20 ms at 6 Gbit/s) still lost events in
 * the forwarding benchmark once the consumer kept up with that rate, and
 * 4 MiB lost them at 1.5 Gbit/s. A large machine's many rings each carry a
 * part of it.
 */
static u32 mos_default_ring_bytes(void)
{
	if (default_ring_kib)
		return default_ring_kib * SZ_1K;
	return max_t(u32, rounddown_pow_of_two(MOS_RING_AUTO_TOTAL / nr_cpu_ids),
		     MOS_RING_AUTO_MIN);
}

static u32 mos_shard_seed __read_mostly;

/**
 * mos_dp_now() - the datapath's clock
 *
 * Return: CLOCK_MONOTONIC in ns, at tick resolution (cheap to read).
 */
u64 mos_dp_now(void)
{
	return ktime_get_coarse_ns();
}

/* The same for both directions: XOR is symmetric. */
static u32 shard_hash(const struct mos_pkt *p)
{
	u32 a[4];
	int i;

	for (i = 0; i < 4; i++)
		a[i] = get_unaligned((const u32 *)p->saddr + i) ^
		       get_unaligned((const u32 *)p->daddr + i);
	return jhash2(a, 4, mos_shard_seed ^ (p->sport ^ p->dport));
}

static void fill_rec(struct mos_rec *rec, u32 size, const struct mos_flow *f,
		     const struct mos_event *ev, const struct mos_pkt *pkt,
		     u64 off, u64 len, u64 now)
{
	memset(rec, 0, sizeof(*rec));
	rec->size = size;
	rec->kind = MOS_REC_EVENT;
	rec->type = ev->type;
	rec->hook = ev->hook;
	rec->side = ev->side;
	rec->code = ev->code;
	rec->old_state = ev->old_state;
	rec->off = off;
	rec->len = len;
	rec->ts_ns = now;
	if (!f) {
		/* An orphan: its packet's sender goes in the client's place. */
		if (!pkt)
			return;
		rec->ip_version = pkt->ip_version;
		rec->port[0] = pkt->sport;
		rec->port[1] = pkt->dport;
		memcpy(rec->addr[0], pkt->saddr, sizeof(rec->addr[0]));
		memcpy(rec->addr[1], pkt->daddr, sizeof(rec->addr[1]));
		return;
	}
	rec->ip_version = f->ip_version;
	rec->state[0] = f->tcp.end[0].state;
	rec->state[1] = f->tcp.end[1].state;
	rec->flags = (f->flags & MOS_FLOW_GUESSED) ? MOS_REC_F_GUESSED : 0;
	rec->end_reason = f->end_reason;
	rec->port[0] = f->port[0];
	rec->port[1] = f->port[1];
	rec->flow_id = f->id;
	memcpy(rec->addr, f->addr, sizeof(rec->addr));
	/* How far both streams went: a reader sees bytes lost at the end. */
	if (ev->type == MOS_EV_CONN_END) {
		rec->off = f->stream[MOS_SIDE_CLI].reasm.released;
		rec->len = f->stream[MOS_SIDE_SVR].reasm.released;
	}
}

/*
 * One event into one consumer's ring. NEW_DATA longer than a record's
 * payload is split; each piece that finds no room is counted as lost, and
 * the next record of the connection carries MOS_REC_F_LOST.
 */
static void emit(struct mos_shard *sh, struct mos_consumer *c,
		 struct mos_flow *f, const struct mos_event *ev,
		 const struct mos_pkt *pkt, u8 rflags)
{
	struct mos_ring *r = c->rings[sh->index];
	/* A quarter of the ring at most, so that small rings can hold one. */
	u32 max_chunk = min_t(u32, MOS_REC_MAX_PAYLOAD, (r->mask + 1) / 4);
	bool data = ev->type == MOS_EV_NEW_DATA && (ev->data || ev->pkt);
	u64 left = data ? ev->len : 0, off = ev->off;
	const u8 *src = ev->data;
	u32 done = 0;

	/*
	 * A packet's headers go with its PKT_IN and ORPHAN events, and with
	 * CONN_START, which comes before the PKT_IN of the same packet.
	 */
	if ((ev->type == MOS_EV_PKT_IN || ev->type == MOS_EV_ORPHAN ||
	     ev->type == MOS_EV_CONN_START) && pkt && sh->cur_in) {
		u32 hdrs = pkt->l4_off + pkt->tcp_hdr_len;

		off = sh->cur_in->len;
		if (hdrs <= MOS_REC_MAX_HEADERS &&
		    hdrs <= sh->cur_in->caplen) {
			src = sh->cur_in->ip;
			left = hdrs;
			data = true;
		}
	}

	do {
		u32 chunk = min_t(u64, left, max_chunk);
		u32 size = sizeof(struct mos_rec) + chunk;
		u32 asize = ALIGN(size, MOS_RING_ALIGN);
		struct mos_rec *rec = mos_ring_reserve(r, asize);

		if (!rec) {
			mos_ring_lose(r, chunk);
			sh->lost_events++;
			sh->lost_bytes += chunk;
			if (f)
				f->host.lost |= BIT(c->slot);
		} else {
			fill_rec(rec, size, f, ev, pkt, off,
				 data ? chunk : ev->len, sh->now);
			if (pkt && sh->cur_in)
				rec->pkt_seq = sh->pkt_seq;
			rec->flags |= rflags;
			if (left > chunk)
				rec->flags |= MOS_REC_F_MORE;
			if (f && (f->host.lost & BIT(c->slot))) {
				rec->flags |= MOS_REC_F_LOST;
				f->host.lost &= ~BIT(c->slot);
			}
			/* Bytes still in the skb are copied from it once. */
			if (src)
				memcpy(rec + 1, src + done, chunk);
			else if (chunk)
				mos_pkt_copy(ev->pkt, ev->pkt_off + done, rec + 1,
					     chunk);
			/* Padding is zeroed: stale ring bytes never leak. */
			memset((u8 *)rec + size, 0, asize - size);
			mos_consumer_notify(c, r, mos_ring_commit(r, asize));
		}
		off += chunk;
		done += chunk;
		left -= chunk;
	} while (left);
}

static bool filter_pass(struct mos_consumer *c, u32 type, struct sk_buff *skb)
{
	struct bpf_prog *prog = rcu_dereference(c->filter[type]);

	if (!prog)
		return true;
	return skb && bpf_prog_run(prog, skb);
}

#define MOS_STREAM_EVENTS	(BIT(MOS_EV_NEW_DATA) | BIT(MOS_EV_REXMIT))

/*
 * The consumers a new connection's events go to, by their SYN filters.
 * When none of them wants stream bytes, the connection is tracked without
 * reassembly (states only): storing payload nobody reads is the largest
 * cost of tracking. A consumer that attaches later gets such connections'
 * state events, not their bytes.
 */
static void select_consumers(struct mos_shard *sh, struct mos_flow *f)
{
	struct mos_consumer *c;
	u32 want = 0;

	f->host.sub = 0;
	f->host.lost = 0;
	list_for_each_entry_rcu(c, &sh->dp->consumers, node) {
		if (mos_consumer_has_shard(c, sh->index) &&
		    filter_pass(c, MOS_FILTER_SYN, sh->cur_skb)) {
			f->host.sub |= BIT(c->slot);
			want |= READ_ONCE(c->evmask);
		}
	}
	if (!(want & MOS_STREAM_EVENTS)) {
		mos_flow_stop_stream(sh->engine, f, MOS_SIDE_CLI);
		mos_flow_stop_stream(sh->engine, f, MOS_SIDE_SVR);
	}
}

static void sink_event(void *ctx, struct mos_flow *f,
		       const struct mos_event *ev, const struct mos_pkt *pkt)
{
	struct mos_shard *sh = ctx;
	struct mos_consumer *c;

	rcu_read_lock();
	if (f && ev->type == MOS_EV_CONN_START) {
		select_consumers(sh, f);
		mos_genl_notify_flow(sh->dp, sh, f, MOS_CMD_FLOW_NEW);
	} else if (f && ev->type == MOS_EV_CONN_END) {
		mos_genl_notify_flow(sh->dp, sh, f, MOS_CMD_FLOW_END);
	}
	list_for_each_entry_rcu(c, &sh->dp->consumers, node) {
		u8 rflags = 0;

		if (!(READ_ONCE(c->evmask) & BIT(ev->type)))
			continue;
		if (f ? !(f->host.sub & BIT(c->slot)) :
		    !mos_consumer_has_shard(c, sh->index))
			continue;
		if (!f && ev->type == MOS_EV_ORPHAN &&
		    !filter_pass(c, MOS_FILTER_ORPHAN, sh->cur_skb))
			continue;
		/*
		 * The RAW filter selects the PKT_IN records, or, when the
		 * consumer wants every packet's, marks them.
		 */
		if (ev->type == MOS_EV_PKT_IN) {
			if (filter_pass(c, MOS_FILTER_RAW, sh->cur_skb))
				rflags = MOS_REC_F_RAW;
			else if (!(READ_ONCE(c->flags) &
				   MOS_MONITOR_F_ALL_PACKETS))
				continue;
		}
		emit(sh, c, f, ev, pkt, rflags);
	}
	rcu_read_unlock();
}

static const struct mos_engine_sink mos_dp_sink = {
	.event = sink_event,
};

/* Checksums the stack already vouched for are not computed again. */
static u8 csum_mode(const struct sk_buff *skb,
		    const struct nf_hook_state *state)
{
	if (state->hook == NF_INET_LOCAL_OUT)
		return MOS_CSUM_OFF;	/* CHECKSUM_PARTIAL: not filled yet */
	switch (skb->ip_summed) {
	case CHECKSUM_UNNECESSARY:
	case CHECKSUM_PARTIAL:
		return MOS_CSUM_OFF;
	default:
		return MOS_CSUM_ON;
	}
}

/**
 * mos_dp_input() - run a TCP packet through its shard's engine
 * @dp: the namespace's datapath
 * @skb: the packet, IP header at skb->data
 * @state: the hook it came from
 * @pkt: its parsed headers
 * @hdr: the IP and TCP headers, contiguous (in the skb or a copy)
 *
 * Nonlinear packets (GRO/TSO) are neither linearized nor copied whole:
 * the engine gets their headers at @hdr and reads the payload from the
 * skb, copying each byte it keeps once, straight into a stream buffer.
 * Runs with bottom halves disabled, so the shard lock is safe also at
 * LOCAL_OUT in process context.
 *
 * Return: the netfilter verdict: NF_DROP for connections being dropped.
 */
unsigned int mos_dp_input(struct mos_dp *dp, struct sk_buff *skb,
			  const struct nf_hook_state *state,
			  const struct mos_pkt *pkt, const u8 *hdr)
{
	struct mos_shard *sh = &dp->shards[shard_hash(pkt) % dp->nr_shards];
	struct mos_input in = { .len = skb->len, .pkt = NULL };
	unsigned int verdict = NF_ACCEPT;
	bool reset = false;
	u8 flags;

	in.csum = csum_mode(skb, state);
	local_bh_disable();
	if (!skb_is_nonlinear(skb)) {
		in.ip = skb->data;
		in.caplen = skb->len;
	} else {
		in.ip = hdr;
		in.caplen = pkt->l4_off + pkt->tcp_hdr_len;
		/*
		 * With no consumer, connections are tracked without their
		 * bytes (select_consumers()): the headers are enough.
		 */
		if (!list_empty(&dp->consumers))
			in.pkt = skb;
	}
	spin_lock(&sh->lock);
	sh->now = mos_dp_now();
	in.ts_ns = sh->now;
	sh->cur_skb = skb;
	sh->cur_in = &in;
	if (!++sh->pkt_seq)
		sh->pkt_seq = 1;
	flags = mos_engine_input(sh->engine, &in);
	sh->cur_skb = NULL;
	sh->cur_in = NULL;
	if (flags & MOS_FLOW_DROP) {
		sh->dropped++;
		verdict = NF_DROP;
		reset = flags & MOS_FLOW_RESET;
	}
	spin_unlock(&sh->lock);
	local_bh_enable();
	/* Resets re-enter the hooks: never with a shard lock held. */
	if (reset)
		mos_reset_send(dp->net, skb, state, pkt);
	return verdict;
}

/**
 * mos_dp_shard_of_id() - the shard a connection id belongs to
 * @dp: the datapath
 * @id: a connection id
 *
 * Return: the shard (ids are N * nr_shards + shard).
 */
struct mos_shard *mos_dp_shard_of_id(struct mos_dp *dp, u64 id)
{
	return &dp->shards[do_div(id, dp->nr_shards)];
}

/**
 * mos_shard_find() - a connection by id
 * @sh: its shard, locked
 * @id: the id
 *
 * Walks the whole table: for control requests, not for the datapath.
 *
 * Return: the connection or NULL.
 */
struct mos_flow *mos_shard_find(struct mos_shard *sh, u64 id)
{
	u32 i, n = mos_engine_nbuckets(sh->engine);
	struct mos_flow *f;

	for (i = 0; i < n; i++)
		for (f = mos_engine_bucket(sh->engine, i); f; f = f->hnext)
			if (f->id == id)
				return f;
	return NULL;
}

/* A shard's share of the namespace's settings. */
static void shard_cfg(const struct mos_dp *dp, u32 i,
		      struct mos_engine_cfg *cfg)
{
	*cfg = dp->cfg.engine;
	cfg->max_flows = max_t(u32, cfg->max_flows / dp->nr_shards, 1);
	cfg->buffer_total = div_u64(cfg->buffer_total, dp->nr_shards);
	cfg->id_stride = dp->nr_shards;
	cfg->id_offset = i;
}

/*
 * Tracking stops: once no hook can still be inside a shard with a packet
 * (they run under RCU), every connection ends, reason eof, as a capture's
 * do at its end: their consumers get CONN_END and nothing lingers.
 */
static void mos_dp_end_all(struct mos_dp *dp)
{
	u32 i;

	synchronize_net();
	for (i = 0; i < dp->nr_shards; i++) {
		struct mos_shard *sh = &dp->shards[i];

		spin_lock_bh(&sh->lock);
		sh->now = mos_dp_now();
		mos_engine_end_all(sh->engine, MOS_END_EOF);
		spin_unlock_bh(&sh->lock);
		cond_resched();
	}
}

/**
 * mos_dp_set_config() - apply new settings
 * @dp: the datapath; the caller holds @dp->mutex
 * @cfg: the settings; connections keep their state, unless tracking stops
 *
 * May sleep.
 */
void mos_dp_set_config(struct mos_dp *dp, const struct mos_dp_config *cfg)
{
	bool stop = dp->cfg.tracking && !cfg->tracking;
	struct mos_engine_cfg ecfg;
	u32 i;

	lockdep_assert_held(&dp->mutex);
	dp->cfg = *cfg;
	if (stop)
		mos_dp_end_all(dp);
	for (i = 0; i < dp->nr_shards; i++) {
		struct mos_shard *sh = &dp->shards[i];

		shard_cfg(dp, i, &ecfg);
		spin_lock_bh(&sh->lock);
		mos_engine_reconfigure(sh->engine, &ecfg);
		spin_unlock_bh(&sh->lock);
	}
}

/*
 * Time moves only with packets in the engine; this makes idle connections
 * expire when none come, and delivers LOST records once there is room.
 */
static void mos_dp_gc(struct work_struct *work)
{
	struct mos_dp *dp = container_of(to_delayed_work(work), struct mos_dp,
					 gc);
	struct mos_consumer *c;
	u32 i;

	for (i = 0; i < dp->nr_shards; i++) {
		struct mos_shard *sh = &dp->shards[i];

		spin_lock_bh(&sh->lock);
		sh->now = mos_dp_now();
		mos_engine_advance(sh->engine, sh->now);
		rcu_read_lock();
		list_for_each_entry_rcu(c, &dp->consumers, node)
			mos_consumer_notify(c, c->rings[i],
					    mos_ring_flush_lost(c->rings[i]));
		rcu_read_unlock();
		spin_unlock_bh(&sh->lock);
		cond_resched();
	}
	queue_delayed_work(system_power_efficient_wq, &dp->gc,
			   MOS_GC_INTERVAL);
}

/**
 * mos_dp_new() - create the datapath of a namespace
 * @net: the namespace
 *
 * Return: the datapath, or NULL when out of memory.
 */
struct mos_dp *mos_dp_new(struct net *net)
{
	struct mos_engine_cfg ecfg;
	struct mos_dp *dp;
	u32 i;

	dp = kzalloc(sizeof(*dp), GFP_KERNEL);
	if (!dp)
		return NULL;
	dp->net = net;
	dp->nr_shards = nr_cpu_ids;
	mutex_init(&dp->mutex);
	INIT_LIST_HEAD(&dp->consumers);
	mos_engine_default_cfg(&dp->cfg.engine);
	dp->cfg.engine.max_flows = 1 << 18;
	dp->cfg.ring_bytes = mos_default_ring_bytes();
	dp->cfg.tracking = true;
	dp->cfg.wakeup_us = MOS_WAKEUP_US_DEFAULT;
	dp->shards = kcalloc(dp->nr_shards, sizeof(*dp->shards), GFP_KERNEL);
	if (!dp->shards)
		goto err;
	for (i = 0; i < dp->nr_shards; i++) {
		struct mos_shard *sh = &dp->shards[i];

		spin_lock_init(&sh->lock);
		sh->dp = dp;
		sh->index = i;
		shard_cfg(dp, i, &ecfg);
		ecfg.hash_seed = get_random_u32();
		sh->engine = mos_engine_new(&ecfg, &mos_dp_sink, sh);
		if (!sh->engine)
			goto err;
	}
	INIT_DELAYED_WORK(&dp->gc, mos_dp_gc);
	queue_delayed_work(system_power_efficient_wq, &dp->gc,
			   MOS_GC_INTERVAL);
	return dp;

err:
	mos_dp_free(dp);
	return NULL;
}

/**
 * mos_dp_free() - free a datapath its hooks no longer run on
 * @dp: the datapath; NULL is allowed
 *
 * No consumer is attached: each holds a reference on the namespace.
 */
void mos_dp_free(struct mos_dp *dp)
{
	u32 i;

	if (!dp)
		return;
	cancel_delayed_work_sync(&dp->gc);
	for (i = 0; dp->shards && i < dp->nr_shards; i++)
		mos_engine_free(dp->shards[i].engine);
	kfree(dp->shards);
	kfree(dp);
}

/**
 * mos_dp_module_init() - allocate what every datapath shares
 *
 * Return: 0 or -ENOMEM.
 */
int mos_dp_module_init(void)
{
	if (default_ring_kib &&
	    (!is_power_of_2(default_ring_kib) ||
	     default_ring_kib * SZ_1K < MOS_RING_MIN_BYTES ||
	     default_ring_kib * SZ_1K > MOS_RING_MAX_BYTES)) {
		pr_err("mos: default_ring_kib must be 0 or a power of two in [%u, %u]\n",
		       MOS_RING_MIN_BYTES / SZ_1K, MOS_RING_MAX_BYTES / SZ_1K);
		return -EINVAL;
	}
	mos_shard_seed = get_random_u32();
	if (mos_flowmem_init(sizeof(struct mos_flow)))
		return -ENOMEM;
	if (mos_segmem_init()) {
		mos_flowmem_uninit();
		return -ENOMEM;
	}
	return 0;
}

/**
 * mos_dp_module_uninit() - free what mos_dp_module_init() allocated
 */
void mos_dp_module_uninit(void)
{
	mos_segmem_uninit();
	mos_flowmem_uninit();
}
