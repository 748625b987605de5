/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * One direction's stream reassembly.
 *
 * Positions are 64-bit stream offsets (0 = the first byte after the SYN, or
 * the first byte seen on midstream pickup), so 32-bit sequence wrap never
 * reaches this layer. Bytes are *stored* when they arrive and *released*
 * (delivered in order, exactly once) when the engine decides: at once
 * (delivery on arrival) or when the receiver acknowledges them. Until
 * release, overlapping copies are resolved by the direction's overlap
 * policy; after release the bytes are gone from here and a retransmission
 * of them can no longer be compared (REXMIT "unverified").
 */
#ifndef MOS_ENGINE_REASM_H
#define MOS_ENGINE_REASM_H

#include "platform.h"

/**
 * enum mos_overlap_policy - which copy of an overlapping byte wins
 * @MOS_OVERLAP_FIRST: the copy stored first (default)
 * @MOS_OVERLAP_LAST: the copy that arrived last
 * @MOS_OVERLAP_BSD: target-based, as BSD stacks (Suricata/Snort matrix)
 * @MOS_OVERLAP_LINUX: target-based, as current Linux
 * @MOS_OVERLAP_OLD_LINUX: target-based, as Linux 2.2 and older
 * @MOS_OVERLAP_WINDOWS: target-based, as Windows
 * @MOS_OVERLAP_SOLARIS: target-based, as Solaris
 * @MOS_OVERLAP_HPUX: target-based, as HP-UX 11
 * @MOS_OVERLAP_MACOS: target-based, as macOS
 * @MOS_OVERLAP_NUM: number of policies
 */
enum mos_overlap_policy {
	MOS_OVERLAP_FIRST,
	MOS_OVERLAP_LAST,
	MOS_OVERLAP_BSD,
	MOS_OVERLAP_LINUX,
	MOS_OVERLAP_OLD_LINUX,
	MOS_OVERLAP_WINDOWS,
	MOS_OVERLAP_SOLARIS,
	MOS_OVERLAP_HPUX,
	MOS_OVERLAP_MACOS,
	MOS_OVERLAP_NUM,
};

/**
 * enum mos_rexmit_kind - what a retransmitted segment carried
 * @MOS_REXMIT_EXACT: only bytes already stored, all identical
 * @MOS_REXMIT_PARTIAL: some stored bytes (identical) plus new ones
 * @MOS_REXMIT_INCONSISTENT: at least one stored byte differs
 * @MOS_REXMIT_UNVERIFIED: bytes already released; not comparable any more
 */
enum mos_rexmit_kind {
	MOS_REXMIT_EXACT,
	MOS_REXMIT_PARTIAL,
	MOS_REXMIT_INCONSISTENT,
	MOS_REXMIT_UNVERIFIED,
};

/**
 * enum mos_gap_reason - why bytes will never be delivered
 * @MOS_GAP_MISSED: never seen (capture loss, asymmetric routing, a
 *	leading gap on pickup) although the receiver acknowledged them or
 *	the stream was flushed past them
 * @MOS_GAP_CAP: seen but dropped because a per-flow or the global cap
 *	on stored bytes was reached
 */
enum mos_gap_reason {
	MOS_GAP_MISSED,
	MOS_GAP_CAP,
};

struct mos_reasm_seg;
struct mos_reasm_spare;

/**
 * struct mos_reasm_mem - limits and accounting shared by all streams
 * @used: bytes stored by all streams together
 * @cap: most bytes all streams may store together
 * @flow_cap: most bytes one stream may store
 * @flow_seg_cap: most segments one stream may store (0: 1024; at most
 *	65535): bounds the work a flood of tiny out-of-order segments causes
 * @segs_used: segments stored by all streams together (for statistics)
 * @held_bytes: bytes stored so far held in their packet (for statistics)
 * @spare: segments these streams freed, kept for reuse (NULL: none; see
 *	mos_reasm_mem_init())
 */
struct mos_reasm_mem {
	u64 used;
	u64 cap;
	u32 flow_cap;
	u32 flow_seg_cap;
	u64 segs_used;
	u64 held_bytes;
	struct mos_reasm_spare *spare;
};

/* Largest segment allocation, header included: fits an atomic kmalloc. */
#define MOS_REASM_ALLOC_MAX	16384

/**
 * struct mos_reasm_seg - stored bytes [@off, @off + @len)
 * @next: the following segment, at a higher offset
 * @off: stream offset of the first stored byte
 * @len: bytes stored
 * @head: index in @buf of the first stored byte (bytes before it released)
 * @cap: size of @buf; 0 in a held segment, whose bytes stay in the packet
 *	they came in (reasm.c), at @held_off in the packet @buf points to
 * @held_off: offset in that packet of the byte at @head 0
 * @buf: the bytes
 *
 * Segments a data report hands over (see &struct mos_reasm_ops) are owned
 * by whoever keeps them: @next, @off, @len and @head are theirs to use.
 * Held segments are never handed over.
 */
struct mos_reasm_seg {
	struct mos_reasm_seg *next;
	u64 off;
	u32 len;
	u32 head;
	u32 cap;
	u32 held_off;
	u8 buf[];
};

/**
 * struct mos_bytes - bytes to store: in memory, or still in a packet
 * @p: memory holding the bytes; when NULL, they are in @pkt
 * @pkt: a packet mos_pkt_copy() reads (the kernel: an skb, whose paged
 *	data is then copied once, straight into the stream's buffers)
 * @off: offset of the first byte in @p or @pkt
 */
struct mos_bytes {
	const u8 *p;
	const void *pkt;
	u32 off;
};

/**
 * struct mos_reasm_ops - where reassembly reports, all optional
 * @data: bytes [@off, @off + @len) in order, each byte exactly once, at
 *	@src->off in @src (in memory, or still in the packet when delivered
 *	straight from it: mos_reasm_pass()). When @seg is not NULL, *@seg is
 *	the segment that held exactly these bytes (at @off, @len, @head),
 *	already out of the stream: the callee may keep it by setting *@seg
 *	to NULL, and frees it later with mos_reasm_seg_free(); otherwise it
 *	is freed when @data returns
 * @gap: bytes [@off, @off + @len) will never be delivered
 * @rexmit: a segment covered bytes already stored or released
 * @capped: a segment (or part) was dropped because a cap was reached
 */
struct mos_reasm_ops {
	void (*data)(void *ctx, u64 off, const struct mos_bytes *src, u32 len,
		     struct mos_reasm_seg **seg);
	void (*gap)(void *ctx, u64 off, u64 len, enum mos_gap_reason why);
	void (*rexmit)(void *ctx, u64 off, u32 len, enum mos_rexmit_kind kind);
	void (*capped)(void *ctx, u64 off, u32 len);
};

/**
 * struct mos_reasm - one direction's reassembly state (small when idle)
 * @released: offset of the next byte to release; everything below was
 *	delivered or reported as a gap
 * @segs: stored bytes at or above @released, sorted, non-overlapping
 * @stored: bytes stored in @segs
 * @policy: &enum mos_overlap_policy
 * @gap_pending: a cap dropped bytes, so the next gap is MOS_GAP_CAP
 * @nsegs: segments in @segs (fills padding: the struct does not grow)
 */
struct mos_reasm {
	u64 released;
	struct mos_reasm_seg *segs;
	u32 stored;
	u8 policy;
	u8 gap_pending;
	u16 nsegs;
};

int mos_reasm_mem_init(struct mos_reasm_mem *mem);
void mos_reasm_mem_release(struct mos_reasm_mem *mem);
void mos_reasm_init(struct mos_reasm *r, u64 start, u8 policy);
int mos_reasm_add(struct mos_reasm *r, struct mos_reasm_mem *mem, u64 off,
		  const u8 *data, u32 len, const struct mos_reasm_ops *ops,
		  void *ctx);
int mos_reasm_add_capped(struct mos_reasm *r, struct mos_reasm_mem *mem,
			 u32 flow_cap, u64 off, const struct mos_bytes *src,
			 u32 len, const struct mos_reasm_ops *ops, void *ctx);
void mos_reasm_release(struct mos_reasm *r, struct mos_reasm_mem *mem,
		       u64 upto, const struct mos_reasm_ops *ops, void *ctx);
void mos_reasm_skip_to(struct mos_reasm *r, struct mos_reasm_mem *mem,
		       u64 upto, const struct mos_reasm_ops *ops, void *ctx);
void mos_reasm_flush(struct mos_reasm *r, struct mos_reasm_mem *mem,
		     const struct mos_reasm_ops *ops, void *ctx);
void mos_reasm_destroy(struct mos_reasm *r, struct mos_reasm_mem *mem);
void mos_reasm_seg_free(struct mos_reasm_seg *s);
u64 mos_reasm_contiguous_end(const struct mos_reasm *r);

/**
 * mos_reasm_can_pass() - whether a segment may skip the store
 * @r: the stream
 * @off: stream offset of its first byte
 * @len: its length
 *
 * When bytes are released as soon as they are in order and nothing is
 * stored, a segment that brings the next bytes is delivered straight from
 * the packet (mos_reasm_pass()): storing it would only copy it once more.
 *
 * Return: true when nothing is stored and [@off, @off + @len) reaches past
 * the released offset from at or below it.
 */
static inline bool mos_reasm_can_pass(const struct mos_reasm *r, u64 off,
				      u32 len)
{
	return !r->segs && off <= r->released && len &&
	       off + len > r->released && off + len > off;
}

void mos_reasm_pass_rexmit(const struct mos_reasm *r, u64 off, u32 len,
			   const struct mos_reasm_ops *ops, void *ctx);
u32 mos_reasm_pass(struct mos_reasm *r, u64 off, const struct mos_bytes *src,
		   u32 len, const struct mos_reasm_ops *ops, void *ctx);
u32 mos_reasm_segments(const struct mos_reasm *r, u64 *off, u32 *len,
		       u32 max);

#endif /* MOS_ENGINE_REASM_H */
