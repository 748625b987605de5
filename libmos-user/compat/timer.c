// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libmos-compat timers: mtcp_settimer(), on a connection or on any other
 * id, and mtcp_cb_get_ts().
 */
#include <stdlib.h>
#include <time.h>
#include "compat_int.h"

uint32_t mtcp_cb_get_ts(mctx_t mctx)
{
	struct cctx *c = ctx_ok(mctx);
	struct mos_pkt_info pi;
	struct timespec ts;

	if (!c || !c->n) {
		errno = EBADF;
		return 0;
	}
	if (!mos_getlastpkt(c->n, 0, N_SIDE_BOTH, &pi))
		return (uint32_t)(pi.ts_ns / 1000);
	if (getenv("MOS_READ_FILE")) {
		errno = ENODATA;	/* capture time: only with a packet */
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)(ts.tv_sec * 1000000ull + ts.tv_nsec / 1000);
}

static void timer_conn_tramp(struct mos_ctx *n, int sock, int side,
			     mos_event_t ev, void *arg)
{
	callback_t cb = (callback_t)(uintptr_t)arg;
	struct cctx *c = cctx_of_native(n);

	if (c)
		cb(&c->pub, sock, MOS_SIDE_BOTH, MOS_NULL_EVENT, NULL);
}

static void timer_id_tramp(struct mos_ctx *n, int sock, int side,
			   mos_event_t ev, void *arg)
{
	struct cctx *c = cctx_of_native(n);
	struct ctimer *t = arg, **pp;

	if (!c)
		return;
	for (pp = &c->timers; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	t->cb(&c->pub, t->id, MOS_SIDE_BOTH, MOS_NULL_EVENT, NULL);
	free(t);
}

int mtcp_settimer(mctx_t mctx, int id, struct timeval *timeout,
		  callback_t cb)
{
	struct cctx *c = ctx_ok(mctx);
	struct mos_flow_info fi;
	struct ctimer *t;
	uint64_t ms;
	int ret;

	if (!c)
		return -1;
	if (!timeout || !cb || timeout->tv_sec < 0 || timeout->tv_usec < 0)
		return fail(EINVAL);
	if (!c->n)
		return 0;
	ms = (uint64_t)timeout->tv_sec * 1000 + (timeout->tv_usec + 999) / 1000;
	if (!mos_get_flow_info(c->n, id, &fi)) {
		ret = mos_settimer(c->n, id, ms, timer_conn_tramp,
				   (void *)(uintptr_t)cb);
		return ret < 0 ? fail(ret) : 0;
	}
	t = malloc(sizeof(*t));
	if (!t)
		return fail(ENOMEM);
	t->cb = cb;
	t->id = id;
	ret = mos_settimer(c->n, 0, ms, timer_id_tramp, t);
	if (ret < 0) {
		free(t);
		return fail(ret);
	}
	t->next = c->timers;
	c->timers = t;
	return 0;
}
