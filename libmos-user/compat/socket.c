// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libmos-compat sockets: monitoring sockets, their filters and user
 * contexts, the peers of a connection and its reset.
 *
 * Sockets are libmos-user's numbers: the stream listener, the raw socket
 * and connection sockets are passed through unchanged.
 */
#include <string.h>
#include "compat_int.h"

int mtcp_socket(mctx_t mctx, int domain, int type, int protocol)
{
	struct cctx *c = ctx_ok(mctx);
	int ret;

	if (!c)
		return -1;
	if (type != MOS_SOCK_MONITOR_STREAM && type != MOS_SOCK_MONITOR_RAW)
		return fail(type == MOS_SOCK_STREAM ||
			    type == MOS_SOCK_STREAM_LISTEN ? ENOTSUP : EINVAL);
	if (!c->n)	/* secondary: the primary's numbers, never used */
		ret = type == MOS_SOCK_MONITOR_STREAM ? 0 : 1;
	else
		ret = mos_socket(c->n, type == MOS_SOCK_MONITOR_STREAM ?
				 N_SOCK_MONITOR_STREAM : N_SOCK_MONITOR_RAW);
	if (ret < 0)
		return fail(ret);
	if (type == MOS_SOCK_MONITOR_STREAM)
		c->stream_sock = ret;
	else
		c->raw_sock = ret;
	return ret;
}

/* Nothing to release: connections close at CONN_END, listeners with it. */
int mtcp_close(mctx_t mctx, int sock)
{
	return ctx_ok(mctx) ? 0 : -1;
}

int mtcp_bind_monitor_filter(mctx_t mctx, int sock, monitor_filter_t ft)
{
	struct cctx *c = ctx_ok(mctx);
	int ret = 0;

	if (!c)
		return -1;
	if (!ft || !c->n)
		return 0;
	if (sock >= 0 && sock == c->raw_sock) {
		if (ft->raw_pkt_filter)
			ret = mos_bind_monitor_filter(c->n, sock,
						      MOS_FILTER_KIND_RAW,
						      ft->raw_pkt_filter);
	} else if (sock >= 0 && sock == c->stream_sock) {
		if (ft->stream_syn_filter)
			ret = mos_bind_monitor_filter(c->n, sock,
						      MOS_FILTER_KIND_SYN,
						      ft->stream_syn_filter);
		if (!ret && ft->stream_orphan_filter)
			ret = mos_bind_monitor_filter(c->n, sock,
						      MOS_FILTER_KIND_ORPHAN,
						      ft->stream_orphan_filter);
	} else {
		ret = -EBADF;
	}
	return ret ? fail(ret) : 0;
}

void mtcp_set_uctx(mctx_t mctx, int sock, void *uctx)
{
	struct cctx *c = ctx_ok(mctx);
	int ret;

	if (!c)
		return;
	ret = c->n ? mos_set_uctx(c->n, sock, uctx) : -EBADF;
	if (ret)
		errno = -ret;
}

void *mtcp_get_uctx(mctx_t mctx, int sock)
{
	struct cctx *c = ctx_ok(mctx);

	if (!c || !c->n)
		return NULL;
	return mos_get_uctx(c->n, sock);
}

int mtcp_getpeername(mctx_t mctx, int sock, struct sockaddr *saddr,
		     socklen_t *addrlen, int side)
{
	struct cctx *c = ctx_ok(mctx);
	struct mos_flow_info fi;
	size_t one, need;
	int ret, s, first, last;

	if (!c)
		return -1;
	if (!c->n)
		return fail(EBADF);
	if (!saddr || !addrlen)
		return fail(EINVAL);
	if (side != MOS_SIDE_CLI && side != MOS_SIDE_SVR &&
	    side != MOS_SIDE_BOTH)
		return fail(EINVAL);
	ret = mos_get_flow_info(c->n, sock, &fi);
	if (ret)
		return fail(ret == -EBADF ? ENOTCONN : -ret);
	one = fi.addr[0].ss_family == AF_INET6 ?
	      sizeof(struct sockaddr_in6) : sizeof(struct sockaddr);
	need = side == MOS_SIDE_BOTH ? 2 * one : one;
	if (*addrlen < need)
		return fail(fi.addr[0].ss_family == AF_INET6 &&
			    *addrlen >= (side == MOS_SIDE_BOTH ? 2 : 1) *
			    sizeof(struct sockaddr) ? EAFNOSUPPORT : EINVAL);
	first = side == MOS_SIDE_BOTH ? 0 : side;
	last = side == MOS_SIDE_BOTH ? 1 : side;
	memset(saddr, 0, need);
	for (s = first; s <= last; s++) {
		uint8_t *dst = (uint8_t *)saddr + (s - first) * one;

		if (fi.addr[s].ss_family == AF_INET6)
			memcpy(dst, &fi.addr[s], sizeof(struct sockaddr_in6));
		else
			memcpy(dst, &fi.addr[s], sizeof(struct sockaddr_in));
	}
	*addrlen = need;
	return 0;
}

int mtcp_reset_conn(mctx_t mctx, int sock)
{
	struct cctx *c = ctx_ok(mctx);
	int ret;

	if (!c)
		return -1;
	if (!c->n)
		return fail(EBADF);
	ret = mos_flow_reset(c->n, sock);
	return ret ? fail(ret) : 0;
}

uint32_t mtcp_get_connection_cnt(mctx_t mctx)
{
	errno = ENOTSUP;
	return 0;
}
