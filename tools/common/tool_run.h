/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the programs of tools/ share: running a context until its input
 * ends or a signal stops it, with reports along the way.
 */
#ifndef MOS_TOOL_RUN_H
#define MOS_TOOL_RUN_H

#include <stdbool.h>
#include <mos/mos.h>

/**
 * struct tool_report - what a program reports while it runs live
 * @every_ms: report this often (0: never by time)
 * @on_usr1: report when SIGUSR1 arrives
 * @report: the report, called with @arg
 * @arg: its argument
 */
struct tool_report {
	long every_ms;
	bool on_usr1;
	void (*report)(void *arg);
	void *arg;
};

int tool_run(struct mos_ctx *mctx, const struct tool_report *rep);

#endif /* MOS_TOOL_RUN_H */
