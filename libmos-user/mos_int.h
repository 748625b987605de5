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
#define MOS_STREAM_SOCK		0
#define MOS_RAW_SOCK		1
#define MOS_NUM_FILTERS		3	/* MOS_FILTER_KIND_* */

struct bpf_insn;

/**
 * struct mos_filter - a compiled pcap filter (DLT_RAW)
 * @insns: its classic BPF program, NULL when none is bound
 * @len: its instruction count
 */
struct mos_filter {
	struct bpf_insn *insns;
	unsigned int len;
};

/**
 * struct mos_last_pkt - the packet behind the event being dispatched
 * @ip: its bytes from the IP header on (offline the captured packet, live
 *	@hdrs)
 * @caplen: bytes at @ip
 * @len: its length on the wire from the IP header on
 * @ts_ns: its time
 * @pkt: its parsed headers: the engine's offline, @parsed live
 * @parsed: live: the headers the kernel sent, parsed
 * @seq: live: the ring's pkt_seq of the packet (0: none), with @ring
 * @ring: live: the ring it came through
 * @hdrs: live: copy of the headers the kernel sent
 */
struct mos_last_pkt {
	const uint8_t *ip;
	uint32_t caplen;
	uint32_t len;
	uint64_t ts_ns;
	const struct mos_pkt *pkt;
	struct mos_pkt parsed;
	uint32_t seq;
	unsigned int ring;
	uint8_t hdrs[512];
};

struct mos_timer;

/**
 * struct mos_conn - the library's side of one connection
 * @flow: the engine's connection
 * @set: its event set (inherited from the listener, copy on write)
 * @uctx: the application's pointer
 * @buf: [side] bytes delivered to that side, for peeking
 * @sock: its socket number
 * @ntimers: its pending timers
 * @muted: no more callbacks: its first packet failed the SYN filter
 *	(offline), or the application stopped monitoring it
 * @peek_window: [side] delivered bytes kept for peeking
 */
struct mos_conn {
	struct mos_flow *flow;
	struct mos_evset *set;
	void *uctx;
	struct mos_peekbuf buf[2];
	int sock;
	unsigned int ntimers;
	bool muted;
	uint32_t peek_window[2];
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
 * @raw_set: the raw socket's event set (NULL: no raw socket)
 * @filter: [MOS_FILTER_KIND_*] the filters bound
 * @filter_err: libpcap's message for the last rejected filter
 * @cur_pkt: the packet behind the event being dispatched, or NULL
 * @in_pkt: offline: the packet being input; live: the last PKT_IN's
 * @timers: pending timers, a binary min-heap by deadline
 * @ntimers: entries in @timers
 * @timers_cap: room in @timers
 * @timer_ids: the last timer id given
 * @raw_side: while the raw socket's callbacks run, the packet's sender
 *	(MOS_SIDE_BOTH: of no connection)
 * @fed: packets came through mos_input_packet(): capture time is the clock
 * @stream_pkt_in: a connection or the stream socket registered PKT_IN: live,
 *	the kernel sends every packet's PKT_IN, whatever the RAW filter
 * @rec_raw: live: the PKT_IN record being dispatched passed the kernel's
 *	RAW filter
 * @timer_now: while timers fire, the time they fire at: a timer set from
 *	a callback counts from it
 * @timers_firing: timer callbacks are running
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
	struct mos_evset *raw_set;
	struct mos_filter filter[MOS_NUM_FILTERS];
	char filter_err[256];
	const struct mos_last_pkt *cur_pkt;
	struct mos_last_pkt in_pkt;
	struct mos_timer *timers;
	size_t ntimers;
	size_t timers_cap;
	int timer_ids;
	int raw_side;
	bool fed;
	bool stream_pkt_in;
	bool rec_raw;
	uint64_t timer_now;
	bool timers_firing;
	bool input_paged;
};

/* filter.c */
bool mos_filter_pass(const struct mos_filter *flt, const uint8_t *ip,
		     uint32_t caplen, uint32_t len);
void mos_filters_free(struct mos_ctx *mctx);

/* timer.c */
void mos_timers_run(struct mos_ctx *mctx, uint64_t now_ns);
void mos_timers_start_clock(struct mos_ctx *mctx, uint64_t first_ns);
int64_t mos_timers_next(const struct mos_ctx *mctx);
void mos_timers_cancel_sock(struct mos_ctx *mctx, int sock);
void mos_timers_free(struct mos_ctx *mctx);
uint64_t mos_live_clock_ns(void);

/* mos.c, for the backends */
struct mos_conn *mos_conn_lookup(struct mos_ctx *mctx, int sock);
void mos_conn_mute(struct mos_ctx *mctx, struct mos_conn *c);
struct mos_conn *mos_conn_of_flow(struct mos_ctx *mctx, struct mos_flow *f);
void mos_dispatch_event(struct mos_ctx *mctx, struct mos_flow *f,
			const struct mos_event *ev);
void mos_flow_release(struct mos_ctx *mctx, struct mos_flow *f);

int mos_capture_run(struct mos_ctx *mctx, const char *path);
int mos_linktype_ip_offset(int linktype, const uint8_t *pkt,
			   uint32_t caplen);

struct mnl_socket;

/**
 * struct mos_live_nl - a generic netlink socket for the mos family
 * @sock: the libmnl socket, NULL when closed
 * @fd: its descriptor, -1 when closed
 * @family: the family's id
 * @seq: sequence number of the last request
 * @portid: the socket's netlink port id
 */
struct mos_live_nl {
	struct mnl_socket *sock;
	int fd;
	uint16_t family;
	uint32_t seq;
	uint32_t portid;
};

/**
 * struct mos_live_flow_req - a MOS_CMD_FLOW_SET request
 * @side: the receiving side the options are about, -1 for none
 * @policy: overlap policy of that side's stream, or -1
 * @buffer: its reassembly buffer in bytes, or -1
 * @stop: stop reassembling it
 * @action: MOS_FLOW_ACTION_*, 0 for none
 */
struct mos_live_flow_req {
	int side;
	int policy;
	int64_t buffer;
	bool stop;
	uint32_t action;
};

int mos_live_nl_open(struct mos_live_nl *nl);
void mos_live_nl_close(struct mos_live_nl *nl);
int mos_live_nl_monitor_set(struct mos_live_nl *nl, uint32_t monitor_id,
			    uint32_t evmask, uint32_t flags, uint32_t group);
int mos_live_nl_monitor_filter(struct mos_live_nl *nl, uint32_t monitor_id,
			       uint32_t type, const void *insns, uint32_t n);
int mos_live_nl_flow_set(struct mos_live_nl *nl, uint64_t flow_id,
			 const struct mos_live_flow_req *req);

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
int mos_live_flow_set(struct mos_ctx *mctx, struct mos_flow *f,
		      const struct mos_live_flow_req *req);
int mos_live_set_filter(struct mos_ctx *mctx, int kind);
void mos_live_stats(const struct mos_ctx *mctx, struct mos_stats *st);

#endif /* MOS_MOS_INT_H */
