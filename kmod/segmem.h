/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stream segment buffers of the engine: slab caches by size class, each
 * with a reserve preallocated at load, so that reassembly keeps working
 * when atomic allocations start failing under memory pressure.
 */
#ifndef MOS_SEGMEM_H
#define MOS_SEGMEM_H

#include <linux/types.h>

void *mos_segmem_alloc(size_t size);
void mos_segmem_free(void *p, size_t size);
int mos_segmem_init(void);
void mos_segmem_uninit(void);

#endif /* MOS_SEGMEM_H */
