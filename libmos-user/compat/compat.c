// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libmos-compat: mOS's mtcp_* API on libmos-user.
 *
 * Contexts. mOS runs one context per core, each on its own packets. mos
 * has one engine that sees every packet, so the first context created is
 * the primary one: it owns a libmos-user context (offline on the capture
 * $MOS_READ_FILE names, live otherwise) and mtcp_app_join() runs it until
 * its input ends. Contexts created after it accept every set-up call and
 * never fire: each connection is seen once, by the primary context.
 *
 * Sockets are libmos-user's numbers: the stream listener, the raw socket
 * and connection sockets are passed through unchanged.
 *
 * Events. mOS's are bits; built-in bits map to the native events, and the
 * user-defined events of mtcp_define_event() (global in mOS, per context
 * here) are defined in a context the first time it needs them. A callback
 * is registered natively with a trampoline whose argument is the mOS
 * callback; the trampoline turns the native event back into its bit.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "native.h"

#define MAX_CTX		64
#define MAX_UDE		49	/* bits 12..28 and 32..63 */
#define FRAME_ROOM	(ETH_HLEN + 65536)

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

static bool g_inited;
static struct mos_options g_opt;
static struct mtcp_conf g_conf;
static struct cctx *g_ctx[MAX_CTX];
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

/* Return -1 with errno set from a negative errno. */
static int fail(int err)
{
	errno = err < 0 ? -err : err;
	return -1;
}

static struct cctx *cctx_of_pub(mctx_t mctx)
{
	return (struct cctx *)mctx;	/* pub is the first member */
}

static struct cctx *cctx_of_native(const struct mos_ctx *n)
{
	int i;

	for (i = 0; i < MAX_CTX; i++)
		if (g_ctx[i] && g_ctx[i]->n == n)
			return g_ctx[i];
	return NULL;
}

/* A context the application may use, or NULL with errno set. */
static struct cctx *ctx_ok(mctx_t mctx)
{
	struct cctx *c = mctx ? cctx_of_pub(mctx) : NULL;

	if (!c || c->dead) {
		errno = EBADF;
		return NULL;
	}
	return c;
}

/* ---- events ------------------------------------------------------------ */

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

/* (Un)hook the CONN_START trampoline as the listener needs it. */
static int update_start_hook(struct cctx *c)
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
		ret = update_start_hook(c);
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

/* ---- configuration and contexts ---------------------------------------- */

static void stop_all(int signum)
{
	int i;

	for (i = 0; i < MAX_CTX; i++)
		if (g_ctx[i] && g_ctx[i]->n)
			mos_stop(g_ctx[i]->n);
}

int mtcp_init(const char *config_file)
{
	struct mos_options opt;
	struct sigaction sa;
	long ncpu;
	int ret;

	if (g_inited)
		return fail(EALREADY);
	if (!config_file)
		return fail(EINVAL);
	mos_options_init(&opt);
	ret = mos_options_load(&opt, config_file);
	if (ret)
		return fail(ret);
	g_opt = opt;
	memset(&g_conf, 0, sizeof(g_conf));
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	g_conf.num_cores = ncpu > 0 && ncpu <= MAX_CTX ? ncpu : 1;
	g_conf.max_concurrency = opt.max_flows > 0x7fffffff ? 0x7fffffff :
							      opt.max_flows;
	g_conf.rcvbuf_size = opt.flow_buffer > 0x7fffffff ? 0x7fffffff :
							    opt.flow_buffer;
	g_conf.sndbuf_size = g_conf.rcvbuf_size;
	/* As mOS, stop cleanly on SIGINT; and on SIGTERM. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = stop_all;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	g_inited = true;
	return 0;
}

static void ctx_free(struct cctx *c)
{
	struct ctimer *t, *next;

	mos_ctx_free(c->n);
	for (t = c->timers; t; t = next) {
		next = t->next;
		free(t);
	}
	free(c->frame);
	free(c);
}

int mtcp_destroy(void)
{
	int i;

	if (!g_inited)
		return fail(EPERM);
	for (i = 0; i < MAX_CTX; i++) {
		if (g_ctx[i]) {
			struct cctx *c = g_ctx[i];

			g_ctx[i] = NULL;
			ctx_free(c);
		}
	}
	for (i = 0; i < g_nude; i++)
		memset(&g_ude[i], 0, sizeof(g_ude[i]));
	g_nude = 0;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	g_inited = false;
	return 0;
}

int mtcp_getconf(struct mtcp_conf *conf)
{
	if (!g_inited)
		return fail(EPERM);
	if (!conf)
		return fail(EINVAL);
	*conf = g_conf;
	return 0;
}

int mtcp_setconf(const struct mtcp_conf *conf)
{
	if (!g_inited)
		return fail(EPERM);
	if (!conf || conf->num_cores < 1 || conf->num_cores > MAX_CTX ||
	    conf->max_concurrency < 1 || conf->rcvbuf_size < 1)
		return fail(EINVAL);
	g_conf = *conf;
	g_opt.max_flows = conf->max_concurrency;
	g_opt.flow_buffer = conf->rcvbuf_size;
	return 0;
}

/* mos has no per-core threads of its own: nothing to pin. */
int mtcp_core_affinitize(int cpu)
{
	return 0;
}

static bool have_primary(void)
{
	int i;

	for (i = 0; i < MAX_CTX; i++)
		if (g_ctx[i] && g_ctx[i]->n)
			return true;
	return false;
}

mctx_t mtcp_create_context(int cpu)
{
	struct mos_options opt = g_opt;
	const char *file = getenv("MOS_READ_FILE");
	struct cctx *c;
	int i, ret;

	if (!g_inited) {
		errno = EPERM;
		return NULL;
	}
	if (cpu < 0 || cpu >= g_conf.num_cores || cpu >= MAX_CTX) {
		errno = EINVAL;
		return NULL;
	}
	if (g_ctx[cpu]) {
		errno = EEXIST;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		errno = ENOMEM;
		return NULL;
	}
	c->pub.cpu = cpu;
	c->stream_sock = -1;
	c->raw_sock = -1;
	for (i = 0; i < 2; i++)
		c->buf_size[i] = c->policy[i] = -1;
	for (i = 0; i < MAX_UDE; i++)
		c->ude_nid[i] = -1;
	if (!have_primary()) {
		opt.read_file = file && *file ? file : NULL;
		if (opt.read_file && access(opt.read_file, R_OK)) {
			free(c);
			return NULL;	/* errno from access() */
		}
		c->frame = malloc(FRAME_ROOM);
		ret = c->frame ? mos_ctx_new(&c->n, &opt) : -ENOMEM;
		if (ret) {
			free(c->frame);
			free(c);
			errno = -ret;
			return NULL;
		}
	}
	g_ctx[cpu] = c;
	return &c->pub;
}

/*
 * Stops the context (async-signal-safe: mOS monitors call it from their
 * SIGINT handler); its memory is released by mtcp_destroy().
 */
int mtcp_destroy_context(mctx_t mctx)
{
	struct cctx *c = ctx_ok(mctx);

	if (!c)
		return -1;
	c->dead = true;
	if (c->n)
		mos_stop(c->n);
	return 0;
}

mtcp_sighandler_t mtcp_register_signal(int signum, mtcp_sighandler_t handler)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(signum, &sa, NULL))
		return SIG_ERR;
	return handler;
}

void mtcp_app_join(mctx_t mctx)
{
	struct cctx *c = mctx ? cctx_of_pub(mctx) : NULL;
	int ret;

	if (!c || !c->n || c->dead)
		return;
	ret = mos_run(c->n);
	if (ret && ret != -EINTR) {
		/* void in mOS: the only way to tell why nothing happened */
		fprintf(stderr, "mtcp_app_join: %s\n", mos_strerror(ret));
		errno = -ret;
	}
}

/* ---- sockets ------------------------------------------------------------- */

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

static bool side_ok(int side)
{
	return side == MOS_SIDE_CLI || side == MOS_SIDE_SVR;
}

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

/* Endpoint state of mos (by name) as mOS's enum tcpstate. */
static int mos_state_to_mtcp(int state)
{
	static const struct {
		const char *name;
		int st;
	} map[] = {
		{ "closed", TCP_CLOSED }, { "listen", TCP_LISTEN },
		{ "syn_sent", TCP_SYN_SENT }, { "syn_rcvd", TCP_SYN_RCVD },
		{ "established", TCP_ESTABLISHED },
		{ "fin_wait_1", TCP_FIN_WAIT_1 },
		{ "fin_wait_2", TCP_FIN_WAIT_2 },
		{ "close_wait", TCP_CLOSE_WAIT }, { "closing", TCP_CLOSING },
		{ "last_ack", TCP_LAST_ACK }, { "time_wait", TCP_TIME_WAIT },
	};
	const char *name = mos_state_name(state);
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(name, map[i].name))
			return map[i].st;
	return TCP_CLOSED;
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

static int get_tcp_state(struct cctx *c, int sock, int side, void *optval,
			 socklen_t *optlen)
{
	struct mos_flow_info fi;
	int ret, st;

	if (*optlen < sizeof(int))
		return -EINVAL;
	ret = mos_get_flow_info(c->n, sock, &fi);
	if (ret)
		return ret;
	st = mos_state_to_mtcp(fi.state[side]);
	memcpy(optval, &st, sizeof(st));
	*optlen = sizeof(int);
	return 0;
}

static int get_buf_info(struct cctx *c, int sock, int side, void *optval,
			socklen_t *optlen)
{
	struct mos_frag frags[64];
	socklen_t flen = sizeof(frags);
	struct tcp_buf_info tbi;
	struct mos_buf_info bi;
	socklen_t blen = sizeof(bi);
	uint64_t top;
	int ret, i, n;

	if (*optlen < sizeof(tbi))
		return -EINVAL;
	ret = mos_getsockopt(c->n, sock, side, MOS_OPT_BUF_INFO, &bi, &blen);
	if (ret)
		return ret;
	top = bi.next_off;
	n = mos_getsockopt(c->n, sock, side, MOS_OPT_FRAG_INFO, frags, &flen);
	for (i = 0; n > 0 && i < (int)(flen / sizeof(frags[0])); i++)
		if (frags[i].off + frags[i].len > top)
			top = frags[i].off + frags[i].len;
	tbi.tcpbi_init_seq = bi.isn + 1;
	tbi.tcpbi_next_byte_expected = (uint32_t)(bi.isn + 1 + bi.next_off);
	tbi.tcpbi_last_byte_read = tbi.tcpbi_next_byte_expected;
	tbi.tcpbi_last_byte_received = (uint32_t)(bi.isn + 1 + top);
	memcpy(optval, &tbi, sizeof(tbi));
	*optlen = sizeof(tbi);
	return 0;
}

/* Never more entries than fit in *@optlen bytes (mOS overflows). */
static int get_frag_info(struct cctx *c, int sock, int side, void *optval,
			 socklen_t *optlen)
{
	size_t room = *optlen / sizeof(struct tcp_ring_fragment), i, got;
	struct mos_frag *frags;
	socklen_t flen;
	int ret;

	frags = calloc(room ? room : 1, sizeof(*frags));
	if (!frags)
		return -ENOMEM;
	flen = room * sizeof(*frags);
	ret = mos_getsockopt(c->n, sock, side, MOS_OPT_FRAG_INFO, frags,
			     &flen);
	if (ret < 0) {
		free(frags);
		return ret;
	}
	got = flen / sizeof(*frags);
	for (i = 0; i < got && i < room; i++) {
		struct tcp_ring_fragment f = {
			.offset = frags[i].off, .len = frags[i].len,
		};

		memcpy((uint8_t *)optval + i * sizeof(f), &f, sizeof(f));
	}
	*optlen = i * sizeof(struct tcp_ring_fragment);
	free(frags);
	return 0;
}

int mtcp_getsockopt(mctx_t mctx, int sock, int level, int optname,
		    void *optval, socklen_t *optlen)
{
	struct cctx *c = ctx_ok(mctx);
	int ret;

	if (!c)
		return -1;
	if (level != SOL_MONSOCKET)
		return fail(ENOPROTOOPT);
	if (!optval || !optlen)
		return fail(EINVAL);
	if (!c->n)
		return fail(EBADF);
	switch (optname) {
	case MOS_TCP_STATE_CLI:
	case MOS_TCP_STATE_SVR:
		ret = get_tcp_state(c, sock, optname == MOS_TCP_STATE_SVR,
				    optval, optlen);
		break;
	case MOS_INFO_CLIBUF:
	case MOS_INFO_SVRBUF:
		ret = get_buf_info(c, sock, optname == MOS_INFO_SVRBUF,
				   optval, optlen);
		break;
	case MOS_FRAGINFO_CLIBUF:
	case MOS_FRAGINFO_SVRBUF:
		ret = get_frag_info(c, sock, optname == MOS_FRAGINFO_SVRBUF,
				    optval, optlen);
		break;
	default:
		ret = -ENOPROTOOPT;
	}
	return ret ? fail(ret) : 0;
}

static int set_on_listener(struct cctx *c, int optname, int v)
{
	switch (optname) {
	case MOS_CLIBUF:
	case MOS_SVRBUF:
		if (v < 0)
			return -EINVAL;
		c->buf_size[optname == MOS_SVRBUF] = v;
		break;
	case MOS_CLIOVERLAP:
	case MOS_SVROVERLAP:
		if (v != MOS_OVERLAP_POLICY_FIRST &&
		    v != MOS_OVERLAP_POLICY_LAST)
			return -EINVAL;
		c->policy[optname == MOS_SVROVERLAP] = v;
		break;
	case MOS_STOP_MON:
		return -EPERM;	/* as mOS: a listener has no stream */
	default:
		return -ENOPROTOOPT;
	}
	return c->n ? update_start_hook(c) : 0;
}

int mtcp_setsockopt(mctx_t mctx, int sock, int level, int optname,
		    const void *optval, socklen_t optlen)
{
	struct cctx *c = ctx_ok(mctx);
	uint32_t u;
	int v, ret;

	if (!c)
		return -1;
	if (level != SOL_MONSOCKET)
		return fail(ENOPROTOOPT);
	if (!optval || optlen < sizeof(int))
		return fail(EINVAL);
	memcpy(&v, optval, sizeof(v));
	if (sock == c->stream_sock || !c->n) {
		ret = set_on_listener(c, optname, v);
		return ret ? fail(ret) : 0;
	}
	switch (optname) {
	case MOS_CLIBUF:
	case MOS_SVRBUF:
		if (v < 0)
			return fail(EINVAL);
		u = v;
		ret = mos_setsockopt(c->n, sock, optname == MOS_SVRBUF,
				     MOS_OPT_BUF_SIZE, &u, sizeof(u));
		break;
	case MOS_CLIOVERLAP:
	case MOS_SVROVERLAP:
		if (v != MOS_OVERLAP_POLICY_FIRST &&
		    v != MOS_OVERLAP_POLICY_LAST)
			return fail(EINVAL);
		ret = mos_set_overlap_policy(c->n, sock,
					     optname == MOS_SVROVERLAP,
					     v == MOS_OVERLAP_POLICY_FIRST ?
					     N_OVERLAP_POLICY_FIRST :
					     N_OVERLAP_POLICY_LAST);
		break;
	case MOS_STOP_MON:
		if (v == MOS_SIDE_BOTH) {
			int one = 1;

			ret = mos_setsockopt(c->n, sock, N_SIDE_BOTH,
					     MOS_OPT_STOP_MON, &one,
					     sizeof(one));
		} else if (side_ok(v)) {
			ret = mos_stop_side(c->n, sock, v);
		} else {
			ret = -EINVAL;
		}
		break;
	default:
		ret = -ENOPROTOOPT;
	}
	return ret ? fail(ret) : 0;
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

/* ---- what a passive monitor on mos cannot do ------------------------------ */

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
