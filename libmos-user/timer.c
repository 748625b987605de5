// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * One-shot timers (mos_settimer()): a binary min-heap by deadline. The
 * clock is the capture's offline and CLOCK_MONOTONIC live; the backends
 * call mos_timers_run() with the time as they know it.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include "mos_int.h"

/**
 * struct mos_timer - a pending timer
 * @deadline: when it fires, in the context's clock (ns)
 * @id: its id
 * @sock: the socket it belongs to
 * @cb: its callback
 * @arg: the callback's argument
 */
struct mos_timer {
	uint64_t deadline;
	int id;
	int sock;
	mos_callback_t cb;
	void *arg;
};

/**
 * mos_live_clock_ns() - the live clock
 *
 * Return: CLOCK_MONOTONIC in nanoseconds.
 */
uint64_t mos_live_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The clock a new timer counts from. */
static uint64_t ctx_now(const struct mos_ctx *mctx)
{
	if (mctx->timers_firing)
		return mctx->timer_now;
	if (mctx->live || (!mctx->opt.read_file && !mctx->fed))
		return mos_live_clock_ns();
	return mctx->in_pkt.ts_ns;
}

static void heap_swap(struct mos_timer *h, size_t a, size_t b)
{
	struct mos_timer t = h[a];

	h[a] = h[b];
	h[b] = t;
}

static void heap_up(struct mos_timer *h, size_t i)
{
	while (i && h[(i - 1) / 2].deadline > h[i].deadline) {
		heap_swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct mos_timer *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < n && h[l].deadline < h[m].deadline)
			m = l;
		if (l + 1 < n && h[l + 1].deadline < h[m].deadline)
			m = l + 1;
		if (m == i)
			return;
		heap_swap(h, i, m);
		i = m;
	}
}

/* One timer fewer for its socket's connection. */
static void sock_timer_gone(struct mos_ctx *mctx, int sock)
{
	struct mos_conn *c = sock ? mos_conn_lookup(mctx, sock) : NULL;

	if (c && c->ntimers)
		c->ntimers--;
}

static void heap_remove(struct mos_ctx *mctx, size_t i)
{
	struct mos_timer *h = mctx->timers;

	sock_timer_gone(mctx, h[i].sock);
	h[i] = h[--mctx->ntimers];
	if (i < mctx->ntimers) {
		heap_up(h, i);
		heap_down(h, mctx->ntimers, i);
	}
}

int mos_settimer(struct mos_ctx *mctx, int sock, uint64_t after_ms,
		 mos_callback_t cb, void *arg)
{
	struct mos_conn *c = NULL;
	struct mos_timer *t;

	if (!cb || after_ms > UINT64_MAX / 2000000)
		return -EINVAL;
	if (sock != 0) {
		c = mos_conn_lookup(mctx, sock);
		if (!c)
			return -EBADF;
	}
	if (mctx->ntimers == mctx->timers_cap) {
		size_t n = mctx->timers_cap ? mctx->timers_cap * 2 : 16;

		t = realloc(mctx->timers, n * sizeof(*t));
		if (!t)
			return -ENOMEM;
		mctx->timers = t;
		mctx->timers_cap = n;
	}
	/* Ids are unique among 2^31 - 1 timers in a row. */
	if (mctx->timer_ids == INT32_MAX)
		mctx->timer_ids = 0;
	mctx->timer_ids++;
	t = &mctx->timers[mctx->ntimers];
	t->deadline = ctx_now(mctx) + after_ms * 1000000ULL;
	t->id = mctx->timer_ids;
	t->sock = sock;
	t->cb = cb;
	t->arg = arg;
	heap_up(mctx->timers, mctx->ntimers++);	/* moves *t */
	if (c)
		c->ntimers++;
	return mctx->timer_ids;
}

int mos_cancel_timer(struct mos_ctx *mctx, int id)
{
	size_t i;

	for (i = 0; i < mctx->ntimers; i++) {
		if (mctx->timers[i].id == id) {
			heap_remove(mctx, i);
			return 0;
		}
	}
	return -ENOENT;
}

/**
 * mos_timers_run() - fire the timers whose deadline has come
 * @mctx: the context
 * @now_ns: the time now, in the context's clock
 *
 * A callback may set or cancel timers; one set for "now" fires in this
 * call too.
 */
void mos_timers_run(struct mos_ctx *mctx, uint64_t now_ns)
{
	const struct mos_last_pkt *saved = mctx->cur_pkt;

	mctx->cur_pkt = NULL;	/* no packet behind a timer */
	while (mctx->ntimers && mctx->timers[0].deadline <= now_ns) {
		struct mos_timer t = mctx->timers[0];

		heap_remove(mctx, 0);
		/* Re-armed from the callback, it counts from now. */
		mctx->timers_firing = true;
		mctx->timer_now = now_ns;
		t.cb(mctx, t.sock, MOS_SIDE_BOTH, MOS_ON_TIMER, t.arg);
		mctx->timers_firing = false;
	}
	mctx->cur_pkt = saved;
}

/**
 * mos_timers_start_clock() - anchor timers set before the first packet
 * @mctx: an offline context, before its first packet
 * @first_ns: the first packet's time
 *
 * Until then the capture's clock is unknown: such timers counted from 0,
 * and now count from the first packet.
 */
void mos_timers_start_clock(struct mos_ctx *mctx, uint64_t first_ns)
{
	size_t i;

	/* The same shift for all: the heap's order holds. */
	for (i = 0; i < mctx->ntimers; i++)
		mctx->timers[i].deadline += first_ns;
}

/**
 * mos_timers_next() - the next deadline
 * @mctx: the context
 *
 * Return: the earliest deadline, or -1 when no timer is pending.
 */
int64_t mos_timers_next(const struct mos_ctx *mctx)
{
	return mctx->ntimers ? (int64_t)mctx->timers[0].deadline : -1;
}

/**
 * mos_timers_cancel_sock() - cancel the timers of a connection's socket
 * @mctx: the context
 * @sock: the socket, being closed (it has timers)
 */
void mos_timers_cancel_sock(struct mos_ctx *mctx, int sock)
{
	size_t i, n = 0;

	for (i = 0; i < mctx->ntimers; i++)
		if (mctx->timers[i].sock != sock)
			mctx->timers[n++] = mctx->timers[i];
	if (n == mctx->ntimers)
		return;
	mctx->ntimers = n;
	for (i = n / 2; i-- > 0;)
		heap_down(mctx->timers, n, i);
}

/**
 * mos_timers_free() - drop every pending timer
 * @mctx: the context
 */
void mos_timers_free(struct mos_ctx *mctx)
{
	free(mctx->timers);
	mctx->timers = NULL;
	mctx->ntimers = 0;
	mctx->timers_cap = 0;
}
