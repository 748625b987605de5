// SPDX-License-Identifier: GPL-2.0
/*
 * Connection entries from a slab cache backed by a mempool: the pool
 * holds flow_reserve entries allocated at load. mempool_alloc() without
 * __GFP_DIRECT_RECLAIM never sleeps: it tries the slab first and takes a
 * reserved entry when that fails, so the engine (softirq, a shard lock
 * held) gets connections even when the page allocator is short. Freed
 * entries refill the reserve first.
 */
#include <linux/mempool.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "flowmem.h"

static unsigned int flow_reserve = 4096;
module_param(flow_reserve, uint, 0444);
MODULE_PARM_DESC(flow_reserve,
		 "connection entries preallocated at load (default 4096)");

static struct kmem_cache *mos_flow_cache;
static mempool_t *mos_flow_pool;
static size_t mos_flow_size;

/**
 * mos_flowmem_alloc() - a zeroed connection entry
 * @size: its size; must be the size given to mos_flowmem_init()
 *
 * Return: the entry, or NULL when neither the slab nor the reserve has
 * one (the engine counts it).
 */
void *mos_flowmem_alloc(size_t size)
{
	void *p;

	if (WARN_ON_ONCE(size != mos_flow_size))
		return NULL;
	p = mempool_alloc(mos_flow_pool, GFP_ATOMIC | __GFP_NOWARN);
	if (p)
		memset(p, 0, size);
	return p;
}

/**
 * mos_flowmem_free() - give back an entry from mos_flowmem_alloc()
 * @p: the entry, or NULL
 */
void mos_flowmem_free(void *p)
{
	if (p)
		mempool_free(p, mos_flow_pool);
}

/**
 * mos_flowmem_init() - create the cache and fill the reserve
 * @size: size of a connection entry
 *
 * Return: 0 or -ENOMEM.
 */
int mos_flowmem_init(size_t size)
{
	mos_flow_size = size;
	mos_flow_cache = kmem_cache_create("mos_flow", size, 0,
					   SLAB_HWCACHE_ALIGN, NULL);
	if (!mos_flow_cache)
		return -ENOMEM;
	mos_flow_pool = mempool_create_slab_pool(max(flow_reserve, 1U),
						 mos_flow_cache);
	if (!mos_flow_pool) {
		kmem_cache_destroy(mos_flow_cache);
		mos_flow_cache = NULL;
		return -ENOMEM;
	}
	return 0;
}

/**
 * mos_flowmem_uninit() - free the reserve and the cache
 *
 * Every entry must have been freed: the engines are gone.
 */
void mos_flowmem_uninit(void)
{
	mempool_destroy(mos_flow_pool);
	mos_flow_pool = NULL;
	kmem_cache_destroy(mos_flow_cache);
	mos_flow_cache = NULL;
}

/**
 * mos_flowmem_reserve() - entries preallocated at load
 *
 * Return: the reserve's size.
 */
unsigned int mos_flowmem_reserve(void)
{
	return max(flow_reserve, 1U);
}
