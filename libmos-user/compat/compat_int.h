/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * libmos-compat: mOS's mtcp_* API on libmos-user.
 *
 * Internals shared by its files:
 *   context.c      mtcp_init() and the configuration, contexts,
 *                  mtcp_app_join() and signals
 *   events.c       event bits, user-defined events and callbacks
 *   socket.c       monitoring sockets, their filters, user contexts, peers
 *   peek.c         stream bytes and the last packet
 *   sockopt.c      mtcp_getsockopt() and mtcp_setsockopt()
 *   timer.c        timers and the callback's timestamp
 *   unsupported.c  what a passive monitor on mos cannot do
 */
#ifndef MOS_COMPAT_COMPAT_INT_H
#define MOS_COMPAT_COMPAT_INT_H

#include <errno.h>
#include "native.h"

#define MAX_UDE		49	/* bits 12..28 and 32..63 */
#define FRAME_ROOM	(ETH_HLEN + 65536)

/**
 * struct ctimer - a timer whose id is not a connection
 * @cb: the mOS callback
 * @id: the id to give it
 * @next: next pending one
 */
struct ctimer {
	callback_t cb;
	int id;
	struct ctimer *next;
};

/**
 * struct cctx - a compat context
 * @pub: what the application sees (mctx_t points here)
 * @n: the libmos-user context, NULL for a secondary context
 * @dead: mtcp_destroy_context() was called
 * @stream_sock: the stream listener's socket, -1 before mtcp_socket()
 * @raw_sock: the raw socket, -1 before mtcp_socket()
 * @start_cb: the application's CONN_START callback on the listener
 * @start_hooked: the CONN_START trampoline is registered natively
 * @buf_size: [side] listener default of MOS_CLIBUF/SVRBUF, -1 unset
 * @policy: [side] listener default of MOS_CLIOVERLAP/SVROVERLAP, -1 unset
 * @ude_nid: native id of each user-defined event, -1 before it is defined
 * @timers: pending timers of ids that are not connections
 * @frame: copy of the last packet mtcp_getlastpkt() returned
 */
struct cctx {
	struct mtcp_context pub;
	struct mos_ctx *n;
	volatile bool dead;
	int stream_sock;
	int raw_sock;
	callback_t start_cb;
	bool start_hooked;
	int buf_size[2];
	int policy[2];
	int ude_nid[MAX_UDE];
	struct ctimer *timers;
	uint8_t *frame;
};

/**
 * fail() - return -1 with errno set from a negative errno
 * @err: the errno, negative (or positive)
 *
 * Return: -1.
 */
static inline int fail(int err)
{
	errno = err < 0 ? -err : err;
	return -1;
}

/**
 * cctx_of_pub() - the compat context of what the application sees
 * @mctx: the application's context, not NULL
 *
 * Return: the context @mctx is the @pub of.
 */
static inline struct cctx *cctx_of_pub(mctx_t mctx)
{
	return (struct cctx *)mctx;	/* pub is the first member */
}

/**
 * ctx_ok() - a context the application may use
 * @mctx: the application's context
 *
 * Return: its compat context, or NULL with errno set (EBADF) when @mctx is
 * NULL or destroyed.
 */
static inline struct cctx *ctx_ok(mctx_t mctx)
{
	struct cctx *c = mctx ? cctx_of_pub(mctx) : NULL;

	if (!c || c->dead) {
		errno = EBADF;
		return NULL;
	}
	return c;
}

/**
 * side_ok() - whether a side names one endpoint
 * @side: MOS_SIDE_CLI, MOS_SIDE_SVR or something else
 *
 * Return: true for MOS_SIDE_CLI and MOS_SIDE_SVR.
 */
static inline bool side_ok(int side)
{
	return side == MOS_SIDE_CLI || side == MOS_SIDE_SVR;
}

/* Not part of libmos-compat's ABI: hidden from applications. */
#pragma GCC visibility push(hidden)

/* context.c */
struct cctx *cctx_of_native(const struct mos_ctx *n);

/* events.c */
int cctx_update_start_hook(struct cctx *c);
void compat_events_reset(void);

#pragma GCC visibility pop

#endif /* MOS_COMPAT_COMPAT_INT_H */
