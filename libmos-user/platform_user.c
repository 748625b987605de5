// SPDX-License-Identifier: LGPL-2.1 OR MIT
/* State of the engine's userspace platform layer (platform_user.h). */
#include "engine/platform.h"

__thread struct mos_buf_cache mos_buf_cache;

/* Shortest range of a packet held rather than copied (mos_pkt_hold()). */
u32 mos_pkt_hold_min = 64;

/**
 * mos_buf_cache_off() - let every freed buffer go back to malloc
 *
 * For sanitizer runs, where a cached buffer would hide a use after free
 * or a leak. Call it before the thread frees any buffer.
 */
void mos_buf_cache_off(void)
{
	mos_buf_cache.bytes = MOS_BUF_CACHE_MAX;
}

static pthread_key_t buf_cache_key;
static pthread_once_t buf_cache_once = PTHREAD_ONCE_INIT;
static bool buf_cache_key_ok;

/* A thread's cached buffers go back to malloc when the thread ends. */
static void buf_cache_drain(void *arg)
{
	struct mos_buf_cache *bc = arg;
	size_t c;

	for (c = 0; c < MOS_BUF_CLASSES; c++) {
		while (bc->n[c])
			free(bc->slot[c][--bc->n[c]]);
		free(bc->slot[c]);
		bc->slot[c] = NULL;
		bc->room[c] = 0;
	}
	bc->bytes = 0;
}

static void buf_cache_key_init(void)
{
	buf_cache_key_ok = !pthread_key_create(&buf_cache_key,
					       buf_cache_drain);
}

/**
 * mos_buf_cache_grow() - make room for more pointers in a class's stack
 * @c: the size class
 *
 * Called by mos_buf_free() when the stack is full. The first call in a
 * thread arranges for the thread's cache to be drained when it exits.
 *
 * Return: true if there is room now; false leaves the buffer to free().
 */
bool mos_buf_cache_grow(size_t c)
{
	struct mos_buf_cache *bc = &mos_buf_cache;
	unsigned int room = bc->room[c] ? bc->room[c] * 2 : 64;
	void **slot;

	pthread_once(&buf_cache_once, buf_cache_key_init);
	if (!buf_cache_key_ok || pthread_setspecific(buf_cache_key, bc))
		return false;
	slot = realloc(bc->slot[c], room * sizeof(*slot));
	if (!slot)
		return false;
	bc->slot[c] = slot;
	bc->room[c] = room;
	return true;
}
