// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Unit tests of the engine's userspace platform layer. */
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

int main(void)
{
	test_byte_order();
	test_alloc();
	test_lock();
	test_types();
	return tap_done();
}
