/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/* libmos-user internals shared by its files. */
#ifndef MOS_MOS_INT_H
#define MOS_MOS_INT_H

#include <mos/mos.h>
#include "engine/engine.h"
#include "evset.h"
#include "peekbuf.h"

/* Listener sockets are 0..MOS_MAX_LISTENERS-1, connections follow. */
#define MOS_MAX_LISTENERS	4

/**
 * struct mos_conn - the library's side of one connection
 * @flow: the engine's connection
 * @set: its event set (inherited from the listener, copy on write)
 * @uctx: the application's pointer
 * @buf: [side] bytes delivered to that side, for peeking
 * @sock: its socket number
 */
struct mos_conn {
	struct mos_flow *flow;
	struct mos_evset *set;
	void *uctx;
	struct mos_peekbuf buf[2];
	int sock;
};

/**
 * struct mos_ctx - a monitoring context
 * @opt: its options
 * @engine: the engine
 * @tab: event definitions and interned event sets
 * @listen_set: the stream listener's event set (NULL: no listener)
 * @conns: connection by socket number - MOS_MAX_LISTENERS
 * @nconns: size of @conns
 * @free_socks: free slots of @conns, a stack
 * @nfree: entries in @free_socks
 * @cur_ev: the event being dispatched
 * @stop: mos_stop() was called
 */
struct mos_ctx {
	struct mos_options opt;
	struct mos_engine *engine;
	struct mos_evtab *tab;
	struct mos_evset *listen_set;
	struct mos_conn **conns;
	size_t nconns;
	int *free_socks;
	size_t nfree;
	const struct mos_event *cur_ev;
	volatile bool stop;
};

int mos_capture_run(struct mos_ctx *mctx, const char *path);
int mos_linktype_ip_offset(int linktype, const uint8_t *pkt,
			   uint32_t caplen);

#endif /* MOS_MOS_INT_H */
