/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MOS_RING_H
#define MOS_RING_H

#include <linux/mm_types.h>
#include <linux/types.h>
#include <uapi/linux/mos_ring.h>

/**
 * struct mos_ring - the producer's side of one ring
 * @area: the vmap'ed pages: consumer page, control page, data twice
 * @cons: the consumer's page (user-writable: read, never trusted)
 * @ctrl: the control page
 * @data: the data area; @data[i + size] aliases @data[i]
 * @pages: the distinct pages, for freeing
 * @nr_pages: number of @pages
 * @mask: data size - 1
 * @producer: bytes produced (the kernel's own copy)
 * @published: @producer as last stored in the control page
 * @consumer: the last consumer position accepted
 * @pending_events: events lost since the last LOST record
 * @pending_bytes: their payload bytes
 *
 * Producers of one ring are serialised by their shard's lock.
 */
struct mos_ring {
	void *area;
	struct mos_ring_cons *cons;
	struct mos_ring_ctrl *ctrl;
	u8 *data;
	struct page **pages;
	u32 nr_pages;
	u32 mask;
	u64 producer;
	u64 published;
	u64 consumer;
	u64 pending_events;
	u64 pending_bytes;
};

struct mos_ring *mos_ring_new(u32 data_bytes, int node);
void mos_ring_free(struct mos_ring *r);
int mos_ring_mmap(struct mos_ring *r, struct vm_area_struct *vma,
		  unsigned long pgoff);
bool mos_ring_readable(struct mos_ring *r);
void *mos_ring_reserve(struct mos_ring *r, u32 size);
bool mos_ring_commit(struct mos_ring *r, u32 size);
void mos_ring_lose(struct mos_ring *r, u64 bytes);
bool mos_ring_flush_lost(struct mos_ring *r);

/**
 * mos_ring_unread() - bytes of records the consumer has not given back
 * @r: the ring, under its producer's lock
 *
 * Return: the count, as of the consumer position last read (at most too
 * high, never too low).
 */
static inline u64 mos_ring_unread(const struct mos_ring *r)
{
	return r->producer - r->consumer;
}

#endif /* MOS_RING_H */
