/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * libmos-user internal: events, user-defined events and the shared event
 * sets of monitoring sockets and flows (the mOS event model, NSDI'17).
 *
 * A middlebox registers <event, callback> pairs. Built-in events (ids below
 * MOS_EV_BUILTIN_MAX) are raised by the engine; a user-defined event (UDE)
 * is a base event (built-in or UDE) plus a filter, and fires when its base
 * fires and the filter returns true. The events form a forest, the event
 * dependency tree: built-in events are the roots, each UDE is a child of its
 * base.
 *
 * Each listener and each flow holds an event set: at most one callback per
 * event. Sets are immutable, reference counted and interned in their
 * struct mos_evtab, so every flow with the same registrations shares one
 * set; changing a flow's set swaps its pointer for another interned set
 * (copy on write). A new flow takes a reference on its listener's set.
 *
 * Every function returns 0 (or a count) on success and a negative errno on
 * failure; none of them prints, aborts or exits.
 *
 * Not thread-safe: a struct mos_evtab, its sets and the references to them
 * belong to one thread (one library instance per thread).
 */
#ifndef MOS_LIBMOS_USER_EVSET_H
#define MOS_LIBMOS_USER_EVSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/* mos_event_t, mos_callback_t and mos_filter_t are the public ones. */
#include <mos/mos.h>

/* Built-in events have ids 0..MOS_EV_BUILTIN_MAX - 1, UDEs follow. */
#define MOS_EV_BUILTIN_MAX	32
/* How many UDEs one struct mos_evtab can define. */
#define MOS_EV_UDE_MAX		4096

/** struct mos_evtab - UDE definitions and interned sets of one instance */
struct mos_evtab;

/** struct mos_evset - an immutable, shared, reference-counted event set */
struct mos_evset;

/**
 * mos_evtab_new() - create an event table
 *
 * The table starts with one interned set, the empty one, which it keeps
 * alive until mos_evtab_free().
 *
 * Return: the table, or NULL when out of memory.
 */
struct mos_evtab *mos_evtab_new(void);

/**
 * mos_evtab_free() - free an event table and every set interned in it
 * @tab: the table, or NULL
 *
 * References still held on its sets become invalid.
 */
void mos_evtab_free(struct mos_evtab *tab);

/**
 * mos_evtab_define() - define a user-defined event
 * @tab: the table
 * @base: the event the UDE derives from: built-in or an existing UDE
 * @filter: decides, each time @base fires, whether the UDE fires
 * @filter_arg: passed to @filter
 *
 * Return: the new event id (MOS_EV_BUILTIN_MAX or more, increasing with
 * each definition); -EINVAL if @base is unknown or @filter is NULL;
 * -ENOSPC when MOS_EV_UDE_MAX UDEs are defined; -ENOMEM.
 */
int mos_evtab_define(struct mos_evtab *tab, mos_event_t base,
		     mos_filter_t filter, void *filter_arg);

/**
 * mos_evtab_valid() - whether an event is built in or defined in a table
 * @tab: the table
 * @ev: the event
 *
 * Return: true when @ev can be registered in @tab's sets.
 */
bool mos_evtab_valid(const struct mos_evtab *tab, mos_event_t ev);

/**
 * mos_evtab_nsets() - number of interned sets alive, the empty one included
 * @tab: the table
 *
 * Return: the number of sets.
 */
size_t mos_evtab_nsets(const struct mos_evtab *tab);

void mos_evtab_set_builtin_shift(struct mos_evtab *tab, unsigned int shift);
uint64_t mos_evtab_nbuilt(const struct mos_evtab *tab);

/**
 * mos_evtab_set_hash() - replace the hash of <event, callback, arg> pairs
 * @tab: the table
 * @hash: the new hash, or NULL for the default one
 *
 * For tests: a poor hash forces set ids to collide. Only allowed while the
 * empty set is the only set, as the ids of live sets depend on the hash.
 *
 * Return: 0, or -EBUSY when other sets are alive.
 */
int mos_evtab_set_hash(struct mos_evtab *tab,
		       uint64_t (*hash)(mos_event_t ev, mos_callback_t cb,
					void *arg));

/**
 * mos_evset_empty() - the empty set
 * @tab: the table
 *
 * Return: a new reference on @tab's empty set.
 */
struct mos_evset *mos_evset_empty(struct mos_evtab *tab);

/**
 * mos_evset_get() - take a reference on a set
 * @set: the set, or NULL
 *
 * Return: @set.
 */
struct mos_evset *mos_evset_get(struct mos_evset *set);

/**
 * mos_evset_put() - drop a reference on a set, freeing it on the last one
 * @tab: the table the set is interned in
 * @set: the set, or NULL
 */
void mos_evset_put(struct mos_evtab *tab, struct mos_evset *set);

/**
 * mos_evset_add() - register a callback for an event
 * @tab: the table
 * @setp: the holder's set; its reference is replaced by one on the result
 * @ev: the event
 * @cb: the callback
 * @cb_arg: passed to @cb
 *
 * One callback per event per set: registering an event again replaces its
 * callback. On failure *@setp is unchanged.
 *
 * Return: 0; -EINVAL if @ev is unknown or @cb is NULL; -ENOMEM.
 */
int mos_evset_add(struct mos_evtab *tab, struct mos_evset **setp,
		  mos_event_t ev, mos_callback_t cb, void *cb_arg);

/**
 * mos_evset_remove() - unregister the callback of an event
 * @tab: the table
 * @setp: the holder's set; its reference is replaced by one on the result
 * @ev: the event
 *
 * On failure *@setp is unchanged.
 *
 * Return: 0; -ENOENT if nothing is registered for @ev; -EINVAL; -ENOMEM.
 */
int mos_evset_remove(struct mos_evtab *tab, struct mos_evset **setp,
		     mos_event_t ev);

/**
 * mos_evset_lookup() - the callback registered for an event
 * @set: the set
 * @ev: the event
 * @cb: set to the callback when found, may be NULL
 * @cb_arg: set to its argument when found, may be NULL
 *
 * Return: true when @set has a callback for @ev.
 */
bool mos_evset_lookup(const struct mos_evset *set, mos_event_t ev,
		      mos_callback_t *cb, void **cb_arg);

/**
 * mos_evset_count() - number of <event, callback> pairs in a set
 * @set: the set
 *
 * Return: the number of pairs.
 */
size_t mos_evset_count(const struct mos_evset *set);

/**
 * mos_evset_builtin_mask() - built-in events a set wants to hear about
 * @set: the set
 *
 * Return: bit N set when a callback is registered for built-in event N or
 * for a UDE derived from it; only those need to be raised.
 */
uint32_t mos_evset_builtin_mask(const struct mos_evset *set);

/**
 * mos_evset_dispatch() - raise a built-in event for one socket or flow
 * @tab: the table
 * @setp: the holder's set, read again after each callback
 * @builtin: the built-in event that happened
 * @mctx: passed to callbacks and filters
 * @sock: passed to callbacks and filters
 * @side: passed to callbacks and filters
 *
 * Runs the callback of @builtin, then, depth first and in definition order,
 * the filters of the UDEs derived from it that have a callback at or below
 * them, and the callbacks of those whose filter and ancestors' filters pass.
 *
 * Callbacks may change *@setp: the walk goes on over the set it started
 * with (a reference is held), but a callback unregistered or replaced in
 * the meantime is not called; callbacks registered meanwhile run from the
 * next dispatch on. *@setp must stay valid until dispatch returns.
 */
void mos_evset_dispatch(struct mos_evtab *tab, struct mos_evset *const *setp,
			mos_event_t builtin, struct mos_ctx *mctx, int sock,
			int side);

#endif /* MOS_LIBMOS_USER_EVSET_H */
