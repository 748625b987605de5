// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libmos-compat: what a passive monitor on mos cannot do (sending,
 * modifying packets, end-host sockets). Each call fails with ENOTSUP
 * except mtcp_setsock_nonblock(), which has nothing to do.
 */
#include "compat_int.h"

int mtcp_setlastpkt(mctx_t mctx, int sock, int side, off_t offset,
		    byte *data, uint16_t datalen, int option)
{
	return fail(ENOTSUP);
}

int mtcp_sendpkt(mctx_t mctx, int sock, const struct pkt_info *pkt)
{
	return fail(ENOTSUP);
}

int mtcp_pipe(mctx_t mctx, int pipeid[2])
{
	return fail(ENOTSUP);
}

int mtcp_setsock_nonblock(mctx_t mctx, int sock)
{
	return ctx_ok(mctx) ? 0 : -1;	/* monitoring sockets never block */
}

int mtcp_ioctl(mctx_t mctx, int sock, int request, void *argp)
{
	return fail(ENOTSUP);
}

int mtcp_bind(mctx_t mctx, int sock, const struct sockaddr *addr,
	      socklen_t addrlen)
{
	return fail(ENOTSUP);
}

int mtcp_listen(mctx_t mctx, int sock, int backlog)
{
	return fail(ENOTSUP);
}

int mtcp_accept(mctx_t mctx, int sock, struct sockaddr *addr,
		socklen_t *addrlen)
{
	return fail(ENOTSUP);
}

int mtcp_init_rss(mctx_t mctx, in_addr_t saddr_base, int num_addr,
		  in_addr_t daddr, in_addr_t dport)
{
	return fail(ENOTSUP);
}

int mtcp_connect(mctx_t mctx, int sock, const struct sockaddr *addr,
		 socklen_t addrlen)
{
	return fail(ENOTSUP);
}

int mtcp_abort(mctx_t mctx, int sock)
{
	return fail(ENOTSUP);
}

int mtcp_getsockname(mctx_t mctx, int sock, struct sockaddr *addr,
		     socklen_t *addrlen)
{
	return fail(ENOTSUP);
}

ssize_t mtcp_recv(mctx_t mctx, int sockid, char *buf, size_t len, int flags)
{
	return fail(ENOTSUP);
}

ssize_t mtcp_read(mctx_t mctx, int sock, char *buf, size_t len)
{
	return fail(ENOTSUP);
}

ssize_t mtcp_readv(mctx_t mctx, int sock, const struct iovec *iov,
		   int numIOV)
{
	return fail(ENOTSUP);
}

ssize_t mtcp_write(mctx_t mctx, int sock, const char *buf, size_t len)
{
	return fail(ENOTSUP);
}

ssize_t mtcp_writev(mctx_t mctx, int sock, const struct iovec *iov,
		    int numIOV)
{
	return fail(ENOTSUP);
}
