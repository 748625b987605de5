// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * What a callback may ask about packets and endpoints: the packet behind
 * the event (mos_getlastpkt()) and an endpoint's address
 * (mos_getpeername(), mos_endpoint_str()).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include "mos_int.h"

/* Which side of @c sent @p: -1 when it is not the connection's. */
static int sender_of(const struct mos_conn *c, const struct mos_pkt *p)
{
	const struct mos_flow *f = c->flow;
	int s;

	for (s = MOS_SIDE_CLI; s <= MOS_SIDE_SVR; s++)
		if (p->sport == f->port[s] &&
		    !memcmp(p->saddr, f->addr[s], sizeof(p->saddr)) &&
		    p->dport == f->port[!s] &&
		    !memcmp(p->daddr, f->addr[!s], sizeof(p->daddr)))
			return s;
	return -1;
}

int mos_getlastpkt(struct mos_ctx *mctx, int sock, int side,
		   struct mos_pkt_info *pi)
{
	const struct mos_last_pkt *lp = mctx->cur_pkt;
	const struct mos_pkt *p;
	struct mos_conn *c = NULL;
	int sender = -1;

	if (side != MOS_SIDE_CLI && side != MOS_SIDE_SVR &&
	    side != MOS_SIDE_BOTH)
		return -EINVAL;
	if (sock != MOS_STREAM_SOCK && sock != MOS_RAW_SOCK) {
		c = mos_conn_lookup(mctx, sock);
		if (!c)
			return -EBADF;
	}
	if (!mctx->cur_ev)
		return -ENOENT;
	if (!lp)
		return -ENODATA;
	p = lp->pkt;
	if (c) {
		sender = sender_of(c, p);
		if (sender < 0)
			return -ENODATA;	/* not this connection's */
	} else if (sock == MOS_RAW_SOCK && mctx->raw_side != MOS_SIDE_BOTH) {
		sender = mctx->raw_side;
	}
	if (side != MOS_SIDE_BOTH && sender != side)
		return -ENODATA;
	memset(pi, 0, sizeof(*pi));
	pi->ts_ns = lp->ts_ns;
	pi->side = sender;
	pi->ip_version = p->ip_version;
	memcpy(pi->saddr, p->saddr, sizeof(pi->saddr));
	memcpy(pi->daddr, p->daddr, sizeof(pi->daddr));
	pi->sport = p->sport;
	pi->dport = p->dport;
	pi->ip = lp->ip;
	pi->ip_len = lp->caplen;
	pi->tcp = lp->ip + p->l4_off;
	pi->tcp_hdr_len = p->tcp_hdr_len;
	pi->payload_len = p->payload_len;
	/* The payload is at hand when the packet was captured whole. */
	if ((uint32_t)p->l4_off + p->tcp_hdr_len + p->payload_len <=
	    lp->caplen)
		pi->payload = pi->tcp + p->tcp_hdr_len;
	pi->wire_len = lp->len;
	pi->seq = p->seq;
	pi->ack = p->ack;
	pi->window = p->window;
	pi->tcp_flags = p->tcp_flags;
	return 0;
}

int mos_getpeername(struct mos_ctx *mctx, int sock, int side,
		    struct sockaddr *addr, socklen_t *addrlen)
{
	struct mos_conn *c = mos_conn_lookup(mctx, sock);
	struct mos_flow_info fi;
	socklen_t need;

	if (!c)
		return -EBADF;
	if ((side != MOS_SIDE_CLI && side != MOS_SIDE_SVR) || !addrlen ||
	    (!addr && *addrlen))
		return -EINVAL;
	mos_get_flow_info(mctx, sock, &fi);
	need = fi.addr[side].ss_family == AF_INET ?
	       sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	if (*addrlen)
		memcpy(addr, &fi.addr[side], *addrlen < need ? *addrlen : need);
	*addrlen = need;
	return 0;
}

char *mos_endpoint_str(const struct sockaddr_storage *ss, char *buf,
		       size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (!len)
		return buf;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(sin->sin_port));
	} else {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(sin6->sin6_port));
	}
	return buf;
}
