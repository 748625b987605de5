// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the event sets (libmos-user/evset.c): UDE definitions,
 * sharing and copy on write of interned sets, their XOR ids and collisions,
 * reference counts, dispatch order, lazy filters, changes made by callbacks
 * during dispatch, and a random walk checked against a simple model.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "evset.h"
#include "tap.h"

/* What the callbacks saw, as "name:event" words, and how many there were. */
static char trace[4096];
static int ncalls;

static void trace_add(const char *name, mos_event_t ev)
{
	size_t len = strlen(trace);

	ncalls++;
	snprintf(trace + len, sizeof(trace) - len, "%s%s:%u",
		 len ? " " : "", name, ev);
}

static void cb_a(struct mos_ctx *mctx, int sock, int side, mos_event_t ev,
		 void *arg)
{
	trace_add(arg ? arg : "a", ev);
}

static void cb_b(struct mos_ctx *mctx, int sock, int side, mos_event_t ev,
		 void *arg)
{
	trace_add(arg ? arg : "b", ev);
}

/* A filter whose answer and call count the test controls. */
struct filt {
	bool pass;
	int calls;
};

static bool filter(struct mos_ctx *mctx, int sock, int side, mos_event_t ev,
		   void *arg)
{
	struct filt *f = arg;

	f->calls++;
	return f->pass;
}

static uint64_t const_hash(mos_event_t ev, mos_callback_t cb, void *arg)
{
	return 42;
}

static uint64_t weak_hash(mos_event_t ev, mos_callback_t cb, void *arg)
{
	return ev & 3;
}

static void dispatch(struct mos_evtab *tab, struct mos_evset **setp,
		     mos_event_t ev)
{
	trace[0] = '\0';
	mos_evset_dispatch(tab, setp, ev, NULL, 7, 0);
}

static void test_basics(void)
{
	struct mos_evtab *tab = mos_evtab_new();
	struct mos_evset *a, *b;

	TAP_CHECK(tab, "evtab_new");
	TAP_CHECK(mos_evtab_nsets(tab) == 1, "a new table has the empty set");
	a = mos_evset_empty(tab);
	b = mos_evset_empty(tab);
	TAP_CHECK(a && a == b, "the empty set is shared");
	TAP_CHECK(mos_evset_count(a) == 0 && mos_evset_builtin_mask(a) == 0,
		  "the empty set is empty");
	dispatch(tab, &a, 0);
	TAP_CHECK(!trace[0], "dispatch on the empty set calls nothing");
	mos_evset_put(tab, a);
	mos_evset_put(tab, b);
	TAP_CHECK(mos_evtab_nsets(tab) == 1, "the table keeps the empty set");
	mos_evtab_free(tab);
	mos_evtab_free(NULL);
}

static void test_define(void)
{
	struct mos_evtab *tab = mos_evtab_new();
	struct filt f = { .pass = true };
	int u1, u2;

	u1 = mos_evtab_define(tab, 3, filter, &f);
	u2 = mos_evtab_define(tab, u1, filter, &f);
	TAP_CHECK(u1 == MOS_EV_BUILTIN_MAX && u2 == u1 + 1,
		  "UDE ids follow the built-in ones (%d, %d)", u1, u2);
	TAP_CHECK(mos_evtab_define(tab, u2 + 1, filter, &f) == -EINVAL,
		  "define on an undefined UDE: -EINVAL");
	TAP_CHECK(mos_evtab_define(tab, 100000, filter, &f) == -EINVAL,
		  "define on a huge id: -EINVAL");
	TAP_CHECK(mos_evtab_define(tab, 0, NULL, &f) == -EINVAL,
		  "define with a NULL filter: -EINVAL");
	TAP_CHECK(mos_evtab_define(NULL, 0, filter, &f) == -EINVAL,
		  "define on a NULL table: -EINVAL");
	TAP_CHECK(mos_evtab_valid(tab, 0) && mos_evtab_valid(tab, 15) &&
		  mos_evtab_valid(tab, u2) && !mos_evtab_valid(tab, u2 + 1),
		  "evtab_valid");
	TAP_CHECK(mos_evtab_define(tab, u2, filter, &f) == u2 + 1,
		  "failed definitions use no id");
	TAP_CHECK(f.calls == 0, "defining calls no filter");
	mos_evtab_free(tab);
}

static void test_bad_args(void)
{
	struct mos_evtab *tab = mos_evtab_new();
	struct mos_evset *s = mos_evset_empty(tab), *orig = s, *null = NULL;

	TAP_CHECK(mos_evset_add(tab, &s, 0, NULL, NULL) == -EINVAL,
		  "add with a NULL callback: -EINVAL");
	TAP_CHECK(mos_evset_add(tab, &s, MOS_EV_BUILTIN_MAX, cb_a, NULL) ==
		  -EINVAL, "add for an undefined UDE: -EINVAL");
	TAP_CHECK(mos_evset_add(tab, NULL, 0, cb_a, NULL) == -EINVAL &&
		  mos_evset_add(tab, &null, 0, cb_a, NULL) == -EINVAL,
		  "add without a set: -EINVAL");
	TAP_CHECK(mos_evset_remove(tab, &s, 0) == -ENOENT,
		  "remove of an unregistered event: -ENOENT");
	TAP_CHECK(mos_evset_remove(tab, &null, 0) == -EINVAL,
		  "remove without a set: -EINVAL");
	TAP_CHECK(s == orig && mos_evtab_nsets(tab) == 1,
		  "failed calls leave the set alone");
	mos_evset_add(tab, &s, 0, cb_a, NULL);
	dispatch(tab, &s, MOS_EV_BUILTIN_MAX);
	TAP_CHECK(!trace[0], "dispatch of a non-built-in event does nothing");
	dispatch(tab, &null, 0);
	TAP_CHECK(!trace[0], "dispatch on a NULL set does nothing");
	mos_evset_put(tab, s);
	mos_evset_put(tab, NULL);
	TAP_CHECK(!mos_evset_get(NULL), "get(NULL)");
	mos_evtab_free(tab);
}

static void test_sharing(void)
{
	enum { NFLOWS = 100000 };
	struct mos_evtab *tab = mos_evtab_new();
	struct mos_evset *a = mos_evset_empty(tab), *b = mos_evset_empty(tab);
	struct mos_evset *lst, **flows;
	bool same = true;
	int i, rc = 0;

	mos_evset_add(tab, &a, 0, cb_a, "A");
	mos_evset_add(tab, &a, 2, cb_b, "B");
	mos_evset_add(tab, &b, 2, cb_b, "B");
	mos_evset_add(tab, &b, 0, cb_a, "A");
	TAP_CHECK(a == b, "same pairs in another order: the same set");
	TAP_CHECK(mos_evtab_nsets(tab) == 2,
		  "intermediate sets freed: empty + one (%zu)",
		  mos_evtab_nsets(tab));
	TAP_CHECK(mos_evset_count(a) == 2, "the shared set has two pairs");

	/* Flows inherit the listener's set, then all register the same. */
	lst = mos_evset_get(a);
	flows = calloc(NFLOWS, sizeof(*flows));
	for (i = 0; i < NFLOWS; i++)
		flows[i] = mos_evset_get(lst);
	TAP_CHECK(mos_evtab_nsets(tab) == 2, "inheriting creates no set");
	for (i = 0; i < NFLOWS; i++)
		rc |= mos_evset_add(tab, &flows[i], 5, cb_a, "C");
	for (i = 1; i < NFLOWS; i++)
		same &= flows[i] == flows[0];
	TAP_CHECK(!rc && same && flows[0] != lst,
		  "%d flows adding the same pair share one set", NFLOWS);
	TAP_CHECK(mos_evtab_nsets(tab) == 3, "one more set (%zu)",
		  mos_evtab_nsets(tab));
	for (i = 0; i < NFLOWS; i++)
		mos_evset_put(tab, flows[i]);
	free(flows);
	TAP_CHECK(mos_evtab_nsets(tab) == 2, "freed with the last flow");
	mos_evset_put(tab, lst);
	mos_evset_put(tab, a);
	TAP_CHECK(mos_evtab_nsets(tab) == 2, "alive while one holder is left");
	mos_evset_put(tab, b);
	TAP_CHECK(mos_evtab_nsets(tab) == 1, "all puts: the empty set only");
	mos_evtab_free(tab);
}

static void test_xor_cow(void)
{
	struct mos_evtab *tab = mos_evtab_new();
	struct mos_evset *a = mos_evset_empty(tab), *b, *s0;
	mos_callback_t cb;
	void *arg;

	mos_evset_add(tab, &a, 1, cb_a, "A");
	mos_evset_add(tab, &a, 4, cb_b, "B");
	s0 = a;
	b = mos_evset_get(a);
	mos_evset_add(tab, &a, 9, cb_a, "C");
	TAP_CHECK(a != s0 && b == s0, "add copies a shared set");
	TAP_CHECK(mos_evset_count(b) == 2 && !mos_evset_lookup(b, 9, NULL, NULL),
		  "the other holder's set is unchanged");
	dispatch(tab, &b, 9);
	TAP_CHECK(!trace[0], "... and its dispatch too");
	dispatch(tab, &a, 9);
	TAP_CHECK(!strcmp(trace, "C:9"), "the new pair fires (%s)", trace);
	mos_evset_remove(tab, &a, 9);
	TAP_CHECK(a == s0, "remove returns to the previous set");
	TAP_CHECK(mos_evtab_nsets(tab) == 2, "the copy is freed");

	mos_evset_add(tab, &a, 4, cb_a, "B2");
	TAP_CHECK(a != s0 && mos_evset_count(a) == 2,
		  "registering an event again replaces its callback");
	TAP_CHECK(mos_evset_lookup(a, 4, &cb, &arg) && cb == cb_a &&
		  !strcmp(arg, "B2"), "lookup sees the new callback");
	dispatch(tab, &a, 4);
	TAP_CHECK(!strcmp(trace, "B2:4"), "only the new one fires (%s)",
		  trace);
	mos_evset_add(tab, &a, 4, cb_b, "B");
	TAP_CHECK(a == s0, "replacing back returns to the previous set");
	TAP_CHECK(mos_evset_add(tab, &a, 4, cb_b, "B") == 0 && a == s0,
		  "adding a present pair changes nothing");
	mos_evset_add(tab, &a, 4, cb_b, "other arg");
	TAP_CHECK(a != s0, "the argument is part of the pair");

	mos_evset_remove(tab, &a, 4);
	mos_evset_remove(tab, &a, 1);
	mos_evset_remove(tab, &b, 1);
	mos_evset_remove(tab, &b, 4);
	TAP_CHECK(a == b && mos_evset_count(a) == 0 && a != s0,
		  "removing everything gives the empty set");
	TAP_CHECK(mos_evtab_nsets(tab) == 1, "nothing else is left");
	mos_evset_put(tab, a);
	mos_evset_put(tab, b);
	mos_evtab_free(tab);
}

/* Built-in 0 with U1 (pass/fail), U2 below it, and U11 below U1. */
struct tree {
	struct mos_evtab *tab;
	struct filt f1, f2, f11;
	int u1, u2, u11;
};

static void tree_init(struct tree *t)
{
	memset(t, 0, sizeof(*t));
	t->tab = mos_evtab_new();
	t->f1.pass = true;
	t->f2.pass = true;
	t->f11.pass = true;
	t->u1 = mos_evtab_define(t->tab, 0, filter, &t->f1);
	t->u2 = mos_evtab_define(t->tab, 0, filter, &t->f2);
	t->u11 = mos_evtab_define(t->tab, t->u1, filter, &t->f11);
}

static int tree_calls(struct tree *t)
{
	int n = t->f1.calls + t->f2.calls + t->f11.calls;

	t->f1.calls = 0;
	t->f2.calls = 0;
	t->f11.calls = 0;
	return n;
}

static void test_dispatch(void)
{
	struct tree t;
	struct mos_evset *s;
	char want[64];

	tree_init(&t);
	s = mos_evset_empty(t.tab);
	mos_evset_add(t.tab, &s, 0, cb_a, NULL);
	dispatch(t.tab, &s, 0);
	TAP_CHECK(!strcmp(trace, "a:0") && tree_calls(&t) == 0,
		  "no filter runs without a callback below it");

	mos_evset_add(t.tab, &s, t.u11, cb_b, NULL);
	dispatch(t.tab, &s, 0);
	snprintf(want, sizeof(want), "a:0 b:%d", t.u11);
	TAP_CHECK(!strcmp(trace, want), "nested UDE fires (%s)", trace);
	TAP_CHECK(t.f1.calls == 1 && t.f11.calls == 1 && t.f2.calls == 0,
		  "filters run on the path only (%d %d %d)", t.f1.calls,
		  t.f11.calls, t.f2.calls);
	tree_calls(&t);

	/* Registered in an order unlike the definitions'. */
	mos_evset_add(t.tab, &s, t.u2, cb_a, NULL);
	mos_evset_add(t.tab, &s, t.u1, cb_b, NULL);
	dispatch(t.tab, &s, 0);
	snprintf(want, sizeof(want), "a:0 b:%d b:%d a:%d", t.u1, t.u11, t.u2);
	TAP_CHECK(!strcmp(trace, want),
		  "depth first, in definition order (%s)", trace);
	TAP_CHECK(tree_calls(&t) == 3, "each filter ran once");

	t.f1.pass = false;
	dispatch(t.tab, &s, 0);
	snprintf(want, sizeof(want), "a:0 a:%d", t.u2);
	TAP_CHECK(!strcmp(trace, want), "a failed filter stops its subtree (%s)",
		  trace);
	TAP_CHECK(t.f11.calls == 0 && t.f1.calls == 1 && t.f2.calls == 1,
		  "the filter below a failed one does not run");
	tree_calls(&t);

	t.f1.pass = true;
	t.f11.pass = false;
	dispatch(t.tab, &s, 0);
	snprintf(want, sizeof(want), "a:0 b:%d a:%d", t.u1, t.u2);
	TAP_CHECK(!strcmp(trace, want), "a failed leaf filter (%s)", trace);
	tree_calls(&t);

	dispatch(t.tab, &s, 1);
	TAP_CHECK(!trace[0] && tree_calls(&t) == 0,
		  "another built-in event: nothing runs");
	TAP_CHECK(mos_evset_builtin_mask(s) == 1, "builtin mask 0x%x",
		  mos_evset_builtin_mask(s));

	mos_evset_remove(t.tab, &s, 0);
	mos_evset_remove(t.tab, &s, t.u1);
	mos_evset_remove(t.tab, &s, t.u2);
	t.f11.pass = true;
	dispatch(t.tab, &s, 0);
	snprintf(want, sizeof(want), "b:%d", t.u11);
	TAP_CHECK(!strcmp(trace, want) && tree_calls(&t) == 2,
		  "only the path to the last callback is left (%s)", trace);
	mos_evset_remove(t.tab, &s, t.u11);
	TAP_CHECK(mos_evset_builtin_mask(s) == 0, "mask empty again");
	mos_evset_put(t.tab, s);
	mos_evtab_free(t.tab);
}

static void test_mask(void)
{
	struct mos_evtab *tab = mos_evtab_new();
	struct filt f = { .pass = true };
	struct mos_evset *s = mos_evset_empty(tab);
	int u5 = mos_evtab_define(tab, 5, filter, &f);
	int u55 = mos_evtab_define(tab, u5, filter, &f);
	int u7 = mos_evtab_define(tab, 7, filter, &f);

	mos_evset_add(tab, &s, 3, cb_a, NULL);
	mos_evset_add(tab, &s, u55, cb_a, NULL);
	TAP_CHECK(mos_evset_builtin_mask(s) == (1U << 3 | 1U << 5),
		  "mask: built-ins and UDE roots (0x%x)",
		  mos_evset_builtin_mask(s));
	mos_evset_add(tab, &s, 15, cb_a, NULL);
	mos_evset_add(tab, &s, u7, cb_a, NULL);
	TAP_CHECK(mos_evset_builtin_mask(s) == (1U << 3 | 1U << 5 | 1U << 7 |
						1U << 15), "mask: more roots");
	mos_evset_remove(tab, &s, u55);
	TAP_CHECK(!(mos_evset_builtin_mask(s) & 1U << 5),
		  "mask: root dropped with its last UDE callback");
	dispatch(tab, &s, 5);
	TAP_CHECK(!trace[0] && f.calls == 0, "nothing runs for a masked root");
	mos_evset_put(tab, s);
	mos_evtab_free(tab);
}

/* State of the callbacks that change their flow's set while it runs. */
static struct mos_evtab *g_tab;
static struct mos_evset *g_flow;
static mos_event_t g_other;

static void cb_unreg_self(struct mos_ctx *mctx, int sock, int side,
			  mos_event_t ev, void *arg)
{
	trace_add("self", ev);
	mos_evset_remove(g_tab, &g_flow, ev);
}

static void cb_unreg_other(struct mos_ctx *mctx, int sock, int side,
			   mos_event_t ev, void *arg)
{
	trace_add("other", ev);
	mos_evset_remove(g_tab, &g_flow, g_other);
}

static void cb_reg_other(struct mos_ctx *mctx, int sock, int side,
			 mos_event_t ev, void *arg)
{
	trace_add("reg", ev);
	mos_evset_add(g_tab, &g_flow, g_other, cb_b, NULL);
}

static void cb_drop(struct mos_ctx *mctx, int sock, int side,
		    mos_event_t ev, void *arg)
{
	trace_add("drop", ev);
	mos_evset_put(g_tab, g_flow);
	g_flow = NULL;
}

static void test_change_in_dispatch(void)
{
	struct filt f = { .pass = true };
	char want[64];
	int u;

	g_tab = mos_evtab_new();
	u = mos_evtab_define(g_tab, 2, filter, &f);

	/* Unique to this flow: only dispatch's reference keeps it alive. */
	g_flow = mos_evset_empty(g_tab);
	mos_evset_add(g_tab, &g_flow, 2, cb_unreg_self, NULL);
	mos_evset_add(g_tab, &g_flow, u, cb_a, NULL);
	dispatch(g_tab, &g_flow, 2);
	snprintf(want, sizeof(want), "self:2 a:%d", u);
	TAP_CHECK(!strcmp(trace, want),
		  "a callback unregistering itself: the walk goes on (%s)",
		  trace);
	TAP_CHECK(!mos_evset_lookup(g_flow, 2, NULL, NULL) &&
		  mos_evtab_nsets(g_tab) == 2, "... and it is gone");
	dispatch(g_tab, &g_flow, 2);
	snprintf(want, sizeof(want), "a:%d", u);
	TAP_CHECK(!strcmp(trace, want), "it does not fire again (%s)", trace);

	g_other = u;
	mos_evset_add(g_tab, &g_flow, 2, cb_unreg_other, NULL);
	dispatch(g_tab, &g_flow, 2);
	TAP_CHECK(!strcmp(trace, "other:2"),
		  "a callback unregistered meanwhile does not run (%s)", trace);

	mos_evset_add(g_tab, &g_flow, 2, cb_reg_other, NULL);
	f.calls = 0;
	dispatch(g_tab, &g_flow, 2);
	TAP_CHECK(!strcmp(trace, "reg:2") && f.calls == 0,
		  "one registered meanwhile waits for the next event (%s)",
		  trace);
	dispatch(g_tab, &g_flow, 2);
	snprintf(want, sizeof(want), "reg:2 b:%d", u);
	TAP_CHECK(!strcmp(trace, want), "... then fires (%s)", trace);

	mos_evset_add(g_tab, &g_flow, 2, cb_drop, NULL);
	dispatch(g_tab, &g_flow, 2);
	TAP_CHECK(!strcmp(trace, "drop:2") && !g_flow,
		  "the holder dropping its set mid-dispatch (%s)", trace);
	TAP_CHECK(mos_evtab_nsets(g_tab) == 1, "the set went with it");
	mos_evtab_free(g_tab);
}

static void test_collisions(void)
{
	enum { N = 40 };
	static char args[N / 16 + 1];
	struct mos_evtab *tab = mos_evtab_new();
	struct mos_evset *s = mos_evset_empty(tab), *f[N], *g[N];
	bool distinct = true, shared = true;
	int i, j;

	mos_evset_add(tab, &s, 1, cb_a, NULL);
	TAP_CHECK(mos_evtab_set_hash(tab, const_hash) == -EBUSY,
		  "the hash cannot change while sets are alive");
	mos_evset_remove(tab, &s, 1);
	TAP_CHECK(mos_evtab_set_hash(tab, const_hash) == 0,
		  "the hash can change with the empty set only");

	/* Every set with one pair has id 42, with two pairs id 0. */
	for (i = 0; i < N; i++) {
		f[i] = mos_evset_empty(tab);
		g[i] = mos_evset_empty(tab);
		mos_evset_add(tab, &f[i], i % 16, cb_a, &args[i / 16]);
		mos_evset_add(tab, &g[i], i % 16, cb_a, &args[i / 16]);
	}
	for (i = 0; i < N; i++) {
		shared &= f[i] == g[i];
		for (j = 0; j < i; j++)
			distinct &= f[i] != f[j];
	}
	TAP_CHECK(distinct && shared && mos_evtab_nsets(tab) == N + 1,
		  "colliding ids: distinct sets apart, equal ones shared");
	mos_evset_add(tab, &f[0], 1, cb_b, NULL);
	mos_evset_add(tab, &g[0], 1, cb_b, NULL);
	TAP_CHECK(f[0] == g[0] && mos_evset_count(f[0]) == 2,
		  "a set with the empty set's id is not the empty set");
	mos_evset_remove(tab, &f[0], 1);
	TAP_CHECK(f[0] != g[0] && mos_evset_count(f[0]) == 1 &&
		  mos_evset_lookup(f[0], 0, NULL, NULL),
		  "remove under collisions");
	mos_evset_remove(tab, &g[0], 1);
	TAP_CHECK(f[0] == g[0], "... finds the equal set");
	for (i = 0; i < N; i++) {
		mos_evset_put(tab, f[i]);
		mos_evset_put(tab, g[i]);
	}
	mos_evset_put(tab, s);
	TAP_CHECK(mos_evtab_nsets(tab) == 1, "all freed under collisions");
	mos_evtab_free(tab);
}

static void test_many_udes(void)
{
	struct mos_evtab *tab = mos_evtab_new();
	struct filt f = { .pass = true };
	struct mos_evset *s = mos_evset_empty(tab);
	int i, ev = 4, first = 0, rc;
	char want[32];

	/* A chain: each UDE is derived from the previous one. */
	for (i = 0; i < MOS_EV_UDE_MAX; i++) {
		rc = mos_evtab_define(tab, ev, filter, &f);
		if (rc < 0)
			break;
		ev = rc;
		if (!i)
			first = rc;
	}
	TAP_CHECK(i == MOS_EV_UDE_MAX, "%d UDEs defined", MOS_EV_UDE_MAX);
	TAP_CHECK(mos_evtab_define(tab, 0, filter, &f) == -ENOSPC,
		  "one more: -ENOSPC");
	mos_evset_add(tab, &s, ev, cb_a, NULL);
	mos_evset_add(tab, &s, first, cb_b, NULL);
	TAP_CHECK(mos_evset_builtin_mask(s) == 1U << 4, "mask of the chain");
	dispatch(tab, &s, 4);
	snprintf(want, sizeof(want), "b:%d a:%d", first, ev);
	TAP_CHECK(!strcmp(trace, want) && f.calls == MOS_EV_UDE_MAX,
		  "dispatch down a chain %d deep (%d filters)",
		  MOS_EV_UDE_MAX, f.calls);
	f.calls = 0;
	mos_evset_remove(tab, &s, ev);
	dispatch(tab, &s, 4);
	TAP_CHECK(f.calls == 1, "pruned to the first UDE (%d filters)",
		  f.calls);
	for (i = MOS_EV_BUILTIN_MAX; i < MOS_EV_BUILTIN_MAX + 64; i++)
		mos_evset_add(tab, &s, i, cb_a, NULL);
	f.calls = 0;
	dispatch(tab, &s, 4);
	TAP_CHECK(f.calls == 64, "64 callbacks down the chain");
	mos_evset_put(tab, s);
	mos_evtab_free(tab);
}

/*
 * Random registrations on a few flows, checked against a model: a table
 * of the callback index (or -1) per flow and event. Equal contents must
 * mean the same set, and the table must hold only the sets in use.
 */
#define RW_FLOWS	24
#define RW_EVENTS	(MOS_EV_BUILTIN_MAX + 8)

static const mos_callback_t rw_cbs[] = { cb_a, cb_b };
static char rw_args[3];

static int rw_cb(int k)
{
	return k % 2;
}

static void *rw_arg(int k)
{
	return &rw_args[k / 2];
}

static bool rw_matches(const struct mos_evset *set, const int *model)
{
	size_t n = 0;
	int ev;

	for (ev = 0; ev < RW_EVENTS; ev++) {
		mos_callback_t cb;
		void *arg;
		bool has = mos_evset_lookup(set, ev, &cb, &arg);
		bool want = model[ev] >= 0;

		if (has != want)
			return false;
		if (!has)
			continue;
		if (cb != rw_cbs[rw_cb(model[ev])] || arg != rw_arg(model[ev]))
			return false;
		n++;
	}
	return n == mos_evset_count(set);
}

/* Dispatch of a built-in event with filters passing runs all below it. */
static bool rw_dispatch(struct mos_evtab *tab, struct mos_evset **setp,
			const int *model, mos_event_t builtin)
{
	int ev, want = 0;

	for (ev = 0; ev < RW_EVENTS; ev++) {
		mos_event_t root = ev;

		if (root >= MOS_EV_BUILTIN_MAX + 4)
			root -= 4;
		if (root >= MOS_EV_BUILTIN_MAX)
			root -= MOS_EV_BUILTIN_MAX;
		want += model[ev] >= 0 && root == builtin;
	}
	ncalls = 0;
	dispatch(tab, setp, builtin);
	return ncalls == want &&
	       !(mos_evset_builtin_mask(*setp) & 1U << builtin) == !want;
}

static bool rw_consistent(struct mos_evtab *tab, struct mos_evset **flows,
			  int model[][RW_EVENTS])
{
	size_t distinct = 0;
	bool empty_used = false;
	int i, j;

	for (i = 0; i < RW_FLOWS; i++) {
		bool first = true;

		if (!rw_matches(flows[i], model[i]))
			return false;
		for (j = 0; j < i; j++) {
			bool same = !memcmp(model[i], model[j],
					    sizeof(model[i]));
			bool shared = flows[i] == flows[j];

			if (same != shared)
				return false;
			if (same)
				first = false;
		}
		distinct += first;
		empty_used |= !mos_evset_count(flows[i]);
	}
	return mos_evtab_nsets(tab) == distinct + !empty_used;
}

static bool random_walk(uint64_t (*hash)(mos_event_t, mos_callback_t,
					 void *), unsigned int seed)
{
	struct mos_evtab *tab = mos_evtab_new();
	struct mos_evset *flows[RW_FLOWS];
	static int model[RW_FLOWS][RW_EVENTS];
	struct filt f = { .pass = true };
	bool ok = true;
	int i, step;

	srand(seed);
	mos_evtab_set_hash(tab, hash);
	for (i = 0; i < 8; i++)
		mos_evtab_define(tab, i < 4 ? i : MOS_EV_BUILTIN_MAX + i - 4,
				 filter, &f);
	memset(model, 0xff, sizeof(model));
	for (i = 0; i < RW_FLOWS; i++)
		flows[i] = mos_evset_empty(tab);

	for (step = 0; step < 20000 && ok; step++) {
		int fl = rand() % RW_FLOWS, ev = rand() % RW_EVENTS;
		int k = rand() % 6, op = rand() % 10, rc;

		if (op < 5) {
			rc = mos_evset_add(tab, &flows[fl], ev, rw_cbs[rw_cb(k)],
					   rw_arg(k));
			ok &= !rc;
			model[fl][ev] = k;
		} else if (op < 9) {
			rc = mos_evset_remove(tab, &flows[fl], ev);
			ok &= rc == (model[fl][ev] >= 0 ? 0 : -ENOENT);
			model[fl][ev] = -1;
		} else {
			/* A new flow inheriting another's set. */
			int src = rand() % RW_FLOWS;
			struct mos_evset *old = flows[fl];

			flows[fl] = mos_evset_get(flows[src]);
			mos_evset_put(tab, old);
			memcpy(model[fl], model[src], sizeof(model[fl]));
		}
		if (step % 16 == 0 || !ok) {
			ok &= rw_consistent(tab, flows, model);
			ok &= rw_dispatch(tab, &flows[fl], model[fl],
					  rand() % 4);
		}
	}
	ok &= rw_consistent(tab, flows, model);
	for (i = 0; i < RW_FLOWS; i++)
		mos_evset_put(tab, flows[i]);
	ok &= mos_evtab_nsets(tab) == 1;
	mos_evtab_free(tab);
	return ok;
}

static void test_random(void)
{
	TAP_CHECK(random_walk(NULL, 1), "random walk, default hash");
	TAP_CHECK(random_walk(weak_hash, 2), "random walk, colliding hash");
	TAP_CHECK(random_walk(const_hash, 3), "random walk, constant hash");
}

static void test_free_with_refs(void)
{
	struct mos_evtab *tab = mos_evtab_new();
	struct mos_evset *s = mos_evset_empty(tab);

	mos_evset_add(tab, &s, 0, cb_a, NULL);
	mos_evset_get(s);
	mos_evtab_free(tab);
	TAP_CHECK(1, "evtab_free frees sets still referenced (ASan: no leak)");
}

/*
 * Per-flow registration one callback at a time: the intermediate sets no
 * flow keeps are kept for reuse, so the second flow builds nothing.
 */
static void test_kept_chain(void)
{
	struct mos_evtab *tab = mos_evtab_new();
	struct mos_evset *f1 = mos_evset_empty(tab), *f2;
	uint64_t built;
	int i;

	for (i = 0; i < 8; i++)
		mos_evset_add(tab, &f1, i, cb_a, NULL);
	built = mos_evtab_nbuilt(tab);
	mos_evset_put(tab, f1);
	TAP_CHECK(mos_evtab_nsets(tab) == 1,
		  "kept chain: unreferenced sets are not counted (%zu)",
		  mos_evtab_nsets(tab));
	f2 = mos_evset_empty(tab);
	for (i = 0; i < 8; i++)
		mos_evset_add(tab, &f2, i, cb_a, NULL);
	TAP_CHECK(mos_evtab_nbuilt(tab) == built,
		  "kept chain: a second flow builds no set (%llu, %llu)",
		  (unsigned long long)built,
		  (unsigned long long)mos_evtab_nbuilt(tab));
	TAP_CHECK(mos_evtab_nsets(tab) == 2, "kept chain: one set in use");
	mos_evset_put(tab, f2);
	mos_evtab_free(tab);
}

int main(void)
{
	test_basics();
	test_define();
	test_bad_args();
	test_sharing();
	test_xor_cow();
	test_dispatch();
	test_mask();
	test_change_in_dispatch();
	test_collisions();
	test_many_udes();
	test_random();
	test_free_with_refs();
	test_kept_chain();
	return tap_done();
}
