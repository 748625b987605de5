// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the stream reassembly: in-order and out-of-order delivery,
 * retransmission kinds, every overlap policy on every overlap shape, gaps
 * and their reasons, the three caps, 64-bit offsets, and randomized
 * streams, both well-behaved and hostile, checked against a byte model.
 * A recorder checks on every call that bytes come in stream order, each
 * exactly once, and that data and gaps tile the released range.
 */
#include <stdlib.h>
#include <string.h>
#include "engine/reasm.h"
#include "tap.h"

#define U64MAX		(~(u64)0)
#define REC_BUF		(1u << 20)
#define MAX_EV		64
#define MAX_CAPPED	4096

struct ev {
	char type;		/* 'D' data, 'G' gap */
	u64 off;
	u64 len;
	int why;
};

struct rec {
	u64 base;		/* offset of buf[0] */
	u64 next;		/* where the next data or gap must start */
	int order_errors;
	u8 *buf;		/* delivered bytes; '_' over gaps */
	u64 data_bytes, gap_bytes, cap_gap_bytes;
	struct ev ev[MAX_EV];
	int nev;
	int nrexmit;
	int ninconsistent;
	enum mos_rexmit_kind kind;
	u64 rx_off;
	u32 rx_len;
	int ncapped;
	u64 cap_off[MAX_CAPPED];
	u32 cap_len[MAX_CAPPED];
	struct mos_reasm_seg *kept;	/* segments taken over, newest first */
	u64 whole;			/* data reports that offered one */
};

/* Over all recorders: segments taken over, and those whose bytes changed. */
static u64 kept_total, kept_bad;

static void rec_event(struct rec *rc, char type, u64 off, u64 len, int why)
{
	if (off != rc->next || len == 0)
		rc->order_errors++;
	rc->next = off + len;
	if (rc->nev < MAX_EV) {
		rc->ev[rc->nev].type = type;
		rc->ev[rc->nev].off = off;
		rc->ev[rc->nev].len = len;
		rc->ev[rc->nev].why = why;
	}
	rc->nev++;
}

/*
 * A segment offered with its bytes must describe exactly them; every
 * other one is taken over, as a peek window does, and checked at the end.
 */
static void take_seg(struct rec *rc, u64 off, const u8 *data, u32 len,
		     struct mos_reasm_seg **seg)
{
	struct mos_reasm_seg *s = *seg;

	if (s->off != off || s->len != len || s->buf + s->head != data ||
	    s->next)
		rc->order_errors++;
	if (rc->whole++ % 2)
		return;
	s->next = rc->kept;
	rc->kept = s;
	*seg = NULL;
}

static void on_data(void *ctx, u64 off, const struct mos_bytes *src, u32 len,
		    struct mos_reasm_seg **seg)
{
	struct rec *rc = ctx;
	const u8 *data = src->p ? src->p + src->off :
				  mos_pkt_flat(src->pkt, src->off);

	if (seg)
		take_seg(rc, off, data, len, seg);
	rec_event(rc, 'D', off, len, -1);
	rc->data_bytes += len;
	if (off >= rc->base && off - rc->base + len <= REC_BUF)
		memcpy(rc->buf + (off - rc->base), data, len);
	else
		rc->order_errors++;
}

static void on_gap(void *ctx, u64 off, u64 len, enum mos_gap_reason why)
{
	struct rec *rc = ctx;

	rec_event(rc, 'G', off, len, why);
	rc->gap_bytes += len;
	if (why == MOS_GAP_CAP)
		rc->cap_gap_bytes += len;
	if (off >= rc->base && off - rc->base + len <= REC_BUF)
		memset(rc->buf + (off - rc->base), '_', len);
}

static void on_rexmit(void *ctx, u64 off, u32 len, enum mos_rexmit_kind kind)
{
	struct rec *rc = ctx;

	rc->nrexmit++;
	if (kind == MOS_REXMIT_INCONSISTENT)
		rc->ninconsistent++;
	rc->kind = kind;
	rc->rx_off = off;
	rc->rx_len = len;
}

static void on_capped(void *ctx, u64 off, u32 len)
{
	struct rec *rc = ctx;

	if (rc->ncapped < MAX_CAPPED) {
		rc->cap_off[rc->ncapped] = off;
		rc->cap_len[rc->ncapped] = len;
	}
	rc->ncapped++;
}

static const struct mos_reasm_ops ops = {
	.data = on_data,
	.gap = on_gap,
	.rexmit = on_rexmit,
	.capped = on_capped,
};

static struct rec *rec_new(u64 base)
{
	struct rec *rc = calloc(1, sizeof(*rc));

	rc->buf = calloc(1, REC_BUF);
	rc->base = base;
	rc->next = base;
	return rc;
}

static void rec_free(struct rec *rc)
{
	struct mos_reasm_seg *s;

	while ((s = rc->kept)) {
		rc->kept = s->next;
		kept_total++;
		if (s->off < rc->base || s->off - rc->base + s->len > REC_BUF ||
		    memcmp(rc->buf + (s->off - rc->base), s->buf + s->head,
			   s->len))
			kept_bad++;
		mos_reasm_seg_free(s);
	}
	free(rc->buf);
	free(rc);
}

static struct mos_reasm_mem big_mem(void)
{
	struct mos_reasm_mem mem = {
		.cap = 1ull << 40,
		.flow_cap = 1u << 30,
		.flow_seg_cap = 60000,
	};

	return mem;
}

/*
 * Bytes given as in memory, or (second pass) as still in their packet,
 * which the platform then holds instead of copying (mos_pkt_hold()).
 */
static bool AS_PKT;

static int reasm_add(struct mos_reasm *r, struct mos_reasm_mem *mem, u64 off,
		     const u8 *data, u32 len, const struct mos_reasm_ops *o,
		     void *ctx)
{
	struct mos_bytes src = { .p = data };

	if (!AS_PKT)
		return mos_reasm_add(r, mem, off, data, len, o, ctx);
	src.p = NULL;
	src.pkt = data;
	return mos_reasm_add_capped(r, mem, mem->flow_cap, off, &src, len, o,
				    ctx);
}

static int add_str(struct mos_reasm *r, struct mos_reasm_mem *mem, u64 off,
		   const char *s, struct rec *rc)
{
	return reasm_add(r, mem, off, (const u8 *)s, strlen(s), &ops, rc);
}

/* The delivered bytes [from, to) relative to the recorder's base. */
static int got(const struct rec *rc, u64 from, const char *want)
{
	return !memcmp(rc->buf + from, want, strlen(want));
}

static void test_in_order(void)
{
	struct mos_reasm_mem mem = big_mem();
	struct rec *rc = rec_new(0);
	static u8 chunk[1000];
	struct mos_reasm r;
	int i, err = 0;

	mos_reasm_init(&r, 0, MOS_OVERLAP_FIRST);
	add_str(&r, &mem, 0, "hello ", rc);
	add_str(&r, &mem, 6, "world", rc);
	TAP_CHECK(mos_reasm_contiguous_end(&r) == 11, "in-order: contiguous end");
	TAP_CHECK(r.stored == 11 && mem.used == 11, "in-order: accounted");
	mos_reasm_release(&r, &mem, U64MAX, &ops, rc);
	TAP_CHECK(got(rc, 0, "hello world") && rc->data_bytes == 11 &&
		  !rc->order_errors, "in-order: delivered once, in order");
	TAP_CHECK(r.released == 11 && !r.stored && !mem.used && !r.segs &&
		  !mem.segs_used, "in-order: released and freed");
	TAP_CHECK(!rc->nrexmit && !rc->ncapped && !rc->gap_bytes,
		  "in-order: no rexmit, cap or gap");

	/*
	 * 100 kB in 1000-byte packets, unacknowledged: few buffers; or,
	 * held in their packets, one segment each.
	 */
	for (i = 0; i < 100; i++) {
		memset(chunk, 'a' + i % 26, sizeof(chunk));
		err |= reasm_add(&r, &mem, 11 + i * 1000ull, chunk,
				     sizeof(chunk), &ops, rc);
	}
	TAP_CHECK(!err && r.stored == 100000, "in-order: 100 kB stored");
	TAP_CHECK((AS_PKT ? r.nsegs == 100 : r.nsegs <= 12) &&
		  mem.segs_used == r.nsegs,
		  "in-order: %s %u segments", AS_PKT ? "held in" :
		  "coalesced into", r.nsegs);
	mos_reasm_release(&r, &mem, 11 + 50500, &ops, rc);
	TAP_CHECK(r.released == 11 + 50500 && rc->data_bytes == 11 + 50500,
		  "in-order: release stops at upto");
	TAP_CHECK(rc->buf[11 + 50499] == 'a' + 50 % 26 &&
		  rc->buf[11 + 49999] == 'a' + 49 % 26,
		  "in-order: bytes in place");
	mos_reasm_release(&r, &mem, U64MAX, &ops, rc);
	TAP_CHECK(r.released == 100011 && !mem.used && !mem.segs_used &&
		  !rc->order_errors, "in-order: rest released, all freed");
	mos_reasm_destroy(&r, &mem);
	rec_free(rc);
}

static void test_out_of_order(void)
{
	struct mos_reasm_mem mem = big_mem();
	struct rec *rc = rec_new(0);
	struct mos_reasm r;

	mos_reasm_init(&r, 0, MOS_OVERLAP_FIRST);
	add_str(&r, &mem, 8, "ijkl", rc);
	add_str(&r, &mem, 4, "efgh", rc);
	mos_reasm_release(&r, &mem, U64MAX, &ops, rc);
	TAP_CHECK(!rc->nev && r.released == 0 &&
		  mos_reasm_contiguous_end(&r) == 0,
		  "ooo: nothing released before the hole fills");
	add_str(&r, &mem, 0, "abcd", rc);
	TAP_CHECK(mos_reasm_contiguous_end(&r) == 12,
		  "ooo: contiguous end after fill");
	mos_reasm_release(&r, &mem, U64MAX, &ops, rc);
	TAP_CHECK(got(rc, 0, "abcdefghijkl") && rc->data_bytes == 12 &&
		  !rc->order_errors && !rc->gap_bytes,
		  "ooo: delivered in order after fill");
	TAP_CHECK(!rc->nrexmit && !mem.used, "ooo: no rexmit, freed");

	/* A segment that fills a hole and overlaps both neighbours. */
	add_str(&r, &mem, 20, "uv", rc);
	add_str(&r, &mem, 14, "op", rc);
	add_str(&r, &mem, 12, "mnopqrstuv", rc);
	TAP_CHECK(rc->nrexmit == 1 && rc->kind == MOS_REXMIT_PARTIAL &&
		  rc->rx_off == 12 && rc->rx_len == 10,
		  "ooo: bridge is a partial rexmit");
	mos_reasm_release(&r, &mem, U64MAX, &ops, rc);
	TAP_CHECK(got(rc, 0, "abcdefghijklmnopqrstuv") && !rc->order_errors &&
		  r.released == 22, "ooo: bridged stream delivered");
	mos_reasm_destroy(&r, &mem);
	TAP_CHECK(!mem.used && !mem.segs_used, "ooo: accounting at zero");
	rec_free(rc);
}

/*
 * A range longer than one segment: held, its segments share one hold on
 * the packet. A partly released one and a later one are overwritten by a
 * policy (so unheld first), another is retransmitted unchanged.
 */
static void test_big_range(void)
{
	static u8 d[40000], want[40000];
	struct mos_reasm_mem mem = big_mem();
	struct rec *rc = rec_new(0);
	struct mos_reasm r;
	u32 i, segs;

	for (i = 0; i < sizeof(d); i++)
		d[i] = (u8)(i * 7 + i / 251);
	memcpy(want, d, sizeof(d));
	mos_reasm_init(&r, 0, MOS_OVERLAP_LAST);
	reasm_add(&r, &mem, 0, d, sizeof(d), &ops, rc);
	segs = r.nsegs;
	TAP_CHECK(r.stored == sizeof(d) && segs == 3 && mem.segs_used == 3,
		  "big range: stored in %u segments", segs);
	mos_reasm_release(&r, &mem, 1000, &ops, rc);
	TAP_CHECK(rc->data_bytes == 1000 && !memcmp(rc->buf, d, 1000),
		  "big range: head segment partly released");

	memset(want + 1000, 'X', 100);
	reasm_add(&r, &mem, 1000, want + 1000, 100, &ops, rc);
	TAP_CHECK(rc->nrexmit == 1 && rc->kind == MOS_REXMIT_INCONSISTENT,
		  "big range: overwriting the partly released segment");
	memset(want + 20000, 'Y', 200);
	reasm_add(&r, &mem, 20000, want + 20000, 200, &ops, rc);
	reasm_add(&r, &mem, 30000, d + 30000, 500, &ops, rc);
	TAP_CHECK(rc->nrexmit == 3 && rc->kind == MOS_REXMIT_EXACT &&
		  rc->ninconsistent == 2 && r.nsegs == segs &&
		  r.stored == sizeof(d) - 1000,
		  "big range: overwrites keep the segments and the bytes");
	mos_reasm_release(&r, &mem, U64MAX, &ops, rc);
	TAP_CHECK(rc->data_bytes == sizeof(d) && !rc->order_errors &&
		  !memcmp(rc->buf, want, sizeof(want)),
		  "big range: delivered with the policy's bytes");
	TAP_CHECK(!mem.used && !mem.segs_used && !r.segs,
		  "big range: accounting at zero");
	mos_reasm_destroy(&r, &mem);
	rec_free(rc);
}

/*
 * Held segments are not merged: past half the segment cap a stream copies
 * into growing buffers again, so that the cap does not shrink what it can
 * store.
 */
static void test_held_seg_cap(void)
{
	struct mos_reasm_mem mem = big_mem();
	struct rec *rc = rec_new(0);
	struct mos_reasm r;
	u8 d[1000];
	int i, err = 0;

	mem.flow_seg_cap = 8;
	mos_reasm_init(&r, 0, MOS_OVERLAP_FIRST);
	for (i = 0; i < 12; i++) {
		memset(d, 'a' + i, sizeof(d));
		err |= reasm_add(&r, &mem, i * 1000ull, d, sizeof(d), &ops, rc);
	}
	TAP_CHECK(!err && !rc->ncapped && r.stored == 12000 && r.nsegs <= 8,
		  "segment cap 8: 12 kB of 1000-byte packets stored in %u "
		  "segments", r.nsegs);
	mos_reasm_release(&r, &mem, U64MAX, &ops, rc);
	TAP_CHECK(rc->data_bytes == 12000 && rc->buf[11999] == 'a' + 11 &&
		  rc->buf[4500] == 'e' && !mem.used && !mem.segs_used,
		  "segment cap 8: delivered and freed");
	mos_reasm_destroy(&r, &mem);
	rec_free(rc);
}

static void test_rexmit_kinds(void)
{
	struct mos_reasm_mem mem = big_mem();
	struct rec *rc = rec_new(0);
	struct mos_reasm r;

	mos_reasm_init(&r, 0, MOS_OVERLAP_FIRST);
	add_str(&r, &mem, 0, "abcdef", rc);
	TAP_CHECK(rc->nrexmit == 0, "rexmit: none for new data");
	add_str(&r, &mem, 1, "bcd", rc);
	TAP_CHECK(rc->nrexmit == 1 && rc->kind == MOS_REXMIT_EXACT &&
		  rc->rx_off == 1 && rc->rx_len == 3, "rexmit: exact");
	add_str(&r, &mem, 4, "efgh", rc);
	TAP_CHECK(rc->nrexmit == 2 && rc->kind == MOS_REXMIT_PARTIAL &&
		  rc->rx_off == 4 && rc->rx_len == 4, "rexmit: partial");
	add_str(&r, &mem, 2, "XY", rc);
	TAP_CHECK(rc->nrexmit == 3 && rc->kind == MOS_REXMIT_INCONSISTENT,
		  "rexmit: inconsistent (old copy kept)");
	add_str(&r, &mem, 6, "gZij", rc);
	TAP_CHECK(rc->nrexmit == 4 && rc->kind == MOS_REXMIT_INCONSISTENT,
		  "rexmit: inconsistent even with new bytes");
	mos_reasm_release(&r, &mem, 3, &ops, rc);
	add_str(&r, &mem, 0, "ab", rc);
	TAP_CHECK(rc->nrexmit == 5 && rc->kind == MOS_REXMIT_UNVERIFIED &&
		  r.stored == 7, "rexmit: unverified below released, not stored");
	add_str(&r, &mem, 1, "bcd", rc);
	TAP_CHECK(rc->nrexmit == 6 && rc->kind == MOS_REXMIT_UNVERIFIED,
		  "rexmit: unverified when straddling released");
	add_str(&r, &mem, 1, "bcX", rc);
	TAP_CHECK(rc->nrexmit == 7 && rc->kind == MOS_REXMIT_INCONSISTENT,
		  "rexmit: inconsistent beats unverified");
	add_str(&r, &mem, 12, "mn", rc);
	TAP_CHECK(rc->nrexmit == 7, "rexmit: none for a disjoint segment");
	mos_reasm_flush(&r, &mem, &ops, rc);
	TAP_CHECK(got(rc, 0, "abcdefghij__mn") && !rc->order_errors,
		  "rexmit: first copies delivered");
	mos_reasm_destroy(&r, &mem);
	rec_free(rc);
}

/*
 * Overlap shapes against one stored segment "oooooooo" at [10, 18), or
 * against two, "oooo" at [10, 14) and [16, 20). The new segment is all
 * 'N'. want[] gives the bytes [6, 22) after a flush, for each policy.
 */
struct shape {
	const char *name;
	int two_old;
	u64 off, len;
	const char *want[MOS_OVERLAP_NUM];
};

static const char *const policy_name[MOS_OVERLAP_NUM] = {
	"first", "last", "bsd", "linux", "old-linux", "windows", "solaris",
	"hpux", "macos",
};

#define O8 "oooooooo"
static const struct shape shapes[] = {
	{ "new before, ends inside", 0, 6, 6, {
	  "NNNNoooooooo", "NNNNNNoooooo", "NNNNNNoooooo", "NNNNNNoooooo",
	  "NNNNNNoooooo", "NNNNNNoooooo", "NNNNoooooooo", "NNNNoooooooo",
	  "NNNNNNoooooo" } },
	{ "new before, ends at end", 0, 6, 12, {
	  "NNNN" O8, "NNNNNNNNNNNN", "NNNNNNNNNNNN", "NNNNNNNNNNNN",
	  "NNNNNNNNNNNN", "NNNNNNNNNNNN", "NNNNNNNNNNNN", "NNNNNNNNNNNN",
	  "NNNNNNNNNNNN" } },
	{ "new before, ends after", 0, 6, 14, {
	  "NNNN" O8 "NN", "NNNNNNNNNNNNNN", "NNNNNNNNNNNNNN", "NNNNNNNNNNNNNN",
	  "NNNNNNNNNNNNNN", "NNNNNNNNNNNNNN", "NNNNNNNNNNNNNN", "NNNNNNNNNNNNNN",
	  "NNNNNNNNNNNNNN" } },
	{ "same start, shorter", 0, 10, 4, {
	  "____" O8, "____NNNNoooo", "____" O8, "____" O8, "____" O8,
	  "____" O8, "____" O8, "____" O8, "____" O8 } },
	{ "same start, same length", 0, 10, 8, {
	  "____" O8, "____NNNNNNNN", "____" O8, "____" O8, "____NNNNNNNN",
	  "____" O8, "____NNNNNNNN", "____NNNNNNNN", "____" O8 } },
	{ "same start, longer", 0, 10, 10, {
	  "____" O8 "NN", "____NNNNNNNNNN", "____" O8 "NN", "____NNNNNNNNNN",
	  "____NNNNNNNNNN", "____" O8 "NN", "____NNNNNNNNNN", "____NNNNNNNNNN",
	  "____" O8 "NN" } },
	{ "inside", 0, 12, 4, {
	  "____" O8, "____ooNNNNoo", "____" O8, "____" O8, "____" O8,
	  "____" O8, "____" O8, "____" O8, "____" O8 } },
	{ "inside, ends at end", 0, 12, 6, {
	  "____" O8, "____ooNNNNNN", "____" O8, "____" O8, "____" O8,
	  "____" O8, "____" O8, "____" O8, "____" O8 } },
	{ "inside, ends after", 0, 12, 8, {
	  "____" O8 "NN", "____ooNNNNNNNN", "____" O8 "NN", "____" O8 "NN",
	  "____" O8 "NN", "____" O8 "NN", "____ooNNNNNNNN", "____ooNNNNNNNN",
	  "____" O8 "NN" } },
	{ "covers two", 1, 8, 14, {
	  "__NNooooNNooooNN", "__NNNNNNNNNNNNNN", "__NNNNNNNNNNNNNN",
	  "__NNNNNNNNNNNNNN", "__NNNNNNNNNNNNNN", "__NNNNNNNNNNNNNN",
	  "__NNNNNNNNNNNNNN", "__NNNNNNNNNNNNNN", "__NNNNNNNNNNNNNN" } },
	/* After the first old segment's start, before the second's end. */
	{ "straddles two", 1, 12, 6, {
	  "____ooooNNoooo", "____ooNNNNNNoo", "____ooooNNNNoo",
	  "____ooooNNNNoo", "____ooooNNNNoo", "____ooooNNNNoo",
	  "____ooNNNNoooo", "____ooNNNNoooo", "____ooooNNNNoo" } },
};

static void test_policies(void)
{
	struct mos_reasm_mem mem = big_mem();
	unsigned int i, p;
	u8 nbuf[32];

	memset(nbuf, 'N', sizeof(nbuf));

	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		const struct shape *sh = &shapes[i];

		for (p = 0; p < MOS_OVERLAP_NUM; p++) {
			struct rec *rc = rec_new(6);
			struct mos_reasm r;
			const char *w = sh->want[p];
			int ok;

			mos_reasm_init(&r, 6, p);
			if (sh->two_old) {
				add_str(&r, &mem, 10, "oooo", rc);
				add_str(&r, &mem, 16, "oooo", rc);
			} else {
				add_str(&r, &mem, 10, O8, rc);
			}
			reasm_add(&r, &mem, sh->off, nbuf, sh->len, &ops,
				      rc);
			ok = rc->nrexmit == 1 &&
			     rc->kind == MOS_REXMIT_INCONSISTENT;
			mos_reasm_flush(&r, &mem, &ops, rc);
			ok = ok && !memcmp(rc->buf, w, strlen(w)) &&
			     r.released == 6 + strlen(w) && !rc->order_errors;
			TAP_CHECK(ok, "policy %s, %s: %s (got %.*s)",
				  policy_name[p], sh->name, w,
				  (int)(r.released - 6), rc->buf);
			mos_reasm_destroy(&r, &mem);
			rec_free(rc);
		}
	}
	TAP_CHECK(!mem.used && !mem.segs_used, "policies: accounting at zero");
}

/* The classic: the same bytes twice, "GOOD" then "EVIL". */
static void test_good_evil(void)
{
	static const int keeps_evil[MOS_OVERLAP_NUM] = {
		[MOS_OVERLAP_LAST] = 1, [MOS_OVERLAP_OLD_LINUX] = 1,
		[MOS_OVERLAP_SOLARIS] = 1, [MOS_OVERLAP_HPUX] = 1,
	};
	struct mos_reasm_mem mem = big_mem();
	unsigned int p;

	for (p = 0; p < MOS_OVERLAP_NUM; p++) {
		struct rec *rc = rec_new(0);
		struct mos_reasm r;

		mos_reasm_init(&r, 0, p);
		add_str(&r, &mem, 0, "GOOD", rc);
		add_str(&r, &mem, 0, "EVIL", rc);
		mos_reasm_release(&r, &mem, U64MAX, &ops, rc);
		TAP_CHECK(got(rc, 0, keeps_evil[p] ? "EVIL" : "GOOD"),
			  "GOOD/EVIL under %s keeps %s", policy_name[p],
			  keeps_evil[p] ? "EVIL" : "GOOD");
		mos_reasm_destroy(&r, &mem);
		rec_free(rc);
	}
	for (p = 0; p < MOS_OVERLAP_NUM; p++) {
		struct rec *rc = rec_new(0);
		struct mos_reasm r;

		mos_reasm_init(&r, 0, p);
		add_str(&r, &mem, 0, "GOOD", rc);
		add_str(&r, &mem, 1, "XXX", rc);
		mos_reasm_release(&r, &mem, U64MAX, &ops, rc);
		TAP_CHECK(got(rc, 0, p == MOS_OVERLAP_LAST ? "GXXX" : "GOOD"),
			  "GOOD then XXX at +1 under %s", policy_name[p]);
		mos_reasm_destroy(&r, &mem);
		rec_free(rc);
	}
}

static void test_gaps(void)
{
	struct mos_reasm_mem mem = big_mem();
	struct rec *rc = rec_new(100);
	struct mos_reasm r;

	mos_reasm_init(&r, 100, MOS_OVERLAP_FIRST);
	add_str(&r, &mem, 105, "xyz", rc);
	add_str(&r, &mem, 112, "late", rc);
	mos_reasm_skip_to(&r, &mem, 110, &ops, rc);
	TAP_CHECK(rc->nev == 3 &&
		  rc->ev[0].type == 'G' && rc->ev[0].off == 100 &&
		  rc->ev[0].len == 5 && rc->ev[0].why == MOS_GAP_MISSED &&
		  rc->ev[1].type == 'D' && rc->ev[1].off == 105 &&
		  rc->ev[1].len == 3 &&
		  rc->ev[2].type == 'G' && rc->ev[2].off == 108 &&
		  rc->ev[2].len == 2 && rc->ev[2].why == MOS_GAP_MISSED,
		  "skip_to: gap, data, gap in order with exact sizes");
	TAP_CHECK(r.released == 110 && r.stored == 4,
		  "skip_to: released at upto, later bytes kept");
	mos_reasm_skip_to(&r, &mem, 105, &ops, rc);
	TAP_CHECK(rc->nev == 3 && r.released == 110,
		  "skip_to: backwards does nothing");
	mos_reasm_skip_to(&r, &mem, 114, &ops, rc);
	TAP_CHECK(rc->nev == 5 && rc->ev[3].type == 'G' &&
		  rc->ev[3].len == 2 && rc->ev[4].type == 'D' &&
		  rc->ev[4].off == 112 && rc->ev[4].len == 2 && r.stored == 2,
		  "skip_to: splits a stored segment");
	mos_reasm_flush(&r, &mem, &ops, rc);
	TAP_CHECK(rc->nev == 6 && rc->ev[5].off == 114 && r.released == 116 &&
		  got(rc, 0, "_____xyz____late") && !rc->order_errors,
		  "flush: rest delivered");
	mos_reasm_flush(&r, &mem, &ops, rc);
	TAP_CHECK(rc->nev == 6 && r.released == 116,
		  "flush: empty stream unchanged");
	mos_reasm_destroy(&r, &mem);
	rec_free(rc);

	/* flush with several holes */
	rc = rec_new(0);
	mos_reasm_init(&r, 0, MOS_OVERLAP_FIRST);
	add_str(&r, &mem, 4, "e", rc);
	add_str(&r, &mem, 0, "a", rc);
	add_str(&r, &mem, 2, "c", rc);
	mos_reasm_flush(&r, &mem, &ops, rc);
	TAP_CHECK(rc->nev == 5 && got(rc, 0, "a_c_e") && r.released == 5 &&
		  rc->gap_bytes == 2 && rc->data_bytes == 3 &&
		  !rc->cap_gap_bytes && !rc->order_errors && !mem.used,
		  "flush: holes reported as missed gaps");
	mos_reasm_destroy(&r, &mem);
	rec_free(rc);

	/* A cap drops bytes: the gap over them says so, once. */
	rc = rec_new(0);
	mem.flow_cap = 4;
	mos_reasm_init(&r, 0, MOS_OVERLAP_FIRST);
	TAP_CHECK(add_str(&r, &mem, 0, "abcdef", rc) == -ENOSPC &&
		  rc->ncapped == 1 && rc->cap_off[0] == 4 &&
		  rc->cap_len[0] == 2 && r.gap_pending && r.stored == 4,
		  "cap gap: tail dropped and reported");
	mos_reasm_release(&r, &mem, U64MAX, &ops, rc);
	TAP_CHECK(add_str(&r, &mem, 6, "gh", rc) == 0,
		  "cap gap: room again after release");
	mos_reasm_skip_to(&r, &mem, 8, &ops, rc);
	TAP_CHECK(rc->nev == 3 && rc->ev[1].type == 'G' &&
		  rc->ev[1].off == 4 && rc->ev[1].len == 2 &&
		  rc->ev[1].why == MOS_GAP_CAP && !r.gap_pending &&
		  got(rc, 0, "abcd__gh"), "cap gap: reason CAP");
	mos_reasm_skip_to(&r, &mem, 10, &ops, rc);
	TAP_CHECK(rc->nev == 4 && rc->ev[3].why == MOS_GAP_MISSED &&
		  rc->ev[3].len == 2, "cap gap: the next gap is MISSED");
	mos_reasm_destroy(&r, &mem);
	rec_free(rc);
}

static void test_caps(void)
{
	struct mos_reasm_mem mem = big_mem();
	struct rec *rc = rec_new(0), *rc2 = rec_new(0);
	struct mos_reasm r, r2;
	u64 i;
	int err;

	/* per flow, with an overlap: stored bytes are compared, new capped */
	mem.flow_cap = 6;
	mos_reasm_init(&r, 0, MOS_OVERLAP_FIRST);
	add_str(&r, &mem, 0, "abcd", rc);
	err = add_str(&r, &mem, 0, "abcdefghij", rc);
	TAP_CHECK(err == -ENOSPC && r.stored == 6 && mem.used == 6 &&
		  rc->ncapped == 1 && rc->cap_off[0] == 6 &&
		  rc->cap_len[0] == 4, "flow cap: [6, 10) dropped");
	TAP_CHECK(rc->nrexmit == 1 && rc->kind == MOS_REXMIT_PARTIAL,
		  "flow cap: still a partial rexmit");
	err = add_str(&r, &mem, 20, "zz", rc);
	TAP_CHECK(err == -ENOSPC && rc->ncapped == 2 && rc->cap_off[1] == 20 &&
		  rc->cap_len[1] == 2 && r.stored == 6,
		  "flow cap: full flow drops a whole segment");
	mos_reasm_destroy(&r, &mem);
	TAP_CHECK(!mem.used && !mem.segs_used, "flow cap: accounting at zero");

	/* global: two streams share 10 bytes */
	rec_free(rc);
	rc = rec_new(0);
	mem = big_mem();
	mem.cap = 10;
	mos_reasm_init(&r, 0, MOS_OVERLAP_FIRST);
	mos_reasm_init(&r2, 0, MOS_OVERLAP_FIRST);
	err = add_str(&r, &mem, 0, "aaaaaa", rc);
	TAP_CHECK(!err && mem.used == 6, "global cap: first stream fits");
	err = add_str(&r2, &mem, 100, "bbbbbb", rc2);
	TAP_CHECK(err == -ENOSPC && r2.stored == 4 && mem.used == 10 &&
		  rc2->ncapped == 1 && rc2->cap_off[0] == 104 &&
		  rc2->cap_len[0] == 2, "global cap: second stream capped");
	mos_reasm_release(&r, &mem, U64MAX, &ops, rc);
	TAP_CHECK(mem.used == 4, "global cap: release returns memory");
	err = add_str(&r2, &mem, 104, "bb", rc2);
	TAP_CHECK(!err && r2.stored == 6 && mem.used == 6,
		  "global cap: room again");
	mos_reasm_destroy(&r, &mem);
	mos_reasm_destroy(&r2, &mem);
	TAP_CHECK(!mem.used && !mem.segs_used, "global cap: accounting at zero");

	/* segment count: 1-byte segments with holes between */
	rec_free(rc);
	rc = rec_new(0);
	mem = big_mem();
	mem.flow_seg_cap = 4;
	mos_reasm_init(&r, 0, MOS_OVERLAP_FIRST);
	err = 0;
	for (i = 0; i < 5; i++)
		err = add_str(&r, &mem, 2 * i + 2, "x", rc);
	TAP_CHECK(err == -ENOSPC && r.nsegs == 4 && r.stored == 4 &&
		  rc->ncapped == 1 && rc->cap_off[0] == 10 &&
		  rc->cap_len[0] == 1, "segment cap: fifth segment capped");
	mos_reasm_skip_to(&r, &mem, 11, &ops, rc);
	TAP_CHECK(rc->ev[0].type == 'G' && rc->ev[0].why == MOS_GAP_CAP &&
		  rc->gap_bytes == 7 && rc->data_bytes == 4 && !r.nsegs,
		  "segment cap: first gap after a cap is CAP");
	mos_reasm_destroy(&r, &mem);

	/* the default segment cap is 1024 */
	rec_free(rc);
	rc = rec_new(0);
	mem = big_mem();
	mem.flow_seg_cap = 0;
	mos_reasm_init(&r, 0, MOS_OVERLAP_FIRST);
	for (i = 0; i < 2000; i++)
		add_str(&r, &mem, 2 * i, "y", rc);
	TAP_CHECK(r.nsegs == 1024 && mem.segs_used == 1024 &&
		  rc->ncapped == 2000 - 1024 && r.stored == 1024,
		  "segment cap: default 1024");
	mos_reasm_destroy(&r, &mem);
	TAP_CHECK(!mem.used && !mem.segs_used && !r.segs && !r.stored,
		  "segment cap: destroy frees all");
	rec_free(rc);
	rec_free(rc2);
}

static void test_64bit(void)
{
	struct mos_reasm_mem mem = big_mem();
	u64 start = 0xfffffff0ull, i;
	struct rec *rc = rec_new(start);
	struct mos_reasm r;
	u8 d[64];

	for (i = 0; i < sizeof(d); i++)
		d[i] = (u8)i;
	mos_reasm_init(&r, start, MOS_OVERLAP_FIRST);
	reasm_add(&r, &mem, start + 40, d + 40, 24, &ops, rc);
	reasm_add(&r, &mem, start + 8, d + 8, 24, &ops, rc);
	reasm_add(&r, &mem, start, d, 8, &ops, rc);
	TAP_CHECK(mos_reasm_contiguous_end(&r) == start + 32,
		  "64-bit: contiguous end across 2^32");
	mos_reasm_skip_to(&r, &mem, start + 64, &ops, rc);
	TAP_CHECK(!memcmp(rc->buf, d, 32) && rc->nev == 4 &&
		  rc->ev[2].type == 'G' && rc->ev[2].off == (1ull << 32) + 16 &&
		  rc->ev[2].len == 8 &&
		  !memcmp(rc->buf + 40, d + 40, 24) && !rc->order_errors &&
		  r.released == (1ull << 32) + 48, "64-bit: across 2^32");
	reasm_add(&r, &mem, start, d, 8, &ops, rc);
	TAP_CHECK(rc->kind == MOS_REXMIT_UNVERIFIED && !r.stored,
		  "64-bit: a 32-bit wrap does not alias old bytes");
	mos_reasm_destroy(&r, &mem);
	rec_free(rc);

	/* far beyond 2^32, then the very end of the offset space */
	start = 7ull << 40;
	rc = rec_new(start);
	mos_reasm_init(&r, start, MOS_OVERLAP_LAST);
	reasm_add(&r, &mem, start + 3, d, 5, &ops, rc);
	reasm_add(&r, &mem, start, d, 3, &ops, rc);
	mos_reasm_release(&r, &mem, U64MAX, &ops, rc);
	TAP_CHECK(r.released == start + 8 && !memcmp(rc->buf, d, 3) &&
		  !memcmp(rc->buf + 3, d, 5), "64-bit: offsets near 2^43");
	mos_reasm_destroy(&r, &mem);
	rec_free(rc);

	rc = rec_new(U64MAX - 8);
	mos_reasm_init(&r, U64MAX - 8, MOS_OVERLAP_FIRST);
	reasm_add(&r, &mem, U64MAX - 3, d, 10, &ops, rc);
	TAP_CHECK(r.stored == 3, "64-bit: a segment past 2^64 is cut");
	mos_reasm_flush(&r, &mem, &ops, rc);
	TAP_CHECK(r.released == U64MAX && rc->gap_bytes == 5 &&
		  rc->data_bytes == 3 && !rc->order_errors,
		  "64-bit: flush at the end of the offset space");
	mos_reasm_destroy(&r, &mem);
	TAP_CHECK(!mem.used && !mem.segs_used, "64-bit: accounting at zero");
	rec_free(rc);
}

static u64 rng_state;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static u64 rnd_below(u64 n)
{
	return n ? rnd() % n : 0;
}

struct piece {
	u64 off;
	u32 len;
};

/*
 * A stream cut at random points, with random duplicates of random ranges,
 * sent in a locally shuffled order with releases in between: whatever the
 * policy, consistent copies must give back exactly the original stream.
 */
static void test_random_consistent(void)
{
	enum { N = 60000, MAXP = 4096 };
	static struct piece pieces[MAXP];
	static u8 stream[N];
	unsigned int run, runs_ok = 0, np, i, j;

	for (run = 0; run < 60; run++) {
		struct mos_reasm_mem mem = big_mem();
		u64 start = run & 1 ? 0xffff0000ull : rnd_below(1000);
		struct rec *rc = rec_new(start);
		u8 policy = run % MOS_OVERLAP_NUM;
		struct mos_reasm r;
		u64 pos = 0;
		int err = 0;

		rng_state = 0x9e3779b97f4a7c15ull * (run + 1);
		for (i = 0; i < N; i++)
			stream[i] = (u8)rnd();
		np = 0;
		while (pos < N && np < MAXP) {
			u32 len = 1 + rnd_below(run % 3 ? 1500 : 40);

			if (pos + len > N)
				len = N - pos;
			pieces[np].off = pos;
			pieces[np++].len = len;
			pos += len;
			/* a duplicate of a random nearby range */
			if (rnd_below(4) == 0 && np < MAXP) {
				u64 o = pos > 3000 ? pos - rnd_below(3000) :
					rnd_below(pos);
				u32 l = 1 + rnd_below(3000);

				if (o + l > N)
					l = N - o;
				pieces[np].off = o;
				pieces[np++].len = l;
			}
		}
		/* shuffle within a sliding window of 32 pieces */
		for (i = 0; i < np; i++) {
			struct piece t;

			j = i + rnd_below(np - i < 32 ? np - i : 32);
			t = pieces[i];
			pieces[i] = pieces[j];
			pieces[j] = t;
		}
		mos_reasm_init(&r, start, policy);
		for (i = 0; i < np; i++) {
			err |= reasm_add(&r, &mem, start + pieces[i].off,
					     stream + pieces[i].off,
					     pieces[i].len, &ops, rc);
			if (rnd_below(8) == 0)
				mos_reasm_release(&r, &mem, start +
						  rnd_below(N + 100), &ops, rc);
		}
		if (pos < N) {	/* ran out of pieces: send the rest */
			err |= reasm_add(&r, &mem, start + pos,
					     stream + pos, N - pos, &ops, rc);
		}
		mos_reasm_release(&r, &mem, U64MAX, &ops, rc);
		if (!err && r.released == start + N && !rc->gap_bytes &&
		    rc->data_bytes == N && !memcmp(rc->buf, stream, N) &&
		    !rc->order_errors && !rc->ninconsistent &&
		    !r.stored && !mem.used && !mem.segs_used)
			runs_ok++;
		mos_reasm_destroy(&r, &mem);
		rec_free(rc);
	}
	TAP_CHECK(runs_ok == 60, "random consistent: %u/60 runs exact",
		  runs_ok);
}

/*
 * Hostile: overlapping segments with different contents, random
 * releases, skips and caps, several streams sharing the memory. Checked:
 * no crash (sanitizers), every byte delivered or reported once and in
 * order, data and gaps tiling [start, released), caps never exceeded, and
 * with FIRST or LAST and no caps, the bytes a byte-wise model predicts.
 */
enum { H_WIN = 4096, H_STREAMS = 3 };

struct model {
	u8 byte[H_WIN * 8];
	u8 have[H_WIN * 8];
};

static void test_random_hostile(void)
{
	static struct model model[H_STREAMS];
	static u8 data[2048];
	unsigned int run, bad_order = 0, bad_tile = 0, bad_cap = 0;
	unsigned int bad_model = 0, bad_mem = 0, model_runs = 0;

	for (run = 0; run < 300; run++) {
		struct mos_reasm_mem mem = big_mem();
		struct mos_reasm r[H_STREAMS];
		struct rec *rc[H_STREAMS];
		bool capped = run % 2;
		u64 start[H_STREAMS];
		unsigned int op, s;
		u8 policy;

		rng_state = 0x2545f4914f6cdd1dull * (run + 7);
		policy = run % 4 < 2 ? (run % 4 ? MOS_OVERLAP_LAST :
					MOS_OVERLAP_FIRST) :
			 rnd_below(MOS_OVERLAP_NUM);
		if (capped) {
			mem.cap = rnd_below(6000);
			mem.flow_cap = rnd_below(3000);
			mem.flow_seg_cap = rnd_below(40);
		}
		memset(model, 0, sizeof(model));
		for (s = 0; s < H_STREAMS; s++) {
			start[s] = s == 1 ? 0xfffff000ull : rnd_below(1 << 20);
			rc[s] = rec_new(start[s]);
			mos_reasm_init(&r[s], start[s], policy);
		}
		for (op = 0; op < 400; op++) {
			struct mos_reasm *st;
			u64 rel, o;
			u32 l, i;

			s = rnd_below(H_STREAMS);
			st = &r[s];
			rel = st->released - start[s];
			switch (rnd_below(10)) {
			case 0:
				mos_reasm_release(st, &mem,
						  st->released + rnd_below(600),
						  &ops, rc[s]);
				break;
			case 1:
				if (rel + 2 * H_WIN < sizeof(model[s].byte))
					mos_reasm_skip_to(st, &mem, st->released +
							  rnd_below(300), &ops,
							  rc[s]);
				break;
			default:
				o = rel > 200 ? rel - rnd_below(200) : 0;
				o += rnd_below(H_WIN);
				if (o + sizeof(data) >= sizeof(model[s].byte))
					break;
				l = rnd_below(rnd_below(4) ? 64 : sizeof(data));
				for (i = 0; i < l; i++)
					data[i] = 'a' + rnd_below(3);
				reasm_add(st, &mem, start[s] + o, data, l,
					      &ops, rc[s]);
				for (i = 0; i < l; i++) {
					if (o + i < rel)
						continue;
					if (!model[s].have[o + i] ||
					    policy == MOS_OVERLAP_LAST)
						model[s].byte[o + i] = data[i];
					model[s].have[o + i] = 1;
				}
			}
			if (st->stored > mem.flow_cap || mem.used > mem.cap ||
			    st->nsegs > (mem.flow_seg_cap ?
					 mem.flow_seg_cap : 1024) ||
			    mos_reasm_contiguous_end(st) < st->released)
				bad_cap++;
		}
		for (s = 0; s < H_STREAMS; s++) {
			u64 n;

			mos_reasm_flush(&r[s], &mem, &ops, rc[s]);
			n = r[s].released - start[s];
			if (rc[s]->order_errors)
				bad_order++;
			if (rc[s]->next != r[s].released ||
			    rc[s]->data_bytes + rc[s]->gap_bytes != n ||
			    r[s].stored)
				bad_tile++;
			if (!capped && policy <= MOS_OVERLAP_LAST) {
				u64 i;

				model_runs++;
				for (i = 0; i < n; i++) {
					u8 want = model[s].have[i] ?
						  model[s].byte[i] : '_';
					if (rc[s]->buf[i] != want) {
						bad_model++;
						break;
					}
				}
			}
			mos_reasm_destroy(&r[s], &mem);
			rec_free(rc[s]);
		}
		if (mem.used || mem.segs_used)
			bad_mem++;
	}
	TAP_CHECK(!bad_order, "hostile: in order, each byte once (%u bad)",
		  bad_order);
	TAP_CHECK(!bad_tile, "hostile: data and gaps tile [start, released) (%u bad)",
		  bad_tile);
	TAP_CHECK(!bad_cap, "hostile: caps held (%u bad)", bad_cap);
	TAP_CHECK(model_runs > 100 && !bad_model,
		  "hostile: FIRST/LAST match a byte model (%u/%u bad)",
		  bad_model, model_runs);
	TAP_CHECK(!bad_mem, "hostile: accounting back at zero (%u bad)",
		  bad_mem);
}

static void test_null_ops(void)
{
	struct mos_reasm_mem mem = big_mem();
	struct mos_reasm_ops none = { 0 };
	struct mos_reasm r;

	mos_reasm_init(&r, 0, MOS_OVERLAP_NUM + 3);
	TAP_CHECK(r.policy == MOS_OVERLAP_FIRST, "unknown policy acts as FIRST");
	reasm_add(&r, &mem, 5, (const u8 *)"abc", 3, NULL, NULL);
	reasm_add(&r, &mem, 5, (const u8 *)"xyz", 3, &none, NULL);
	reasm_add(&r, &mem, 0, (const u8 *)"", 0, NULL, NULL);
	mos_reasm_release(&r, &mem, U64MAX, NULL, NULL);
	mos_reasm_skip_to(&r, &mem, 6, &none, NULL);
	mos_reasm_flush(&r, &mem, NULL, NULL);
	TAP_CHECK(r.released == 8 && !mem.used && !mem.segs_used,
		  "NULL ops and zero lengths are fine");
	mos_reasm_destroy(&r, &mem);
}

static void run_all(void)
{
	test_in_order();
	test_out_of_order();
	test_rexmit_kinds();
	test_big_range();
	test_held_seg_cap();
	test_policies();
	test_good_evil();
	test_gaps();
	test_caps();
	test_64bit();
	test_random_consistent();
	test_random_hostile();
	test_null_ops();
}

int main(void)
{
	run_all();
	/* Again, every segment held in its packet rather than copied. */
	AS_PKT = true;
	mos_pkt_hold_min = 1;
	run_all();
	TAP_CHECK(kept_total > 100 && !kept_bad,
		  "segments taken over from data reports keep their bytes "
		  "(%llu taken, %llu changed)", (unsigned long long)kept_total,
		  (unsigned long long)kept_bad);
	return tap_done();
}
