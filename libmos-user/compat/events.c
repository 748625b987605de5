// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libmos-compat events: built-in and user-defined event bits, callbacks
 * and the trampolines that deliver them.
 *
 * Events. mOS's are bits; built-in bits map to the native events, and the
 * user-defined events of mtcp_define_event() (global in mOS, per context
 * here) are defined in a context the first time it needs them. A callback
 * is registered natively with a trampoline whose argument is the mOS
 * callback; the trampoline turns the native event back into its bit.
 */
#include <string.h>
#include "compat_int.h"

/**
 * struct ude - a user-defined event (global, as in mOS)
 * @bit: its event_t
 * @base: the event it is derived from
 * @filter: decides whether it fires
 * @arg: copy of the filter_arg given
 * @has_arg: an argument was given
 */
struct ude {
	event_t bit;
	event_t base;
	filter_t filter;
	filter_arg_t arg;
	bool has_arg;
};

static struct ude g_ude[MAX_UDE];
static int g_nude;

static const struct {
	event_t bit;
	mos_event_t native;
} builtins[] = {
	{ MOS_ON_PKT_IN, N_ON_PKT_IN },
	{ MOS_ON_CONN_START, N_ON_CONN_START },
	{ MOS_ON_CONN_NEW_DATA, N_ON_CONN_NEW_DATA },
	{ MOS_ON_ERROR, N_ON_ERROR },
	{ MOS_ON_TIMEOUT, N_ON_TIMEOUT },
	{ MOS_ON_TCP_STATE_CHANGE, N_ON_TCP_STATE_CHANGE },
	{ MOS_ON_ORPHAN, N_ON_ORPHAN },
	{ MOS_ON_REXMIT, N_ON_REXMIT },
	{ MOS_ON_CONN_END, N_ON_CONN_END },
};

static event_t ude_bit(int idx)
{
	return idx < 17 ? 1ull << (12 + idx) : 1ull << (32 + idx - 17);
}

static int ude_index(event_t ev)
{
	int i;

	for (i = 0; i < g_nude; i++)
		if (g_ude[i].bit == ev)
			return i;
	return -1;
}

static int builtin_native(event_t ev)
{
	size_t i;

	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (builtins[i].bit == ev)
			return builtins[i].native;
	return -1;
}

static bool ude_filter_tramp(struct mos_ctx *n, int sock, int side,
			     mos_event_t ev, void *arg)
{
	struct ude *u = arg;
	struct cctx *c = cctx_of_native(n);

	if (!c)
		return false;
	return u->filter(&c->pub, sock, side, u->bit,
			 u->has_arg ? &u->arg : NULL);
}

/* The native event of @ev in @c, defining user-defined events as needed. */
static int native_event(struct cctx *c, event_t ev, mos_event_t *out)
{
	mos_event_t base;
	int idx, ret;

	ret = builtin_native(ev);
	if (ret >= 0) {
		*out = ret;
		return 0;
	}
	if (ev == MOS_ON_PKT_OUT || ev == MOS_ON_CONN_SETUP ||
	    ev == MOS_ON_DEBUG_MESSAGE)
		return -ENOTSUP;
	idx = ude_index(ev);
	if (idx < 0)
		return -EINVAL;
	if (c->ude_nid[idx] < 0) {
		ret = native_event(c, g_ude[idx].base, &base);
		if (ret)
			return ret;
		ret = mos_define_event(c->n, base, ude_filter_tramp,
				       &g_ude[idx]);
		if (ret < 0)
			return ret;
		c->ude_nid[idx] = ret;
	}
	*out = c->ude_nid[idx];
	return 0;
}

/* The mOS event of a native one, and the argument its callback gets. */
static event_t compat_event(const struct cctx *c, mos_event_t ev,
			    filter_arg_t **arg)
{
	size_t i;
	int u;

	*arg = NULL;
	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (builtins[i].native == ev)
			return builtins[i].bit;
	for (u = 0; u < g_nude; u++)
		if (c->ude_nid[u] >= 0 && (mos_event_t)c->ude_nid[u] == ev) {
			if (g_ude[u].has_arg)
				*arg = &g_ude[u].arg;
			return g_ude[u].bit;
		}
	return MOS_NULL_EVENT;
}

static void cb_tramp(struct mos_ctx *n, int sock, int side, mos_event_t ev,
		     void *arg)
{
	callback_t cb = (callback_t)(uintptr_t)arg;
	struct cctx *c = cctx_of_native(n);
	filter_arg_t *fa;
	event_t bit;

	if (!c)
		return;
	bit = compat_event(c, ev, &fa);
	cb(&c->pub, sock, side, bit, fa);
}

/* CONN_START on the listener: the listener's defaults, then the callback. */
static void start_tramp(struct mos_ctx *n, int sock, int side,
			mos_event_t ev, void *arg)
{
	struct cctx *c = cctx_of_native(n);
	int s;

	if (!c)
		return;
	for (s = 0; s < 2; s++) {
		if (c->buf_size[s] >= 0) {
			uint32_t v = c->buf_size[s];

			mos_setsockopt(n, sock, s, MOS_OPT_BUF_SIZE, &v,
				       sizeof(v));
		}
		if (c->policy[s] >= 0)
			mos_set_overlap_policy(n, sock, s, c->policy[s]);
	}
	if (c->start_cb)
		c->start_cb(&c->pub, sock, side, MOS_ON_CONN_START, NULL);
}

/* Native hook of an mOS registration (see mos_api.h). */
static int native_hook(event_t ev, int hook)
{
	if (hook != MOS_HK_SND && hook != MOS_HK_RCV && hook != MOS_NULL)
		return -EINVAL;
	if (ev == MOS_ON_PKT_IN || ev == MOS_ON_TCP_STATE_CHANGE)
		return hook == MOS_HK_SND ? N_HK_SND : N_HK_RCV;
	if (ev == MOS_ON_CONN_START)
		return N_HK_SND;
	return N_HK_RCV;
}

static bool single_event(event_t ev)
{
	return ev && !(ev & (ev - 1));
}

/**
 * cctx_update_start_hook() - (un)hook the CONN_START trampoline
 * @c: a primary context
 *
 * As the listener needs it: for the application's CONN_START callback on
 * the listener, or for its defaults (MOS_CLIBUF and the others).
 *
 * Return: 0, or a negative errno.
 */
int cctx_update_start_hook(struct cctx *c)
{
	bool need = c->start_cb || c->buf_size[0] >= 0 ||
		    c->buf_size[1] >= 0 || c->policy[0] >= 0 ||
		    c->policy[1] >= 0;
	int ret = 0;

	if (need && !c->start_hooked)
		ret = mos_register_callback(c->n, c->stream_sock,
					    N_ON_CONN_START, N_HK_SND,
					    start_tramp, NULL);
	else if (!need && c->start_hooked)
		ret = mos_unregister_callback(c->n, c->stream_sock,
					      N_ON_CONN_START, N_HK_SND);
	if (!ret)
		c->start_hooked = need;
	return ret;
}

static int change_callback(mctx_t mctx, int sock, event_t event, int hook,
			   callback_t cb)
{
	struct cctx *c = ctx_ok(mctx);
	mos_event_t nev;
	int nhook, ret;

	if (!c)
		return -1;
	if (!single_event(event))
		return fail(EINVAL);
	nhook = native_hook(event, hook);
	if (nhook < 0)
		return fail(-nhook);
	if (!c->n)
		return 0;	/* secondary context: never fires */
	ret = native_event(c, event, &nev);
	if (ret)
		return fail(ret);
	if (event == MOS_ON_CONN_START && sock == c->stream_sock) {
		callback_t old = c->start_cb;

		c->start_cb = cb;
		ret = cctx_update_start_hook(c);
		if (ret)
			c->start_cb = old;
		return ret ? fail(ret) : 0;
	}
	ret = cb ? mos_register_callback(c->n, sock, nev, nhook, cb_tramp,
					 (void *)(uintptr_t)cb) :
		   mos_unregister_callback(c->n, sock, nev, nhook);
	return ret ? fail(ret) : 0;
}

int mtcp_register_callback(mctx_t mctx, int sock, event_t event,
			   int hook_point, callback_t cb)
{
	if (!cb)
		return fail(EINVAL);
	return change_callback(mctx, sock, event, hook_point, cb);
}

int mtcp_unregister_callback(mctx_t mctx, int sock, event_t event,
			     int hook_point)
{
	return change_callback(mctx, sock, event, hook_point, NULL);
}

event_t mtcp_define_event(event_t event, filter_t filter,
			  struct filter_arg *arg)
{
	struct ude *u;

	if (!filter || !single_event(event) ||
	    (builtin_native(event) < 0 && ude_index(event) < 0)) {
		errno = EINVAL;
		return 0;
	}
	if (g_nude >= MAX_UDE) {
		errno = ENOSPC;
		return 0;
	}
	u = &g_ude[g_nude];
	u->bit = ude_bit(g_nude);
	u->base = event;
	u->filter = filter;
	u->has_arg = arg != NULL;
	if (arg)
		u->arg = *arg;
	g_nude++;
	return u->bit;
}

/* Events raised by the application: mos has no such thing. */
event_t mtcp_alloc_event(event_t event)
{
	errno = ENOTSUP;
	return 0;
}

int mtcp_raise_event(mctx_t mctx, event_t event)
{
	return fail(ENOTSUP);
}

/**
 * compat_events_reset() - forget every user-defined event
 *
 * For mtcp_destroy(): the next mtcp_define_event() takes the first bit.
 */
void compat_events_reset(void)
{
	int i;

	for (i = 0; i < g_nude; i++)
		memset(&g_ude[i], 0, sizeof(g_ude[i]));
	g_nude = 0;
}
