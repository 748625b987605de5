/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Packet builder for the engine's unit tests: IPv4 or IPv6 + TCP (options,
 * payload) with correct IP and TCP checksums, in an exact-size heap buffer
 * so that the sanitizers catch any read past the end.
 */
#ifndef MOS_SELFTESTS_PKTGEN_H
#define MOS_SELFTESTS_PKTGEN_H

#include <stdlib.h>
#include <string.h>
#include "engine/parse.h"

/**
 * struct pg_seg - what to put in one segment
 * @flags: MOS_TCP_*
 * @seq: sequence number
 * @ack: acknowledgment number
 * @win: raw window (0 means 65535)
 * @opt: option bytes (a multiple of 4 long)
 * @optlen: their length
 * @data: payload
 * @len: payload length
 */
struct pg_seg {
	u8 flags;
	u32 seq;
	u32 ack;
	u16 win;
	const u8 *opt;
	u32 optlen;
	const u8 *data;
	u32 len;
};

/**
 * struct pg_ep - one endpoint
 * @addr: IPv6 address, or IPv4 in bytes 12..15
 * @port: port, host order
 */
struct pg_ep {
	u8 addr[16];
	u16 port;
};

static inline void pg_put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void pg_put32(u8 *p, u32 v)
{
	pg_put16(p, v >> 16);
	pg_put16(p + 2, v & 0xffff);
}

/* Ones' complement sum of big-endian 16-bit words. */
static inline u32 pg_sum(u32 sum, const u8 *p, u32 len)
{
	u32 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (u32)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (u32)p[len - 1] << 8;
	return sum;
}

static inline u16 pg_fold(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

/*
 * Build one packet from @src to @dst into a new exact-size heap buffer;
 * *@len receives its length. The caller frees it.
 */
static inline u8 *pg_build(int v6, const struct pg_ep *src,
			   const struct pg_ep *dst, const struct pg_seg *s,
			   u32 *len)
{
	u32 iphl = v6 ? 40 : 20, thl = 20 + s->optlen;
	u32 seglen = thl + s->len, tot = iphl + seglen, sum = 0;
	u8 *pkt = calloc(1, tot), *th = pkt + iphl, tail[4];

	if (v6) {
		pkt[0] = 0x60;
		pg_put16(pkt + 4, seglen);
		pkt[6] = 6;
		pkt[7] = 64;
		memcpy(pkt + 8, src->addr, 16);
		memcpy(pkt + 24, dst->addr, 16);
		sum = pg_sum(sum, src->addr, 16);
		sum = pg_sum(sum, dst->addr, 16);
	} else {
		pkt[0] = 0x45;
		pg_put16(pkt + 2, tot);
		pkt[8] = 64;
		pkt[9] = 6;
		memcpy(pkt + 12, src->addr + 12, 4);
		memcpy(pkt + 16, dst->addr + 12, 4);
		pg_put16(pkt + 10, pg_fold(pg_sum(0, pkt, 20)));
		sum = pg_sum(sum, src->addr + 12, 4);
		sum = pg_sum(sum, dst->addr + 12, 4);
	}
	pg_put16(th, src->port);
	pg_put16(th + 2, dst->port);
	pg_put32(th + 4, s->seq);
	pg_put32(th + 8, s->ack);
	th[12] = (thl / 4) << 4;
	th[13] = s->flags;
	pg_put16(th + 14, s->win ? s->win : 65535);
	if (s->optlen)
		memcpy(th + 20, s->opt, s->optlen);
	if (s->len)
		memcpy(th + thl, s->data, s->len);
	tail[0] = 0;
	tail[1] = 6;
	pg_put16(tail + 2, seglen);
	sum = pg_sum(sum, tail, 4);
	sum = pg_sum(sum, th, seglen);
	pg_put16(th + 16, pg_fold(sum));
	*len = tot;
	return pkt;
}

#endif /* MOS_SELFTESTS_PKTGEN_H */
