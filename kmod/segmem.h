/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stream segment buffers of the engine: slab caches by size class, each
 * with a reserve preallocated at load, so that reassembly keeps working
 * when atomic allocations start failing under memory pressure.
 */
#ifndef MOS_SEGMEM_H
#define MOS_SEGMEM_H

#include <linux/log2.h>
#include <linux/types.h>

#define MOS_SEGMEM_MIN_SHIFT	8	/* 256 bytes */
#define MOS_SEGMEM_MAX_SHIFT	14	/* 16 KiB */
#define MOS_SEGMEM_CLASSES	(MOS_SEGMEM_MAX_SHIFT - MOS_SEGMEM_MIN_SHIFT + 1)

/* The size class of @size; MOS_SEGMEM_CLASSES when none holds it. */
static inline unsigned int mos_segmem_class(size_t size)
{
	if (!size || size > (1UL << MOS_SEGMEM_MAX_SHIFT))
		return MOS_SEGMEM_CLASSES;
	if (size <= (1UL << MOS_SEGMEM_MIN_SHIFT))
		return 0;
	return order_base_2(size) - MOS_SEGMEM_MIN_SHIFT;
}

/* The size of class @c's buffers. */
static inline size_t mos_segmem_class_size(unsigned int c)
{
	return (size_t)1 << (MOS_SEGMEM_MIN_SHIFT + c);
}

void *mos_segmem_alloc(size_t size);
void mos_segmem_free(void *p, size_t size);
int mos_segmem_init(void);
void mos_segmem_uninit(void);

#endif /* MOS_SEGMEM_H */
