// SPDX-License-Identifier: GPL-2.0
/*
 * abacus's subscriber accounts: one per address, found by tsearch(3).
 */
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include "abacus.h"

static void *accounts;

static int sub_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ab_sub *)a)->addr,
		      ((const struct ab_sub *)b)->addr);
}

/**
 * ab_sub_get() - the account of a subscriber, created when new
 * @addr: its address as text
 *
 * Return: the account, or NULL when out of memory.
 */
struct ab_sub *ab_sub_get(const char *addr)
{
	struct ab_sub *s = calloc(1, sizeof(*s)), **found;

	if (!s)
		return NULL;
	snprintf(s->addr, sizeof(s->addr), "%s", addr);
	found = tsearch(s, &accounts, sub_cmp);
	if (!found) {
		free(s);
		return NULL;
	}
	if (*found != s)
		free(s);
	return *found;
}

static void (*walk_fn)(const struct ab_sub *sub, void *arg);
static void *walk_arg;

static void walk_one(const void *node, VISIT v, int depth)
{
	if (v == postorder || v == leaf)
		walk_fn(*(struct ab_sub *const *)node, walk_arg);
}

/**
 * ab_sub_walk() - call a function on every account, by address text
 * @fn: the function
 * @arg: its argument
 */
void ab_sub_walk(void (*fn)(const struct ab_sub *sub, void *arg), void *arg)
{
	walk_fn = fn;
	walk_arg = arg;
	twalk(accounts, walk_one);
}

/**
 * ab_sub_free_all() - forget every account
 */
void ab_sub_free_all(void)
{
	tdestroy(accounts, free);
	accounts = NULL;
}
