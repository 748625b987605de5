// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libmos-compat contexts: mtcp_init() and the configuration, the contexts,
 * mtcp_app_join() and signals.
 *
 * Contexts. mOS runs one context per core, each on its own packets. mos
 * has one engine that sees every packet, so the first context created is
 * the primary one: it owns a libmos-user context (offline on the capture
 * $MOS_READ_FILE names, live otherwise) and mtcp_app_join() runs it until
 * its input ends. Contexts created after it accept every set-up call and
 * never fire: each connection is seen once, by the primary context.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "compat_int.h"

#define MAX_CTX		64

static bool g_inited;
static struct mos_options g_opt;
static struct mtcp_conf g_conf;
static struct cctx *g_ctx[MAX_CTX];

/**
 * cctx_of_native() - the compat context of a libmos-user context
 * @n: the libmos-user context a native callback was given
 *
 * Return: the compat context whose @n it is, or NULL if none.
 */
struct cctx *cctx_of_native(const struct mos_ctx *n)
{
	int i;

	for (i = 0; i < MAX_CTX; i++)
		if (g_ctx[i] && g_ctx[i]->n == n)
			return g_ctx[i];
	return NULL;
}

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
	compat_events_reset();
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
