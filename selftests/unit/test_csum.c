// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the engine's checksum arithmetic (kmod/engine/csum.c)
 * against the textbook RFC 1071 sum of big-endian 16-bit words: every
 * length up to 300 at every alignment, sums chained over several calls,
 * and the worst case for carries (all bytes 0xff).
 */
#include <stdlib.h>
#include "engine/csum.h"
#include "tap.h"

/* RFC 1071, 4.1, over @len bytes (odd: zero-padded), in network order. */
static u16 ref_sum(const u8 *p, u32 len)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (u32)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (u32)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* Ours, converted to network order for the comparison. */
static u16 our_sum(u64 sum)
{
	u16 v = mos_csum_fold(sum);
	u8 b[2];

	memcpy(b, &v, 2);
	return (u16)(b[0] << 8 | b[1]);
}

int main(void)
{
	static u8 buf[2048];
	u32 len, align, cut, bad = 0, bad_chain = 0, i;

	srand(1);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = rand();
	for (len = 0; len <= 300; len++)
		for (align = 0; align < 8; align++)
			bad += our_sum(mos_csum_add(0, buf + align, len)) !=
			       ref_sum(buf + align, len);
	TAP_CHECK(!bad, "lengths 0..300 at 8 alignments: as RFC 1071 (%u off)",
		  bad);
	/* The engine adds the pseudo-header in pieces, then the segment. */
	for (len = 0; len <= 300; len++)
		for (cut = 0; cut <= len && cut <= 40; cut += 2) {
			u64 sum = mos_csum_add(0, buf + 1, cut);

			sum = mos_csum_add(sum, buf + 1 + cut, len - cut);
			bad_chain += our_sum(sum) != ref_sum(buf + 1, len);
		}
	TAP_CHECK(!bad_chain, "a sum chained over two calls (even cut) (%u off)",
		  bad_chain);
	memset(buf, 0xff, sizeof(buf));
	TAP_CHECK(our_sum(mos_csum_add(~0ull, buf, sizeof(buf))) == 0xffff &&
		  ref_sum(buf, sizeof(buf)) == 0xffff,
		  "all ones, from an all-ones start: carries kept");
	memset(buf, 0, sizeof(buf));
	buf[2047] = 1;
	TAP_CHECK(our_sum(mos_csum_add(0, buf, sizeof(buf))) == 1,
		  "the last byte of 2048 counts (low half of its word)");
	return tap_done();
}
