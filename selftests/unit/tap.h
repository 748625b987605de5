/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Minimal TAP output for the native unit tests: each check is one "ok" or
 * "not ok" line; selftests/run-tests.sh counts them.
 */
#ifndef MOS_SELFTESTS_TAP_H
#define MOS_SELFTESTS_TAP_H

#include <stdio.h>

static int tap_n, tap_failed;

#define TAP_CHECK(cond, ...)						\
	do {								\
		int ok_ = !!(cond);					\
									\
		tap_n++;						\
		if (!ok_)						\
			tap_failed++;					\
		printf("%sok %d - ", ok_ ? "" : "not ", tap_n);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		if (!ok_)						\
			printf("#   failed: %s (%s:%d)\n", #cond,		\
			       __FILE__, __LINE__);			\
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* MOS_SELFTESTS_TAP_H */
