// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Internet checksum arithmetic in host byte order (RFC 1071: the ones'
 * complement sum does not care about byte order, so only the final
 * comparison needs the network order).
 *
 * Every payload byte of a validated segment passes through here, so the
 * loop is built for throughput: 32-bit words go into four independent
 * 64-bit sums, which cannot overflow (a u32 length holds fewer than 2^30
 * words per sum), instead of one sum whose end-around carry makes each
 * addition wait for the one before.
 */
#include "csum.h"

/* One ones' complement addition of two 64-bit sums. */
static u64 add_carry(u64 a, u64 b)
{
	a += b;
	return a + (a < b);
}

/**
 * mos_csum_add() - add bytes to a running ones' complement sum
 * @sum: the sum so far (0 to start)
 * @p: the bytes, at any alignment
 * @len: their count; an odd count is zero-padded, so only the last call
 *	of a sequence may pass one
 *
 * Return: the new sum, to be given to mos_csum_fold() at the end.
 */
u64 mos_csum_add(u64 sum, const u8 *p, u32 len)
{
	u64 s0 = 0, s1 = 0, s2 = 0, s3 = 0, w = 0;
	u32 v[4];

	for (; len >= sizeof(v); p += sizeof(v), len -= sizeof(v)) {
		memcpy(v, p, sizeof(v));
		s0 += v[0];
		s1 += v[1];
		s2 += v[2];
		s3 += v[3];
	}
	for (; len >= 4; p += 4, len -= 4) {
		memcpy(v, p, 4);
		s0 += v[0];
	}
	memcpy(&w, p, len);	/* the tail, zero-padded */
	sum = add_carry(sum, w);
	sum = add_carry(sum, s0 + s1);
	return add_carry(sum, s2 + s3);
}

/**
 * mos_csum_fold() - fold a sum from mos_csum_add() to 16 bits
 * @sum: the sum
 *
 * Return: the ones' complement sum in 16 bits (0xffff: a checksum that
 * verifies), in host byte order.
 */
u16 mos_csum_fold(u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}
