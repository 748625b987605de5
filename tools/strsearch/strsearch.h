/* SPDX-License-Identifier: GPL-2.0 */
/*
 * strsearch: the patterns (patterns.c) and the program (strsearch.c).
 */
#ifndef STRSEARCH_H
#define STRSEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <hs/hs.h>

/**
 * struct patterns - the patterns to search for, in the order given
 * @text: [id] each pattern as given (a regex, or the bytes of a literal)
 * @len: [id] its length in bytes
 * @n: how many
 * @cap: room in @text and @len
 */
struct patterns {
	char **text;
	size_t *len;
	unsigned int n;
	unsigned int cap;
};

int patterns_add(struct patterns *p, const char *text, size_t len);
int patterns_load(struct patterns *p, const char *path);
hs_database_t *patterns_compile(const struct patterns *p, bool literal,
				bool caseless, char *err, size_t err_len);
void patterns_free(struct patterns *p);

#endif /* STRSEARCH_H */
