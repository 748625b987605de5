/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connection entries of the engine: a slab cache with a reserve
 * preallocated at load, so that tracking new connections keeps working
 * when atomic allocations start failing under memory pressure.
 */
#ifndef MOS_FLOWMEM_H
#define MOS_FLOWMEM_H

#include <linux/types.h>

void *mos_flowmem_alloc(size_t size);
void mos_flowmem_free(void *p);
int mos_flowmem_init(size_t size);
void mos_flowmem_uninit(void);
unsigned int mos_flowmem_reserve(void);

#endif /* MOS_FLOWMEM_H */
