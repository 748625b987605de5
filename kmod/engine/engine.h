/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The mos engine: connection table, both endpoints' TCP stacks, two-way
 * reassembly and built-in events. One instance is used by one thread (or,
 * in the kernel, under the caller's lock); it reads no clock: time is the
 * timestamp each packet carries.
 */
#ifndef MOS_ENGINE_ENGINE_H
#define MOS_ENGINE_ENGINE_H

#include "parse.h"
#include "reasm.h"
#include "tcp.h"

#define MOS_SIDE_CLI	0
#define MOS_SIDE_SVR	1
#define MOS_HOOK_SND	0
#define MOS_HOOK_RCV	1

/**
 * enum mos_ev_type - built-in events (mOS names)
 * @MOS_EV_PKT_IN: a packet of the flow (at the sender's SND and at the
 *	receiver's RCV hook)
 * @MOS_EV_CONN_START: a connection began (SYN, or pickup)
 * @MOS_EV_CONN_END: a connection ended, exactly once; code: &enum mos_end
 * @MOS_EV_NEW_DATA: bytes were added to a stream; side = the receiver
 * @MOS_EV_REXMIT: a segment covered bytes already seen; code:
 *	&enum mos_rexmit_kind
 * @MOS_EV_STATE_CHANGE: an endpoint's TCP state changed; side = that
 *	endpoint, code = new state, old_state = previous
 * @MOS_EV_ORPHAN: a TCP packet of no known connection (flow is NULL)
 * @MOS_EV_ERROR: something was wrong; code: &enum mos_error
 * @MOS_EV_TIMEOUT: a connection timed out (CONN_END follows)
 * @MOS_EV_NUM: number of built-in events
 */
enum mos_ev_type {
	MOS_EV_PKT_IN,
	MOS_EV_CONN_START,
	MOS_EV_CONN_END,
	MOS_EV_NEW_DATA,
	MOS_EV_REXMIT,
	MOS_EV_STATE_CHANGE,
	MOS_EV_ORPHAN,
	MOS_EV_ERROR,
	MOS_EV_TIMEOUT,
	MOS_EV_NUM,
};

/**
 * enum mos_end - why a connection ended
 * @MOS_END_NONE: not ended
 * @MOS_END_FIN: both endpoints sent FIN (and, normally, had it ACKed)
 * @MOS_END_RST: an accepted RST
 * @MOS_END_TIMEOUT: idle longer than its state's timeout
 * @MOS_END_EVICTED: the table was full and it was the oldest idle one
 * @MOS_END_EOF: the capture ended, or the monitor stopped
 */
enum mos_end {
	MOS_END_NONE,
	MOS_END_FIN,
	MOS_END_RST,
	MOS_END_TIMEOUT,
	MOS_END_EVICTED,
	MOS_END_EOF,
};

/**
 * enum mos_error - codes of %MOS_EV_ERROR
 * @MOS_ERR_BAD_HEADER: truncated or malformed IP/TCP header or options
 * @MOS_ERR_BAD_CSUM: TCP checksum wrong (segment ignored)
 * @MOS_ERR_OUT_OF_WINDOW: seq or ack outside the window (not stream data)
 * @MOS_ERR_BAD_FLAGS: invalid TCP flag combination (ignored)
 * @MOS_ERR_BAD_TS: failed PAWS, stale or forged timestamp (ignored)
 * @MOS_ERR_RST_IGNORED: RST outside the window, suspected injection
 * @MOS_ERR_GAP: bytes that will never be delivered; off/len say which
 * @MOS_ERR_CAP: bytes dropped because a buffer cap was reached
 * @MOS_ERR_NO_MEMORY: an allocation failed (flow not tracked)
 */
enum mos_error {
	MOS_ERR_BAD_HEADER,
	MOS_ERR_BAD_CSUM,
	MOS_ERR_OUT_OF_WINDOW,
	MOS_ERR_BAD_FLAGS,
	MOS_ERR_BAD_TS,
	MOS_ERR_RST_IGNORED,
	MOS_ERR_GAP,
	MOS_ERR_CAP,
	MOS_ERR_NO_MEMORY,
};

/**
 * struct mos_event - one built-in event
 * @type: &enum mos_ev_type
 * @hook: MOS_HOOK_SND or MOS_HOOK_RCV
 * @side: MOS_SIDE_CLI or MOS_SIDE_SVR: the endpoint the event concerns
 *	(for stream events, the receiver of the bytes)
 * @code: per type: &enum mos_end, &enum mos_rexmit_kind, new state,
 *	&enum mos_error, &enum mos_gap_reason for gaps
 * @old_state: previous state (%MOS_EV_STATE_CHANGE)
 * @off: stream offset (NEW_DATA, REXMIT, GAP, CAP)
 * @len: byte count (NEW_DATA, REXMIT, GAP, CAP)
 * @data: the new bytes (NEW_DATA), valid during the call only; NULL when
 *	they are in the packet being processed (delivered on arrival
 *	straight from it) and that has no flat address (mos_pkt_flat(): a
 *	kernel skb): then at @pkt_off in @pkt, for mos_pkt_copy()
 * @pkt: see @data
 * @pkt_off: see @data
 * @seg: NEW_DATA only, may be NULL: where the segment holding exactly
 *	@data is, which the sink may keep instead of copying the bytes (see
 *	&struct mos_reasm_ops); a sink that keeps it sets *@seg to NULL
 */
struct mos_event {
	u8 type;
	u8 hook;
	u8 side;
	u8 code;
	u8 old_state;
	u64 off;
	u64 len;
	const u8 *data;
	const void *pkt;
	u32 pkt_off;
	struct mos_reasm_seg **seg;
};

/*
 * Timeout classes, after nf_conntrack's per-state timeouts. ENDED holds a
 * connection after CONN_END only to absorb late retransmissions (so they
 * do not look like new midstream connections).
 */
enum mos_tclass {
	MOS_TC_SYN_SENT,
	MOS_TC_SYN_RECV,
	MOS_TC_ESTABLISHED,
	MOS_TC_FIN_WAIT,
	MOS_TC_CLOSE_WAIT,
	MOS_TC_LAST_ACK,
	MOS_TC_TIME_WAIT,
	MOS_TC_CLOSE,
	MOS_TC_UNACK,
	MOS_TC_ENDED,
	MOS_TC_NUM,
};

/* Checksum validation modes. */
#define MOS_CSUM_AUTO	0
#define MOS_CSUM_ON	1
#define MOS_CSUM_OFF	2

/* Delivery modes: when stored bytes become NEW_DATA. */
#define MOS_DELIVER_ACKED	0	/* when the receiver acknowledges */
#define MOS_DELIVER_ARRIVAL	1	/* as soon as they are in order */

/**
 * struct mos_engine_cfg - settings of an engine
 * @max_flows: connections tracked at once; when full, the oldest idle is
 *	evicted
 * @flow_buffer: most out-of-order/unacknowledged bytes stored per direction
 * @buffer_total: most bytes stored by all directions together
 * @timeout_ns: idle timeout per &enum mos_tclass
 * @hash_seed: seeds the flow hash (keeps collisions unpredictable)
 * @overlap_policy: default &enum mos_overlap_policy of new flows
 * @checksum: MOS_CSUM_*
 * @deliver: MOS_DELIVER_*
 * @midstream: track connections whose handshake was not seen
 * @one_sided: track connections of which one direction is not seen
 * @id_stride: connection ids are N * @id_stride + @id_offset (N = 1, 2,
 *	...), so several engines (kernel shards) hand out distinct ids and
 *	the id tells the shard; 0 counts as 1
 * @id_offset: see @id_stride
 */
struct mos_engine_cfg {
	u32 max_flows;
	u32 flow_buffer;
	u64 buffer_total;
	u64 timeout_ns[MOS_TC_NUM];
	u32 hash_seed;
	u8 overlap_policy;
	u8 checksum;
	u8 deliver;
	bool midstream;
	bool one_sided;
	u32 id_stride;
	u32 id_offset;
};

/**
 * struct mos_engine_stats - counters of an engine
 * @packets: packets given to the engine
 * @tcp_packets: of which TCP
 * @payload_bytes: TCP payload bytes seen
 * @bad_headers: malformed IP/TCP headers
 * @bad_csum: bad TCP checksums (while validating)
 * @not_tcp: other protocols and fragments
 * @orphans: TCP packets of no known connection
 * @out_of_window: segments outside the window
 * @rst_ignored: RSTs outside the window
 * @bad_ts: segments failing PAWS
 * @bad_flags: invalid flag combinations
 * @flows_created: connections tracked
 * @flows_evicted: connections evicted because the table was full
 * @flows_timeout: connections ended by timeout
 * @flows_active: connections tracked now
 * @flows_peak: most connections tracked at once
 * @mem_bytes: bytes allocated by the engine now
 * @mem_peak: most bytes allocated at once
 * @gap_bytes: bytes reported as gaps
 * @capped_bytes: bytes dropped by buffer caps
 * @direct_bytes: stream bytes delivered straight from their packet, never
 *	stored (delivery on arrival, mos_reasm_pass())
 * @held_bytes: stream bytes stored held in their packet rather than
 *	copied (mos_pkt_hold(); the kernel's big segments)
 * @no_memory: allocations that failed
 */
struct mos_engine_stats {
	u64 packets;
	u64 tcp_packets;
	u64 payload_bytes;
	u64 bad_headers;
	u64 bad_csum;
	u64 not_tcp;
	u64 orphans;
	u64 out_of_window;
	u64 rst_ignored;
	u64 bad_ts;
	u64 bad_flags;
	u64 flows_created;
	u64 flows_evicted;
	u64 flows_timeout;
	u64 flows_active;
	u64 flows_peak;
	u64 mem_bytes;
	u64 mem_peak;
	u64 gap_bytes;
	u64 capped_bytes;
	u64 direct_bytes;
	u64 held_bytes;
	u64 dropped;
	u64 no_memory;
};

/* Flags of struct mos_stream. */
#define MOS_STREAM_BASE		0x01	/* seq_base is known */
#define MOS_STREAM_STOPPED	0x02	/* not reassembled (option) */

/**
 * struct mos_stream - the bytes one endpoint sends
 * @reasm: their reassembly
 * @seq_base: the sequence number of stream offset 0
 * @flags: MOS_STREAM_*
 * @cap_kib: most bytes it may store, in KiB; 0: the engine's flow_buffer
 */
struct mos_stream {
	struct mos_reasm reasm;
	u32 seq_base;
	u8 flags;
	u16 cap_kib;
};

/* A stream's reassembly cap: its own, or the engine's @flow_buffer. */
static inline u32 mos_stream_cap(const struct mos_stream *st, u32 flow_buffer)
{
	return st->cap_kib ? (u32)st->cap_kib * 1024 : flow_buffer;
}

/* Flags of struct mos_flow. */
#define MOS_FLOW_ENDED		0x01	/* CONN_END raised; lingering */
#define MOS_FLOW_GUESSED	0x02	/* roles guessed on pickup */
#define MOS_FLOW_LIBERAL	0x04	/* picked up without a handshake */
#define MOS_FLOW_DROP		0x08	/* host drops its packets: not tracked */
#define MOS_FLOW_RESET		0x10	/* host resets it (with DROP) */
#define MOS_FLOW_TOUCHED	0x20	/* packets since it was (re)queued */

struct mos_engine;

/**
 * struct mos_flow - one connection (both directions)
 * @hnext: next in its hash bucket
 * @prev: previous in its timeout class list (older)
 * @next: next in its timeout class list (newer)
 * @last_ns: time of its last packet
 * @id: unique id within the engine
 * @addr: [MOS_SIDE_CLI] client and [MOS_SIDE_SVR] server address
 *	(IPv4 as IPv4-mapped IPv6)
 * @port: ports, host order, same index
 * @hash: its hash
 * @tcp: both endpoints' TCP stacks
 * @stream: [side] the bytes that side sends
 * @queued: when it was (re)queued in its class list, in 2^20 ns units
 * @evmask: built-in events to raise for it (bit per &enum mos_ev_type)
 * @tclass: its &enum mos_tclass
 * @flags: MOS_FLOW_*
 * @end_reason: &enum mos_end once ended
 * @ip_version: 4 or 6
 * @user: the host's per-flow data (libmos-user)
 * @host: the same space, as the kernel host uses it: @host.sub is a bit per
 *	consumer that gets this connection's events, @host.lost a bit per
 *	consumer that lost some of them
 */
struct mos_flow {
	struct mos_flow *hnext;
	struct mos_flow *prev;
	struct mos_flow *next;
	u64 last_ns;
	u64 id;
	u8 addr[2][16];
	u16 port[2];
	u32 hash;
	struct mos_tcp_conn tcp;
	struct mos_stream stream[2];
	u32 queued;
	u32 evmask;
	u8 tclass;
	u8 flags;
	u8 end_reason;
	u8 ip_version;
	union {
		void *user;
		struct {
			u32 sub;
			u32 lost;
		} host;
	};
};

/**
 * struct mos_engine_sink - where the engine reports
 * @event: one event; @flow is NULL for ORPHAN and flow-less ERRORs, @pkt
 *	is NULL for events not caused by a packet (timeouts, end of input)
 * @flow_free: a connection is about to be freed (release ->user); optional
 */
struct mos_engine_sink {
	void (*event)(void *ctx, struct mos_flow *flow,
		      const struct mos_event *ev, const struct mos_pkt *pkt);
	void (*flow_free)(void *ctx, struct mos_flow *flow);
};

/**
 * struct mos_input - one packet handed to the engine
 * @ip: the packet from its IP header on
 * @caplen: bytes present at @ip (a capture may cut the packet short)
 * @len: the packet's full length from the IP header on
 * @ts_ns: its timestamp (capture time, or the kernel's receive time)
 * @csum: MOS_CSUM_ON: compute and check; MOS_CSUM_OFF: the host already
 *	vouched for it (or validation is off)
 * @pkt: NULL, or the whole packet (@len bytes from its IP header) for
 *	mos_pkt_copy() and mos_pkt_csum(): @ip then needs to hold only the
 *	IP and TCP headers, and the payload is read from @pkt (the kernel
 *	passes paged skbs so, instead of copying them whole first)
 */
struct mos_input {
	const u8 *ip;
	u32 caplen;
	u32 len;
	u64 ts_ns;
	u8 csum;
	const void *pkt;
};

void mos_engine_default_cfg(struct mos_engine_cfg *cfg);
struct mos_engine *mos_engine_new(const struct mos_engine_cfg *cfg,
				  const struct mos_engine_sink *sink,
				  void *sink_ctx);
void mos_engine_free(struct mos_engine *e);
u8 mos_engine_input(struct mos_engine *e, const struct mos_input *in);
u32 mos_engine_nbuckets(const struct mos_engine *e);
struct mos_flow *mos_engine_bucket(const struct mos_engine *e, u32 i);
u32 mos_engine_generation(const struct mos_engine *e);
void mos_engine_reconfigure(struct mos_engine *e,
			    const struct mos_engine_cfg *cfg);
void mos_engine_advance(struct mos_engine *e, u64 now_ns);
void mos_engine_end_all(struct mos_engine *e, u8 reason);
const struct mos_engine_stats *mos_engine_stats(struct mos_engine *e);
void mos_engine_set_default_evmask(struct mos_engine *e, u32 mask);
int mos_flow_set_policy(struct mos_flow *f, int side, u8 policy);
int mos_flow_set_buffer(struct mos_flow *f, int side, u32 bytes);
u32 mos_flow_buffer(const struct mos_flow *f, int side, u32 flow_buffer);
void mos_flow_stop_stream(struct mos_engine *e, struct mos_flow *f,
			  int side);
void mos_engine_untrack(struct mos_engine *e, struct mos_flow *f);
u64 mos_flow_stream_bytes(const struct mos_flow *f, int sender);

#endif /* MOS_ENGINE_ENGINE_H */
