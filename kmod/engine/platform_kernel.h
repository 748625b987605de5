/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel side of the engine's platform layer. The engine runs in softirq
 * context (or with bottom halves disabled), so it must never sleep:
 * allocations are atomic and fail quietly, to be counted by the caller.
 */
#ifndef MOS_ENGINE_PLATFORM_KERNEL_H
#define MOS_ENGINE_PLATFORM_KERNEL_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/build_bug.h>
#include <linux/skbuff.h>
#include <net/dst.h>
#include "../compat.h"
#include "../flowmem.h"
#include "../segmem.h"

static inline void *mos_zalloc(size_t size)
{
	return kzalloc(size, GFP_ATOMIC | __GFP_NOWARN);
}

static inline void mos_free(void *p)
{
	kfree(p);
}

/* Connection entries: a slab cache with a preallocated reserve. */
static inline void *mos_flow_zalloc(size_t size)
{
	return mos_flowmem_alloc(size);
}

static inline void mos_flow_free(void *p)
{
	mos_flowmem_free(p);
}

/*
 * Buffers whose size the caller remembers: size classes with reserves.
 * Every slab allocation is zeroed where init_on_alloc is on (Debian's
 * default), so the engine recycles the segments it frees (reasm.c):
 * MOS_BUF_RECYCLE per class and engine, each class's buffers all of its
 * size.
 */
#define MOS_BUF_RECYCLE		16
#define MOS_BUF_CLASSES		MOS_SEGMEM_CLASSES

static inline size_t mos_buf_class(size_t size)
{
	return mos_segmem_class(size);
}

static inline size_t mos_buf_class_size(size_t c)
{
	return mos_segmem_class_size(c);
}

static inline void *mos_buf_alloc(size_t size)
{
	return mos_segmem_alloc(size);
}

static inline void mos_buf_free(void *p, size_t size)
{
	mos_segmem_free(p, size);
}

/*
 * A packet whose payload the engine reads through these (mos_input.pkt):
 * an skb, so paged data is copied once, straight into stream buffers.
 */
static inline void mos_pkt_copy(const void *pkt, u32 off, void *dst, u32 len)
{
	/* The engine stays within skb->len: a failure is a bug. */
	if (WARN_ON_ONCE(skb_copy_bits(pkt, off, dst, len)))
		memset(dst, 0, len);
}

/*
 * Holding a packet's bytes until the receiver acknowledges them, instead
 * of copying them into stream buffers: a clone of the skb shares its data
 * (head and pages), which nobody may write while it is cloned, so the
 * bytes stay as they came. Worth it only for big segments that are most
 * of the memory their packet takes (truesize): a clone costs an
 * allocation and pins all of that, and the forwarding path then copies
 * the packet's headers (skb_cow()). So the memory pinned stays below
 * twice the bytes the engine's caps account. Pages that can change under
 * the skb (zerocopy, spliced page cache) and packets from the emergency
 * reserves are copied as before. The clone keeps no route, conntrack
 * entry or extension: it must not pin devices or other modules' objects.
 */
#define MOS_PKT_HOLD_MIN	8192

static inline void *mos_pkt_hold(const void *pkt, u32 off, u32 len, u32 *hoff)
{
	struct sk_buff *skb = (struct sk_buff *)pkt, *clone;

	if (len < MOS_PKT_HOLD_MIN || (u64)len * 2 < skb->truesize ||
	    skb_zcopy(skb) || skb_has_shared_frag(skb) ||
	    skb_pfmemalloc(skb))
		return NULL;
	clone = skb_clone(skb, GFP_ATOMIC | __GFP_NOWARN);
	if (!clone)
		return NULL;
	skb_dst_drop(clone);
	nf_reset_ct(clone);
	skb_ext_reset(clone);
	*hoff = off;
	return clone;
}

/* One more holder of the bytes mos_pkt_hold() returned. */
static inline void mos_pkt_hold_more(void *held)
{
	skb_get(held);
}

static inline void mos_pkt_unhold(void *held)
{
	consume_skb(held);
}

/*
 * Where bytes of a packet are in memory: an skb's may be paged, so
 * nowhere in one piece; the sink copies them with mos_pkt_copy().
 */
static inline const u8 *mos_pkt_flat(const void *pkt, u32 off)
{
	return NULL;
}

static inline u64 mos_pkt_csum(const void *pkt, u32 off, u32 len)
{
	return (__force u32)skb_checksum(pkt, off, len, 0);
}

static inline u16 mos_get_be16(const void *p)
{
	return get_unaligned_be16(p);
}

static inline u32 mos_get_be32(const void *p)
{
	return get_unaligned_be32(p);
}

struct mos_lock {
	spinlock_t spinlock;	/* taken with bottom halves off */
};

static inline void mos_lock_init(struct mos_lock *lock)
{
	spin_lock_init(&lock->spinlock);
}

static inline void mos_lock(struct mos_lock *lock)
{
	spin_lock(&lock->spinlock);
}

static inline void mos_unlock(struct mos_lock *lock)
{
	spin_unlock(&lock->spinlock);
}

#endif /* MOS_ENGINE_PLATFORM_KERNEL_H */
