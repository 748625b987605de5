// SPDX-License-Identifier: GPL-2.0
/*
 * Stream segment buffers: one slab cache per power-of-two size class from
 * 256 bytes to 16 KiB (the engine's largest segment, MOS_REASM_ALLOC_MAX),
 * each behind a mempool. The pools together hold seg_reserve_kib of
 * buffers allocated at load, the same number of bytes in each class.
 * mempool_alloc() without __GFP_DIRECT_RECLAIM never sleeps: it tries the
 * slab first and takes a reserved buffer when that fails; freed buffers
 * refill the reserve first. Beyond the reserve, the engine's byte caps
 * (global and per stream) bound what is stored.
 */
#include <linux/kernel.h>
#include <linux/mempool.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include "engine/reasm.h"
#include "segmem.h"

static unsigned int seg_reserve_kib = 4096;
module_param(seg_reserve_kib, uint, 0444);
MODULE_PARM_DESC(seg_reserve_kib,
		 "KiB of stream segment buffers preallocated at load (default 4096)");

static const char * const segmem_names[MOS_SEGMEM_CLASSES] = {
	"mos_seg_256", "mos_seg_512", "mos_seg_1k", "mos_seg_2k",
	"mos_seg_4k", "mos_seg_8k", "mos_seg_16k",
};

static struct kmem_cache *segmem_cache[MOS_SEGMEM_CLASSES];
static mempool_t *segmem_pool[MOS_SEGMEM_CLASSES];

/**
 * mos_segmem_alloc() - a buffer for a stream segment, never sleeping
 * @size: bytes wanted, at most 16 KiB
 *
 * Return: the buffer (not zeroed), or NULL when neither the slab nor the
 * reserve has one, or @size is beyond the largest class (the engine
 * counts it).
 */
void *mos_segmem_alloc(size_t size)
{
	unsigned int c = mos_segmem_class(size);

	if (WARN_ON_ONCE(c >= MOS_SEGMEM_CLASSES))
		return NULL;
	return mempool_alloc(segmem_pool[c], GFP_ATOMIC | __GFP_NOWARN);
}

/**
 * mos_segmem_free() - give back a buffer from mos_segmem_alloc()
 * @p: the buffer, or NULL
 * @size: the size it was allocated with
 */
void mos_segmem_free(void *p, size_t size)
{
	unsigned int c = mos_segmem_class(size);

	if (p && !WARN_ON_ONCE(c >= MOS_SEGMEM_CLASSES))
		mempool_free(p, segmem_pool[c]);
}

/**
 * mos_segmem_init() - create the caches and fill the reserves
 *
 * Return: 0 or -ENOMEM.
 */
int mos_segmem_init(void)
{
	u64 per_class = (u64)seg_reserve_kib * SZ_1K / MOS_SEGMEM_CLASSES;
	int c;

	BUILD_BUG_ON(MOS_REASM_ALLOC_MAX > 1UL << MOS_SEGMEM_MAX_SHIFT);

	for (c = 0; c < MOS_SEGMEM_CLASSES; c++) {
		size_t size = mos_segmem_class_size(c);
		u64 nr = max_t(u64, per_class / size, 1);

		segmem_cache[c] = kmem_cache_create(segmem_names[c], size, 0,
						    0, NULL);
		if (!segmem_cache[c])
			goto fail;
		segmem_pool[c] = mempool_create_slab_pool(min_t(u64, nr, INT_MAX),
							  segmem_cache[c]);
		if (!segmem_pool[c])
			goto fail;
	}
	return 0;
fail:
	mos_segmem_uninit();
	return -ENOMEM;
}

/**
 * mos_segmem_uninit() - free the reserves and the caches
 *
 * Every buffer must have been freed: the engines are gone.
 */
void mos_segmem_uninit(void)
{
	int c;

	for (c = 0; c < MOS_SEGMEM_CLASSES; c++) {
		mempool_destroy(segmem_pool[c]);
		segmem_pool[c] = NULL;
		kmem_cache_destroy(segmem_cache[c]);
		segmem_cache[c] = NULL;
	}
}
