// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What copying one byte costs on this CPU, as the kernel copies: x86-64
 * kernels copy with "rep movsb" (memcpy, copy_to_user, skb_copy_bits) when
 * the CPU says it has fast strings (ERMS), as the guest's CPU model does.
 * Natively that runs at tens of GB/s; under QEMU's software emulation (TCG)
 * it runs one emulated iteration per byte, far slower than the same copy
 * done eight bytes at a time. forward-guest.sh uses the rate to say how
 * much of the forwarding throughput any consumer that reads every byte
 * must cost: each byte reaches userspace through at least one such copy.
 *
 * Copies 14 KiB records (what a NEW_DATA record typically carries in the
 * forwarding benchmark) through a 16 MiB area, as a ring is filled.
 * Last line: "movsb_mbps=X memcpy_mbps=Y words_mbps=Z".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AREA	(16u << 20)
#define RECORD	(14u << 10)
#define TOTAL	(256ull << 20)

typedef void (*copy_fn)(void *dst, const void *src, size_t len);

static void copy_movsb(void *dst, const void *src, size_t len)
{
	asm volatile("rep movsb"
		     : "+D"(dst), "+S"(src), "+c"(len) : : "memory");
}

static void copy_memcpy(void *dst, const void *src, size_t len)
{
	memcpy(dst, src, len);
}

/*
 * Eight bytes per instruction, as kernels without ERMS copy. The empty asm
 * hides each word from the compiler, which would otherwise turn the loop
 * back into a call to memcpy.
 */
static void copy_words(void *dst, const void *src, size_t len)
{
	const uint64_t *s = src;
	uint64_t *d = dst;
	size_t i;

	for (i = 0; i < len / 8; i++) {
		uint64_t w = s[i];

		asm("" : "+r"(w));
		d[i] = w;
	}
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* MB/s of @fn copying records from @src to @dst, each area used in turn. */
static double rate(copy_fn fn, uint8_t *dst, const uint8_t *src)
{
	unsigned long long done;
	size_t off = 0;
	double t = now();

	for (done = 0; done < TOTAL; done += RECORD) {
		fn(dst + off, src + off, RECORD);
		off += RECORD;
		if (off + RECORD > AREA)
			off = 0;
	}
	return TOTAL / (now() - t) / 1e6;
}

int main(void)
{
	uint8_t *src = aligned_alloc(4096, AREA);
	uint8_t *dst = aligned_alloc(4096, AREA);
	double movsb, mem, words;

	if (!src || !dst) {
		fprintf(stderr, "copyrate: out of memory\n");
		return 1;
	}
	memset(src, 0x5a, AREA);
	memset(dst, 0, AREA);
	/* Once to fault the pages in and translate the code, then measured. */
	rate(copy_movsb, dst, src);
	movsb = rate(copy_movsb, dst, src);
	mem = rate(copy_memcpy, dst, src);
	words = rate(copy_words, dst, src);
	if (memcmp(dst, src, AREA / RECORD * RECORD)) {
		fprintf(stderr, "copyrate: copies differ\n");
		return 1;
	}
	printf("movsb_mbps=%.0f memcpy_mbps=%.0f words_mbps=%.0f\n", movsb,
	       mem, words);
	free(src);
	free(dst);
	return 0;
}
