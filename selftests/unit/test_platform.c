// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Unit tests of the engine's userspace platform layer. */
#include <pthread.h>
#include <stdint.h>
#include "engine/platform.h"
#include "tap.h"

static void test_byte_order(void)
{
	/* Odd offsets: capture buffers put headers at any alignment. */
	const u8 buf[] = { 0xff, 0x12, 0x34, 0x56, 0x78, 0x9a };

	TAP_CHECK(mos_get_be16(buf + 1) == 0x1234, "be16 at odd offset");
	TAP_CHECK(mos_get_be32(buf + 1) == 0x12345678u, "be32 at odd offset");
	TAP_CHECK(mos_get_be32(buf + 2) == 0x3456789au, "be32 at even offset");
	TAP_CHECK(mos_get_be16(buf) == 0xff12, "be16 high bit");
}

static void test_alloc(void)
{
	u8 *p = mos_zalloc(4096);
	int zero = 1;
	size_t i;

	TAP_CHECK(p != NULL, "zalloc returns memory");
	for (i = 0; p && i < 4096; i++)
		zero &= p[i] == 0;
	TAP_CHECK(zero, "zalloc memory is zeroed");
	mos_free(p);
	mos_free(NULL);
	TAP_CHECK(1, "free(NULL) is a no-op");
}

static void test_lock(void)
{
	struct mos_lock lock;

	mos_lock_init(&lock);
	mos_lock(&lock);
	mos_unlock(&lock);
	mos_lock(&lock);	/* would deadlock had unlock not released it */
	mos_unlock(&lock);
	TAP_CHECK(1, "lock, unlock, relock");
}

static void test_types(void)
{
	static_assert(sizeof(u8) == 1, "u8 is one byte");
	TAP_CHECK(sizeof(u16) == 2 && sizeof(u32) == 4 && sizeof(u64) == 8,
		  "fixed-width types");
	TAP_CHECK(likely(1) && !unlikely(0), "branch hints keep values");
}

static void test_buf_cache(void)
{
	struct mos_buf_cache *bc = &mos_buf_cache;
	void *a = mos_buf_alloc(1500), *b = mos_buf_alloc(1400);
	size_t c = mos_buf_class(1500), before;
	void *p[200];
	int i, ok = 1;

	TAP_CHECK(a && b && c == mos_buf_class(1400),
		  "1400 and 1500 bytes share a size class");
	mos_buf_free(a, 1500);
	mos_buf_free(b, 1400);
	TAP_CHECK(bc->n[c] == 2 && mos_buf_alloc(1500) == b &&
		  mos_buf_alloc(1500) == a,
		  "freed buffers come back, newest first");
	/* More than the first stack holds: it grows. */
	for (i = 0; i < 200; i++)
		ok &= !!(p[i] = mos_buf_alloc(700));
	for (i = 0; i < 200; i++)
		mos_buf_free(p[i], 700);
	TAP_CHECK(ok && bc->n[mos_buf_class(700)] == 200 &&
		  bc->room[mos_buf_class(700)] >= 200,
		  "200 buffers of a class are all kept");
	/* What is in use decides whether taken buffers are prefetched. */
	TAP_CHECK(bc->out == 2 * mos_buf_class_size(c),
		  "bytes in use counted (%zu)", bc->out);
	for (i = 0; i < 200; i++)
		p[i] = mos_buf_alloc(700);
	TAP_CHECK(bc->out == 2 * mos_buf_class_size(c) +
		  200 * mos_buf_class_size(mos_buf_class(700)),
		  "bytes in use grow with buffers taken from the cache");
	for (i = 0; i < 200; i++)
		mos_buf_free(p[i], 700);
	/* At the byte budget, buffers go back to malloc. */
	before = bc->bytes;
	bc->bytes = MOS_BUF_CACHE_MAX;
	mos_buf_free(a, 1500);
	TAP_CHECK(bc->n[c] == 0 && bc->bytes == MOS_BUF_CACHE_MAX,
		  "a full cache keeps nothing more");
	bc->bytes = before;
	mos_buf_free(b, 1500);
	p[0] = mos_buf_alloc(30000);
	mos_buf_free(p[0], 30000);
	TAP_CHECK(bc->bytes == before + (c << MOS_BUF_CLASS_SHIFT),
		  "buffers beyond the largest class are not cached");
}

/* Under LeakSanitizer, a thread's cache not drained at exit is a leak. */
static void *cache_in_thread(void *arg)
{
	int i;
	void *p[50];

	for (i = 0; i < 50; i++)
		p[i] = mos_buf_alloc(1000 + 100 * i);
	for (i = 0; i < 50; i++)
		mos_buf_free(p[i], 1000 + 100 * i);
	*(unsigned int *)arg = mos_buf_cache.n[mos_buf_class(1000)];
	return NULL;
}

static void test_buf_cache_thread(void)
{
	unsigned int kept = 0;
	pthread_t t;

	TAP_CHECK(!pthread_create(&t, NULL, cache_in_thread, &kept) &&
		  !pthread_join(t, NULL) && kept > 0,
		  "a thread's cached buffers (drained when it ends)");
}

int main(void)
{
	test_byte_order();
	test_alloc();
	test_lock();
	test_types();
	test_buf_cache();
	test_buf_cache_thread();
	return tap_done();
}
