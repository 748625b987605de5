// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libmos-compat peeking: the bytes of a stream (mtcp_peek(), mtcp_ppeek())
 * and the packet being dispatched (mtcp_getlastpkt()).
 */
#include <limits.h>
#include <string.h>
#include "compat_int.h"

ssize_t mtcp_peek(mctx_t mctx, int sock, int side, char *buf, size_t len)
{
	struct cctx *c = ctx_ok(mctx);
	uint64_t before, missed;
	ssize_t ret;

	if (!c)
		return -1;
	if (!c->n)
		return fail(EBADF);
	if (!side_ok(side))
		return fail(EINVAL);
	/* A zero-length read moves past bytes that left the window. */
	before = mos_peek_skipped(c->n, sock, side);
	ret = mos_peek(c->n, sock, side, buf, 0);
	if (ret < 0)
		return fail(ret);
	missed = mos_peek_skipped(c->n, sock, side) - before;
	if (missed) {
		errno = ENODATA;
		return missed > SSIZE_MAX ? -SSIZE_MAX : -(ssize_t)missed;
	}
	if (!len)
		return 0;
	ret = mos_peek(c->n, sock, side, buf, len);
	if (ret < 0)
		return fail(ret);
	if (!ret)
		return fail(EAGAIN);
	return ret;
}

ssize_t mtcp_ppeek(mctx_t mctx, int sock, int side, char *buf, size_t count,
		   uint64_t off)
{
	struct cctx *c = ctx_ok(mctx);
	ssize_t ret;

	if (!c)
		return -1;
	if (!c->n)
		return fail(EBADF);
	if (!side_ok(side))
		return fail(EINVAL);
	ret = mos_ppeek(c->n, sock, side, buf, count, off);
	if (ret == -ERANGE)
		return fail(ENODATA);
	return ret < 0 ? fail(ret) : ret;
}

int mtcp_getlastpkt(mctx_t mctx, int sock, int side, struct pkt_info *p)
{
	struct cctx *c = ctx_ok(mctx);
	struct mos_pkt_info pi;
	struct mos_buf_info bi;
	socklen_t blen = sizeof(bi);
	struct ethhdr *eth;
	uint32_t n;
	int ret;

	if (!c)
		return -1;
	if (!c->n)
		return fail(EBADF);
	if (!p)
		return fail(EINVAL);
	/* mOS ignores @side (no RECORDPKT_PER_STREAM): the current packet */
	ret = mos_getlastpkt(c->n, sock, N_SIDE_BOTH, &pi);
	if (ret)
		return fail(ret);
	n = pi.ip_len < FRAME_ROOM - ETH_HLEN ? pi.ip_len :
						FRAME_ROOM - ETH_HLEN;
	eth = (struct ethhdr *)c->frame;
	memset(eth, 0, ETH_HLEN);
	eth->h_proto = htons(pi.ip_version == 6 ? ETH_P_IPV6 : ETH_P_IP);
	memcpy(c->frame + ETH_HLEN, pi.ip, n);
	memset(p, 0, sizeof(*p));
	p->cur_ts = (uint32_t)(pi.ts_ns / 1000000);
	p->in_ifidx = -1;
	p->eth_len = ETH_HLEN + n > 0xffff ? 0xffff : ETH_HLEN + n;
	p->ip_len = pi.wire_len > 0xffff ? 0xffff : pi.wire_len;
	p->payloadlen = pi.payload_len > 0xffff ? 0xffff : pi.payload_len;
	p->seq = pi.seq;
	p->ack_seq = pi.ack;
	p->window = pi.window;
	p->ethh = eth;
	p->iph = (struct iphdr *)(c->frame + ETH_HLEN);
	if (pi.tcp && pi.tcp >= pi.ip && pi.tcp < pi.ip + n)
		p->tcph = (struct tcphdr *)(c->frame + ETH_HLEN +
					    (pi.tcp - pi.ip));
	if (pi.payload && pi.payload >= pi.ip && pi.payload < pi.ip + n)
		p->payload = c->frame + ETH_HLEN + (pi.payload - pi.ip);
	/* Stream offset: from the receiver's stream (sender's ISN). */
	if ((pi.side == N_SIDE_CLI || pi.side == N_SIDE_SVR) &&
	    !mos_getsockopt(c->n, sock, !pi.side, MOS_OPT_BUF_INFO, &bi,
			    &blen))
		p->offset = (uint32_t)(pi.seq - bi.isn - 1);
	return 0;
}
