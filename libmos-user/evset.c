// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * Event sets: the <event, callback> registrations of monitoring sockets and
 * flows, shared by every flow that has the same ones.
 *
 * A set is immutable once interned. Its identity is the XOR, over its
 * pairs, of a 64-bit hash of (event, callback, argument), so the id of the
 * set one registration away is computed in O(1) and looked up in the
 * intern table before anything is copied; the contents are compared too,
 * since different sets may share an id.
 *
 * Each set also holds its dispatch plan: the event dependency tree pruned
 * to the events with a callback at or below them, laid out in preorder in
 * one array. Each node records the size of its subtree, so dispatch is a
 * loop over that array that skips a subtree when its filter fails: no
 * recursion, however deep UDEs nest, and no filter runs for a UDE with
 * nothing registered below it.
 */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "evset.h"

#define EV_MAX		(MOS_EV_BUILTIN_MAX + MOS_EV_UDE_MAX)
#define EV_MARK_WORDS	((EV_MAX + 63) / 64)
#define EVTAB_MIN_BUCKETS 64

static_assert(MOS_EV_BUILTIN_MAX <= 32, "the built-in mask is 32 bits");
static_assert(EV_MAX <= INT32_MAX, "event ids are returned as int");

/* A UDE definition; UDE id i is ude[i - MOS_EV_BUILTIN_MAX]. */
struct mos_ude {
	mos_event_t base;
	mos_filter_t filter;
	void *arg;
};

/* One registration. */
struct mos_event {
	mos_event_t ev;
	mos_callback_t cb;
	void *arg;
};

/* One event of a set's pruned dependency tree. */
struct mos_evnode {
	mos_event_t ev;
	uint32_t size;		/* nodes in its subtree, itself included */
	mos_filter_t filter;	/* NULL for a built-in event */
	void *filter_arg;
	mos_callback_t cb;	/* NULL when only UDEs below have one */
	void *cb_arg;
};

/*
 * A remembered "add (ev, cb, arg) to this set gives that set": flows that
 * register the same callbacks one by one (per-flow registration at
 * CONN_START) then walk a chain of existing sets in O(1) per step instead of
 * comparing contents. The edge is weak: it holds no reference (so no set is
 * kept alive by it, and no cycle can form); it is valid only while a set
 * with that address and serial is still interned.
 */
struct evset_edge {
	mos_event_t ev;
	mos_callback_t cb;
	void *arg;
	struct mos_evset *to;
	uint64_t to_id;
	uint64_t to_serial;
};

#define EVSET_EDGES	2

/* Links of the table's list of unreferenced sets kept for reuse. */
struct zlink {
	struct zlink *prev;
	struct zlink *next;
};

/*
 * Sets nobody references are kept (still interned) for a while, up to
 * ZERO_KEEP of them, oldest dropped first: flows registering callbacks one
 * by one walk through intermediate sets that no flow keeps, and the next
 * flow finds them again instead of building each anew.
 */
#define ZERO_KEEP	4096

struct mos_evset {
	uint64_t id;
	uint64_t serial;	/* unique per set built: tells reuse apart */
	struct mos_evset *next;	/* in its intern bucket */
	size_t ref;
	struct mos_evtab *tab;
	struct zlink zl;	/* in tab->zero while unreferenced */
	struct evset_edge edge[EVSET_EDGES];
	uint32_t mask;		/* built-in events with a tree in @node */
	uint32_t nent;
	uint32_t nnode;
	uint32_t root[MOS_EV_BUILTIN_MAX];	/* valid where @mask says */
	struct mos_event *ent;	/* sorted by event, after @node */
	struct mos_evnode node[];
};

typedef uint64_t (*mos_evhash_t)(mos_event_t ev, mos_callback_t cb,
				 void *arg);

struct mos_evtab {
	struct mos_evset **bucket;
	size_t nbucket;		/* a power of two */
	size_t nsets;
	struct mos_evset *empty;
	mos_evhash_t hash;
	unsigned int builtin_shift;	/* see mos_evtab_set_builtin_shift() */
	uint64_t serial;		/* of the last set built */
	struct zlink zero;		/* unreferenced sets, oldest first */
	size_t nzero;
	struct mos_ude *ude;
	uint32_t nude;
	uint32_t ude_cap;
	/*
	 * Scratch space of set_build(), indexed by event id or by position
	 * in the sorted list of a new set's tree nodes; kept here, as it
	 * is small, so that building a set allocates only the set.
	 */
	uint64_t mark[EV_MARK_WORDS];
	uint32_t pos[EV_MAX];
	uint32_t lev[EV_MAX];
	uint32_t lsize[EV_MAX];
	uint32_t lnext[EV_MAX];
};

/*
 * A set described as another set plus one change, so that the result's
 * contents can be compared with interned sets without building it first.
 */
enum evmod_kind { EVMOD_INSERT, EVMOD_REPLACE, EVMOD_DELETE };

struct evmod {
	const struct mos_evset *old;
	enum evmod_kind kind;
	uint32_t pos;		/* in old->ent */
	uint32_t n;		/* entries in the result */
	struct mos_event ent;	/* the new entry, unless deleting */
};

/* The splitmix64 finalizer: every input bit affects every output bit. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint64_t pair_hash(mos_event_t ev, mos_callback_t cb, void *arg)
{
	uint64_t h = mix64(ev + 0x9e3779b97f4a7c15ULL);

	h = mix64(h ^ (uintptr_t)cb);
	return mix64(h ^ (uintptr_t)arg);
}

static uint64_t ent_hash(const struct mos_evtab *tab,
			 const struct mos_event *e)
{
	return tab->hash(e->ev, e->cb, e->arg);
}

bool mos_evtab_valid(const struct mos_evtab *tab, mos_event_t ev)
{
	return ev < MOS_EV_BUILTIN_MAX ||
	       ev - MOS_EV_BUILTIN_MAX < tab->nude;
}

static const struct mos_ude *ude_of(const struct mos_evtab *tab,
				    mos_event_t ev)
{
	return &tab->ude[ev - MOS_EV_BUILTIN_MAX];
}

/* Entry @i of the set @m describes. */
static const struct mos_event *evmod_at(const struct evmod *m, uint32_t i)
{
	const struct mos_event *old = m->old->ent;

	switch (m->kind) {
	case EVMOD_INSERT:
		if (i == m->pos)
			return &m->ent;
		return &old[i < m->pos ? i : i - 1];
	case EVMOD_REPLACE:
		return i == m->pos ? &m->ent : &old[i];
	default:
		return &old[i < m->pos ? i : i + 1];
	}
}

static bool evmod_equal(const struct evmod *m, const struct mos_evset *set)
{
	uint32_t i;

	if (set->nent != m->n)
		return false;
	for (i = 0; i < m->n; i++) {
		const struct mos_event *a = evmod_at(m, i), *b = &set->ent[i];

		if (a->ev != b->ev || a->cb != b->cb || a->arg != b->arg)
			return false;
	}
	return true;
}

static struct mos_evset **bucket_of(const struct mos_evtab *tab, uint64_t id)
{
	return &tab->bucket[(id ^ id >> 32) & (tab->nbucket - 1)];
}

static struct mos_evset *set_find(const struct mos_evtab *tab, uint64_t id,
				  const struct evmod *m)
{
	struct mos_evset *set;

	for (set = *bucket_of(tab, id); set; set = set->next)
		if (set->id == id && evmod_equal(m, set))
			return set;
	return NULL;
}

/* Doubles the buckets; on failure the chains just grow longer. */
static void evtab_grow(struct mos_evtab *tab)
{
	size_t n = tab->nbucket * 2, i;
	struct mos_evset **old = tab->bucket, *set, *next;

	tab->bucket = calloc(n, sizeof(*tab->bucket));
	if (!tab->bucket) {
		tab->bucket = old;
		return;
	}
	tab->nbucket = n;
	for (i = 0; i < n / 2; i++) {
		for (set = old[i]; set; set = next) {
			struct mos_evset **b = bucket_of(tab, set->id);

			next = set->next;
			set->next = *b;
			*b = set;
		}
	}
	free(old);
}

static void set_intern(struct mos_evtab *tab, struct mos_evset *set)
{
	struct mos_evset **b;

	if (tab->nsets >= tab->nbucket)
		evtab_grow(tab);
	b = bucket_of(tab, set->id);
	set->next = *b;
	*b = set;
	tab->nsets++;
}

static void set_unlink(struct mos_evtab *tab, struct mos_evset *set)
{
	struct mos_evset **p = bucket_of(tab, set->id);

	while (*p != set)
		p = &(*p)->next;
	*p = set->next;
	tab->nsets--;
}

static void zlink_del(struct zlink *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
	l->prev = NULL;
	l->next = NULL;
}

static struct mos_evset *zlink_set(struct zlink *l)
{
	return (struct mos_evset *)((char *)l - offsetof(struct mos_evset, zl));
}

/* Free the oldest unreferenced set kept for reuse. */
static void zero_drop_oldest(struct mos_evtab *tab)
{
	struct mos_evset *set = zlink_set(tab->zero.next);

	zlink_del(&set->zl);
	tab->nzero--;
	tab->nsets++;	/* set_unlink() counts it out once more */
	set_unlink(tab, set);
	free(set);
}

/*
 * Marks @ev and its ancestors in tab->mark, stopping at the first one
 * already marked (its own ancestors are then marked too). Return: how many
 * were newly marked.
 */
static uint32_t mark_path(struct mos_evtab *tab, mos_event_t ev)
{
	uint32_t n = 0;

	for (;;) {
		uint64_t bit = 1ULL << (ev % 64);

		if (tab->mark[ev / 64] & bit)
			return n;
		tab->mark[ev / 64] |= bit;
		n++;
		if (ev < MOS_EV_BUILTIN_MAX)
			return n;
		ev = ude_of(tab, ev)->base;
	}
}

/*
 * Fills tab->lev with the marked events in increasing order, clearing the
 * marks, and tab->pos with their positions in it.
 */
static void collect_marked(struct mos_evtab *tab)
{
	uint32_t w, n = 0;

	for (w = 0; w < EV_MARK_WORDS; w++) {
		uint64_t bits = tab->mark[w];

		while (bits) {
			mos_event_t ev = w * 64 + __builtin_ctzll(bits);

			bits &= bits - 1;
			tab->pos[ev] = n;
			tab->lev[n++] = ev;
		}
		tab->mark[w] = 0;
	}
}

/*
 * Builds the set @m describes, with id @id and one reference. Its tree
 * holds the registered events and their ancestors. A UDE's id is greater
 * than its base's, so, in increasing id order, parents come before their
 * children and siblings come in definition order: subtree sizes are summed
 * in one pass downwards, preorder positions handed out in one pass upwards.
 */
static struct mos_evset *set_build(struct mos_evtab *tab,
				   const struct evmod *m, uint64_t id)
{
	uint32_t *lev = tab->lev, *lsize = tab->lsize, *lnext = tab->lnext;
	uint32_t i, j, nnode = 0, next_root = 0;
	struct mos_evset *set;

	for (i = 0; i < m->n; i++)
		nnode += mark_path(tab, evmod_at(m, i)->ev);
	collect_marked(tab);

	set = malloc(sizeof(*set) + nnode * sizeof(set->node[0]) +
		     m->n * sizeof(set->ent[0]));
	if (!set)
		return NULL;
	set->id = id;
	set->serial = ++tab->serial;
	set->tab = tab;
	set->zl.prev = NULL;
	set->zl.next = NULL;
	memset(set->edge, 0, sizeof(set->edge));
	set->next = NULL;
	set->ref = 1;
	set->mask = 0;
	set->nent = m->n;
	set->nnode = nnode;
	set->ent = (struct mos_event *)&set->node[nnode];
	for (i = 0; i < m->n; i++)
		set->ent[i] = *evmod_at(m, i);

	for (i = 0; i < nnode; i++)
		lsize[i] = 1;
	for (i = nnode; i > 0; i--) {
		mos_event_t ev = lev[i - 1];

		if (ev >= MOS_EV_BUILTIN_MAX)
			lsize[tab->pos[ude_of(tab, ev)->base]] += lsize[i - 1];
	}

	for (i = 0, j = 0; i < nnode; i++) {
		mos_event_t ev = lev[i];
		struct mos_evnode *node;
		uint32_t at;

		if (ev < MOS_EV_BUILTIN_MAX) {
			at = next_root;
			next_root += lsize[i];
			set->mask |= 1U << ev;
			set->root[ev] = at;
		} else {
			uint32_t parent = tab->pos[ude_of(tab, ev)->base];

			at = lnext[parent];
			lnext[parent] += lsize[i];
		}
		lnext[i] = at + 1;

		node = &set->node[at];
		node->ev = ev;
		node->size = lsize[i];
		node->filter = NULL;
		node->filter_arg = NULL;
		if (ev >= MOS_EV_BUILTIN_MAX) {
			node->filter = ude_of(tab, ev)->filter;
			node->filter_arg = ude_of(tab, ev)->arg;
		}
		/* Both lists are sorted: merge them. */
		node->cb = NULL;
		node->cb_arg = NULL;
		if (j < set->nent && set->ent[j].ev == ev) {
			node->cb = set->ent[j].cb;
			node->cb_arg = set->ent[j].arg;
			j++;
		}
	}
	return set;
}

struct mos_evtab *mos_evtab_new(void)
{
	struct mos_evtab *tab = calloc(1, sizeof(*tab));
	struct mos_evset none = { .nent = 0 };
	struct evmod m = { .old = &none, .kind = EVMOD_DELETE, .n = 0 };

	if (!tab)
		return NULL;
	tab->hash = pair_hash;
	tab->zero.prev = &tab->zero;
	tab->zero.next = &tab->zero;
	tab->nbucket = EVTAB_MIN_BUCKETS;
	tab->bucket = calloc(tab->nbucket, sizeof(*tab->bucket));
	if (tab->bucket)
		tab->empty = set_build(tab, &m, 0);
	if (!tab->empty) {
		free(tab->bucket);
		free(tab);
		return NULL;
	}
	set_intern(tab, tab->empty);
	return tab;
}

void mos_evtab_free(struct mos_evtab *tab)
{
	struct mos_evset *set, *next;
	size_t i;

	if (!tab)
		return;
	for (i = 0; i < tab->nbucket; i++) {
		for (set = tab->bucket[i]; set; set = next) {
			next = set->next;
			free(set);
		}
	}
	free(tab->bucket);
	free(tab->ude);
	free(tab);
}

int mos_evtab_define(struct mos_evtab *tab, mos_event_t base,
		     mos_filter_t filter, void *filter_arg)
{
	struct mos_ude *ude;

	if (!tab || !filter || !mos_evtab_valid(tab, base))
		return -EINVAL;
	if (tab->nude == MOS_EV_UDE_MAX)
		return -ENOSPC;
	if (tab->nude == tab->ude_cap) {
		uint32_t cap = tab->ude_cap ? tab->ude_cap * 2 : 16;

		if (cap > MOS_EV_UDE_MAX)
			cap = MOS_EV_UDE_MAX;
		ude = realloc(tab->ude, cap * sizeof(*ude));
		if (!ude)
			return -ENOMEM;
		tab->ude = ude;
		tab->ude_cap = cap;
	}
	ude = &tab->ude[tab->nude];
	ude->base = base;
	ude->filter = filter;
	ude->arg = filter_arg;
	return MOS_EV_BUILTIN_MAX + tab->nude++;
}

size_t mos_evtab_nsets(const struct mos_evtab *tab)
{
	return tab->nsets;
}

int mos_evtab_set_hash(struct mos_evtab *tab, mos_evhash_t hash)
{
	if (tab->nsets > 1)
		return -EBUSY;
	/* Kept sets carry ids of the old hash: drop them. */
	while (tab->nzero)
		zero_drop_oldest(tab);
	tab->hash = hash ? hash : pair_hash;
	return 0;
}

struct mos_evset *mos_evset_empty(struct mos_evtab *tab)
{
	return mos_evset_get(tab->empty);
}

struct mos_evset *mos_evset_get(struct mos_evset *set)
{
	if (!set)
		return NULL;
	if (!set->ref++ && set->zl.next) {	/* back from the kept ones */
		zlink_del(&set->zl);
		set->tab->nzero--;
		set->tab->nsets++;
	}
	return set;
}

void mos_evset_put(struct mos_evtab *tab, struct mos_evset *set)
{
	if (!set || --set->ref)
		return;
	/* Keep it findable: the next flow may need it again. */
	set->zl.prev = tab->zero.prev;
	set->zl.next = &tab->zero;
	tab->zero.prev->next = &set->zl;
	tab->zero.prev = &set->zl;
	tab->nzero++;
	tab->nsets--;
	if (tab->nzero > ZERO_KEEP)
		zero_drop_oldest(tab);
}

/* Position of @ev in @set's entries, or where it would be inserted. */
static uint32_t ent_pos(const struct mos_evset *set, mos_event_t ev)
{
	uint32_t lo = 0, hi = set->nent;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (set->ent[mid].ev < ev)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Replaces *@setp by the interned set @m describes, building it if new. */
static int set_swap(struct mos_evtab *tab, struct mos_evset **setp,
		    const struct evmod *m, uint64_t id)
{
	struct mos_evset *set = set_find(tab, id, m);

	if (set) {
		mos_evset_get(set);
	} else {
		set = set_build(tab, m, id);
		if (!set)
			return -ENOMEM;
		set_intern(tab, set);
	}
	/* Last: the put may free m->old. */
	mos_evset_put(tab, *setp);
	*setp = set;
	return 0;
}

static struct evset_edge *edge_slot(struct mos_evset *set, mos_event_t ev,
				     mos_callback_t cb)
{
	return &set->edge[(ev ^ (uintptr_t)cb >> 4) % EVSET_EDGES];
}

/* The set a weak edge points to, if it still exists. */
static struct mos_evset *edge_target(const struct mos_evtab *tab,
				     const struct evset_edge *e)
{
	struct mos_evset *set;

	if (!e->to)
		return NULL;
	for (set = *bucket_of(tab, e->to_id); set; set = set->next)
		if (set == e->to && set->serial == e->to_serial)
			return set;
	return NULL;
}

/* An insertion through a remembered edge, or through set_swap(). */
static int set_insert(struct mos_evtab *tab, struct mos_evset **setp,
		      const struct evmod *m, uint64_t id)
{
	struct mos_evset *from = *setp, *to;
	struct evset_edge *e = edge_slot(from, m->ent.ev, m->ent.cb);
	int ret;

	if (e->ev == m->ent.ev && e->cb == m->ent.cb &&
	    e->arg == m->ent.arg) {
		to = edge_target(tab, e);
		if (to) {
			mos_evset_get(to);
			mos_evset_put(tab, from);
			*setp = to;
			return 0;
		}
	}
	mos_evset_get(from);	/* set_swap() may drop the last reference */
	ret = set_swap(tab, setp, m, id);
	if (!ret) {
		e->ev = m->ent.ev;
		e->cb = m->ent.cb;
		e->arg = m->ent.arg;
		e->to = *setp;
		e->to_id = (*setp)->id;
		e->to_serial = (*setp)->serial;
	}
	mos_evset_put(tab, from);
	return ret;
}

int mos_evset_add(struct mos_evtab *tab, struct mos_evset **setp,
		  mos_event_t ev, mos_callback_t cb, void *cb_arg)
{
	struct evmod m;
	const struct mos_evset *old;
	uint64_t id;

	if (!tab || !setp || !*setp || !cb || !mos_evtab_valid(tab, ev))
		return -EINVAL;
	old = *setp;
	m.old = old;
	m.pos = ent_pos(old, ev);
	m.ent.ev = ev;
	m.ent.cb = cb;
	m.ent.arg = cb_arg;
	id = old->id ^ ent_hash(tab, &m.ent);
	if (m.pos < old->nent && old->ent[m.pos].ev == ev) {
		const struct mos_event *cur = &old->ent[m.pos];

		if (cur->cb == cb && cur->arg == cb_arg)
			return 0;
		m.kind = EVMOD_REPLACE;
		m.n = old->nent;
		id ^= ent_hash(tab, cur);
	} else {
		m.kind = EVMOD_INSERT;
		m.n = old->nent + 1;
		return set_insert(tab, setp, &m, id);
	}
	return set_swap(tab, setp, &m, id);
}

int mos_evset_remove(struct mos_evtab *tab, struct mos_evset **setp,
		     mos_event_t ev)
{
	struct evmod m = { .kind = EVMOD_DELETE };

	if (!tab || !setp || !*setp)
		return -EINVAL;
	m.old = *setp;
	m.pos = ent_pos(m.old, ev);
	if (m.pos == m.old->nent || m.old->ent[m.pos].ev != ev)
		return -ENOENT;
	m.n = m.old->nent - 1;
	return set_swap(tab, setp, &m,
			m.old->id ^ ent_hash(tab, &m.old->ent[m.pos]));
}

bool mos_evset_lookup(const struct mos_evset *set, mos_event_t ev,
		      mos_callback_t *cb, void **cb_arg)
{
	uint32_t i = ent_pos(set, ev);

	if (i == set->nent || set->ent[i].ev != ev)
		return false;
	if (cb)
		*cb = set->ent[i].cb;
	if (cb_arg)
		*cb_arg = set->ent[i].arg;
	return true;
}

size_t mos_evset_count(const struct mos_evset *set)
{
	return set->nent;
}

uint32_t mos_evset_builtin_mask(const struct mos_evset *set)
{
	return set->mask;
}

/* Whether @set (the holder's current one) still has @node's callback. */
static bool still_registered(const struct mos_evset *set,
			     const struct mos_evnode *node)
{
	mos_callback_t cb;
	void *arg;

	return set && mos_evset_lookup(set, node->ev, &cb, &arg) &&
	       cb == node->cb && arg == node->cb_arg;
}

void mos_evset_dispatch(struct mos_evtab *tab, struct mos_evset *const *setp,
			mos_event_t builtin, struct mos_ctx *mctx, int sock,
			int side)
{
	struct mos_evset *set = *setp;
	uint32_t i, end;

	if (!set || builtin >= MOS_EV_BUILTIN_MAX ||
	    !(set->mask & 1U << builtin))
		return;
	/* Callbacks may drop the holder's reference: keep the set alive. */
	set->ref++;
	i = set->root[builtin];
	end = i + set->node[i].size;
	while (i < end) {
		const struct mos_evnode *node = &set->node[i];

		/* Preorder: a failed filter skips the UDE's subtree. */
		if (node->filter &&
		    !node->filter(mctx, sock, side, node->ev, node->filter_arg)) {
			i += node->size;
			continue;
		}
		i++;
		if (!node->cb)
			continue;
		/* A changed set may have dropped or replaced this callback. */
		if (*setp != set && !still_registered(*setp, node))
			continue;
		node->cb(mctx, sock, side,
			 node->ev < MOS_EV_BUILTIN_MAX ?
			 node->ev >> tab->builtin_shift : node->ev,
			 node->cb_arg);
	}
	mos_evset_put(tab, set);
}

/**
 * mos_evtab_set_builtin_shift() - how callbacks see built-in event ids
 * @tab: the table
 * @shift: built-in id >> @shift is what callbacks receive
 *
 * A user may encode more than the event in a built-in id (libmos-user puts
 * the hook in bit 0); callbacks are given the event alone.
 */
void mos_evtab_set_builtin_shift(struct mos_evtab *tab, unsigned int shift)
{
	tab->builtin_shift = shift;
}

/**
 * mos_evtab_nbuilt() - how many sets the table has built so far
 * @tab: the table
 *
 * Return: the count, for tests and statistics: sets found again (interned,
 * or kept after their last reference went) are not built anew.
 */
uint64_t mos_evtab_nbuilt(const struct mos_evtab *tab)
{
	return tab->serial;
}
