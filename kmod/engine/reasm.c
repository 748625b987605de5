// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * One direction's stream reassembly.
 *
 * Stored bytes live in a list of segments sorted by offset that never
 * overlap one another. A segment is a buffer that may have room left at its
 * end: bytes that continue a segment are copied into that room, so an
 * in-order stream fills a few large buffers instead of keeping one
 * allocation per packet. Every add walks the list from its head; the cap on
 * segments per stream is what bounds that walk when a hostile sender sends
 * tiny out-of-order segments.
 *
 * Which copy of an overlapped byte wins follows the target-based matrix of
 * Suricata (src/stream-tcp-list.c, DoHandleDataOverlap(); the same
 * policies as Snort's stream5 "policy" option). "old" is a stored segment,
 * "new" the segment being added; each stored segment it overlaps is judged
 * on its own. o: the stored copy stays; N: the new copy replaces it.
 *
 *                               FIRST LAST BSD LINUX OLD_LX WIN SOL HPUX MAC
 * new starts before old,
 *   ends before old's end         o    N    N    N     N     N   o   o    N
 *   ends at or after old's end    o    N    N    N     N     N   N   N    N
 * same start,
 *   new shorter                   o    N    o    o     o     o   o   o    o
 *   same length                   o    N    o    o     N     o   N   N    o
 *   new longer                    o    N    o    N     N     o   N   N    o
 * new starts inside old,
 *   ends at or before old's end   o    N    o    o     o     o   o   o    o
 *   ends after old's end          o    N    o    o     o     o   N   N    o
 *
 * Suricata judges against each original packet; here a stored segment may
 * hold several packets that arrived back to back, so the shape is judged
 * against that run of bytes. Bytes already released cannot be compared at
 * all: they are not stored again, whatever the policy.
 */
#include "reasm.h"

#define REASM_U64_MAX		(~(u64)0)
#define REASM_SEG_CAP_DEFAULT	1024
#define REASM_SEG_CAP_MAX	0xffff	/* mos_reasm.nsegs is a u16 */
#define REASM_BUF_MAX		(MOS_REASM_ALLOC_MAX - sizeof(struct mos_reasm_seg))
/* Only a segment at least this big is taken as a sign of streaming. */
#define REASM_SLACK_MIN		512

#if MOS_BUF_RECYCLE
/*
 * Segments freed by an engine's streams, by size class, handed out again
 * first. All streams of an engine run under one lock (the kernel's shard
 * lock), so a segment allocated where its data arrived and freed where
 * the ACK did comes back here, whichever CPUs those were.
 */
struct mos_reasm_spare {
	u32 n[MOS_BUF_CLASSES];
	void *buf[MOS_BUF_CLASSES][MOS_BUF_RECYCLE];
};
#endif

/*
 * A held segment (cap 0) keeps no bytes of its own: they stay in the
 * packet they came in, which the platform holds (mos_pkt_hold()) and
 * whose handle is all its buffer holds. Held segments are never written:
 * a copy that must replace their bytes first turns them into an ordinary
 * segment (seg_unhold()), so they are at most REASM_BUF_MAX long.
 */
#define REASM_HELD_SIZE		sizeof(void *)
static_assert(offsetof(struct mos_reasm_seg, buf) % sizeof(void *) == 0,
	      "a held segment keeps a pointer in its buffer");

static inline bool seg_is_held(const struct mos_reasm_seg *s)
{
	return !s->cap;
}

/* The packet a held segment's bytes are in (its buffer is aligned). */
static inline void **seg_held_pkt(struct mos_reasm_seg *s)
{
	return (void **)s->buf;
}

static inline size_t seg_size(const struct mos_reasm_seg *s)
{
	return sizeof(*s) + (s->cap ? s->cap : REASM_HELD_SIZE);
}

/* Give back a segment's hold on its packet, if it has one. */
static void seg_drop_hold(struct mos_reasm_seg *s)
{
	if (seg_is_held(s))
		mos_pkt_unhold(*seg_held_pkt(s));
}

static struct mos_reasm_seg *seg_alloc(struct mos_reasm_mem *mem, u32 cap)
{
	size_t size = sizeof(struct mos_reasm_seg) + cap;
#if MOS_BUF_RECYCLE
	struct mos_reasm_spare *sp = mem->spare;
	size_t c = mos_buf_class(size);

	if (sp && c < MOS_BUF_CLASSES && sp->n[c])
		return sp->buf[c][--sp->n[c]];
#endif
	return mos_buf_alloc(size);
}

static void seg_release(struct mos_reasm_mem *mem, struct mos_reasm_seg *s)
{
	size_t size = seg_size(s);
#if MOS_BUF_RECYCLE
	struct mos_reasm_spare *sp = mem->spare;
	size_t c = mos_buf_class(size);
#endif

	seg_drop_hold(s);
#if MOS_BUF_RECYCLE
	if (sp && c < MOS_BUF_CLASSES && sp->n[c] < MOS_BUF_RECYCLE) {
		sp->buf[c][sp->n[c]++] = s;
		return;
	}
#endif
	mos_buf_free(s, size);
}

/**
 * mos_reasm_mem_init() - set up recycling of the streams' segments
 * @mem: the accounting, caps already set
 *
 * Where the platform asks for it (MOS_BUF_RECYCLE), freed segments are
 * kept for reuse until mos_reasm_mem_release().
 *
 * Return: 0 or -ENOMEM.
 */
int mos_reasm_mem_init(struct mos_reasm_mem *mem)
{
	mem->spare = NULL;
#if MOS_BUF_RECYCLE
	mem->spare = mos_zalloc(sizeof(*mem->spare));
	if (!mem->spare)
		return -ENOMEM;
#endif
	return 0;
}

/**
 * mos_reasm_mem_release() - free the segments kept for reuse
 * @mem: the accounting; every stream using it is gone
 */
void mos_reasm_mem_release(struct mos_reasm_mem *mem)
{
#if MOS_BUF_RECYCLE
	struct mos_reasm_spare *sp = mem->spare;
	size_t c;

	if (!sp)
		return;
	for (c = 0; c < MOS_BUF_CLASSES; c++)
		while (sp->n[c])
			mos_buf_free(sp->buf[c][--sp->n[c]],
				     mos_buf_class_size(c));
	mos_free(sp);
	mem->spare = NULL;
#endif
}

static inline u64 seg_end(const struct mos_reasm_seg *s)
{
	return s->off + s->len;
}

static inline u64 reasm_min(u64 a, u64 b)
{
	return a < b ? a : b;
}

/* Whether the new copy replaces the stored one: the table at the top. */
static bool new_copy_wins(u8 policy, u64 noff, u64 nend, u64 ooff, u64 oend)
{
	bool sol_hpux = policy == MOS_OVERLAP_SOLARIS ||
			policy == MOS_OVERLAP_HPUX;

	switch (policy) {
	case MOS_OVERLAP_LAST:
		return true;
	case MOS_OVERLAP_BSD:
	case MOS_OVERLAP_LINUX:
	case MOS_OVERLAP_OLD_LINUX:
	case MOS_OVERLAP_WINDOWS:
	case MOS_OVERLAP_SOLARIS:
	case MOS_OVERLAP_HPUX:
	case MOS_OVERLAP_MACOS:
		break;
	default:
		return false;
	}

	if (noff < ooff)
		return nend >= oend || !sol_hpux;
	if (noff == ooff) {
		if (nend < oend)
			return false;
		if (nend == oend)
			return policy == MOS_OVERLAP_OLD_LINUX || sol_hpux;
		return policy == MOS_OVERLAP_LINUX ||
		       policy == MOS_OVERLAP_OLD_LINUX || sol_hpux;
	}
	return nend > oend && sol_hpux;
}

/* Bytes the stream may still store under its cap and the global one. */
static u64 allowance(const struct mos_reasm *r, const struct mos_reasm_mem *mem,
		     u32 flow_cap)
{
	u64 flow = r->stored < flow_cap ? flow_cap - r->stored : 0;
	u64 all = mem->used < mem->cap ? mem->cap - mem->used : 0;

	return reasm_min(flow, all);
}

static u32 seg_cap(const struct mos_reasm_mem *mem)
{
	if (!mem->flow_seg_cap)
		return REASM_SEG_CAP_DEFAULT;
	if (mem->flow_seg_cap > REASM_SEG_CAP_MAX)
		return REASM_SEG_CAP_MAX;
	return mem->flow_seg_cap;
}

static void charge(struct mos_reasm *r, struct mos_reasm_mem *mem, u32 n)
{
	r->stored += n;
	mem->used += n;
}

/* Copy @n bytes from @at in @src. */
static void bytes_copy(const struct mos_bytes *src, u32 at, u8 *dst, u32 n)
{
	if (src->p)
		memcpy(dst, src->p + src->off + at, n);
	else
		mos_pkt_copy(src->pkt, src->off + at, dst, n);
}

/* Where @n bytes from @at in @src are: there, or copied into @chunk. */
static const u8 *bytes_at(const struct mos_bytes *src, u32 at, u8 *chunk,
			  u32 n)
{
	if (src->p)
		return src->p + src->off + at;
	mos_pkt_copy(src->pkt, src->off + at, chunk, n);
	return chunk;
}

/* Whether @n bytes from @at in @a differ from those from @bt in @b. */
static bool bytes_differ(const struct mos_bytes *a, u32 at,
			 const struct mos_bytes *b, u32 bt, u32 n)
{
	u8 ca[64], cb[64];
	u32 k;

	if (a->p && b->p)
		return memcmp(a->p + a->off + at, b->p + b->off + bt, n);
	/* Retransmissions only: compare a piece at a time. */
	for (; n; at += k, bt += k, n -= k) {
		k = reasm_min(n, sizeof(ca));
		if (memcmp(bytes_at(a, at, ca, k), bytes_at(b, bt, cb, k), k))
			return true;
	}
	return false;
}

/* The bytes a segment stores, from its head byte on. */
static struct mos_bytes seg_bytes(struct mos_reasm_seg *s)
{
	struct mos_bytes b = { .p = s->buf, .off = s->head };

	if (seg_is_held(s)) {
		b.p = NULL;
		b.pkt = *seg_held_pkt(s);
		b.off = s->held_off + s->head;
	}
	return b;
}

/* Room left at the end of a segment's buffer (none in a held one). */
static u32 seg_room(const struct mos_reasm_seg *s)
{
	return seg_is_held(s) ? 0 : s->cap - s->head - s->len;
}

/*
 * Give the held segment at *@link bytes of its own, so that they can be
 * overwritten. Return: the segment now at *@link, or NULL when there was
 * no memory (the held one stays).
 */
static struct mos_reasm_seg *seg_unhold(struct mos_reasm_mem *mem,
					struct mos_reasm_seg **link)
{
	struct mos_reasm_seg *s = *link, *n;
	struct mos_bytes b = seg_bytes(s);

	n = seg_alloc(mem, s->len);
	if (!n)
		return NULL;
	n->next = s->next;
	n->off = s->off;
	n->len = s->len;
	n->head = 0;
	n->cap = s->len;
	bytes_copy(&b, 0, n->buf, s->len);
	*link = n;
	seg_release(mem, s);
	return n;
}

/*
 * The segment at *@link, with bytes of its own that a policy may
 * overwrite. Return: it, or NULL when a held one could not be given a
 * buffer (no memory: the stored copy stays).
 */
static struct mos_reasm_seg *seg_writable(struct mos_reasm_mem *mem,
					  struct mos_reasm_seg **link)
{
	return seg_is_held(*link) ? seg_unhold(mem, link) : *link;
}

/* A segment for bytes at @hoff in @held; the first one takes its hold. */
static struct mos_reasm_seg *seg_new_held(struct mos_reasm_mem *mem,
					  void *held, u32 hoff, bool *used)
{
	struct mos_reasm_seg *seg = seg_alloc(mem, REASM_HELD_SIZE);

	if (!seg)
		return NULL;
	if (*used)
		mos_pkt_hold_more(held);
	*used = true;
	*seg_held_pkt(seg) = held;
	seg->held_off = hoff;
	seg->cap = 0;
	return seg;
}

/*
 * A segment holding a copy of @k bytes from @at in @src, to be stored at
 * @pos after @prev. Room is left at the end of the buffer only when it
 * continues a full, big segment: the room then grows with the stream, and
 * the unaccounted room stays below twice the bytes stored before it.
 */
static struct mos_reasm_seg *seg_new_copy(struct mos_reasm_mem *mem,
					  const struct mos_reasm_seg *prev,
					  u64 pos, const struct mos_bytes *src,
					  u32 at, u32 k)
{
	struct mos_reasm_seg *seg;
	u32 cap = k;

	if (prev && seg_end(prev) == pos &&
	    prev->cap >= REASM_SLACK_MIN && prev->cap * 2ull > k)
		cap = reasm_min(REASM_BUF_MAX, prev->cap * 2ull);
	seg = seg_alloc(mem, cap);
	/* The room is a luxury: under memory pressure, go without. */
	if (!seg && cap > k) {
		cap = k;
		seg = seg_alloc(mem, cap);
	}
	if (!seg)
		return NULL;
	seg->cap = cap;
	bytes_copy(src, at, seg->buf, k);
	return seg;
}

/*
 * Store [@pos, @pos + @n), a range no stored segment covers, whose bytes
 * are at @at in @src, after *@prevp (NULL: at the head) at *@linkp; both
 * move past what was stored. Bytes the caps or the allocator refuse are
 * reported and dropped.
 */
static int store_new(struct mos_reasm *r, struct mos_reasm_mem *mem,
		     u32 flow_cap, struct mos_reasm_seg **prevp,
		     struct mos_reasm_seg ***linkp, u64 pos,
		     const struct mos_bytes *src, u32 at, u32 n,
		     const struct mos_reasm_ops *ops, void *ctx)
{
	struct mos_reasm_seg *prev = *prevp, *seg;
	u32 k, room, hoff = 0, hat = 0;
	bool held_used = false;
	void *held = NULL;
	int err = 0;

	if (prev && seg_end(prev) == pos) {
		room = seg_room(prev);
		k = reasm_min(reasm_min(room, n), allowance(r, mem, flow_cap));
		bytes_copy(src, at, prev->buf + prev->head + prev->len, k);
		prev->len += k;
		charge(r, mem, k);
		pos += k;
		at += k;
		n -= k;
	}

	/*
	 * Bytes still in their packet are held there rather than copied
	 * where the platform finds that worth it (big segments): one hold
	 * for the whole range, shared by its segments. Held segments are
	 * never merged: past half the segment cap, copies that fill whole
	 * buffers keep the cap from limiting the bytes a stream can store.
	 */
	if (!src->p && n && r->nsegs < seg_cap(mem) / 2) {
		held = mos_pkt_hold(src->pkt, src->off + at, n, &hoff);
		hat = at;
	}

	while (n) {
		k = reasm_min(reasm_min(n, REASM_BUF_MAX), allowance(r, mem, flow_cap));
		if (!k || r->nsegs >= seg_cap(mem)) {
			err = -ENOSPC;
			break;
		}
		if (held) {
			seg = seg_new_held(mem, held, hoff + (at - hat),
					   &held_used);
			if (seg)
				mem->held_bytes += k;
		} else {
			seg = seg_new_copy(mem, prev, pos, src, at, k);
		}
		if (!seg) {
			err = -ENOMEM;
			break;
		}
		seg->off = pos;
		seg->len = k;
		seg->head = 0;
		seg->next = **linkp;
		**linkp = seg;
		*linkp = &seg->next;
		prev = seg;
		r->nsegs++;
		mem->segs_used++;
		charge(r, mem, k);
		pos += k;
		at += k;
		n -= k;
	}
	*prevp = prev;
	if (held && !held_used)
		mos_pkt_unhold(held);

	if (n) {
		/* The gap later reported over these bytes must say why. */
		r->gap_pending = 1;
		if (ops && ops->capped)
			ops->capped(ctx, pos, n);
	}
	return err;
}

/**
 * mos_reasm_init() - start an empty stream
 * @r: the stream
 * @start: offset of the first byte expected
 * @policy: &enum mos_overlap_policy; an unknown value acts as FIRST
 */
void mos_reasm_init(struct mos_reasm *r, u64 start, u8 policy)
{
	memset(r, 0, sizeof(*r));
	r->released = start;
	r->policy = policy < MOS_OVERLAP_NUM ? policy : MOS_OVERLAP_FIRST;
}

/**
 * mos_reasm_add() - store a segment's bytes
 * @r: the stream
 * @mem: caps and accounting shared by all streams
 * @off: stream offset of @data[0]
 * @data: the segment's payload
 * @len: bytes in @data
 * @ops: where to report (rexmit, capped), may be NULL
 * @ctx: passed to @ops
 *
 * Bytes below the released offset are not stored again. Overlaps with
 * stored bytes are resolved by the stream's policy and reported with one
 * rexmit call. Bytes the caps refuse are dropped and reported with capped;
 * the gap over them will say %MOS_GAP_CAP.
 *
 * Return: 0, -%ENOSPC if a cap dropped bytes, -%ENOMEM if an allocation
 * failed (the bytes were dropped as for a cap).
 */
int mos_reasm_add(struct mos_reasm *r, struct mos_reasm_mem *mem, u64 off,
		  const u8 *data, u32 len, const struct mos_reasm_ops *ops,
		  void *ctx)
{
	struct mos_bytes src = { .p = data };

	return mos_reasm_add_capped(r, mem, mem->flow_cap, off, &src, len, ops,
				    ctx);
}

/**
 * mos_reasm_add_capped() - mos_reasm_add() with a stream's own cap
 * @r: the stream
 * @mem: the memory accounting (its global cap still applies)
 * @flow_cap: most bytes this stream may store, instead of @mem->flow_cap
 * @off: stream offset of the first byte of @src
 * @src: the segment's payload, in memory or in the packet
 * @len: bytes in @src
 * @ops: where to report, may be NULL
 * @ctx: passed to @ops
 *
 * Return: as mos_reasm_add().
 */
int mos_reasm_add_capped(struct mos_reasm *r, struct mos_reasm_mem *mem,
			 u32 flow_cap, u64 off, const struct mos_bytes *src,
			 u32 len, const struct mos_reasm_ops *ops, void *ctx)
{
	struct mos_reasm_seg **link = &r->segs, *prev = NULL, *s, *own;
	bool overlap = false, below = false, differ = false, fresh = false;
	enum mos_rexmit_kind kind;
	struct mos_bytes old;
	u64 end, pos, stop;
	int err = 0, ret;

	/* An offset near 2^64 must not wrap around: keep what fits. */
	if (off > REASM_U64_MAX - len)
		len = REASM_U64_MAX - off;
	if (!len)
		return 0;
	end = off + len;
	pos = off;
	if (pos < r->released) {
		below = true;
		overlap = true;
		pos = reasm_min(end, r->released);
	}

	while (*link && seg_end(*link) <= pos) {
		prev = *link;
		link = &prev->next;
	}
	while (pos < end) {
		s = *link;
		if (s && s->off <= pos) {
			stop = reasm_min(end, seg_end(s));
			old = seg_bytes(s);
			if (bytes_differ(src, pos - off, &old, pos - s->off,
					 stop - pos)) {
				differ = true;
				/* The report says how the copies differed. */
				own = new_copy_wins(r->policy, off, end, s->off,
						    seg_end(s)) ?
				      seg_writable(mem, link) : NULL;
				if (own) {
					s = own;
					bytes_copy(src, pos - off,
						   s->buf + s->head +
						   (pos - s->off), stop - pos);
				}
			}
			overlap = true;
			prev = s;
			link = &s->next;
		} else {
			stop = s ? reasm_min(end, s->off) : end;
			fresh = true;
			ret = store_new(r, mem, flow_cap, &prev, &link, pos,
					src, pos - off, stop - pos, ops, ctx);
			if (ret && !err)
				err = ret;
		}
		pos = stop;
	}

	if (overlap && ops && ops->rexmit) {
		if (differ)
			kind = MOS_REXMIT_INCONSISTENT;
		else if (below)
			kind = MOS_REXMIT_UNVERIFIED;
		else if (fresh)
			kind = MOS_REXMIT_PARTIAL;
		else
			kind = MOS_REXMIT_EXACT;
		ops->rexmit(ctx, off, len, kind);
	}
	return err;
}

/*
 * Deliver the first @n bytes of the head segment, which starts at released.
 * The bytes are accounted as released before they are reported, and a
 * segment delivered whole is out of the stream by then: the receiver of
 * the report may keep it instead of copying its bytes.
 */
static void deliver_head(struct mos_reasm *r, struct mos_reasm_mem *mem,
			 u32 n, const struct mos_reasm_ops *ops, void *ctx)
{
	struct mos_reasm_seg *s = r->segs, **keep = &s;
	struct mos_bytes data = seg_bytes(s);
	u64 off = s->off;

	r->stored -= n;
	mem->used -= n;
	r->released = off + n;
	if (n == s->len) {
		r->segs = s->next;
		r->nsegs--;
		mem->segs_used--;
		s->next = NULL;
		/* A held segment's bytes are the platform's: not handed over. */
		if (seg_is_held(s))
			keep = NULL;
		if (ops && ops->data)
			ops->data(ctx, off, &data, n, keep);
		if (s)
			seg_release(mem, s);
		return;
	}
	s->off += n;
	s->head += n;
	s->len -= n;
	if (ops && ops->data)
		ops->data(ctx, off, &data, n, NULL);
}

/**
 * mos_reasm_seg_free() - free a segment a data report handed over
 * @s: the segment, may be NULL
 */
void mos_reasm_seg_free(struct mos_reasm_seg *s)
{
	if (s) {
		seg_drop_hold(s);
		mos_buf_free(s, seg_size(s));
	}
}

static void report_gap(struct mos_reasm *r, u64 upto,
		       const struct mos_reasm_ops *ops, void *ctx)
{
	enum mos_gap_reason why = MOS_GAP_MISSED;

	if (r->gap_pending) {
		why = MOS_GAP_CAP;
		r->gap_pending = 0;
	}
	if (ops && ops->gap)
		ops->gap(ctx, r->released, upto - r->released, why);
	r->released = upto;
}

/**
 * mos_reasm_release() - deliver the bytes contiguous from the released offset
 * @r: the stream
 * @mem: caps and accounting shared by all streams
 * @upto: deliver nothing at or above this offset (U64_MAX: no limit)
 * @ops: where to deliver (data), may be NULL
 * @ctx: passed to @ops
 *
 * Stops at the first hole: bytes after it wait for the hole to be filled
 * or for mos_reasm_skip_to().
 */
void mos_reasm_release(struct mos_reasm *r, struct mos_reasm_mem *mem,
		       u64 upto, const struct mos_reasm_ops *ops, void *ctx)
{
	struct mos_reasm_seg *s;

	while (r->released < upto && (s = r->segs) && s->off == r->released)
		deliver_head(r, mem, reasm_min(s->len, upto - s->off), ops, ctx);
}

/**
 * mos_reasm_pass_rexmit() - what storing a passing segment would report
 * @r: the stream, for which mos_reasm_can_pass() holds
 * @off: stream offset of the segment's first byte
 * @len: its length
 * @ops: where to report (rexmit), may be NULL
 * @ctx: passed to @ops
 *
 * The part below the released offset is a retransmission of bytes no
 * longer stored, reported as mos_reasm_add() would: the caller reports it
 * where it would have stored the segment, and delivers the rest with
 * mos_reasm_pass() where it would have released it.
 */
void mos_reasm_pass_rexmit(const struct mos_reasm *r, u64 off, u32 len,
			   const struct mos_reasm_ops *ops, void *ctx)
{
	if (off < r->released && ops && ops->rexmit)
		ops->rexmit(ctx, off, len, MOS_REXMIT_UNVERIFIED);
}

/**
 * mos_reasm_pass() - deliver a segment's new bytes without storing them
 * @r: the stream
 * @off: stream offset of the first byte of @src
 * @src: the segment's payload, in memory or in the packet
 * @len: bytes in @src
 * @ops: where to deliver (data, with no segment), may be NULL
 * @ctx: passed to @ops
 *
 * The same bytes and reports as storing the segment and releasing
 * everything, less the copy into the stream's buffers. Nothing happens
 * unless mos_reasm_can_pass() holds (still: reports made in between may
 * have changed the stream).
 *
 * Return: the bytes delivered.
 */
u32 mos_reasm_pass(struct mos_reasm *r, u64 off, const struct mos_bytes *src,
		   u32 len, const struct mos_reasm_ops *ops, void *ctx)
{
	struct mos_bytes rest = *src;
	u64 from = r->released;
	u32 n;

	if (!mos_reasm_can_pass(r, off, len))
		return 0;
	n = (u32)(off + len - from);
	rest.off += (u32)(from - off);
	r->released = off + len;
	if (ops && ops->data)
		ops->data(ctx, from, &rest, n, NULL);
	return n;
}

/**
 * mos_reasm_skip_to() - the receiver acknowledged everything below @upto
 * @r: the stream
 * @mem: caps and accounting shared by all streams
 * @upto: offset acknowledged
 * @ops: where to deliver (data) and report holes (gap), may be NULL
 * @ctx: passed to @ops
 *
 * Delivers the stored bytes below @upto and reports each hole as a gap, in
 * stream order: the receiver has those bytes, so waiting is pointless.
 */
void mos_reasm_skip_to(struct mos_reasm *r, struct mos_reasm_mem *mem,
		       u64 upto, const struct mos_reasm_ops *ops, void *ctx)
{
	struct mos_reasm_seg *s;

	while (r->released < upto) {
		s = r->segs;
		if (!s || s->off >= upto) {
			report_gap(r, upto, ops, ctx);
			break;
		}
		if (s->off > r->released)
			report_gap(r, s->off, ops, ctx);
		deliver_head(r, mem, reasm_min(s->len, upto - s->off), ops, ctx);
	}
}

/**
 * mos_reasm_flush() - the connection ended: deliver everything stored
 * @r: the stream
 * @mem: caps and accounting shared by all streams
 * @ops: where to deliver (data) and report holes (gap), may be NULL
 * @ctx: passed to @ops
 *
 * Holes between stored bytes are reported as gaps; a hole after the last
 * stored byte is not, since nothing says the stream went on.
 */
void mos_reasm_flush(struct mos_reasm *r, struct mos_reasm_mem *mem,
		     const struct mos_reasm_ops *ops, void *ctx)
{
	struct mos_reasm_seg *s = r->segs;

	if (!s)
		return;
	while (s->next)
		s = s->next;
	mos_reasm_skip_to(r, mem, seg_end(s), ops, ctx);
}

/**
 * mos_reasm_destroy() - free everything stored, without delivering it
 * @r: the stream; empty afterwards, at the same released offset
 * @mem: caps and accounting shared by all streams
 */
void mos_reasm_destroy(struct mos_reasm *r, struct mos_reasm_mem *mem)
{
	struct mos_reasm_seg *s, *next;

	for (s = r->segs; s; s = next) {
		next = s->next;
		mem->segs_used--;
		seg_release(mem, s);
	}
	mem->used -= r->stored;
	r->segs = NULL;
	r->stored = 0;
	r->nsegs = 0;
}

/**
 * mos_reasm_contiguous_end() - where the bytes ready for release end
 * @r: the stream
 *
 * Return: the released offset plus the stored bytes contiguous from it.
 */
u64 mos_reasm_contiguous_end(const struct mos_reasm *r)
{
	const struct mos_reasm_seg *s;
	u64 pos = r->released;

	for (s = r->segs; s && s->off == pos; s = s->next)
		pos = seg_end(s);
	return pos;
}

/**
 * mos_reasm_segments() - the stored segments of a stream
 * @r: the stream
 * @off: receives up to @max segments' stream offsets
 * @len: receives their lengths
 * @max: room in @off and @len
 *
 * Return: the number of stored segments (more than @max when they did not
 * all fit).
 */
u32 mos_reasm_segments(const struct mos_reasm *r, u64 *off, u32 *len,
		       u32 max)
{
	const struct mos_reasm_seg *s;
	u32 n = 0;

	for (s = r->segs; s; s = s->next, n++) {
		if (n < max) {
			off[n] = s->off;
			len[n] = s->len;
		}
	}
	return n;
}
