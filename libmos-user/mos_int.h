/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/* libmos-user internals shared by its files. */
#ifndef MOS_MOS_INT_H
#define MOS_MOS_INT_H

#include <mos/mos.h>
#include "engine/engine.h"
#include "evset.h"
#include "peekbuf.h"
#include "ring_reader.h"

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
 * @wake_fd: eventfd mos_stop() writes to wake a live poll(), or -1; kept
 *	open until mos_ctx_free() so that a late signal never writes to a
 *	reused descriptor
 * @live: the live backend once started (live.c), else NULL
 * @listen_mask: engine_mask() of the listener's set, as last computed
 * @mask_holders: live only: for each built-in event, how many holders
 *	(the listener and every connection) have it in their engine mask;
 *	the kernel is asked for the union
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
	volatile int wake_fd;
	struct mos_live *live;
	uint32_t listen_mask;
	uint32_t mask_holders[MOS_NUM_BUILTIN];
};

/* mos.c, for the backends */
struct mos_conn *mos_conn_of_flow(struct mos_ctx *mctx, struct mos_flow *f);
void mos_dispatch_event(struct mos_ctx *mctx, struct mos_flow *f,
			const struct mos_event *ev);
void mos_flow_release(struct mos_ctx *mctx, struct mos_flow *f);

int mos_capture_run(struct mos_ctx *mctx, const char *path);
int mos_linktype_ip_offset(int linktype, const uint8_t *pkt,
			   uint32_t caplen);

/**
 * struct mos_live_nl - a generic netlink socket for the mos family
 * @fd: the socket, -1 when closed
 * @family: the family's id
 * @seq: sequence number of the last request
 */
struct mos_live_nl {
	int fd;
	uint16_t family;
	uint32_t seq;
};

int mos_live_nl_open(struct mos_live_nl *nl);
void mos_live_nl_close(struct mos_live_nl *nl);
int mos_live_nl_monitor_set(struct mos_live_nl *nl, uint32_t monitor_id,
			    uint32_t evmask);
int mos_live_nl_flow_set(struct mos_live_nl *nl, uint64_t flow_id, int side,
			 int policy, bool stop);

/**
 * struct mos_live_ring_map - where one ring is mapped
 * @cons: its consumer page (writable)
 * @ctrl: its control page
 * @data: its data area, mapped twice back to back
 * @data_bytes: size of the data area
 */
struct mos_live_ring_map {
	struct mos_ring_cons *cons;
	const struct mos_ring_ctrl *ctrl;
	const void *data;
	uint32_t data_bytes;
};

/* live.c */
int mos_live_start(struct mos_ctx *mctx);
int mos_live_attach_maps(struct mos_ctx *mctx,
			 const struct mos_live_ring_map *maps,
			 unsigned int nr_rings);
int mos_live_run(struct mos_ctx *mctx);
int mos_live_run_once(struct mos_ctx *mctx, int timeout_ms);
int mos_live_fd(struct mos_ctx *mctx);
void mos_live_end_all(struct mos_ctx *mctx, uint8_t reason);
void mos_live_free(struct mos_ctx *mctx);
uint32_t mos_live_evmask(const struct mos_ctx *mctx);
int mos_live_sync_evmask(struct mos_ctx *mctx, bool shrink);
int mos_live_flow_set(struct mos_ctx *mctx, struct mos_flow *f, int side,
		      int policy, bool stop);
void mos_live_stats(const struct mos_ctx *mctx, struct mos_stats *st);

#endif /* MOS_MOS_INT_H */
