// SPDX-License-Identifier: GPL-2.0
/*
 * strsearch's patterns: collected from -e and -p FILE (one per line), then
 * compiled into one Hyperscan streaming database whose ids are the
 * patterns' positions (0, 1, ...). Literals are compiled as regular
 * expressions that spell every byte as \xHH.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "strsearch.h"

/**
 * patterns_add() - add a pattern
 * @p: the list
 * @text: the pattern's bytes (need not be NUL-terminated)
 * @len: their count
 *
 * Return: 0, -ENOMEM.
 */
int patterns_add(struct patterns *p, const char *text, size_t len)
{
	char *copy;

	if (p->n == p->cap) {
		unsigned int cap = p->cap ? 2 * p->cap : 16;
		char **t = realloc(p->text, cap * sizeof(*t));
		size_t *l;

		if (!t)
			return -ENOMEM;
		p->text = t;
		l = realloc(p->len, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		p->len = l;
		p->cap = cap;
	}
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	p->text[p->n] = copy;
	p->len[p->n] = len;
	p->n++;
	return 0;
}

/**
 * patterns_load() - add the patterns of a file
 * @p: the list
 * @path: the file: one pattern per line; the line's end (LF or CRLF) is
 *	not part of it; empty lines are skipped
 *
 * Return: 0, or a negative errno (errno's meaning) when the file cannot
 * be read.
 */
int patterns_load(struct patterns *p, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t size = 0;
	ssize_t n;
	int ret = 0;

	if (!f)
		return -errno;
	while ((n = getline(&line, &size, f)) >= 0) {
		if (n && line[n - 1] == '\n')
			n--;
		if (n && line[n - 1] == '\r')
			n--;
		if (!n)
			continue;
		ret = patterns_add(p, line, n);
		if (ret)
			break;
	}
	if (!ret && ferror(f))
		ret = -EIO;
	free(line);
	fclose(f);
	return ret;
}

static char *literal_regex(const char *s, size_t len)
{
	char *re = malloc(4 * len + 1);
	size_t i;

	if (!re)
		return NULL;
	for (i = 0; i < len; i++)
		sprintf(re + 4 * i, "\\x%02x", (unsigned char)s[i]);
	re[4 * len] = '\0';
	return re;
}

/**
 * patterns_compile() - one streaming database for every pattern
 * @p: the patterns (at least one)
 * @literal: the patterns are byte strings, not regular expressions
 * @caseless: match letters whatever their case
 * @err: where a failure is explained, in one line
 * @err_len: room there
 *
 * Return: the database (hs_free_database() frees it), or NULL.
 */
hs_database_t *patterns_compile(const struct patterns *p, bool literal,
				bool caseless, char *err, size_t err_len)
{
	const char **exprs = calloc(p->n, sizeof(*exprs));
	unsigned int *flags = calloc(p->n, sizeof(*flags));
	unsigned int *ids = calloc(p->n, sizeof(*ids));
	hs_database_t *db = NULL;
	hs_compile_error_t *ce = NULL;
	unsigned int i;

	if (!exprs || !flags || !ids) {
		snprintf(err, err_len, "out of memory");
		goto out;
	}
	for (i = 0; i < p->n; i++) {
		exprs[i] = literal ? literal_regex(p->text[i], p->len[i]) :
				     p->text[i];
		if (!exprs[i]) {
			snprintf(err, err_len, "out of memory");
			goto out;
		}
		if (!literal && strlen(p->text[i]) != p->len[i]) {
			snprintf(err, err_len,
				 "pattern %u: NUL byte in a regex (use \\x00)",
				 i);
			goto out;
		}
		if (caseless)
			flags[i] = HS_FLAG_CASELESS;
		ids[i] = i;
	}
	if (hs_compile_multi(exprs, flags, ids, p->n, HS_MODE_STREAM, NULL,
			     &db, &ce) != HS_SUCCESS) {
		if (ce && ce->expression >= 0)
			snprintf(err, err_len, "pattern %d '%s': %s",
				 ce->expression, p->text[ce->expression],
				 ce->message);
		else
			snprintf(err, err_len, "%s",
				 ce ? ce->message : "cannot compile");
		hs_free_compile_error(ce);
		db = NULL;
	}
out:
	if (literal && exprs)
		for (i = 0; i < p->n; i++)
			free((char *)exprs[i]);
	free(exprs);
	free(flags);
	free(ids);
	return db;
}

/**
 * patterns_free() - free the list's memory
 * @p: the list (itself not freed)
 */
void patterns_free(struct patterns *p)
{
	unsigned int i;

	for (i = 0; i < p->n; i++)
		free(p->text[i]);
	free(p->text);
	free(p->len);
	memset(p, 0, sizeof(*p));
}
