/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Userspace side of the engine's platform layer: the same names as the
 * kernel side, built on libc and pthreads, so that libmos-user, the unit
 * tests, the fuzzers and the benchmarks compile the engine unchanged.
 */
#ifndef MOS_ENGINE_PLATFORM_USER_H
#define MOS_ENGINE_PLATFORM_USER_H

#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <linux/types.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif

static inline void *mos_zalloc(size_t size)
{
	return calloc(1, size);
}

static inline void mos_free(void *p)
{
	free(p);
}

/* Connection entries (the kernel keeps a preallocated reserve). */
static inline void *mos_flow_zalloc(size_t size)
{
	return calloc(1, size);
}

static inline void mos_flow_free(void *p)
{
	free(p);
}

/*
 * Buffers whose size the caller remembers (stream segments, peek windows):
 * kept per thread by size class, since they come and go at the packet rate
 * and glibc's fast path stops at about 1 KiB. Each class is a stack of
 * pointers, not a list threaded through the buffers, so that taking one
 * does not read a buffer that has long left the cache. The cache holds at
 * most MOS_BUF_CACHE_MAX bytes; beyond that buffers go back to malloc.
 * (The kernel's are slab caches with reserves, kmod/segmem.c.)
 */
#define MOS_BUF_CLASS_SHIFT	9	/* 512-byte classes */
/*
 * The engine recycles no segments itself: this cache does (reasm.c). The
 * unit tests build the engine once more with recycling on, as the
 * kernel has it (test_engine_recycle).
 */
#ifndef MOS_BUF_RECYCLE
#define MOS_BUF_RECYCLE		0
#endif
#define MOS_BUF_CLASSES		40	/* up to 20 KiB */
#define MOS_BUF_CACHE_MAX	(64u << 20)

struct mos_buf_cache {
	void **slot[MOS_BUF_CLASSES];
	unsigned int n[MOS_BUF_CLASSES];
	unsigned int room[MOS_BUF_CLASSES];
	size_t bytes;
	size_t out;	/* bytes handed out and not yet back */
};

/*
 * Beyond this many bytes in use, a buffer that comes back to the cache has
 * left the CPU's caches before it is handed out again, and writing into
 * it stalls: the next one is then prefetched for writing when one is
 * taken. Below, prefetching only costs (Documentation/benchmarks.md).
 */
#define MOS_BUF_COLD_BYTES	(16u << 20)
#define MOS_BUF_PREFETCH_LINES	32

extern __thread struct mos_buf_cache mos_buf_cache;

bool mos_buf_cache_grow(size_t c);
void mos_buf_cache_off(void);

static inline size_t mos_buf_class(size_t size)
{
	return (size + (1u << MOS_BUF_CLASS_SHIFT) - 1) >> MOS_BUF_CLASS_SHIFT;
}

static inline size_t mos_buf_class_size(size_t c)
{
	return c << MOS_BUF_CLASS_SHIFT;
}

/* Prefetch for writing the first lines of class @c's next cached buffer. */
static inline void mos_buf_prefetch_next(const struct mos_buf_cache *bc,
					 size_t c)
{
	const char *next = bc->slot[c][bc->n[c] - 1];
	size_t i;

	for (i = 0; i < MOS_BUF_PREFETCH_LINES &&
	     i * 64 < mos_buf_class_size(c); i++)
		__builtin_prefetch(next + i * 64, 1, 3);
}

static inline void *mos_buf_alloc(size_t size)
{
	struct mos_buf_cache *bc = &mos_buf_cache;
	size_t c = mos_buf_class(size);
	void *p;

	if (c >= MOS_BUF_CLASSES)
		return malloc(size);
	bc->out += mos_buf_class_size(c);
	if (!bc->n[c])
		return malloc(mos_buf_class_size(c));
	bc->bytes -= mos_buf_class_size(c);
	p = bc->slot[c][--bc->n[c]];
	if (bc->out > MOS_BUF_COLD_BYTES && bc->n[c])
		mos_buf_prefetch_next(bc, c);
	return p;
}

static inline void mos_buf_free(void *p, size_t size)
{
	struct mos_buf_cache *bc = &mos_buf_cache;
	size_t c = mos_buf_class(size);

	if (!p)
		return;
	/* Never below 0: another thread may free what this one took. */
	if (c < MOS_BUF_CLASSES)
		bc->out -= bc->out < mos_buf_class_size(c) ? bc->out :
			   mos_buf_class_size(c);
	if (c >= MOS_BUF_CLASSES ||
	    bc->bytes + mos_buf_class_size(c) > MOS_BUF_CACHE_MAX ||
	    (bc->n[c] == bc->room[c] && !mos_buf_cache_grow(c))) {
		free(p);
		return;
	}
	bc->slot[c][bc->n[c]++] = p;
	bc->bytes += mos_buf_class_size(c);
}

/*
 * A packet whose payload the engine reads through these (mos_input.pkt):
 * in userspace, simply the packet in memory, so the paths the kernel
 * takes for paged skbs run in the unit tests (test_engine).
 */
u64 mos_csum_add(u64 sum, const u8 *p, u32 len);	/* csum.c */

static inline void mos_pkt_copy(const void *pkt, u32 off, void *dst, u32 len)
{
	memcpy(dst, (const u8 *)pkt + off, len);
}

/*
 * Holding a packet's bytes beyond the packet's life (the kernel clones the
 * skb, platform_kernel.h). A packet in memory here belongs to its caller,
 * so holding copies the bytes into a reference-counted buffer: this only
 * serves the unit tests' paged packets, which run the engine's held
 * segments as the kernel does; offline input has no in.pkt. Ranges shorter
 * than mos_pkt_hold_min (platform_user.c) are copied: the tests set it to
 * take either path.
 */
extern u32 mos_pkt_hold_min;

struct mos_pkt_held {
	u32 refs;	/* one engine, one thread: no atomics */
	u8 bytes[];
};

static inline void *mos_pkt_hold(const void *pkt, u32 off, u32 len, u32 *hoff)
{
	struct mos_pkt_held *h;

	if (len < mos_pkt_hold_min)
		return NULL;
	h = malloc(sizeof(*h) + len);
	if (!h)
		return NULL;
	h->refs = 1;
	memcpy(h->bytes, (const u8 *)pkt + off, len);
	*hoff = 0;
	return h->bytes;
}

static inline struct mos_pkt_held *mos_pkt_held_of(void *held)
{
	return (struct mos_pkt_held *)((u8 *)held -
				       offsetof(struct mos_pkt_held, bytes));
}

static inline void mos_pkt_hold_more(void *held)
{
	mos_pkt_held_of(held)->refs++;
}

static inline void mos_pkt_unhold(void *held)
{
	struct mos_pkt_held *h = mos_pkt_held_of(held);

	if (!--h->refs)
		free(h);
}

/* Where bytes of such a packet are in memory: here, always. */
static inline const u8 *mos_pkt_flat(const void *pkt, u32 off)
{
	return (const u8 *)pkt + off;
}

static inline u64 mos_pkt_csum(const void *pkt, u32 off, u32 len)
{
	return mos_csum_add(0, (const u8 *)pkt + off, len);
}

/* Packet fields sit at any alignment in a capture buffer: copy, then swap. */
static inline u16 mos_get_be16(const void *p)
{
	u16 v;

	memcpy(&v, p, sizeof(v));
	return be16toh(v);
}

static inline u32 mos_get_be32(const void *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return be32toh(v);
}

struct mos_lock {
	pthread_mutex_t mutex;
};

static inline void mos_lock_init(struct mos_lock *lock)
{
	pthread_mutex_init(&lock->mutex, NULL);
}

static inline void mos_lock(struct mos_lock *lock)
{
	pthread_mutex_lock(&lock->mutex);
}

static inline void mos_unlock(struct mos_lock *lock)
{
	pthread_mutex_unlock(&lock->mutex);
}

#endif /* MOS_ENGINE_PLATFORM_USER_H */
