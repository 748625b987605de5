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
#include "../compat.h"
#include "../flowmem.h"

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

/* Buffers whose size the caller remembers; kmalloc's slabs cache them. */
static inline void *mos_buf_alloc(size_t size)
{
	return kmalloc(size, GFP_ATOMIC | __GFP_NOWARN);
}

static inline void mos_buf_free(void *p, size_t size)
{
	kfree(p);
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
