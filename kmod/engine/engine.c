// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The engine proper: connection table, per-packet path and events.
 *
 * Per packet: parse, find (or create) the connection, update the sender's
 * stack, then the receiver's (tcp.c), store the payload in the sender's
 * stream (reasm.c), and let the ACK release the bytes it acknowledges in the
 * other stream. Bytes become NEW_DATA when released: on acknowledgment by
 * default, so the overlap policy decides between copies the receiver had
 * not yet accepted, exactly as a target-based IDS does.
 *
 * Idle connections sit in one list per timeout class, ordered by last
 * packet: expiry looks at list heads only, and the oldest idle connection
 * of all is one of those heads, which is whom a full table evicts.
 */
#include "csum.h"
#include "engine.h"

#define NSEC_PER_SEC_ULL	1000000000ULL
/* Checksum auto mode: look at this many segments before deciding. */
#define CSUM_AUTO_SAMPLE	1000

/**
 * struct mos_flow_list - connections of one timeout class, oldest first
 * @head: oldest
 * @tail: newest
 */
struct mos_flow_list {
	struct mos_flow *head;
	struct mos_flow *tail;
};

/**
 * struct mos_engine - an engine instance
 * @cfg: its settings
 * @sink: where events go
 * @sink_ctx: the sink's context
 * @buckets: hash table of connections
 * @mask: number of buckets - 1
 * @lru: per timeout class lists
 * @rmem: reassembly limits and accounting
 * @stats: counters
 * @next_id: id of the next connection
 * @generation: changes when the table is rehashed (for resumable walks)
 * @default_evmask: events raised for new connections
 * @csum_seen: segments checked so far (auto mode)
 * @csum_bad: of which bad (auto mode)
 * @csum_on: checksums are being validated
 */
struct mos_engine {
	struct mos_engine_cfg cfg;
	const struct mos_engine_sink *sink;
	void *sink_ctx;
	struct mos_flow **buckets;
	u32 mask;
	struct mos_flow_list lru[MOS_TC_NUM];
	struct mos_reasm_mem rmem;
	struct mos_engine_stats stats;
	u64 next_id;
	u32 generation;
	u32 default_evmask;
	u32 csum_seen;
	u32 csum_bad;
	bool csum_on;
};

/* What the reassembly callbacks need to raise events. */
struct stream_ctx {
	struct mos_engine *e;
	struct mos_flow *f;
	const struct mos_pkt *pkt;
	u8 sender;
};

/**
 * mos_engine_default_cfg() - the default settings
 * @cfg: filled in
 *
 * Timeouts are nf_conntrack's defaults; 1 MiB stored per direction (what
 * a receiver's window lets a sender put past a lost segment, as Snort's
 * max_queued_bytes), 256 MiB in all, 1 Mi connections.
 */
void mos_engine_default_cfg(struct mos_engine_cfg *cfg)
{
	static const u32 timeout_s[MOS_TC_NUM] = {
		[MOS_TC_SYN_SENT] = 120,
		[MOS_TC_SYN_RECV] = 60,
		[MOS_TC_ESTABLISHED] = 432000,
		[MOS_TC_FIN_WAIT] = 120,
		[MOS_TC_CLOSE_WAIT] = 60,
		[MOS_TC_LAST_ACK] = 30,
		[MOS_TC_TIME_WAIT] = 120,
		[MOS_TC_CLOSE] = 10,
		[MOS_TC_UNACK] = 300,
		[MOS_TC_ENDED] = 1,
	};
	int i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->max_flows = 1 << 20;
	cfg->flow_buffer = 1024 * 1024;
	cfg->buffer_total = 256ULL * 1024 * 1024;
	for (i = 0; i < MOS_TC_NUM; i++)
		cfg->timeout_ns[i] = timeout_s[i] * NSEC_PER_SEC_ULL;
	cfg->hash_seed = 0x6d6f7321;
	cfg->overlap_policy = MOS_OVERLAP_FIRST;
	cfg->checksum = MOS_CSUM_AUTO;
	cfg->deliver = MOS_DELIVER_ACKED;
}

static void mem_add(struct mos_engine *e, u64 bytes)
{
	e->stats.mem_bytes += bytes;
	if (e->stats.mem_bytes > e->stats.mem_peak)
		e->stats.mem_peak = e->stats.mem_bytes;
}

/* ---- hashing ------------------------------------------------------- */

static u64 mix64(u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static u64 hash_end(const u8 *addr, u16 port, u32 seed)
{
	u64 a, b;

	memcpy(&a, addr, 8);
	memcpy(&b, addr + 8, 8);
	return mix64(a ^ mix64(b ^ ((u64)port << 32) ^ seed));
}

/* The same for both directions: the two ends are combined in order. */
static u32 flow_hash(const u8 *a1, u16 p1, const u8 *a2, u16 p2, u32 seed)
{
	u64 h1 = hash_end(a1, p1, seed), h2 = hash_end(a2, p2, seed);

	if (h1 > h2) {
		u64 t = h1;

		h1 = h2;
		h2 = t;
	}
	return (u32)mix64(h1 * 31 + h2);
}

/* ---- timeout class lists ------------------------------------------- */

static void lru_del(struct mos_engine *e, struct mos_flow *f)
{
	struct mos_flow_list *l = &e->lru[f->tclass];

	if (f->prev)
		f->prev->next = f->next;
	else
		l->head = f->next;
	if (f->next)
		f->next->prev = f->prev;
	else
		l->tail = f->prev;
	f->prev = NULL;
	f->next = NULL;
}

static void lru_add_tail(struct mos_engine *e, struct mos_flow *f)
{
	struct mos_flow_list *l = &e->lru[f->tclass];

	f->next = NULL;
	f->prev = l->tail;
	if (l->tail)
		l->tail->next = f;
	else
		l->head = f;
	l->tail = f;
}

/*
 * The class of the endpoint furthest into its life decides, but for the
 * handshake, which is only as far as the end that lags: as nf_conntrack
 * has it, a connection is in SYN_SENT until the SYN-ACK (though the
 * server's stack is SYN_RCVD from the SYN on), in SYN_RECV until the
 * server sees the handshake's last ACK (though the client's stack is
 * ESTABLISHED from the SYN-ACK on), and only then ESTABLISHED. Half-open
 * connections, a SYN flood's, thus time out in a minute, not days, and
 * are evicted before established ones of the same age.
 */
static u8 flow_tclass(const struct mos_flow *f)
{
	static const u8 rank[MOS_TCP_NSTATES] = {
		[MOS_TCP_CLOSED] = 0, [MOS_TCP_LISTEN] = 0,
		[MOS_TCP_SYN_SENT] = 1, [MOS_TCP_SYN_RCVD] = 2,
		[MOS_TCP_ESTABLISHED] = 3, [MOS_TCP_CLOSE_WAIT] = 4,
		[MOS_TCP_FIN_WAIT_1] = 5, [MOS_TCP_FIN_WAIT_2] = 5,
		[MOS_TCP_CLOSING] = 5, [MOS_TCP_LAST_ACK] = 6,
		[MOS_TCP_TIME_WAIT] = 7,
	};
	static const u8 tclass[8] = {
		MOS_TC_CLOSE, MOS_TC_SYN_SENT, MOS_TC_SYN_RECV,
		MOS_TC_ESTABLISHED, MOS_TC_CLOSE_WAIT, MOS_TC_FIN_WAIT,
		MOS_TC_LAST_ACK, MOS_TC_TIME_WAIT,
	};
	u8 r0 = rank[f->tcp.end[0].state], r1 = rank[f->tcp.end[1].state];
	u8 hi = r0 > r1 ? r0 : r1, lo = r0 > r1 ? r1 : r0;

	if (f->flags & MOS_FLOW_ENDED)
		return MOS_TC_ENDED;
	if ((f->flags & MOS_FLOW_LIBERAL) && r0 == 3 && r1 == 3)
		return MOS_TC_UNACK;
	if (hi <= 3 && (lo == 1 || lo == 2))
		return hi == 3 ? MOS_TC_SYN_RECV : MOS_TC_SYN_SENT;
	return tclass[hi];
}

/*
 * Class lists are ordered by queueing time, not by last packet: a packet
 * only stamps its connection, and moves it to the tail only when it was
 * queued more than 1/16 of its timeout ago (or its class changed). That
 * spares the list neighbours' cache lines on almost every packet; expiry
 * and eviction order are exact to 1/16 of a timeout (mos_engine_advance()).
 */
#define QUEUE_SHIFT	20	/* f->queued units: about a millisecond */

/* Nanoseconds since @f was queued; the 32-bit stamp wraps after 52 days. */
static u64 queued_age(const struct mos_flow *f, u64 now)
{
	return (u64)(u32)((u32)(now >> QUEUE_SHIFT) - f->queued) << QUEUE_SHIFT;
}

static void flow_requeue(struct mos_engine *e, struct mos_flow *f, u64 now)
{
	f->flags &= ~MOS_FLOW_TOUCHED;
	lru_del(e, f);
	f->tclass = flow_tclass(f);
	f->queued = (u32)(now >> QUEUE_SHIFT);
	lru_add_tail(e, f);
}

static void flow_touch(struct mos_engine *e, struct mos_flow *f, u64 now)
{
	f->last_ns = now;
	if (queued_age(f, now) > e->cfg.timeout_ns[f->tclass] >> 4)
		flow_requeue(e, f, now);
	else
		f->flags |= MOS_FLOW_TOUCHED;
}

/* ---- events -------------------------------------------------------- */

static void emit(struct mos_engine *e, struct mos_flow *f,
		 struct mos_event *ev, const struct mos_pkt *pkt)
{
	if (f && !(f->evmask & (1u << ev->type)))
		return;
	e->sink->event(e->sink_ctx, f, ev, pkt);
}

static void emit_simple(struct mos_engine *e, struct mos_flow *f, u8 type,
			u8 hook, u8 side, u8 code, const struct mos_pkt *pkt)
{
	struct mos_event ev = {
		.type = type, .hook = hook, .side = side, .code = code,
	};

	emit(e, f, &ev, pkt);
}

static void emit_error(struct mos_engine *e, struct mos_flow *f, u8 side,
		       u8 code, u64 off, u64 len, const struct mos_pkt *pkt)
{
	struct mos_event ev = {
		.type = MOS_EV_ERROR, .hook = MOS_HOOK_RCV, .side = side,
		.code = code, .off = off, .len = len,
	};

	emit(e, f, &ev, pkt);
}

/* Stopped (maybe by a callback during this very delivery): say no more. */
static bool stream_stopped(const struct stream_ctx *sc)
{
	return sc->f->stream[sc->sender].flags & MOS_STREAM_STOPPED;
}

static void on_data(void *ctx, u64 off, const struct mos_bytes *src, u32 len,
		    struct mos_reasm_seg **seg)
{
	struct stream_ctx *sc = ctx;
	struct mos_event ev = {
		.type = MOS_EV_NEW_DATA, .hook = MOS_HOOK_RCV,
		.side = !sc->sender, .off = off, .len = len,
		.data = src->p ? src->p + src->off :
			mos_pkt_flat(src->pkt, src->off),
		.pkt = src->pkt, .pkt_off = src->off, .seg = seg,
	};

	if (stream_stopped(sc))
		return;
	emit(sc->e, sc->f, &ev, sc->pkt);
}

static void on_gap(void *ctx, u64 off, u64 len, enum mos_gap_reason why)
{
	struct stream_ctx *sc = ctx;
	struct mos_event ev = {
		.type = MOS_EV_ERROR, .hook = MOS_HOOK_RCV,
		.side = !sc->sender, .code = MOS_ERR_GAP, .off = off,
		.len = len, .old_state = why,
	};

	if (stream_stopped(sc))
		return;
	sc->e->stats.gap_bytes += len;
	emit(sc->e, sc->f, &ev, sc->pkt);
}

static void on_rexmit(void *ctx, u64 off, u32 len, enum mos_rexmit_kind kind)
{
	struct stream_ctx *sc = ctx;
	struct mos_event ev = {
		.type = MOS_EV_REXMIT, .hook = MOS_HOOK_RCV,
		.side = !sc->sender, .code = kind, .off = off, .len = len,
	};

	if (stream_stopped(sc))
		return;
	emit(sc->e, sc->f, &ev, sc->pkt);
}

static void on_capped(void *ctx, u64 off, u32 len)
{
	struct stream_ctx *sc = ctx;

	if (stream_stopped(sc))
		return;
	sc->e->stats.capped_bytes += len;
	emit_error(sc->e, sc->f, !sc->sender, MOS_ERR_CAP, off, len, sc->pkt);
}

static const struct mos_reasm_ops stream_ops = {
	.data = on_data,
	.gap = on_gap,
	.rexmit = on_rexmit,
	.capped = on_capped,
};

/* ---- connections --------------------------------------------------- */

static struct mos_flow *flow_lookup(struct mos_engine *e,
				    const struct mos_pkt *p, u32 hash,
				    int *dir)
{
	struct mos_flow *f;

	for (f = e->buckets[hash & e->mask]; f; f = f->hnext) {
		if (f->hash != hash)
			continue;
		if (f->port[0] == p->sport && f->port[1] == p->dport &&
		    !memcmp(f->addr[0], p->saddr, 16) &&
		    !memcmp(f->addr[1], p->daddr, 16)) {
			*dir = MOS_SIDE_CLI;
			return f;
		}
		if (f->port[1] == p->sport && f->port[0] == p->dport &&
		    !memcmp(f->addr[1], p->saddr, 16) &&
		    !memcmp(f->addr[0], p->daddr, 16)) {
			*dir = MOS_SIDE_SVR;
			return f;
		}
	}
	return NULL;
}

static void flow_unhash(struct mos_engine *e, struct mos_flow *f)
{
	struct mos_flow **pp = &e->buckets[f->hash & e->mask];

	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;
}

static void flow_free(struct mos_engine *e, struct mos_flow *f)
{
	int i;

	if (e->sink->flow_free)
		e->sink->flow_free(e->sink_ctx, f);
	lru_del(e, f);
	flow_unhash(e, f);
	for (i = 0; i < 2; i++)
		mos_reasm_destroy(&f->stream[i].reasm, &e->rmem);
	e->stats.flows_active--;
	e->stats.mem_bytes -= sizeof(*f);
	mos_flow_free(f);
}

/* Deliver what is stored, then CONN_END exactly once. */
static void flow_end(struct mos_engine *e, struct mos_flow *f, u8 reason,
		     const struct mos_pkt *pkt)
{
	struct stream_ctx sc = { .e = e, .f = f, .pkt = pkt };
	int i;

	if (f->flags & MOS_FLOW_ENDED)
		return;
	/* A connection both ends closed ended by FIN, whatever came after. */
	if ((reason == MOS_END_TIMEOUT || reason == MOS_END_EOF) &&
	    (f->tcp.end[0].flags & f->tcp.end[1].flags & MOS_TCPE_FIN))
		reason = MOS_END_FIN;
	for (i = 0; i < 2; i++) {
		sc.sender = i;
		mos_reasm_flush(&f->stream[i].reasm, &e->rmem, &stream_ops,
				&sc);
	}
	f->flags |= MOS_FLOW_ENDED;
	f->end_reason = reason;
	emit_simple(e, f, MOS_EV_CONN_END, MOS_HOOK_RCV, MOS_SIDE_CLI, reason,
		    pkt);
	flow_requeue(e, f, f->last_ns);
}

static void flow_end_free(struct mos_engine *e, struct mos_flow *f, u8 reason,
			  const struct mos_pkt *pkt)
{
	flow_end(e, f, reason, pkt);
	flow_free(e, f);
}

/*
 * The oldest idle connection: a list head that saw packets after it was
 * queued is not idle since then, so it goes to the tail first (amortized
 * by those packets), until each head is as old as it looks.
 */
static struct mos_flow *oldest_idle(struct mos_engine *e)
{
	struct mos_flow *victim = NULL;
	int i;

	for (i = 0; i < MOS_TC_NUM; i++) {
		struct mos_flow *h;

		/* Stamped with its last packet, it is not moved again here. */
		while ((h = e->lru[i].head) && h->next &&
		       (h->flags & MOS_FLOW_TOUCHED))
			flow_requeue(e, h, h->last_ns);
		h = e->lru[i].head;

		if (h && (!victim || h->last_ns < victim->last_ns ||
			  (h->last_ns == victim->last_ns &&
			   (h->flags & MOS_FLOW_ENDED))))
			victim = h;
	}
	return victim;
}

/*
 * Keep about one bucket per connection: double the table when it holds
 * more connections than buckets. A failed allocation keeps the old table
 * (longer chains, nothing lost).
 */
static void table_grow(struct mos_engine *e)
{
	u32 n = (e->mask + 1) * 2, i;
	struct mos_flow **nb, *f, *next;

	if (n > (1u << 24))
		return;
	nb = mos_zalloc(n * sizeof(*nb));
	if (!nb)
		return;
	for (i = 0; i <= e->mask; i++) {
		for (f = e->buckets[i]; f; f = next) {
			next = f->hnext;
			f->hnext = nb[f->hash & (n - 1)];
			nb[f->hash & (n - 1)] = f;
		}
	}
	mos_free(e->buckets);
	e->stats.mem_bytes -= (e->mask + 1) * sizeof(*nb);
	mem_add(e, n * sizeof(*nb));
	e->buckets = nb;
	e->mask = n - 1;
	e->generation++;
}

static struct mos_flow *flow_new(struct mos_engine *e,
				 const struct mos_pkt *p, u32 hash,
				 int client_is_sender, u64 now)
{
	struct mos_flow *f;
	int c = client_is_sender ? 0 : 1, i;

	if (e->stats.flows_active >= e->cfg.max_flows) {
		struct mos_flow *victim = oldest_idle(e);

		if (!victim)
			return NULL;
		if (!(victim->flags & MOS_FLOW_ENDED))
			e->stats.flows_evicted++;
		flow_end_free(e, victim, MOS_END_EVICTED, NULL);
	}
	f = mos_flow_zalloc(sizeof(*f));
	if (!f) {
		e->stats.no_memory++;
		emit_error(e, NULL, MOS_SIDE_CLI, MOS_ERR_NO_MEMORY, 0, 0, p);
		return NULL;
	}
	mem_add(e, sizeof(*f));
	memcpy(f->addr[c], p->saddr, 16);
	memcpy(f->addr[!c], p->daddr, 16);
	f->port[c] = p->sport;
	f->port[!c] = p->dport;
	f->hash = hash;
	f->id = ++e->next_id * e->cfg.id_stride + e->cfg.id_offset;
	f->ip_version = p->ip_version;
	f->evmask = e->default_evmask;
	f->last_ns = now;
	for (i = 0; i < 2; i++)
		mos_reasm_init(&f->stream[i].reasm, 0, e->cfg.overlap_policy);
	f->hnext = e->buckets[hash & e->mask];
	e->buckets[hash & e->mask] = f;
	f->tclass = MOS_TC_SYN_SENT;
	f->queued = (u32)(now >> QUEUE_SHIFT);
	lru_add_tail(e, f);
	e->stats.flows_created++;
	if (++e->stats.flows_active > e->stats.flows_peak)
		e->stats.flows_peak = e->stats.flows_active;
	if (e->stats.flows_active > e->mask + 1)
		table_grow(e);
	return f;
}

/* ---- streams ------------------------------------------------------- */

/* 64-bit stream offset of @seq, relative to what was already released. */
static s64 seq_to_off(const struct mos_stream *st, u32 seq)
{
	u32 rel = st->seq_base + (u32)st->reasm.released;

	return (s64)st->reasm.released + (s32)(seq - rel);
}

static bool stream_used(const struct mos_stream *st)
{
	return st->reasm.released || st->reasm.stored;
}

static void stream_set_base(struct mos_stream *st, u32 seq)
{
	st->seq_base = seq;
	st->flags |= MOS_STREAM_BASE;
}

/*
 * A segment delivered straight from the packet (mos_reasm_pass()) when the
 * stream releases bytes on arrival: set by stream_add(), delivered where
 * the stream's release would have delivered it.
 */
struct stream_pass {
	u64 off;
	u32 len;
};

/*
 * Store a segment's payload in the sender's stream, or, when @pass is not
 * NULL (bytes are released on arrival) and nothing is stored, note in it
 * the bytes to deliver straight from the packet.
 */
static void stream_add(struct mos_engine *e, struct mos_flow *f, int dir,
		       const struct mos_pkt *p, struct mos_bytes *payload,
		       u32 avail, struct stream_pass *pass)
{
	struct mos_stream *st = &f->stream[dir];
	struct stream_ctx sc = { .e = e, .f = f, .pkt = p, .sender = dir };
	u32 seq = p->seq + !!(p->tcp_flags & MOS_TCP_SYN), len = avail, cap;
	s64 off;

	if (st->flags & MOS_STREAM_STOPPED)
		return;
	if (!(st->flags & MOS_STREAM_BASE))
		stream_set_base(st, seq);
	off = seq_to_off(st, seq);
	if (off < 0) {
		/* Bytes before the stream's start: only the rest counts. */
		if ((u64)-off >= len)
			return;
		payload->off += -off;
		len -= (u32)-off;
		off = 0;
	}
	if (pass && mos_reasm_can_pass(&st->reasm, off, len)) {
		mos_reasm_pass_rexmit(&st->reasm, off, len, &stream_ops, &sc);
		pass->off = off;
		pass->len = len;
		return;
	}
	/*
	 * Unacknowledged in-order bytes beyond the cap go out early rather
	 * than be dropped: the cap bounds memory, not what is delivered.
	 */
	cap = mos_stream_cap(st, e->cfg.flow_buffer);
	if (st->reasm.stored + len > cap) {
		mos_reasm_release(&st->reasm, &e->rmem, (u64)-1, &stream_ops,
				  &sc);
		/*
		 * The very bytes the stream waits for never fall to the cap:
		 * they go through at once, with what they make contiguous.
		 */
		if ((u64)off <= st->reasm.released) {
			e->rmem.cap += len;
			mos_reasm_add_capped(&st->reasm, &e->rmem, cap + len,
					     off, payload, len, &stream_ops,
					     &sc);
			mos_reasm_release(&st->reasm, &e->rmem, (u64)-1,
					  &stream_ops, &sc);
			e->rmem.cap -= len;
			return;
		}
	}
	mos_reasm_add_capped(&st->reasm, &e->rmem, cap, off, payload, len,
			     &stream_ops, &sc);
}

/* Release the bytes of @dir's stream that the ACK @ack acknowledges. */
static void stream_ack(struct mos_engine *e, struct mos_flow *f, int dir,
		       u32 ack, const struct mos_pkt *p)
{
	struct mos_stream *st = &f->stream[dir];
	const struct mos_tcp_end *snd = &f->tcp.end[dir];
	struct stream_ctx sc = { .e = e, .f = f, .pkt = p, .sender = dir };
	s64 upto;

	if (st->flags & MOS_STREAM_STOPPED)
		return;
	if (!(st->flags & MOS_STREAM_BASE)) {
		/* Nothing seen from that side yet: the ACK says where it is. */
		stream_set_base(st, ack);
		return;
	}
	/* The FIN takes a sequence number but is no stream byte. */
	if ((snd->flags & MOS_TCPE_FIN) && (s32)(ack - snd->fin_seq) > 0)
		ack = snd->fin_seq;
	upto = seq_to_off(st, ack);
	if (upto > (s64)st->reasm.released)
		mos_reasm_skip_to(&st->reasm, &e->rmem, upto, &stream_ops,
				  &sc);
}

/* Free what streams stopped during the packet still hold. */
static void stream_reap(struct mos_engine *e, struct mos_flow *f)
{
	int i;

	for (i = 0; i < 2; i++)
		if ((f->stream[i].flags & MOS_STREAM_STOPPED) &&
		    (f->stream[i].reasm.segs || f->stream[i].reasm.stored))
			mos_reasm_destroy(&f->stream[i].reasm, &e->rmem);
}

/* ---- checksums ----------------------------------------------------- */

/* Bytes of the packet the engine can read: at in->ip, or all of in->pkt. */
static u32 in_bytes(const struct mos_input *in)
{
	return in->pkt ? in->len : in->caplen;
}

static u64 pseudo_sum(const struct mos_pkt *p)
{
	u8 tail[4] = { 0, 6 };
	u32 len = p->tcp_hdr_len + p->payload_len;
	u64 sum;

	/* Zero, protocol, then the segment length, all big endian. */
	tail[2] = len >> 8;
	tail[3] = len & 0xff;
	sum = mos_csum_add(0, tail, 4);
	if (p->ip_version == 4) {
		sum = mos_csum_add(sum, p->saddr + 12, 4);
		sum = mos_csum_add(sum, p->daddr + 12, 4);
	} else {
		sum = mos_csum_add(sum, p->saddr, 16);
		sum = mos_csum_add(sum, p->daddr, 16);
	}
	return sum;
}

/*
 * Checksum state of a captured segment (the whole segment must be there):
 * 1 good, 0 bad, -1 never filled in. A sender that offloads checksums
 * leaves the pseudo-header sum (CHECKSUM_PARTIAL) or zero in the field,
 * and captures taken on that host show exactly that.
 */
static int tcp_csum_state(const struct mos_input *in, const struct mos_pkt *p)
{
	u32 seg = p->tcp_hdr_len + p->payload_len;
	u64 psum = pseudo_sum(p), sum;
	u16 field;

	if (in->pkt)	/* small sums: no carry out of 64 bits */
		sum = psum + mos_pkt_csum(in->pkt, p->l4_off, seg);
	else
		sum = mos_csum_add(psum, in->ip + p->l4_off, seg);
	if (mos_csum_fold(sum) == 0xffff)
		return 1;
	/* Both sides in host order: the comparison holds either way. */
	memcpy(&field, in->ip + p->l4_off + 16, 2);
	if (!field || field == mos_csum_fold(psum))
		return -1;
	return 0;
}

/*
 * Auto mode, as Suricata's: a capture of offloaded traffic stops
 * validation (at its first unfilled checksum, or when many are bad early).
 */
static bool csum_check(struct mos_engine *e, const struct mos_input *in,
		       const struct mos_pkt *p)
{
	int state;

	if (!e->csum_on || in->csum == MOS_CSUM_OFF)
		return true;
	if (in_bytes(in) < p->l4_off + p->tcp_hdr_len + p->payload_len)
		return true;	/* cut by the snap length: cannot tell */
	state = tcp_csum_state(in, p);
	/*
	 * A bad IPv4 header checksum: the receiver's IP layer drops the
	 * packet. Zero means never filled in, as with an unfilled TCP one.
	 */
	if (p->ip_version == 4 && state != 0 &&
	    mos_csum_fold(mos_csum_add(0, in->ip, p->l4_off)) != 0xffff)
		state = (in->ip[10] | in->ip[11]) ? 0 : -1;
	if (e->cfg.checksum != MOS_CSUM_AUTO)
		return state == 1;
	if (state < 0) {
		e->csum_on = false;
		return true;
	}
	if (e->csum_seen < CSUM_AUTO_SAMPLE) {
		e->csum_seen++;
		e->csum_bad += !state;
		if (e->csum_bad * 10 > e->csum_seen && e->csum_bad >= 5) {
			e->csum_on = false;
			return true;
		}
	}
	return state == 1;
}

/* ---- the packet path ----------------------------------------------- */

static void emit_state_changes(struct mos_engine *e, struct mos_flow *f,
			       int dir, const u8 *old,
			       const struct mos_pkt *p)
{
	int i;

	for (i = 0; i < 2; i++) {
		int side = i ? !dir : dir;	/* sender first, SND hook */
		struct mos_event ev = {
			.type = MOS_EV_STATE_CHANGE,
			.hook = i ? MOS_HOOK_RCV : MOS_HOOK_SND, .side = side,
			.code = f->tcp.end[side].state, .old_state = old[side],
		};

		if (f->tcp.end[side].state != old[side])
			emit(e, f, &ev, p);
	}
}

/* A packet of no tracked connection: start one, or report an orphan. */
static struct mos_flow *flow_start(struct mos_engine *e,
				   const struct mos_pkt *p, u32 hash, int *dir,
				   u64 now)
{
	u8 fl = p->tcp_flags & (MOS_TCP_SYN | MOS_TCP_ACK | MOS_TCP_RST);
	struct mos_flow *f;
	bool client;

	if (fl & MOS_TCP_RST)
		goto orphan;
	if (fl == MOS_TCP_SYN) {
		client = true;
	} else if (fl == (MOS_TCP_SYN | MOS_TCP_ACK)) {
		client = false;	/* the handshake's reply: its sender serves */
	} else if (e->cfg.midstream) {
		/* Guess: the server is on the lower (well-known) port. */
		client = p->sport > p->dport ||
			 (p->sport == p->dport &&
			  memcmp(p->saddr, p->daddr, 16) > 0);
	} else {
		goto orphan;
	}
	f = flow_new(e, p, hash, client, now);
	if (!f)
		return NULL;
	*dir = client ? MOS_SIDE_CLI : MOS_SIDE_SVR;
	if (fl == (MOS_TCP_SYN | MOS_TCP_ACK)) {
		/* The client's SYN was missed: infer it from the ACK. */
		struct mos_tcp_end *cli = &f->tcp.end[MOS_SIDE_CLI];

		mos_tcp_init(&f->tcp, false);
		/* Not SEEN: nothing of the client itself was seen yet. */
		cli->flags = MOS_TCPE_SYN;
		cli->isn = p->ack - 1;
		cli->td_end = p->ack;
		cli->td_maxend = p->ack;
		cli->td_maxwin = 1;
		cli->state = MOS_TCP_SYN_SENT;
		stream_set_base(&f->stream[MOS_SIDE_CLI], p->ack);
	} else if (fl == MOS_TCP_SYN) {
		mos_tcp_init(&f->tcp, false);
	} else {
		mos_tcp_init(&f->tcp, true);
		f->flags |= MOS_FLOW_GUESSED | MOS_FLOW_LIBERAL;
	}
	emit_simple(e, f, MOS_EV_CONN_START, MOS_HOOK_SND, *dir, 0, p);
	return f;

orphan:
	e->stats.orphans++;
	emit_simple(e, NULL, MOS_EV_ORPHAN, MOS_HOOK_RCV, 0, 0, p);
	return NULL;
}

/* A SYN/ACK from the side we took for the client: swap the roles. */
static void flow_swap_roles(struct mos_flow *f)
{
	u8 addr[16];
	u16 port = f->port[0];
	struct mos_tcp_end end = f->tcp.end[0];
	struct mos_stream st = f->stream[0];

	memcpy(addr, f->addr[0], 16);
	memcpy(f->addr[0], f->addr[1], 16);
	memcpy(f->addr[1], addr, 16);
	f->port[0] = f->port[1];
	f->port[1] = port;
	f->tcp.end[0] = f->tcp.end[1];
	f->tcp.end[1] = end;
	f->stream[0] = f->stream[1];
	f->stream[1] = st;
	f->flags &= ~MOS_FLOW_GUESSED;
}

/* Returns false when the connection was freed (RST). */
static bool track_segment(struct mos_engine *e, struct mos_flow *f, int dir,
			  const struct mos_input *in, const struct mos_pkt *p)
{
	struct mos_tcp_end *rcv = &f->tcp.end[!dir];
	u32 hdrs = p->l4_off + p->tcp_hdr_len, avail = 0, verdict;
	struct mos_bytes payload = {
		.p = in->pkt ? NULL : in->ip, .pkt = in->pkt, .off = hdrs,
	};
	struct stream_pass pass = { 0 };
	bool on_arrival;
	struct mos_tcp_opts o;
	u8 old[2];

	if (p->tcp_hdr_len > 20 &&
	    mos_tcp_parse_opts(in->ip + p->l4_off + 20, p->tcp_hdr_len - 20,
			       &o) < 0) {
		e->stats.bad_headers++;
		emit_error(e, f, !dir, MOS_ERR_BAD_HEADER, 0, 0, p);
	} else if (p->tcp_hdr_len <= 20) {
		memset(&o, 0, sizeof(o));
	}
	if (in_bytes(in) > hdrs)
		avail = in_bytes(in) - hdrs;
	if (avail > p->payload_len)
		avail = p->payload_len;

	/* One-sided: the peer never speaks, so nothing can confirm windows. */
	if (e->cfg.one_sided && !(rcv->flags & MOS_TCPE_SEEN))
		f->tcp.flags |= MOS_TCPC_LIBERAL;

	old[0] = f->tcp.end[0].state;
	old[1] = f->tcp.end[1].state;
	emit_simple(e, f, MOS_EV_PKT_IN, MOS_HOOK_SND, dir, 0, p);
	verdict = mos_tcp_track(&f->tcp, dir, p, &o);
	emit_state_changes(e, f, dir, old, p);
	emit_simple(e, f, MOS_EV_PKT_IN, MOS_HOOK_RCV, !dir, 0, p);

	if (verdict & MOS_TCPV_RST) {
		flow_end_free(e, f, MOS_END_RST, p);
		return false;
	}
	if (!(verdict & MOS_TCPV_DATA_OK)) {
		u8 code = MOS_ERR_OUT_OF_WINDOW;

		if (verdict & MOS_TCPV_RST_IGNORED) {
			code = MOS_ERR_RST_IGNORED;
			e->stats.rst_ignored++;
		} else if (verdict & MOS_TCPV_BAD_TS) {
			code = MOS_ERR_BAD_TS;
			e->stats.bad_ts++;
		} else if (verdict & MOS_TCPV_BAD_FLAGS) {
			code = MOS_ERR_BAD_FLAGS;
			e->stats.bad_flags++;
		} else {
			e->stats.out_of_window++;
		}
		emit_error(e, f, !dir, code, 0, p->payload_len, p);
		return true;
	}

	if (p->tcp_flags & MOS_TCP_SYN) {
		/* Offset 0 is the byte after the SYN: data on it counts. */
		stream_set_base(&f->stream[dir], p->seq + 1);
	}
	on_arrival = e->cfg.deliver == MOS_DELIVER_ARRIVAL ||
		     ((f->tcp.flags & MOS_TCPC_LIBERAL) &&
		      !(rcv->flags & MOS_TCPE_SEEN));
	/* Bytes cut off by a capture's snap length later show as a gap. */
	if (avail)
		stream_add(e, f, dir, p, &payload, avail,
			   on_arrival ? &pass : NULL);
	if ((p->tcp_flags & MOS_TCP_ACK) && (verdict & MOS_TCPV_ACK_OK))
		stream_ack(e, f, !dir, p->ack, p);
	if (on_arrival) {
		struct stream_ctx sc = { .e = e, .f = f, .pkt = p,
					 .sender = dir };
		struct mos_reasm *r = &f->stream[dir].reasm;

		if (pass.len)
			e->stats.direct_bytes +=
				mos_reasm_pass(r, pass.off, &payload, pass.len,
					       &stream_ops, &sc);
		mos_reasm_release(r, &e->rmem, (u64)-1, &stream_ops, &sc);
	}
	if (verdict & MOS_TCPV_CLOSED) {
		flow_end(e, f, MOS_END_FIN, p);
		return true;
	}
	/* The states decide which timeout applies from now on. */
	if (flow_tclass(f) != f->tclass)
		flow_requeue(e, f, f->last_ns);
	return true;
}

/**
 * mos_engine_input() - process one packet
 * @e: the engine
 * @in: the packet
 *
 * A connection the host marked %MOS_FLOW_DROP is not tracked any more:
 * its packets only keep it alive, so the host can keep dropping them.
 * One also marked %MOS_FLOW_RESET ends (reason rst) at its next packet,
 * for which the host sends the resets.
 *
 * Return: the flags (MOS_FLOW_*) of the packet's connection after the
 * packet, or 0 when it has none.
 */
u8 mos_engine_input(struct mos_engine *e, const struct mos_input *in)
{
	u8 flags;

	enum mos_parse_result res;
	struct mos_flow *f;
	struct mos_pkt p;
	int dir = 0;
	u32 hash;

	e->stats.packets++;
	mos_engine_advance(e, in->ts_ns);
	res = mos_parse_ip(in->ip, in->caplen, in->len, &p);
	if (res == MOS_PARSE_BAD_HEADER) {
		e->stats.bad_headers++;
		emit_error(e, NULL, 0, MOS_ERR_BAD_HEADER, 0, 0, NULL);
		return 0;
	}
	if (res != MOS_PARSE_TCP) {
		e->stats.not_tcp++;
		return 0;
	}
	e->stats.tcp_packets++;
	e->stats.payload_bytes += p.payload_len;
	if (!csum_check(e, in, &p)) {
		e->stats.bad_csum++;
		hash = flow_hash(p.saddr, p.sport, p.daddr, p.dport,
				 e->cfg.hash_seed);
		f = flow_lookup(e, &p, hash, &dir);
		if (f && (f->flags & MOS_FLOW_ENDED))
			f = NULL;	/* nothing follows CONN_END */
		emit_error(e, f, f ? !dir : 0, MOS_ERR_BAD_CSUM, 0,
			   p.payload_len, &p);
		return f ? f->flags : 0;
	}

	hash = flow_hash(p.saddr, p.sport, p.daddr, p.dport, e->cfg.hash_seed);
	f = flow_lookup(e, &p, hash, &dir);
	if (f && (f->flags & MOS_FLOW_DROP)) {
		flow_touch(e, f, in->ts_ns);
		e->stats.dropped++;
		flags = f->flags;
		/* The resets go out for this packet: the connection ends. */
		if (flags & MOS_FLOW_RESET)
			flow_end(e, f, MOS_END_RST, &p);
		return flags;
	}
	if (f && (f->flags & MOS_FLOW_ENDED)) {
		/* A new SYN on a closed connection: the 4-tuple is reused. */
		if ((p.tcp_flags & (MOS_TCP_SYN | MOS_TCP_ACK)) != MOS_TCP_SYN) {
			flow_touch(e, f, in->ts_ns);
			return f->flags;
		}
		flow_free(e, f);
		f = NULL;
	} else if (f && (p.tcp_flags & (MOS_TCP_SYN | MOS_TCP_ACK)) ==
		   MOS_TCP_SYN && dir == MOS_SIDE_CLI &&
		   f->tcp.end[0].state >= MOS_TCP_FIN_WAIT_1 &&
		   p.seq != f->tcp.end[0].isn) {
		flow_end_free(e, f, MOS_END_FIN, &p);
		f = NULL;
	}
	if (!f) {
		f = flow_start(e, &p, hash, &dir, in->ts_ns);
		if (!f)
			return 0;
	} else {
		flow_touch(e, f, in->ts_ns);
	}
	/*
	 * A SYN/ACK from the guessed client shows the roles were wrong. Sides
	 * may only change meaning before any stream byte was stored or
	 * delivered; later, the guess stands.
	 */
	if ((f->flags & MOS_FLOW_GUESSED) && dir == MOS_SIDE_CLI &&
	    (p.tcp_flags & (MOS_TCP_SYN | MOS_TCP_ACK)) ==
	    (MOS_TCP_SYN | MOS_TCP_ACK) && !stream_used(&f->stream[0]) &&
	    !stream_used(&f->stream[1])) {
		flow_swap_roles(f);
		dir = MOS_SIDE_SVR;
	}
	flags = f->flags;
	if (track_segment(e, f, dir, in, &p))
		stream_reap(e, f);
	return flags;
}

/**
 * mos_engine_nbuckets() - size of the connection table
 * @e: the engine
 *
 * With mos_engine_bucket() this lets a host walk every connection, in
 * pieces if it must drop its lock in between; mos_engine_generation()
 * tells it whether the table was rehashed meanwhile.
 *
 * Return: the number of hash buckets.
 */
u32 mos_engine_nbuckets(const struct mos_engine *e)
{
	return e->mask + 1;
}

/**
 * mos_engine_bucket() - the first connection of a hash bucket
 * @e: the engine
 * @i: the bucket, below mos_engine_nbuckets()
 *
 * Return: the connection (follow ->hnext for the rest), or NULL.
 */
struct mos_flow *mos_engine_bucket(const struct mos_engine *e, u32 i)
{
	return i <= e->mask ? e->buckets[i] : NULL;
}

/**
 * mos_engine_generation() - changes whenever the table is rehashed
 * @e: the engine
 *
 * Return: the table's generation.
 */
u32 mos_engine_generation(const struct mos_engine *e)
{
	return e->generation;
}

/**
 * mos_engine_advance() - move the engine's clock, expiring idle connections
 * @e: the engine
 * @now_ns: the current time (of the newest packet); never goes back
 *
 * Only the head of each timeout class list is looked at: the lists are
 * ordered by last activity, so the work is proportional to what expires.
 */
void mos_engine_advance(struct mos_engine *e, u64 now_ns)
{
	int i;

	for (i = 0; i < MOS_TC_NUM; i++) {
		u64 timeout = e->cfg.timeout_ns[i];
		struct mos_flow *f;

		while ((f = e->lru[i].head) && queued_age(f, now_ns) >= timeout) {
			/* Active since it was queued: not the oldest after all. */
			if (f->last_ns + timeout > now_ns) {
				flow_requeue(e, f, now_ns);
				continue;
			}
			if (!(f->flags & MOS_FLOW_ENDED)) {
				e->stats.flows_timeout++;
				emit_simple(e, f, MOS_EV_TIMEOUT, MOS_HOOK_RCV,
					    MOS_SIDE_CLI, 0, NULL);
			}
			flow_end_free(e, f, MOS_END_TIMEOUT, NULL);
		}
	}
}

/**
 * mos_engine_end_all() - end every connection (end of capture, shutdown)
 * @e: the engine
 * @reason: the &enum mos_end to report, normally %MOS_END_EOF
 */
void mos_engine_end_all(struct mos_engine *e, u8 reason)
{
	int i;

	for (i = 0; i < MOS_TC_NUM; i++)
		while (e->lru[i].head)
			flow_end_free(e, e->lru[i].head, reason, NULL);
}

/**
 * mos_engine_new() - create an engine
 * @cfg: its settings (copied)
 * @sink: where it reports events (kept; must outlive the engine)
 * @sink_ctx: passed to the sink
 *
 * Return: the engine, or NULL when out of memory.
 */
struct mos_engine *mos_engine_new(const struct mos_engine_cfg *cfg,
				  const struct mos_engine_sink *sink,
				  void *sink_ctx)
{
	struct mos_engine *e;
	u32 n = 1024;	/* grows with the connections (table_grow) */

	e = mos_zalloc(sizeof(*e));
	if (!e)
		return NULL;
	e->cfg = *cfg;
	if (!e->cfg.max_flows)
		e->cfg.max_flows = 1;
	if (!e->cfg.id_stride)
		e->cfg.id_stride = 1;
	e->buckets = mos_zalloc(n * sizeof(*e->buckets));
	if (!e->buckets) {
		mos_free(e);
		return NULL;
	}
	e->mask = n - 1;
	e->sink = sink;
	e->sink_ctx = sink_ctx;
	e->rmem.cap = cfg->buffer_total;
	e->rmem.flow_cap = cfg->flow_buffer;
	if (mos_reasm_mem_init(&e->rmem)) {
		mos_free(e->buckets);
		mos_free(e);
		return NULL;
	}
	e->default_evmask = (1u << MOS_EV_NUM) - 1;
	e->csum_on = cfg->checksum != MOS_CSUM_OFF;
	mem_add(e, sizeof(*e) + n * sizeof(*e->buckets));
	return e;
}

/**
 * mos_engine_free() - free an engine and its connections, silently
 * @e: the engine; NULL is allowed
 *
 * Call mos_engine_end_all() first to report the open connections.
 */
void mos_engine_free(struct mos_engine *e)
{
	int i;

	if (!e)
		return;
	for (i = 0; i < MOS_TC_NUM; i++)
		while (e->lru[i].head)
			flow_free(e, e->lru[i].head);
	mos_reasm_mem_release(&e->rmem);
	mos_free(e->buckets);
	mos_free(e);
}

/**
 * mos_engine_stats() - the engine's counters
 * @e: the engine
 *
 * Return: the counters, updated as the engine runs (those the
 * reassembly keeps, when read).
 */
const struct mos_engine_stats *mos_engine_stats(struct mos_engine *e)
{
	e->stats.held_bytes = e->rmem.held_bytes;
	return &e->stats;
}

/**
 * mos_engine_set_default_evmask() - events to raise for new connections
 * @e: the engine
 * @mask: bit per &enum mos_ev_type; CONN_START is always raised
 */
void mos_engine_set_default_evmask(struct mos_engine *e, u32 mask)
{
	e->default_evmask = mask | 1u << MOS_EV_CONN_START;
}

/**
 * mos_flow_set_policy() - overlap policy of the bytes a side receives
 * @f: the connection
 * @side: the receiving side, MOS_SIDE_CLI or MOS_SIDE_SVR
 * @policy: an &enum mos_overlap_policy
 *
 * Takes effect for the next overlap, so setting it in CONN_START covers
 * the whole connection.
 *
 * Return: 0, or -EINVAL for an unknown side or policy.
 */
int mos_flow_set_policy(struct mos_flow *f, int side, u8 policy)
{
	if ((side != MOS_SIDE_CLI && side != MOS_SIDE_SVR) ||
	    policy >= MOS_OVERLAP_NUM)
		return -EINVAL;
	f->stream[!side].reasm.policy = policy;
	return 0;
}

/**
 * mos_flow_set_buffer() - reassembly buffer of the bytes a side receives
 * @f: the connection
 * @side: the receiving side, MOS_SIDE_CLI or MOS_SIDE_SVR
 * @bytes: most bytes the stream may store (rounded up to KiB, at most
 *	65535 KiB); 0 makes the engine's flow_buffer apply again
 *
 * Metadata-only is mos_flow_stop_stream(): a stream always needs room
 * for the bytes it waits for, which pass through even beyond the cap.
 *
 * Return: 0, or -EINVAL for an unknown side or a size too large.
 */
int mos_flow_set_buffer(struct mos_flow *f, int side, u32 bytes)
{
	u32 kib = bytes / 1024 + !!(bytes % 1024);

	if ((side != MOS_SIDE_CLI && side != MOS_SIDE_SVR) || kib > 0xffff)
		return -EINVAL;
	f->stream[!side].cap_kib = kib;
	return 0;
}

/**
 * mos_flow_buffer() - the reassembly buffer a side's stream has
 * @f: the connection
 * @side: the receiving side
 * @flow_buffer: the engine's default (struct mos_engine_cfg)
 *
 * Return: its size in bytes; 0 when the stream is not reassembled.
 */
u32 mos_flow_buffer(const struct mos_flow *f, int side, u32 flow_buffer)
{
	const struct mos_stream *st = &f->stream[!side];

	if (st->flags & MOS_STREAM_STOPPED)
		return 0;
	return mos_stream_cap(st, flow_buffer);
}

/**
 * mos_flow_stop_stream() - stop reassembling what a side receives
 * @e: the engine
 * @f: the connection
 * @side: the receiving side
 *
 * Stored bytes are dropped without being delivered; state tracking goes
 * on.
 */
void mos_flow_stop_stream(struct mos_engine *e, struct mos_flow *f, int side)
{
	/*
	 * Callbacks run while the stream delivers, so its memory is freed
	 * after the packet (stream_reap()), not here.
	 */
	f->stream[!side].flags |= MOS_STREAM_STOPPED;
}

/**
 * mos_flow_stream_bytes() - how far a side's stream has come
 * @f: the connection
 * @sender: the side that sends the stream
 *
 * Reassembled streams count what was released (delivered, or passed over
 * as a gap). Streams not reassembled (stopped, or metadata-only) count the
 * highest byte the sender sent, from the sequence numbers: exact modulo
 * 2^32 only, which is all a 32-bit sequence space can tell.
 *
 * Return: the byte count.
 */
u64 mos_flow_stream_bytes(const struct mos_flow *f, int sender)
{
	const struct mos_stream *st = &f->stream[sender];
	const struct mos_tcp_end *end = &f->tcp.end[sender];
	u32 n;

	if (!(st->flags & MOS_STREAM_STOPPED) || !(st->flags & MOS_STREAM_BASE))
		return st->reasm.released;
	n = end->td_end - st->seq_base;
	/* The FIN takes a sequence number but is no stream byte. */
	if ((end->flags & MOS_TCPE_FIN) && n)
		n--;
	return n;
}

/**
 * mos_engine_reconfigure() - change an engine's settings
 * @e: the engine
 * @cfg: the new settings; the hash seed and id numbering stay as they were
 *
 * Connections keep their state: new limits apply to what is stored from
 * now on, new timeouts when a connection is next requeued, the overlap
 * policy and midstream mode to connections created afterwards.
 */
void mos_engine_reconfigure(struct mos_engine *e,
			    const struct mos_engine_cfg *cfg)
{
	u32 seed = e->cfg.hash_seed, stride = e->cfg.id_stride;
	u32 offset = e->cfg.id_offset;

	e->cfg = *cfg;
	e->cfg.hash_seed = seed;
	e->cfg.id_stride = stride;
	e->cfg.id_offset = offset;
	if (!e->cfg.max_flows)
		e->cfg.max_flows = 1;
	e->rmem.cap = cfg->buffer_total;
	e->rmem.flow_cap = cfg->flow_buffer;
	e->csum_on = cfg->checksum != MOS_CSUM_OFF;
}

/**
 * mos_engine_untrack() - stop tracking a connection at the host's request
 * @e: the engine
 * @f: the connection
 *
 * It ends as if evicted (CONN_END, %MOS_END_EVICTED, after what is stored
 * was delivered) and lingers: its later packets only keep the lingering
 * entry alive, so they are not picked up as a new midstream connection;
 * a new SYN on the same addresses and ports starts a new connection.
 * Nothing happens to a connection that already ended.
 */
void mos_engine_untrack(struct mos_engine *e, struct mos_flow *f)
{
	flow_end(e, f, MOS_END_EVICTED, NULL);
}
