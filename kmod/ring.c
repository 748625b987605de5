// SPDX-License-Identifier: GPL-2.0
/*
 * The rings consumers mmap: single producer (a shard, under its lock),
 * single consumer (a userspace thread). The data pages are mapped twice in
 * a row, in the kernel and in userspace, as BPF's ring buffer does, so a
 * record is always contiguous and nothing has to be split at the wrap.
 * include/uapi/linux/mos_ring.h describes the layout and ordering.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "compat.h"
#include "ring.h"

#define MOS_RING_META_PAGES	2	/* consumer page, control page */

/**
 * mos_ring_new() - allocate a ring
 * @data_bytes: size of the data area, a power of two, at least a page
 * @node: NUMA node to allocate on (NUMA_NO_NODE for any)
 *
 * Pages are zeroed, so no kernel memory can reach userspace through
 * them. May sleep.
 *
 * Return: the ring, or NULL when out of memory.
 */
struct mos_ring *mos_ring_new(u32 data_bytes, int node)
{
	u32 data_pages = data_bytes >> PAGE_SHIFT, i;
	struct page **map;
	struct mos_ring *r;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return NULL;
	r->nr_pages = MOS_RING_META_PAGES + data_pages;
	r->pages = kvcalloc(r->nr_pages, sizeof(*r->pages), GFP_KERNEL);
	map = kvcalloc(r->nr_pages + data_pages, sizeof(*map), GFP_KERNEL);
	if (!r->pages || !map)
		goto err;
	for (i = 0; i < r->nr_pages; i++) {
		r->pages[i] = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO |
					       __GFP_NOWARN, 0);
		if (!r->pages[i])
			goto err;
		map[i] = r->pages[i];
	}
	for (i = 0; i < data_pages; i++)
		map[r->nr_pages + i] = r->pages[MOS_RING_META_PAGES + i];
	/* VM_USERMAP: remap_vmalloc_range() maps only such areas. */
	r->area = vmap(map, r->nr_pages + data_pages, VM_MAP | VM_USERMAP,
		       PAGE_KERNEL);
	if (!r->area)
		goto err;
	kvfree(map);
	r->cons = r->area;
	r->ctrl = r->area + PAGE_SIZE;
	r->data = r->area + MOS_RING_META_PAGES * PAGE_SIZE;
	r->mask = data_bytes - 1;
	r->ctrl->data_bytes = data_bytes;
	return r;

err:
	kvfree(map);
	mos_ring_free(r);
	return NULL;
}

/**
 * mos_ring_free() - free a ring no one produces into or maps any more
 * @r: the ring; NULL is allowed
 *
 * Userspace mappings hold their own page references, so they stay valid
 * (and show the last state) until unmapped.
 */
void mos_ring_free(struct mos_ring *r)
{
	u32 i;

	if (!r)
		return;
	if (r->area)
		vunmap(r->area);
	for (i = 0; r->pages && i < r->nr_pages; i++)
		if (r->pages[i])
			__free_page(r->pages[i]);
	kvfree(r->pages);
	kfree(r);
}

/**
 * mos_ring_mmap() - map part of a ring into a process
 * @r: the ring
 * @vma: the mapping
 * @pgoff: page offset within the ring's part of the file
 *
 * Only the consumer page (offset 0, one page) may be writable; everything
 * else is mapped read-only and cannot be made writable by mprotect().
 *
 * Return: 0 or a negative errno.
 */
int mos_ring_mmap(struct mos_ring *r, struct vm_area_struct *vma,
		  unsigned long pgoff)
{
	unsigned long pages = vma_pages(vma);
	u32 data_pages = (r->mask + 1) >> PAGE_SHIFT;

	if (vma->vm_flags & VM_WRITE) {
		if (pgoff != 0 || pages != 1)
			return -EPERM;
	} else {
		mos_vma_clear_flags(vma, VM_MAYWRITE);
	}
	if (pgoff > r->nr_pages + data_pages ||
	    pages > r->nr_pages + data_pages - pgoff)
		return -EINVAL;
	return remap_vmalloc_range(vma, r->area, pgoff);
}

/* The consumer's position, clamped to what it can possibly be. */
static u64 ring_consumer(struct mos_ring *r)
{
	/* Pairs with the consumer's release: it is done with those bytes. */
	u64 cons = smp_load_acquire(&r->cons->consumer);

	/*
	 * It may only move forward, and not past what was produced: any
	 * other value is a bug or an attack, and the last good one stands.
	 */
	if (cons >= r->consumer && cons <= r->producer)
		r->consumer = cons;
	return r->consumer;
}

/**
 * mos_ring_readable() - whether the consumer has records to read
 * @r: the ring
 *
 * Return: true when the producer is ahead of the consumer.
 */
bool mos_ring_readable(struct mos_ring *r)
{
	return READ_ONCE(r->ctrl->producer) !=
	       READ_ONCE(r->cons->consumer);
}

static bool ring_room(struct mos_ring *r, u64 cons, u32 size)
{
	return r->producer - cons + size <= (u64)r->mask + 1;
}

/*
 * Writes a LOST record, not yet published: mos_ring_commit() of the record
 * that follows (or mos_ring_flush_lost()) publishes both, so that whether
 * the reader waits is judged from the position before both. Published on
 * its own, the LOST record would move the producer past the waiting
 * reader's position, and the record after it would then never wake the
 * reader.
 */
static void ring_put_lost(struct mos_ring *r)
{
	struct mos_rec *rec = (struct mos_rec *)(r->data +
						 (r->producer & r->mask));

	memset(rec, 0, sizeof(*rec));
	rec->size = sizeof(*rec);
	rec->kind = MOS_REC_LOST;
	rec->off = r->pending_events;
	rec->len = r->pending_bytes;
	r->pending_events = 0;
	r->pending_bytes = 0;
	r->producer += sizeof(*rec);
	WRITE_ONCE(r->ctrl->records, r->ctrl->records + 1);
}

/**
 * mos_ring_reserve() - make room for a record
 * @r: the ring
 * @size: the record's size, a multiple of %MOS_RING_ALIGN

 * After losses, a LOST record goes first, when there is room for both.
 * The caller fills the space (padding included) and calls
 * mos_ring_commit(), which publishes both, or calls mos_ring_lose() when
 * this returns NULL.
 *
 * Return: where to write the record, or NULL when the ring is full.
 */
void *mos_ring_reserve(struct mos_ring *r, u32 size)
{
	u64 cons = ring_consumer(r);
	u32 need = size;

	if (r->pending_events)
		need += sizeof(struct mos_rec);
	if (!ring_room(r, cons, need))
		return NULL;
	if (r->pending_events)
		ring_put_lost(r);
	return r->data + (r->producer & r->mask);
}

/*
 * Publishes what was written since the last time. The consumer stores its
 * position, then (full barrier) reads ours before it sleeps; we store
 * ours, then (full barrier) read its. So either it sees the new records,
 * or we see that it had read everything before them and may be going to
 * sleep: then this returns true.
 */
static bool ring_publish(struct mos_ring *r)
{
	u64 old = r->published;

	/* The records' bytes are visible before the new position. */
	smp_store_release(&r->ctrl->producer, r->producer);
	r->published = r->producer;
	/* Orders the store above before the load below (see the comment). */
	smp_mb();
	return READ_ONCE(r->cons->consumer) == old;
}

/**
 * mos_ring_commit() - publish the record written at the reserved place
 * @r: the ring
 * @size: its size as reserved
 *
 * Publishes a LOST record written before it too (mos_ring_reserve()).
 *
 * Return: true when the consumer may be waiting for these records.
 */
bool mos_ring_commit(struct mos_ring *r, u32 size)
{
	r->producer += size;
	WRITE_ONCE(r->ctrl->records, r->ctrl->records + 1);
	return ring_publish(r);
}

/**
 * mos_ring_lose() - count an event the ring had no room for
 * @r: the ring
 * @bytes: its payload bytes
 */
void mos_ring_lose(struct mos_ring *r, u64 bytes)
{
	r->pending_events++;
	r->pending_bytes += bytes;
	WRITE_ONCE(r->ctrl->lost_events, r->ctrl->lost_events + 1);
	WRITE_ONCE(r->ctrl->lost_bytes, r->ctrl->lost_bytes + bytes);
}

/**
 * mos_ring_flush_lost() - write a pending LOST record if there is room
 * @r: the ring
 *
 * Return: true when a record was written and the reader may be waiting
 * for it.
 */
bool mos_ring_flush_lost(struct mos_ring *r)
{
	if (!r->pending_events ||
	    !ring_room(r, ring_consumer(r), sizeof(struct mos_rec)))
		return false;
	ring_put_lost(r);
	return ring_publish(r);
}
