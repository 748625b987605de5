// SPDX-License-Identifier: GPL-2.0
/*
 * Running a context for the programs of tools/: SIGINT and SIGTERM stop
 * it (mos_stop_on_signals()); live, reports come every so often or on
 * SIGUSR1 from the program's own loop (mos_run_once()), and after the stop
 * mos_run() reads what is still queued and ends the open connections.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include "tool_run.h"

static volatile sig_atomic_t usr1_seen;

static void on_usr1(int sig)
{
	usr1_seen = 1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static int run_live(struct mos_ctx *mctx, const struct tool_report *rep)
{
	long next = now_ms() + rep->every_ms, wait;
	int ret;

	for (;;) {
		wait = rep->every_ms ? next - now_ms() : 1000;
		ret = mos_run_once(mctx, wait > 0 ? (int)wait : 0);
		if (ret < 0)
			break;
		if (usr1_seen) {
			usr1_seen = 0;
			rep->report(rep->arg);
		}
		if (rep->every_ms && now_ms() >= next) {
			rep->report(rep->arg);
			next += rep->every_ms;
			if (next < now_ms())
				next = now_ms() + rep->every_ms;
		}
	}
	return ret == -EINTR ? mos_run(mctx) : ret;
}

/**
 * tool_run() - run a context until its input ends or a signal stops it
 * @mctx: the context, set up
 * @rep: live reports, or NULL for none (then live is mos_run() alone)
 *
 * Return: 0, -EINTR after a stop offline, or mos_run()'s error; -errno
 * when the signal handlers cannot be installed.
 */
int tool_run(struct mos_ctx *mctx, const struct tool_report *rep)
{
	struct sigaction sa;
	int ret = mos_stop_on_signals(mctx);

	if (ret)
		return ret;
	if (rep && rep->on_usr1) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_usr1;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGUSR1, &sa, NULL))
			return -errno;
	}
	if (!rep || mos_get_fd(mctx) == -EINVAL)	/* a capture */
		return mos_run(mctx);
	return run_live(mctx, rep);
}
