// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The price of calling user code: a loop over 64 nodes, each a filter and
 * a callback called through pointers with mos-bench's own filter and
 * callback bodies, as mos_evset_dispatch() does for 64 user-defined
 * events on one base event. run-bench.sh compares what each extra UDE
 * costs in mos-bench (--udes 64 against --udes 4) with this: the floor of
 * any dispatch that calls a filter and a callback per event.
 *
 * Last line: "ns_per_pair=X".
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NODES	64
#define ROUNDS	2000000

struct node {
	bool (*filter)(void *mctx, int sock, int side, uint64_t ev, void *arg);
	void *filter_arg;
	void (*cb)(void *mctx, int sock, int side, uint64_t ev, void *arg);
	void *cb_arg;
	uint64_t ev;
};

static uint64_t calls;

static __attribute__((noinline)) bool filter(void *mctx, int sock, int side,
					     uint64_t ev, void *arg)
{
	return (uintptr_t)arg != (uintptr_t)-1;
}

static __attribute__((noinline)) void callback(void *mctx, int sock,
					       int side, uint64_t ev,
					       void *arg)
{
	calls++;
}

static __attribute__((noinline)) void dispatch(const struct node *n,
					       int count, void *mctx)
{
	int i;

	for (i = 0; i < count; i++) {
		if (n[i].filter &&
		    !n[i].filter(mctx, 1, 0, n[i].ev, n[i].filter_arg))
			continue;
		if (n[i].cb)
			n[i].cb(mctx, 1, 0, n[i].ev, n[i].cb_arg);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	struct node *n = calloc(NODES, sizeof(*n));
	double best = 0, t;
	int i, r, run;

	if (!n)
		return 1;
	for (i = 0; i < NODES; i++) {
		n[i].filter = filter;
		n[i].cb = callback;
		n[i].ev = 32 + i;
	}
	for (run = 0; run < 3; run++) {
		t = now();
		for (r = 0; r < ROUNDS / 10; r++)
			dispatch(n, NODES, &t);
		t = (now() - t) * 1e9 / ((double)ROUNDS / 10 * NODES);
		if (!best || t < best)
			best = t;
	}
	printf("pairs=%llu\n", (unsigned long long)calls);
	printf("ns_per_pair=%.2f\n", best);
	free(n);
	return calls ? 0 : 1;
}
